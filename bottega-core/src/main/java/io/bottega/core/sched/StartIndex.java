package io.bottega.core.sched;

import io.bottega.core.model.Cluster;
import io.bottega.core.model.Demand;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * An index over the {@link Profile} that lets the search for a job's earliest start skip the nodes that cannot
 * beat the best start found so far, instead of reading every eligible node's step function.
 *
 * <p>Nodes of the same shape (cores, GPUs, memory) form a class. For each class, a tree over its nodes
 * ({@link #ARITY} children an inner node, their entries side by side) holds, for a few <em>levels</em> of its
 * bottleneck resource (GPUs on GPU nodes; 1, 2, 4, ... cores and all of them on CPU nodes) and for each
 * <em>half octave</em> of duration (stretches of at least 2<sup>k</sup> or 1.5 &times; 2<sup>k</sup> seconds;
 * see {@link #octave}), the earliest instant at which a long enough stretch with that many free units begins
 * on the node (leaves), or on any node below (inner tree nodes: the minimum of the children), in seconds after
 * the pass's now. A job that needs {@code x} units for {@code dur} seconds
 * can only start on a node inside such a stretch of the highest level not above {@code x} and of the half
 * octave of {@code dur}, so that value, raised to {@code from}, is a lower bound of the node's earliest start.
 * The searches walk the tree least bound first and leave out every subtree whose bound passes what they look
 * for: a single-node job's search reads the nodes whose bound is at most the best start (ties go to the
 * tightest fit, so every node that may start as early is read), a multi-node job's search the nodes whose
 * bound comes before the instant it finds (see {@link #earliestCount}).
 * Every node they reach is checked exactly, on all resources, by the profile's own code — the index only
 * decides which nodes are read, never what is chosen, so a search gives what a scan of every node gives.
 *
 * <p>Kept up to date lazily: taking resources (a reservation) can only delay starts, so a leaf computed before
 * stays a lower bound; the node is marked and its leaf recomputed when a search reaches it — unless the take is at
 * or after the node's last breakpoint, where it only cuts the final free stretch of some levels and the leaf is
 * made exact at once (see {@link #taken}). Giving resources
 * back (a reservation moved, an advance reservation's window opened for its own jobs) recomputes the leaf before
 * the next search — except a job's own reservation, given back for the job to look for a better one: its nodes
 * are read exactly by that search, and recomputed after only if the job leaves them (it mostly takes the same
 * slot again, and the profile is then as it was). Built on the first search of a pass that is worth it (see
 * {@link Profile}), dropped when the profile is reset.
 */
final class StartIndex {
    /** Durations up to 2^24 s: stretches of 2^23 s (97 days) or more share the last entry. */
    static final int MAX_OCTAVES = 24;
    /**
     * Durations under this share the first entry (any stretch): no job asks for less than a minute or so, and
     * each entry kept costs in every refresh. Then one entry per half octave: [2^k, 1.5 &times; 2^k) and
     * [1.5 &times; 2^k, 2^(k+1)) seconds; half octave 2k + 1 of the second, so the first tracked (64 s) is 12.
     */
    static final long SHORTEST_TRACKED = 64;
    private static final int FIRST_HALF_OCTAVE = 12;
    private static final long INF = Long.MAX_VALUE;
    /** No such stretch (in a tree). */
    private static final int NONE = Integer.MAX_VALUE;
    /** The profile's now when the trees were built: they keep instants as seconds after it. */
    private long origin;

    private final Profile profile;
    private final Cluster cluster;
    private final NodeClass[] classes;
    /** Octaves kept: up to that of the longest time limit of any partition (no job's window is longer). */
    private final int octaves;
    private final int[] classOf;
    private final int[] posOf;
    /** Nodes that took resources since their leaf was computed: the leaf is still a lower bound, recomputed when reached. */
    private final boolean[] dirty;
    /** Nodes that gave resources back: their leaves are recomputed before the next search. */
    private final boolean[] stale;
    private int[] staleNodes = new int[16];
    private int staleCount;
    private boolean built;
    // per search
    private final int[] levelOf;
    private final int[] needCores;
    private final int[] needGpus;
    private final long[] needMem;
    private final boolean[] fitsEmpty;
    /**
     * The walk's queue of subtrees by bound: a radix heap. The bounds it hands out never decrease (a subtree's bound
     * is at most its children's), so a bound is filed by the highest bit where it differs from the last one handed
     * out — a push is an append — and only the lowest non-empty bucket is ever sorted out; most subtrees pushed are
     * never taken (their bound passes what the search looks for), and cost no more than their push.
     */
    private final long[][] bucketKeys = new long[65][];
    private final long[][] bucketItems = new long[65][];
    private final int[] bucketSize = new int[65];
    /** The non-empty buckets. */
    private long bucketMask;
    /** The last bound handed out: every bound in the queue is at least this (bucket 0: equal to it). */
    private long heapLast;
    private final int[] seen;
    private int seenGen;
    // scratch of a leaf's computation: per level, the half octaves marked so far and where the open stretch began
    private final int[] filled;
    private final long[] runStart;
    private int[] reached = new int[64];
    private int reachedCount;
    private long answered;

    /** Nodes of one shape and their tree. */
    private static final class NodeClass {
        final int[] nodes;
        final boolean byGpus;
        final int[] thresholds;
        /** Leaf slots (a power of {@link #ARITY}), the index of the first leaf (every one before is an inner node). */
        final int leaves, first;
        final int[] tree;
        final long[] mask;
        final int octaves;
        final int[] levelsOf;
        /** Per tree node, the flush of {@link #pendingUp} that last reached it. */
        int[] upMark;

        NodeClass(int[] nodes, boolean byGpus, int[] thresholds, int words, int octaves) {
            this.nodes = nodes;
            this.byGpus = byGpus;
            this.thresholds = thresholds;
            int l = 1;
            while (l < nodes.length) l *= ARITY;
            this.leaves = l;
            this.first = (l - 1) / (ARITY - 1);
            this.octaves = octaves;
            this.tree = new int[(first + 1) * ARITY * thresholds.length * octaves];
            this.mask = new long[words];
            for (int n : nodes) mask[n >> 6] |= 1L << n;
            int top = thresholds[thresholds.length - 1];
            levelsOf = new int[top + 1];
            for (int u = 0, lv = 0; u <= top; u++) {
                while (lv < thresholds.length && thresholds[lv] <= u) lv++;
                levelsOf[u] = lv;
            }
        }

        int width() { return thresholds.length * octaves; }

        /**
         * Where tree node {@code v}'s entries begin in {@link #tree}: the children of a node share a row, their
         * entries interleaved (entry {@code e} of v at {@code row(v) + ARITY * e}), so a step down the tree reads
         * every child's bound from one cache line. The root (0) has a row of its own.
         */
        int row(int v) { return v == 0 ? 0 : children(parent(v)) + ((v - 1) & (ARITY - 1)); }

        /** Where the row of node v's children begins (child j's entry e at {@code children(v) + ARITY * e + j}). */
        int children(int v) { return (v + 1) * ARITY * width(); }

        /** The tree node of the leaf at {@code pos}. */
        int leaf(int pos) { return first + pos; }

        /** Tree nodes in all (inner nodes and leaf slots). */
        int size() { return first + leaves; }

        /** How many levels {@code units} free units reach (the thresholds at most units). */
        int levelsUpTo(int units) {
            if (units <= 0) return 0;
            return units < levelsOf.length ? levelsOf[units] : thresholds.length;
        }

        /** The highest level whose threshold is at most {@code units}; -1 if none (the index cannot help). */
        int levelFor(int units) { return levelsUpTo(units) - 1; }
    }

    StartIndex(Profile profile, Cluster cluster) {
        this.profile = profile;
        this.cluster = cluster;
        int n = cluster.nodeCount();
        int words = (n + 63) >> 6;
        classOf = new int[n];
        posOf = new int[n];
        dirty = new boolean[n];
        stale = new boolean[n];
        pendingUp = new boolean[n];
        seen = new int[n];
        long longest = 1;
        for (var partition : cluster.partitions()) longest = Math.max(longest, partition.maxTimeLimit());
        octaves = Math.max(2, Math.min(2 * MAX_OCTAVES, 2 * (64 - Long.numberOfLeadingZeros(longest))) - FIRST_HALF_OCTAVE + 1);
        // classes in the order of their first node; members in node order
        Map<String, Integer> ids = new HashMap<>();
        int[] sizes = new int[n];
        for (int i = 0; i < n; i++) {
            String shape = cluster.cores(i) + "/" + cluster.gpus(i) + "/" + cluster.memoryMb(i);
            Integer id = ids.get(shape);
            if (id == null) {
                id = ids.size();
                ids.put(shape, id);
            }
            classOf[i] = id;
            posOf[i] = sizes[id]++;
        }
        classes = new NodeClass[ids.size()];
        int[][] members = new int[classes.length][];
        for (int ci = 0; ci < classes.length; ci++) members[ci] = new int[sizes[ci]];
        for (int i = 0; i < n; i++) members[classOf[i]][posOf[i]] = i;
        for (int ci = 0; ci < classes.length; ci++) {
            int first = members[ci][0];
            boolean byGpus = cluster.gpus(first) > 0;
            classes[ci] = new NodeClass(members[ci], byGpus, thresholds(byGpus ? cluster.gpus(first) : cluster.cores(first)), words, octaves);
        }
        int maxLevels = 0;
        for (NodeClass c : classes) maxLevels = Math.max(maxLevels, c.thresholds.length);
        filled = new int[maxLevels];
        runStart = new long[maxLevels];
        levelOf = new int[classes.length];
        needCores = new int[classes.length];
        needGpus = new int[classes.length];
        needMem = new long[classes.length];
        fitsEmpty = new boolean[classes.length];
    }

    /**
     * Children of an inner tree node: their entries for one level and duration fill 16 bytes, one cache line a
     * step down, and the tree is half as deep as a binary one (eight were slower). The walk ({@link #next}) and
     * {@link #minOfChildren} are written out for four.
     */
    static final int ARITY = 4;
    private static final int LOG_ARITY = 2;

    private static int parent(int v) { return (v - 1) >> LOG_ARITY; }

    private static int[] thresholds(int units) {
        if (units <= 8) {
            int[] t = new int[units];
            for (int i = 0; i < units; i++) t[i] = i + 1;
            return t;
        }
        int k = 0;
        while ((1 << (k + 1)) < units) k++;
        int[] t = new int[k + 2];
        for (int i = 0; i <= k; i++) t[i] = 1 << i;
        t[k + 1] = units;
        return t;
    }

    /** The entry of a duration: 0 under 64 s, then its half octave; the last one holds every longer duration too. */
    int octave(long len) {
        if (len < SHORTEST_TRACKED) return 0;
        int o = 63 - Long.numberOfLeadingZeros(len);
        int h = 2 * o + (len >= (1L << o) + (1L << (o - 1)) ? 1 : 0);
        return Math.min(h - FIRST_HALF_OCTAVE + 1, octaves - 1);
    }

    /** Forgets everything: the profile was reset. */
    void invalidate() {
        built = false;
        for (int i = 0; i < pendingCount; i++) pendingUp[pendingNodes[i]] = false;
        pendingCount = 0;
        ownCount = 0;
        earlier.clear();
        for (int i = 0; i < staleCount; i++) stale[staleNodes[i]] = false;
        staleCount = 0;
    }

    /** Searches the index has answered (for tests). */
    long answered() { return answered; }

    /**
     * A multi-node search as far as its answer goes: the same job shape (a {@link Demand} is a value) on the
     * same eligible nodes (the scheduler's array for them, by identity).
     */
    private record UniformSearch(Demand demand, long[] elig, int lo, int hi, int perNode, int nodes, long dur) {
        @Override
        public boolean equals(Object o) {
            return o instanceof UniformSearch k && k.elig == elig && k.lo == lo && k.hi == hi && k.perNode == perNode && k.nodes == nodes
                    && k.dur == dur && k.demand.equals(demand);
        }

        @Override
        public int hashCode() {
            // the eligible nodes are in elig's identity: hashing the demand's node set again would cost a pass over it
            int h = (System.identityHashCode(elig) * 31 + Long.hashCode(dur)) * 31 + nodes * 17 + perNode;
            return ((h * 31 + demand.tasks()) * 31 + demand.coresPerTask()) * 31 + demand.gpusPerTask() * 7 + demand.gpusPerNode()
                    + Long.hashCode(demand.memoryMb());
        }
    }

    /**
     * What each multi-node search of this pass learnt ({@link ShapeMemo}), kept while no resources are given back:
     * while the profile only loses resources, the same search from as late or later cannot be answered earlier,
     * so a repeated search starts its sweep at the last answer, and puts off the nodes the searches before it
     * found infeasible (jobs of the same shape are common: a conservative pass of 100,000 jobs makes ~28,000
     * multi-node searches of ~2,400 kinds).
     */
    private final HashMap<UniformSearch, ShapeMemo> earlier = new HashMap<>();

    /**
     * What the searches of one shape learnt: the last answer (and the {@code from} asked then), and for each node
     * they read, where its first feasible start at or after the search's {@code from} was (or a lower bound of
     * it), in seconds after {@link #origin}. While the profile only loses resources, no such start can come
     * earlier, so a later search of the shape from as late or later puts the node off to there instead of reading
     * it again (jobs of a shape reserve one after the other: the nodes the last one read but did not take mostly
     * stay infeasible up to the next one's answer).
     */
    private static final class ShapeMemo {
        long asked = Long.MIN_VALUE;
        long answer = Long.MIN_VALUE;
        long givenBack;
        /** The latest {@code from} of a search that read nodes into {@link #bounds}: they hold for any search from then on. */
        long readFrom = Long.MIN_VALUE;
        final NodeBounds bounds = new NodeBounds();
    }

    /**
     * Node → bound (seconds after {@link #origin}), open addressing with linear probing, each entry one long
     * (node + 1 in the high half, the bound in the low one): a lookup reads one cache line. Not the project's
     * {@link io.bottega.core.util.LongIntMap}: its keys and values in two arrays and its scattering hash made the
     * first conservative pass ~10% slower (1.12 against 1.02 s of CPU on one lane, 2026-11-28).
     */
    static final class NodeBounds {
        private long[] slots = new long[64];
        private int size;

        /** The bound of {@code node}, or -1. */
        int get(int node) {
            int mask = slots.length - 1;
            long key = node + 1L;
            for (int i = hash(node) & mask; ; i = (i + 1) & mask) {
                long e = slots[i];
                if (e == 0) return -1;
                if (e >>> 32 == key) return (int) e;
            }
        }

        void put(int node, int bound) {
            if (2 * (size + 1) > slots.length) grow();
            int mask = slots.length - 1;
            long key = node + 1L;
            for (int i = hash(node) & mask; ; i = (i + 1) & mask) {
                long e = slots[i];
                if (e == 0) size++;
                else if (e >>> 32 != key) continue;
                slots[i] = key << 32 | (bound & 0xFFFFFFFFL);
                return;
            }
        }

        void clear() {
            if (size == 0) return;
            Arrays.fill(slots, 0);
            size = 0;
        }

        private void grow() {
            long[] old = slots;
            slots = new long[old.length * 2];
            int mask = slots.length - 1;
            for (long e : old) {
                if (e == 0) continue;
                int i = hash((int) (e >>> 32) - 1) & mask;
                while (slots[i] != 0) i = (i + 1) & mask;
                slots[i] = e;
            }
        }

        /** A node's id is its own hash: the walk reads neighbouring nodes one after the other, so are their slots. */
        private static int hash(int node) { return node; }
    }

    /** Give-backs so far (a give-back can make any search's answer earlier). */
    private long givenBack;

    /**
     * The profile changed on {@code node}: {@code gaveBack} when resources were given back there, {@code own}
     * when by the job about to search (see {@link Profile#unreserveOwn}).
     */
    void changed(int node, boolean gaveBack, boolean own) {
        if (gaveBack) givenBack++;
        if (!built) return;
        if (gaveBack && own) {
            // read exactly by the coming search, whatever its entries say; recomputed after only if the job moves
            if (!own(node)) {
                if (ownCount == ownNodes.length) {
                    ownNodes = Arrays.copyOf(ownNodes, ownCount * 2);
                    ownWasDirty = Arrays.copyOf(ownWasDirty, ownCount * 2);
                }
                ownWasDirty[ownCount] = dirty[node];
                ownNodes[ownCount++] = node;
            }
        } else if (gaveBack) {
            if (!stale[node]) {
                stale[node] = true;
                if (staleCount == staleNodes.length) staleNodes = Arrays.copyOf(staleNodes, staleCount * 2);
                staleNodes[staleCount++] = node;
            }
        } else {
            dirty[node] = true;
        }
    }

    /**
     * The profile took {@code cores} and {@code gpus} of the node over [from, to) ({@code i}: the breakpoint at from,
     * the profile's values not yet changed). A take leaves every entry a lower bound, so the node is marked, to be
     * recomputed when a search reaches it — except where its entries can be made exact at once: a take of none of
     * its class's bottleneck changes none of them, and a take at or after the node's last breakpoint ({@code after})
     * only cuts the final stretch of the levels it brings below their threshold, at from until to (how a first pass
     * books most nodes: each reservation after the ones before). Then only the entries of that stretch move.
     */
    void taken(int node, int i, long from, long to, int cores, int gpus, boolean after) {
        if (!built) return;
        NodeClass c = classes[classOf[node]];
        int units = c.byGpus ? gpus : cores;
        if (units == 0) return;
        if (!after || dirty[node] || stale[node] || (ownCount > 0 && own(node)) || !cutFinal(c, node, i, from, to, units)) {
            changed(node, false, false);
        }
    }

    /** Cuts the final stretch of the levels a take at or after the node's last breakpoint brings below their threshold. */
    private boolean cutFinal(NodeClass c, int node, int i, long from, long to, int units) {
        Profile p = profile;
        long[] st = p.steps[node];
        final int stride = Profile.STRIDE;
        boolean byGpus = c.byGpus;
        int last = units(st[stride * i + 1], byGpus);
        int before = c.levelsUpTo(last), during = c.levelsUpTo(last - units);
        if (during >= before) return true;
        int pos = posOf[node];
        int w = c.width();
        int leafAt = c.row(c.leaf(pos));
        int[] tree = c.tree;
        if (oldLeaf.length < w) oldLeaf = new int[w]; // (to restore the leaf if a level cannot be cut)
        for (int e = 0; e < w; e++) oldLeaf[e] = tree[leafAt + ARITY * e];
        int newStart = to == INF ? NONE : rel(to);
        for (int l = during; l < before; l++) {
            int th = c.thresholds[l];
            int k = i - 1;
            while (k >= 0 && units(st[stride * k + 1], byGpus) >= th) k--;
            long h = st[stride * (k + 1)]; // where the level's final stretch begins
            int rh = rel(h);
            if (rh >= NONE - 1) {
                for (int e = 0; e < w; e++) tree[leafAt + ARITY * e] = oldLeaf[e];
                return false; // too far to tell the stretch's entries apart: recomputed when reached
            }
            int g = from > h ? octave(from - h) : -1; // what is left before from counts for durations up to g
            int off = leafAt + ARITY * l * octaves;
            for (int o = g + 1; o < octaves; o++) if (tree[off + ARITY * o] == rh) tree[off + ARITY * o] = newStart;
        }
        if (!pendingUp[node]) {
            pendingUp[node] = true;
            if (pendingCount == pendingNodes.length) pendingNodes = Arrays.copyOf(pendingNodes, pendingCount * 2);
            pendingNodes[pendingCount++] = node;
        }
        return true;
    }

    /**
     * Nodes whose leaf a take changed in place and whose tree above has not been told yet: the entries above are
     * lower than they should be until then, still lower bounds. Carried up together before the next search, so
     * the nodes of one reservation share the work on their common ancestors.
     */
    private boolean[] pendingUp;
    private int[] pendingNodes = new int[64];
    private int pendingCount;
    private int upGen;
    private int[] upCur = new int[64];
    private int[] upNext = new int[64];

    /** Carries the leaves of {@link #pendingNodes} up their trees, each inner node once a level. */
    private void flushUp() {
        if (++upGen == 0) {
            for (NodeClass c : classes) if (c.upMark != null) Arrays.fill(c.upMark, 0);
            upGen = 1;
        }
        for (int ci = 0; ci < classes.length; ci++) {
            NodeClass c = classes[ci];
            int m = 0;
            for (int i = 0; i < pendingCount; i++) {
                int node = pendingNodes[i];
                if (classOf[node] != ci) continue;
                if (m == upCur.length) upCur = Arrays.copyOf(upCur, m * 2);
                upCur[m++] = c.leaf(posOf[node]);
            }
            if (m == 0) continue;
            if (c.upMark == null) c.upMark = new int[c.size()];
            int w = c.width();
            int[] tree = c.tree;
            while (m > 0) {
                int k = 0;
                for (int i = 0; i < m; i++) {
                    if (upCur[i] == 0) continue;
                    int v = parent(upCur[i]);
                    if (c.upMark[v] == upGen) continue;
                    c.upMark[v] = upGen;
                    int a = c.children(v), o = c.row(v); // (the children side by side: a + ARITY * e + j)
                    boolean changed = false;
                    for (int e = 0; e < w; e++) {
                        int x = minOfChildren(tree, a + ARITY * e);
                        if (tree[o + ARITY * e] != x) {
                            tree[o + ARITY * e] = x;
                            changed = true;
                        }
                    }
                    if (changed) {
                        if (k == upNext.length) upNext = Arrays.copyOf(upNext, k * 2);
                        upNext[k++] = v;
                    }
                }
                int[] t = upCur;
                upCur = upNext;
                upNext = t;
                m = k;
            }
        }
        for (int i = 0; i < pendingCount; i++) pendingUp[pendingNodes[i]] = false;
        pendingCount = 0;
    }

    /** The nodes of the searching job's own reservation, given back (at most a few). */
    private int[] ownNodes = new int[16];
    /** Whether each of them was marked before its job gave the reservation back (the same slot taken again: as before). */
    private boolean[] ownWasDirty = new boolean[16];
    private int ownCount;

    private boolean own(int node) {
        for (int i = 0; i < ownCount; i++) if (ownNodes[i] == node) return true;
        return false;
    }

    /**
     * The job whose own reservation was given back has reserved again. The same slot: the profile is as it was,
     * and its nodes' entries (computed before, or during its search: lower then) still hold. Another: the nodes
     * it left gave resources back for good, and are recomputed before the next search.
     */
    void ownGiveBackDone(boolean same) {
        int n = ownCount;
        ownCount = 0;
        if (same) {
            // taking the slot again marked its nodes; their entries are what they were (or lower, if recomputed
            // meanwhile: still lower bounds), so they need no recomputing unless they did before
            for (int i = 0; i < n; i++) dirty[ownNodes[i]] = ownWasDirty[i];
            return;
        }
        for (int i = 0; i < n; i++) changed(ownNodes[i], true, false);
    }

    private void build() {
        origin = profile.now;
        for (NodeClass c : classes) {
            int w = c.width();
            // leaves beyond the last node never hold a start; every other entry is written below
            for (int pos = c.nodes.length; pos < c.leaves; pos++) {
                int r = c.row(c.leaf(pos));
                for (int e = 0; e < w; e++) c.tree[r + ARITY * e] = NONE;
            }
            for (int pos = 0; pos < c.nodes.length; pos++) leaf(c, pos);
            for (int v = c.first - 1; v >= 0; v--) combine(c, v, w);
        }
        Arrays.fill(dirty, false); // (nothing is stale: changes are not recorded while the index is not built)
        built = true;
    }

    private static void combine(NodeClass c, int v, int w) {
        int[] tree = c.tree;
        int a = c.children(v), o = c.row(v);
        for (int i = 0; i < w; i++) tree[o + ARITY * i] = minOfChildren(tree, a + ARITY * i);
    }

    /** The least of the {@link #ARITY} children's entries that begin at {@code at}. */
    private static int minOfChildren(int[] tree, int at) {
        return Math.min(Math.min(tree[at], tree[at + 1]), Math.min(tree[at + 2], tree[at + 3]));
    }

    private int[] oldLeaf = new int[0];
    private int[] changedEntries = new int[0];

    /** Recomputes a node's leaf from the profile, and above it the entries that changed, as far as they change. */
    private void refresh(int node) {
        NodeClass c = classes[classOf[node]];
        int pos = posOf[node];
        int w = c.width();
        int leafAt = c.row(c.leaf(pos));
        if (oldLeaf.length < w) oldLeaf = new int[w];
        if (changedEntries.length < w) changedEntries = new int[w];
        int[] tree = c.tree;
        for (int e = 0; e < w; e++) oldLeaf[e] = tree[leafAt + ARITY * e];
        leaf(c, pos);
        dirty[node] = false;
        propagate(c, pos, w);
    }

    /** Carries the entries of a leaf that differ from {@link #oldLeaf} up its tree, as far as they change. */
    private void propagate(NodeClass c, int pos, int w) {
        int[] tree = c.tree;
        int leafAt = c.row(c.leaf(pos));
        int n = 0;
        for (int i = 0; i < w; i++) if (tree[leafAt + ARITY * i] != oldLeaf[i]) changedEntries[n++] = i;
        for (int u = c.leaf(pos); u > 0 && n > 0; u = parent(u)) {
            int v = parent(u);
            int a = c.children(v), o = c.row(v);
            int kept = 0;
            for (int j = 0; j < n; j++) {
                int i = changedEntries[j];
                int m = minOfChildren(tree, a + ARITY * i);
                if (tree[o + ARITY * i] != m) {
                    tree[o + ARITY * i] = m;
                    changedEntries[kept++] = i;
                }
            }
            n = kept;
        }
    }

    /** The leaf of one node: for each level and octave, where the first long enough free stretch begins. */
    private void leaf(NodeClass c, int pos) {
        int node = c.nodes[pos];
        int w = c.width();
        int base = c.row(c.leaf(pos));
        int[] tree = c.tree;
        for (int e = 0; e < w; e++) tree[base + ARITY * e] = NONE;
        Profile p = profile;
        int levels = c.thresholds.length;
        int[] filled = this.filled;
        long[] runStart = this.runStart;
        Arrays.fill(filled, 0, levels, -1);
        int open; // the levels 0 .. open-1 are in a free stretch, begun at runStart[level]
        if (!p.isTouched(node)) {
            open = c.levelsUpTo(c.byGpus ? Long.bitCount(p.ledger.freeGpus[node]) : p.ledger.freeCores[node]);
            for (int l = 0; l < open; l++) mark(tree, base + ARITY * l * octaves, -1, rel(p.now), octaves - 1);
            return;
        }
        int len = p.len[node];
        long[] st = p.steps[node];
        final int stride = Profile.STRIDE;
        boolean byGpus = c.byGpus;
        open = 0;
        // one walk for every level: a change of the free units opens or closes the stretches of the levels it crosses
        for (int k = 0; k < len; k++) {
            int now = c.levelsUpTo(units(st[stride * k + 1], byGpus));
            if (now == open) continue;
            long t = st[stride * k];
            if (now > open) {
                for (int l = open; l < now; l++) runStart[l] = t;
            } else {
                for (int l = now; l < open; l++) filled[l] = mark(tree, base + ARITY * l * octaves, filled[l], rel(runStart[l]), octave(t - runStart[l]));
            }
            open = now;
        }
        for (int l = 0; l < open; l++) mark(tree, base + ARITY * l * octaves, filled[l], rel(runStart[l]), octaves - 1);
    }

    /** A class's bottleneck units in a breakpoint's free cores and GPUs ({@link Profile#coresAndGpus}). */
    private static int units(long coresAndGpus, boolean byGpus) {
        return byGpus ? Profile.gpusOf(coresAndGpus) : Profile.coresOf(coresAndGpus);
    }

    /** An instant as the trees keep it: seconds after {@link #origin}, at most just under {@link #NONE}. */
    private int rel(long t) {
        long r = t - origin;
        return r >= NONE - 1 ? NONE - 1 : (int) r;
    }

    private static int mark(int[] tree, int off, int filled, int start, int oct) {
        for (int o = filled + 1; o <= oct; o++) tree[off + ARITY * o] = start;
        return Math.max(filled, oct);
    }

    private void flushStale() {
        for (int i = 0; i < staleCount; i++) {
            int node = staleNodes[i];
            stale[node] = false;
            refresh(node);
        }
        staleCount = 0;
    }

    /**
     * Prepares a search: the level of each class the job may use, from the units it needs on one of its nodes
     * ({@code perNode} tasks). False when the index cannot bound this job (it needs none of a class's bottleneck
     * resource, or no class holds an eligible node).
     */
    private boolean prepare(Demand d, long[] elig, int lo, int hi, int perNode) {
        if (!built) build();
        else {
            if (pendingCount > 0) flushUp();
            if (staleCount > 0) flushStale();
        }
        boolean any = false;
        for (int ci = 0; ci < classes.length; ci++) {
            NodeClass c = classes[ci];
            levelOf[ci] = -1;
            boolean meets = false;
            for (int wd = lo; wd < hi && !meets; wd++) meets = (elig[wd] & c.mask[wd]) != 0;
            if (!meets) continue;
            int first = c.nodes[0];
            int units = c.byGpus ? d.gpusFor(cluster, first, perNode) : d.coresFor(cluster, first, perNode);
            int l = c.levelFor(units);
            if (l < 0) return false;
            levelOf[ci] = l;
            any = true;
        }
        if (!any) return false;
        tieCut = NO_CUT;
        if (++seenGen == 0) {
            Arrays.fill(seen, 0);
            seenGen = 1;
        }
        reachedCount = 0;
        return true;
    }

    /** A tree entry as a bound of starts from {@code from}. */
    private long bound(int r, long from) {
        long b = r == NONE ? INF : origin + r;
        return Math.max(b, from);
    }

    private long key(int ci, int v, int oct, long from) {
        NodeClass c = classes[ci];
        return bound(c.tree[c.row(v) + ARITY * (levelOf[ci] * octaves + oct)], from);
    }

    private void pushRoots(int oct, long from, long limit) {
        while (bucketMask != 0) {
            bucketSize[Long.numberOfTrailingZeros(bucketMask)] = 0;
            bucketMask &= bucketMask - 1;
        }
        heapLast = from; // (every bound is at least from)
        for (int ci = 0; ci < classes.length; ci++) {
            if (levelOf[ci] < 0) continue;
            long k = key(ci, 0, oct, from);
            if (k <= limit) push(k, item(ci, 0)); // (the root: tree node 0)
        }
    }

    /**
     * The next eligible node in the order of the bound, with its bound at most {@code limit}, or -1. Inner
     * nodes are opened on the way; a leaf whose node changed since it was computed is recomputed and put back
     * if its bound grew. The bound of the node returned is {@link #lastKey}.
     */
    private int next(long[] elig, int lo, int hi, int oct, long from, long limit) {
        while (true) {
            long k = peekKey();
            if (k > limit) return -1; // (INF when none is left)
            long item = popLeast();
            int ci = (int) (item >>> 32), v = (int) item;
            NodeClass c = classes[ci];
            if (k == limit && tieCut != NO_CUT && firstNode(c, v) > tieCut) continue;
            // go down towards the least bound at once, leaving the other children for later (the leftmost on a tie)
            int entry = ARITY * (levelOf[ci] * octaves + oct);
            while (v < c.first) {
                int at = c.children(v) + entry; // every child's bound, side by side
                long k0 = bound(c.tree[at], from), k1 = bound(c.tree[at + 1], from);
                long k2 = bound(c.tree[at + 2], from), k3 = bound(c.tree[at + 3], from);
                long kn = Math.min(Math.min(k0, k1), Math.min(k2, k3));
                int nearJ = k0 == kn ? 0 : k1 == kn ? 1 : k2 == kn ? 2 : 3;
                int child = ARITY * v + 1;
                // the others, right to left: of those tied, the leftmost is taken first
                if (nearJ != 3) offer(c, ci, child + 3, k3, limit);
                if (nearJ != 2) offer(c, ci, child + 2, k2, limit);
                if (nearJ != 1) offer(c, ci, child + 1, k1, limit);
                if (nearJ != 0) offer(c, ci, child, k0, limit);
                int near = child + nearJ;
                if (kn > limit || kn == limit && tieCut != NO_CUT && firstNode(c, near) > tieCut) break;
                v = near;
                k = kn;
            }
            if (v < c.first) continue;
            int pos = v - c.first;
            if (pos >= c.nodes.length) continue;
            int node = c.nodes[pos];
            if (!eligible(node, elig, lo, hi)) continue;
            if (ownCount > 0 && own(node)) continue; // read before the walk
            if (dirty[node]) {
                refresh(node);
                long nk = key(ci, v, oct, from);
                if (nk > k) {
                    if (nk <= limit) push(nk, item(ci, v));
                    continue;
                }
            }
            lastKey = k;
            return node;
        }
    }

    private long lastKey;

    /**
     * The single-node search's cut of ties: once the best start is held by a node of the tightest fit any node
     * could give, another node starting as early wins only with a lower id, so the subtrees whose bound is the
     * best start and whose nodes all have higher ids are left out (ties are many: jobs on several nodes end
     * together). {@link #NO_CUT} otherwise.
     */
    private int tieCut = NO_CUT;
    private static final int NO_CUT = Integer.MAX_VALUE;
    /** The tightest fit ({@link Profile#fitKey}) any eligible node could give the single-node search's job. */
    private int tightestFit;

    /** Queues a subtree the walk passes by, unless its bound passes the limit (or ties it past the cut of ties). */
    private void offer(NodeClass c, int ci, int v, long k, long limit) {
        if (k < limit || k == limit && (tieCut == NO_CUT || firstNode(c, v) <= tieCut)) push(k, item(ci, v));
    }

    /** An entry of the walk's queue: tree node {@code v} of class {@code ci}. */
    private static long item(int ci, int v) { return (long) ci << 32 | v; }

    /** The id of the first node below tree node {@code v} of class {@code c}; NO_CUT when none. */
    private static int firstNode(NodeClass c, int v) {
        while (v < c.first) v = ARITY * v + 1;
        int pos = v - c.first;
        return pos < c.nodes.length ? c.nodes[pos] : NO_CUT;
    }

    /** The least bound still to be reached, INF when none (least bound first only). */
    private long peekKey() {
        if (bucketSize[0] > 0) return heapLast;
        if (bucketMask == 0) return INF;
        // the lowest non-empty bucket: its least bound is the next one; the others in it go to lower buckets
        int b = Long.numberOfTrailingZeros(bucketMask);
        long[] ks = bucketKeys[b];
        long[] items = bucketItems[b];
        int n = bucketSize[b];
        long m = ks[0];
        for (int i = 1; i < n; i++) m = Math.min(m, ks[i]);
        heapLast = m;
        bucketSize[b] = 0;
        bucketMask &= ~(1L << b);
        for (int i = 0; i < n; i++) push(ks[i], items[i]); // (each to a bucket below b: not this one)
        return m;
    }

    /** Takes a subtree of the least bound ({@link #peekKey} first: it is then {@link #heapLast}). */
    private long popLeast() {
        int n = --bucketSize[0];
        if (n == 0) bucketMask &= ~1L;
        return bucketItems[0][n];
    }

    /**
     * The single-node search of {@link Profile#earliest}: the earliest start on one eligible node, then the
     * tightest fit, then the lowest node id. Null when the index cannot bound this job (the caller scans).
     * A found node of -1 means none can start by {@code until} (INF: none ever fits).
     */
    long[] earliestSingle(Demand d, long[] elig, int lo, int hi, long from, long dur, long until) {
        int t = d.tasks();
        if (!prepare(d, elig, lo, hi, t)) return null;
        answered++;
        int oct = octave(dur);
        // every node whose bound is at most the best start is read; in the order of the bounds, no other one is
        pushRoots(oct, from, INF - 1);
        best = until; // a node that can start by then is taken (the fit of none is Integer.MAX_VALUE)
        bestNode = -1;
        bestFit = Integer.MAX_VALUE;
        tightestFit = Integer.MAX_VALUE;
        for (int ci = 0; ci < classes.length; ci++) {
            if (levelOf[ci] < 0) continue;
            int first = classes[ci].nodes[0]; // (no fit below what the job needs of a node of the shape)
            int fit = classes[ci].byGpus ? d.gpusFor(cluster, first, t) : (1 << 16) + d.coresFor(cluster, first, t);
            tightestFit = Math.min(tightestFit, fit);
        }
        // first the nodes of the job's own reservation, given back for this search, read from the start: their
        // entries may be later than what is free there now
        for (int i = 0; i < ownCount; i++) if (eligible(ownNodes[i], elig, lo, hi)) consider(d, ownNodes[i], t, from, dur);
        int node;
        // no start on a node before its bound: its profile is read from there
        while ((node = next(elig, lo, hi, oct, from, best == INF ? INF - 1 : best)) >= 0) consider(d, node, t, lastKey, dur);
        return new long[] {best, bestNode};
    }

    // the single-node search's best so far
    private long best;
    private int bestNode;
    private int bestFit;

    /** Reads one node for the single-node search: its earliest start from {@code from}, if not later than the best. */
    private void consider(Demand d, int node, int tasks, long from, long dur) {
        long s = profile.earliestOnNode(d, node, tasks, from, dur, best);
        if (s == INF) return;
        int fit = profile.fitKey(d, node, s, dur);
        if (s < best || (s == best && (fit < bestFit || (fit == bestFit && node < bestNode)))) {
            best = s;
            bestNode = node;
            bestFit = fit;
            tieCut = fit == tightestFit ? node : NO_CUT;
        }
    }

    /**
     * The search of {@link Profile}'s earliestCount: the first instant ≥ from at which {@code nodes} eligible
     * nodes can each hold {@code perNode} tasks for dur. Nodes are read in the order of their bound; the sweep
     * over the feasible intervals read so far is final once the instant it finds comes before the bound of
     * every node not read yet. Exact up to {@code until}: when there is no such instant by then, some later
     * instant or INF. Returns null when the index cannot bound this job; the nodes read are then
     * {@link #reached()} (every node feasible at the returned instant, if by {@code until}, is among them).
     */
    long[] earliestCount(Demand d, long[] elig, int lo, int hi, long from, long dur, long until, int perNode, int nodes) {
        if (!prepare(d, elig, lo, hi, perNode)) return null;
        answered++;
        for (int ci = 0; ci < classes.length; ci++) {
            if (levelOf[ci] < 0) continue;
            int first = classes[ci].nodes[0]; // what the tasks need is the same on every node of a shape
            needCores[ci] = d.coresFor(cluster, first, perNode);
            needGpus[ci] = d.gpusFor(cluster, first, perNode);
            needMem[ci] = d.memFor(cluster, first, perNode);
            fitsEmpty[ci] = d.capacityOnEmptyNode(cluster, first) >= perNode;
        }
        UniformSearch search = new UniformSearch(d, elig, lo, hi, perNode, nodes, dur);
        long asked = from;
        ShapeMemo memo = earlier.get(search);
        if (memo == null) earlier.put(search, memo = new ShapeMemo());
        if (memo.givenBack != givenBack) {
            // resources came back since: what it learnt may be too late now
            memo.givenBack = givenBack;
            memo.answer = Long.MIN_VALUE;
            memo.bounds.clear();
        } else if (from >= memo.asked && memo.answer > from) from = memo.answer;
        if (from < memo.readFrom) memo.bounds.clear(); // (nodes read from later: nothing said before that)
        memo.readFrom = from;
        NodeBounds bounds = memo.bounds;
        int oct = octave(dur);
        pushRoots(oct, from, INF - 1);
        Profile p = profile;
        int ne = 0;
        int sorted = 0; // events [0, sorted) were sorted by the last sweep
        int always = 0;
        int nextSweep = nodes;
        // once a sweep finds an instant, no node whose bound is later can make it earlier; nor can one past until help
        long enough = Math.min(until, INF - 1);
        int own = 0;
        while (true) {
            int node;
            long readFrom;
            if (own < ownCount) {
                // first the nodes of the job's own reservation, given back for this search, read from the start: their
                // entries may be later than what is free there now
                node = ownNodes[own++];
                if (!eligible(node, elig, lo, hi)) continue;
                readFrom = from;
            } else {
                node = reachedCount >= nextSweep ? -1 : next(elig, lo, hi, oct, from, enough);
                readFrom = lastKey; // no start on a node before its bound
                if (node >= 0 && seen[node] != seenGen) {
                    int r = bounds.get(node);
                    long b = r < 0 ? -1 : r == NONE ? INF : origin + r;
                    if (b > readFrom) {
                        // an earlier search of the shape found no feasible start before b: put off to there
                        if (b <= enough) push(b, item(classOf[node], classes[classOf[node]].leaf(posOf[node])));
                        continue;
                    }
                }
            }
            if (node < 0) {
                long x = peekKey();
                if (x > enough) x = INF;
                long t = p.sweep(ne, sorted, always, nodes, from);
                sorted = ne;
                if (t < x) {
                    // (an instant past until may come from some of the nodes only: no lower bound for the next search)
                    if (t <= until) {
                        memo.asked = asked;
                        memo.answer = t;
                    }
                    return new long[] {t};
                }
                if (x == INF) return new long[] {INF};
                if (t < enough) enough = t;
                nextSweep = Math.max(nextSweep, reachedCount) * 2;
                continue;
            }
            if (seen[node] == seenGen) continue;
            seen[node] = seenGen;
            if (reachedCount == reached.length) reached = Arrays.copyOf(reached, reachedCount * 2);
            reached[reachedCount++] = node;
            int ci = classOf[node];
            if (!p.isTouched(node)) {
                if (p.untouchedHolds(d, node, perNode)) always++;
            } else if (fitsEmpty[ci]) {
                ne = p.feasibleIntervals(node, needCores[ci], needGpus[ci], needMem[ci], readFrom, dur, ne, enough);
                long b = p.firstFeasible;
                if (b > readFrom) bounds.put(node, b == INF ? NONE : rel(b));
            } else {
                bounds.put(node, NONE);
            }
        }
    }

    private static boolean eligible(int node, long[] elig, int lo, int hi) {
        int wd = node >> 6;
        return wd >= lo && wd < hi && (elig[wd] & (1L << node)) != 0;
    }

    /** The nodes the last {@link #earliestCount} read, sorted by id. */
    int[] reached() {
        int[] r = Arrays.copyOf(reached, reachedCount);
        Arrays.sort(r);
        return r;
    }

    /** Queues a subtree by its bound, at least {@link #heapLast}. */
    private void push(long k, long item) {
        int b = k == heapLast ? 0 : 64 - Long.numberOfLeadingZeros(k ^ heapLast);
        int n = bucketSize[b];
        long[] ks = bucketKeys[b];
        if (ks == null) {
            bucketKeys[b] = ks = new long[16];
            bucketItems[b] = new long[16];
        } else if (n == ks.length) {
            bucketKeys[b] = ks = Arrays.copyOf(ks, n * 2);
            bucketItems[b] = Arrays.copyOf(bucketItems[b], n * 2);
        }
        ks[n] = k;
        bucketItems[b][n] = item;
        bucketSize[b] = n + 1;
        bucketMask |= 1L << b;
    }
}
