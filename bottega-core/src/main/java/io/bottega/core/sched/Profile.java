package io.bottega.core.sched;

import io.bottega.core.model.Cluster;
import io.bottega.core.model.Demand;

import java.util.Arrays;

/**
 * The availability profile: free cores, GPUs and memory of every node over future time, as a sorted step
 * function per node. Built from the ledger (running jobs give their resources back at start + time limit)
 * and then reduced by reservations. Nodes that nothing touches keep the ledger's free figures for ever and
 * cost nothing. Not thread-safe; reused between passes.
 */
final class Profile {
    static final long INF = Long.MAX_VALUE;

    private final Cluster cluster;
    private final Placer placer;
    private final int n;
    ResourceLedger ledger;
    long now;
    /**
     * Per node, its breakpoints one after the other, {@link #STRIDE} longs each: the instant, the free cores and
     * GPUs from then on (cores in the high half, GPUs in the low one: {@link #coresOf}, {@link #gpusOf}), the free
     * memory. One array a node, so reading a node's step function touches one object's neighbouring lines.
     */
    final long[][] steps;
    static final int STRIDE = 3;
    final int[] len;
    private final int[] stamp;
    private int gen;
    private int[] touched;
    private int touchedCount;
    // window minimum scratch
    private int wc;
    private int wg;
    private long wm;
    private long[] candTimes = new long[64];
    private int[] candNodes;
    private int[] candCaps;
    /** When searches go through the {@link StartIndex}: by default on machines big enough and passes long enough. */
    enum IndexUse { AUTO, ALWAYS, NEVER }
    private IndexUse indexUse = IndexUse.AUTO;
    private StartIndex index;
    private int searches;
    static final int INDEX_MIN_NODES = 256;
    static final int INDEX_AFTER_SEARCHES = 64;
    static final int INDEX_MIN_ELIGIBLE = 64;

    Profile(Cluster cluster, Placer placer) {
        this.cluster = cluster;
        this.placer = placer;
        n = cluster.nodeCount();
        steps = new long[n][];
        len = new int[n];
        stamp = new int[n];
        touched = new int[16];
        candNodes = new int[n];
        candCaps = new int[n];
    }

    /** A place and time found for a job: start, nodes and tasks per node. */
    record Slot(long start, int[] nodes, int[] tasks) {}

    void reset(ResourceLedger l, long at) {
        ledger = l;
        now = at;
        gen++;
        touchedCount = 0;
        searches = 0;
        if (index != null) index.invalidate();
        for (ResourceLedger.Running r : l.runningByEnd()) {
            long end = Math.max(r.expectedEnd(), now + 1);
            var a = r.allocation();
            for (int i = 0; i < a.nodeCount(); i++) {
                add(a.node(i), end, INF, a.cores(i), a.gpus(i), a.memMb(i));
            }
        }
    }

    /** Takes (or gives back) every resource of an advance reservation's nodes over its window. */
    void block(io.bottega.core.policy.AdvanceReservation r, boolean take) {
        int sign = take ? -1 : 1;
        long from = Math.max(r.start(), now);
        if (r.end() <= from) return;
        r.nodes().forEach(node -> add(node, from, r.end(), sign * cluster.cores(node), sign * cluster.gpus(node),
                sign * cluster.memoryMb(node)));
    }

    /** Takes a job's resources on its nodes over [start, start + duration). */
    void reserve(Demand d, int[] nodes, int[] tasks, long start, long duration) {
        long end = saturatedEnd(start, duration);
        for (int i = 0; i < nodes.length; i++) {
            int node = nodes[i];
            int t = tasks[i];
            add(node, start, end, -d.coresFor(cluster, node, t), -d.gpusFor(cluster, node, t), -d.memFor(cluster, node, t));
        }
    }

    /**
     * Gives back a job's own reservation just before the job searches for a better one: the index reads the
     * reservation's nodes in that search instead of recomputing them first, as the job most often takes the
     * same slot again. {@link #ownReservationDone} must follow the job's new {@link #reserve}.
     */
    void unreserveOwn(Demand d, int[] nodes, int[] tasks, long start, long duration) {
        ownGiveBack = true;
        try {
            unreserve(d, nodes, tasks, start, duration);
        } finally {
            ownGiveBack = false;
        }
    }

