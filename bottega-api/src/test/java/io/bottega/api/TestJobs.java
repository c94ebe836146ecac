package io.bottega.api;

/** A test builder of {@link JobView}s, with the values of a small Leonardo-like queue. */
public final class TestJobs {
    public long id = 1;
    public long arrayJobId;
    public int arrayTaskId = -1;
    public String arrayTasks = "";
    public String name = "job";
    public String user = "alice";
    public String account = "aifac_l01_028";
    public String partition = "boost_usr_prod";
    public String qos = "normal";
    public String state = "PENDING";
    public String reason = "None";
    public long submitTime;
    public long eligibleTime;
    public long startTime;
    public long endTime;
    public long predictedStart;
    public long timeLimit = 3600;
    public int nodesRequested = 1;
    public int nodeCount;
    public int cpus = 1;
    public int gpus;
    public long memMb;
    public String nodeList = "";
    public String schedNodes = "";
    public String workDir = "/home/alice";
    public String command = "/home/alice/job.sh";
    public String stdoutPath = "/home/alice/slurm-%j.out";
    public String stderrPath = "/home/alice/slurm-%j.out";
    public String tresPerNode = "";
    public long priority = 1000;
    public int exitCode;
    public int exitSignal;
    public String dependency = "";
    public String comment = "";
    public String reservation = "";
    public long elapsed;

    public static TestJobs job(long id) {
        TestJobs t = new TestJobs();
        t.id = id;
        return t;
    }

    public TestJobs set(java.util.function.Consumer<TestJobs> change) {
        change.accept(this);
        return this;
    }

    public JobView build() {
        return new JobView(id, arrayJobId, arrayTaskId, arrayTasks, name, user, account, partition, qos, state, reason,
                submitTime, eligibleTime, startTime, endTime, predictedStart, timeLimit, nodesRequested, nodeCount, cpus,
                gpus, memMb, nodeList, schedNodes, workDir, command, stdoutPath, stderrPath, tresPerNode, priority, exitCode,
                exitSignal, dependency, comment, reservation, elapsed, 0);
    }
}
