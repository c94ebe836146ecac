package io.bottega.api.agent;

/**
 * Stop or signal a job.
 *
 * @param jobId       the job
 * @param reason      why, for the log and the outcome's message (e.g. {@code "cancelled by alice"})
 * @param signal      0 to terminate the job ({@code SIGTERM} to all its processes, {@code SIGKILL} after
 *                    the kill grace; the job ends {@code CANCELLED}); otherwise a signal number to deliver
 *                    to all its processes, the job going on ({@code scancel --signal}); 9 terminates
 *                    without grace
 * @param noKillGrace terminate with {@code SIGKILL} at once
 */
public record CancelRequest(long jobId, String reason, int signal, boolean noKillGrace) {
    public CancelRequest {
        reason = Wire.str(reason);
    }
}