    /** The job that gave back its own reservation has reserved again: the same slot ({@code same}) or another. */
    void ownReservationDone(boolean same) {
        if (index != null) index.ownGiveBackDone(same);
    }

    private boolean ownGiveBack;

    /** Gives back what {@link #reserve} took. */
    void unreserve(Demand d, int[] nodes, int[] tasks, long start, long duration) {
        long end = saturatedEnd(start, duration);
        for (int i = 0; i < nodes.length; i++) {
            int node = nodes[i];
            int t = tasks[i];
            add(node, start, end, d.coresFor(cluster, node, t), d.gpusFor(cluster, node, t), d.memFor(cluster, node, t));
        }
    }

    private static long saturatedEnd(long start, long duration) {
        long e = start + duration;
        return e < start ? INF : e;
    }

    boolean isTouched(int node) { return stamp[node] == gen; }

    static long coresAndGpus(int cores, int gpus) { return (long) cores << 32 | (gpus & 0xFFFFFFFFL); }

    static int coresOf(long coresAndGpus) { return (int) (coresAndGpus >> 32); }

    static int gpusOf(long coresAndGpus) { return (int) coresAndGpus; }

    private void touch(int node) {
        if (stamp[node] == gen) return;
        stamp[node] = gen;
        if (steps[node] == null) steps[node] = new long[4 * STRIDE];
        long[] st = steps[node];
        st[0] = now;
        st[1] = coresAndGpus(ledger.freeCores[node], Long.bitCount(ledger.freeGpus[node]));
        st[2] = ledger.freeMem[node];
        len[node] = 1;
        if (touchedCount == touched.length) touched = Arrays.copyOf(touched, touchedCount * 2);
        touched[touchedCount++] = node;
    }

    private void add(int node, long from, long to, int dc, int dg, long dm) {
        if (from < now) from = now;
        if (to <= from) return;
        // a take at or after the node's last breakpoint: the index can update the node's entries in place
        boolean after = isTouched(node) && from >= steps[node][STRIDE * (len[node] - 1)];
        touch(node);
        int i = split(node, from);
        int j = to == INF ? len[node] : split(node, to);
        long[] st = steps[node];
        if (index != null) {
            if (dc > 0 || dg > 0 || dm > 0) index.changed(node, true, ownGiveBack);
            else index.taken(node, i, from, to, -dc, -dg, after);
        }
        for (int k = i; k < j; k++) {
            int b = STRIDE * k;
            long v = st[b + 1];
            st[b + 1] = coresAndGpus(coresOf(v) + dc, gpusOf(v) + dg);
            st[b + 2] += dm;
        }
        assert st[STRIDE * i] == from;
    }

    /** Index of the breakpoint at exactly {@code t}, inserting one (with the values in force at t) if needed. */
    private int split(int node, long t) {
        int i = indexAt(node, t);
        long[] st = steps[node];
        if (st[STRIDE * i] == t) return i;
        int l = len[node];
        if (STRIDE * l == st.length) steps[node] = st = Arrays.copyOf(st, st.length * 2);
        int at = i + 1;
        System.arraycopy(st, STRIDE * at, st, STRIDE * (at + 1), STRIDE * (l - at));
        st[STRIDE * at] = t;
        st[STRIDE * at + 1] = st[STRIDE * i + 1];
        st[STRIDE * at + 2] = st[STRIDE * i + 2];
        len[node] = l + 1;
        return at;
    }

    /** Index of the last breakpoint at or before t (t ≥ now). */
    private int indexAt(int node, long t) {
        long[] st = steps[node];
        int hi = len[node] - 1;
        if (hi == 0 || t < st[STRIDE]) return 0; // searches mostly start now: the first entry
        int lo = 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (st[STRIDE * mid] <= t) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    }

