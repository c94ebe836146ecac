package io.bottega.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One submitted batch job, as {@code sbatch} sends it to the controller: every option in plain types.
 * Counts use 0 for "not given", strings "", lists and maps empty; times are seconds and epoch seconds.
 * Built by {@code SbatchParser}; the controller validates it against the cluster.
 *
 * @param script the batch script's text (for {@code --wrap}: {@code #!/bin/sh\nCMD\n})
 * @param scriptPath the script file as given on the command line; "" for {@code --wrap} or standard input
 * @param scriptArgs arguments after the script name, passed to the script
 * @param wrap the {@code --wrap} command, "" if none
 * @param submitDir the directory sbatch ran in (SLURM_SUBMIT_DIR)
 * @param workDir {@code -D/--chdir}, absolute; the submit directory when not given
 * @param environment the environment the job starts with: the user's environment filtered and extended as {@code --export} says
 * @param export {@code --export} as written; "" when not given (which means ALL)
 * @param jobName {@code -J}; defaults to the script's file name, {@code wrap} for --wrap, {@code sbatch} for standard input
 * @param account {@code -A}
 * @param partition {@code -p}; a comma-separated list is kept as written
 * @param qos {@code -q}
 * @param reservation {@code --reservation}
 * @param comment {@code --comment}
 * @param timeLimit {@code -t}, seconds (whole minutes); 0: the partition's default; {@code SlurmTime.UNLIMITED}: none
 * @param timeMin {@code --time-min}, seconds; 0: not given
 * @param beginTime {@code -b/--begin}, epoch seconds; 0: not given
 * @param deadline {@code --deadline}, epoch seconds; 0: not given
 * @param nodesMin {@code -N min[-max]}
 * @param nodesMax {@code -N min-max}; 0 when no maximum was given
 * @param ntasks {@code -n}
 * @param ntasksPerNode {@code --ntasks-per-node}
 * @param cpusPerTask {@code -c}
 * @param threadsPerCore {@code --threads-per-core}
 * @param memPerNodeMb {@code --mem}, MB; {@code MemorySize.ALL} for {@code --mem=0}
 * @param memPerCpuMb {@code --mem-per-cpu}, MB
 * @param memPerGpuMb {@code --mem-per-gpu}, MB
 * @param gpus {@code -G/--gpus}: GPUs for the whole job
 * @param gpusPerNode {@code --gpus-per-node} or {@code --gres=gpu:N}
 * @param gpusPerTask {@code --gpus-per-task}
 * @param cpusPerGpu {@code --cpus-per-gpu}
 * @param ntasksPerGpu {@code --ntasks-per-gpu}
 * @param gpuType the GPU type of any GPU option ({@code gpu:a100:4}), "" for any
 * @param constraints {@code -C} features, all required
 * @param exclusive {@code --exclusive}
 * @param nodeList {@code -w/--nodelist}, a hostlist expression as written
 * @param excludeNodes {@code -x/--exclude}, a hostlist expression as written
 * @param hint {@code --hint}: nomultithread, multithread, compute_bound or memory_bound
 * @param distribution {@code -m/--distribution} as written
 * @param switches {@code --switches=count[@max-time]}: the count
 * @param switchesMaxWait {@code --switches}: the max-time, seconds
 * @param stdoutPath {@code -o}, a filename pattern ({@code slurm-%j.out} by default, {@code slurm-%A_%a.out} for arrays)
 * @param stderrPath {@code -e}, a filename pattern; the stdout pattern when not given
 * @param stdinPath {@code -i}; {@code /dev/null} by default
 * @param openMode {@code --open-mode}: append or truncate; "" when not given
 * @param array {@code -a/--array} as written, "" if not an array job
 * @param arraySpec {@code --array} parsed; {@link ArraySpec#NONE} if not an array job
 * @param dependency {@code -d/--dependency} as written
 * @param dependencies {@code --dependency} parsed
 * @param dependencyAnyOf the conditions were joined with {@code ?}: any one suffices (else all must hold)
 * @param killOnInvalidDep {@code --kill-on-invalid-dep}: yes, no, or "" when not given
 * @param hold {@code -H/--hold}
 * @param nice {@code --nice[=N]} (100 when given without a value)
 * @param priority {@code --priority}; 0 when not given
 * @param requeue {@code --requeue} (yes) or {@code --no-requeue} (no); "" when not given
 * @param mailType {@code --mail-type}, upper case
 * @param mailUser {@code --mail-user}
 * @param signal {@code --signal}: the signal number (Linux numbering); 0 when not given
 * @param signalSeconds {@code --signal}: seconds before the time limit (60 by default)
 * @param signalFlags {@code --signal}: {@code B} (batch shell only), {@code R} (reservation end) or both, as written
 * @param getUserEnv {@code --get-user-env}
 * @param propagate {@code --propagate}: the rlimits to propagate; "" when not given ({@code ALL} without a value)
 * @param uid {@code --uid} as asked (only root may; the controller decides)
 * @param gid {@code --gid} as asked
 * @param interactive an allocation without a batch script ({@code salloc}, or {@code srun} outside a job): the
 *                    controller starts nothing on the nodes and keeps the allocation while its client sends
 *                    keep-alives ({@code POST /api/v1/jobs/{id}/alive}), until it is released
 *                    ({@code POST /api/v1/jobs/{id}/complete}), cancelled, or its time limit ends
 */
public record JobSubmission(
        String script,
        String scriptPath,
        List<String> scriptArgs,
        String wrap,
        String submitDir,
        String workDir,
        Map<String, String> environment,
        String export,
        String jobName,
        String account,
        String partition,
        String qos,
        String reservation,
        String comment,
        long timeLimit,
        long timeMin,
        long beginTime,
        long deadline,
        int nodesMin,
        int nodesMax,
        int ntasks,
        int ntasksPerNode,
        int cpusPerTask,
        int threadsPerCore,
        long memPerNodeMb,
        long memPerCpuMb,
        long memPerGpuMb,
        int gpus,
        int gpusPerNode,
        int gpusPerTask,
        int cpusPerGpu,
        int ntasksPerGpu,
        String gpuType,
        List<String> constraints,
        boolean exclusive,
        String nodeList,
        String excludeNodes,
        String hint,
        String distribution,
        int switches,
        long switchesMaxWait,
        String stdoutPath,
        String stderrPath,
        String stdinPath,
        String openMode,
        String array,
        ArraySpec arraySpec,
        String dependency,
        List<Dependency> dependencies,
        boolean dependencyAnyOf,
        String killOnInvalidDep,
        boolean hold,
        int nice,
        long priority,
        String requeue,
        List<String> mailType,
        String mailUser,
        int signal,
        int signalSeconds,
        String signalFlags,
        boolean getUserEnv,
        String propagate,
        String uid,
        String gid,
        boolean interactive) {

    /** Nothing given: what {@code sbatch --help} carries. */
    public static final JobSubmission EMPTY = builder().build();

    public JobSubmission {
        script = script == null ? "" : script;
        scriptPath = scriptPath == null ? "" : scriptPath;
        scriptArgs = scriptArgs == null ? List.of() : List.copyOf(scriptArgs);
        wrap = wrap == null ? "" : wrap;
        submitDir = submitDir == null ? "" : submitDir;
        workDir = workDir == null ? "" : workDir;
        environment = environment == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(environment));
        export = export == null ? "" : export;
        jobName = jobName == null ? "" : jobName;
        account = account == null ? "" : account;
        partition = partition == null ? "" : partition;
        qos = qos == null ? "" : qos;
        reservation = reservation == null ? "" : reservation;
        comment = comment == null ? "" : comment;
        gpuType = gpuType == null ? "" : gpuType;
        constraints = constraints == null ? List.of() : List.copyOf(constraints);
        nodeList = nodeList == null ? "" : nodeList;
        excludeNodes = excludeNodes == null ? "" : excludeNodes;
        hint = hint == null ? "" : hint;
        distribution = distribution == null ? "" : distribution;
        stdoutPath = stdoutPath == null ? "" : stdoutPath;
        stderrPath = stderrPath == null ? "" : stderrPath;
        stdinPath = stdinPath == null ? "" : stdinPath;
        openMode = openMode == null ? "" : openMode;
        array = array == null ? "" : array;
        arraySpec = arraySpec == null ? ArraySpec.NONE : arraySpec;
        dependency = dependency == null ? "" : dependency;
        dependencies = dependencies == null ? List.of() : List.copyOf(dependencies);
        killOnInvalidDep = killOnInvalidDep == null ? "" : killOnInvalidDep;
        requeue = requeue == null ? "" : requeue;
        mailType = mailType == null ? List.of() : List.copyOf(mailType);
        mailUser = mailUser == null ? "" : mailUser;
        signalFlags = signalFlags == null ? "" : signalFlags;
        propagate = propagate == null ? "" : propagate;
        uid = uid == null ? "" : uid;
        gid = gid == null ? "" : gid;
    }

    public static Builder builder() { return new Builder(); }

    /** A builder holding this submission's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.script = script;
        b.scriptPath = scriptPath;
        b.scriptArgs = scriptArgs;
        b.wrap = wrap;
        b.submitDir = submitDir;
        b.workDir = workDir;
        b.environment = environment;
        b.export = export;
        b.jobName = jobName;
        b.account = account;
        b.partition = partition;
        b.qos = qos;
        b.reservation = reservation;
        b.comment = comment;
        b.timeLimit = timeLimit;
        b.timeMin = timeMin;
        b.beginTime = beginTime;
        b.deadline = deadline;
        b.nodesMin = nodesMin;
        b.nodesMax = nodesMax;
        b.ntasks = ntasks;
        b.ntasksPerNode = ntasksPerNode;
        b.cpusPerTask = cpusPerTask;
        b.threadsPerCore = threadsPerCore;
        b.memPerNodeMb = memPerNodeMb;
        b.memPerCpuMb = memPerCpuMb;
        b.memPerGpuMb = memPerGpuMb;
        b.gpus = gpus;
        b.gpusPerNode = gpusPerNode;
        b.gpusPerTask = gpusPerTask;
        b.cpusPerGpu = cpusPerGpu;
        b.ntasksPerGpu = ntasksPerGpu;
        b.gpuType = gpuType;
        b.constraints = constraints;
        b.exclusive = exclusive;
        b.nodeList = nodeList;
        b.excludeNodes = excludeNodes;
        b.hint = hint;
        b.distribution = distribution;
        b.switches = switches;
        b.switchesMaxWait = switchesMaxWait;
        b.stdoutPath = stdoutPath;
        b.stderrPath = stderrPath;
        b.stdinPath = stdinPath;
        b.openMode = openMode;
        b.array = array;
        b.arraySpec = arraySpec;
        b.dependency = dependency;
        b.dependencies = dependencies;
        b.dependencyAnyOf = dependencyAnyOf;
        b.killOnInvalidDep = killOnInvalidDep;
        b.hold = hold;
        b.nice = nice;
        b.priority = priority;
        b.requeue = requeue;
        b.mailType = mailType;
        b.mailUser = mailUser;
        b.signal = signal;
        b.signalSeconds = signalSeconds;
        b.signalFlags = signalFlags;
        b.getUserEnv = getUserEnv;
        b.propagate = propagate;
        b.uid = uid;
        b.gid = gid;
        b.interactive = interactive;
        return b;
    }

    /** A mutable builder, for parsers that fill a submission option by option. */
    public static final class Builder {
        private String script = "";
        private String scriptPath = "";
        private List<String> scriptArgs = List.of();
        private String wrap = "";
        private String submitDir = "";
        private String workDir = "";
        private Map<String, String> environment = Map.of();
        private String export = "";
        private String jobName = "";
        private String account = "";
        private String partition = "";
        private String qos = "";
        private String reservation = "";
        private String comment = "";
        private long timeLimit = 0;
        private long timeMin = 0;
        private long beginTime = 0;
        private long deadline = 0;
        private int nodesMin = 0;
        private int nodesMax = 0;
        private int ntasks = 0;
        private int ntasksPerNode = 0;
        private int cpusPerTask = 0;
        private int threadsPerCore = 0;
        private long memPerNodeMb = 0;
        private long memPerCpuMb = 0;
        private long memPerGpuMb = 0;
        private int gpus = 0;
        private int gpusPerNode = 0;
        private int gpusPerTask = 0;
        private int cpusPerGpu = 0;
        private int ntasksPerGpu = 0;
        private String gpuType = "";
        private List<String> constraints = List.of();
        private boolean exclusive = false;
        private String nodeList = "";
        private String excludeNodes = "";
        private String hint = "";
        private String distribution = "";
        private int switches = 0;
        private long switchesMaxWait = 0;
        private String stdoutPath = "";
        private String stderrPath = "";
        private String stdinPath = "";
        private String openMode = "";
        private String array = "";
        private ArraySpec arraySpec = ArraySpec.NONE;
        private String dependency = "";
        private List<Dependency> dependencies = List.of();
        private boolean dependencyAnyOf = false;
        private String killOnInvalidDep = "";
        private boolean hold = false;
        private int nice = 0;
        private long priority = 0;
        private String requeue = "";
        private List<String> mailType = List.of();
        private String mailUser = "";
        private int signal = 0;
        private int signalSeconds = 0;
        private String signalFlags = "";
        private boolean getUserEnv = false;
        private String propagate = "";
        private String uid = "";
        private String gid = "";
        private boolean interactive;

        public Builder script(String v) { script = v; return this; }
        public Builder scriptPath(String v) { scriptPath = v; return this; }
        public Builder scriptArgs(List<String> v) { scriptArgs = v; return this; }
        public Builder wrap(String v) { wrap = v; return this; }
        public Builder submitDir(String v) { submitDir = v; return this; }
        public Builder workDir(String v) { workDir = v; return this; }
        public Builder environment(Map<String, String> v) { environment = v; return this; }
        public Builder export(String v) { export = v; return this; }
        public Builder jobName(String v) { jobName = v; return this; }
        public Builder account(String v) { account = v; return this; }
        public Builder partition(String v) { partition = v; return this; }
        public Builder qos(String v) { qos = v; return this; }
        public Builder reservation(String v) { reservation = v; return this; }
        public Builder comment(String v) { comment = v; return this; }
        public Builder timeLimit(long v) { timeLimit = v; return this; }
        public Builder timeMin(long v) { timeMin = v; return this; }
        public Builder beginTime(long v) { beginTime = v; return this; }
        public Builder deadline(long v) { deadline = v; return this; }
        public Builder nodesMin(int v) { nodesMin = v; return this; }
        public Builder nodesMax(int v) { nodesMax = v; return this; }
        public Builder ntasks(int v) { ntasks = v; return this; }
        public Builder ntasksPerNode(int v) { ntasksPerNode = v; return this; }
        public Builder cpusPerTask(int v) { cpusPerTask = v; return this; }
        public Builder threadsPerCore(int v) { threadsPerCore = v; return this; }
        public Builder memPerNodeMb(long v) { memPerNodeMb = v; return this; }
        public Builder memPerCpuMb(long v) { memPerCpuMb = v; return this; }
        public Builder memPerGpuMb(long v) { memPerGpuMb = v; return this; }
        public Builder gpus(int v) { gpus = v; return this; }
        public Builder gpusPerNode(int v) { gpusPerNode = v; return this; }
        public Builder gpusPerTask(int v) { gpusPerTask = v; return this; }
        public Builder cpusPerGpu(int v) { cpusPerGpu = v; return this; }
        public Builder ntasksPerGpu(int v) { ntasksPerGpu = v; return this; }
        public Builder gpuType(String v) { gpuType = v; return this; }
        public Builder constraints(List<String> v) { constraints = v; return this; }
        public Builder exclusive(boolean v) { exclusive = v; return this; }
        public Builder nodeList(String v) { nodeList = v; return this; }
        public Builder excludeNodes(String v) { excludeNodes = v; return this; }
        public Builder hint(String v) { hint = v; return this; }
        public Builder distribution(String v) { distribution = v; return this; }
        public Builder switches(int v) { switches = v; return this; }
        public Builder switchesMaxWait(long v) { switchesMaxWait = v; return this; }
        public Builder stdoutPath(String v) { stdoutPath = v; return this; }
        public Builder stderrPath(String v) { stderrPath = v; return this; }
        public Builder stdinPath(String v) { stdinPath = v; return this; }
        public Builder openMode(String v) { openMode = v; return this; }
        public Builder array(String v) { array = v; return this; }
        public Builder arraySpec(ArraySpec v) { arraySpec = v; return this; }
        public Builder dependency(String v) { dependency = v; return this; }
        public Builder dependencies(List<Dependency> v) { dependencies = v; return this; }
        public Builder dependencyAnyOf(boolean v) { dependencyAnyOf = v; return this; }
        public Builder killOnInvalidDep(String v) { killOnInvalidDep = v; return this; }
        public Builder hold(boolean v) { hold = v; return this; }
        public Builder nice(int v) { nice = v; return this; }
        public Builder priority(long v) { priority = v; return this; }
        public Builder requeue(String v) { requeue = v; return this; }
        public Builder mailType(List<String> v) { mailType = v; return this; }
        public Builder mailUser(String v) { mailUser = v; return this; }
        public Builder signal(int v) { signal = v; return this; }
        public Builder signalSeconds(int v) { signalSeconds = v; return this; }
        public Builder signalFlags(String v) { signalFlags = v; return this; }
        public Builder getUserEnv(boolean v) { getUserEnv = v; return this; }
        public Builder propagate(String v) { propagate = v; return this; }
        public Builder uid(String v) { uid = v; return this; }
        public Builder gid(String v) { gid = v; return this; }
        public Builder interactive(boolean v) { interactive = v; return this; }

        public String script() { return script; }
        public String scriptPath() { return scriptPath; }
        public List<String> scriptArgs() { return scriptArgs; }
        public String wrap() { return wrap; }
        public String submitDir() { return submitDir; }
        public String workDir() { return workDir; }
        public Map<String, String> environment() { return environment; }
        public String export() { return export; }
        public String jobName() { return jobName; }
        public String account() { return account; }
        public String partition() { return partition; }
        public String qos() { return qos; }
        public String reservation() { return reservation; }
        public String comment() { return comment; }
        public long timeLimit() { return timeLimit; }
        public long timeMin() { return timeMin; }
        public long beginTime() { return beginTime; }
        public long deadline() { return deadline; }
        public int nodesMin() { return nodesMin; }
        public int nodesMax() { return nodesMax; }
        public int ntasks() { return ntasks; }
        public int ntasksPerNode() { return ntasksPerNode; }
        public int cpusPerTask() { return cpusPerTask; }
        public int threadsPerCore() { return threadsPerCore; }
        public long memPerNodeMb() { return memPerNodeMb; }
        public long memPerCpuMb() { return memPerCpuMb; }
        public long memPerGpuMb() { return memPerGpuMb; }
        public int gpus() { return gpus; }
        public int gpusPerNode() { return gpusPerNode; }
        public int gpusPerTask() { return gpusPerTask; }
        public int cpusPerGpu() { return cpusPerGpu; }
        public int ntasksPerGpu() { return ntasksPerGpu; }
        public String gpuType() { return gpuType; }
        public List<String> constraints() { return constraints; }
        public boolean exclusive() { return exclusive; }
        public String nodeList() { return nodeList; }
        public String excludeNodes() { return excludeNodes; }
        public String hint() { return hint; }
        public String distribution() { return distribution; }
        public int switches() { return switches; }
        public long switchesMaxWait() { return switchesMaxWait; }
        public String stdoutPath() { return stdoutPath; }
        public String stderrPath() { return stderrPath; }
        public String stdinPath() { return stdinPath; }
        public String openMode() { return openMode; }
        public String array() { return array; }
        public ArraySpec arraySpec() { return arraySpec; }
        public String dependency() { return dependency; }
        public List<Dependency> dependencies() { return dependencies; }
        public boolean dependencyAnyOf() { return dependencyAnyOf; }
        public String killOnInvalidDep() { return killOnInvalidDep; }
        public boolean hold() { return hold; }
        public int nice() { return nice; }
        public long priority() { return priority; }
        public String requeue() { return requeue; }
        public List<String> mailType() { return mailType; }
        public String mailUser() { return mailUser; }
        public int signal() { return signal; }
        public int signalSeconds() { return signalSeconds; }
        public String signalFlags() { return signalFlags; }
        public boolean getUserEnv() { return getUserEnv; }
        public String propagate() { return propagate; }
        public String uid() { return uid; }
        public String gid() { return gid; }
        public boolean interactive() { return interactive; }

        public JobSubmission build() {
            return new JobSubmission(script, scriptPath, scriptArgs, wrap, submitDir, workDir, environment, export,
                    jobName, account, partition, qos, reservation, comment, timeLimit, timeMin, beginTime,
                    deadline, nodesMin, nodesMax, ntasks, ntasksPerNode, cpusPerTask, threadsPerCore,
                    memPerNodeMb, memPerCpuMb, memPerGpuMb, gpus, gpusPerNode, gpusPerTask, cpusPerGpu,
                    ntasksPerGpu, gpuType, constraints, exclusive, nodeList, excludeNodes, hint, distribution,
                    switches, switchesMaxWait, stdoutPath, stderrPath, stdinPath, openMode, array, arraySpec,
                    dependency, dependencies, dependencyAnyOf, killOnInvalidDep, hold, nice, priority,
                    requeue, mailType, mailUser, signal, signalSeconds, signalFlags, getUserEnv, propagate,
                    uid, gid, interactive);
        }
    }
}
