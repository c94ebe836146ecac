package io.bottega.core.model;

/**
 * A partition (Slurm's queue): a set of nodes and the limits of the jobs that may run on them.
 *
 * @param defaultTimeLimit seconds given to a job that asks for none
 * @param maxTimeLimit     the longest time limit a job may ask for, in seconds ({@link #UNLIMITED} for none)
 * @param maxNodesPerJob   the most nodes one job may use ({@link Integer#MAX_VALUE} for no limit)
 * @param priorityWeight   the partition's factor in multifactor priority (PriorityJobFactor)
 */
public record Partition(String name, int index, NodeSet nodes, long defaultTimeLimit, long maxTimeLimit,
                        int maxNodesPerJob, boolean isDefault, int priorityWeight) {
    public static final long UNLIMITED = Long.MAX_VALUE / 4;

    public Partition {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("partition name must not be blank");
        if (defaultTimeLimit <= 0) throw new IllegalArgumentException("partition " + name + ": default time must be positive");
        if (maxTimeLimit <= 0) throw new IllegalArgumentException("partition " + name + ": max time must be positive");
        if (defaultTimeLimit > maxTimeLimit) {
            throw new IllegalArgumentException("partition " + name + ": default time " + defaultTimeLimit
                    + "s exceeds max time " + maxTimeLimit + "s");
        }
        if (maxNodesPerJob <= 0) throw new IllegalArgumentException("partition " + name + ": max nodes must be positive");
    }
}
