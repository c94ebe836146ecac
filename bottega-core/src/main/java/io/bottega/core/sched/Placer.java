package io.bottega.core.sched;

import io.bottega.core.model.Allocation;
import io.bottega.core.model.Cluster;
import io.bottega.core.model.Demand;

import java.util.Arrays;

/**
 * The place step: picks nodes and the units inside them for a job.
 *
 * <p>Rules, cheapest first:
 * <ol>
 *   <li>A job that may run on one node goes on one node if any can hold it: best fit, the node with the
 *       fewest free GPUs (GPU nodes) or cores (CPU nodes) that still holds it, lowest id on ties. Packing
 *       keeps whole nodes free for whole-node jobs. A job that asks for no GPU tries CPU nodes first.</li>
 *   <li>Otherwise the job is spread over as few network groups as possible: the smallest single group that
 *       can hold it (best fit), else the groups with the most room first. Inside the chosen groups, nodes
 *       that hold the most tasks come first (fewest nodes), lowest id on ties.</li>
 *   <li>Tasks are laid out in blocks: every node used gets one task (or exactly its tasks per node), then
 *       nodes are filled in order. Inside a node, the lowest free GPU indices and core ids are taken.</li>
 * </ol>
 * Not thread-safe: keeps scratch arrays between calls.
 */
final class Placer {
    private static final int NODE_BITS = 20;
    private static final int CAP_BITS = 28;
    private static final long CAP_MAX = (1L << CAP_BITS) - 1;

    private final Cluster cluster;
    private long[] keys;
    private int[] caps;
    private final int[] chosenNodes;
    private final int[] chosenTasks;

    Placer(Cluster cluster) {
        this.cluster = cluster;
        int n = cluster.nodeCount();
        if (n >= (1 << NODE_BITS)) throw new IllegalArgumentException("at most " + ((1 << NODE_BITS) - 1) + " nodes");
        keys = new long[n];
        caps = new int[n];
        chosenNodes = new int[n];
        chosenTasks = new int[n];
    }

    /**
     * Per-node upper bounds on what a job may take, for nodes stamped in the current generation; also lists the
     * nodes stamped in this generation.
     */
    static final class Limit {
        final int[] stamp;
        final int[] cores;
        final int[] gpus;
        final long[] mem;
        private final int[] listedGen;
        final int[] listed;
        int listedCount;
        int gen = 1;

        Limit(int n) {
            stamp = new int[n];
            cores = new int[n];
            gpus = new int[n];
            mem = new long[n];
            listedGen = new int[n];
            listed = new int[n];
        }

        void clear() {
            gen++;
            listedCount = 0;
        }

        boolean has(int node) { return stamp[node] == gen; }

        void set(int node, int c, int g, long m) {
            if (listedGen[node] != gen) {
                listedGen[node] = gen;
                listed[listedCount++] = node;
            }
            stamp[node] = gen;
            cores[node] = c;
            gpus[node] = g;
            mem[node] = m;
        }
    }

    /**
     * Places {@code d} on the free resources of {@code ledger} now, on nodes of {@code eligible} (words of a
     * node bitmap already intersected with the schedulable nodes), never above {@code limit} where it has an
     * entry. Returns null when it does not fit. Without {@code pickUnits} only counts are filled in (GPU masks
     * hold the lowest indices, no core ids): for looking ahead, where no unit can be picked yet.
     */
    Allocation placeNow(Demand d, ResourceLedger ledger, long[] eligible, int loWord, int hiWord, Limit limit,
                        boolean pickUnits) {
        if (d.totalCores() > ledger.freeCoresTotal || d.totalGpus() > ledger.freeGpusTotal) return null;
        if (d.nodesMin() == 1) {
            int node = bestFitSingle(d, ledger, eligible, loWord, hiWord, limit);
            if (node >= 0) {
                chosenNodes[0] = node;
                chosenTasks[0] = d.tasks();
                return build(d, ledger, 1, pickUnits);
            }
            if (d.nodesMax() == 1) return null;
        }
        // candidates: only the nodes whose free GPUs (GPU nodes) or free cores (CPU nodes) could hold the fewest
        // tasks a node may take, found through the ledger's buckets; every other node has no room for the job
        int tmin = d.exactTasksPerNode() ? d.tasksPerNode() : 1;
        int needGpus = d.exclusive() ? 0 : tmin * d.gpusPerTask() + d.gpusPerNode();
        int needCores = d.exclusive() ? 1 : tmin * d.coresPerTask();
        int count = 0;
        for (int key = ResourceLedger.nextBucket(ledger.gpuBucketsUsed, needGpus); key >= 0;
             key = ResourceLedger.nextBucket(ledger.gpuBucketsUsed, key + 1)) {
            count = collect(d, ledger, ledger.gpuBucket[key], eligible, loWord, hiWord, limit, count);
        }
        if (d.exclusive() || needGpus == 0) { // a node without GPUs can hold no task that asks for one
            for (int key = ResourceLedger.nextBucket(ledger.cpuBucketsUsed, Math.min(needCores, ResourceLedger.CPU_KEYS - 1));
                 key >= 0; key = ResourceLedger.nextBucket(ledger.cpuBucketsUsed, key + 1)) {
                count = collect(d, ledger, ledger.cpuBucket[key], eligible, loWord, hiWord, limit, count);
            }
        }
        int k = choose(d, count);
        return k == 0 ? null : build(d, ledger, k, pickUnits);
    }

