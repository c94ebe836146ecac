package io.bottega.sim.trace;

import io.bottega.core.model.Cluster;
import io.bottega.core.model.JobSpec;
import io.bottega.core.model.Partition;
import io.bottega.core.model.ResourceRequest;
import io.bottega.sim.SimJob;
import io.bottega.sim.Workload;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * A seeded workload generator for a given cluster: the same cluster, parameters and seed give the same jobs,
 * on any machine (one {@link SplittableRandom}, never the clock).
 *
 * <ul>
 *   <li><b>Streams</b>: GPU jobs go to the GPU partition (the default partition when it has GPU nodes, else the
 *       first that has), CPU jobs to the CPU partition (the default when it has no GPU node, else the first
 *       such). When the cluster has both, each job is a CPU job with probability {@link Builder#cpuFraction}; by
 *       default that share is chosen so that a CPU job and a GPU job load their partitions alike on average
 *       (estimated from 20,000 seeded draws), so both partitions see the target load.</li>
 *   <li><b>Sizes</b> (G GPUs and C cores: the smallest GPU node of the partition): GPU jobs are 45% one GPU
 *       (with C/G cores), 30% one whole node (G GPUs, C cores), 25% 2..64 whole nodes (a power of two, at most
 *       the partition's nodes and its per-job limit). CPU jobs are 50% 2^k cores on one node, 20% one whole
 *       node, 30% 2..32 whole nodes (powers of two).</li>
 *   <li><b>Run times</b>: log-normal, median {@link Builder#medianRunSeconds} (default 1 h), σ
 *       {@link Builder#runSigma} (default 1.6), cut to [1 s, the partition's max time, at most 7 days].</li>
 *   <li><b>Estimates</b>: users over-estimate: 20% ask for the partition's maximum, the others for
 *       run × U(1, 4) rounded up to 5 minutes; never below the run time, never above the maximum.</li>
 *   <li><b>Arrivals</b>: one Poisson process (exponential gaps), scaled so that the offered work — Σ run × GPUs over
 *       the GPU partition's GPUs, Σ run × cores over the CPU partition's cores — over the span of submissions,
 *       averaged over the partitions in use, is the target {@link Builder#load} (default 0.85).</li>
 *   <li><b>Users</b>: {@link Builder#users} users (default 200) drawn by a Zipf law (exponent 1.1: a few users
 *       submit most jobs), each in one of {@link Builder#accounts} accounts (default 40), drawn by the same law.</li>
 * </ul>
 * Compact: the jobs share a handful of {@link ResourceRequest}s and user/account strings; a million jobs take
 * about a second and ~120 MB.
 */
public final class SyntheticWorkload {
    private SyntheticWorkload() {}

    public static Builder builder(Cluster cluster) { return new Builder(cluster); }

    public static final class Builder {
        private final Cluster cluster;
        private int jobs = 10_000;
        private long seed = 1;
        private double load = 0.85;
        private double cpuFraction = Double.NaN;
        private int users = 200;
        private int accounts = 40;
        private double zipf = 1.1;
        private long medianRun = 3600;
        private double runSigma = 1.6;

        private Builder(Cluster cluster) { this.cluster = cluster; }

        public Builder jobs(int n) {
            if (n <= 0) throw new IllegalArgumentException("job count must be positive");
            jobs = n;
            return this;
        }

        public Builder seed(long s) { seed = s; return this; }

        public Builder load(double l) {
            if (!(l > 0) || l > 100) throw new IllegalArgumentException("load must be in (0, 100]");
            load = l;
            return this;
        }

        /** The share of CPU jobs on a cluster with both kinds; by default, the share that loads both partitions alike. */
        public Builder cpuFraction(double f) {
            if (!(f >= 0 && f <= 1)) throw new IllegalArgumentException("CPU fraction must be in [0, 1]");
            cpuFraction = f;
            return this;
        }

        public Builder users(int n) {
            if (n <= 0) throw new IllegalArgumentException("user count must be positive");
            users = n;
            return this;
        }

        public Builder accounts(int n) {
            if (n <= 0) throw new IllegalArgumentException("account count must be positive");
            accounts = n;
            return this;
        }

        public Builder zipfExponent(double s) {
            if (!(s >= 0)) throw new IllegalArgumentException("Zipf exponent must not be negative");
            zipf = s;
            return this;
        }

        public Builder medianRunSeconds(long s) {
            if (s <= 0) throw new IllegalArgumentException("median run time must be positive");
            medianRun = s;
            return this;
        }

        public Builder runSigma(double s) {
            if (!(s >= 0)) throw new IllegalArgumentException("run-time sigma must not be negative");
            runSigma = s;
            return this;
        }

        public LoadedTrace generate() {
            long t0 = System.nanoTime();
            Stream gpu = Stream.gpu(cluster);
            Stream cpu = Stream.cpu(cluster);
            if (gpu == null && cpu == null) throw new IllegalArgumentException("cluster " + cluster.name() + " has no usable partition");
            double cpuShare;
            if (gpu == null) cpuShare = 1;
            else if (cpu == null) cpuShare = 0;
            else if (!Double.isNaN(cpuFraction)) cpuShare = cpuFraction;
            else {
                // balance: a job of each stream offers, on average, a and b of its partition-seconds
                SplittableRandom probe = new SplittableRandom(seed ^ 0x9E3779B97F4A7C15L);
                double a = gpu.meanWork(probe, Math.log(medianRun), runSigma);
                double b = cpu.meanWork(probe, Math.log(medianRun), runSigma);
                cpuShare = a / (a + b);
            }
            int streams = (cpuShare > 0 ? 1 : 0) + (cpuShare < 1 ? 1 : 0);
            SplittableRandom rnd = new SplittableRandom(seed);

            String[] userNames = names("user", users);
            String[] accountNames = names("proj", accounts);
            double[] userCdf = zipfCdf(users, zipf);
            double[] accountCdf = zipfCdf(accounts, zipf);
            String[] accountOf = new String[users];
            for (int u = 0; u < users; u++) accountOf[u] = accountNames[sample(accountCdf, rnd)];

            int n = jobs;
            byte[] stream = new byte[n];
            short[] shape = new short[n];
            long[] run = new long[n];
            long[] est = new long[n];
            int[] user = new int[n];
            double[] gap = new double[n];
            double[] work = new double[2];
            double mu = Math.log(medianRun);
            for (int i = 0; i < n; i++) {
                Stream s = rnd.nextDouble() < cpuShare ? cpu : gpu;
                int si = s == gpu ? 0 : 1;
                stream[i] = (byte) si;
                int sh = s.drawShape(rnd);
                shape[i] = (short) sh;
                long r = s.drawRun(rnd, mu, runSigma);
                run[i] = r;
                long e;
                if (rnd.nextDouble() < 0.2) {
                    e = s.maxRun;
                } else {
                    double f = 1 + 3 * rnd.nextDouble();
                    e = (long) Math.ceil(r * f / 300.0) * 300;
                    e = Math.min(Math.max(e, r), s.maxRun);
                }
                est[i] = e;
                user[i] = sample(userCdf, rnd);
                gap[i] = rnd.nextExponential();
                work[si] += (double) r * s.units[sh] / s.capacity;
            }
            // arrivals: one Poisson process; its cumulative gaps scaled to the span over which the offered work,
            // averaged over the partitions in use, is the target load
            double gapSum = 0, workSum = work[0] + work[1];
            for (int i = 0; i < n; i++) gapSum += gap[i];
            double scale = workSum / (load * streams) / gapSum;
            double cum = 0;
            long[] sub = new long[n];
            long maxSubmit = 0;
            for (int i = 0; i < n; i++) {
                cum += gap[i];
                sub[i] = (long) Math.floor(cum * scale);
                maxSubmit = Math.max(maxSubmit, sub[i]);
            }
            int[] order = order(sub, maxSubmit);
            List<SimJob> out = new ArrayList<>(n);
            for (int j = 0; j < n; j++) {
                int i = order[j];
                Stream s = stream[i] == 0 ? gpu : cpu;
                int u = user[i];
                JobSpec spec = new JobSpec(j + 1, "", userNames[u], accountOf[u], s.partition.name(), "", sub[i], est[i], 0,
                        s.requests[shape[i]], "");
                out.add(new SimJob(spec, run[i], 1));
            }
            String name = "synthetic-" + cluster.name() + "-" + n + "-seed" + seed;
            List<String> notes = new ArrayList<>();
            notes.add(String.format(Locale.ROOT, "synthetic: %d jobs, seed %d, offered load %.2f, %s", n, seed, load,
                    (gpu != null ? "GPU jobs in " + gpu.partition.name() : "") + (gpu != null && cpu != null ? ", " : "")
                            + (cpu != null ? "CPU jobs in " + cpu.partition.name() + String.format(Locale.ROOT, " (%.0f%%)", cpuShare * 100) : "")));
            notes.add(String.format(Locale.ROOT, "run times log-normal, median %d s, sigma %.2f; %d users in %d accounts (Zipf %.2f)",
                    medianRun, runSigma, users, accounts, zipf));
            Workload w = new Workload(name, out, Optional.empty(), 0, List.of());
            return new LoadedTrace(name, TraceFormat.SYNTHETIC, w, Optional.empty(), notes, n, System.nanoTime() - t0);
        }
    }

    /** One partition's job shapes: requests, their units of the bottleneck resource, and their weights. */
    private static final class Stream {
        final Partition partition;
        final ResourceRequest[] requests;
        final long[] units;
        final double[] cdf;
        final double capacity;
        final long maxRun;

        private Stream(Partition p, List<ResourceRequest> reqs, List<Long> units, List<Double> weights, double capacity) {
            this.partition = p;
            this.requests = reqs.toArray(new ResourceRequest[0]);
            this.units = units.stream().mapToLong(Long::longValue).toArray();
            double total = weights.stream().mapToDouble(Double::doubleValue).sum();
            this.cdf = new double[weights.size()];
            double c = 0;
            for (int i = 0; i < cdf.length; i++) {
                c += weights.get(i) / total;
                cdf[i] = c;
            }
            cdf[cdf.length - 1] = 1.0;
            this.capacity = capacity;
            this.maxRun = Math.min(p.maxTimeLimit(), 7 * 86400L);
        }

        int drawShape(SplittableRandom rnd) { return sample(cdf, rnd); }

        long drawRun(SplittableRandom rnd, double mu, double sigma) {
            long r = Math.round(Math.exp(mu + sigma * rnd.nextGaussian()));
            return Math.max(1, Math.min(r, maxRun));
        }

        /** The mean of run × units / capacity over 20,000 draws: what one job offers of this partition. */
        double meanWork(SplittableRandom rnd, double mu, double sigma) {
            double sum = 0;
            int k = 20_000;
            for (int i = 0; i < k; i++) {
                int sh = drawShape(rnd);
                sum += (double) drawRun(rnd, mu, sigma) * units[sh] / capacity;
            }
            return sum / k;
        }

        static Stream gpu(Cluster c) {
            Partition p = pick(c, true);
            if (p == null) return null;
            int g = Integer.MAX_VALUE, cores = Integer.MAX_VALUE, count = 0;
            long totalGpus = 0;
            for (int n : p.nodes().toArray()) {
                if (c.gpus(n) == 0) continue;
                g = Math.min(g, c.gpus(n));
                cores = Math.min(cores, c.cores(n));
                totalGpus += c.gpus(n);
                count++;
            }
            int maxNodes = Math.min(Math.min(count, p.maxNodesPerJob()), 64);
            List<ResourceRequest> r = new ArrayList<>();
            List<Long> u = new ArrayList<>();
            List<Double> w = new ArrayList<>();
            r.add(ResourceRequest.gpuNodes(1, 1, Math.max(1, cores / g)));
            u.add(1L);
            w.add(g > 1 ? 0.45 : 0.75);
            if (g > 1) {
                r.add(ResourceRequest.gpuNodes(1, g, cores));
                u.add((long) g);
                w.add(0.30);
            }
            List<Integer> sizes = powersOfTwo(maxNodes);
            for (int k : sizes) {
                r.add(ResourceRequest.gpuNodes(k, g, cores));
                u.add((long) k * g);
                w.add(0.25 / sizes.size());
            }
            return new Stream(p, r, u, w, totalGpus);
        }

        static Stream cpu(Cluster c) {
            Partition p = pick(c, false);
            if (p == null) return null;
            int cores = Integer.MAX_VALUE, count = 0;
            long totalCores = 0;
            for (int n : p.nodes().toArray()) {
                cores = Math.min(cores, c.cores(n));
                totalCores += c.cores(n);
                count++;
            }
            int maxNodes = Math.min(Math.min(count, p.maxNodesPerJob()), 32);
            List<ResourceRequest> r = new ArrayList<>();
            List<Long> u = new ArrayList<>();
            List<Double> w = new ArrayList<>();
            List<Integer> small = new ArrayList<>();
            for (int k = 1; k < cores; k *= 2) small.add(k);
            for (int k : small) {
                r.add(ResourceRequest.builder().nodes(1, 1).tasks(k).cpusPerTask(1).build());
                u.add((long) k);
                w.add(0.5 / small.size());
            }
            r.add(ResourceRequest.builder().nodes(1, 1).tasks(cores).cpusPerTask(1).build());
            u.add((long) cores);
            w.add(small.isEmpty() ? 0.7 : 0.2);
            List<Integer> sizes = powersOfTwo(maxNodes);
            for (int k : sizes) {
                r.add(ResourceRequest.builder().nodes(k, k).tasksPerNode(cores).cpusPerTask(1).build());
                u.add((long) k * cores);
                w.add(0.3 / sizes.size());
            }
            return new Stream(p, r, u, w, totalCores);
        }

        /** The default partition when it is of the wanted kind, else the first that is. */
        private static Partition pick(Cluster c, boolean wantGpu) {
            if (isGpu(c, c.defaultPartition()) == wantGpu) return c.defaultPartition();
            for (Partition p : c.partitions()) if (isGpu(c, p) == wantGpu) return p;
            return null;
        }

        private static boolean isGpu(Cluster c, Partition p) {
            int i = p.nodes().nextSetBit(0);
            while (i >= 0) {
                if (c.gpus(i) > 0) return true;
                i = p.nodes().nextSetBit(i + 1);
            }
            return false;
        }

        private static List<Integer> powersOfTwo(int max) {
            List<Integer> out = new ArrayList<>();
            for (int k = 2; k <= max; k *= 2) out.add(k);
            return out;
        }
    }

    /** Indices by submit time, then index: packed into longs when they fit, else a comparator sort. */
    private static int[] order(long[] sub, long maxSubmit) {
        int n = sub.length;
        int[] out = new int[n];
        if (maxSubmit < Long.MAX_VALUE / n - 1) {
            long[] key = new long[n];
            for (int i = 0; i < n; i++) key[i] = sub[i] * n + i;
            Arrays.sort(key);
            for (int j = 0; j < n; j++) out[j] = (int) (key[j] % n);
            return out;
        }
        Integer[] boxed = new Integer[n];
        for (int i = 0; i < n; i++) boxed[i] = i;
        Arrays.sort(boxed, (a, b) -> sub[a] != sub[b] ? Long.compare(sub[a], sub[b]) : Integer.compare(a, b));
        for (int j = 0; j < n; j++) out[j] = boxed[j];
        return out;
    }

    private static String[] names(String prefix, int n) {
        int width = Math.max(2, String.valueOf(n).length());
        String[] out = new String[n];
        for (int i = 0; i < n; i++) out[i] = prefix + String.format(Locale.ROOT, "%0" + width + "d", i + 1);
        return out;
    }

    /** P(k) ∝ 1 / (k+1)^s for k = 0..n-1, as a cumulative table. */
    private static double[] zipfCdf(int n, double s) {
        double[] cdf = new double[n];
        double c = 0;
        for (int k = 0; k < n; k++) {
            c += 1.0 / Math.pow(k + 1, s);
            cdf[k] = c;
        }
        for (int k = 0; k < n; k++) cdf[k] /= c;
        cdf[n - 1] = 1.0;
        return cdf;
    }

    private static int sample(double[] cdf, SplittableRandom rnd) {
        double u = rnd.nextDouble();
        int i = Arrays.binarySearch(cdf, u);
        if (i < 0) i = -i - 1;
        return Math.min(i, cdf.length - 1);
    }
}
