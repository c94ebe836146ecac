package io.bottega.cli.slurm;

import io.bottega.cli.http.FakeController;
import io.bottega.cli.http.JsonIn;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SacctTest {
    private static final long MIDNIGHT = TestIo.NOW - 10 * 3600;

    private FakeController ctl;
    private TestIo t;

    @BeforeEach
    void setUp() throws Exception {
        ctl = FakeController.start().on("GET", "/accounting/jobs", 200, TestIo.fixture("accounting.json"))
                .on("GET", "/whoami", 200, "{\"user\":\"alice\",\"uid\":1000,\"gid\":100,\"operator\":false,\"via\":\"token\"}");
        t = new TestIo(ctl);
    }

    @AfterEach
    void tearDown() {
        ctl.close();
    }

    /** The last accounting query sacct sent (it asks for the jobs' steps after it). */
    private FakeController.Request accounting() {
        List<FakeController.Request> rs = ctl.requests();
        for (int i = rs.size() - 1; i >= 0; i--) if (rs.get(i).path().endsWith("/accounting/jobs")) return rs.get(i);
        throw new AssertionError("no accounting query");
    }

    @Test
    void run_noOptions_showsTheCallersJobsSinceMidnightInSlurmsColumns() {
        assertThat(t.run("sacct")).isZero();
        assertThat(t.out()).isEqualTo(""
                + "JobID           JobName  Partition    Account  AllocCPUS      State ExitCode \n"
                + "------------ ---------- ---------- ---------- ---------- ---------- -------- \n"
                + "90                 prep    booster      proj1         32  COMPLETED      0:0 \n"
                + "91           bad-config    booster      proj1         32     FAILED      2:0 \n"
                + "92           long-trai+    booster      proj1        128    TIMEOUT     0:15 \n"
                + "101          train-lla+    booster      proj1         64    RUNNING      0:0 \n");
        FakeController.Request r = accounting();
        assertThat(r.param("users")).isEqualTo("alice");
        assertThat(r.param("start")).isEqualTo(Long.toString(MIDNIGHT));
        assertThat(r.param("end")).isNull();
    }

    @Test
    void run_parsable2_separatesFieldsWithBars() {
        assertThat(t.run("sacct", "-P", "--format=JobID,State,Elapsed,ExitCode")).isZero();
        assertThat(t.out()).isEqualTo("JobID|State|Elapsed|ExitCode\n90|COMPLETED|00:10:00|0:0\n91|FAILED|00:00:10|2:0\n"
                + "92|TIMEOUT|01:56:40|0:15\n101|RUNNING|01:00:00|0:0\n");
    }

    @Test
    void run_parsableNoHeader_endsEachFieldWithABar() {
        assertThat(t.run("sacct", "-p", "-n", "-o", "jobid,jobname")).isZero();
        assertThat(t.out()).isEqualTo("90|prep|\n91|bad-config|\n92|long-training-run|\n101|train-llama|\n");
    }

    @Test
    void run_jobs_haveNoDefaultStartAndAreFilteredExactly() {
        assertThat(t.run("sacct", "-j", "92", "-X", "-n", "-P", "-o", "JobID")).isZero();
        assertThat(t.out()).isEqualTo("92\n");
        assertThat(accounting().param("ids")).isEqualTo("92");
        assertThat(accounting().param("start")).isNull();
    }

    @Test
    void run_allUsers_sendsNoUser() {
        t.run("sacct", "-a");
        assertThat(accounting().param("users")).isNull();
        t.run("sacct", "-u", "bob,carol");
        assertThat(accounting().param("users")).isEqualTo("bob,carol");
    }

    @Test
    void run_root_seesEveryUserByDefault() throws Exception {
        try (FakeController c = FakeController.start().on("GET", "/accounting/jobs", 200, "[]")
                .on("GET", "/whoami", 200, "{\"user\":\"root\",\"uid\":0}")) {
            TestIo io = new TestIo(c);
            assertThat(io.run("sacct")).isZero();
            assertThat(c.last().path()).isEqualTo("/api/v1/accounting/jobs");
            assertThat(c.last().param("users")).isNull();
        }
    }

    @Test
    void run_overTcp_theTokensUserIsTheDefault() throws Exception {
        try (FakeController c = FakeController.start().on("GET", "/accounting/jobs", 200, "[]")
                .on("GET", "/whoami", 200, "{\"user\":\"bob\",\"uid\":1001}")) {
            TestIo io = new TestIo(c); // the local user is alice
            assertThat(io.run("sacct")).isZero();
            assertThat(c.last().param("users")).isEqualTo("bob");
        }
    }

    @Test
    void run_timeWindow_slurmsFormats() {
        t.run("sacct", "-S", "2026-11-20", "-E", "now-1hour");
        assertThat(accounting().param("start")).isEqualTo(Long.toString(TestIo.NOW - 7 * 86400 - 10 * 3600));
        assertThat(accounting().param("end")).isEqualTo(Long.toString(TestIo.NOW - 3600));
        t.run("sacct", "--starttime=1126", "--endtime=11:00");
        assertThat(accounting().param("start")).isEqualTo(Long.toString(MIDNIGHT - 86400));
        assertThat(accounting().param("end")).isEqualTo(Long.toString(TestIo.NOW - 86400 + 3600));
    }

    @Test
    void run_filters_areSent() {
        t.run("sacct", "-A", "proj1", "-s", "CD,f,TIMEOUT", "-r", "booster");
        FakeController.Request r = accounting();
        assertThat(r.param("accounts")).isEqualTo("proj1");
        assertThat(r.param("states")).isEqualTo("COMPLETED,FAILED,TIMEOUT");
        assertThat(r.param("partitions")).isEqualTo("booster");
    }

    @Test
    void run_name_filtersHere() {
        assertThat(t.run("sacct", "--name=prep,bad-config", "-n", "-P", "-o", "JobName")).isZero();
        assertThat(t.out()).isEqualTo("prep\nbad-config\n");
    }

    @Test
    void run_badTime_isAnError() {
        assertThat(t.run("sacct", "-S", "yesterdayish")).isEqualTo(1);
        assertThat(t.err()).startsWith("sacct: error: --starttime=yesterdayish: ");
        assertThat(ctl.requests()).isEmpty();
    }

    @Test
    void run_startAfterEnd_isAnError() {
        assertThat(t.run("sacct", "-S", "2026-11-27", "-E", "2026-11-01")).isEqualTo(1);
        assertThat(t.err()).contains("is after end time");
    }

    @Test
    void run_unknownField_isSlurmsMessage() {
        assertThat(t.run("sacct", "--format=JobID,Foo")).isEqualTo(1);
        assertThat(t.err()).isEqualTo("sacct: error: Invalid field requested: \"Foo\"\n");
    }

    @Test
    void run_badState_isAnError() {
        assertThat(t.run("sacct", "-s", "XX")).isEqualTo(1);
        assertThat(t.err()).startsWith("sacct: error: Invalid state: XX");
    }

    @Test
    void run_json_isSlurmsDocument() {
        assertThat(t.run("sacct", "--json")).isZero();
        @SuppressWarnings("unchecked")
        Map<String, Object> doc = (Map<String, Object>) new JsonIn(t.out().getBytes(StandardCharsets.UTF_8)).value();
        assertThat((List<?>) doc.get("jobs")).hasSize(4);
    }

    @Test
    void run_long_usesTheLongFieldList() {
        assertThat(t.run("sacct", "-l", "-P", "-n", "-j", "90")).isZero();
        assertThat(t.out()).startsWith("90|90|prep|booster|32|32|00:10:00|COMPLETED|0:0|");
    }

    @Test
    void run_helpformat_listsTheFields() {
        assertThat(t.run("sacct", "-e")).isZero();
        assertThat(t.out()).contains("JobID").contains("Elapsed").contains("ExitCode");
    }

    @Test
    void run_steps_followTheirJobUnlessAllocationsOnly() throws Exception {
        String steps = "[{\"jobId\":90,\"stepId\":-2,\"name\":\"batch\",\"state\":\"COMPLETED\",\"nodeList\":\"lrdn0001\","
                + "\"nodeCount\":1,\"ntasks\":1,\"cpus\":32,\"startTime\":1795773000,\"endTime\":1795773600,\"elapsed\":600},"
                + "{\"jobId\":90,\"stepId\":0,\"name\":\"python\",\"state\":\"FAILED\",\"nodeList\":\"lrdn[0001-0002]\","
                + "\"nodeCount\":2,\"ntasks\":8,\"cpus\":64,\"gpus\":8,\"exitCode\":3,\"elapsed\":60}]";
        ctl.on("GET", "/accounting/steps", 200, steps);
        assertThat(t.run("sacct", "-P", "-o", "JobID,JobName,State,ExitCode,AllocCPUS,NodeList,AllocTRES")).isZero();
        assertThat(t.out()).startsWith("JobID|JobName|State|ExitCode|AllocCPUS|NodeList|AllocTRES\n90|prep|COMPLETED|0:0|32|")
                .contains("\n90.batch|batch|COMPLETED|0:0|32|lrdn0001|cpu=32,node=1\n"
                        + "90.0|python|FAILED|3:0|64|lrdn[0001-0002]|cpu=64,gres/gpu=8,node=2\n91|");
        FakeController.Request r = ctl.last();
        assertThat(r.path()).isEqualTo("/api/v1/accounting/steps");
        assertThat(r.param("ids")).isEqualTo("90,91,92,101");

        TestIo x = new TestIo(ctl);
        assertThat(x.run("sacct", "-X", "-n", "-P", "-o", "JobID")).isZero();
        assertThat(x.out()).isEqualTo("90\n91\n92\n101\n");

        TestIo one = new TestIo(ctl);
        assertThat(one.run("sacct", "-j", "90.0", "-n", "-P", "-o", "JobID,State")).isZero();
        assertThat(one.out()).isEqualTo("90.0|FAILED\n");
    }
}
