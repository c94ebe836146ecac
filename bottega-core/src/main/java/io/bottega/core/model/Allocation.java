package io.bottega.core.model;

import java.util.Arrays;

/**
 * Where a job runs, down to units: for each node, the tasks it runs there, the cores (and which core ids,
 * on nodes that bind cores), the memory, and which GPU indices. Immutable; arrays are never exposed.
 */
public final class Allocation {
    private static final long[] NO_CORE_IDS = new long[0];

    private final int[] nodes;
    private final int[] tasks;
    private final int[] cores;
    private final long[] memMb;
    private final long[] gpuMask;
    private final long[][] coreIds;

    private Allocation(int[] nodes, int[] tasks, int[] cores, long[] memMb, long[] gpuMask, long[][] coreIds) {
        this.nodes = nodes;
        this.tasks = tasks;
        this.cores = cores;
        this.memMb = memMb;
        this.gpuMask = gpuMask;
        this.coreIds = coreIds;
    }

    /** Builds an allocation from per-node arrays; takes ownership of them. {@code coreIds[i]} may be empty. */
    public static Allocation of(int[] nodes, int[] tasks, int[] cores, long[] memMb, long[] gpuMask, long[][] coreIds) {
        int n = nodes.length;
        if (n == 0) throw new IllegalArgumentException("allocation must have a node");
        if (tasks.length != n || cores.length != n || memMb.length != n || gpuMask.length != n || coreIds.length != n) {
            throw new IllegalArgumentException("allocation arrays must have one entry per node");
        }
        for (int i = 0; i < n; i++) if (coreIds[i] == null) coreIds[i] = NO_CORE_IDS;
        return new Allocation(nodes, tasks, cores, memMb, gpuMask, coreIds);
    }

    /** One node, counts only (no core ids), GPUs 0..gpus-1. */
    public static Allocation single(int node, int tasks, int cores, long memMb, int gpus) {
        return of(new int[] {node}, new int[] {tasks}, new int[] {cores}, new long[] {memMb},
                new long[] {gpus == 64 ? -1L : (1L << gpus) - 1}, new long[][] {NO_CORE_IDS});
    }

    public int nodeCount() { return nodes.length; }
    public int node(int i) { return nodes[i]; }
    public int tasks(int i) { return tasks[i]; }
    public int cores(int i) { return cores[i]; }
    public long memMb(int i) { return memMb[i]; }
    public long gpuMask(int i) { return gpuMask[i]; }
    public int gpus(int i) { return Long.bitCount(gpuMask[i]); }

    /** The core ids on the i-th node as a bitmap (empty when the node does not bind cores). */
    public long[] coreIds(int i) { return coreIds[i].clone(); }

    /** The core id bitmap itself, for the scheduler's hot path: callers must not modify it. */
    public long[] coreIdsUnsafe(int i) { return coreIds[i]; }

    public int[] nodes() { return nodes.clone(); }

    public int totalTasks() {
        int s = 0;
        for (int t : tasks) s += t;
        return s;
    }

    public long totalCores() {
        long s = 0;
        for (int c : cores) s += c;
        return s;
    }

    public int totalGpus() {
        int s = 0;
        for (long g : gpuMask) s += Long.bitCount(g);
        return s;
    }

    public long totalMemMb() {
        long s = 0;
        for (long m : memMb) s += m;
        return s;
    }

    /** The GPU indices on the i-th node, comma-separated, as {@code CUDA_VISIBLE_DEVICES} wants them. */
    public String gpuList(int i) {
        return bitList(new long[] {gpuMask[i]});
    }

    /** The core ids on the i-th node as a list with ranges ({@code 0-3,8}), as cpusets want them. */
    public String coreList(int i) {
        return rangeList(coreIds[i]);
    }

    static String bitList(long[] bits) {
        StringBuilder b = new StringBuilder();
        for (int w = 0; w < bits.length; w++) {
            long x = bits[w];
            while (x != 0) {
                if (!b.isEmpty()) b.append(',');
                b.append((w << 6) + Long.numberOfTrailingZeros(x));
                x &= x - 1;
            }
        }
        return b.toString();
    }

    static String rangeList(long[] bits) {
        StringBuilder b = new StringBuilder();
        int total = bits.length * 64;
        int i = 0;
        while (i < total) {
            if ((bits[i >> 6] & (1L << i)) == 0) { i++; continue; }
            int j = i;
            while (j + 1 < total && (bits[(j + 1) >> 6] & (1L << (j + 1))) != 0) j++;
            if (!b.isEmpty()) b.append(',');
            b.append(i);
            if (j > i) b.append('-').append(j);
            i = j + 1;
        }
        return b.toString();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Allocation a)) return false;
        return Arrays.equals(nodes, a.nodes) && Arrays.equals(tasks, a.tasks) && Arrays.equals(cores, a.cores)
                && Arrays.equals(memMb, a.memMb) && Arrays.equals(gpuMask, a.gpuMask) && Arrays.deepEquals(coreIds, a.coreIds);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(nodes) * 31 + Arrays.hashCode(gpuMask) * 17 + Arrays.hashCode(cores);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("Allocation[");
        for (int i = 0; i < nodes.length; i++) {
            if (i > 0) b.append("; ");
            b.append("node ").append(nodes[i]).append(": ").append(tasks[i]).append(" tasks, ").append(cores[i])
                    .append(" cores");
            if (coreIds[i].length > 0) b.append(" {").append(coreList(i)).append('}');
            b.append(", ").append(memMb[i]).append(" MB");
            if (gpuMask[i] != 0) b.append(", gpus {").append(gpuList(i)).append('}');
        }
        return b.append(']').toString();
    }
}
