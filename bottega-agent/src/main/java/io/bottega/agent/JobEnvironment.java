package io.bottega.agent;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import io.bottega.api.agent.LaunchRequest;
import io.bottega.api.agent.NodeResources;

/**
 * The environment a job's script starts with: the controller's job-wide variables (SLURM_*, BOTTEGA_* and
 * the exported submission environment), then the node-local ones the agent owns, which replace whatever
 * the submission carried (a login node's {@code CUDA_VISIBLE_DEVICES} must not leak into a job).
 */
final class JobEnvironment {
    private JobEnvironment() {}

    /** GPU variables, set from the allocation or removed. */
    static final List<String> GPU_VARS = List.of("CUDA_VISIBLE_DEVICES", "GPU_DEVICE_ORDINAL", "SLURM_JOB_GPUS",
            "SLURM_STEP_GPUS", "SLURM_GPUS_ON_NODE");

    /**
     * @param r        the launch
     * @param node     this node
     * @param tmpDir   the job's private TMPDIR
     * @param workDir  the working directory the script starts in
     */
    static Map<String, String> build(LaunchRequest r, NodeResources node, String tmpDir, String workDir) {
        Map<String, String> env = new TreeMap<>();
        r.env().forEach((k, v) -> {
            if (validName(k) && v.indexOf('\0') < 0) env.put(k, v);
        });
        String jobId = Long.toString(r.jobId());
        env.putIfAbsent("SLURM_JOB_ID", jobId);
        env.putIfAbsent("SLURM_JOBID", jobId);
        env.putIfAbsent("SLURM_JOB_NAME", r.jobName());
        env.putIfAbsent("SLURM_JOB_USER", r.user());
        env.putIfAbsent("SLURM_JOB_UID", Integer.toString(r.uid()));
        env.putIfAbsent("SLURM_JOB_GID", Integer.toString(r.gid()));
        if (!r.nodeList().isEmpty()) {
            env.putIfAbsent("SLURM_JOB_NODELIST", r.nodeList());
            env.putIfAbsent("SLURM_NODELIST", r.nodeList());
        }
        if (r.arrayTask()) {
            env.putIfAbsent("SLURM_ARRAY_JOB_ID", Long.toString(r.arrayJobId()));
            env.putIfAbsent("SLURM_ARRAY_TASK_ID", Integer.toString(r.arrayTaskId()));
        }
        if (!env.containsKey("PATH")) env.put("PATH", "/usr/local/bin:/usr/bin:/bin");

        // node-local: owned by the agent
        env.put("SLURMD_NODENAME", node.name());
        env.put("SLURM_NODEID", Integer.toString(r.nodeIndex()));
        env.put("SLURM_PROCID", "0");
        env.put("SLURM_LOCALID", "0");
        env.put("SLURM_GTIDS", "0");
        env.put("SLURM_TOPOLOGY_ADDR", node.name());
        env.put("SLURM_TOPOLOGY_ADDR_PATTERN", "node");
        env.put("SLURM_CPUS_ON_NODE", Integer.toString(r.cpus().isEmpty() ? node.cores() : r.cpus().size()));
        env.put("ENVIRONMENT", "BATCH");
        env.put("HOSTNAME", node.name());
        env.put("TMPDIR", tmpDir);
        env.put("PWD", workDir);
        env.put("BOTTEGA_NODE", node.name());
        env.put("BOTTEGA_CGROUP", node.cgroupMode());
        if (!r.cpus().isEmpty()) env.put("BOTTEGA_JOB_CORES", CpuList.format(r.cpus()));

        GPU_VARS.forEach(env::remove);
        if (!r.gpus().isEmpty()) {
            String ids = r.gpus().stream().sorted().map(String::valueOf).collect(Collectors.joining(","));
            env.put("CUDA_VISIBLE_DEVICES", ids);
            env.put("GPU_DEVICE_ORDINAL", ids);
            env.put("SLURM_JOB_GPUS", ids);
            env.put("SLURM_STEP_GPUS", ids);
            env.put("SLURM_GPUS_ON_NODE", Integer.toString(r.gpus().size()));
            // nvidia-smi numbers GPUs by PCI bus; CUDA, by default, fastest first: make them agree
            env.putIfAbsent("CUDA_DEVICE_ORDER", "PCI_BUS_ID");
        } else if (!node.gpus().isEmpty()) {
            env.put("CUDA_VISIBLE_DEVICES", "");   // a job without GPUs on a GPU node sees none
        }
        return env;
    }

    /** A name the environment can carry: not empty, no '=', no NUL, not starting with '-'. */
    static boolean validName(String k) {
        return !k.isEmpty() && k.indexOf('=') < 0 && k.indexOf('\0') < 0 && k.charAt(0) != '-';
    }
}
