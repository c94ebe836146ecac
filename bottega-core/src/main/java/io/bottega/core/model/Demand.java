package io.bottega.core.model;

import java.util.HashMap;
import java.util.Map;

/**
 * A request normalized against one cluster: {@code tasks} tasks of {@code coresPerTask} cores and
 * {@code gpusPerTask} GPUs, spread over {@code nodesMin..nodesMax} nodes of {@code eligible}, with per-node
 * extras ({@code gpusPerNode}, {@code memPerNodeMb}). Memory is per node, per core, or — when the job
 * asked for none — each node's share in proportion to the cores taken (Slurm's DefMemPerCPU as
 * node memory / node cores).
 *
 * @param tasksPerNode when positive, the most tasks one node may take ({@code --ntasks-per-node})
 * @param exactTasksPerNode every node used takes exactly {@code tasksPerNode} tasks
 */
public record Demand(int partition, NodeSet eligible, int tasks, int coresPerTask, int gpusPerTask,
                     int nodesMin, int nodesMax, int tasksPerNode, boolean exactTasksPerNode, int gpusPerNode,
                     MemoryMode memoryMode, long memoryMb, boolean exclusive, long timeLimit) {

    public enum MemoryMode { PROPORTIONAL, PER_NODE, PER_CORE, ALL }

    public boolean singleNode() { return nodesMax == 1; }

    /** Cores a node gives to {@code t} tasks of this job. */
    public int coresFor(Cluster c, int node, int t) {
        return exclusive ? c.cores(node) : t * coresPerTask;
    }

    public int gpusFor(Cluster c, int node, int t) {
        return exclusive ? c.gpus(node) : t * gpusPerTask + gpusPerNode;
    }

    public long memFor(Cluster c, int node, int t) {
        if (exclusive) return c.memoryMb(node);
        return switch (memoryMode) {
            case PER_NODE -> memoryMb;
            case PER_CORE -> memoryMb * t * coresPerTask;
            case ALL -> c.memoryMb(node);
            case PROPORTIONAL -> c.memoryMb(node) * (long) (t * coresPerTask) / c.cores(node);
        };
    }

    /** Total GPUs over all nodes, when the split over nodes is known ({@code gpusPerNode} counted on nodesMin nodes). */
    public long totalGpus() { return (long) tasks * gpusPerTask + (long) gpusPerNode * nodesMin; }

    public long totalCores() { return (long) tasks * coresPerTask; }

    /**
     * Normalizes requests against one cluster. Keeps one {@link NodeSet} per (partition, features, GPU
     * type), shared by every job that asks for the same, so a million pending jobs do not hold a million
     * bitmaps.
     */
    public static final class Resolver {
        private final Cluster cluster;
        private final Map<Long, NodeSet> eligibleCache = new HashMap<>();
        /** Per eligible set: a node of each shape (cores, GPUs, memory) in it, and how many nodes have that shape. */
        private final Map<NodeSet, int[][]> shapeCache = new java.util.IdentityHashMap<>();

        public Resolver(Cluster cluster) { this.cluster = cluster; }

        public Cluster cluster() { return cluster; }

        public Verdict resolve(JobSpec spec) {
            ResourceRequest r = spec.resources();
            Partition p;
            if (spec.partition().isEmpty()) {
                p = cluster.defaultPartition();
            } else {
                var found = cluster.partition(spec.partition());
                if (found.isEmpty()) {
                    return reject(Verdict.Reason.INVALID_PARTITION, "invalid partition '" + spec.partition() + "'");
                }
                p = found.get();
            }
            if (spec.timeLimit() > p.maxTimeLimit()) {
                return reject(Verdict.Reason.INVALID_TIME_LIMIT, "time limit " + spec.timeLimit() + "s exceeds the "
                        + p.maxTimeLimit() + "s allowed in partition " + p.name());
            }
            var mask = cluster.featureMask(r.constraints());
            if (mask.isEmpty()) {
                return reject(Verdict.Reason.INVALID_FEATURE, "no node has the features " + r.constraints());
            }
            int gpuType = cluster.gpuTypeId(r.gpuType());
            if (gpuType < 0) {
                return reject(Verdict.Reason.INVALID_GRES, "no node has GPUs of type '" + r.gpuType() + "'");
            }
            if (r.memPerNodeMb() > 0 && r.memPerCpuMb() > 0) {
                return reject(Verdict.Reason.MEMORY_UNAVAILABLE, "--mem and --mem-per-cpu are mutually exclusive");
            }

            int c = Math.max(1, r.cpusPerTask());
            int tpn = r.tasksPerNode();
            int nodesMin = Math.max(1, r.nodesMin());
            int tasks;
            boolean exactTpn = false;
            if (r.tasks() > 0) {
                tasks = r.tasks();
                if (tpn > 0 && r.nodesMin() == 0) nodesMin = (tasks + tpn - 1) / tpn;
            } else if (tpn > 0) {
                tasks = nodesMin * tpn;
                exactTpn = true;
            } else {
                tasks = nodesMin;
            }
            int nodesMax = r.nodesMax() > 0 ? r.nodesMax() : (r.nodesMin() > 0 ? nodesMin : tasks);
            if (tpn > 0 && r.tasks() > 0 && r.nodesMin() > 0 && (long) nodesMin * tpn == tasks && nodesMax == nodesMin) {
                exactTpn = true;
            }
            if (nodesMax < nodesMin) {
                return reject(Verdict.Reason.INVALID_NODE_COUNT, "node range " + nodesMin + "-" + nodesMax + " is empty");
            }
            if (tasks < nodesMin) {
                return reject(Verdict.Reason.INVALID_TASKS, tasks + " tasks cannot be spread over " + nodesMin
                        + " nodes (each node needs one task)");
            }
            if (tpn > 0 && (long) tpn * nodesMax < tasks) {
                return reject(Verdict.Reason.INVALID_TASKS, tasks + " tasks do not fit " + nodesMax + " nodes at "
                        + tpn + " tasks per node");
            }
            nodesMax = Math.min(nodesMax, tasks);
            if (nodesMin > p.maxNodesPerJob()) {
                return reject(Verdict.Reason.INVALID_NODE_COUNT, nodesMin + " nodes exceed the " + p.maxNodesPerJob()
                        + " allowed per job in partition " + p.name());
            }
            nodesMax = Math.min(nodesMax, p.maxNodesPerJob());

            int gpt = r.gpusPerTask();
            int gpn = r.gpusPerNode();
            if (r.gpusTotal() > 0) {
                if (gpt > 0 || gpn > 0) {
                    return reject(Verdict.Reason.INVALID_GRES, "--gpus cannot be combined with --gpus-per-task or --gpus-per-node");
                }
                int g = r.gpusTotal();
                if (nodesMax == 1) gpn = g;
                else if (g % tasks == 0) gpt = g / tasks;
                else if (nodesMin == nodesMax && g % nodesMin == 0) gpn = g / nodesMin;
                else {
                    return reject(Verdict.Reason.INVALID_GRES, "--gpus=" + g + " cannot be spread evenly over " + tasks
                            + " tasks or " + nodesMin + "-" + nodesMax + " nodes; give --gpus-per-node or --gpus-per-task");
                }
            }

            Demand.MemoryMode mode;
            long mem;
            if (r.memPerNodeMb() == ResourceRequest.ALL_MEMORY) { mode = MemoryMode.ALL; mem = 0; }
            else if (r.memPerNodeMb() > 0) { mode = MemoryMode.PER_NODE; mem = r.memPerNodeMb(); }
            else if (r.memPerCpuMb() > 0) { mode = MemoryMode.PER_CORE; mem = r.memPerCpuMb(); }
            else { mode = MemoryMode.PROPORTIONAL; mem = 0; }

            long key = ((long) p.index() << 40) ^ ((long) gpuType << 32) ^ mask.get().hashCode() ^ (mask.get() << 1);
            NodeSet eligible = eligibleFor(p, mask.get(), gpuType, key);
            if (eligible.isEmpty()) {
                return reject(Verdict.Reason.NODE_CONFIG_UNAVAILABLE, "no node of partition " + p.name()
                        + " has the requested features and GPU type");
            }
            Demand d = new Demand(p.index(), eligible, tasks, c, gpt, nodesMin, nodesMax, tpn, exactTpn, gpn, mode, mem,
                    r.exclusive(), spec.timeLimit());
            String why = d.neverFits(cluster, shapes(eligible));
            if (why != null) return reject(Verdict.Reason.NODE_CONFIG_UNAVAILABLE, why);
            return new Verdict.Fits(d);
        }

        /** {representative node, count} for each distinct node shape of {@code s}. */
        private int[][] shapes(NodeSet s) {
            int[][] cached = shapeCache.get(s);
            if (cached != null) return cached;
            Map<java.util.List<Long>, int[]> byShape = new java.util.LinkedHashMap<>();
            s.forEach(n -> byShape.computeIfAbsent(java.util.List.of((long) cluster.cores(n), (long) cluster.gpus(n), cluster.memoryMb(n)),
                    k -> new int[] {n, 0})[1]++);
            int[][] out = byShape.values().toArray(new int[0][]);
            if (shapeCache.size() < 4096) shapeCache.put(s, out);
            return out;
        }

        private NodeSet eligibleFor(Partition p, long mask, int gpuType, long key) {
            NodeSet cached = eligibleCache.get(key);
            if (cached != null) return cached;
            NodeSet s = p.nodes();
            if (mask != 0) s = s.and(cluster.nodesWithFeatures(mask));
            if (gpuType != 0) s = s.and(cluster.nodesWithGpuType(gpuType));
            eligibleCache.put(key, s);
            return s;
        }

        private static Verdict reject(Verdict.Reason reason, String message) {
            return new Verdict.Rejected(reason, message);
        }
    }

    /** The most tasks of this job that node {@code n}, empty, can hold (0 if it cannot hold one). */
    public int capacityOnEmptyNode(Cluster c, int n) {
        return capacity(c, n, c.cores(n), c.gpus(n), c.memoryMb(n));
    }

    /**
     * The most tasks of this job a node with the given free resources can take, capped by tasks per
     * node and by {@code tasks}; 0 when not even one fits (or, with exact tasks per node, fewer than that).
     */
    public int capacity(Cluster c, int n, int freeCores, int freeGpus, long freeMem) {
        if (exclusive) {
            if (freeCores < c.cores(n) || freeGpus < c.gpus(n) || freeMem < c.memoryMb(n)) return 0;
            if (c.gpus(n) < gpusPerNode + gpusPerTask) return 0;
            int byCores = c.cores(n) / coresPerTask;
            int cap = Math.min(tasks, byCores);
            if (gpusPerTask > 0) cap = Math.min(cap, (c.gpus(n) - gpusPerNode) / gpusPerTask);
            if (memoryMode == MemoryMode.PER_NODE && memoryMb > c.memoryMb(n)) return 0;
            if (memoryMode == MemoryMode.PER_CORE && memoryMb > 0) cap = (int) Math.min(cap, c.memoryMb(n) / (memoryMb * coresPerTask));
            if (tasksPerNode > 0) cap = Math.min(cap, tasksPerNode);
            return exactTasksPerNode && cap < tasksPerNode ? 0 : Math.max(0, cap);
        }
        int avail = freeGpus - gpusPerNode;
        if (avail < 0) return 0;
        long memLeft = freeMem;
        if (memoryMode == MemoryMode.PER_NODE) {
            memLeft -= memoryMb;
            if (memLeft < 0) return 0;
        } else if (memoryMode == MemoryMode.ALL) {
            if (freeMem < c.memoryMb(n)) return 0;
        }
        int cap = Math.min(tasks, freeCores / coresPerTask);
        if (gpusPerTask > 0) cap = Math.min(cap, avail / gpusPerTask);
        if (memoryMode == MemoryMode.PER_CORE && memoryMb > 0) {
            cap = (int) Math.min(cap, memLeft / (memoryMb * coresPerTask));
        } else if (memoryMode == MemoryMode.PROPORTIONAL && c.memoryMb(n) > 0) {
            // memFor(t) = floor(M·t·c / C) <= F  <=>  t <= ((F+1)·C - 1) / (M·c)
            long m = c.memoryMb(n);
            long byMem = ((freeMem + 1) * c.cores(n) - 1) / (m * coresPerTask);
            cap = (int) Math.min(cap, byMem);
        }
        if (tasksPerNode > 0) cap = Math.min(cap, tasksPerNode);
        if (exactTasksPerNode && cap < tasksPerNode) return 0;
        return Math.max(0, cap);
    }

    /**
     * Why this demand could not run even on an empty machine, or null when it could. {@code shapes}: a node of
     * each shape among the eligible ones, with how many there are (capacity depends only on the shape).
     */
    String neverFits(Cluster c, int[][] shapes) {
        long[][] caps = new long[shapes.length][];
        for (int i = 0; i < shapes.length; i++) caps[i] = new long[] {capacityOnEmptyNode(c, shapes[i][0]), shapes[i][1]};
        java.util.Arrays.sort(caps, (x, y) -> Long.compare(y[0], x[0]));
        int usable = 0;
        long sum = 0;
        for (long[] cap : caps) {
            if (cap[0] <= 0 || usable >= nodesMax) break;
            long take = Math.min(cap[1], (long) nodesMax - usable);
            usable += (int) take;
            sum += cap[0] * take;
        }
        if (usable < nodesMin) {
            return "the job needs " + nodesMin + " nodes that can each hold its tasks; partition has " + usable;
        }
        if (sum < tasks) {
            return "the job needs " + tasks + " tasks of " + coresPerTask + " cores"
                    + (gpusPerTask > 0 ? " and " + gpusPerTask + " GPUs" : "")
                    + (gpusPerNode > 0 ? " with " + gpusPerNode + " GPUs per node" : "")
                    + " on at most " + nodesMax + " nodes; the largest such nodes hold " + sum;
        }
        return null;
    }
}