    /** Sets wc/wg/wm to the least free resources of the node over [t, t + dur). */
    private void windowMin(int node, long t, long dur) {
        if (!isTouched(node)) {
            wc = ledger.freeCores[node];
            wg = Long.bitCount(ledger.freeGpus[node]);
            wm = ledger.freeMem[node];
            return;
        }
        long end = saturatedEnd(t, dur);
        int i = indexAt(node, t);
        long[] st = steps[node];
        long v = st[STRIDE * i + 1];
        int c = coresOf(v), g = gpusOf(v);
        long m = st[STRIDE * i + 2];
        for (int k = i + 1, l = len[node]; k < l && st[STRIDE * k] < end; k++) {
            v = st[STRIDE * k + 1];
            c = Math.min(c, coresOf(v));
            g = Math.min(g, gpusOf(v));
            m = Math.min(m, st[STRIDE * k + 2]);
        }
        wc = c;
        wg = g;
        wm = m;
    }

    private int capacityOver(Demand d, int node, long t, long dur) {
        windowMin(node, t, dur);
        if (wc < 0 || wg < 0 || wm < 0) return 0;
        return d.capacity(cluster, node, wc, wg, wm);
    }

    /**
     * The earliest start at or after {@code from} at which the job fits its eligible nodes for {@code dur}
     * seconds, and where; null when it never does (its nodes are not schedulable). Only a start at or before
     * {@code until} is of use (INF: any; a job that holds a reservation keeps it unless it can start earlier):
     * null when there is none by then, and the nodes whose bound passes it are not read.
     */
    Slot earliest(Demand d, long[] elig, int lo, int hi, long from, long dur, long until) {
        if (from < now) from = now;
        if (from > until) return null;
        int eligibleCount = 0;
        for (int w = lo; w < hi && eligibleCount < INDEX_MIN_ELIGIBLE; w++) {
            long x = elig[w];
            if (x != 0) {
                eligibleCount += Long.bitCount(x);
            }
        }
        if (eligibleCount == 0) return null;
        searches++;
        boolean indexed = eligibleCount > 1 && useIndex(eligibleCount);
        if (d.nodesMax() == 1 || eligibleCount == 1) return earliestSingle(d, elig, lo, hi, from, dur, until, indexed);
        int uniform = uniformTasksPerNode(d);
        if (uniform > 0) return earliestUniform(d, elig, lo, hi, from, dur, until, uniform, d.tasks() / uniform, indexed);
        // a lower bound: no start before enough nodes can each hold one task
        long bound = earliestCount(d, elig, lo, hi, from, dur, until, 1, d.nodesMin(), indexed);
        if (bound > until) return null;
        return earliestMulti(d, elig, lo, hi, bound, dur, until);
    }

    /** Whether this search goes through the index: on a machine big enough, once the pass has searched a while. */
    private boolean useIndex(int eligibleCount) {
        boolean use = switch (indexUse) {
            case NEVER -> false;
            case ALWAYS -> true;
            case AUTO -> n >= INDEX_MIN_NODES && searches > INDEX_AFTER_SEARCHES && eligibleCount >= INDEX_MIN_ELIGIBLE;
        };
        if (use && index == null) index = new StartIndex(this, cluster);
        return use;
    }

    /** Tests choose whether searches use the index (they must give the same slots either way). */
    void indexUse(IndexUse use) { this.indexUse = use; }

    /** Searches answered through the index so far (for tests). */
    long indexedSearches() { return index == null ? 0 : index.answered(); }

    /** Tasks every node of the job takes when that is fixed (exact tasks per node, or one per node on N nodes); else 0. */
    private static int uniformTasksPerNode(Demand d) {
        if (d.exactTasksPerNode() && d.tasksPerNode() > 0) return d.tasksPerNode();
        if (d.nodesMin() == d.nodesMax() && d.tasks() % d.nodesMin() == 0 && (d.tasksPerNode() == 0
                || d.tasks() / d.nodesMin() <= d.tasksPerNode())) {
            return d.tasks() / d.nodesMin();
        }
        return 0;
    }

