package io.bottega.core.sched;

import io.bottega.core.model.Allocation;
import io.bottega.core.model.Cluster;

import io.bottega.core.policy.AdvanceReservation;

import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The free resources of every node and the jobs that hold the rest, in primitive arrays indexed by node id.
 * Owned by one thread (the controller's scheduler thread, or the simulator); the {@link Scheduler} reads it
 * and leaves it as it found it. Keeps an index of nodes by free GPUs (GPU nodes) or free cores (CPU nodes)
 * so that a best-fit search looks at the fullest nodes first without walking every node.
 */
public final class ResourceLedger {

    /**
     * A job holding resources from {@code start} until at most {@code expectedEnd} (start + time limit), and whose
     * it is (user, account, QOS: what limits and preemption count).
     */
    public record Running(long jobId, Allocation allocation, long start, long expectedEnd, String user, String account, String qos) {
        public Running {
            user = user == null ? "" : user;
            account = account == null ? "" : account;
            qos = qos == null ? "" : qos;
        }
    }

    /** What one user or account holds in one QOS: running jobs, nodes and GPUs. */
    public record Usage(int jobs, int nodes, int gpus) {
        public static final Usage NONE = new Usage(0, 0, 0);
    }

    static final int CPU_KEYS = 257;
    private static final Comparator<Running> BY_END = (a, b) -> {
        int c = Long.compare(a.expectedEnd(), b.expectedEnd());
        return c != 0 ? c : Long.compare(a.jobId(), b.jobId());
    };

    private final Cluster cluster;
    private final int n;
    private final int words;
    final int[] freeCores;
    final long[] freeMem;
    final long[] freeGpus;
    final long[][] freeCoreIds;
    final long[] schedulable;
    final long[][] gpuBucket;
    final int[] gpuBucketCount;
    final long[][] cpuBucket;
    final int[] cpuBucketCount;
    private final int[] bucketKey;
    /** Which GPU / CPU buckets are non-empty, as bitmaps over bucket keys, for a quick next-bucket search. */
    final long[] gpuBucketsUsed;
    final long[] cpuBucketsUsed;
    long freeCoresTotal;
    long freeGpusTotal;
    private final TreeSet<Running> running = new TreeSet<>(BY_END);
    private final Map<Long, Running> byJob = new HashMap<>();
    private long version;
    private final Map<String, int[]> usage = new HashMap<>();
    private List<AdvanceReservation> reservations = List.of();
    private Map<String, Double> budgetLeft = Map.of();
    private final Set<Long> preempting = new HashSet<>();

    public ResourceLedger(Cluster cluster) {
        this.cluster = cluster;
        n = cluster.nodeCount();
        words = (n + 63) >> 6;
        freeCores = new int[n];
        freeMem = new long[n];
        freeGpus = new long[n];
        freeCoreIds = new long[n][];
        schedulable = new long[words];
        gpuBucket = new long[cluster.maxGpusPerNode() + 1][words];
        gpuBucketCount = new int[cluster.maxGpusPerNode() + 1];
        cpuBucket = new long[CPU_KEYS][];
        cpuBucketCount = new int[CPU_KEYS];
        bucketKey = new int[n];
        gpuBucketsUsed = new long[(gpuBucket.length + 63) >> 6];
        cpuBucketsUsed = new long[(CPU_KEYS + 63) >> 6];
        for (int i = 0; i < n; i++) {
            freeCoresTotal += cluster.cores(i);
            freeGpusTotal += cluster.gpus(i);
            freeCores[i] = cluster.cores(i);
            freeMem[i] = cluster.memoryMb(i);
            int g = cluster.gpus(i);
            freeGpus[i] = g == 64 ? -1L : (1L << g) - 1;
            if (cluster.coreBinding(i)) {
                long[] ids = new long[(cluster.cores(i) + 63) >> 6];
                for (int c = 0; c < cluster.cores(i); c++) ids[c >> 6] |= 1L << c;
                freeCoreIds[i] = ids;
            } else {
                freeCoreIds[i] = new long[0];
            }
            schedulable[i >> 6] |= 1L << i;
            bucketKey[i] = -1;
            index(i);
        }
    }

    public Cluster cluster() { return cluster; }
    public int freeCores(int node) { return freeCores[node]; }
    public long freeMemMb(int node) { return freeMem[node]; }
    public int freeGpus(int node) { return Long.bitCount(freeGpus[node]); }
    public long freeGpuMask(int node) { return freeGpus[node]; }
    public boolean isSchedulable(int node) { return (schedulable[node >> 6] & (1L << node)) != 0; }

    /** Counts every change; a cache keyed by it is valid while it stays the same. */
    public long version() { return version; }

    /** Running jobs by expected end, then job id. */
    public NavigableSet<Running> runningByEnd() { return Collections.unmodifiableNavigableSet(running); }

    public Collection<Running> running() { return Collections.unmodifiableCollection(byJob.values()); }

    public int runningCount() { return byJob.size(); }

    public Optional<Running> running(long jobId) { return Optional.ofNullable(byJob.get(jobId)); }

    /** Whether the node may receive new jobs (up, not drained). Running jobs are not touched. */
    public void setSchedulable(int node, boolean yes) {
        if (yes) schedulable[node >> 6] |= 1L << node;
        else schedulable[node >> 6] &= ~(1L << node);
        version++;
    }

    /**
     * Takes the allocation's resources for {@code jobId}. Throws if any unit is not free: the ledger
     * never oversubscribes a core, a GPU or a byte.
     */
    public void allocate(long jobId, Allocation a, long start, long expectedEnd) {
        allocate(jobId, a, start, expectedEnd, "", "", "");
    }

    /** Takes the allocation's resources for a job of this user, account and QOS (counted for QOS limits). */
    public void allocate(long jobId, Allocation a, long start, long expectedEnd, String user, String account, String qos) {
        if (byJob.containsKey(jobId)) throw new IllegalStateException("job " + jobId + " already holds resources");
        for (int i = 0; i < a.nodeCount(); i++) {
            int node = a.node(i);
            long gm = a.gpuMask(i);
            if (a.cores(i) > freeCores[node] || a.memMb(i) > freeMem[node] || (gm & ~freeGpus[node]) != 0) {
                throw new IllegalStateException("job " + jobId + " does not fit node " + cluster.nodeName(node)
                        + ": wants " + a.cores(i) + " cores, " + a.memMb(i) + " MB, gpus " + Long.toBinaryString(gm)
                        + "; free " + freeCores[node] + " cores, " + freeMem[node] + " MB, gpus "
                        + Long.toBinaryString(freeGpus[node]));
            }
            long[] ids = a.coreIdsUnsafe(i); // read only: no copy
            long[] free = freeCoreIds[node];
            for (int w = 0; w < ids.length; w++) {
                if (w >= free.length || (ids[w] & ~free[w]) != 0) {
                    throw new IllegalStateException("job " + jobId + " wants busy core ids on node " + cluster.nodeName(node));
                }
            }
        }
        for (int i = 0; i < a.nodeCount(); i++) {
            int node = a.node(i);
            take(node, a.cores(i), a.memMb(i), a.gpuMask(i));
            long[] ids = a.coreIdsUnsafe(i);
            for (int w = 0; w < ids.length; w++) freeCoreIds[node][w] &= ~ids[w];
        }
        Running r = new Running(jobId, a, start, expectedEnd, user, account, qos);
        byJob.put(jobId, r);
        running.add(r);
        count(r, 1);
        version++;
    }

    /** Gives back what {@code jobId} holds; returns what it held. */
    public Running release(long jobId) {
        Running r = byJob.remove(jobId);
        if (r == null) throw new IllegalStateException("job " + jobId + " holds no resources");
        running.remove(r);
        count(r, -1);
        if (!preempting.isEmpty()) preempting.remove(jobId);
        Allocation a = r.allocation();
        for (int i = 0; i < a.nodeCount(); i++) {
            int node = a.node(i);
            give(node, a.cores(i), a.memMb(i), a.gpuMask(i));
            long[] ids = a.coreIdsUnsafe(i);
            for (int w = 0; w < ids.length; w++) freeCoreIds[node][w] |= ids[w];
        }
        version++;
        return r;
    }

    /**
     * Gives a running job's resources back to the free figures without ending it, to look at the machine as
     * it will be once the job has ended; {@link #resume} takes them again. The running set is untouched, so
     * this may be called while iterating {@link #runningByEnd()}.
     */
    void suspend(Running r) {
        Allocation a = r.allocation();
        for (int i = 0; i < a.nodeCount(); i++) give(a.node(i), a.cores(i), a.memMb(i), a.gpuMask(i));
    }

    void resume(Running r) {
        Allocation a = r.allocation();
        for (int i = 0; i < a.nodeCount(); i++) take(a.node(i), a.cores(i), a.memMb(i), a.gpuMask(i));
    }

    private void take(int node, int cores, long mem, long gpuMask) {
        freeCores[node] -= cores;
        freeMem[node] -= mem;
        freeGpus[node] &= ~gpuMask;
        freeCoresTotal -= cores;
        freeGpusTotal -= Long.bitCount(gpuMask);
        index(node);
    }

    private void give(int node, int cores, long mem, long gpuMask) {
        freeCores[node] += cores;
        freeMem[node] += mem;
        freeGpus[node] |= gpuMask;
        freeCoresTotal += cores;
        freeGpusTotal += Long.bitCount(gpuMask);
        index(node);
    }

    /** The lowest {@code count} free GPU indices of a node, as a mask. */
    long pickGpus(int node, int count) {
        long free = freeGpus[node];
        long mask = 0;
        for (int k = 0; k < count; k++) {
            long low = free & -free;
            if (low == 0) throw new IllegalStateException("node " + cluster.nodeName(node) + " has fewer than " + count + " free GPUs");
            mask |= low;
            free &= ~low;
        }
        return mask;
    }

    /** The lowest {@code count} free core ids of a node (empty when the node does not bind cores). */
    long[] pickCores(int node, int count) {
        long[] free = freeCoreIds[node];
        if (free.length == 0) return free;
        long[] ids = new long[free.length];
        int left = count;
        for (int w = 0; w < free.length && left > 0; w++) {
            long x = free[w];
            while (x != 0 && left > 0) {
                long low = x & -x;
                ids[w] |= low;
                x &= ~low;
                left--;
            }
        }
        if (left > 0) throw new IllegalStateException("node " + cluster.nodeName(node) + " has fewer than " + count + " free cores");
        return ids;
    }

    int wordCount() { return words; }

    private boolean trackUsage = true;

    /**
     * Whether to count what each user and account holds per QOS (the scheduler turns it off when no QOS has a
     * limit: counting costs a map update per start and end). Turning it on again recounts.
     */
    public void trackUsage(boolean on) {
        if (on == trackUsage) return;
        trackUsage = on;
        usage.clear();
        if (on) for (Running r : byJob.values()) count(r, 1);
    }

    private void count(Running r, int sign) {
        if (!trackUsage || (r.qos().isEmpty() && r.user().isEmpty() && r.account().isEmpty())) return;
        int nodes = r.allocation().nodeCount(), gpus = r.allocation().totalGpus();
        for (String key : new String[] {"u\0" + r.qos() + "\0" + r.user(), "a\0" + r.qos() + "\0" + r.account()}) {
            int[] u = usage.computeIfAbsent(key, k -> new int[3]);
            u[0] += sign;
            u[1] += sign * nodes;
            u[2] += sign * gpus;
            if (u[0] == 0) usage.remove(key);
        }
    }

    /** What a user's running jobs hold in a QOS. */
    public Usage userUsage(String qos, String user) { return usage("u\0" + qos + "\0" + user); }

    /** What an account's running jobs hold in a QOS. */
    public Usage accountUsage(String qos, String account) { return usage("a\0" + qos + "\0" + account); }

    private Usage usage(String key) {
        int[] u = usage.get(key);
        return u == null ? Usage.NONE : new Usage(u[0], u[1], u[2]);
    }

    /** The advance reservations in force (maintenance windows, reservations for users or accounts). */
    public List<AdvanceReservation> reservations() { return reservations; }

    public void setReservations(List<AdvanceReservation> list) {
        reservations = List.copyOf(list);
        version++;
    }

    /**
     * What each account may still spend, in billed unit-seconds: its budget for the period, less its finished
     * jobs' usage and its running jobs' time limits × billing. Accounts absent have no budget limit.
     */
    public Map<String, Double> budgetLeft() { return budgetLeft; }

    public void setBudgetLeft(Map<String, Double> left) {
        budgetLeft = Map.copyOf(left);
        version++;
    }

    /** Marks a running job as being preempted: it is not chosen again while it stops. */
    public void markPreempting(long jobId) {
        if (byJob.containsKey(jobId)) preempting.add(jobId);
    }

    public boolean isPreempting(long jobId) { return preempting.contains(jobId); }

    /** Free cores summed over all nodes: an upper bound on what any job can get now. */
    public long freeCoresTotal() { return freeCoresTotal; }

    public long freeGpusTotal() { return freeGpusTotal; }

    /** The first non-empty bucket key ≥ {@code from} in a bucket-occupancy bitmap, or -1. */
    static int nextBucket(long[] used, int from) {
        int w = from >> 6;
        if (w >= used.length) return -1;
        long x = used[w] & (-1L << from);
        while (true) {
            if (x != 0) return (w << 6) + Long.numberOfTrailingZeros(x);
            if (++w >= used.length) return -1;
            x = used[w];
        }
    }

    private void index(int node) {
        int old = bucketKey[node];
        int key;
        boolean gpu = cluster.gpus(node) > 0;
        key = gpu ? Long.bitCount(freeGpus[node]) : Math.min(freeCores[node], CPU_KEYS - 1);
        if (key == old) return;
        long bit = 1L << node;
        int w = node >> 6;
        if (gpu) {
            if (old >= 0) {
                gpuBucket[old][w] &= ~bit;
                if (--gpuBucketCount[old] == 0) gpuBucketsUsed[old >> 6] &= ~(1L << old);
            }
            gpuBucket[key][w] |= bit;
            if (gpuBucketCount[key]++ == 0) gpuBucketsUsed[key >> 6] |= 1L << key;
        } else {
            if (old >= 0) {
                cpuBucket[old][w] &= ~bit;
                if (--cpuBucketCount[old] == 0) cpuBucketsUsed[old >> 6] &= ~(1L << old);
            }
            if (cpuBucket[key] == null) cpuBucket[key] = new long[words];
            cpuBucket[key][w] |= bit;
            if (cpuBucketCount[key]++ == 0) cpuBucketsUsed[key >> 6] |= 1L << key;
        }
        bucketKey[node] = key;
    }
}
