package io.bottega.api;

/**
 * One job step as the controller shows it ({@code sacct}'s {@code 123.0} and {@code 123.batch} lines, and
 * what {@code srun} is told when its step is created). Times are epoch seconds (0: not yet).
 *
 * @param jobId         the job
 * @param stepId        the step's number, {@link #BATCH} for the batch script
 * @param name          the step's name (the program's, or {@code batch})
 * @param state         RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, NODE_FAIL, OUT_OF_MEMORY
 * @param user          the job's user
 * @param nodeList      the step's nodes, a host list
 * @param nodeCount     how many
 * @param ntasks        the step's tasks
 * @param tasksPerNode  Slurm's compact per-node task counts ({@code 2(x3)})
 * @param cpus          the CPUs the step holds
 * @param gpus          the GPUs the step holds
 * @param startTime     when it started
 * @param endTime       when it ended; 0 while it runs
 * @param elapsed       seconds run so far, or in all
 * @param exitCode      the largest exit status of its tasks
 * @param exitSignal    the signal that ended a task, 0 if none
 * @param reason        why it ended, if not by itself
 */
public record StepView(long jobId, int stepId, String name, String state, String user, String nodeList, int nodeCount,
                       int ntasks, String tasksPerNode, int cpus, int gpus, long startTime, long endTime, long elapsed,
                       int exitCode, int exitSignal, String reason) {
    /** The step id of a batch script ({@code 123.batch}). */
    public static final int BATCH = -2;

    public StepView {
        name = name == null ? "" : name;
        state = state == null ? "" : state;
        user = user == null ? "" : user;
        nodeList = nodeList == null ? "" : nodeList;
        tasksPerNode = tasksPerNode == null ? "" : tasksPerNode;
        reason = reason == null ? "" : reason;
    }

    /** {@code 123.0}, or {@code 123.batch}. */
    public String stepName() {
        return jobId + "." + (stepId == BATCH ? "batch" : Integer.toString(stepId));
    }
}
