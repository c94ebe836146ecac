package io.bottega.sim;

import io.bottega.core.model.Allocation;
import io.bottega.core.model.Cluster;
import io.bottega.core.model.Demand;
import io.bottega.core.model.Hostlist;
import io.bottega.core.model.JobSpec;
import io.bottega.core.model.JobState;
import io.bottega.core.model.PowerModel;
import io.bottega.core.model.Verdict;
import io.bottega.core.policy.FairShare;
import io.bottega.core.policy.Policies;
import io.bottega.core.sched.Decision;
import io.bottega.core.sched.PendingJob;
import io.bottega.core.sched.Plan;
import io.bottega.core.sched.PendingQueue;
import io.bottega.core.sched.ResourceLedger;
import io.bottega.core.sched.Scheduler;
import io.bottega.core.sched.SchedulerConfig;
import io.bottega.core.util.LongIntMap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The discrete-event replay of a workload on a cluster, driven by the same {@link Scheduler} as the
 * controller. Events are job submissions, job ends and, under conservative backfilling, the instants at
 * which a reservation comes due. At one instant all ends are applied first, then all submissions, then
 * one scheduling pass (see {@code docs/simulator.md} and {@code specs/swf-replay.md}). A job holds its
 * resources for {@code min(run time, time limit)}: it is killed at its limit.
 */
public final class Simulator {

    /**
     * A replay with the details an independent check needs: each job's allocation (down to GPU indices and
     * core ids) and the first reservation it was given (absent when it never had one).
     */
    public record Replay(SimulationResult result, Map<Long, Allocation> allocations, Map<Long, Long> firstReservation) {}

    private Simulator() {}

    public static SimulationResult run(Cluster cluster, Workload workload, SchedulerConfig config, ProgressListener progress) {
        return replay(cluster, workload, config, progress, false).result();
    }

    public static SimulationResult run(Cluster cluster, Workload workload, SchedulerConfig config, SimOptions options,
                                       ProgressListener progress) {
        return replay(cluster, workload, config, options, progress, false).result();
    }

    /** Runs the replay; with {@code keepDetail}, keeps every allocation and first reservation (memory!). */
    public static Replay replay(Cluster cluster, Workload workload, SchedulerConfig config, ProgressListener progress,
                                boolean keepDetail) {
        return replay(cluster, workload, config, SimOptions.DEFAULT, progress, keepDetail);
    }

