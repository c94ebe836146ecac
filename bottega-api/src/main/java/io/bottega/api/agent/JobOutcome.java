package io.bottega.api.agent;

/**
 * How a job ended on a node.
 *
 * @param jobId           the job
 * @param state           {@link #COMPLETED}, {@link #FAILED}, {@link #CANCELLED}, {@link #TIMEOUT},
 *                        {@link #OUT_OF_MEMORY} or {@link #NODE_FAIL}
 * @param exitCode        the batch script's exit status (0-255), 0 when it died of a signal
 * @param signal          the signal that ended the script, 0 when it exited; {@code sacct}'s ExitCode is
 *                        {@code exitCode:signal}
 * @param startedAtMillis when the agent started the job (epoch millis); 0 when it never started
 * @param endedAtMillis   when the job ended (epoch millis)
 * @param maxRssKb        peak memory of the job in KiB (cgroup peak where cgroups exist, polled RSS
 *                        otherwise); 0 when unknown
 * @param cpuSeconds      CPU time of the job's processes (user + system); 0 when unknown
 * @param message         a human-readable note (why it failed, which limit it hit); empty when none
 */
public record JobOutcome(long jobId, String state, int exitCode, int signal, long startedAtMillis,
                         long endedAtMillis, long maxRssKb, double cpuSeconds, String message) {
    public static final String COMPLETED = "COMPLETED";
    public static final String FAILED = "FAILED";
    public static final String CANCELLED = "CANCELLED";
    public static final String TIMEOUT = "TIMEOUT";
    public static final String OUT_OF_MEMORY = "OUT_OF_MEMORY";
    public static final String NODE_FAIL = "NODE_FAIL";

    public JobOutcome {
        state = Wire.str(state);
        message = Wire.str(message);
    }

    /** Slurm's {@code sacct} ExitCode field: {@code exitCode:signal}. */
    public String slurmExitCode() {
        return exitCode + ":" + signal;
    }
}
