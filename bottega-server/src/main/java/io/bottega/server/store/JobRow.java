package io.bottega.server.store;

/**
 * One job as the store keeps it. Times are epoch seconds (0: not yet). Structured parts travel as JSON
 * text the controller writes and reads ({@code requestJson}: the submitted request; {@code allocationJson}:
 * nodes, core ids and GPU indices once running); the store never looks inside them.
 *
 * @param state  a {@code JobState} name (PENDING, RUNNING, COMPLETED, ...)
 * @param reason the pending reason (Slurm's name) while pending; why it ended otherwise ("" for none)
 * @param hold   "" (not held), "user" or "admin"
 */
public record JobRow(long id, long arrayJobId, int arrayTaskId, String name, String user, int uid, int gid,
                     String account, String partition, String qos, String state, String reason, int exitCode,
                     int exitSignal, long submitTime, long eligibleTime, long startTime, long endTime, long timeLimit,
                     long priority, String hold, String dependency, String requestJson, String allocationJson,
                     String nodeList, int requeueCount, String workDir, String stdoutPath, String stderrPath,
                     String comment) {
}
