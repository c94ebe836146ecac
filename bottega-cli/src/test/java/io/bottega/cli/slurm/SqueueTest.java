package io.bottega.cli.slurm;

import io.bottega.api.slurm.SqueueFormat;
import io.bottega.cli.http.FakeController;
import io.bottega.cli.http.JsonIn;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SqueueTest {
    private FakeController ctl;
    private TestIo t;

    @BeforeEach
    void setUp() throws Exception {
        ctl = FakeController.start().on("GET", "/jobs", 200, TestIo.fixture("jobs.json"))
                .on("GET", "/whoami", 200, "{\"user\":\"alice\",\"uid\":1000,\"gid\":100,\"operator\":false,\"via\":\"token\"}");
        t = new TestIo(ctl);
    }

    @AfterEach
    void tearDown() {
        ctl.close();
    }

    @Test
    void run_noOptions_printsSlurmsDefaultColumnsSortedByPartitionStateAndPriority() {
        assertThat(t.run("squeue")).isZero();
        assertThat(t.out()).isEqualTo(""
                + "             JOBID PARTITION     NAME     USER ST       TIME  NODES NODELIST(REASON)\n"
                + "               102   booster     eval      bob PD       0:00      1 (Resources)\n"
                + "         110_[2-4]   booster    sweep    carol PD       0:00      1 (JobArrayTaskLimit)\n"
                + "               101   booster train-ll    alice  R    1:00:00      2 lrdn[0001-0002]\n"
                + "             110_1   booster    sweep    carol  R      10:00      1 lrdn0004\n"
                + "               103      dcgp preproce    alice PD       0:00      1 (Priority)\n");
        assertThat(t.err()).isEmpty();
        assertThat(ctl.last().path()).isEqualTo("/api/v1/jobs");
        assertThat(ctl.last().query()).isNull();
    }

    @Test
    void run_start_showsPredictedStartsSortedByStartTime() {
        assertThat(t.run("squeue", "--start")).isZero();
        assertThat(t.out()).isEqualTo(""
                + "             JOBID PARTITION     NAME     USER ST          START_TIME  NODES SCHEDNODES           NODELIST(REASON)\n"
                + "               103      dcgp preproce    alice PD                 N/A      1 (null)               (Priority)\n"
                + "         110_[2-4]   booster    sweep    carol PD                 N/A      1 (null)               (JobArrayTaskLimit)\n"
                + "               102   booster     eval      bob PD 2026-11-27T11:30:00      1 lrdn0003             (Resources)\n");
        assertThat(ctl.last().param("states")).isEqualTo("PENDING");
    }

    @Test
    void run_array_printsOneLinePerTask() {
        assertThat(t.run("squeue", "-r", "-h", "-o", "%i %t %r")).isZero();
        assertThat(t.out()).isEqualTo("102 PD Resources\n110_2 PD JobArrayTaskLimit\n110_3 PD JobArrayTaskLimit\n"
                + "110_4 PD JobArrayTaskLimit\n101 R None\n110_1 R None\n103 PD Priority\n");
    }

    @Test
    void run_formatWithWidthsAndLiterals_isApplied() {
        assertThat(t.run("squeue", "--noheader", "--format=%.6i|%-10j|%u|%.3C", "--sort=i")).isZero();
        assertThat(t.out()).startsWith("   101|train-llam|alice| 64\n   102|eval      |bob| 32\n   103|preprocess|alice|112\n");
    }

    @Test
    void run_longFormatFields_isApplied() {
        assertThat(t.run("squeue", "-O", "JobID:6,UserName:.8,State", "-S", "-p", "-t", "R")).isZero();
        assertThat(t.out()).isEqualTo("JOBID     USERSTATE               \n"
                + "101      alice" + "RUNNING             \n"
                + "110      carol" + "RUNNING             \n");
    }

    @Test
    void run_sortByUserThenIdDescending_isApplied() {
        assertThat(t.run("squeue", "-h", "-o", "%u %i", "-S", "u,-i")).isZero();
        assertThat(t.out()).isEqualTo("alice 103\nalice 101\nbob 102\ncarol 110_[2-4]\ncarol 110_1\n");
    }

    @Test
    void run_filters_areSentToTheController() {
        assertThat(t.run("squeue", "-u", "alice,bob", "-p", "booster", "-n", "eval", "-A", "proj2", "-t", "pd,R")).isZero();
        FakeController.Request r = ctl.last();
        assertThat(r.param("users")).isEqualTo("alice,bob");
        assertThat(r.param("partitions")).isEqualTo("booster");
        assertThat(r.param("names")).isEqualTo("eval");
        assertThat(r.param("accounts")).isEqualTo("proj2");
        assertThat(r.param("states")).isEqualTo("PENDING,RUNNING");
        assertThat(r.param("finished")).isNull();
    }

    @Test
    void run_me_asksForTheCallersJobs() {
        t.user = "someone-else"; // over TCP the token's user counts: the controller says alice
        t.run("squeue", "--me");
        assertThat(ctl.last().param("users")).isEqualTo("alice");
    }

    @Test
    void run_meOnTheSocket_isTheLocalUserWithoutAsking(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        try (io.bottega.cli.http.UnixFakeServer s = io.bottega.cli.http.UnixFakeServer.start(dir.resolve("b.sock")).answerJson(200, "[]")) {
            TestIo io = new TestIo(null);
            io.env.put("BOTTEGA_SOCKET", s.path().toString());
            assertThat(io.run("squeue", "--me", "-h")).isZero();
            assertThat(s.requests()).singleElement().asString().startsWith("GET /api/v1/squeue?users=alice&format=");
        }
    }

    @Test
    void run_controllerWithSqueue_formatsTheRowsAndTheyArePrintedAsTheyCome() throws Exception {
        try (FakeController c = FakeController.start().on("GET", "/squeue", 200, "JOBID SUBMIT\n  7 été\n")
                .on("GET", "/whoami", 200, "{\"user\":\"alice\",\"uid\":1000,\"gid\":100,\"operator\":false,\"via\":\"token\"}")) {
            TestIo io = new TestIo(c);
            io.zone = java.time.ZoneId.of("Europe/Rome");
            assertThat(io.run("squeue", "-o", "%.3i %V", "-S", "u,-i", "-q", "high", "-R", "maint", "-w", "lrdn[0001-0002]", "--notme",
                    "-r", "-h", "-t", "pd,r", "-u", "bob", "-p", "booster")).isZero();
            assertThat(io.out()).isEqualTo("JOBID SUBMIT\n  7 été\n");
            FakeController.Request r = c.last();
            assertThat(r.path()).isEqualTo("/api/v1/squeue");
            assertThat(r.param("format")).isEqualTo("%.3i %V");
            assertThat(r.param("sort")).isEqualTo("u,-i");
            assertThat(r.param("qos")).isEqualTo("high");
            assertThat(r.param("reservations")).isEqualTo("maint");
            assertThat(r.param("nodes")).isEqualTo("lrdn[0001-0002]");
            assertThat(r.param("notme")).isEqualTo("alice");
            assertThat(r.param("array")).isEqualTo("true");
            assertThat(r.param("noheader")).isEqualTo("true");
            assertThat(r.param("states")).isEqualTo("PENDING,RUNNING");
            assertThat(r.param("users")).isEqualTo("bob");
            assertThat(r.param("partitions")).isEqualTo("booster");
            assertThat(r.param("tz")).isEqualTo("Europe/Rome");
            assertThat(r.param("fields")).isNull();
            assertThat(r.param("all_states")).isNull();
        }
    }

    @Test
    void run_controllerWithSqueue_getsTheStandardFormatsAndSorts() throws Exception {
        try (FakeController c = FakeController.start().on("GET", "/squeue", 200, "")) {
            TestIo io = new TestIo(c);
            assertThat(io.run("squeue")).isZero();
            assertThat(c.last().param("format")).isEqualTo(SqueueFormat.DEFAULT);
            assertThat(c.last().param("sort")).isEqualTo("P,t,-p");
            assertThat(c.last().param("tz")).isNull();
            assertThat(c.last().param("noheader")).isNull();
            assertThat(io.run("squeue", "--start")).isZero();
            assertThat(c.last().param("format")).isEqualTo(SqueueFormat.START);
            assertThat(c.last().param("sort")).isEqualTo("S");
            assertThat(c.last().param("states")).isEqualTo("PENDING");
            assertThat(c.last().param("tz")).isEqualTo("Z");
            assertThat(io.run("squeue", "-O", "JobID:6,State", "-t", "all")).isZero();
            assertThat(c.last().param("fields")).isEqualTo("JobID:6,State");
            assertThat(c.last().param("format")).isNull();
            assertThat(c.last().param("all_states")).isEqualTo("true");
            assertThat(c.last().param("finished")).isEqualTo("true");
            assertThat(c.requests()).extracting(FakeController.Request::path).containsOnly("/api/v1/squeue");
        }
    }

    @Test
    void run_jsonOrOneJob_readTheJobsEvenFromAControllerWithSqueue() throws Exception {
        try (FakeController c = FakeController.start().on("GET", "/squeue", 200, "not this\n").on("GET", "/jobs", 200, "[]")) {
            TestIo io = new TestIo(c);
            assertThat(io.run("squeue", "--json")).isZero();
            assertThat(c.last().path()).isEqualTo("/api/v1/jobs");
            assertThat(io.run("squeue", "-j", "999")).isEqualTo(1);
            assertThat(io.err()).contains("slurm_load_jobs error: Invalid job id specified");
            assertThat(c.requests()).extracting(FakeController.Request::path).containsOnly("/api/v1/jobs");
        }
    }

    @Test
    void run_clientRendering_canBeAskedFor() throws Exception {
        try (FakeController c = FakeController.start().on("GET", "/squeue", 200, "not this\n").on("GET", "/jobs", 200, TestIo.fixture("jobs.json"))) {
            TestIo io = new TestIo(c);
            io.env.put("BOTTEGA_SQUEUE_RENDER", "client");
            assertThat(io.run("squeue", "-h", "-o", "%i", "-S", "i")).isZero();
            assertThat(io.out()).isEqualTo("101\n102\n103\n110_1\n110_[2-4]\n");
            assertThat(c.requests()).extracting(FakeController.Request::path).containsOnly("/api/v1/jobs");
        }
    }

    @Test
    void run_notme_leavesOutTheCallersJobs() {
        assertThat(t.run("squeue", "--notme", "-h", "-o", "%u")).isZero();
        assertThat(t.out()).doesNotContain("alice").contains("bob").contains("carol");
    }

    @Test
    void run_finishedStates_askForFinishedJobs() {
        t.run("squeue", "-t", "CD,F");
        assertThat(ctl.last().param("finished")).isEqualTo("true");
        assertThat(ctl.last().param("states")).isEqualTo("COMPLETED,FAILED");
    }

    @Test
    void run_jobsList_isSentWithArrayTasksSplitIntoRuns() {
        t.run("squeue", "-j", "101,110_[2-3,5]");
        assertThat(ctl.last().param("ids")).isEqualTo("101,110_[2-3],110_5");
        assertThat(ctl.last().param("finished")).isEqualTo("true");
    }

    @Test
    void run_singleUnknownJob_isSlurmsInvalidJobIdError() throws Exception {
        try (FakeController empty = FakeController.start().on("GET", "/jobs", 200, "[]")) {
            TestIo io = new TestIo(empty);
            assertThat(io.run("squeue", "-j", "999")).isEqualTo(1);
            assertThat(io.err()).isEqualTo("slurm_load_jobs error: Invalid job id specified\n");
            assertThat(io.out()).isEmpty();
        }
    }

    @Test
    void run_badState_listsTheValidOnes() {
        assertThat(t.run("squeue", "-t", "sleeping")).isEqualTo(1);
        assertThat(t.err()).startsWith("squeue: error: Invalid job state specified: sleeping\n"
                + "squeue: error: Valid job states include: pending,running,suspended,completed,");
        assertThat(ctl.requests()).isEmpty();
    }

    @Test
    void run_badOption_isGetoptsMessage() {
        assertThat(t.run("squeue", "--bogus")).isEqualTo(1);
        assertThat(t.err()).isEqualTo("squeue: unrecognized option '--bogus'\nTry \"squeue --help\" for more information\n");
        assertThat(t.run("squeue", "-Z")).isEqualTo(1);
        assertThat(t.err()).endsWith("squeue: invalid option -- 'Z'\nTry \"squeue --help\" for more information\n");
    }

    @Test
    void run_unsupportedOption_isNamed() {
        assertThat(t.run("squeue", "--clusters=a")).isEqualTo(1);
        assertThat(t.err()).isEqualTo("squeue: error: -M/--clusters is not supported by Bottega yet\n");
    }

    @Test
    void run_badFormatOrSort_isAnError() {
        assertThat(t.run("squeue", "-o", "%i %z")).isEqualTo(1);
        assertThat(t.err()).contains("squeue: error: invalid job format specification: %z");
        assertThat(t.run("squeue", "-S", "x")).isEqualTo(1);
        assertThat(t.err()).contains("squeue: error: Invalid sort specification: x");
        assertThat(t.run("squeue", "-l", "-o", "%i")).isEqualTo(1);
        assertThat(t.err()).contains("mutually exclusive");
    }

    @Test
    void run_long_printsTheDateThenTheLongFormat() {
        assertThat(t.run("squeue", "-l", "-t", "PD", "-p", "dcgp")).isZero();
        String[] lines = t.out().split("\n");
        assertThat(lines[0]).isEqualTo("Fri Nov 27 10:00:00 2026");
        assertThat(lines[1]).isEqualTo("             JOBID PARTITION     NAME     USER    STATE       TIME TIME_LIMI  NODES NODELIST(REASON)");
    }

    @Test
    void run_iterate_repeatsUntilStopped() {
        t.sleepsAllowed = 1;
        assertThat(t.run("squeue", "-h", "-i", "5", "-o", "%i", "-j", "101")).isZero();
        assertThat(ctl.requests()).hasSize(2);
        assertThat(t.sleeps).isEqualTo(2);
    }

    @Test
    void run_json_isSlurmsDocument() {
        assertThat(t.run("squeue", "--json")).isZero();
        @SuppressWarnings("unchecked")
        Map<String, Object> doc = (Map<String, Object>) new JsonIn(t.out().getBytes(StandardCharsets.UTF_8)).value();
        assertThat(doc).containsKeys("meta", "errors", "jobs");
        assertThat((java.util.List<?>) doc.get("jobs")).hasSize(5);
    }

    @Test
    void run_qosAndNodelist_areFilteredHere() {
        assertThat(t.run("squeue", "-h", "-o", "%i", "-w", "lrdn[0002-0004]")).isZero();
        assertThat(t.out()).isEqualTo("101\n110_1\n");
    }

    @Test
    void run_controllerDown_isAClearError() {
        t.env.remove("BOTTEGA_URL");
        t.env.put("BOTTEGA_SOCKET", "/nonexistent/bottega.sock");
        assertThat(t.run("squeue")).isEqualTo(1);
        assertThat(t.err()).startsWith("squeue: error: cannot reach the Bottega controller at /nonexistent/bottega.sock "
                + "(is 'bottega up' running?): ");
    }

    @Test
    void run_controllerError_isShown() throws Exception {
        try (FakeController c = FakeController.start().on("GET", "/jobs", 401, "{\"error\":\"invalid or expired token\"}")) {
            TestIo io = new TestIo(c);
            assertThat(io.run("squeue")).isEqualTo(1);
            assertThat(io.err()).isEqualTo("squeue: error: invalid or expired token\n");
        }
    }

    @Test
    void run_pathAndTimeColumns_areReadAndShownInTheUsersZone() {
        t.zone = java.time.ZoneId.of("Europe/Rome");
        assertThat(t.run("squeue", "-h", "-S", "i", "-o", "%i|%Z|%o|%V")).isZero();
        assertThat(t.out()).startsWith("101|/home/alice/llm|/home/alice/llm/train.sh|2026-11-27T09:00:00\n");
    }

    @Test
    void rows_manyJobs_keepTheirOrderAcrossThreads() {
        java.util.List<io.bottega.api.JobView> many = new java.util.ArrayList<>();
        for (int i = 0; i < 9_001; i++) many.add(SbatchTest.job(1000 + i, i % 2 == 0 ? "PENDING" : "RUNNING", 0, 0));
        io.bottega.api.slurm.SqueueFormat fmt = io.bottega.api.slurm.SqueueFormat.parse("%i %t");
        StringBuilder expected = new StringBuilder();
        for (io.bottega.api.JobView j : many) expected.append(j.id()).append(j.state().equals("PENDING") ? " PD" : " R").append('\n');
        StringBuilder got = new StringBuilder();
        for (CharSequence part : Squeue.rows(fmt, many, java.time.ZoneOffset.UTC)) got.append(part);
        assertThat(got.toString()).isEqualTo(expected.toString());
    }

    @Test
    void run_environmentDefaults_areUsed() {
        t.env.put("SQUEUE_FORMAT", "%i");
        t.env.put("SQUEUE_SORT", "-i");
        t.env.put("SQUEUE_USERS", "carol");
        assertThat(t.run("squeue", "-h")).isZero();
        assertThat(t.out()).startsWith("110_[2-4]\n110_1\n103\n");
        assertThat(ctl.last().param("users")).isEqualTo("carol");
    }
}
