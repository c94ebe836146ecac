package io.bottega.core.policy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hierarchical fair share in the spirit of Slurm's Fair Tree: a tree of associations (organisation → project →
 * user), each with shares among its siblings and a usage that decays by a half-life. At every level, siblings are
 * ranked by their <em>level fair share</em> — their share of the shares divided by their share of the usage — and
 * users are ranked by walking the tree, best sibling first; a user's fair-share factor is its rank from the
 * bottom divided by the number of users (1 for the user most under-served, towards 0 for the most over-served).
 * A user whose project has used more than its share ranks below every user of a project that has used less,
 * whatever the users' own usage.
 *
 * <p>Pure: usage is added with the time it happened and decayed to the time asked; no clock is read.
 */
public final class FairShare {
    private final long halfLifeSeconds;
    private final Node root = new Node("root", null, 1);
    private final Map<String, Node> accounts = new HashMap<>();
    private final Map<String, Node> users = new HashMap<>(); // key: account + '/' + user

    public FairShare(long halfLifeSeconds) {
        if (halfLifeSeconds <= 0) throw new IllegalArgumentException("half-life must be positive");
        this.halfLifeSeconds = halfLifeSeconds;
        accounts.put("root", root);
    }

    private static final class Node {
        final String name;
        final Node parent;
        double shares;
        double usage;
        long usageAt;
        final List<Node> children = new ArrayList<>();
        boolean user;

        Node(String name, Node parent, double shares) {
            this.name = name;
            this.parent = parent;
            this.shares = shares;
        }
    }

    /** Declares an account (organisation or project) under {@code parent} ("root" for the top). */
    public void account(String name, String parent, double shares) {
        Node p = accounts.get(parent);
        if (p == null) throw new IllegalArgumentException("account " + name + ": unknown parent account " + parent);
        if (shares < 0) throw new IllegalArgumentException("account " + name + ": shares must not be negative");
        Node n = accounts.get(name);
        if (n != null) {
            n.shares = shares;
            return;
        }
        n = new Node(name, p, shares);
        p.children.add(n);
        accounts.put(name, n);
    }

    /** Declares a user in an account. */
    public void user(String user, String account, double shares) {
        Node a = accounts.get(account);
        if (a == null) throw new IllegalArgumentException("user " + user + ": unknown account " + account);
        String key = account + "/" + user;
        Node n = users.get(key);
        if (n != null) {
            n.shares = shares;
            return;
        }
        n = new Node(user, a, shares);
        n.user = true;
        a.children.add(n);
        users.put(key, n);
    }

    public boolean hasAccount(String name) { return accounts.containsKey(name); }

    public boolean hasUser(String user, String account) { return users.containsKey(account + "/" + user); }

    /**
     * Adds {@code amount} billed unit-seconds of usage by a user of an account at time {@code at}, to the user
     * and every account above it. Unknown accounts and users are added with one share (like Slurm's default
     * association) so that usage is never lost.
     */
    public void addUsage(String user, String account, double amount, long at) {
        if (amount <= 0) return;
        if (!accounts.containsKey(account)) account(account, "root", 1);
        if (!hasUser(user, account)) user(user, account, 1);
        for (Node n = users.get(account + "/" + user); n != null; n = n.parent) {
            decayTo(n, at);
            n.usage += amount;
        }
    }

    private void decayTo(Node n, long at) {
        if (at > n.usageAt) {
            n.usage *= Math.pow(0.5, (double) (at - n.usageAt) / halfLifeSeconds);
            n.usageAt = at;
        }
    }

    /** One row of {@code sshare}: an association's shares and usage at a time, and where it ranks. */
    public record Row(String account, String user, int depth, double rawShares, double normShares, double rawUsage, double normUsage,
                      double levelFairShare, double fairShareFactor) {}

    /**
     * The tree at time {@code at}: every association with its normalized shares and usage and level fair share,
     * and for users the fair-share factor (Fair Tree ranking), in tree order.
     */
    public List<Row> snapshot(long at) {
        List<Row> rows = new ArrayList<>();
        Map<Node, Double> factors = factors(at);
        walk(root, 0, at, rows, factors);
        return rows;
    }

