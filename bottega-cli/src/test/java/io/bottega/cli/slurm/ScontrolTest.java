package io.bottega.cli.slurm;

import io.bottega.api.JobView;
import io.bottega.api.json.JsonReader;
import io.bottega.api.json.JsonWriter;
import io.bottega.cli.http.FakeController;
import io.bottega.cli.http.JsonIn;
import io.bottega.cli.http.Wire;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ScontrolTest {
    private static final List<JobView> JOBS = Wire.jobViews(new JsonIn(TestIo.fixture("jobs.json").getBytes(StandardCharsets.UTF_8)));
    private static final String JOB_101 = JsonWriter.toJson(JOBS.get(0));
    private static final String JOB_101_BLOCK = """
            JobId=101 JobName=train-llama
               UserId=alice
               Priority=5000 Account=proj1 QOS=normal
               JobState=RUNNING Reason=None Dependency=(null)
               ExitCode=0:0
               RunTime=01:00:00 TimeLimit=1-00:00:00
               SubmitTime=2026-11-27T08:00:00 EligibleTime=2026-11-27T08:00:00
               StartTime=2026-11-27T09:00:00 EndTime=2026-11-28T09:00:00
               Partition=booster Reservation=(null)
               NodeList=lrdn[0001-0002] SchedNodeList=(null)
               NumNodes=2 NumCPUs=64
               TRES=cpu=64,mem=960000M,node=2,gres/gpu=8
               TresPerNode=gres/gpu:4
               MinMemoryNode=480000M
               Command=/home/alice/llm/train.sh
               WorkDir=/home/alice/llm
               StdErr=/home/alice/llm/slurm-101.out
               StdOut=/home/alice/llm/slurm-101.out
            """;

    private FakeController ctl;
    private TestIo t;

    @BeforeEach
    void setUp() throws Exception {
        ctl = FakeController.start()
                .on("GET", "/jobs/101", 200, JOB_101)
                .on("GET", "/jobs/110", 200, JsonWriter.toJson(JOBS.subList(3, 7)))
                .on("GET", "/jobs/110_2", 200, JsonWriter.toJson(JOBS.get(4)))
                .on("GET", "/jobs", 200, TestIo.fixture("jobs.json"))
                .on("GET", "/nodes", 200, TestIo.fixture("nodes.json"))
                .on("GET", "/nodes/lrdn0004", 200, JsonWriter.toJson(JsonReader.parse(TestIo.fixture("nodes.json")) instanceof List<?> l ? l.get(3) : null))
                .on("GET", "/partitions", 200, TestIo.fixture("partitions.json"))
                .on("PATCH", "/jobs/101", 200, JOB_101)
                .on("PATCH", "/jobs/111", 200, JOB_101)
                .on("PATCH", "/nodes/lrdn0004", 200, "{}")
                .on("POST", "/jobs/hold", 200, "{\"changed\":[101]}")
                .on("POST", "/jobs/release", 200, "{\"changed\":[101]}")
                .on("GET", "/ping", 200, "{\"ok\":true,\"cluster\":\"leonardo\",\"time\":1}");
        t = new TestIo(ctl);
    }

    @AfterEach
    void tearDown() {
        ctl.close();
    }

    @Test
    void showJob_id_printsSlurmsKeyValueBlock() {
        assertThat(t.run("scontrol", "show", "job", "101")).isZero();
        assertThat(t.out()).isEqualTo(JOB_101_BLOCK + "\n");
    }

    @Test
    void showJob_oneliner_putsTheRecordOnOneLine() {
        assertThat(t.run("scontrol", "-o", "show", "job", "101")).isZero();
        assertThat(t.out()).isEqualTo(JOB_101_BLOCK.strip().replace("\n   ", " ") + "\n");
    }

    @Test
    void showJob_arrayTask_namesTheArray() {
        assertThat(t.run("scontrol", "show", "jobid=110_2")).isZero();
        assertThat(t.out()).startsWith("JobId=111 ArrayJobId=110 ArrayTaskId=2 JobName=sweep\n");
    }

    @Test
    void showJob_all_printsEveryJobSeparatedByBlankLines() {
        assertThat(t.run("scontrol", "sh", "jobs")).isZero();
        assertThat(t.out().split("\n\n")).hasSize(7);
        assertThat(ctl.last().param("finished")).isEqualTo("true");
    }

    @Test
    void outputPath_patterns_areFilledInAndResolved() {
        JobView task = JOBS.get(4); // 111 = 110_2 of carol, in /home/x
        assertThat(Scontrol.outputPath(task, "logs/%x-%A_%a.out")).isEqualTo("/home/x/logs/sweep-110_2.out");
        assertThat(Scontrol.outputPath(JOBS.get(1), "/scratch/%u/%j-%N.out")).isEqualTo("/scratch/bob/102-%N.out");
    }

    @Test
    void showJob_unknown_isSlurmsError() {
        assertThat(t.run("scontrol", "show", "job", "999")).isEqualTo(1);
        assertThat(t.err()).isEqualTo("slurm_load_jobs error: Invalid job id specified\n");
    }

    @Test
    void showNode_name_printsTheNode() {
        assertThat(t.run("scontrol", "show", "node", "lrdn0004")).isZero();
        assertThat(t.out()).isEqualTo("""
                NodeName=lrdn0004
                   CPUAlloc=0 CPUTot=32
                   AvailableFeatures=a100,ib
                   ActiveFeatures=a100,ib
                   Gres=gpu:a100:4
                   RealMemory=491520 AllocMem=0 FreeMem=N/A
                   State=IDLE+DRAIN
                   Partitions=booster
                   CfgTRES=cpu=32,mem=480G,gres/gpu=4
                   AllocTRES=
                   Switch=cell2
                   Reason=bad GPU

                """);
    }

    @Test
    void showNode_unknown_isNotFound() {
        assertThat(t.run("scontrol", "show", "node", "nope1")).isEqualTo(1);
        assertThat(t.err()).isEqualTo("Node nope1 not found\n");
    }

    @Test
    void showPartition_name_printsThePartition() {
        assertThat(t.run("scontrol", "-o", "show", "partition", "booster")).isZero();
        assertThat(t.out()).isEqualTo("PartitionName=booster Default=YES DefaultTime=01:00:00 MaxNodes=64 MaxTime=1-00:00:00 "
                + "Nodes=lrdn[0001-0004] State=UP TotalCPUs=128 TotalNodes=4 TRES=cpu=128,node=4,gres/gpu=16\n");
        assertThat(t.run("scontrol", "show", "partition", "gpu")).isEqualTo(1);
        assertThat(t.err()).isEqualTo("Partition gpu not found\n");
    }

    @Test
    void show_unknownEntity_isInvalid() {
        assertThat(t.run("scontrol", "show", "config")).isEqualTo(1);
        assertThat(t.err()).isEqualTo("invalid entity:config for keyword:show \n");
    }

    @Test
    void holdAndRelease_sendTheIds() {
        assertThat(t.run("scontrol", "hold", "101", "110_[1-2]")).isZero();
        assertThat(ctl.last().path()).isEqualTo("/api/v1/jobs/hold");
        assertThat(JsonReader.parseObject(ctl.last().body())).isEqualTo(Map.of("ids", List.of("101", "110_[1-2]")));
        assertThat(t.run("scontrol", "release", "101")).isZero();
        assertThat(ctl.last().path()).isEqualTo("/api/v1/jobs/release");
    }

    @Test
    void hold_refused_printsTheReason() throws Exception {
        try (FakeController c = FakeController.start().on("POST", "/jobs/hold", 404, "{\"error\":\"Invalid job id specified\"}")) {
            TestIo io = new TestIo(c);
            assertThat(io.run("scontrol", "hold", "999")).isEqualTo(1);
            assertThat(io.err()).isEqualTo("Invalid job id specified for job 999\n");
        }
    }

    @Test
    void updateJob_keysAreCaseInsensitive() {
        assertThat(t.run("scontrol", "update", "jobid=101", "TimeLimit=2:00:00", "JobName=llama2", "comment=hi", "QOS=high")).isZero();
        FakeController.Request r = ctl.last();
        assertThat(r.method()).isEqualTo("PATCH");
        assertThat(r.path()).isEqualTo("/api/v1/jobs/101");
        assertThat(JsonReader.parseObject(r.body()))
                .isEqualTo(Map.of("timeLimit", 7200L, "name", "llama2", "comment", "hi", "qos", "high"));
    }

    @Test
    void updateJob_relativeTimeLimit_addsToTheCurrentOne() {
        assertThat(t.run("scontrol", "update", "JobId=101", "TimeLimit=+30")).isZero();
        assertThat(JsonReader.parseObject(ctl.last().body())).isEqualTo(Map.of("timeLimit", 86400L + 1800));
        assertThat(t.run("scontrol", "update", "JobId=101", "TimeLimit=-1:00:00")).isZero();
        assertThat(JsonReader.parseObject(ctl.last().body())).isEqualTo(Map.of("timeLimit", 86400L - 3600));
    }

    @Test
    void updateJob_arrayTask_updatesThatTask() {
        assertThat(t.run("scontrol", "update", "JobId=110_2", "Priority=7")).isZero();
        assertThat(ctl.last().path()).isEqualTo("/api/v1/jobs/111");
        assertThat(JsonReader.parseObject(ctl.last().body())).isEqualTo(Map.of("priority", 7L));
    }

    @Test
    void updateJob_unsupportedKey_isRefusedBeforeAnyRequest() {
        assertThat(t.run("scontrol", "update", "JobId=101", "NumNodes=4")).isEqualTo(1);
        assertThat(t.err()).isEqualTo("Update of this parameter is not supported: NumNodes=4\nRequest aborted\n");
        assertThat(ctl.requests()).isEmpty();
    }

    @Test
    void updateJob_controllerRefuses_printsTheReason() throws Exception {
        try (FakeController c = FakeController.start().on("GET", "/jobs/101", 200, JOB_101)
                .on("PATCH", "/jobs/101", 403, "{\"error\":\"Access/permission denied\"}")) {
            TestIo io = new TestIo(c);
            assertThat(io.run("scontrol", "update", "JobId=101", "Partition=dcgp")).isEqualTo(1);
            assertThat(io.err()).isEqualTo("Access/permission denied for job 101\n");
        }
    }

    @Test
    void updateNode_drainWithReason_isSent() {
        assertThat(t.run("scontrol", "update", "NodeName=lrdn0004", "State=drain", "Reason=bad GPU")).isZero();
        assertThat(ctl.last().method()).isEqualTo("PATCH");
        assertThat(JsonReader.parseObject(ctl.last().body())).isEqualTo(Map.of("state", "DRAIN", "reason", "bad GPU"));
    }

    @Test
    void updateNode_drainWithoutReason_isRefused() {
        assertThat(t.run("scontrol", "update", "NodeName=lrdn0004", "State=DRAIN")).isEqualTo(1);
        assertThat(t.err()).isEqualTo("You must specify a reason when DOWNING or DRAINING a node. Request denied\n");
        assertThat(ctl.requests()).isEmpty();
    }

    @Test
    void ping_upAndDown() {
        assertThat(t.run("scontrol", "ping")).isZero();
        assertThat(t.out()).isEqualTo("Bottega controller at " + ctl.url() + " is UP (cluster leonardo)\n");
        TestIo down = new TestIo(null);
        down.env.put("BOTTEGA_SOCKET", "/nonexistent/b.sock");
        assertThat(down.run("scontrol", "ping")).isEqualTo(1);
        assertThat(down.out()).isEqualTo("Bottega controller at /nonexistent/b.sock is DOWN\n");
    }

    @Test
    void unknownCommand_isAnInvalidKeyword() {
        assertThat(t.run("scontrol", "reboot_nodes")).isEqualTo(1);
        assertThat(t.err()).isEqualTo("invalid keyword: reboot_nodes\n");
    }
}
