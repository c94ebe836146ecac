package io.bottega.cli.slurm;

import io.bottega.api.JobView;
import io.bottega.api.json.JsonReader;
import io.bottega.api.json.JsonWriter;
import io.bottega.cli.http.FakeController;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SbatchTest {
    @TempDir
    Path dir;
    private FakeController ctl;
    private TestIo t;

    @BeforeEach
    void setUp() throws Exception {
        ctl = FakeController.start().on("POST", "/jobs", 201, "{\"job_id\":42,\"ids\":[42]}");
        t = new TestIo(ctl);
        t.cwd = dir.toString();
        Files.writeString(dir.resolve("job.sh"), """
                #!/bin/bash
                #SBATCH -J train
                #SBATCH -p booster
                #SBATCH --time=1:00:00   # one hour
                #SBATCH --gres=gpu:4
                srun python train.py
                """);
    }

    @AfterEach
    void tearDown() {
        ctl.close();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> sent() {
        return JsonReader.parseObject(ctl.last().body());
    }

    @SuppressWarnings("unchecked")
    private Map<String, String> sentEnvironment() {
        return (Map<String, String>) (Map<?, ?>) sent().get("environment");
    }

    @Test
    void run_scriptWithDirectives_submitsAndPrintsTheJobId() {
        assertThat(t.run("sbatch", "-N", "2", "job.sh", "arg1")).isZero();
        assertThat(t.out()).isEqualTo("Submitted batch job 42\n");
        assertThat(t.err()).isEmpty();
        assertThat(ctl.last().method()).isEqualTo("POST");
        assertThat(ctl.last().query()).isNull();
        Map<String, Object> s = sent();
        assertThat(s).containsEntry("jobName", "train").containsEntry("partition", "booster").containsEntry("timeLimit", 3600L)
                .containsEntry("nodesMin", 2L).containsEntry("gpusPerNode", 4L).containsEntry("scriptPath", "job.sh")
                .containsEntry("scriptArgs", List.of("arg1")).containsEntry("submitDir", dir.toString())
                .containsEntry("workDir", dir.toString()).containsEntry("hold", false);
        assertThat((String) s.get("script")).startsWith("#!/bin/bash\n#SBATCH -J train");
    }

    @Test
    void run_parsable_printsOnlyTheId() {
        assertThat(t.run("sbatch", "--parsable", "job.sh")).isZero();
        assertThat(t.out()).isEqualTo("42\n");
    }

    @Test
    void run_quiet_printsNothing() {
        assertThat(t.run("sbatch", "-Q", "job.sh")).isZero();
        assertThat(t.out()).isEmpty();
    }

    @Test
    void run_exportDefault_passesTheWholeEnvironment() {
        t.env.put("FOO", "bar");
        t.env.put("SLURM_CONF", "/etc/slurm.conf");
        t.run("sbatch", "job.sh");
        assertThat(sentEnvironment()).containsEntry("FOO", "bar").containsEntry("SLURM_CONF", "/etc/slurm.conf");
        assertThat(sent()).containsEntry("export", "");
    }

    @Test
    void run_exportNone_keepsOnlySlurmVariables() {
        t.env.put("FOO", "bar");
        t.env.put("SLURM_CONF", "/etc/slurm.conf");
        assertThat(t.run("sbatch", "--export=NONE", "job.sh")).isZero();
        assertThat(sentEnvironment()).isEqualTo(Map.of("SLURM_CONF", "/etc/slurm.conf"));
        assertThat(sent()).containsEntry("export", "NONE");
    }

    @Test
    void run_exportList_namesAndAssignments() {
        t.env.put("FOO", "bar");
        t.env.put("OTHER", "x");
        assertThat(t.run("sbatch", "--export=FOO,BAZ=qux", "job.sh")).isZero();
        assertThat(sentEnvironment()).isEqualTo(Map.of("FOO", "bar", "BAZ", "qux"));
    }

    @Test
    void run_exportAllWithAssignment_addsIt() {
        t.env.put("FOO", "bar");
        assertThat(t.run("sbatch", "--export=ALL,EXTRA=1", "job.sh")).isZero();
        assertThat(sentEnvironment()).containsEntry("FOO", "bar").containsEntry("EXTRA", "1");
    }

    @Test
    void run_noScriptName_readsStandardInput() {
        t.stdin = "#!/bin/sh\n#SBATCH --job-name=fromstdin\nhostname\n";
        assertThat(t.run("sbatch")).isZero();
        assertThat(sent()).containsEntry("jobName", "fromstdin").containsEntry("scriptPath", "");
    }

    @Test
    void run_wrap_submitsAShellScript() {
        assertThat(t.run("sbatch", "--wrap", "hostname -f", "-t", "5")).isZero();
        assertThat(sent()).containsEntry("script", "#!/bin/sh\nhostname -f\n").containsEntry("jobName", "wrap")
                .containsEntry("wrap", "hostname -f").containsEntry("timeLimit", 300L);
    }

    @Test
    void run_hold_submitsHeld() {
        assertThat(t.run("sbatch", "--hold", "job.sh")).isZero();
        assertThat(sent()).containsEntry("hold", true);
    }

    @Test
    void run_arrayAndDependency_areSent() {
        assertThat(t.run("sbatch", "--array=1-3%2", "-d", "afterok:40", "job.sh")).isZero();
        assertThat(sent()).containsEntry("array", "1-3%2").containsEntry("arraySpec", Map.of("taskIds", List.of(1L, 2L, 3L),
                "maxConcurrent", 2L)).containsEntry("stdoutPath", "slurm-%A_%a.out");
        assertThat(sent().get("dependencies")).isEqualTo(List.of(Map.of("type", "AFTEROK", "jobId", "40", "delaySeconds", 0L)));
    }

    @Test
    void run_testOnly_asksTheControllerAndReportsOnStderr() throws Exception {
        try (FakeController c = FakeController.start().on("POST", "/jobs", 200,
                "{\"job_id\":0,\"valid\":true,\"partition\":\"booster\",\"cpus\":32}")) {
            TestIo io = new TestIo(c);
            io.cwd = dir.toString();
            assertThat(io.run("sbatch", "--test-only", "job.sh")).isZero();
            assertThat(c.last().query()).isEqualTo("test_only=true");
            assertThat(io.out()).isEmpty();
            assertThat(io.err()).isEqualTo("sbatch: Job 0 is valid: it would use 32 processors in partition booster "
                    + "(the controller predicts start times only for queued jobs: see squeue --start)\n");
        }
    }

    @Test
    void run_testOnlyWithPrediction_usesSlurmsWording() throws Exception {
        try (FakeController c = FakeController.start().on("POST", "/jobs", 200, "{\"job_id\":0,\"partition\":\"booster\",\"cpus\":64,"
                + "\"start_time\":" + (TestIo.NOW + 60) + ",\"nodes\":\"lrdn[0001-0002]\"}")) {
            TestIo io = new TestIo(c);
            io.cwd = dir.toString();
            assertThat(io.run("sbatch", "--test-only", "job.sh")).isZero();
            assertThat(io.err()).isEqualTo("sbatch: Job 0 to start at 2026-11-27T10:01:00 using 64 processors on nodes "
                    + "lrdn[0001-0002] in partition booster\n");
        }
    }

    @Test
    void run_controllerRefuses_isBatchJobSubmissionFailed() throws Exception {
        try (FakeController c = FakeController.start().on("POST", "/jobs", 400,
                "{\"error\":\"Invalid partition name specified\",\"field\":\"partition\"}")) {
            TestIo io = new TestIo(c);
            io.cwd = dir.toString();
            assertThat(io.run("sbatch", "job.sh")).isEqualTo(1);
            assertThat(io.err()).isEqualTo("sbatch: error: Batch job submission failed: Invalid partition name specified\n");
            assertThat(io.out()).isEmpty();
        }
    }

    @Test
    void run_badTime_isAnErrorAndNothingIsSent() {
        assertThat(t.run("sbatch", "--time=1-25:00", "job.sh")).isEqualTo(1);
        assertThat(t.err()).startsWith("sbatch: error: ").contains("--time=1-25:00").contains("hours must be 0-23");
        assertThat(ctl.requests()).isEmpty();
    }

    @Test
    void run_unsupportedOption_isNamedAndNothingIsSent() {
        assertThat(t.run("sbatch", "--licenses=matlab", "job.sh")).isEqualTo(1);
        assertThat(t.err()).startsWith("sbatch: error: ").contains("--licenses").contains("not supported");
        assertThat(ctl.requests()).isEmpty();
    }

    @Test
    void run_missingScript_isSlurmsMessage() {
        assertThat(t.run("sbatch", "nope.sh")).isEqualTo(1);
        assertThat(t.err()).isEqualTo("sbatch: error: Unable to open file nope.sh\n");
    }

    @Test
    void run_controllerUnreachable_isAClearError() {
        t.env.remove("BOTTEGA_URL");
        t.env.put("BOTTEGA_SOCKET", dir.resolve("no.sock").toString());
        assertThat(t.run("sbatch", "job.sh")).isEqualTo(1);
        assertThat(t.err()).startsWith("sbatch: error: cannot reach the Bottega controller at " + dir.resolve("no.sock")
                + " (is 'bottega up' running?): ");
    }

    @Test
    void run_wait_pollsUntilTheJobEndsAndExitsWithItsCode() {
        ctl.on("GET", "/jobs/42", 200, JsonWriter.toJson(job(42, "PENDING", 0, 0)))
                .on("GET", "/jobs/42", 200, JsonWriter.toJson(job(42, "RUNNING", 0, 0)))
                .on("GET", "/jobs/42", 200, JsonWriter.toJson(job(42, "FAILED", 3, 0)));
        t.sleepsAllowed = 10;
        assertThat(t.run("sbatch", "-W", "job.sh")).isEqualTo(3);
        assertThat(t.out()).isEqualTo("Submitted batch job 42\n");
        assertThat(t.sleeps).isEqualTo(2);
    }

    @Test
    void run_waitForAForgottenJob_readsTheAccounting() {
        ctl.on("GET", "/jobs/42", 404, "{\"error\":\"Invalid job id specified: 42\"}")
                .on("GET", "/accounting/jobs", 200, JsonWriter.toJson(List.of(job(42, "COMPLETED", 0, 0))));
        assertThat(t.run("sbatch", "--wait", "job.sh")).isZero();
        assertThat(ctl.last().param("ids")).isEqualTo("42");
    }

    @Test
    void exitCode_signalsAndFailuresWithoutCode_areNotSuccess() {
        assertThat(Sbatch.exitCode(List.of(job(1, "TIMEOUT", 0, 15)))).isEqualTo(143);
        assertThat(Sbatch.exitCode(List.of(job(1, "CANCELLED", 0, 0)))).isEqualTo(1);
        assertThat(Sbatch.exitCode(List.of(job(1, "COMPLETED", 0, 0), job(2, "FAILED", 7, 0)))).isEqualTo(7);
    }

    @Test
    void run_version_printsBottegasVersion() {
        assertThat(t.run("sbatch", "--version")).isZero();
        assertThat(t.out()).startsWith("bottega ");
        assertThat(ctl.requests()).isEmpty();
    }

    static JobView job(long id, String state, int exitCode, int signal) {
        return new JobView(id, 0, -1, "", "j", "alice", "", "booster", "", state, "None", 1, 1, 0, 0, 0, 60, 1, 1, 1, 0, 0, "",
                "", "/w", "/w/job.sh", "", "", "", 1, exitCode, signal, "", "", "", 0, 0);
    }
}
