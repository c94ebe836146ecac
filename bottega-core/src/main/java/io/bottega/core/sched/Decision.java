package io.bottega.core.sched;

import io.bottega.core.model.Allocation;
import io.bottega.core.model.PendingReason;

/** What one scheduling pass decided for a job. */
public sealed interface Decision permits Decision.Start, Decision.Reserve, Decision.Wait, Decision.Preempt {
    long jobId();

    /** Start the job now on this allocation. */
    record Start(long jobId, Allocation allocation) implements Decision {}

    /** The job cannot start now; it is promised {@code reservation} (its start time and nodes). */
    record Reserve(long jobId, Reservation reservation, PendingReason reason) implements Decision {}

    /**
     * The job cannot start now and holds no reservation; {@code predictedStart} is when it would start if
     * every job ahead of it kept its place ({@link Plan#NEVER} when it cannot be foreseen).
     */
    record Wait(long jobId, PendingReason reason, long predictedStart) implements Decision {}

    /**
     * Stop running job {@code jobId} so that the higher-QOS job {@code forJob} can start: SIGTERM, then SIGKILL
     * after {@code graceSeconds}; the job then goes back to the queue ({@code requeue}) or ends PREEMPTED.
     */
    record Preempt(long jobId, long forJob, boolean requeue, long graceSeconds) implements Decision {}
}
