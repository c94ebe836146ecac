package io.bottega.server.steps;

import java.util.List;

/**
 * What a running job holds, as its steps see it: per node (in the job's order) the node's name, the core
 * ids and GPU indices allocated to the job, its memory, and how many of the job's tasks it was given; and
 * the job's CPUs per task and task count ({@code srun}'s defaults).
 */
public record JobShape(List<Node> nodes, int cpusPerTask, int ntasks) {
    public JobShape {
        nodes = List.copyOf(nodes);
        if (nodes.isEmpty()) throw new IllegalArgumentException("a job shape needs nodes");
        if (cpusPerTask < 1) cpusPerTask = 1;
    }

    /**
     * One node of the job. {@code bound}: the core ids are the node's real ones (the node binds cores); otherwise
     * they only count the job's cores there, and tasks are not pinned.
     */
    public record Node(String name, int[] cores, int[] gpus, long memMb, int tasks, boolean bound) {
        public Node {
            cores = cores.clone();
            gpus = gpus.clone();
        }

        public Node(String name, int[] cores, int[] gpus, long memMb, int tasks) {
            this(name, cores, gpus, memMb, tasks, true);
        }
    }

    /** The index of the node named {@code name}, -1 if the job has none. */
    int indexOf(String name) {
        for (int i = 0; i < nodes.size(); i++) if (nodes.get(i).name().equals(name)) return i;
        return -1;
    }
}
