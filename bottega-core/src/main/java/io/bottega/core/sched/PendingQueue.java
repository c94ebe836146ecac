package io.bottega.core.sched;

import io.bottega.core.model.PendingReason;
import io.bottega.core.util.LongIntMap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * The pending jobs in scheduling order — FCFS (submit time, then job id) or priority (highest first, then
 * submit time, then id) — kept for fast passes over a long queue:
 * <ul>
 *   <li>jobs sit in an array in order; a removed job leaves a hole that a later compaction closes;</li>
 *   <li>three {@link MinTree}s over positions hold each job's total cores, GPUs and time limit, so a pass can
 *       jump to the next job small enough for what is free ("skip what cannot fit"), or, in EASY's backfill, to
 *       the next one that also ends by the shadow time or fits the extra resources, in O(log n); jobs enter
 *       the trees when a search first needs them;</li>
 *   <li>the queue remembers whether anything but appending happened since the scheduler last looked, so a
 *       pass after submissions alone (same machine state, same jobs ahead) looks at the new jobs only.</li>
 * </ul>
 * Owned by one thread, like the {@link ResourceLedger}. The {@link Scheduler} removes the jobs it starts and
 * records the reservations it makes; everything else the caller does through the methods below.
 */
public final class PendingQueue {
    private final SchedulerConfig.Order order;
    private PendingJob[] jobs = new PendingJob[64];
    private long[] k1 = new long[64];
    private long[] k2 = new long[64];
    private long[] k3 = new long[64];
    private int[] cores = new int[64];
    private int[] gpus = new int[64];
    private MinTree coreTree = new MinTree(64);
    private MinTree gpuTree = new MinTree(64);
    private int[] limits = new int[64];
    private MinTree limitTree = new MinTree(64);
    private final LongIntMap position = new LongIntMap(64);
    private int end;          // positions in use (holes included)
    private int treeEnd;      // positions below this are in the trees; the trees hold MAX_VALUE from here on
    private int live;         // jobs in the queue
    private int changedFrom;  // lowest position changed (not by appending) since the scheduler last looked
    private int appendedFrom; // first position appended since the scheduler last looked

    public PendingQueue(SchedulerConfig.Order order) {
        this.order = order;
        this.changedFrom = Integer.MAX_VALUE;
    }

    /** A queue of these jobs: sorted once (O(n log n)), then appended, rather than inserted one by one. */
    public static PendingQueue of(SchedulerConfig.Order order, List<PendingJob> jobs) {
        PendingQueue q = new PendingQueue(order);
        List<PendingJob> sorted = new ArrayList<>(jobs);
        java.util.Comparator<PendingJob> byOrder = java.util.Comparator.comparingLong(q::key1);
        sorted.sort(byOrder.thenComparingLong(p -> p.spec().submitTime()).thenComparingLong(PendingJob::id));
        q.ensure(sorted.size());
        for (PendingJob p : sorted) q.add(p);
        return q;
    }

    public SchedulerConfig.Order order() { return order; }

    public int size() { return live; }

    public boolean isEmpty() { return live == 0; }

    public boolean contains(long jobId) { return position.get(jobId, -1) >= 0; }

    public PendingJob get(long jobId) {
        int p = position.get(jobId, -1);
        return p < 0 ? null : jobs[p];
    }

    /** Adds a job at its place in the order (usually the end). */
    public void add(PendingJob p) {
        if (contains(p.id())) throw new IllegalStateException("job " + p.id() + " is already queued");
        long a = key1(p), b = p.spec().submitTime(), c = p.id();
        int at = end;
        if (end > 0 && compareAt(end - 1, a, b, c) > 0) {
            at = insertionPoint(a, b, c);
        }
        ensure(end + 1);
        if (at < end) {
            compactInto(at, p, a, b, c);
            return;
        }
        put(at, p, a, b, c);
        end++;
        live++;
    }

    /** Removes a job (cancelled, held away...); false if it was not queued. */
    public boolean remove(long jobId) {
        int p = position.remove(jobId, -1);
        if (p < 0) return false;
        hole(p);
        markChanged(p);
        return true;
    }

    /** Replaces a queued job's entry (same id): a new hold, priority, begin time or reservation. */
    public void update(PendingJob p) {
        int at = position.get(p.id(), -1);
        if (at < 0) throw new IllegalStateException("job " + p.id() + " is not queued");
        if (key1(p) != k1[at] || p.spec().submitTime() != k2[at]) {
            remove(p.id());
            add(p);
            markChanged(0);
            return;
        }
        jobs[at] = p;
        cores[at] = intCap(p.demand().totalCores());
        gpus[at] = intCap(p.demand().totalGpus());
        limits[at] = intCap(p.demand().timeLimit());
        setTrees(at);
        markChanged(at);
    }

