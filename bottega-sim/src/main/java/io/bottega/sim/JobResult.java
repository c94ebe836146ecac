package io.bottega.sim;

import io.bottega.core.model.JobState;

/**
 * What happened to one job in a simulation. Times are seconds on the trace's clock.
 *
 * @param state     COMPLETED, or TIMEOUT when the job was killed at its time limit
 * @param nodeList  the nodes it ran on, Slurm hostlist form ({@code lrdn[0001-0004]})
 * @param energyJoules energy drawn above idle by the job's share of its nodes (0 without a power model)
 */
public record JobResult(long jobId, String user, String account, String partition, long submit, long start, long end,
                        long timeLimit, int nodes, int tasks, long cores, int gpus, long memMb, String nodeList,
                        JobState state, double energyJoules) {
    public long waitTime() { return start - submit; }

    public long runTime() { return end - start; }

    /** max(1, (wait + run) / max(run, τ)) with τ = 10 s. */
    public double boundedSlowdown() {
        long run = runTime();
        return Math.max(1.0, (double) (waitTime() + run) / Math.max(run, 10));
    }
}
