package io.bottega.sim.cluster;

import io.bottega.core.model.Cluster;
import io.bottega.core.policy.Billing;
import io.bottega.core.policy.Policies;
import io.bottega.core.policy.PriorityWeights;
import io.bottega.core.policy.Qos;
import io.bottega.core.policy.Site;
import io.bottega.core.model.Hostlist;
import io.bottega.core.model.NodeSpec;
import io.bottega.core.model.Partition;
import io.bottega.core.model.PowerModel;
import io.bottega.sim.util.SlurmTime;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

import java.io.IOException;
import java.io.Reader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A machine described in YAML. See {@code docs/simulator.md} and {@code examples/clusters/} for examples.
 *
 * <pre>
 * name: small                      # required
 * nodes:                           # required: one entry per kind of node
 *   - names: gpu[01-16]            # required: a Slurm hostlist
 *     count: 16                    # optional: checked against the hostlist
 *     cores: 32                    # required
 *     memory: 256G                 # or memory_mb: 262144; units K, M, G, T (MB when none); default 0
 *     gpus: 4                      # default 0
 *     gpu_type: a100               # gres type
 *     features: [a100, nvlink]     # or "a100,nvlink"
 *     group: cell                  # network group (default "default")
 *     group_size: 8                # optional: split into groups cell01, cell02, ... of 8 nodes in name order
 *     core_binding: true           # default true
 *     power: {idle_watts: 540, cpu_busy_watts: 250, gpu_idle_watts: 60, gpu_busy_watts: 400}
 * partitions:                      # required
 *   - name: gpu                    # required
 *     nodes: gpu[01-16]            # a hostlist, a list of them, or ALL (the default)
 *     default: true                # at most one; else the first partition is the default
 *     default_time: "1:00:00"      # Slurm syntax; a YAML integer is seconds; default: max_time
 *     max_time: "1-00:00:00"       # Slurm syntax, UNLIMITED (default), or integer seconds
 *     max_nodes: 64                # per job; default UNLIMITED
 *     priority_weight: 1           # default 1
 * </pre>
 * Errors name the file and the YAML path: {@code small.yaml: partitions[1].max_time: '25:00:00:00' is not a Slurm time ...}.
 * Unknown keys are errors (a typo must not be silently ignored).
 */
public final class ClusterFile {
    private static final Set<String> TOP = Set.of("name", "nodes", "partitions", "default_qos", "qos", "billing", "priority",
            "fairshare", "allocation_period", "accounts");
    private static final Set<String> QOS = Set.of("name", "priority", "max_wall", "min_nodes", "max_nodes_per_job", "max_jobs_per_user", "max_nodes_per_user",
            "max_gpus_per_user", "max_jobs_per_account", "max_nodes_per_account", "max_gpus_per_account", "max_submit_per_user",
            "preempts", "preempt_mode", "grace_time", "usage_factor");
    private static final Set<String> BILLING = Set.of("core", "gpu", "gb_memory");
    private static final Set<String> PRIORITY = Set.of("weights", "max_age");
    private static final Set<String> WEIGHTS = Set.of("age", "fairshare", "job_size", "qos", "partition");
    private static final Set<String> FAIRSHARE = Set.of("half_life");
    private static final Set<String> ACCOUNT = Set.of("name", "parent", "shares", "budget_hours", "users");

    /** A cluster file read whole: the machine, and the site's policy and accounts (empty when the file has none). */
    public record SiteConfig(Cluster cluster, Site site) {}
    private static final Set<String> NODE = Set.of("names", "count", "cores", "memory", "memory_mb", "gpus", "gpu_type",
            "features", "group", "group_size", "core_binding", "power");
    private static final Set<String> POWER = Set.of("idle_watts", "cpu_busy_watts", "gpu_idle_watts", "gpu_busy_watts");
    private static final Set<String> PARTITION = Set.of("name", "nodes", "default", "default_time", "max_time", "max_nodes",
            "priority_weight");

    private final String source;

    private ClusterFile(String source) { this.source = source; }

