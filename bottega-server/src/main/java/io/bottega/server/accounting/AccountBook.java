package io.bottega.server.accounting;

import io.bottega.core.model.Allocation;
import io.bottega.core.model.Cluster;
import io.bottega.core.model.Demand;
import io.bottega.core.model.JobSpec;
import io.bottega.core.policy.FairShare;
import io.bottega.core.policy.Policies;
import io.bottega.core.policy.PriorityFactors;
import io.bottega.core.policy.Site;
import io.bottega.server.store.UsageRow;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The controller's accounting: what each job run costs (billed units, core- and GPU-seconds, energy), each
 * account's use of its budget in the current allocation period, the fair-share tree fed by that usage, the
 * multifactor priority of pending jobs, and the submit-time checks of QOS and accounts. Owned by the
 * controller's loop thread.
 */
public final class AccountBook {
    private final Site site;
    private final Cluster cluster;
    private final Policies policies;
    private final FairShare fairShare;
    private final Admission admission;
    /** Billed units by account in the current period, and the period they belong to. */
    private final Map<String, Double> periodUsage = new HashMap<>();
    private final Map<String, Double> totalUsage = new HashMap<>();
    private final Map<String, Double> energyByAccount = new HashMap<>();
    private String currentPeriod = "";
    private Map<String, Double> factors = Map.of();
    private long factorsAt = Long.MIN_VALUE;

    public AccountBook(Site site, Cluster cluster) {
        this.site = site;
        this.cluster = cluster;
        this.policies = site.policies();
        this.fairShare = site.newFairShareTree();
        this.admission = new Admission(site);
    }

    public Site site() { return site; }

    public Policies policies() { return policies; }

    /** Whether some account has a budget (then the scheduler checks what each may still commit). */
    public boolean budgetsDeclared() { return site.accounts().stream().anyMatch(a -> a.budgetHours() > 0); }

    /** Whether the site declares accounts (then a job must charge one its user belongs to). */
    public boolean accountsDeclared() { return !site.accounts().isEmpty(); }

    /** Replays stored usage (oldest first) into the fair-share tree and the period totals. */
    public void load(List<UsageRow> rows, long now) {
        currentPeriod = periodOf(now);
        for (UsageRow r : rows) record(r);
    }

    /** The allocation period an instant belongs to: {@code 2026-11}, {@code 2026-Q4}, {@code 2026} or {@code total}. */
    public String periodOf(long epochSeconds) {
        ZonedDateTime t = Instant.ofEpochSecond(epochSeconds).atZone(ZoneOffset.UTC);
        return switch (site.period()) {
            case MONTH -> String.format("%04d-%02d", t.getYear(), t.getMonthValue());
            case QUARTER -> t.getYear() + "-Q" + ((t.getMonthValue() - 1) / 3 + 1);
            case YEAR -> Integer.toString(t.getYear());
            case TOTAL -> "total";
        };
    }

    /** The start of the period that contains {@code epochSeconds}. */
    public long periodStart(long epochSeconds) {
        ZonedDateTime t = Instant.ofEpochSecond(epochSeconds).atZone(ZoneOffset.UTC);
        ZonedDateTime s = switch (site.period()) {
            case MONTH -> t.withDayOfMonth(1);
            case QUARTER -> t.withMonth(((t.getMonthValue() - 1) / 3) * 3 + 1).withDayOfMonth(1);
            case YEAR -> t.withDayOfYear(1);
            case TOTAL -> t.withYear(1970).withDayOfYear(1);
        };
        return s.toLocalDate().atStartOfDay(ZoneOffset.UTC).toEpochSecond();
    }

    // ------------------------------------------------------------------ submit-time checks

    /** The account a job charges: the one it names, else its user's first account (else none). */
    public String accountFor(String user, String requested) { return admission.accountFor(user, requested); }

    /** Why a request can never run here, or empty (see {@link Admission#refusal}). */
    public Optional<String> refusal(JobSpec spec, Demand d, boolean operator) { return admission.refusal(spec, d, operator); }

    /** A warning for a job accepted while its account has spent its budget (it will wait, AssocGrpBillingMinutes). */
    public Optional<String> budgetWarning(String account, long now) {
        Optional<Site.Account> a = site.account(account);
        if (a.isEmpty() || a.get().budgetHours() <= 0) return Optional.empty();
        rollPeriod(now);
        double used = periodUsage.getOrDefault(account, 0.0) / 3600;
        if (used < a.get().budgetHours()) return Optional.empty();
        return Optional.of(String.format(java.util.Locale.ROOT, "account %s has used %.0f of its %.0f billed hours for %s: "
                + "the job is queued but will not start until the budget is raised or the next period (AssocGrpBillingMinutes)",
                account, used, a.get().budgetHours(), currentPeriod));
    }

    // ------------------------------------------------------------------ charging

    /** What a run costs; records it in the period totals and the fair-share tree. */
    public UsageRow charge(JobSpec spec, Demand d, Allocation a, long start, long end) {
        long seconds = Math.max(0, end - start);
        String partition = cluster.partitions().get(d.partition()).name();
        double billed = policies.billingOf(partition).charge(a.totalCores(), a.totalGpus(), a.totalMemMb(), seconds)
                * policies.qosOf(spec.qos()).usageFactor();
        UsageRow row = new UsageRow(spec.id(), end, spec.account(), spec.user(), policies.qosOf(spec.qos()).name(), partition, periodOf(end),
                billed, (double) a.totalCores() * seconds, (double) a.totalGpus() * seconds, energyJoules(a, seconds));
        record(row);
        return row;
    }

