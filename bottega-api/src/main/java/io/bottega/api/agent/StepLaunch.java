package io.bottega.api.agent;

import java.util.List;
import java.util.Map;

/**
 * Start the tasks of one job step on this node ({@code srun} inside an allocation). Idempotent like a
 * {@link LaunchRequest}: the controller repeats it until the agent lists the step ({@link #key()}) in
 * {@link AgentSync#steps()} or reports its {@link StepOutcome}; a launch of a step the agent knows is
 * ignored.
 *
 * <p>The tasks' standard streams go to {@code srun}: the agent connects to {@code ioHost:ioPort},
 * presents {@code ioKey}, and relays stdin, stdout, stderr and the tasks' exit statuses in frames (see
 * {@code StepIo} in the agent and {@code Srun} in the CLI). A task whose output has a file pattern
 * ({@code stdoutPath}) writes that file instead; with {@code ioPort} 0 nothing is relayed. A lost
 * connection to {@code srun} terminates the step, as the user who started it has gone.
 *
 * @param jobId            the job
 * @param stepId           the step's number in the job (0, 1, ...)
 * @param user             the job's user
 * @param uid              the user's id on the nodes
 * @param gid              the job's group id
 * @param argv             the program and its arguments (looked up in the tasks' {@code PATH})
 * @param workDir          the tasks' working directory (absolute)
 * @param env              the environment common to the step's tasks on this node (job, srun and step
 *                         variables); the agent adds each task's own ({@code SLURM_PROCID}, ...)
 * @param tasks            the step's tasks on this node
 * @param nodeIndex        this node's index among the step's nodes ({@code SLURM_NODEID}, {@code %n})
 * @param nodeList         the step's nodes, a host list
 * @param stepCpus         the node's cores the step may use (its cpuset); empty: any of the node
 * @param memoryLimitMb    the memory limit of the step on this node; 0 for none
 * @param cpuBind          {@code none}, or {@code cores} (each task on its own cores); {@code verbose,}
 *                         prefixed: the agent prints each task's binding
 * @param ioHost           where {@code srun} listens; "" for no relay
 * @param ioPort           its port; 0 for no relay
 * @param ioKey            the secret the agent presents to {@code srun}
 * @param stdoutPath       a file pattern for the tasks' output ({@code %t %n %N %j %s %u %x}); "" to relay it
 * @param stderrPath       a file pattern for the tasks' errors; "" for the output's destination
 * @param stdinMode        {@code all} (srun's stdin to every task), {@code none}, or a task rank
 * @param pty              run task 0 in a pseudo-terminal ({@code srun --pty})
 * @param killOnBadExit    terminate the step's tasks on this node when one ends with a non-zero status
 * @param timeLimitSeconds the step's time limit from its start; 0 for none
 * @param killGraceSeconds time between SIGTERM and SIGKILL; 0 for the agent's default
 * @param jobName          the job's name ({@code %x})
 */
public record StepLaunch(long jobId, int stepId, String user, int uid, int gid, List<String> argv, String workDir,
                         Map<String, String> env, List<StepTask> tasks, int nodeIndex, String nodeList,
                         List<Integer> stepCpus, long memoryLimitMb, String cpuBind, String ioHost, int ioPort,
                         String ioKey, String stdoutPath, String stderrPath, String stdinMode, boolean pty,
                         boolean killOnBadExit, long timeLimitSeconds, long killGraceSeconds, String jobName) {
    public StepLaunch {
        user = Wire.str(user);
        argv = Wire.list(argv);
        workDir = Wire.str(workDir);
        env = Wire.map(env);
        tasks = Wire.list(tasks);
        nodeList = Wire.str(nodeList);
        stepCpus = Wire.list(stepCpus);
        cpuBind = Wire.str(cpuBind);
        ioHost = Wire.str(ioHost);
        ioKey = Wire.str(ioKey);
        stdoutPath = Wire.str(stdoutPath);
        stderrPath = Wire.str(stderrPath);
        stdinMode = Wire.str(stdinMode).isEmpty() ? "all" : stdinMode;
        jobName = Wire.str(jobName);
    }

    /** {@code JOBID.STEPID}: how syncs and acknowledgements name the step. */
    public String key() {
        return key(jobId, stepId);
    }

    /** {@code JOBID.STEPID}. */
    public static String key(long jobId, int stepId) {
        return jobId + "." + stepId;
    }
}