    public static Cluster load(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parse(r, file.toString());
        }
    }

    /** Reads a cluster file with its site sections (qos, billing, priority, fairshare, allocation_period, accounts). */
    public static SiteConfig loadSite(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            ClusterFile f = new ClusterFile(file.toString());
            Object root = f.yaml(r);
            return new SiteConfig(f.build(root), f.site(f.map(root, "")));
        }
    }

    /**
     * Reads only the site sections of a file (qos, billing, priority, fairshare, allocation_period, accounts): a
     * site for a machine described elsewhere (a preset, or {@code bottega up}'s local nodes). Nodes and partitions,
     * if the file has them, are not read.
     */
    public static Site loadSiteSections(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            ClusterFile f = new ClusterFile(file.toString());
            Map<?, ?> top = f.map(f.yaml(r), "");
            f.keys(top, TOP, "");
            return f.site(top);
        }
    }

    public static SiteConfig parseSite(String yaml, String source) {
        ClusterFile f = new ClusterFile(source);
        Object root = f.yaml(new java.io.StringReader(yaml));
        return new SiteConfig(f.build(root), f.site(f.map(root, "")));
    }

    public static Cluster parse(String yaml, String source) {
        return parse(new java.io.StringReader(yaml), source);
    }

    public static Cluster parse(Reader in, String source) {
        ClusterFile f = new ClusterFile(source);
        return f.build(f.yaml(in));
    }

    private Object yaml(Reader in) {
        LoaderOptions opts = new LoaderOptions();
        opts.setAllowDuplicateKeys(false);
        opts.setMaxAliasesForCollections(10);
        Object root;
        try {
            root = new Yaml(new SafeConstructor(opts)).load(in);
        } catch (MarkedYAMLException e) {
            Mark m = e.getProblemMark();
            String where = m != null ? "line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1) + ": " : "";
            throw new ClusterFileException(source, "", where + firstLine(e.getProblem()));
        } catch (YAMLException e) {
            throw new ClusterFileException(source, "", firstLine(e.getMessage()));
        }
        return root;
    }

    /** The site sections; partitions named under billing must exist in the cluster. */
    private Site site(Map<?, ?> top) {
        Policies.Builder pb = Policies.builder();
        if (top.containsKey("default_qos")) pb.defaultQos(string(top.get("default_qos"), "default_qos"));
        Set<String> qosNames = new LinkedHashSet<>();
        if (top.containsKey("qos")) {
            List<?> qs = list(top.get("qos"), "qos");
            for (int i = 0; i < qs.size(); i++) {
                String path = "qos[" + i + "]";
                Map<?, ?> q = map(qs.get(i), path);
                keys(q, QOS, path);
                String name = string(require(q, "name", path), path + ".name");
                if (!qosNames.add(name)) throw error(path + ".name", "qos " + name + " is declared twice");
                Qos.Builder b = Qos.builder(name);
                if (q.containsKey("priority")) b.priority((int) integer(q.get("priority"), path + ".priority", 0, Integer.MAX_VALUE));
                if (q.containsKey("max_wall")) b.maxWallSeconds(time(q.get("max_wall"), path + ".max_wall"));
                if (q.containsKey("min_nodes")) b.minNodes((int) integer(q.get("min_nodes"), path + ".min_nodes", 0, Integer.MAX_VALUE));
                if (q.containsKey("max_nodes_per_job")) b.maxNodesPerJob(count(q, "max_nodes_per_job", path));
                if (q.containsKey("max_jobs_per_user")) b.maxJobsPerUser(count(q, "max_jobs_per_user", path));
                if (q.containsKey("max_nodes_per_user")) b.maxNodesPerUser(count(q, "max_nodes_per_user", path));
                if (q.containsKey("max_gpus_per_user")) b.maxGpusPerUser(count(q, "max_gpus_per_user", path));
                if (q.containsKey("max_jobs_per_account")) b.maxJobsPerAccount(count(q, "max_jobs_per_account", path));
                if (q.containsKey("max_nodes_per_account")) b.maxNodesPerAccount(count(q, "max_nodes_per_account", path));
                if (q.containsKey("max_gpus_per_account")) b.maxGpusPerAccount(count(q, "max_gpus_per_account", path));
                if (q.containsKey("max_submit_per_user")) b.maxSubmitPerUser(count(q, "max_submit_per_user", path));
                if (q.containsKey("preempts")) b.preempts(features(q.get("preempts"), path + ".preempts"));
                if (q.containsKey("preempt_mode")) {
                    String m = string(q.get("preempt_mode"), path + ".preempt_mode").trim().toUpperCase(Locale.ROOT);
                    try {
                        b.preemptMode(Qos.PreemptMode.valueOf(m));
                    } catch (IllegalArgumentException e) {
                        throw error(path + ".preempt_mode", "'" + m.toLowerCase(Locale.ROOT) + "' is not cancel or requeue");
                    }
                }
                if (q.containsKey("grace_time")) b.graceSeconds(time(q.get("grace_time"), path + ".grace_time"));
                if (q.containsKey("usage_factor")) b.usageFactor(watts(q.get("usage_factor"), path + ".usage_factor"));
                pb.qos(b.build());
            }
            for (int i = 0; i < qs.size(); i++) {
                Map<?, ?> q = map(qs.get(i), "qos[" + i + "]");
                if (!q.containsKey("preempts")) continue;
                for (String other : features(q.get("preempts"), "qos[" + i + "].preempts")) {
                    if (!qosNames.contains(other)) throw error("qos[" + i + "].preempts", "unknown qos " + other);
                }
            }
        }
        if (top.containsKey("billing")) {
            Map<?, ?> bm = map(top.get("billing"), "billing");
            for (Map.Entry<?, ?> e : bm.entrySet()) {
                String key = String.valueOf(e.getKey());
                String path = "billing." + key;
                Map<?, ?> w = map(e.getValue(), path);
                keys(w, BILLING, path);
                Billing b = new Billing(w.containsKey("core") ? watts(w.get("core"), path + ".core") : 0,
                        w.containsKey("gpu") ? watts(w.get("gpu"), path + ".gpu") : 0,
                        w.containsKey("gb_memory") ? watts(w.get("gb_memory"), path + ".gb_memory") : 0);
                if (key.equals("default")) pb.defaultBilling(b);
                else pb.billing(key, b);
            }
        }
        PriorityWeights weights = PriorityWeights.DEFAULT;
        if (top.containsKey("priority")) {
            Map<?, ?> pm = map(top.get("priority"), "priority");
            keys(pm, PRIORITY, "priority");
            long maxAge = pm.containsKey("max_age") ? time(pm.get("max_age"), "priority.max_age") : weights.maxAgeSeconds();
            Map<?, ?> w = pm.containsKey("weights") ? map(pm.get("weights"), "priority.weights") : Map.of();
            keys(w, WEIGHTS, "priority.weights");
            weights = new PriorityWeights(weight(w, "age", weights.age()), weight(w, "fairshare", weights.fairShare()),
                    weight(w, "job_size", weights.jobSize()), weight(w, "qos", weights.qos()), weight(w, "partition", weights.partition()),
                    maxAge);
        }
        pb.weights(weights);
        long halfLife = 7 * 86400;
        if (top.containsKey("fairshare")) {
            Map<?, ?> fm = map(top.get("fairshare"), "fairshare");
            keys(fm, FAIRSHARE, "fairshare");
            if (fm.containsKey("half_life")) halfLife = time(fm.get("half_life"), "fairshare.half_life");
        }
        Site.Period period = Site.Period.MONTH;
        if (top.containsKey("allocation_period")) {
            String ps = string(top.get("allocation_period"), "allocation_period").trim().toUpperCase(Locale.ROOT);
            try {
                period = Site.Period.valueOf(ps);
            } catch (IllegalArgumentException e) {
                throw error("allocation_period", "'" + ps.toLowerCase(Locale.ROOT) + "' is not month, quarter, year or total");
            }
        }
        List<Site.Account> accounts = new ArrayList<>();
        if (top.containsKey("accounts")) {
            List<?> as = list(top.get("accounts"), "accounts");
            Set<String> names = new LinkedHashSet<>();
            names.add("root");
            for (int i = 0; i < as.size(); i++) {
                String path = "accounts[" + i + "]";
                Map<?, ?> a = map(as.get(i), path);
                keys(a, ACCOUNT, path);
                String name = string(require(a, "name", path), path + ".name");
                String parent = a.containsKey("parent") ? string(a.get("parent"), path + ".parent") : "root";
                if (!names.contains(parent)) throw error(path + ".parent", "unknown account " + parent + " (parents come first)");
                if (!names.add(name)) throw error(path + ".name", "account " + name + " is declared twice");
                double shares = a.containsKey("shares") ? watts(a.get("shares"), path + ".shares") : 1;
                double budget = a.containsKey("budget_hours") ? watts(a.get("budget_hours"), path + ".budget_hours") : 0;
                java.util.Map<String, Double> users = new java.util.LinkedHashMap<>();
                if (a.containsKey("users")) {
                    Object u = a.get("users");
                    if (u instanceof Map<?, ?> um) {
                        for (Map.Entry<?, ?> e : um.entrySet()) users.put(String.valueOf(e.getKey()),
                                watts(e.getValue(), path + ".users." + e.getKey()));
                    } else {
                        for (String user : features(u, path + ".users")) users.put(user, 1.0);
                    }
                }
                try {
                    accounts.add(new Site.Account(name, parent, shares, budget, users));
                } catch (IllegalArgumentException e) {
                    throw error(path, e.getMessage());
                }
            }
        }
        try {
            return new Site(pb.build(), accounts, halfLife, period);
        } catch (IllegalArgumentException e) {
            throw new ClusterFileException(source, "", e.getMessage());
        }
    }

    private int count(Map<?, ?> m, String key, String path) {
        return (int) integer(m.get(key), path + "." + key, 0, Integer.MAX_VALUE);
    }

    private long weight(Map<?, ?> m, String key, long def) {
        return m.containsKey(key) ? integer(m.get(key), "priority.weights." + key, 0, Long.MAX_VALUE / 4) : def;
    }

    private static String firstLine(String s) {
        if (s == null) return "not valid YAML";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private Cluster build(Object root) {
        Map<?, ?> top = map(root, "");
        keys(top, TOP, "");
        String name = string(require(top, "name", ""), "name");
        Cluster.Builder b;
        try {
            b = Cluster.builder(name);
        } catch (IllegalArgumentException e) {
            throw error("name", e.getMessage());
        }
        List<?> nodes = list(require(top, "nodes", ""), "nodes");
        if (nodes.isEmpty()) throw error("nodes", "at least one node entry is needed");
        List<String> allNames = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (int i = 0; i < nodes.size(); i++) {
            String path = "nodes[" + i + "]";
            for (NodeSpec s : nodeEntry(map(nodes.get(i), path), path)) {
                if (!seen.add(s.name())) throw error(path + ".names", "node " + s.name() + " is declared twice");
                allNames.add(s.name());
                b.node(s);
            }
        }
        List<?> parts = list(require(top, "partitions", ""), "partitions");
        if (parts.isEmpty()) throw error("partitions", "at least one partition is needed");
        int defaults = 0;
        Set<String> partNames = new LinkedHashSet<>();
        for (int i = 0; i < parts.size(); i++) {
            String path = "partitions[" + i + "]";
            Map<?, ?> p = map(parts.get(i), path);
            keys(p, PARTITION, path);
            String pname = string(require(p, "name", path), path + ".name");
            if (pname.isBlank()) throw error(path + ".name", "must not be empty");
            if (!partNames.add(pname)) throw error(path + ".name", "partition " + pname + " is declared twice");
            List<String> members = partitionNodes(p.get("nodes"), path + ".nodes", seen, allNames);
            long max = p.containsKey("max_time") ? time(p.get("max_time"), path + ".max_time") : Partition.UNLIMITED;
            long def = p.containsKey("default_time") ? time(p.get("default_time"), path + ".default_time") : max;
            if (max <= 0) throw error(path + ".max_time", "must be positive");
            if (def <= 0) throw error(path + ".default_time", "must be positive");
            if (def > max) throw error(path + ".default_time", SlurmTime.format(def) + " exceeds max_time " + SlurmTime.format(max));
            int maxNodes = p.containsKey("max_nodes") ? countOrUnlimited(p.get("max_nodes"), path + ".max_nodes") : Integer.MAX_VALUE;
            boolean isDefault = p.containsKey("default") && bool(p.get("default"), path + ".default");
            if (isDefault && ++defaults > 1) throw error(path + ".default", "only one partition may be the default");
            int weight = p.containsKey("priority_weight") ? (int) integer(p.get("priority_weight"), path + ".priority_weight", 0, Integer.MAX_VALUE) : 1;
            b.partition(pname, members, def, max, maxNodes, isDefault, weight);
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new ClusterFileException(source, "", e.getMessage());
        }
    }

    private List<NodeSpec> nodeEntry(Map<?, ?> m, String path) {
        keys(m, NODE, path);
        List<String> names = hostlist(require(m, "names", path), path + ".names");
        if (m.containsKey("count")) {
            long count = integer(m.get("count"), path + ".count", 1, Hostlist.MAX_NAMES);
            if (count != names.size()) {
                throw error(path + ".count", count + " does not match the " + names.size() + " names of '" + m.get("names") + "'");
            }
        }
        int cores = (int) integer(require(m, "cores", path), path + ".cores", 1, Integer.MAX_VALUE);
        if (m.containsKey("memory") && m.containsKey("memory_mb")) throw error(path + ".memory", "give memory or memory_mb, not both");
        long mem = 0;
        if (m.containsKey("memory_mb")) mem = integer(m.get("memory_mb"), path + ".memory_mb", 0, Long.MAX_VALUE / 2);
        if (m.containsKey("memory")) mem = memory(m.get("memory"), path + ".memory");
        int gpus = m.containsKey("gpus") ? (int) integer(m.get("gpus"), path + ".gpus", 0, NodeSpec.MAX_GPUS) : 0;
        String gpuType = m.containsKey("gpu_type") ? string(m.get("gpu_type"), path + ".gpu_type") : "";
        Set<String> features = m.containsKey("features") ? features(m.get("features"), path + ".features") : Set.of();
        String group = m.containsKey("group") ? string(m.get("group"), path + ".group") : "default";
        int groupSize = m.containsKey("group_size") ? (int) integer(m.get("group_size"), path + ".group_size", 1, Integer.MAX_VALUE) : 0;
        boolean binding = !m.containsKey("core_binding") || bool(m.get("core_binding"), path + ".core_binding");
        PowerModel power = m.containsKey("power") ? power(m.get("power"), path + ".power") : PowerModel.NONE;
        int groups = groupSize > 0 ? (names.size() + groupSize - 1) / groupSize : 1;
        List<NodeSpec> out = new ArrayList<>(names.size());
        for (int i = 0; i < names.size(); i++) {
            String g = groupSize > 0 ? ClusterPresets.groupName(group, i / groupSize + 1, groups) : group;
            try {
                out.add(new NodeSpec(names.get(i), cores, mem, gpus, gpuType, features, g, binding, power));
            } catch (IllegalArgumentException e) {
                throw error(path, e.getMessage());
            }
        }
        return out;
    }

    private List<String> partitionNodes(Object v, String path, Set<String> declared, List<String> all) {
        if (v == null || (v instanceof String s && s.trim().equalsIgnoreCase("all"))) return all;
        List<String> out = new ArrayList<>();
        if (v instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) out.addAll(hostlist(l.get(i), path + "[" + i + "]"));
        } else {
            out.addAll(hostlist(v, path));
        }
        for (String n : out) if (!declared.contains(n)) throw error(path, "node " + n + " is not declared under nodes");
        return out;
    }

    private List<String> hostlist(Object v, String path) {
        String s = string(v, path);
        try {
            List<String> names = Hostlist.expand(s);
            if (names.isEmpty()) throw error(path, "the hostlist '" + s + "' names no node");
            return names;
        } catch (IllegalArgumentException e) {
            if (e instanceof ClusterFileException) throw e;
            throw error(path, e.getMessage());
        }
    }

    private PowerModel power(Object v, String path) {
        Map<?, ?> m = map(v, path);
        keys(m, POWER, path);
        try {
            return new PowerModel(watts(m.get("idle_watts"), path + ".idle_watts"), watts(m.get("cpu_busy_watts"), path + ".cpu_busy_watts"),
                    watts(m.get("gpu_idle_watts"), path + ".gpu_idle_watts"), watts(m.get("gpu_busy_watts"), path + ".gpu_busy_watts"));
        } catch (IllegalArgumentException e) {
            if (e instanceof ClusterFileException) throw e;
            throw error(path, e.getMessage());
        }
    }

    private double watts(Object v, String path) {
        if (v == null) return 0;
        if (v instanceof Number n && Double.isFinite(n.doubleValue()) && n.doubleValue() >= 0) return n.doubleValue();
        throw error(path, "'" + v + "' is not a non-negative number of watts");
    }

    private Set<String> features(Object v, String path) {
        List<String> items = new ArrayList<>();
        if (v instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) items.add(string(l.get(i), path + "[" + i + "]"));
        } else {
            for (String s : string(v, path).split(",")) items.add(s);
        }
        Set<String> out = new LinkedHashSet<>();
        for (String s : items) {
            String f = s.trim();
            if (f.isEmpty()) throw error(path, "empty feature name");
            out.add(f);
        }
        return out;
    }

    private long time(Object v, String path) {
        if (v instanceof Number) return integer(v, path, 1, Partition.UNLIMITED);
        try {
            return SlurmTime.parse(string(v, path));
        } catch (IllegalArgumentException e) {
            if (e instanceof ClusterFileException) throw e;
            throw error(path, e.getMessage());
        }
    }

    private int countOrUnlimited(Object v, String path) {
        if (v instanceof String s && (s.trim().equalsIgnoreCase("unlimited") || s.trim().equalsIgnoreCase("infinite"))) {
            return Integer.MAX_VALUE;
        }
        return (int) integer(v, path, 1, Integer.MAX_VALUE);
    }

    /** {@code 512G}, {@code 524288M}, {@code 1T}, {@code 4096} (MB); as a YAML integer: MB. */
    private long memory(Object v, String path) {
        if (v instanceof Number) return integer(v, path, 0, Long.MAX_VALUE / 2);
        String s = string(v, path).trim().toUpperCase(Locale.ROOT);
        if (s.endsWith("IB")) s = s.substring(0, s.length() - 2);
        else if (s.endsWith("B")) s = s.substring(0, s.length() - 1);
        long mult = 1;
        double div = 1;
        if (!s.isEmpty()) {
            switch (s.charAt(s.length() - 1)) {
                case 'K' -> { div = 1024; s = s.substring(0, s.length() - 1); }
                case 'M' -> s = s.substring(0, s.length() - 1);
                case 'G' -> { mult = 1024; s = s.substring(0, s.length() - 1); }
                case 'T' -> { mult = 1024 * 1024; s = s.substring(0, s.length() - 1); }
                default -> { }
            }
        }
        try {
            double x = Double.parseDouble(s.trim());
            if (!(x >= 0) || x * mult > Long.MAX_VALUE / 4) throw new NumberFormatException();
            return (long) Math.floor(x * mult / div);
        } catch (NumberFormatException e) {
            throw error(path, "'" + v + "' is not a memory size (like 512G, 4096M or 4096)");
        }
    }

    private Map<?, ?> map(Object v, String path) {
        if (v instanceof Map<?, ?> m) return m;
        throw error(path, v == null ? "is empty; expected a mapping" : "expected a mapping, found " + describe(v));
    }

    private List<?> list(Object v, String path) {
        if (v instanceof List<?> l) return l;
        throw error(path, "expected a list, found " + describe(v));
    }

    private String string(Object v, String path) {
        if (v instanceof String s) return s;
        if (v instanceof Number || v instanceof Boolean) return String.valueOf(v);
        throw error(path, "expected a text value, found " + describe(v));
    }

    private boolean bool(Object v, String path) {
        if (v instanceof Boolean bo) return bo;
        throw error(path, "expected true or false, found " + describe(v));
    }

    private long integer(Object v, String path, long min, long max) {
        long x;
        if (v instanceof Integer || v instanceof Long || v instanceof Short) x = ((Number) v).longValue();
        else if (v instanceof BigInteger) throw error(path, v + " is too large");
        else if (v instanceof String s) {
            try {
                x = Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                throw error(path, "'" + s + "' is not an integer");
            }
        } else throw error(path, "expected an integer, found " + describe(v));
        if (x < min || x > max) {
            throw error(path, x + " is out of range (" + min + (max >= Long.MAX_VALUE / 4 || max == Integer.MAX_VALUE ? " or more" : "-" + max) + ")");
        }
        return x;
    }

    private static String describe(Object v) {
        if (v == null) return "nothing";
        if (v instanceof Map) return "a mapping";
        if (v instanceof List) return "a list";
        return "'" + v + "'";
    }

    private Object require(Map<?, ?> m, String key, String path) {
        Object v = m.get(key);
        if (v == null) throw error(path.isEmpty() ? key : path + "." + key, "is required");
        return v;
    }

    private void keys(Map<?, ?> m, Set<String> known, String path) {
        for (Object k : m.keySet()) {
            if (!(k instanceof String s) || !known.contains(s)) {
                throw error(path.isEmpty() ? String.valueOf(k) : path + "." + k, "unknown key (known: "
                        + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    private ClusterFileException error(String path, String reason) {
        return new ClusterFileException(source, path, reason);
    }
}