    /**
     * Runs the replay with site policies: under multifactor priority the queue is ordered by priority, recalculated
     * every {@code recalcSeconds}, with fair share from a tree of the workload's accounts and users (equal shares)
     * whose usage is charged when a job ends (billed units × seconds run); preempted jobs end at once, and are
     * requeued (to run again from the start) or end PREEMPTED.
     */
    public static Replay replay(Cluster cluster, Workload workload, SchedulerConfig requested, SimOptions options,
                                ProgressListener progress, boolean keepDetail) {
        SchedulerConfig config = options.multifactor() ? new SchedulerConfig(requested.backfill(), SchedulerConfig.Order.PRIORITY)
                : requested;
        List<SimJob> jobs = inSubmitOrder(workload.jobs());
        int n = jobs.size();
        Demand.Resolver resolver = new Demand.Resolver(cluster);
        Demand[] demands = new Demand[n];
        JobIndex indexOf = JobIndex.of(jobs);
        for (int i = 0; i < n; i++) {
            JobSpec spec = jobs.get(i).spec();
            if (indexOf.get(spec.id(), -1) != i) {
                throw new IllegalArgumentException("job id " + spec.id() + " appears twice in " + workload.name());
            }
            Verdict v = resolver.resolve(spec);
            if (v instanceof Verdict.Rejected r) {
                throw new IllegalArgumentException("job " + spec.id() + " can never run on " + cluster.name() + ": "
                        + r.message());
            }
            demands[i] = ((Verdict.Fits) v).demand();
        }

        long[] start = new long[n];
        long[] end = new long[n];
        Arrays.fill(start, -1);
        Allocation[] allocations = new Allocation[n];
        int[][] nodeIds = new int[n][];
        int[] nodeCount = new int[n];
        int[] taskCount = new int[n];
        long[] coreCount = new long[n];
        int[] gpuCount = new int[n];
        long[] memCount = new long[n];
        double[] energy = new double[n];
        Map<Long, Long> firstReservation = keepDetail ? new HashMap<>() : Map.of();
        boolean conservative = config.backfill() == SchedulerConfig.Backfill.CONSERVATIVE;

        ResourceLedger ledger = new ResourceLedger(cluster);
        Scheduler scheduler = new Scheduler(cluster, config, options.policies());
        Policies policies = options.policies();
        FairShare fairShare = new FairShare(options.fairShareHalfLife());
        Map<String, Double> factors = Map.of();
        long nextRecalc = Long.MIN_VALUE;
        int[] preempted = new int[n];
        boolean[] holding = new boolean[n];
        EventHeap ends = new EventHeap(Math.max(16, n));
        EventHeap wakeups = new EventHeap(16);
        PendingQueue pending = new PendingQueue(config.order());
        Timeline timeline = new Timeline(Math.max(16, 2 * n));
        long busyCores = 0, busyGpus = 0;
        int running = 0;
        int passes = 0;
        int next = 0;
        long done = 0;
        long lastProgress = 0;

        PowerModel[] power = powerByNode(cluster);
        long t0 = System.nanoTime();
        while (next < n || !ends.isEmpty() || (!wakeups.isEmpty() && !pending.isEmpty())) {
            long now = Long.MAX_VALUE;
            if (next < n) now = jobs.get(next).spec().submitTime();
            if (!ends.isEmpty()) now = Math.min(now, ends.peekTime());
            if (!wakeups.isEmpty()) now = Math.min(now, wakeups.peekTime());
            while (!wakeups.isEmpty() && wakeups.peekTime() <= now) wakeups.pop();
            // 1. every job end at this instant
            while (!ends.isEmpty() && ends.peekTime() == now) {
                int i = ends.pop();
                if (!holding[i] || end[i] != now) continue; // an end that preemption cancelled
                holding[i] = false;
                ledger.release(jobs.get(i).id());
                if (options.multifactor()) {
                    JobSpec sp = jobs.get(i).spec();
                    fairShare.addUsage(sp.user(), sp.account(), policies.billingOf(cluster.partitions().get(demands[i].partition()).name())
                            .charge(coreCount[i], gpuCount[i], memCount[i], now - start[i]), now);
                }
                busyCores -= coreCount[i];
                busyGpus -= gpuCount[i];
                running--;
                done++;
            }
            // 2. every submission at this instant
            if (options.multifactor() && now >= nextRecalc) {
                nextRecalc = now + options.recalcSeconds();
                factors = fairShare.factorsByUser(now);
                final Map<String, Double> f = factors;
                final long at = now;
                pending.reprioritize(p -> priority(cluster, policies, p.spec(), p.demand(), f, at));
            }
            while (next < n && jobs.get(next).spec().submitTime() == now) {
                PendingJob pj = PendingJob.of(jobs.get(next).spec(), demands[next]);
                if (options.multifactor()) pj = pj.withPriority(priority(cluster, policies, pj.spec(), pj.demand(), factors, now));
                pending.add(pj);
                next++;
            }
            // 3. one pass
            if (!pending.isEmpty()) {
                Plan plan = scheduler.schedule(now, ledger, pending, Scheduler.Options.DECISIONS_ONLY);
                if (keepDetail) recordFirst(plan, firstReservation);
                passes++;
                List<Decision.Start> started = plan.starts();
                for (int k = 0; k < started.size(); k++) {
                    Decision.Start s = started.get(k);
                    int i = indexOf.get(s.jobId(), -1);
                    Allocation a = s.allocation();
                    start[i] = now;
                    holding[i] = true;
                    long run = jobs.get(i).effectiveRunTime();
                    end[i] = now + run;
                    ends.push(end[i], i);
                    nodeCount[i] = a.nodeCount();
                    taskCount[i] = a.totalTasks();
                    coreCount[i] = a.totalCores();
                    gpuCount[i] = a.totalGpus();
                    memCount[i] = a.totalMemMb();
                    energy[i] = power == null ? 0 : dynamicEnergy(power, cluster, a, run);
                    if (keepDetail) allocations[i] = a;
                    else nodeIds[i] = a.nodes();
                    busyCores += coreCount[i];
                    busyGpus += gpuCount[i];
                    running++;
                }
                if (conservative) {
                    for (Decision.Reserve r : plan.reservations()) wakeups.push(r.reservation().start(), 0);
                }
                if (!plan.preemptions().isEmpty()) for (Decision.Preempt pre : plan.preemptions()) {
                    int i = indexOf.get(pre.jobId(), -1);
                    ledger.release(pre.jobId());
                    holding[i] = false;
                    busyCores -= coreCount[i];
                    busyGpus -= gpuCount[i];
                    running--;
                    preempted[i]++;
                    end[i] = now; // the end pushed for its run is ignored
                    if (pre.requeue()) {
                        start[i] = -1;
                        pending.add(PendingJob.of(jobs.get(i).spec(), demands[i]));
                    } else {
                        done++;
                    }
                    wakeups.push(now + 1, 0);
                }
            }
            timeline.add(now, busyCores, busyGpus, running, pending.size());
            if (done - lastProgress >= 8192 || (next == n && ends.isEmpty())) {
                lastProgress = done;
                progress.progress(done, n, now);
            }
        }
        long simNanos = System.nanoTime() - t0;

        List<JobResult> results = new ArrayList<>(n);
        Integer[] byId = new Integer[n];
        for (int i = 0; i < n; i++) byId[i] = i;
        Arrays.sort(byId, (a, b) -> Long.compare(jobs.get(a).id(), jobs.get(b).id()));
        for (int i : byId) {
            SimJob j = jobs.get(i);
            JobSpec s = j.spec();
            String partition = s.partition().isEmpty() ? cluster.partitions().get(demands[i].partition()).name() : s.partition();
            JobState state = preempted[i] > 0 && start[i] >= 0 && end[i] - start[i] < j.effectiveRunTime() ? JobState.PREEMPTED
                    : j.runTime() > s.timeLimit() ? JobState.TIMEOUT : JobState.COMPLETED;
            String nodeList = keepDetail ? nodeList(cluster, allocations[i]) : nodeList(cluster, nodeIds[i]);
            results.add(new JobResult(s.id(), s.user(), s.account(), partition, s.submitTime(), start[i], end[i],
                    s.timeLimit(), nodeCount[i], taskCount[i], coreCount[i], gpuCount[i], memCount[i], nodeList, state,
                    energy[i]));
        }
        Map<Long, Allocation> allocs = new HashMap<>();
        if (keepDetail) for (int i = 0; i < n; i++) allocs.put(jobs.get(i).id(), allocations[i]);
        String label = config.backfill().label() + (options.multifactor() ? "+multifactor" : "");
        SimulationResult result = new SimulationResult(label, cluster, results, timeline.points(), simNanos, passes);
        return new Replay(result, allocs, firstReservation);
    }

