package io.bottega.server.dashboard;

import io.bottega.server.accounting.AccountBook;
import io.bottega.server.store.UsageRow;

import io.bottega.core.model.JobState;
import io.bottega.server.loop.ControllerLoop.JobBrief;
import io.bottega.server.store.JobQuery;
import io.bottega.server.store.JobRow;
import io.bottega.server.store.Store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Per-project (account) usage: GPU-hours and core-hours of running jobs (so far) and of finished jobs (from
 * the store, for jobs that ended in the window). Budgets are not known yet: {@code budgetGpuHours} stays
 * null until accounting fills it, and the dashboard shows "no budget set".
 */
public final class Usage {
    /**
     * One account's figures. Hours are allocated resource × wall time; {@code energyKwh} is what its finished runs
     * were charged in the window (node power model); {@code budgetHours}, {@code budgetUsedPercent}: its budget of
     * billed hours for the allocation period and how much of it is used (null without a budget).
     */
    public record Row(String account, int jobsRunning, int jobsFinished, double gpuHoursRunning, double gpuHoursFinished,
                      double coreHoursRunning, double coreHoursFinished, double energyKwh, Double budgetHours,
                      Double budgetUsedPercent) {
        public double gpuHours() { return gpuHoursRunning + gpuHoursFinished; }
        public double coreHours() { return coreHoursRunning + coreHoursFinished; }
    }

    private record Finished(long computedMillis, Map<String, double[]> byAccount) {}

    private static final long CACHE_MILLIS = 30_000;
    private static final List<String> FINAL_STATES = java.util.Arrays.stream(JobState.values()).filter(JobState::isFinal)
            .map(Enum::name).toList();

    private final Store store;
    private final LongSupplier clockMillis;
    private final Map<String, Finished> cache = new ConcurrentHashMap<>();

    public Usage(Store store, LongSupplier clockMillis) {
        this.store = store;
        this.clockMillis = clockMillis;
    }

    /**
     * The usage of jobs that ended after {@code sinceSeconds} (0: all time) plus running jobs; only {@code user}'s
     * jobs when not null.
     */
    public List<Row> report(List<JobBrief> active, long sinceSeconds, String user) {
        return report(active, sinceSeconds, user, List.of());
    }

    /** The same, with the accounts' budgets (from the account book) on their rows. */
    public List<Row> report(List<JobBrief> active, long sinceSeconds, String user, List<AccountBook.Budget> budgets) {
        long nowMillis = clockMillis.getAsLong();
        long now = nowMillis / 1000;
        String key = sinceSeconds / 60 + "|" + (user == null ? "*" : user);
        Finished f = cache.get(key);
        if (f == null || nowMillis - f.computedMillis() > CACHE_MILLIS) {
            f = new Finished(nowMillis, finished(sinceSeconds, user));
            cache.put(key, f);
            if (cache.size() > 64) cache.keySet().removeIf(k -> !k.equals(key));
        }
        Map<String, double[]> acc = new TreeMap<>();
        f.byAccount().forEach((a, v) -> acc.put(a, new double[] {0, v[1], 0, v[3], 0, v[5], v[6]}));
        for (JobBrief j : active) {
            JobRow r = j.row();
            if (!r.state().equals("RUNNING") || r.startTime() <= 0) continue;
            if (user != null && !user.equals(r.user())) continue;
            double hours = Math.max(0, now - Math.max(r.startTime(), sinceSeconds)) / 3600.0;
            double[] v = acc.computeIfAbsent(account(r), a -> new double[7]);
            v[0] += 1;
            v[2] += j.gpus() * hours;
            v[4] += j.cpus() * hours;
        }
        Map<String, AccountBook.Budget> byName = new java.util.HashMap<>();
        for (AccountBook.Budget b : budgets) byName.put(b.account(), b);
        List<Row> out = new ArrayList<>();
        acc.forEach((a, v) -> {
            AccountBook.Budget b = byName.get(a);
            boolean has = b != null && b.budgetHours() > 0;
            out.add(new Row(a, (int) v[0], (int) v[1], v[2], v[3], v[4], v[5], v[6], has ? b.budgetHours() : null,
                    has ? b.percent() : null));
        });
        return out;
    }

    private Map<String, double[]> finished(long since, String user) {
        List<JobRow> rows = store.queryJobs(new JobQuery(List.of(), user == null ? List.of() : List.of(user), List.of(), FINAL_STATES,
                List.of(), since, 0, 0));
        Map<String, double[]> acc = new TreeMap<>();
        for (JobRow r : rows) {
            if (r.startTime() <= 0 || r.endTime() <= r.startTime() || r.allocationJson().isEmpty()) {
                acc.computeIfAbsent(account(r), a -> new double[7])[1] += 1;
                continue;
            }
            double hours = (r.endTime() - Math.max(r.startTime(), since)) / 3600.0;
            if (hours < 0) hours = 0;
            long[] cg = coresAndGpus(r.allocationJson());
            double[] v = acc.computeIfAbsent(account(r), a -> new double[7]);
            v[1] += 1;
            v[3] += cg[1] * hours;
            v[5] += cg[0] * hours;
        }
        for (UsageRow u : store.usageSince(since)) {
            if (user != null && !user.equals(u.user())) continue;
            acc.computeIfAbsent(u.account().isEmpty() ? "(none)" : u.account(), a -> new double[7])[6] += u.energyJoules() / 3.6e6;
        }
        return acc;
    }

    private static String account(JobRow r) { return r.account().isEmpty() ? "(none)" : r.account(); }

    /**
     * Cores and GPUs of an allocation as {@code AllocationCodec} writes it ({@code "cpus":N} per node and
     * {@code "gpus":[...]}), counted without building a tree: this runs over every finished job.
     */
    static long[] coresAndGpus(String json) {
        long cores = 0;
        long gpus = 0;
        int i = 0;
        while (true) {
            int c = json.indexOf("\"cpus\":", i);
            int g = json.indexOf("\"gpus\":[", i);
            if (c < 0 && g < 0) break;
            if (c >= 0 && (g < 0 || c < g)) {
                int k = c + 7;
                long n = 0;
                while (k < json.length() && Character.isDigit(json.charAt(k))) n = n * 10 + (json.charAt(k++) - '0');
                cores += n;
                i = k;
            } else {
                int k = g + 8;
                int end = json.indexOf(']', k);
                if (end < 0) break;
                boolean any = false;
                for (int x = k; x < end; x++) {
                    char ch = json.charAt(x);
                    if (ch == ',') gpus++;
                    else if (Character.isDigit(ch)) any = true;
                }
                if (any) gpus++;
                i = end + 1;
            }
        }
        return new long[] {cores, gpus};
    }
}