    /** The fair-share factor (0..1] of every user, by "account/user". */
    public Map<String, Double> factorsByUser(long at) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Map.Entry<Node, Double> e : factors(at).entrySet()) out.put(e.getKey().parent.name + "/" + e.getKey().name, e.getValue());
        return out;
    }

    /** The fair-share factor of one user in one account (an unknown one gets that of a new user with no usage). */
    public double factor(String user, String account, long at) {
        Double f = factorsByUser(at).get(account + "/" + user);
        return f != null ? f : 1.0;
    }

    private Map<Node, Double> factors(long at) {
        List<Node> order = new ArrayList<>();
        List<List<Double>> keys = new ArrayList<>();
        rank(root, at, new ArrayList<>(), order, keys);
        Map<Node, Double> out = new LinkedHashMap<>();
        int n = order.size();
        double f = 1.0;
        for (int i = 0; i < n; i++) {
            // users whose level fair shares are equal at every level are tied: they share the better rank (as in Slurm)
            if (i == 0 || !keys.get(i).equals(keys.get(i - 1))) f = (double) (n - i) / n;
            out.put(order.get(i), f);
        }
        return out;
    }

    /**
     * Appends users in Fair Tree order: siblings by level fair share, best first, depth first; with each user, the
     * level fair shares along its path (its rank key).
     */
    private void rank(Node node, long at, List<Double> path, List<Node> out, List<List<Double>> keys) {
        if (node.user) {
            out.add(node);
            keys.add(List.copyOf(path));
            return;
        }
        List<Node> kids = new ArrayList<>(node.children);
        Map<Node, Double> level = new HashMap<>();
        for (Node k : kids) level.put(k, levelFairShare(k, at));
        kids.sort(Comparator.comparingDouble((Node k) -> -level.get(k)).thenComparing(k -> k.name));
        for (Node k : kids) {
            path.add(level.get(k));
            rank(k, at, path, out, keys);
            path.remove(path.size() - 1);
        }
    }

    /** Shares among siblings over usage among siblings (∞ without usage). */
    private double levelFairShare(Node n, long at) {
        Node p = n.parent;
        double shareSum = 0, usageSum = 0;
        for (Node s : p.children) {
            decayTo(s, at);
            shareSum += s.shares;
            usageSum += s.usage;
        }
        decayTo(n, at);
        double s = shareSum == 0 ? 0 : n.shares / shareSum;
        double u = usageSum == 0 ? 0 : n.usage / usageSum;
        if (u == 0) return s == 0 ? 0 : Double.MAX_VALUE;
        return s / u;
    }

    private void walk(Node node, int depth, long at, List<Row> rows, Map<Node, Double> factors) {
        if (node != root) {
            double shareSum = 0, usageSum = 0;
            for (Node s : node.parent.children) {
                decayTo(s, at);
                shareSum += s.shares;
                usageSum += s.usage;
            }
            decayTo(node, at);
            double lfs = levelFairShare(node, at);
            rows.add(new Row(node.user ? node.parent.name : node.name, node.user ? node.name : "", depth, node.shares,
                    shareSum == 0 ? 0 : node.shares / shareSum, node.usage, usageSum == 0 ? 0 : node.usage / usageSum, lfs,
                    node.user ? factors.getOrDefault(node, 0.0) : Double.NaN));
        }
        List<Node> kids = new ArrayList<>(node.children);
        kids.sort(Comparator.comparing((Node k) -> k.user).thenComparing(k -> k.name));
        for (Node k : kids) walk(k, depth + 1, at, rows, factors);
    }

    /**
     * A plain-language account of a user's fair share: how its project compares with its siblings, and where
     * that puts the user ("why is my priority lower").
     */
    public String explain(String user, String account, long at) {
        Node u = users.get(account + "/" + user);
        if (u == null) return "User " + user + " has no usage recorded in account " + account + " yet: their jobs get the highest fair-share factor (1.0).";
        Map<Node, Double> factors = factors(at);
        StringBuilder b = new StringBuilder();
        List<Node> chain = new ArrayList<>();
        for (Node n = u; n != null && n != root; n = n.parent) chain.add(0, n);
        for (Node n : chain) {
            double shareSum = 0, usageSum = 0;
            for (Node s : n.parent.children) {
                decayTo(s, at);
                shareSum += s.shares;
                usageSum += s.usage;
            }
            double s = shareSum == 0 ? 0 : n.shares / shareSum;
            double us = usageSum == 0 ? 0 : n.usage / usageSum;
            String what = n.user ? "User " + n.name : "Account " + n.name;
            String among = n.parent == root ? "the top-level accounts" : (n.user ? "the users of " : "the accounts under ") + n.parent.name;
            b.append(String.format(java.util.Locale.ROOT, "%s holds %.0f%% of the shares among %s and has used %.0f%% of their recent usage",
                    what, 100 * s, among, 100 * us));
            if (us == 0) b.append(" (no recent usage: it goes first among them).");
            else if (s / us >= 1) b.append(String.format(java.util.Locale.ROOT, " — under its share (level fair share %.2f): it goes before those above theirs.", s / us));
            else b.append(String.format(java.util.Locale.ROOT, " — over its share (level fair share %.2f): it goes after those below theirs.", s / us));
            b.append('\n');
        }
        int total = factors.size();
        double f = factors.getOrDefault(u, 1.0);
        int rank = (int) Math.round((1 - f) * total) + 1;
        b.append(String.format(java.util.Locale.ROOT, "So %s ranks %d of %d users: fair-share factor %.3f. Usage counts for half as much every %s.",
                user, rank, total, f, humanDuration(halfLifeSeconds)));
        return b.toString();
    }

    private static String humanDuration(long s) {
        if (s % 86400 == 0) return (s / 86400) + (s == 86400 ? " day" : " days");
        if (s % 3600 == 0) return (s / 3600) + (s == 3600 ? " hour" : " hours");
        return s + " s";
    }
}