    /**
     * A job that needs {@code nodes} nodes each holding exactly {@code perNode} tasks: every node's feasible
     * start times form intervals (between the stretches where it is too full); a sweep over their ends finds
     * the first instant at which enough nodes are feasible, then the usual choice is made among them.
     */
    private Slot earliestUniform(Demand d, long[] elig, int lo, int hi, long from, long dur, long until, int perNode, int nodes,
                                 boolean indexed) {
        long[] found = indexed ? index.earliestCount(d, elig, lo, hi, from, dur, until, perNode, nodes) : null;
        long t = found != null ? found[0] : earliestCount(d, elig, lo, hi, from, dur, until, perNode, nodes, false);
        if (t > until) return null;
        int count = 0;
        if (found != null) {
            // every node feasible at t was read by the search
            for (int node : index.reached()) count = candidateIfFits(d, node, t, dur, perNode, count);
        } else {
            for (int w = lo; w < hi; w++) {
                long x = elig[w];
                while (x != 0) {
                    count = candidateIfFits(d, (w << 6) + Long.numberOfTrailingZeros(x), t, dur, perNode, count);
                    x &= x - 1;
                }
            }
        }
        int[][] chosen = placer.chooseAmong(d, candNodes, candCaps, count);
        if (chosen == null) throw new IllegalStateException("sweep found " + count + " nodes at " + t + " but none fit");
        return new Slot(t, chosen[0], chosen[1]);
    }

    /** Adds the node to the candidates when it holds {@code perNode} tasks over [t, t + dur); returns the count. */
    private int candidateIfFits(Demand d, int node, long t, long dur, int perNode, int count) {
        if (capacityOver(d, node, t, dur) < perNode) return count;
        candNodes[count] = node;
        candCaps[count] = perNode;
        return count + 1;
    }

    /** Whether a node the profile does not touch (its free resources never change) holds {@code perNode} tasks. */
    boolean untouchedHolds(Demand d, int node, int perNode) {
        return d.capacity(cluster, node, ledger.freeCores[node], Long.bitCount(ledger.freeGpus[node]), ledger.freeMem[node]) >= perNode;
    }

    private long[] events = new long[256];

    /**
     * The first instant ≥ from at which at least {@code nodes} eligible nodes can each hold {@code perNode} tasks
     * for dur; exact up to {@code until}, any instant after it when there is none by then.
     */
    private long earliestCount(Demand d, long[] elig, int lo, int hi, long from, long dur, long until, int perNode, int nodes,
                               boolean indexed) {
        if (indexed) {
            long[] found = index.earliestCount(d, elig, lo, hi, from, dur, until, perNode, nodes);
            if (found != null) return found[0];
        }
        int always = 0;
        int ne = 0;
        for (int w = lo; w < hi; w++) {
            long x = elig[w];
            while (x != 0) {
                int node = (w << 6) + Long.numberOfTrailingZeros(x);
                x &= x - 1;
                if (!isTouched(node)) {
                    if (untouchedHolds(d, node, perNode)) always++;
                    continue;
                }
                ne = feasibleIntervals(d, node, perNode, from, dur, ne, until);
            }
        }
        return sweep(ne, 0, always, nodes, from);
    }

    /**
     * The first instant at which {@code nodes} nodes are feasible: {@code always} of them from {@code from} on,
     * the others over the intervals of the first {@code ne} events (the first {@code sorted} of them sorted by an
     * earlier sweep of the same search); INF if never.
     */
    long sweep(int ne, int sorted, int always, int nodes, long from) {
        if (always >= nodes) return from;
        // events: (time << 1) | 1 for an interval's start, (time << 1) for the instant after its end; ends first
        java.util.Arrays.sort(events, sorted, ne);
        if (sorted > 0 && sorted < ne && events[sorted - 1] > events[sorted]) merge(sorted, ne);
        int count = always;
        int i = 0;
        while (i < ne) {
            long t = events[i] >>> 1;
            while (i < ne && (events[i] >>> 1) == t) {
                count += (events[i] & 1) == 1 ? 1 : -1;
                i++;
            }
            if (count >= nodes) return t;
        }
        return INF;
    }

    private long[] mergeScratch = new long[256];

