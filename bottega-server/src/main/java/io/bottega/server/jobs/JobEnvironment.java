package io.bottega.server.jobs;

import io.bottega.core.model.Allocation;
import io.bottega.core.model.Cluster;
import io.bottega.core.model.Hostlist;
import io.bottega.server.store.JobRow;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The job-wide environment of a batch job, as Slurm sets it (so that tools which detect Slurm — Open MPI,
 * PyTorch Lightning, submitit, torchrun wrappers — work unchanged), beside {@code BOTTEGA_*}. The agent adds
 * what depends on the node (SLURMD_NODENAME, SLURM_NODEID, CUDA_VISIBLE_DEVICES, ...).
 */
public final class JobEnvironment {
    private JobEnvironment() {}

    public static Map<String, String> build(Cluster cluster, JobRow row, ServerJob job, Allocation a, List<String> nodes,
                                            Map<String, String> exported, String controllerUrl) {
        Map<String, String> env = new LinkedHashMap<>(exported);
        String id = Long.toString(row.id());
        String nodeList = Hostlist.compress(nodes);
        int ntasks = a.totalTasks();
        put(env, "SLURM_JOB_ID", id);
        put(env, "SLURM_JOBID", id);
        put(env, "SLURM_JOB_NAME", row.name());
        put(env, "SLURM_JOB_USER", row.user());
        put(env, "SLURM_JOB_UID", Integer.toString(row.uid()));
        put(env, "SLURM_JOB_GID", Integer.toString(row.gid()));
        put(env, "SLURM_JOB_ACCOUNT", row.account());
        put(env, "SLURM_JOB_PARTITION", row.partition());
        put(env, "SLURM_JOB_QOS", row.qos().isEmpty() ? "normal" : row.qos());
        put(env, "SLURM_CLUSTER_NAME", cluster.name());
        put(env, "SLURM_JOB_NODELIST", nodeList);
        put(env, "SLURM_NODELIST", nodeList);
        put(env, "SLURM_JOB_NUM_NODES", Integer.toString(a.nodeCount()));
        put(env, "SLURM_NNODES", Integer.toString(a.nodeCount()));
        put(env, "SLURM_NTASKS", Integer.toString(ntasks));
        put(env, "SLURM_NPROCS", Integer.toString(ntasks));
        int[] tasks = new int[a.nodeCount()];
        int[] cpus = new int[a.nodeCount()];
        for (int i = 0; i < a.nodeCount(); i++) {
            tasks[i] = a.tasks(i);
            cpus[i] = a.cores(i);
        }
        put(env, "SLURM_TASKS_PER_NODE", repeated(tasks));
        put(env, "SLURM_JOB_CPUS_PER_NODE", repeated(cpus));
        if (job.spec().resources().tasksPerNode() > 0) {
            put(env, "SLURM_NTASKS_PER_NODE", Integer.toString(job.spec().resources().tasksPerNode()));
        }
        put(env, "SLURM_CPUS_PER_TASK", Integer.toString(job.demand().coresPerTask()));
        if (job.spec().resources().memPerCpuMb() > 0) {
            put(env, "SLURM_MEM_PER_CPU", Long.toString(job.spec().resources().memPerCpuMb()));
        } else {
            put(env, "SLURM_MEM_PER_NODE", Long.toString(a.memMb(0)));
        }
        int gpus = a.totalGpus();
        if (gpus > 0) {
            put(env, "SLURM_GPUS", Integer.toString(gpus));
            if (job.demand().gpusPerNode() > 0) put(env, "SLURM_GPUS_PER_NODE", Integer.toString(job.demand().gpusPerNode()));
            if (job.demand().gpusPerTask() > 0) put(env, "SLURM_GPUS_PER_TASK", Integer.toString(job.demand().gpusPerTask()));
        }
        put(env, "SLURM_SUBMIT_DIR", row.workDir());
        String submitHost = job.options().submitHost();
        if (!submitHost.isEmpty()) put(env, "SLURM_SUBMIT_HOST", submitHost);
        put(env, "SLURM_JOB_START_TIME", Long.toString(row.startTime()));
        put(env, "SLURM_JOB_END_TIME", Long.toString(row.startTime() + row.timeLimit()));
        if (row.arrayJobId() > 0) {
            put(env, "SLURM_ARRAY_JOB_ID", Long.toString(row.arrayJobId()));
            put(env, "SLURM_ARRAY_TASK_ID", Integer.toString(row.arrayTaskId()));
            env.putAll(job.options().arrayEnv());
        }
        if (!row.dependency().isEmpty()) put(env, "SLURM_JOB_DEPENDENCY", row.dependency());
        if (!job.spec().reservation().isEmpty()) put(env, "SLURM_JOB_RESERVATION", job.spec().reservation());
        put(env, "SLURM_RESTART_COUNT", Integer.toString(row.requeueCount()));
        put(env, "SLURM_PROCID", "0");
        put(env, "SLURM_LOCALID", "0");
        put(env, "SLURM_GTIDS", "0");
        put(env, "ENVIRONMENT", "BATCH");
        put(env, "BOTTEGA_JOB_ID", id);
        put(env, "BOTTEGA_NODELIST", nodeList);
        put(env, "BOTTEGA_CLUSTER", cluster.name());
        if (!controllerUrl.isEmpty()) put(env, "BOTTEGA_CONTROLLER", controllerUrl);
        return env;
    }

    /** Adds the array-wide variables that need every task of the array: count, min, max. */
    public static void arrayBounds(Map<String, String> env, List<Integer> taskIds) {
        if (taskIds.isEmpty()) return;
        put(env, "SLURM_ARRAY_TASK_COUNT", Integer.toString(taskIds.size()));
        put(env, "SLURM_ARRAY_TASK_MIN", Integer.toString(taskIds.get(0)));
        put(env, "SLURM_ARRAY_TASK_MAX", Integer.toString(taskIds.get(taskIds.size() - 1)));
        int step = taskIds.size() > 1 ? taskIds.get(1) - taskIds.get(0) : 1;
        for (int i = 2; i < taskIds.size(); i++) if (taskIds.get(i) - taskIds.get(i - 1) != step) step = 1;
        put(env, "SLURM_ARRAY_TASK_STEP", Integer.toString(step));
    }

    private static void put(Map<String, String> env, String k, String v) { env.put(k, v); }

    /** Slurm's compact form of per-node counts: {@code 4(x2),2}. */
    public static String repeated(int[] values) {
        List<String> parts = new ArrayList<>();
        int i = 0;
        while (i < values.length) {
            int j = i;
            while (j + 1 < values.length && values[j + 1] == values[i]) j++;
            int count = j - i + 1;
            parts.add(count > 1 ? values[i] + "(x" + count + ")" : Integer.toString(values[i]));
            i = j + 1;
        }
        return String.join(",", parts);
    }
}
