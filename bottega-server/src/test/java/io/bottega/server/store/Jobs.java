package io.bottega.server.store;

/** Builds {@link JobRow}s for tests: every field has a plausible value, each setter changes one. */
final class Jobs {
    private long id;
    private long arrayJobId;
    private int arrayTaskId = -1;
    private String name = "train";
    private String user = "alice";
    private String account = "proj1";
    private String partition = "boost_usr_prod";
    private String state = "PENDING";
    private long submitTime = 1_700_000_000L;
    private long startTime;
    private long endTime;

    private Jobs(long id) { this.id = id; }

    static Jobs job(long id) { return new Jobs(id); }

    static JobRow row(long id) { return job(id).build(); }

    Jobs array(long arrayJobId, int arrayTaskId) {
        this.arrayJobId = arrayJobId;
        this.arrayTaskId = arrayTaskId;
        return this;
    }

    Jobs name(String v) { name = v; return this; }

    Jobs user(String v) { user = v; return this; }

    Jobs account(String v) { account = v; return this; }

    Jobs partition(String v) { partition = v; return this; }

    Jobs state(String v) { state = v; return this; }

    Jobs submitted(long t) { submitTime = t; return this; }

    Jobs started(long t) { startTime = t; return this; }

    Jobs ended(long t) { endTime = t; return this; }

    JobRow build() {
        return new JobRow(id, arrayJobId, arrayTaskId, name, user, 1000, 1000, account, partition, "normal", state,
                "", 0, 0, submitTime, submitTime, startTime, endTime, 3600, 1000, "", "",
                "{\"nodes\":1}", "{}", "", 0, "/home/alice", "/home/alice/slurm-%j.out", "", "");
    }

    /** A row with every field set to a value unlike its default, to check that each survives a round trip. */
    static JobRow everyField(long id) {
        return new JobRow(id, id - 1, 7, "näme 'with' \"quotes\"\nand a newline", "bob", 1234, 5678, "proj-ä",
                "boost_usr_prod", "boost_qos_dbg", "RUNNING", "Priority", -3, 9, 1_700_000_001L, 1_700_000_002L,
                1_700_000_003L, Long.MAX_VALUE, 86_400L, Long.MIN_VALUE + 1, "admin", "afterok:123:124",
                "{\"gpus\":4,\"text\":\"€ 😀\"}", "{\"nodes\":[\"lrdn0001\"],\"gpus\":[0,1,2,3]}", "lrdn[0001-0004]",
                Integer.MAX_VALUE, "/work/bob", "/work/bob/out-%j.txt", "/work/bob/err-%j.txt", "a comment; DROP TABLE jobs;--");
    }
}