    /** Adds the nodes of {@code bucket} ∧ {@code eligible} that can take a task of {@code d} to the candidates. */
    private int collect(Demand d, ResourceLedger ledger, long[] bucket, long[] eligible, int loWord, int hiWord, Limit limit,
                        int count) {
        for (int w = loWord; w < hiWord; w++) {
            long x = bucket[w] & eligible[w];
            while (x != 0) {
                int node = (w << 6) + Long.numberOfTrailingZeros(x);
                x &= x - 1;
                int cap = capNow(d, ledger, node, limit);
                if (cap > 0) {
                    keys[count] = key(cluster.group(node), cap, node);
                    caps[count] = cap;
                    count++;
                }
            }
        }
        return count;
    }

    /**
     * Chooses nodes among candidates with known task capacities (for planning in the future, where no unit
     * is picked): returns the chosen nodes and tasks, or null.
     */
    int[][] chooseAmong(Demand d, int[] nodes, int[] nodeCaps, int count) {
        ensure(count);
        int m = 0;
        for (int i = 0; i < count; i++) {
            if (nodeCaps[i] <= 0) continue;
            keys[m++] = key(cluster.group(nodes[i]), nodeCaps[i], nodes[i]);
        }
        int k = choose(d, m);
        if (k == 0) return null;
        return new int[][] {Arrays.copyOf(chosenNodes, k), Arrays.copyOf(chosenTasks, k)};
    }

    private void ensure(int count) {
        if (keys.length < count) {
            keys = new long[count];
            caps = new int[count];
        }
    }

    int capNow(Demand d, ResourceLedger l, int node, Limit limit) {
        int cap = d.capacity(cluster, node, l.freeCores[node], Long.bitCount(l.freeGpus[node]), l.freeMem[node]);
        if (cap > 0 && limit != null && limit.has(node)) {
            cap = Math.min(cap, d.capacity(cluster, node, limit.cores[node], limit.gpus[node], limit.mem[node]));
        }
        return cap;
    }

    private int bestFitSingle(Demand d, ResourceLedger l, long[] elig, int lo, int hi, Limit limit) {
        int t = d.tasks();
        int needGpus = d.exclusive() ? 0 : t * d.gpusPerTask() + d.gpusPerNode();
        int needCores = d.exclusive() ? 1 : t * d.coresPerTask();
        if (needGpus == 0) {
            for (int key = ResourceLedger.nextBucket(l.cpuBucketsUsed, Math.min(needCores, ResourceLedger.CPU_KEYS - 1));
                 key >= 0; key = ResourceLedger.nextBucket(l.cpuBucketsUsed, key + 1)) {
                int node = scan(d, l, l.cpuBucket[key], elig, lo, hi, t, limit);
                if (node >= 0) return node;
            }
        }
        for (int key = ResourceLedger.nextBucket(l.gpuBucketsUsed, needGpus); key >= 0;
             key = ResourceLedger.nextBucket(l.gpuBucketsUsed, key + 1)) {
            int node = scan(d, l, l.gpuBucket[key], elig, lo, hi, t, limit);
            if (node >= 0) return node;
        }
        return -1;
    }

    private int scan(Demand d, ResourceLedger l, long[] bucket, long[] elig, int lo, int hi, int t, Limit limit) {
        for (int w = lo; w < hi; w++) {
            long x = bucket[w] & elig[w];
            while (x != 0) {
                int node = (w << 6) + Long.numberOfTrailingZeros(x);
                x &= x - 1;
                if (capNow(d, l, node, limit) >= t) return node;
            }
        }
        return -1;
    }

    private static long key(int group, int cap, int node) {
        return ((long) group << (CAP_BITS + NODE_BITS)) | ((CAP_MAX - Math.min(cap, CAP_MAX)) << NODE_BITS) | node;
    }

    private static int keyNode(long key) { return (int) (key & ((1L << NODE_BITS) - 1)); }

    private static int keyCap(long key) { return (int) (CAP_MAX - ((key >>> NODE_BITS) & CAP_MAX)); }

    private static int keyGroup(long key) { return (int) (key >>> (CAP_BITS + NODE_BITS)); }

