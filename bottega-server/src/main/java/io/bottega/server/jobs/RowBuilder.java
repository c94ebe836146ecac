package io.bottega.server.jobs;

import io.bottega.server.store.JobRow;

/** Copies a {@link JobRow} with some fields changed: {@code RowBuilder.from(row).state("RUNNING").build()}. */
public final class RowBuilder {
    private long id, arrayJobId, submitTime, eligibleTime, startTime, endTime, timeLimit, priority;
    private int arrayTaskId, uid, gid, exitCode, exitSignal, requeueCount;
    private String name = "", user = "", account = "", partition = "", qos = "", state = "PENDING", reason = "",
            hold = "", dependency = "", requestJson = "{}", allocationJson = "", nodeList = "", workDir = "",
            stdoutPath = "", stderrPath = "", comment = "";

    public static RowBuilder create() { return new RowBuilder(); }

    public static RowBuilder from(JobRow r) {
        RowBuilder b = new RowBuilder();
        b.id = r.id();
        b.arrayJobId = r.arrayJobId();
        b.arrayTaskId = r.arrayTaskId();
        b.name = r.name();
        b.user = r.user();
        b.uid = r.uid();
        b.gid = r.gid();
        b.account = r.account();
        b.partition = r.partition();
        b.qos = r.qos();
        b.state = r.state();
        b.reason = r.reason();
        b.exitCode = r.exitCode();
        b.exitSignal = r.exitSignal();
        b.submitTime = r.submitTime();
        b.eligibleTime = r.eligibleTime();
        b.startTime = r.startTime();
        b.endTime = r.endTime();
        b.timeLimit = r.timeLimit();
        b.priority = r.priority();
        b.hold = r.hold();
        b.dependency = r.dependency();
        b.requestJson = r.requestJson();
        b.allocationJson = r.allocationJson();
        b.nodeList = r.nodeList();
        b.requeueCount = r.requeueCount();
        b.workDir = r.workDir();
        b.stdoutPath = r.stdoutPath();
        b.stderrPath = r.stderrPath();
        b.comment = r.comment();
        return b;
    }

    public RowBuilder id(long v) { id = v; return this; }
    public RowBuilder array(long jobId, int taskId) { arrayJobId = jobId; arrayTaskId = taskId; return this; }
    public RowBuilder name(String v) { name = v; return this; }
    public RowBuilder user(String v, int u, int g) { user = v; uid = u; gid = g; return this; }
    public RowBuilder account(String v) { account = v; return this; }
    public RowBuilder partition(String v) { partition = v; return this; }
    public RowBuilder qos(String v) { qos = v; return this; }
    public RowBuilder state(String v) { state = v; return this; }
    public RowBuilder reason(String v) { reason = v; return this; }
    public RowBuilder exit(int code, int signal) { exitCode = code; exitSignal = signal; return this; }
    public RowBuilder submitTime(long v) { submitTime = v; return this; }
    public RowBuilder eligibleTime(long v) { eligibleTime = v; return this; }
    public RowBuilder startTime(long v) { startTime = v; return this; }
    public RowBuilder endTime(long v) { endTime = v; return this; }
    public RowBuilder timeLimit(long v) { timeLimit = v; return this; }
    public RowBuilder priority(long v) { priority = v; return this; }
    public RowBuilder hold(String v) { hold = v; return this; }
    public RowBuilder dependency(String v) { dependency = v; return this; }
    public RowBuilder requestJson(String v) { requestJson = v; return this; }
    public RowBuilder allocation(String json, String nodes) { allocationJson = json; nodeList = nodes; return this; }
    public RowBuilder requeueCount(int v) { requeueCount = v; return this; }
    public RowBuilder workDir(String v) { workDir = v; return this; }
    public RowBuilder output(String out, String err) { stdoutPath = out; stderrPath = err; return this; }
    public RowBuilder comment(String v) { comment = v; return this; }

    public JobRow build() {
        return new JobRow(id, arrayJobId, arrayTaskId, name, user, uid, gid, account, partition, qos, state, reason,
                exitCode, exitSignal, submitTime, eligibleTime, startTime, endTime, timeLimit, priority, hold, dependency,
                requestJson, allocationJson, nodeList, requeueCount, workDir, stdoutPath, stderrPath, comment);
    }
}