    /** Merges the sorted events [0, mid) and [mid, ne) in place. */
    private void merge(int mid, int ne) {
        if (mergeScratch.length < mid) mergeScratch = new long[Math.max(mid, 2 * mergeScratch.length)];
        System.arraycopy(events, 0, mergeScratch, 0, mid);
        int a = 0, b = mid, o = 0;
        while (a < mid && b < ne) events[o++] = mergeScratch[a] <= events[b] ? mergeScratch[a++] : events[b++];
        while (a < mid) events[o++] = mergeScratch[a++];
    }

    /**
     * Appends the node's feasible start intervals after {@code from} as events, leaving out those that begin after
     * {@code until}; returns the new event count.
     */
    int feasibleIntervals(Demand d, int node, int perNode, long from, long dur, int ne, long until) {
        if (!fitsEmptyNode(d, node, perNode)) return ne; // tasks per node beyond what the node can ever hold
        return feasibleIntervals(node, d.coresFor(cluster, node, perNode), d.gpusFor(cluster, node, perNode),
                d.memFor(cluster, node, perNode), from, dur, ne, until);
    }

    /**
     * Where the last {@link #feasibleIntervals(int, int, int, long, long, long, int, long)} found the node's first
     * feasible start at or after its {@code from}: exact when it gave an interval, else a lower bound (INF: none).
     */
    long firstFeasible;

    /** The same for a node (touched, and able to hold the tasks when empty) and what they need of it. */
    int feasibleIntervals(int node, int needC, int needG, long needM, long from, long dur, int ne, long until) {
        long[] st = steps[node];
        int l = len[node];
        int i = indexAt(node, from);
        long start = -1;
        int ne0 = ne;
        firstFeasible = INF;
        for (int k = i; k < l; k++) {
            int b = STRIDE * k;
            long segStart = Math.max(st[b], from);
            long segEnd = k + 1 < l ? st[b + STRIDE] : INF;
            long v = st[b + 1];
            boolean ok = coresOf(v) >= needC && gpusOf(v) >= needG && st[b + 2] >= needM;
            if (ok) {
                if (start < 0) {
                    if (segStart > until) {
                        if (ne == ne0) firstFeasible = segStart;
                        break;
                    }
                    start = segStart;
                }
                if (segEnd == INF) {
                    ne = event(ne, start, true);
                    break;
                }
            } else if (start >= 0) {
                long last = segStart - dur; // latest start whose window ends by this bad stretch
                if (last >= start) {
                    ne = event(ne, start, true);
                    ne = event(ne, last + 1, false);
                }
                start = -1;
            }
        }
        if (ne > ne0) firstFeasible = events[ne0] >>> 1;
        return ne;
    }

    private Demand memoDemand;
    private int memoCores = -1, memoGpus = -1, memoPerNode = -1;
    private long memoMem = -1;
    private boolean memoFits;

    /** Whether an empty node can hold perNode tasks, remembered for the last node shape (nodes of a partition are alike). */
    private boolean fitsEmptyNode(Demand d, int node, int perNode) {
        int c = cluster.cores(node), g = cluster.gpus(node);
        long m = cluster.memoryMb(node);
        if (d != memoDemand || c != memoCores || g != memoGpus || m != memoMem || perNode != memoPerNode) {
            memoDemand = d;
            memoCores = c;
            memoGpus = g;
            memoMem = m;
            memoPerNode = perNode;
            memoFits = d.capacityOnEmptyNode(cluster, node) >= perNode;
        }
        return memoFits;
    }

    private int event(int ne, long t, boolean begin) {
        if (ne == events.length) events = java.util.Arrays.copyOf(events, ne * 2);
        events[ne] = (t << 1) | (begin ? 1 : 0);
        return ne + 1;
    }