    /**
     * Picks nodes among {@code count} candidates in {@code keys}; fills chosenNodes/chosenTasks and returns
     * how many, or 0 when the job does not fit them.
     */
    private int choose(Demand d, int count) {
        if (count < d.nodesMin()) return 0;
        Arrays.sort(keys, 0, count);
        int tpnExact = d.exactTasksPerNode() ? d.tasksPerNode() : 0;
        // per group: [start, end) in keys, and whether it alone can hold the job
        int bestGroupStart = -1, bestGroupEnd = -1;
        long bestGroupRoom = Long.MAX_VALUE;
        int gs = 0;
        int groups = 0;
        while (gs < count) {
            int g = keyGroup(keys[gs]);
            int ge = gs;
            long room = 0;
            while (ge < count && keyGroup(keys[ge]) == g) room += keyCap(keys[ge++]);
            groups++;
            if (needNodes(d, tpnExact, gs, ge) > 0 && room < bestGroupRoom) {
                bestGroupRoom = room;
                bestGroupStart = gs;
                bestGroupEnd = ge;
            }
            gs = ge;
        }
        if (bestGroupStart >= 0) {
            int k = needNodes(d, tpnExact, bestGroupStart, bestGroupEnd);
            return layout(d, tpnExact, bestGroupStart, k);
        }
        if (groups == 1) return 0;
        // several groups: take the groups with most room first until they hold the job
        long[] orig = Arrays.copyOf(keys, count);
        long[] groupOrder = new long[groups];
        int[] groupStart = new int[groups];
        int[] groupEnd = new int[groups];
        gs = 0;
        for (int gi = 0; gi < groups; gi++) {
            int g = keyGroup(orig[gs]);
            int ge = gs;
            long room = 0;
            while (ge < count && keyGroup(orig[ge]) == g) room += keyCap(orig[ge++]);
            groupStart[gi] = gs;
            groupEnd[gi] = ge;
            groupOrder[gi] = ((Long.MAX_VALUE >> 20) - Math.min(room, Long.MAX_VALUE >> 21)) << 20 | gi;
            gs = ge;
        }
        Arrays.sort(groupOrder);
        long[] merged = new long[count];
        int m = 0;
        for (long go : groupOrder) {
            int gi = (int) (go & ((1 << 20) - 1));
            for (int i = groupStart[gi]; i < groupEnd[gi]; i++) {
                // re-key without the group so that nodes sort by capacity, then id
                merged[m++] = orig[i] & ((1L << (CAP_BITS + NODE_BITS)) - 1);
            }
            Arrays.sort(merged, 0, m);
            System.arraycopy(merged, 0, keys, 0, m);
            int k = needNodes(d, tpnExact, 0, m);
            if (k > 0) return layout(d, tpnExact, 0, k);
        }
        return 0;
    }

    /** How many of keys[from, to) (sorted by capacity, largest first) the job needs, or 0 if they cannot hold it. */
    private int needNodes(Demand d, int tpnExact, int from, int to) {
        int avail = to - from;
        if (avail < d.nodesMin()) return 0;
        if (tpnExact > 0) {
            int k = d.tasks() / tpnExact;
            return k <= avail && k <= d.nodesMax() ? k : 0;
        }
        long sum = 0;
        int limit = Math.min(avail, d.nodesMax());
        for (int i = 0; i < limit; i++) {
            sum += keyCap(keys[from + i]);
            if (sum >= d.tasks()) return Math.max(i + 1, d.nodesMin());
        }
        return 0;
    }

    private int layout(Demand d, int tpnExact, int from, int k) {
        int left = d.tasks();
        for (int i = 0; i < k; i++) {
            chosenNodes[i] = keyNode(keys[from + i]);
            chosenTasks[i] = tpnExact > 0 ? tpnExact : 1;
            left -= chosenTasks[i];
        }
        for (int i = 0; i < k && left > 0; i++) {
            int more = Math.min(left, keyCap(keys[from + i]) - chosenTasks[i]);
            chosenTasks[i] += more;
            left -= more;
        }
        if (left != 0) throw new IllegalStateException("layout left " + left + " tasks unplaced");
        return k;
    }

    /** Builds the allocation of a job whose nodes and tasks are known (a reservation coming due). */
    Allocation allocate(Demand d, ResourceLedger l, int[] nodes, int[] tasks) {
        System.arraycopy(nodes, 0, chosenNodes, 0, nodes.length);
        System.arraycopy(tasks, 0, chosenTasks, 0, tasks.length);
        return build(d, l, nodes.length, true);
    }

    private Allocation build(Demand d, ResourceLedger l, int k, boolean pickUnits) {
        int[] nodes = new int[k];
        int[] tasks = new int[k];
        int[] cores = new int[k];
        long[] mem = new long[k];
        long[] gpus = new long[k];
        long[][] coreIds = new long[k][];
        for (int i = 0; i < k; i++) {
            int node = chosenNodes[i];
            int t = chosenTasks[i];
            nodes[i] = node;
            tasks[i] = t;
            cores[i] = d.coresFor(cluster, node, t);
            mem[i] = d.memFor(cluster, node, t);
            int g = d.gpusFor(cluster, node, t);
            if (pickUnits) {
                gpus[i] = l.pickGpus(node, g);
                coreIds[i] = cluster.coreBinding(node) ? l.pickCores(node, cores[i]) : null;
            } else {
                gpus[i] = g == 64 ? -1L : (1L << g) - 1;
            }
        }
        return Allocation.of(nodes, tasks, cores, mem, gpus, coreIds);
    }
}
