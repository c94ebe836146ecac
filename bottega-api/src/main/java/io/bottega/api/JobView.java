package io.bottega.api;

/**
 * One job as the controller shows it to {@code squeue}, {@code sacct}, the CLI and the dashboard. Times are
 * epoch seconds (0: not yet / unknown), durations seconds.
 *
 * @param id             the job's own id (an array task has its own id too, as in Slurm)
 * @param arrayJobId     the array's master job id; 0 if not part of an array
 * @param arrayTaskId    the array task id; -1 if not part of an array or if this row stands for several tasks
 * @param arrayTasks     when this row stands for several pending tasks of an array, their ids as Slurm
 *                       writes them ({@code 3-10%2}); "" otherwise
 * @param state          Slurm's long state name: PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, ...
 * @param reason         Slurm's reason name ({@code Resources}, {@code Priority}, {@code None})
 * @param predictedStart the scheduler's predicted start for a pending job; 0 if unknown
 * @param timeLimit      seconds; {@code SlurmTime.UNLIMITED} for none; 0 if not set
 * @param nodesRequested the number of nodes asked for (the minimum of {@code -N})
 * @param nodeCount      the number of nodes allocated (0 while pending)
 * @param cpus           CPUs asked for (pending) or allocated
 * @param gpus           GPUs asked for (pending) or allocated, over all nodes
 * @param memMb          memory per node, MB
 * @param nodeList       allocated nodes as a hostlist expression; "" while pending
 * @param schedNodes     the nodes the scheduler expects to start a pending job on; "" if unknown
 * @param command        the script path, or the {@code --wrap} command
 * @param tresPerNode    generic resources per node as Slurm prints them ({@code gres/gpu:4}); "" for none
 * @param priority       the job's priority (larger runs first)
 * @param exitCode       the script's exit code, 0 while not ended
 * @param exitSignal     the signal that ended the script, 0 if none
 * @param dependency     the remaining dependency as Slurm prints it ({@code afterok:123}); "" for none
 * @param elapsed        seconds run so far (or in all, once ended)
 * @param energyJoules   energy its runs consumed by the node power model (sacct ConsumedEnergy); 0 until charged
 */
public record JobView(long id, long arrayJobId, int arrayTaskId, String arrayTasks, String name, String user,
                      String account, String partition, String qos, String state, String reason, long submitTime,
                      long eligibleTime, long startTime, long endTime, long predictedStart, long timeLimit,
                      int nodesRequested, int nodeCount, int cpus, int gpus, long memMb, String nodeList,
                      String schedNodes, String workDir, String command, String stdoutPath, String stderrPath,
                      String tresPerNode, long priority, int exitCode, int exitSignal, String dependency,
                      String comment, String reservation, long elapsed, long energyJoules) {
    public JobView {
        arrayTasks = orEmpty(arrayTasks);
        name = orEmpty(name);
        user = orEmpty(user);
        account = orEmpty(account);
        partition = orEmpty(partition);
        qos = orEmpty(qos);
        state = orEmpty(state);
        reason = orEmpty(reason);
        nodeList = orEmpty(nodeList);
        schedNodes = orEmpty(schedNodes);
        workDir = orEmpty(workDir);
        command = orEmpty(command);
        stdoutPath = orEmpty(stdoutPath);
        stderrPath = orEmpty(stderrPath);
        tresPerNode = orEmpty(tresPerNode);
        dependency = orEmpty(dependency);
        comment = orEmpty(comment);
        reservation = orEmpty(reservation);
    }

    private static String orEmpty(String s) { return s == null ? "" : s; }

    /** The same view with the energy its runs consumed (joules, from the accounting). */
    public JobView withEnergy(long joules) {
        return new JobView(id, arrayJobId, arrayTaskId, arrayTasks, name, user, account, partition, qos, state, reason, submitTime,
                eligibleTime, startTime, endTime, predictedStart, timeLimit, nodesRequested, nodeCount, cpus, gpus, memMb, nodeList,
                schedNodes, workDir, command, stdoutPath, stderrPath, tresPerNode, priority, exitCode, exitSignal, dependency, comment,
                reservation, elapsed, joules);
    }
}
