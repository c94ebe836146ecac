package io.bottega.api.agent;

/**
 * Stop or signal the tasks of a step, or of every step of a job, on this node. Repeated by the
 * controller until the agent no longer lists the step(s) in {@link AgentSync#steps()}; a signal for a
 * step the agent does not know is a no-op.
 *
 * @param jobId  the job
 * @param stepId the step; {@link #ALL_STEPS} for every step of the job (the job ended or was cancelled)
 * @param signal 0 to terminate ({@code SIGTERM}, then {@code SIGKILL} after the grace); otherwise a signal
 *               number delivered to every task, the step going on (9 terminates at once)
 * @param reason why, for the log and the step's outcome
 */
public record StepSignal(long jobId, int stepId, int signal, String reason) {
    /** {@link #stepId()} meaning every step of the job. */
    public static final int ALL_STEPS = -1;

    public StepSignal {
        reason = Wire.str(reason);
    }

    /** Whether this names the step {@code key} ({@code JOBID.STEPID}). */
    public boolean covers(long job, int step) {
        return jobId == job && (stepId == ALL_STEPS || stepId == step);
    }
}
