package io.bottega.api.agent;

import java.util.List;
import java.util.Map;

/**
 * Start a batch job's script on this node.
 *
 * @param jobId            the job (for an array task, the task's own job id)
 * @param user             the submitting user's name
 * @param uid              the user's numeric id on the nodes
 * @param gid              the job's primary group id
 * @param script           the batch script's text (starts with {@code #!})
 * @param workDir          working directory; relative output paths are resolved against it
 * @param env              job-wide environment (SLURM_* / BOTTEGA_* computed by the controller and the
 *                         exported submission environment); the agent adds the node-local variables
 * @param stdoutPath       output file pattern ({@code %j %x %A %a %u %N %n %%}); empty for Slurm's
 *                         default {@code slurm-%j.out} ({@code slurm-%A_%a.out} for an array task)
 * @param stderrPath       error file pattern; empty to write errors to the output file
 * @param stdinPath        input file; empty for {@code /dev/null}
 * @param appendOutput     append to the output files ({@code --open-mode=append}) instead of truncating
 * @param cpus             core ids on this node; empty for any
 * @param memoryLimitMb    memory limit on this node in MiB; 0 for none
 * @param gpus             GPU indices on this node
 * @param timeLimitSeconds the job's time limit; 0 for none
 * @param killGraceSeconds time between {@code SIGTERM} and {@code SIGKILL}; 0 for the agent's default
 * @param jobName          the job's name ({@code %x})
 * @param arrayJobId       the array's job id ({@code %A}); 0 when not an array task
 * @param arrayTaskId      the array task id ({@code %a}); meaningful when {@code arrayJobId > 0}
 * @param nodeList         the job's nodes as a Slurm host list
 * @param nodeIndex        this node's index among the job's nodes ({@code SLURM_NODEID}, {@code %n})
 */
public record LaunchRequest(long jobId, String user, int uid, int gid, String script, String workDir,
                            Map<String, String> env, String stdoutPath, String stderrPath, String stdinPath,
                            boolean appendOutput, List<Integer> cpus, long memoryLimitMb, List<Integer> gpus,
                            long timeLimitSeconds, long killGraceSeconds, String jobName, long arrayJobId,
                            int arrayTaskId, String nodeList, int nodeIndex) {
    public LaunchRequest {
        user = Wire.str(user);
        script = Wire.str(script);
        workDir = Wire.str(workDir);
        env = Wire.map(env);
        stdoutPath = Wire.str(stdoutPath);
        stderrPath = Wire.str(stderrPath);
        stdinPath = Wire.str(stdinPath);
        cpus = Wire.list(cpus);
        gpus = Wire.list(gpus);
        jobName = Wire.str(jobName);
        nodeList = Wire.str(nodeList);
    }

    /** Whether this is a task of a job array. */
    public boolean arrayTask() {
        return arrayJobId > 0;
    }
}