    /** Per-node sweep: the earliest window on one node; best fit then lowest id among nodes free as early. */
    private Slot earliestSingle(Demand d, long[] elig, int lo, int hi, long from, long dur, long until, boolean indexed) {
        if (indexed) {
            long[] found = index.earliestSingle(d, elig, lo, hi, from, dur, until);
            if (found != null) return found[1] < 0 ? null : new Slot(found[0], new int[] {(int) found[1]}, new int[] {d.tasks()});
        }
        int t = d.tasks();
        long best = until; // a node that can start by then is taken (the fit of none is Integer.MAX_VALUE)
        int bestNode = -1;
        int bestFit = Integer.MAX_VALUE;
        for (int w = lo; w < hi; w++) {
            long x = elig[w];
            while (x != 0) {
                int node = (w << 6) + Long.numberOfTrailingZeros(x);
                x &= x - 1;
                long s = earliestOnNode(d, node, t, from, dur, best);
                if (s == INF) continue;
                int fit = fitKey(d, node, s, dur);
                if (s < best || (s == best && fit < bestFit)) {
                    best = s;
                    bestNode = node;
                    bestFit = fit;
                }
            }
        }
        if (bestNode < 0) return null;
        return new Slot(best, new int[] {bestNode}, new int[] {t});
    }

    /** Smaller is a tighter fit: free GPUs (GPU nodes) or free cores left over at the start. */
    int fitKey(Demand d, int node, long s, long dur) {
        windowMin(node, s, dur);
        return cluster.gpus(node) > 0 ? wg : (1 << 16) + wc;
    }

    /** Earliest start ≥ from on one node where {@code t} tasks fit for dur; INF if none before {@code bound}. */
    long earliestOnNode(Demand d, int node, int t, long from, long dur, long bound) {
        int needC = d.coresFor(cluster, node, t);
        int needG = d.gpusFor(cluster, node, t);
        long needM = d.memFor(cluster, node, t);
        if (!isTouched(node)) {
            return ledger.freeCores[node] >= needC && Long.bitCount(ledger.freeGpus[node]) >= needG
                    && ledger.freeMem[node] >= needM ? from : INF;
        }
        long[] st = steps[node];
        int l = len[node];
        int i = indexAt(node, from);
        long start = -1;
        for (int k = i; k < l; k++) {
            int b = STRIDE * k;
            long segStart = Math.max(st[b], from);
            // a window that began by the bound may run on past it: only a window yet to begin is cut
            if (start < 0 && segStart > bound) return INF;
            long v = st[b + 1];
            if (coresOf(v) < needC || gpusOf(v) < needG || st[b + 2] < needM) {
                start = -1;
                continue;
            }
            if (start < 0) start = segStart;
            long segEnd = k + 1 < l ? st[b + STRIDE] : INF;
            if (segEnd == INF || segEnd - start >= dur) return start;
        }
        return INF;
    }

    /** Tries the candidate times in order (from, then every breakpoint of an eligible node after it). */
    private Slot earliestMulti(Demand d, long[] elig, int lo, int hi, long from, long dur, long until) {
        int nc = 0;
        candTimes[nc++] = from;
        for (int k = 0; k < touchedCount; k++) {
            int node = touched[k];
            if ((elig[node >> 6] & (1L << node)) == 0 || (node >> 6) < lo || (node >> 6) >= hi) continue;
            long[] st = steps[node];
            for (int b = indexAt(node, from) + 1; b < len[node]; b++) {
                if (nc == candTimes.length) candTimes = Arrays.copyOf(candTimes, nc * 2);
                candTimes[nc++] = st[STRIDE * b];
            }
        }
        Arrays.sort(candTimes, 0, nc);
        long prev = Long.MIN_VALUE;
        for (int ci = 0; ci < nc; ci++) {
            long t = candTimes[ci];
            if (t > until) return null;
            if (t == prev) continue;
            prev = t;
            int count = 0;
            long room = 0;
            for (int w = lo; w < hi; w++) {
                long x = elig[w];
                while (x != 0) {
                    int node = (w << 6) + Long.numberOfTrailingZeros(x);
                    x &= x - 1;
                    int cap = capacityOver(d, node, t, dur);
                    if (cap > 0) {
                        candNodes[count] = node;
                        candCaps[count] = cap;
                        count++;
                        room += cap;
                    }
                }
            }
            if (count < d.nodesMin() || room < d.tasks()) continue;
            int[][] chosen = placer.chooseAmong(d, candNodes, candCaps, count);
            if (chosen != null) return new Slot(t, chosen[0], chosen[1]);
        }
        return null;
    }
}
