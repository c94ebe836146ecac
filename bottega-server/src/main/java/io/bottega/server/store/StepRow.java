package io.bottega.server.store;

/**
 * One job step as the store keeps it: a numbered step ({@code srun}), or the batch script
 * ({@code stepId} {@link io.bottega.api.StepView#BATCH}). Times are epoch seconds (0: not yet).
 *
 * @param state        a {@code JobState} name (RUNNING while it runs)
 * @param tasksPerNode Slurm's compact per-node task counts ({@code 2(x3)})
 * @param reason       why it ended, if not by itself; "" for none
 * @param layoutJson   where its tasks run (cores and GPUs per node), opaque to the store; "" for none
 */
public record StepRow(long jobId, int stepId, String name, String state, String nodeList, int nodeCount, int ntasks,
                      String tasksPerNode, int cpus, int gpus, long startTime, long endTime, int exitCode, int exitSignal,
                      String reason, String layoutJson) {
}