    /**
     * Gives every job a new priority at once (a periodic recalculation of multifactor priority) and puts the
     * queue back in order: O(n log n), not one removal and insertion per job.
     */
    public void reprioritize(java.util.function.ToLongFunction<PendingJob> priority) {
        List<PendingJob> all = new ArrayList<>(live);
        for (int i = 0; i < end; i++) if (jobs[i] != null) all.add(jobs[i].withPriority(priority.applyAsLong(jobs[i])));
        all.sort((a, b) -> {
            int c = Long.compare(key1(a), key1(b));
            if (c != 0) return c;
            c = Long.compare(a.spec().submitTime(), b.spec().submitTime());
            return c != 0 ? c : Long.compare(a.id(), b.id());
        });
        rebuild(all);
        changedFrom = 0;
    }

    /** The jobs in order. */
    public List<PendingJob> toList() {
        List<PendingJob> out = new ArrayList<>(live);
        forEach(out::add);
        return out;
    }

    public void forEach(Consumer<PendingJob> action) {
        for (int i = 0; i < end; i++) if (jobs[i] != null) action.accept(jobs[i]);
    }

    // ---- for the scheduler

    int end() { return end; }

    PendingJob at(int pos) { return jobs[pos]; }

    /** The first position ≥ from holding a job needing at most {@code freeCores} cores and {@code freeGpus} GPUs, or -1. */
    int nextFitting(int from, long freeCores, long freeGpus) {
        syncTrees();
        int fc = (int) Math.min(Integer.MAX_VALUE - 1, freeCores);
        int fg = (int) Math.min(Integer.MAX_VALUE - 1, freeGpus);
        int i = from;
        while (i >= 0 && i < end) {
            i = coreTree.firstAtMost(i, fc);
            if (i < 0 || i >= end) return -1;
            if (gpus[i] <= fg) return i;
            i = gpuTree.firstAtMost(i, fg);
            if (i < 0 || i >= end) return -1;
            if (cores[i] <= fc) return i;
        }
        return -1;
    }

    /**
     * The first position ≥ from holding a job that needs at most {@code freeCores} cores and {@code freeGpus} GPUs
     * and either at most {@code boundCores} cores and {@code boundGpus} GPUs or a time limit of at most
     * {@code maxLimit} seconds; -1 if none. EASY's backfill: a job that would run past the shadow time may only use
     * the extra resources, and {@code boundCores}/{@code boundGpus} bound what those can give.
     */
    int nextBackfill(int from, long freeCores, long freeGpus, long boundCores, long boundGpus, long maxLimit) {
        syncTrees();
        long bc = Math.min(boundCores, freeCores), bg = Math.min(boundGpus, freeGpus);
        int window = (int) Math.max(-1, Math.min(Integer.MAX_VALUE - 1, maxLimit));
        int i = from;
        while (true) {
            i = nextFitting(i, freeCores, freeGpus);
            if (i < 0) return -1;
            if (limits[i] <= window || (cores[i] <= bc && gpus[i] <= bg)) return i;
            // jump to the nearer of: the next job small enough for the bound, the next one short enough
            int small = bc < 0 || bg < 0 ? -1 : nextFitting(i + 1, bc, bg);
            int brief = window < 0 || i + 1 >= end ? -1 : limitTree.firstAtMost(i + 1, window);
            if (brief >= end) brief = -1;
            if (small < 0 && brief < 0) return -1;
            i = small < 0 ? brief : brief < 0 ? small : Math.min(small, brief);
        }
    }

    /** Removes a job the scheduler started: not a change a cached pass must know of. */
    void removeStarted(int pos) {
        position.remove(k3[pos], -1); // k3 holds the job id
        hole(pos);
    }

    /** Records a reservation made by the scheduler itself. */
    void reserve(int pos, Reservation r) {
        jobs[pos] = jobs[pos].withReservation(r);
    }

    /**
     * What changed since the scheduler last looked: -1 if anything but appends happened (a full pass is
     * needed), else the first appended position ({@link #end()} if nothing). Resets the record.
     */
    int takeChanges() {
        if (end > 2 * live + 64) compact(); // positions move: the scheduler must look at everything
        int r = changedFrom < appendedFrom ? -1 : Math.min(appendedFrom, end);
        changedFrom = Integer.MAX_VALUE;
        appendedFrom = end;
        return r;
    }

    // ---- internals

    private long key1(PendingJob p) { return order == SchedulerConfig.Order.FCFS ? 0 : -p.priority(); }

    private int compareAt(int i, long a, long b, long c) {
        int r = Long.compare(k1[i], a);
        if (r != 0) return r;
        r = Long.compare(k2[i], b);
        return r != 0 ? r : Long.compare(k3[i], c);
    }

