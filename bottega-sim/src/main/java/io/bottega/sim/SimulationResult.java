package io.bottega.sim;

import io.bottega.core.model.Cluster;

import java.util.List;

/**
 * The outcome of one replay: every job's result (in job id order), the timeline sampled at every
 * scheduling instant, and the wall time of the replay itself (not counting reading the trace).
 *
 * @param policy   the backfill policy name ({@code easy}, {@code conservative}, {@code fcfs})
 * @param timeline one point per instant at which something happened, in time order
 * @param simNanos wall-clock nanoseconds spent in the event loop
 */
public record SimulationResult(String policy, Cluster cluster, List<JobResult> jobs, List<TimelinePoint> timeline,
                               long simNanos, int passes) {
    public SimulationResult {
        jobs = List.copyOf(jobs);
        timeline = List.copyOf(timeline);
    }

    /**
     * The state of the machine just after the instant {@code time}: cores and GPUs in use, jobs running
     * and jobs waiting.
     */
    public record TimelinePoint(long time, long busyCores, long busyGpus, int running, int queued) {}
}
