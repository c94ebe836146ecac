package io.bottega.server.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bottega.core.policy.Site;
import io.bottega.server.accounting.Admission;
import io.bottega.api.ArraySpec;
import io.bottega.api.Dependency;
import io.bottega.api.JobSubmission;
import io.bottega.api.slurm.Dependencies;
import io.bottega.api.slurm.SlurmTime;
import io.bottega.core.model.Cluster;
import io.bottega.core.model.Demand;
import io.bottega.core.model.JobSpec;
import io.bottega.core.model.Partition;
import io.bottega.core.model.ResourceRequest;
import io.bottega.core.model.Verdict;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a submitted batch job against the cluster and turns it into what the controller stores and
 * schedules. Everything here is static (needs no other job): dependencies on other jobs are checked by
 * the loop. Thread-safe.
 */
public final class JobFactory {
    /** Slurm refuses batch scripts over 4 MB by default (max_script_size). */
    public static final int MAX_SCRIPT_BYTES = 4 * 1024 * 1024;

    private final Cluster cluster;
    private final Demand.Resolver resolver;
    private final ObjectMapper json;

    private final Admission admission;

    public JobFactory(Cluster cluster, ObjectMapper json) {
        this(cluster, Site.NONE, json);
    }

    /** A factory that also applies the site's accounts and QOS: defaults, and refusals of what can never run. */
    public JobFactory(Cluster cluster, Site site, ObjectMapper json) {
        this.cluster = cluster;
        this.resolver = new Demand.Resolver(cluster);
        this.json = json;
        this.admission = new Admission(site);
    }

    public Cluster cluster() { return cluster; }

    /** A checked submission: one element per array task (one element with task -1 when not an array). */
    public record Prepared(JobSubmission request, Identity owner, String name, String partition, long timeLimit,
                           JobSpec specTemplate, Demand demand, List<Dependency> dependencies, boolean anyOf,
                           List<Integer> arrayTasks, int arrayMaxConcurrent, String requestJson, String envJson,
                           String script, String workDir, String stdout, String stderr, long beginTime, boolean hold,
                           ServerJob.LaunchOptions options) {
        public boolean isArray() { return !arrayTasks.isEmpty(); }
    }