    private int insertionPoint(long a, long b, long c) {
        int lo = 0, hi = end;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (compareAt(mid, a, b, c) <= 0) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    private void put(int at, PendingJob p, long a, long b, long c) {
        jobs[at] = p;
        k1[at] = a;
        k2[at] = b;
        k3[at] = c;
        cores[at] = intCap(p.demand().totalCores());
        gpus[at] = intCap(p.demand().totalGpus());
        limits[at] = intCap(p.demand().timeLimit());
        setTrees(at);
        position.put(p.id(), at);
    }

    /** Puts position {@code pos}'s sizes in the trees, unless the trees do not reach it yet. */
    private void setTrees(int pos) {
        if (pos >= treeEnd) return;
        coreTree.set(pos, cores[pos]);
        gpuTree.set(pos, gpus[pos]);
        limitTree.set(pos, limits[pos]);
    }

    /**
     * Brings the trees up to {@link #end}. Appended positions enter them only when a search needs them: most jobs
     * are started by the pass that follows their submission, and never do.
     */
    private void syncTrees() {
        for (; treeEnd < end; treeEnd++) {
            coreTree.set(treeEnd, cores[treeEnd]);
            gpuTree.set(treeEnd, gpus[treeEnd]);
            limitTree.set(treeEnd, limits[treeEnd]);
        }
    }

    private void hole(int pos) {
        jobs[pos] = null;
        cores[pos] = Integer.MAX_VALUE;
        gpus[pos] = Integer.MAX_VALUE;
        limits[pos] = Integer.MAX_VALUE;
        setTrees(pos);
        live--;
    }

    private void markChanged(int pos) { changedFrom = Math.min(changedFrom, pos); }

    private static int intCap(long v) { return (int) Math.min(Integer.MAX_VALUE - 1, v); }

    private void ensure(int n) {
        if (n <= jobs.length) return;
        int cap = Math.max(n, jobs.length * 2);
        jobs = Arrays.copyOf(jobs, cap);
        k1 = Arrays.copyOf(k1, cap);
        k2 = Arrays.copyOf(k2, cap);
        k3 = Arrays.copyOf(k3, cap);
        cores = Arrays.copyOf(cores, cap);
        gpus = Arrays.copyOf(gpus, cap);
        limits = Arrays.copyOf(limits, cap);
        Arrays.fill(cores, end, cap, Integer.MAX_VALUE);
        Arrays.fill(gpus, end, cap, Integer.MAX_VALUE);
        Arrays.fill(limits, end, cap, Integer.MAX_VALUE);
        coreTree = new MinTree(cap);
        gpuTree = new MinTree(cap);
        limitTree = new MinTree(cap);
        coreTree.rebuild(cores, end);
        gpuTree.rebuild(gpus, end);
        limitTree.rebuild(limits, end);
        treeEnd = end;
    }

    /** Closes the holes, inserting {@code p} at position {@code at} of the old layout. */
    private void compactInto(int at, PendingJob p, long a, long b, long c) {
        List<PendingJob> all = new ArrayList<>(live + 1);
        for (int i = 0; i < end; i++) {
            if (i == at) all.add(p);
            if (jobs[i] != null) all.add(jobs[i]);
        }
        if (at >= end) all.add(p);
        rebuild(all);
        markChanged(0);
    }

    private void compact() {
        List<PendingJob> all = new ArrayList<>(live);
        for (int i = 0; i < end; i++) if (jobs[i] != null) all.add(jobs[i]);
        rebuild(all);
        changedFrom = 0;
    }

    private void rebuild(List<PendingJob> all) {
        int n = all.size();
        // room for the appends until the next compaction (at 2 × live + 64 positions) without growing
        int cap = Math.max(64, Integer.highestOneBit(2 * n + 64) << 1);
        if (jobs.length >= cap && jobs.length <= 4 * cap) {
            cap = jobs.length; // the arrays fit: reuse them
            Arrays.fill(jobs, null);
        } else {
            jobs = new PendingJob[cap];
            k1 = new long[cap];
            k2 = new long[cap];
            k3 = new long[cap];
            cores = new int[cap];
            gpus = new int[cap];
            limits = new int[cap];
            coreTree = new MinTree(cap);
            gpuTree = new MinTree(cap);
            limitTree = new MinTree(cap);
        }
        Arrays.fill(cores, Integer.MAX_VALUE);
        Arrays.fill(gpus, Integer.MAX_VALUE);
        Arrays.fill(limits, Integer.MAX_VALUE);
        position.clear();
        for (int i = 0; i < n; i++) {
            PendingJob p = all.get(i);
            jobs[i] = p;
            k1[i] = key1(p);
            k2[i] = p.spec().submitTime();
            k3[i] = p.id();
            cores[i] = intCap(p.demand().totalCores());
            gpus[i] = intCap(p.demand().totalGpus());
            limits[i] = intCap(p.demand().timeLimit());
            position.put(p.id(), i);
        }
        end = n;
        live = n;
        coreTree.rebuild(cores, n);
        gpuTree.rebuild(gpus, n);
        limitTree.rebuild(limits, n);
        treeEnd = n;
        appendedFrom = Math.min(appendedFrom, n);
    }

    /** Whether a job may start now as far as the queue knows (no hold, past its begin time). */
    static boolean eligible(PendingJob p, long now) {
        return p.hold() == PendingReason.NONE && p.eligibleAt() <= now;
    }
}
