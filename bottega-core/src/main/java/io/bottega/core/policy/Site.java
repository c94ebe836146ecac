package io.bottega.core.policy;

import java.util.List;
import java.util.Map;

/**
 * A site's accounting and policy configuration: its {@link Policies} (QOS, billing, priority weights), the
 * account tree with shares and budgets, the fair-share half-life, and the allocation period budgets refer to.
 */
public record Site(Policies policies, List<Account> accounts, long fairShareHalfLife, Period period) {
    public static final Site NONE = new Site(Policies.NONE, List.of(), 7 * 86400, Period.MONTH);

    /** What a budget is counted over: calendar months, quarters or years (UTC), or the whole life of the site. */
    public enum Period { MONTH, QUARTER, YEAR, TOTAL }

    /**
     * One account (organisation or project) of the tree.
     *
     * @param parent      "root" for a top-level account
     * @param budgetHours billed hours (core-hours) the account may use per period; 0 for no budget
     * @param users       the users who may charge the account, with their shares
     */
    public record Account(String name, String parent, double shares, double budgetHours, Map<String, Double> users) {
        public Account {
            if (name == null || name.isBlank()) throw new IllegalArgumentException("account name must not be blank");
            parent = parent == null || parent.isBlank() ? "root" : parent;
            if (shares < 0) throw new IllegalArgumentException("account " + name + ": shares must not be negative");
            if (budgetHours < 0) throw new IllegalArgumentException("account " + name + ": budget must not be negative");
            users = users == null ? Map.of() : Map.copyOf(users);
        }
    }

    public Site {
        if (policies == null) policies = Policies.NONE;
        accounts = accounts == null ? List.of() : List.copyOf(accounts);
        if (fairShareHalfLife <= 0) throw new IllegalArgumentException("fair-share half-life must be positive");
        if (period == null) period = Period.MONTH;
    }

    /** The fair-share tree of this site's accounts and users, without usage yet. */
    public FairShare newFairShareTree() {
        FairShare fs = new FairShare(fairShareHalfLife);
        for (Account a : accounts) fs.account(a.name(), a.parent(), a.shares());
        for (Account a : accounts) a.users().forEach((u, s) -> fs.user(u, a.name(), s));
        return fs;
    }

    public java.util.Optional<Account> account(String name) {
        return accounts.stream().filter(a -> a.name().equals(name)).findFirst();
    }

    /** The accounts a user belongs to, in declaration order. */
    public List<String> accountsOf(String user) {
        return accounts.stream().filter(a -> a.users().containsKey(user)).map(Account::name).toList();
    }
}
