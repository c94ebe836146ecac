package io.bottega.api;

import java.util.List;
import java.util.Map;

/**
 * A job step as {@code srun} asks for it ({@code POST /api/v1/jobs/{id}/steps}). Counts use 0 for "not
 * given": the controller then takes the job's own shape, as Slurm does (the job's tasks, one task per node
 * with {@code -N} alone, the job's CPUs per task).
 *
 * @param name          {@code -J}; the program's name when empty
 * @param argv          the program and its arguments
 * @param workDir       the tasks' working directory (absolute; {@code -D}, or srun's own)
 * @param environment   the tasks' environment as {@code --export} gives it (srun's environment by default)
 * @param nodes         {@code -N}
 * @param ntasks        {@code -n}
 * @param ntasksPerNode {@code --ntasks-per-node}
 * @param cpusPerTask   {@code -c}
 * @param gpusPerTask   {@code --gpus-per-task}
 * @param gpusPerNode   {@code --gres=gpu:N} or {@code --gpus-per-node}; -1 for {@code --gres=none}
 * @param nodeList      {@code -w}: the nodes to use, a host list, all of them in the job
 * @param exact         {@code --exact} or {@code --exclusive}: only the CPUs asked for (else all of the job's
 *                      CPUs on each node of the step)
 * @param overlap       {@code --overlap}: share CPUs and GPUs with other steps rather than wait for them
 * @param cpuBind       {@code --cpu-bind}: {@code none}, {@code cores}, {@code threads}, {@code rank},
 *                      {@code map_cpu:LIST}, optionally after {@code verbose,}; "" for cores
 * @param gpuBind       {@code --gpu-bind}: {@code none}, {@code closest}, {@code map_gpu:LIST}; "" for
 *                      each task's own GPUs with {@code --gpus-per-task}, else all of the step's
 * @param timeLimit     {@code -t}, seconds; 0 for the rest of the job's time
 * @param ioHost        where srun listens for the nodes' I/O connections; "" for the address the controller
 *                      saw the request come from
 * @param ioPort        srun's port; 0 for no relay (output to files)
 * @param ioKey         the secret agents present to srun
 * @param stdoutPath    {@code -o} file pattern; "" to relay output to srun
 * @param stderrPath    {@code -e} file pattern; "" for the output's destination
 * @param stdinMode     {@code -i}: {@code all}, {@code none} or a task rank
 * @param pty           {@code --pty}: task 0 in a pseudo-terminal
 * @param killOnBadExit {@code -K/--kill-on-bad-exit}
 */
public record StepRequest(String name, List<String> argv, String workDir, Map<String, String> environment, int nodes,
                          int ntasks, int ntasksPerNode, int cpusPerTask, int gpusPerTask, int gpusPerNode,
                          String nodeList, boolean exact, boolean overlap, String cpuBind, String gpuBind, long timeLimit,
                          String ioHost, int ioPort, String ioKey, String stdoutPath, String stderrPath, String stdinMode,
                          boolean pty, boolean killOnBadExit) {
    public StepRequest {
        name = name == null ? "" : name;
        argv = argv == null ? List.of() : List.copyOf(argv);
        workDir = workDir == null ? "" : workDir;
        environment = environment == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(environment));
        nodeList = nodeList == null ? "" : nodeList;
        cpuBind = cpuBind == null ? "" : cpuBind;
        gpuBind = gpuBind == null ? "" : gpuBind;
        ioHost = ioHost == null ? "" : ioHost;
        ioKey = ioKey == null ? "" : ioKey;
        stdoutPath = stdoutPath == null ? "" : stdoutPath;
        stderrPath = stderrPath == null ? "" : stderrPath;
        stdinMode = stdinMode == null || stdinMode.isEmpty() ? "all" : stdinMode;
    }
}
