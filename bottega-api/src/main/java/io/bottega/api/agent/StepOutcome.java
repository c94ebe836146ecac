package io.bottega.api.agent;

import java.util.List;

/**
 * How a step's tasks ended on one node. Re-sent with every sync until the controller acknowledges it
 * ({@link AgentCommands#stepAcks()}).
 *
 * @param jobId           the job
 * @param stepId          the step
 * @param state           {@link JobOutcome#COMPLETED} (every task exited 0), {@link JobOutcome#FAILED},
 *                        {@link JobOutcome#CANCELLED}, {@link JobOutcome#TIMEOUT} or
 *                        {@link JobOutcome#NODE_FAIL} (the node could not start the tasks)
 * @param exitCode        the largest exit status of the node's tasks (0-255)
 * @param signal          the signal that ended a task, 0 if none did
 * @param failedTasks     the ranks of the tasks that did not exit 0
 * @param startedAtMillis when the first task started (epoch millis); 0 if none started
 * @param endedAtMillis   when the last task ended (epoch millis)
 * @param message         a note (why it failed); empty when none
 */
public record StepOutcome(long jobId, int stepId, String state, int exitCode, int signal, List<Integer> failedTasks,
                          long startedAtMillis, long endedAtMillis, String message) {
    public StepOutcome {
        state = Wire.str(state);
        failedTasks = Wire.list(failedTasks);
        message = Wire.str(message);
    }

    /** {@code JOBID.STEPID}. */
    public String key() {
        return StepLaunch.key(jobId, stepId);
    }
}
