package io.bottega.sim;

import io.bottega.core.model.JobSpec;

/**
 * One job of a workload: what it asks the scheduler for ({@link JobSpec}: submit time, time limit,
 * resources, user, ...) and how long it would really run if never killed ({@code runTime}, seconds).
 * The simulator runs it for {@code min(runTime, spec.timeLimit())}: a job is killed at its limit.
 *
 * @param traceStatus the trace's own status code for the job (SWF field 11; -1 when unknown)
 */
public record SimJob(JobSpec spec, long runTime, int traceStatus) {
    public SimJob {
        if (runTime < 0) throw new IllegalArgumentException("job " + spec.id() + ": run time must not be negative");
    }

    public long id() { return spec.id(); }

    /** Seconds the job holds its resources: its run time, cut at its time limit. */
    public long effectiveRunTime() { return Math.min(runTime, spec.timeLimit()); }
}
