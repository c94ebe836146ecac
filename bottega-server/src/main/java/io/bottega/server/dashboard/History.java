package io.bottega.server.dashboard;

/**
 * Utilisation and queue length over the last hours: a ring buffer of samples, one every sample interval
 * (10 s for 6 h by default: 2,160 samples, 86 KB). Written by one sampler thread, read by request threads.
 */
public final class History {
    /** One sample: when (epoch ms), cores and GPUs in use, nodes up, jobs pending and running. */
    public record Sample(long timeMillis, long coresAlloc, long gpusAlloc, int nodesUp, int pending, int running) {}

    /** Samples oldest first, as columns (what the charts draw). */
    public record Columns(long[] time, long[] coresAlloc, long[] gpusAlloc, int[] nodesUp, int[] pending, int[] running) {
        public int size() { return time.length; }
    }

    private final long[] time;
    private final long[] cores;
    private final long[] gpus;
    private final int[] nodesUp;
    private final int[] pending;
    private final int[] running;
    private int next;
    private int size;

    public History(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("history capacity must be positive");
        time = new long[capacity];
        cores = new long[capacity];
        gpus = new long[capacity];
        nodesUp = new int[capacity];
        pending = new int[capacity];
        running = new int[capacity];
    }

    public int capacity() { return time.length; }

    public synchronized void add(Sample s) {
        time[next] = s.timeMillis();
        cores[next] = s.coresAlloc();
        gpus[next] = s.gpusAlloc();
        nodesUp[next] = s.nodesUp();
        pending[next] = s.pending();
        running[next] = s.running();
        next = (next + 1) % time.length;
        if (size < time.length) size++;
    }

    public synchronized int size() { return size; }

    /** The samples taken at or after {@code sinceMillis}, oldest first. */
    public synchronized Columns since(long sinceMillis) {
        int start = (next - size + time.length) % time.length;
        int skip = 0;
        while (skip < size && time[(start + skip) % time.length] < sinceMillis) skip++;
        int n = size - skip;
        long[] t = new long[n];
        long[] c = new long[n];
        long[] g = new long[n];
        int[] u = new int[n];
        int[] p = new int[n];
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            int k = (start + skip + i) % time.length;
            t[i] = time[k];
            c[i] = cores[k];
            g[i] = gpus[k];
            u[i] = nodesUp[k];
            p[i] = pending[k];
            r[i] = running[k];
        }
        return new Columns(t, c, g, u, p, r);
    }
}
