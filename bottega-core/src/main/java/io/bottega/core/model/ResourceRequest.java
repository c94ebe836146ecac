package io.bottega.core.model;

import java.util.List;

/**
 * What a job asks for, in Slurm's terms. Zero means "not given" for every count; {@link Demand#resolve}
 * turns this into the normalized per-task / per-node form the scheduler places.
 *
 * @param nodesMin     {@code -N min}
 * @param nodesMax     {@code -N min-max} (0: same as min when min was given, else as many as tasks need)
 * @param tasks        {@code -n}
 * @param tasksPerNode {@code --ntasks-per-node}
 * @param cpusPerTask  {@code -c}
 * @param memPerNodeMb {@code --mem}
 * @param memPerCpuMb  {@code --mem-per-cpu}
 * @param gpusPerNode  {@code --gres=gpu:N} or {@code --gpus-per-node}
 * @param gpusPerTask  {@code --gpus-per-task}
 * @param gpusTotal    {@code -G/--gpus}
 * @param gpuType      {@code --gres=gpu:TYPE:N}; empty for any type
 * @param constraints  {@code -C/--constraint} features, all required
 * @param exclusive    {@code --exclusive}: whole nodes
 */
public record ResourceRequest(int nodesMin, int nodesMax, int tasks, int tasksPerNode, int cpusPerTask,
                              long memPerNodeMb, long memPerCpuMb, int gpusPerNode, int gpusPerTask, int gpusTotal,
                              String gpuType, List<String> constraints, boolean exclusive) {
    /** {@code --mem=0}: all the memory of each node. */
    public static final long ALL_MEMORY = Long.MAX_VALUE;

    public ResourceRequest {
        if (nodesMin < 0 || nodesMax < 0 || tasks < 0 || tasksPerNode < 0 || cpusPerTask < 0 || gpusPerNode < 0
                || gpusPerTask < 0 || gpusTotal < 0 || memPerNodeMb < 0 || memPerCpuMb < 0) {
            throw new IllegalArgumentException("resource counts must not be negative");
        }
        gpuType = gpuType == null ? "" : gpuType;
        constraints = constraints == null ? List.of() : List.copyOf(constraints);
    }

    /** {@code n} single-core tasks anywhere: how an SWF job's processors are asked for. */
    public static ResourceRequest processors(int n) {
        return new ResourceRequest(0, 0, n, 0, 1, 0, 0, 0, 0, 0, "", List.of(), false);
    }

    /** {@code nodes} nodes with {@code gpusPerNode} GPUs and {@code coresPerNode} cores each, one task per node. */
    public static ResourceRequest gpuNodes(int nodes, int gpusPerNode, int coresPerNode) {
        return new ResourceRequest(nodes, nodes, 0, 1, coresPerNode, 0, 0, gpusPerNode, 0, 0, "", List.of(), false);
    }

    public static Builder builder() { return new Builder(); }

    /** A mutable builder, for parsers that fill a request option by option. */
    public static final class Builder {
        private int nodesMin, nodesMax, tasks, tasksPerNode, cpusPerTask, gpusPerNode, gpusPerTask, gpusTotal;
        private long memPerNodeMb, memPerCpuMb;
        private String gpuType = "";
        private List<String> constraints = List.of();
        private boolean exclusive;

        public Builder nodes(int min, int max) { nodesMin = min; nodesMax = max; return this; }
        public Builder tasks(int n) { tasks = n; return this; }
        public Builder tasksPerNode(int n) { tasksPerNode = n; return this; }
        public Builder cpusPerTask(int n) { cpusPerTask = n; return this; }
        public Builder memPerNodeMb(long mb) { memPerNodeMb = mb; return this; }
        public Builder memPerCpuMb(long mb) { memPerCpuMb = mb; return this; }
        public Builder gpusPerNode(int n) { gpusPerNode = n; return this; }
        public Builder gpusPerTask(int n) { gpusPerTask = n; return this; }
        public Builder gpusTotal(int n) { gpusTotal = n; return this; }
        public Builder gpuType(String t) { gpuType = t; return this; }
        public Builder constraints(List<String> c) { constraints = c; return this; }
        public Builder exclusive(boolean e) { exclusive = e; return this; }

        public ResourceRequest build() {
            return new ResourceRequest(nodesMin, nodesMax, tasks, tasksPerNode, cpusPerTask, memPerNodeMb, memPerCpuMb,
                    gpusPerNode, gpusPerTask, gpusTotal, gpuType, constraints, exclusive);
        }
    }
}
