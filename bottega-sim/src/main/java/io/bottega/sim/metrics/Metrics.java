package io.bottega.sim.metrics;

import io.bottega.core.model.Cluster;
import io.bottega.sim.JobResult;
import io.bottega.sim.SimulationResult;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The figures of one replay.
 *
 * <ul>
 *   <li>{@code makespan} = last end − first submit (0 without jobs);</li>
 *   <li>{@code utilization} = Σ(run × cores) / (cores of the machine × makespan) — on an SWF machine, cores are
 *       its processors, so this is the spec's Σ(run × processors) / (processors × (last end − first submit));
 *       {@code gpuUtilization} the same with GPUs (NaN on a machine without GPUs);</li>
 *   <li>wait = start − submit: mean, median (the mean of the two middle values for an even count), p95
 *       (nearest rank: the ⌈0.95·n⌉-th smallest), max;</li>
 *   <li>bounded slowdown = max(1, (wait + run) / max(run, τ)), τ = 10 s, with run the time actually run: mean and p95;</li>
 *   <li>energy: see {@link Energy} — idle power of all nodes over the makespan plus each job's dynamic energy;</li>
 *   <li>per user: jobs, mean wait, core-seconds and GPU-seconds and their shares of the total (largest GPU, then
 *       core usage first);</li>
 *   <li>{@code simSeconds}: wall time of the event loop; {@code jobsPerSecond} = jobs / simSeconds.</li>
 * </ul>
 */
public record Metrics(String policy, String cluster, String trace, int jobs, long machineCores, long machineGpus,
                      long firstSubmit, long lastEnd, long makespan, double utilization, double gpuUtilization,
                      double waitMean, double waitMedian, long waitP95, long waitMax,
                      double boundedSlowdownMean, double boundedSlowdownP95,
                      double idleEnergyJoules, double dynamicEnergyJoules, double simSeconds, int passes,
                      int timeouts, List<UserStats> users) {
    public static final double TAU = 10.0;

    public Metrics {
        users = List.copyOf(users);
    }

    /** One user's share. */
    public record UserStats(String user, int jobs, double waitMean, double coreSeconds, double gpuSeconds,
                            double coreShare, double gpuShare) {}

    public double energyJoules() { return idleEnergyJoules + dynamicEnergyJoules; }

    public double energyKwh() { return energyJoules() / 3.6e6; }

    public double jobsPerSecond() { return simSeconds > 0 ? jobs / simSeconds : Double.NaN; }

    public static Metrics of(SimulationResult r, String trace) {
        Cluster c = r.cluster();
        List<JobResult> js = r.jobs();
        int n = js.size();
        long first = Long.MAX_VALUE, last = Long.MIN_VALUE;
        double coreSec = 0, gpuSec = 0, dyn = 0, waitSum = 0, bsldSum = 0;
        long[] waits = new long[n];
        double[] bslds = new double[n];
        int timeouts = 0;
        Map<String, double[]> perUser = new HashMap<>();
        List<String> userOrder = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            JobResult j = js.get(i);
            first = Math.min(first, j.submit());
            last = Math.max(last, j.end());
            long run = j.runTime();
            coreSec += (double) run * j.cores();
            gpuSec += (double) run * j.gpus();
            dyn += j.energyJoules();
            waits[i] = j.waitTime();
            waitSum += j.waitTime();
            bslds[i] = j.boundedSlowdown();
            bsldSum += bslds[i];
            if (j.state() == io.bottega.core.model.JobState.TIMEOUT) timeouts++;
            double[] u = perUser.get(j.user());
            if (u == null) {
                u = new double[4];
                perUser.put(j.user(), u);
                userOrder.add(j.user());
            }
            u[0]++;
            u[1] += j.waitTime();
            u[2] += (double) run * j.cores();
            u[3] += (double) run * j.gpus();
        }
        long makespan = n == 0 ? 0 : last - first;
        if (n == 0) {
            first = 0;
            last = 0;
        }
        double util = makespan > 0 && c.totalCores() > 0 ? coreSec / ((double) c.totalCores() * makespan) : 0;
        double gutil = c.totalGpus() == 0 ? Double.NaN : makespan > 0 ? gpuSec / ((double) c.totalGpus() * makespan) : 0;
        Arrays.sort(waits);
        Arrays.sort(bslds);
        List<UserStats> users = new ArrayList<>(userOrder.size());
        for (String name : userOrder) {
            double[] u = perUser.get(name);
            users.add(new UserStats(name, (int) u[0], u[1] / u[0], u[2], u[3], coreSec > 0 ? u[2] / coreSec : 0,
                    gpuSec > 0 ? u[3] / gpuSec : 0));
        }
        users.sort(java.util.Comparator.comparingDouble(UserStats::gpuSeconds).reversed()
                .thenComparing(java.util.Comparator.comparingDouble(UserStats::coreSeconds).reversed())
                .thenComparing(UserStats::user));
        return new Metrics(r.policy(), c.name(), trace, n, c.totalCores(), c.totalGpus(), first, last, makespan, util, gutil,
                n == 0 ? 0 : waitSum / n, median(waits), nearestRank(waits, 0.95), n == 0 ? 0 : waits[n - 1],
                n == 0 ? 0 : bsldSum / n, nearestRank(bslds, 0.95), Energy.idleWatts(c) * makespan, dyn, r.simNanos() / 1e9,
                r.passes(), timeouts, users);
    }

    /** The mean of the two middle values for an even count, the middle one for an odd count, 0 for none. */
    public static double median(long[] sorted) {
        int n = sorted.length;
        if (n == 0) return 0;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }

    /** The ⌈q·n⌉-th smallest (1-based), 0 for none. */
    public static long nearestRank(long[] sorted, double q) {
        if (sorted.length == 0) return 0;
        return sorted[rank(sorted.length, q)];
    }

    public static double nearestRank(double[] sorted, double q) {
        if (sorted.length == 0) return 0;
        return sorted[rank(sorted.length, q)];
    }

    private static int rank(int n, double q) {
        int k = (int) Math.ceil(q * n - 1e-9);
        return Math.min(n - 1, Math.max(0, k - 1));
    }
}