    private static long priority(Cluster c, Policies policies, JobSpec spec, Demand d, Map<String, Double> factors, long now) {
        double f = factors.getOrDefault(spec.account() + "/" + spec.user(), 1.0);
        return policies.priority(c, spec, d, spec.submitTime(), f, now).priority();
    }

    private static List<SimJob> inSubmitOrder(List<SimJob> jobs) {
        for (int i = 1; i < jobs.size(); i++) {
            JobSpec a = jobs.get(i - 1).spec(), b = jobs.get(i).spec();
            if (a.submitTime() > b.submitTime() || (a.submitTime() == b.submitTime() && a.id() > b.id())) {
                List<SimJob> sorted = new ArrayList<>(jobs);
                sorted.sort((x, y) -> x.spec().submitTime() != y.spec().submitTime()
                        ? Long.compare(x.spec().submitTime(), y.spec().submitTime())
                        : Long.compare(x.id(), y.id()));
                return sorted;
            }
        }
        return jobs;
    }

    private static void recordFirst(Plan plan, Map<Long, Long> firstReservation) {
        for (Decision.Reserve r : plan.reservations()) firstReservation.putIfAbsent(r.jobId(), r.reservation().start());
    }

    /** Each node's power model, or null when no node has one (every job's dynamic energy is then 0). */
    private static PowerModel[] powerByNode(Cluster c) {
        PowerModel[] power = new PowerModel[c.nodeCount()];
        boolean any = false;
        for (int node = 0; node < power.length; node++) {
            power[node] = c.node(node).power();
            any |= !power[node].equals(PowerModel.NONE);
        }
        return any ? power : null;
    }

    private static double dynamicEnergy(PowerModel[] power, Cluster c, Allocation a, long run) {
        double watts = 0;
        for (int i = 0; i < a.nodeCount(); i++) {
            int node = a.node(i);
            watts += power[node].dynamicWatts(a.cores(i), c.cores(node), a.gpus(i));
        }
        return watts * run;
    }

    static String nodeList(Cluster c, Allocation a) {
        return a == null ? "" : nodeList(c, a.nodes());
    }