    private void record(UsageRow r) {
        rollPeriod(r.endTime());
        if (r.period().equals(currentPeriod)) periodUsage.merge(r.account(), r.billed(), Double::sum);
        totalUsage.merge(r.account(), r.billed(), Double::sum);
        energyByAccount.merge(r.account(), r.energyJoules(), Double::sum);
        fairShare.addUsage(r.user(), r.account().isEmpty() ? "default" : r.account(), r.billed(), r.endTime());
        factorsAt = Long.MIN_VALUE;
    }

    private void rollPeriod(long now) {
        String p = periodOf(now);
        if (p.compareTo(currentPeriod) > 0) {
            currentPeriod = p;
            periodUsage.clear();
        }
    }

    /**
     * Energy of a run: on each of its nodes, the job's share of the node's idle draw (by cores) plus the draw of
     * its busy cores and GPUs, by the node's power model, times its run time.
     */
    public double energyJoules(Allocation a, long seconds) {
        double watts = 0;
        for (int i = 0; i < a.nodeCount(); i++) {
            int n = a.node(i);
            var p = cluster.node(n).power();
            watts += p.idleWatts() * a.cores(i) / cluster.cores(n) + p.dynamicWatts(a.cores(i), cluster.cores(n), a.gpus(i));
        }
        return watts * seconds;
    }

    /** A running job, as budgets count it: its spec, demand and start. */
    public record RunningJob(JobSpec spec, Demand demand, long start) {}

    /**
     * Billed units each budgeted account may still commit: budget for the period, less what finished runs used,
     * less what running jobs may still use up to their time limit. Accounts without a budget are absent.
     */
    public Map<String, Double> budgetLeft(long now, List<RunningJob> running) {
        rollPeriod(now);
        Map<String, Double> left = new LinkedHashMap<>();
        for (Site.Account a : site.accounts()) {
            if (a.budgetHours() > 0) left.put(a.name(), a.budgetHours() * 3600 - periodUsage.getOrDefault(a.name(), 0.0));
        }
        if (left.isEmpty()) return left;
        for (RunningJob r : running) {
            Double l = left.get(r.spec().account());
            if (l == null) continue;
            long remaining = Math.max(0, r.start() + r.demand().timeLimit() - now);
            left.put(r.spec().account(), l - policies.billingRate(cluster, r.spec(), r.demand()) * remaining);
        }
        return left;
    }

    // ------------------------------------------------------------------ priority and views

    /** Multifactor priority of a pending job (fair-share factors recomputed at most every {@code recalcSeconds}). */
    public PriorityFactors priority(JobSpec spec, Demand d, long eligibleSince, long now, long recalcSeconds) {
        if (now - factorsAt >= recalcSeconds) {
            factors = fairShare.factorsByUser(now);
            factorsAt = now;
        }
        double f = factors.getOrDefault((spec.account().isEmpty() ? "default" : spec.account()) + "/" + spec.user(), 1.0);
        return policies.priority(cluster, spec, d, eligibleSince, f, now);
    }

    public List<FairShare.Row> fairShare(long now) { return fairShare.snapshot(now); }

    public String explain(String user, String account, long now) {
        return fairShare.explain(user, account.isEmpty() ? accountFor(user, "") : account, now);
    }

    /** One line of {@code bottega budget}: an account's budget and what it has used, this period and in all. */
    public record Budget(String account, String parent, String period, double budgetHours, double usedHours, double percent,
                         double totalHours, double energyKwh, List<String> users) {}

    public List<Budget> budgets(long now) {
        rollPeriod(now);
        // an organisation's use is its projects' use: sums over each account's subtree
        Map<String, Double> period = new HashMap<>(periodUsage), total = new HashMap<>(totalUsage), energy = new HashMap<>(energyByAccount);
        for (Site.Account a : site.accounts()) {
            String parent = a.parent();
            java.util.Set<String> seen = new java.util.HashSet<>();
            while (!parent.equals("root") && seen.add(parent) && site.account(parent).isPresent()) {
                period.merge(parent, periodUsage.getOrDefault(a.name(), 0.0), Double::sum);
                total.merge(parent, totalUsage.getOrDefault(a.name(), 0.0), Double::sum);
                energy.merge(parent, energyByAccount.getOrDefault(a.name(), 0.0), Double::sum);
                parent = site.account(parent).get().parent();
            }
        }
        List<Budget> out = new ArrayList<>();
        for (Site.Account a : site.accounts()) {
            double used = period.getOrDefault(a.name(), 0.0) / 3600;
            double all = total.getOrDefault(a.name(), 0.0) / 3600;
            double pct = a.budgetHours() > 0 ? 100 * used / a.budgetHours() : 0;
            out.add(new Budget(a.name(), a.parent(), currentPeriod, a.budgetHours(), used, pct, all,
                    energy.getOrDefault(a.name(), 0.0) / 3.6e6, a.users().keySet().stream().sorted().toList()));
        }
        for (String acct : totalUsage.keySet()) {
            if (site.account(acct).isEmpty()) {
                out.add(new Budget(acct.isEmpty() ? "(none)" : acct, "root", currentPeriod, 0, periodUsage.getOrDefault(acct, 0.0) / 3600, 0,
                        totalUsage.get(acct) / 3600, energyByAccount.getOrDefault(acct, 0.0) / 3.6e6, List.of()));
            }
        }
        return out;
    }
}
