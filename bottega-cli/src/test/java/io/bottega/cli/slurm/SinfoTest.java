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

class SinfoTest {
    private FakeController ctl;
    private TestIo t;

    @BeforeEach
    void setUp() throws Exception {
        ctl = FakeController.start().on("GET", "/partitions", 200, TestIo.fixture("partitions.json"))
                .on("GET", "/nodes", 200, TestIo.fixture("nodes.json"));
        t = new TestIo(ctl);
    }

    @AfterEach
    void tearDown() {
        ctl.close();
    }

    @Test
    void run_noOptions_printsOneLinePerPartitionAndState() {
        assertThat(t.run("sinfo")).isZero();
        assertThat(t.out()).isEqualTo(""
                + "PARTITION AVAIL  TIMELIMIT  NODES  STATE NODELIST\n"
                + "booster*     up 1-00:00:00      2  alloc lrdn[0001-0002]\n"
                + "booster*     up 1-00:00:00      1   idle lrdn0003\n"
                + "booster*     up 1-00:00:00      1  drain lrdn0004\n"
                + "dcgp         up   infinite      2   idle lrdc[0001-0002]\n");
    }

    @Test
    void run_nodeOriented_printsOneLinePerNode() {
        assertThat(t.run("sinfo", "-N", "-p", "booster")).isZero();
        assertThat(t.out()).isEqualTo(""
                + "NODELIST  NODES PARTITION STATE \n"
                + "lrdn0001      1 booster*  alloc \n"
                + "lrdn0002      1 booster*  alloc \n"
                + "lrdn0003      1 booster*  idle  \n"
                + "lrdn0004      1 booster*  drain \n");
    }

    @Test
    void run_summarize_countsNodesByState() {
        assertThat(t.run("sinfo", "-s")).isZero();
        assertThat(t.out()).isEqualTo(""
                + "PARTITION AVAIL  TIMELIMIT   NODES(A/I/O/T)  NODELIST\n"
                + "booster*     up 1-00:00:00          2/1/1/4  lrdn[0001-0004]\n"
                + "dcgp         up   infinite          0/2/0/2  lrdc[0001-0002]\n");
    }

    @Test
    void run_stateFilter_keepsMatchingNodesAndTheirPartitions() {
        assertThat(t.run("sinfo", "-t", "drain", "-h")).isZero();
        assertThat(t.out()).isEqualTo("booster*     up 1-00:00:00      1  drain lrdn0004\n");
    }

    @Test
    void run_nodesAndFormat_areApplied() {
        assertThat(t.run("sinfo", "-n", "lrdn[0003-0004],lrdc0001", "-N", "-h", "-o", "%N %c %m %G %f")).isZero();
        assertThat(t.out()).isEqualTo("lrdn0003 32 491520 gpu:a100:4 a100,ib\nlrdn0004 32 491520 gpu:a100:4 a100,ib\n"
                + "lrdc0001 112 491520 (null) (null)\n");
    }

    @Test
    void run_listReasons_groupsNodesByReason() {
        assertThat(t.run("sinfo", "-R")).isZero();
        assertThat(t.out()).isEqualTo(""
                + "REASON               NODELIST\n"
                + "bad GPU              lrdn0004\n");
    }

    @Test
    void run_json_hasNodesAndPartitions() {
        assertThat(t.run("sinfo", "--json")).isZero();
        @SuppressWarnings("unchecked")
        Map<String, Object> doc = (Map<String, Object>) new JsonIn(t.out().getBytes(StandardCharsets.UTF_8)).value();
        assertThat((List<?>) doc.get("nodes")).hasSize(6);
        assertThat((List<?>) doc.get("partitions")).hasSize(2);
        @SuppressWarnings("unchecked")
        Map<String, Object> drained = (Map<String, Object>) ((List<?>) doc.get("nodes")).get(3);
        assertThat(drained).containsEntry("state", "IDLE+DRAIN").containsEntry("reason", "bad GPU");
    }

    @Test
    void run_longStateNames_areShownCompactAndFiltered() throws Exception {
        String nodes = TestIo.fixture("nodes.json").replace("\"state\": \"drain\"", "\"state\": \"drained\"")
                .replace("\"name\": \"lrdn0001\",\n  \"state\": \"alloc\"", "\"name\": \"lrdn0001\",\n  \"state\": \"mixed\"");
        try (FakeController c = FakeController.start().on("GET", "/partitions", 200, TestIo.fixture("partitions.json"))
                .on("GET", "/nodes", 200, nodes)) {
            TestIo io = new TestIo(c);
            assertThat(io.run("sinfo", "-N", "-h", "-o", "%N %t %T", "-t", "drain,mix")).isZero();
            assertThat(io.out()).isEqualTo("lrdn0001 mix mixed\nlrdn0004 drain drained\n");
        }
    }

    @Test
    void run_badState_isAnError() {
        assertThat(t.run("sinfo", "-t", "sleepy")).isEqualTo(1);
        assertThat(t.err()).startsWith("sinfo: error: Invalid node state specified: sleepy");
        assertThat(ctl.requests()).isEmpty();
    }

    @Test
    void run_badFormat_isAnError() {
        assertThat(t.run("sinfo", "-o", "%Q")).isEqualTo(1);
        assertThat(t.err()).isEqualTo("sinfo: error: invalid node format specification: %Q\n");
    }

    @Test
    void run_unsupportedOption_isNamed() {
        assertThat(t.run("sinfo", "--Format=NodeList")).isEqualTo(1);
        assertThat(t.err()).isEqualTo("sinfo: error: -O/--Format is not supported by Bottega yet\n");
    }
}