    static String nodeList(Cluster c, int[] ids) {
        if (ids == null) return "";
        List<String> names = new ArrayList<>(ids.length);
        for (int id : ids) names.add(c.nodeName(id));
        return Hostlist.compress(names);
    }

    /**
     * Job id → index in submit order: a plain array over the ids' range when they are dense enough (trace job
     * numbers usually run 1..n), else a hash map. The array keeps the lookups of neighbouring ids in the same cache
     * lines.
     */
    static final class JobIndex {
        private final long minId;
        private final int[] dense;
        private final LongIntMap sparse;

        private JobIndex(long minId, int[] dense, LongIntMap sparse) {
            this.minId = minId;
            this.dense = dense;
            this.sparse = sparse;
        }

        /** The index of each job's id; of an id that appears twice, the later index. */
        static JobIndex of(List<SimJob> jobs) {
            int n = jobs.size();
            long min = Long.MAX_VALUE, max = Long.MIN_VALUE;
            for (SimJob j : jobs) {
                min = Math.min(min, j.id());
                max = Math.max(max, j.id());
            }
            if (n > 0 && max - min >= 0 && max - min < 4L * n + 1024) {
                int[] dense = new int[(int) (max - min + 1)];
                Arrays.fill(dense, -1);
                for (int i = 0; i < n; i++) dense[(int) (jobs.get(i).id() - min)] = i;
                return new JobIndex(min, dense, null);
            }
            LongIntMap map = new LongIntMap(n);
            for (int i = 0; i < n; i++) map.put(jobs.get(i).id(), i);
            return new JobIndex(0, null, map);
        }

        int get(long id, int missing) {
            if (dense == null) return sparse.get(id, missing);
            long k = id - minId;
            return k >= 0 && k < dense.length && dense[(int) k] >= 0 ? dense[(int) k] : missing;
        }
    }

    /** The timeline in primitive arrays while the replay runs; points are made after the clock stops. */
    static final class Timeline {
        private long[] time;
        private long[] cores;
        private long[] gpus;
        private int[] running;
        private int[] queued;
        private int size;

        Timeline(int capacity) {
            time = new long[capacity];
            cores = new long[capacity];
            gpus = new long[capacity];
            running = new int[capacity];
            queued = new int[capacity];
        }

        void add(long t, long c, long g, int r, int q) {
            if (size == time.length) {
                int cap = size * 2;
                time = Arrays.copyOf(time, cap);
                cores = Arrays.copyOf(cores, cap);
                gpus = Arrays.copyOf(gpus, cap);
                running = Arrays.copyOf(running, cap);
                queued = Arrays.copyOf(queued, cap);
            }
            time[size] = t;
            cores[size] = c;
            gpus[size] = g;
            running[size] = r;
            queued[size] = q;
            size++;
        }

        List<SimulationResult.TimelinePoint> points() {
            List<SimulationResult.TimelinePoint> out = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                out.add(new SimulationResult.TimelinePoint(time[i], cores[i], gpus[i], running[i], queued[i]));
            }
            return out;
        }
    }

    /** A binary min-heap of (time, job index), ties broken by index. */
    static final class EventHeap {
        private long[] times;
        private int[] items;
        private int size;

        EventHeap(int capacity) {
            times = new long[capacity];
            items = new int[capacity];
        }

        boolean isEmpty() { return size == 0; }

        long peekTime() { return times[0]; }

        void push(long time, int item) {
            if (size == times.length) {
                times = Arrays.copyOf(times, size * 2);
                items = Arrays.copyOf(items, size * 2);
            }
            int i = size++;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (less(parent, time, item)) break;
                times[i] = times[parent];
                items[i] = items[parent];
                i = parent;
            }
            times[i] = time;
            items[i] = item;
        }

        int pop() {
            int top = items[0];
            size--;
            if (size > 0) {
                long t = times[size];
                int it = items[size];
                int i = 0;
                while (true) {
                    int l = 2 * i + 1;
                    if (l >= size) break;
                    int r = l + 1;
                    int c = r < size && (times[r] < times[l] || (times[r] == times[l] && items[r] < items[l])) ? r : l;
                    if (times[c] > t || (times[c] == t && items[c] >= it)) break;
                    times[i] = times[c];
                    items[i] = items[c];
                    i = c;
                }
                times[i] = t;
                items[i] = it;
            }
            return top;
        }

        private boolean less(int idx, long time, int item) {
            return times[idx] < time || (times[idx] == time && items[idx] <= item);
        }
    }
}