    public Prepared prepare(JobSubmission s, Identity owner, long now) {
        String script = s.script();
        if (s.interactive()) {
            // salloc, or srun outside a job: an allocation whose client runs the steps; no script to start
            if (!script.isEmpty()) throw SubmitException.invalid("script", "an interactive allocation has no batch script");
            if (!s.array().isEmpty() || s.arraySpec().taskCount() > 0) {
                throw SubmitException.invalid("array", "Job submit/allocate failed: an interactive allocation cannot be an array");
            }
        } else if (script.isEmpty()) {
            throw SubmitException.invalid("script", "Batch job submission failed: empty batch script");
        } else if (!script.startsWith("#!")) {
            throw SubmitException.invalid("script", "This does not look like a batch script.  The first line must start with "
                    + "#! followed by the path to an interpreter. For instance: #!/bin/sh");
        }
        if (script.length() > MAX_SCRIPT_BYTES) {
            throw SubmitException.invalid("script", "Batch job submission failed: Pathname of a file, directory or other "
                    + "parameter too long (script is " + script.length() + " bytes, the limit is " + MAX_SCRIPT_BYTES + ")");
        }
        unsupported(!s.nodeList().isEmpty(), "nodeList", "--nodelist");
        unsupported(!s.excludeNodes().isEmpty(), "excludeNodes", "--exclude");
        unsupported(s.deadline() > 0, "deadline", "--deadline");
        unsupported(s.timeMin() > 0, "timeMin", "--time-min");
        unsupported(s.ntasksPerGpu() > 0, "ntasksPerGpu", "--ntasks-per-gpu");
        if ((!s.uid().isEmpty() || !s.gid().isEmpty()) && !owner.operator()) {
            throw SubmitException.forbidden("Batch job submission failed: Access/permission denied (--uid/--gid need an operator)");
        }
        if (!s.uid().isEmpty() || !s.gid().isEmpty()) unsupported(true, "uid", "--uid/--gid");

        Partition p = s.partition().isEmpty() ? cluster.defaultPartition()
                : cluster.partition(s.partition()).orElseThrow(() -> SubmitException.invalid("partition",
                "Batch job submission failed: Invalid partition name specified (" + s.partition() + ")"));
        long limit = s.timeLimit();
        if (limit == 0) limit = p.defaultTimeLimit();
        else if (limit >= SlurmTime.UNLIMITED) limit = p.maxTimeLimit();
        if (limit > p.maxTimeLimit()) {
            throw SubmitException.invalid("timeLimit", "Batch job submission failed: Requested time limit is invalid (missing "
                    + "or exceeds some limit): " + SlurmTime.formatDuration(limit) + " > " + SlurmTime.formatDuration(p.maxTimeLimit())
                    + " allowed in partition " + p.name());
        }

        ResourceRequest request = resources(s);
        String name = !s.jobName().isEmpty() ? s.jobName() : defaultName(s);
        String account = admission.accountFor(owner.user(), s.account());
        String qos = admission.qosFor(s.qos());
        JobSpec template = new JobSpec(0, name, owner.user(), account, p.name(), qos, now, limit, s.beginTime(),
                request, s.reservation());
        Verdict v = resolver.resolve(template);
        if (v instanceof Verdict.Rejected r) {
            throw SubmitException.invalid(fieldOf(r.reason()), "Batch job submission failed: " + r.reason().slurmMessage()
                    + " (" + r.message() + ")");
        }
        Demand demand = ((Verdict.Fits) v).demand();
        var refused = admission.refusal(template, demand, owner.operator());
        if (refused.isPresent()) {
            String field = refused.get().startsWith("Invalid account") ? "account" : "qos";
            throw SubmitException.invalid(field, "Batch job submission failed: " + refused.get());
        }

        List<Dependency> deps = s.dependencies();
        boolean anyOf = s.dependencyAnyOf();
        if (deps.isEmpty() && !s.dependency().isEmpty()) {
            try {
                Dependencies.Parsed parsed = Dependencies.parse(s.dependency());
                deps = parsed.dependencies();
                anyOf = parsed.anyOf();
            } catch (IllegalArgumentException e) {
                throw SubmitException.invalid("dependency", "Batch job submission failed: Job dependency problem ("
                        + s.dependency() + ": " + e.getMessage() + ")");
            }
        }
        ArraySpec array = s.arraySpec();
        if (array.taskCount() == 0 && !s.array().isEmpty()) {
            try {
                array = io.bottega.api.slurm.JobArrays.parse(s.array(), io.bottega.api.slurm.JobArrays.DEFAULT_MAX_ARRAY_SIZE);
            } catch (IllegalArgumentException e) {
                throw SubmitException.invalid("array", "Batch job submission failed: Invalid job array specification ("
                        + s.array() + ": " + e.getMessage() + ")");
            }
        }
        String workDir = !s.workDir().isEmpty() ? s.workDir() : s.submitDir();
        if (workDir.isEmpty() || !workDir.startsWith("/")) {
            throw SubmitException.invalid("workDir", "Batch job submission failed: the working directory must be an absolute path"
                    + (workDir.isEmpty() ? " (none given)" : " (got '" + workDir + "')"));
        }
        boolean append = "append".equalsIgnoreCase(s.openMode());
        String requeue = s.requeue();
        boolean killOnInvalid = "yes".equalsIgnoreCase(s.killOnInvalidDep()) || "true".equalsIgnoreCase(s.killOnInvalidDep());
        String submitHost = s.environment().getOrDefault("HOSTNAME", "");
        Map<String, String> arrayEnv = new LinkedHashMap<>();
        JobEnvironment.arrayBounds(arrayEnv, array.taskIds());
        ServerJob.LaunchOptions options = new ServerJob.LaunchOptions(append, requeue, killOnInvalid, array.maxConcurrent(),
                submitHost, arrayEnv);

        JobSubmission stored = s.toBuilder().script("").environment(Map.of()).build();
        String requestJson;
        String envJson;
        try {
            requestJson = json.writeValueAsString(stored);
            envJson = json.writeValueAsString(new LinkedHashMap<>(s.environment()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode request", e);
        }
        return new Prepared(s, owner, name, p.name(), limit, template, demand, deps, anyOf, array.taskIds(),
                array.maxConcurrent(), requestJson, envJson, script, workDir, s.stdoutPath(), s.stderrPath(),
                s.beginTime(), s.hold(), options);
    }

    private static void unsupported(boolean given, String field, String option) {
        if (given) {
            throw SubmitException.invalid(field, "Batch job submission failed: " + option + " is not supported by Bottega yet");
        }
    }

    private static String fieldOf(Verdict.Reason r) {
        return switch (r) {
            case INVALID_PARTITION -> "partition";
            case INVALID_TIME_LIMIT -> "timeLimit";
            case INVALID_FEATURE -> "constraints";
            case INVALID_NODE_COUNT -> "nodesMin";
            case INVALID_GRES -> "gpus";
            case INVALID_TASKS -> "ntasks";
            case MEMORY_UNAVAILABLE -> "memPerNodeMb";
            case NODE_CONFIG_UNAVAILABLE -> "";
        };
    }

    private static String defaultName(JobSubmission s) {
        if (s.interactive()) return "interactive";
        if (!s.wrap().isEmpty()) return "wrap";
        String path = s.scriptPath();
        if (path.isEmpty()) return "sbatch";
        int slash = path.lastIndexOf('/');
        return slash >= 0 ? path.substring(slash + 1) : path;
    }

    /** The scheduler's view of the request's resources (Slurm's options mapped onto {@link ResourceRequest}). */
    static ResourceRequest resources(JobSubmission s) {
        ResourceRequest.Builder b = ResourceRequest.builder()
                .nodes(s.nodesMin(), s.nodesMax())
                .tasks(s.ntasks())
                .tasksPerNode(s.ntasksPerNode())
                .memPerNodeMb(s.memPerNodeMb())
                .memPerCpuMb(s.memPerCpuMb())
                .gpusPerNode(s.gpusPerNode())
                .gpusPerTask(s.gpusPerTask())
                .gpusTotal(s.gpus())
                .gpuType(s.gpuType())
                .constraints(s.constraints())
                .exclusive(s.exclusive());
        int cpusPerTask = s.cpusPerTask();
        if (s.cpusPerGpu() > 0) {
            if (cpusPerTask > 0) {
                throw SubmitException.invalid("cpusPerGpu", "Batch job submission failed: --cpus-per-gpu is mutually exclusive with --cpus-per-task");
            }
            int gpusPerTaskish = s.gpusPerTask() > 0 ? s.gpusPerTask()
                    : (s.ntasks() <= 1 && s.ntasksPerNode() <= 1 ? Math.max(s.gpusPerNode(), s.gpus()) : 0);
            if (gpusPerTaskish == 0) {
                throw SubmitException.invalid("cpusPerGpu", "Batch job submission failed: --cpus-per-gpu needs --gpus-per-task, "
                        + "or a single task with --gpus-per-node or --gpus");
            }
            cpusPerTask = s.cpusPerGpu() * gpusPerTaskish;
        }
        if (s.memPerGpuMb() > 0) {
            if (s.memPerNodeMb() > 0 || s.memPerCpuMb() > 0) {
                throw SubmitException.invalid("memPerGpuMb", "Batch job submission failed: --mem, --mem-per-cpu and --mem-per-gpu are mutually exclusive");
            }
            int gpn = s.gpusPerNode() > 0 ? s.gpusPerNode() : (s.nodesMax() <= 1 ? s.gpus() : 0);
            if (gpn == 0) {
                throw SubmitException.invalid("memPerGpuMb", "Batch job submission failed: --mem-per-gpu needs --gpus-per-node "
                        + "(or --gpus on one node)");
            }
            b.memPerNodeMb(s.memPerGpuMb() * gpn);
        }
        return b.cpusPerTask(cpusPerTask).build();
    }
}
