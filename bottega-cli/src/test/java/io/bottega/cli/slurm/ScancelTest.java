package io.bottega.cli.slurm;

import io.bottega.api.json.JsonReader;
import io.bottega.cli.http.FakeController;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ScancelTest {
    private FakeController ctl;
    private TestIo t;

    @BeforeEach
    void setUp() throws Exception {
        ctl = FakeController.start().on("POST", "/jobs/cancel", 200, "{\"cancelled\":[101,110],\"refused\":{}}")
                .on("GET", "/whoami", 200, "{\"user\":\"alice\",\"uid\":1000,\"gid\":100,\"operator\":false,\"via\":\"token\"}");
        t = new TestIo(ctl);
    }

    @AfterEach
    void tearDown() {
        ctl.close();
    }

    private Map<String, Object> sent() {
        return JsonReader.parseObject(ctl.last().body());
    }

    @Test
    void run_ids_areSentAndNothingIsPrinted() {
        assertThat(t.run("scancel", "101", "110_[1-3]", "120_4")).isZero();
        assertThat(sent()).isEqualTo(Map.of("ids", List.of("101", "110_[1-3]", "120_4"), "signal", 0L));
        assertThat(t.out()).isEmpty();
        assertThat(t.err()).isEmpty();
    }

    @Test
    void run_filters_areSent() {
        assertThat(t.run("scancel", "--me", "-n", "sweep", "-t", "PD", "-p", "booster", "-A", "proj1")).isZero();
        assertThat(sent()).containsEntry("users", List.of("alice")).containsEntry("names", List.of("sweep"))
                .containsEntry("states", List.of("PENDING")).containsEntry("partitions", List.of("booster"))
                .containsEntry("accounts", List.of("proj1"));
    }

    @Test
    void run_signalByName_isSentAsANumber() {
        assertThat(t.run("scancel", "-s", "USR1", "101")).isZero();
        assertThat(sent()).containsEntry("signal", 10L);
        assertThat(t.run("scancel", "--signal=SIGTERM", "101")).isZero();
        assertThat(sent()).containsEntry("signal", 15L);
        assertThat(t.run("scancel", "-s", "KILL", "101")).isZero();
        assertThat(sent()).containsEntry("signal", 0L);
    }

    @Test
    void run_refusedJobs_areSlurmsKillJobErrors() throws Exception {
        try (FakeController c = FakeController.start().on("POST", "/jobs/cancel", 200,
                "{\"cancelled\":[],\"refused\":{\"102\":\"Access/permission denied\",\"999\":\"Invalid job id specified\"}}")) {
            TestIo io = new TestIo(c);
            assertThat(io.run("scancel", "102", "999")).isEqualTo(1);
            assertThat(io.err()).isEqualTo("scancel: error: Kill job error on job id 102: Access/permission denied\n"
                    + "scancel: error: Kill job error on job id 999: Invalid job id specified\n");
            TestIo quiet = new TestIo(c);
            assertThat(quiet.run("scancel", "-Q", "999")).isEqualTo(1);
            assertThat(quiet.err()).isEmpty();
        }
    }

    @Test
    void run_verbose_saysWhatWasDone() {
        assertThat(t.run("scancel", "-v", "101", "110")).isZero();
        assertThat(t.err()).isEqualTo("scancel: Terminating job 101\nscancel: Terminating job 110\n");
        assertThat(t.run("scancel", "-v", "-s", "USR2", "101")).isZero();
        assertThat(t.err()).endsWith("scancel: Signal 12 to job 101\nscancel: Signal 12 to job 110\n");
    }

    @Test
    void run_nothingNamed_isAnError() {
        assertThat(t.run("scancel")).isEqualTo(1);
        assertThat(t.err()).isEqualTo("scancel: error: No job identification provided\n");
        assertThat(ctl.requests()).isEmpty();
    }

    @Test
    void run_badIdOrSignalOrState_isAnError() {
        assertThat(t.run("scancel", "12x")).isEqualTo(1);
        assertThat(t.err()).isEqualTo("scancel: error: Invalid job id 12x\n");
        assertThat(t.run("scancel", "-s", "NOPE", "1")).isEqualTo(1);
        assertThat(t.err()).endsWith("scancel: error: Invalid job signal: NOPE\n");
        assertThat(t.run("scancel", "-t", "COMPLETED", "--me")).isEqualTo(1);
        assertThat(t.err()).contains("scancel: error: Invalid job state specified: COMPLETED");
        assertThat(ctl.requests()).isEmpty();
    }

    @Test
    void run_stepId_cancelsThatStep() {
        ctl.on("DELETE", "/jobs/101/steps/0", 200, "{\"cancelled\":true}");
        ctl.on("DELETE", "/jobs/101/steps/7", 404, "{\"error\":\"Invalid job id specified: step 101.7 is not running\"}");
        assertThat(t.run("scancel", "101.0")).isZero();
        assertThat(ctl.last().method()).isEqualTo("DELETE");
        assertThat(ctl.last().path()).isEqualTo("/api/v1/jobs/101/steps/0");
        assertThat(t.run("scancel", "-s", "USR1", "101.7")).isEqualTo(1);
        assertThat(ctl.last().query()).isEqualTo("signal=10");
        assertThat(t.err()).contains("scancel: error: Kill job error on job step id 101.7: Invalid job id specified: step 101.7 is not running");
    }

    @Test
    void run_interactive_isNotSupported() {
        assertThat(t.run("scancel", "-i", "101")).isEqualTo(1);
        assertThat(t.err()).isEqualTo("scancel: error: -i/--interactive is not supported by Bottega yet\n");
    }
}
