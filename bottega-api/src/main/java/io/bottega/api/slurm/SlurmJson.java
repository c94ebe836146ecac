package io.bottega.api.slurm;

import io.bottega.api.JobView;
import io.bottega.api.json.JsonWriter;

import java.util.List;

/**
 * {@code squeue --json} and {@code sacct --json} documents in the shape Slurm 22.05 prints (data parser
 * v0.0.38): {@code {"meta": ..., "errors": [], "jobs": [...]}} with Slurm's snake_case names. Times are epoch
 * seconds (0 when unset), time limits minutes ({@value #INFINITE} for none, Slurm's INFINITE), memory MB.
 */
public final class SlurmJson {
    /** Slurm's INFINITE, printed for an unlimited time limit. */
    public static final long INFINITE = 4294967295L;

    private SlurmJson() {}

    /** The {@code squeue --json} document, indented, ending with a newline. */
    public static String squeue(List<JobView> jobs) {
        JsonWriter w = new JsonWriter(true);
        w.beginObject();
        meta(w);
        w.name("jobs").beginArray();
        for (JobView j : jobs) squeueJob(w, j);
        w.endArray().endObject();
        return w + "\n";
    }

    /** The {@code sacct --json} document, indented, ending with a newline. */
    public static String sacct(List<JobView> jobs) {
        JsonWriter w = new JsonWriter(true);
        w.beginObject();
        meta(w);
        w.name("jobs").beginArray();
        for (JobView j : jobs) sacctJob(w, j);
        w.endArray().endObject();
        return w + "\n";
    }

    private static void meta(JsonWriter w) {
        w.name("meta").beginObject()
                .name("plugin").beginObject().field("type", "openapi/v0.0.38").field("name", "Bottega").endObject()
                .endObject();
        w.name("errors").beginArray().endArray();
    }

    private static void squeueJob(JsonWriter w, JobView j) {
        w.beginObject();
        w.field("account", j.account());
        w.field("array_job_id", j.arrayJobId());
        w.name("array_task_id");
        if (j.arrayJobId() > 0 && j.arrayTaskId() >= 0) w.value(j.arrayTaskId());
        else w.nullValue();
        w.field("array_task_string", j.arrayTasks());
        w.field("batch_flag", true);
        w.field("command", j.command());
        w.field("comment", j.comment());
        w.field("cpus", j.cpus());
        w.field("current_working_directory", j.workDir());
        w.field("dependency", j.dependency());
        w.field("eligible_time", j.eligibleTime());
        w.field("end_time", j.endTime());
        w.field("exit_code", j.exitCode());
        w.field("job_id", j.id());
        w.field("job_state", j.state());
        w.field("memory_per_node", j.memMb() == MemorySize.ALL ? 0 : j.memMb());
        w.field("name", j.name());
        w.field("node_count", j.nodeCount() > 0 ? j.nodeCount() : j.nodesRequested());
        w.field("nodes", j.nodeList());
        w.field("partition", j.partition());
        w.field("priority", j.priority());
        w.field("qos", j.qos());
        w.field("resv_name", j.reservation());
        w.field("sched_nodes", j.schedNodes());
        w.field("standard_error", j.stderrPath());
        w.field("standard_output", j.stdoutPath());
        w.field("start_time", j.startTime() > 0 ? j.startTime() : "PENDING".equals(j.state()) ? j.predictedStart() : 0);
        w.field("state_reason", j.reason().isEmpty() ? "None" : j.reason());
        w.field("submit_time", j.submitTime());
        w.field("time_limit", minutes(j.timeLimit()));
        w.field("tres_per_node", j.tresPerNode());
        w.field("user_name", j.user());
        w.endObject();
    }

    private static void sacctJob(JsonWriter w, JobView j) {
        w.beginObject();
        w.field("account", j.account());
        w.name("comment").beginObject().field("job", j.comment()).endObject();
        w.field("allocation_nodes", j.nodeCount());
        w.name("array").beginObject().field("job_id", j.arrayJobId());
        w.name("task_id");
        if (j.arrayJobId() > 0 && j.arrayTaskId() >= 0) w.value(j.arrayTaskId());
        else w.nullValue();
        w.name("task");
        if (!j.arrayTasks().isEmpty()) w.value(j.arrayTasks());
        else w.nullValue();
        w.endObject();
        w.name("exit_code").beginObject()
                .field("status", j.exitSignal() != 0 ? "SIGNALED" : j.exitCode() != 0 ? "FAILED" : "SUCCESS")
                .field("return_code", j.exitCode())
                .name("signal").beginObject().field("signal_id", j.exitSignal()).endObject()
                .endObject();
        w.field("job_id", j.id());
        w.field("name", j.name());
        w.field("nodes", j.nodeList().isEmpty() ? "None assigned" : j.nodeList());
        w.field("partition", j.partition());
        w.field("priority", j.priority());
        w.field("qos", j.qos());
        w.name("required").beginObject().field("CPUs", j.cpus()).field("memory", j.memMb() == MemorySize.ALL ? 0 : j.memMb()).endObject();
        w.name("reservation").beginObject().field("name", j.reservation()).endObject();
        w.name("state").beginObject().field("current", j.state()).field("reason", j.reason().isEmpty() ? "None" : j.reason()).endObject();
        w.name("steps").beginArray().endArray();
        w.name("time").beginObject()
                .field("elapsed", j.elapsed())
                .field("eligible", j.eligibleTime())
                .field("end", j.endTime())
                .field("start", j.startTime())
                .field("submission", j.submitTime())
                .field("limit", minutes(j.timeLimit()))
                .endObject();
        w.name("tres").beginObject();
        w.name("allocated").beginArray();
        if (j.nodeCount() > 0) tres(w, j);
        w.endArray();
        w.name("requested").beginArray();
        tres(w, j);
        w.endArray();
        w.endObject();
        w.field("user", j.user());
        w.field("working_directory", j.workDir());
        w.endObject();
    }

    private static void tres(JsonWriter w, JobView j) {
        tres(w, "cpu", "", 1, j.cpus());
        if (j.memMb() > 0 && j.memMb() != MemorySize.ALL) {
            tres(w, "mem", "", 2, j.memMb() * Math.max(1, j.nodeCount() > 0 ? j.nodeCount() : j.nodesRequested()));
        }
        tres(w, "node", "", 4, j.nodeCount() > 0 ? j.nodeCount() : j.nodesRequested());
        if (j.gpus() > 0) tres(w, "gres", "gpu", 1001, j.gpus());
    }

    private static void tres(JsonWriter w, String type, String name, int id, long count) {
        w.beginObject().field("type", type);
        w.name("name");
        if (name.isEmpty()) w.nullValue();
        else w.value(name);
        w.field("id", id).field("count", count).endObject();
    }

    private static long minutes(long seconds) {
        if (seconds >= SlurmTime.UNLIMITED) return INFINITE;
        return (seconds + 59) / 60;
    }
}
