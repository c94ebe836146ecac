package io.bottega.sim.trace;

import io.bottega.core.model.Cluster;
import io.bottega.core.model.Demand;
import io.bottega.core.model.ResourceRequest;
import io.bottega.core.model.Verdict;
import io.bottega.sim.SimJob;
import io.bottega.sim.cluster.ClusterPresets;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AlibabaGpuTraceReaderTest {
    private static LoadedTrace fixture() throws IOException {
        return new AlibabaGpuTraceReader().read(Fixtures.resource("alibaba-pods.csv"), Fixtures.resource("alibaba-nodes.csv"));
    }

    @Test
    void readNodes_oneNodePerRowInGroupsOf32() throws IOException {
        Cluster m = new AlibabaGpuTraceReader().readNodes(Fixtures.resource("alibaba-nodes.csv"));
        assertThat(m.nodeCount()).isEqualTo(35);
        assertThat(m.totalGpus()).isEqualTo(222);
        assertThat(m.totalCores()).isEqualTo(3208);
        assertThat(m.groupCount()).isEqualTo(2);
        assertThat(m.groupName(0)).isEqualTo("grp01");
        assertThat(m.groupEnd(0) - m.groupStart(0)).isEqualTo(32);
        int g3 = m.nodeId("openb-node-0228").orElseThrow(); // 128000,786432,8,G3 (first row of the fixture)
        assertThat(m.cores(g3)).isEqualTo(128);
        assertThat(m.memoryMb(g3)).isEqualTo(786432);
        assertThat(m.gpus(g3)).isEqualTo(8);
        assertThat(m.node(g3).gpuType()).isEqualTo("G3");
        assertThat(m.defaultPartition().name()).isEqualTo("default");
    }

    @Test
    void read_mapsPodsToSingleNodeJobs() throws IOException {
        LoadedTrace t = fixture();
        assertThat(t.records()).isEqualTo(99);
        assertThat(t.workload().jobs()).hasSize(94);
        assertThat(t.notes()).contains("5 pods never scheduled (no scheduled_time) are not replayed",
                "33 pods with a GPU share (gpu_milli < 1000) were given one whole GPU",
                "time limit = run time (the trace has no estimates)");
        // openb-pod-0017,88000,327680,8,1000,,Burstable,Succeeded,9437497,10769854,9437497
        SimJob p17 = t.workload().jobs().stream().filter(j -> j.id() == 17).findFirst().orElseThrow();
        ResourceRequest q = p17.spec().resources();
        assertThat(q.nodesMin()).isEqualTo(1);
        assertThat(q.nodesMax()).isEqualTo(1);
        assertThat(q.tasks()).isEqualTo(1);
        assertThat(q.cpusPerTask()).isEqualTo(88);
        assertThat(q.memPerNodeMb()).isEqualTo(327680);
        assertThat(q.gpusPerNode()).isEqualTo(8);
        assertThat(p17.spec().submitTime()).isEqualTo(9437497);
        assertThat(p17.runTime()).isEqualTo(10769854 - 9437497);
        assertThat(p17.spec().timeLimit()).isEqualTo(p17.runTime());
        assertThat(p17.spec().user()).isEqualTo("Burstable");
        assertThat(p17.spec().name()).isEqualTo("openb-pod-0017");
        assertThat(p17.traceStatus()).isEqualTo(1);
        // openb-pod-0001,6000,12288,1,460,,LS,Running,427061,12902960,427061: a share, one whole GPU
        SimJob p1 = t.workload().jobs().stream().filter(j -> j.id() == 1).findFirst().orElseThrow();
        assertThat(p1.spec().resources().gpusPerNode()).isEqualTo(1);
        assertThat(p1.spec().resources().cpusPerTask()).isEqualTo(6);
        assertThat(p1.traceStatus()).isEqualTo(-1);
        // every job fits the machine
        Demand.Resolver r = new Demand.Resolver(t.workload().machine().orElseThrow());
        assertThat(t.workload().jobs()).allMatch(j -> r.resolve(j.spec()) instanceof Verdict.Fits);
    }

    @Test
    void read_onAnotherCluster_podsThatNeverFitAreInvalid() throws IOException {
        AlibabaGpuTraceReader r = new AlibabaGpuTraceReader().cluster(ClusterPresets.byName("leonardo-booster"));
        // openb-pod-0017 asks for 88 cores and 8 GPUs: no 32-core, 4-GPU booster node holds it
        assertThatThrownBy(() -> r.read(Fixtures.resource("alibaba-pods.csv"), null))
                .hasMessageStartingWith(Fixtures.resource("alibaba-pods.csv") + ":20: pod openb-pod-0017 can never run on leonardo-booster:");
        LoadedTrace t = r.skipInvalid(true).read(Fixtures.resource("alibaba-pods.csv"), null);
        assertThat(t.workload().jobs()).hasSize(93);
        assertThat(t.workload().skipped()).isEqualTo(1);
        assertThat(t.workload().machine()).isEmpty();
        // services running for months get the partition's 24 h as their limit
        SimJob p0 = t.workload().jobs().stream().filter(j -> j.id() == 0).findFirst().orElseThrow();
        assertThat(p0.spec().timeLimit()).isEqualTo(86400);
        assertThat(p0.effectiveRunTime()).isEqualTo(86400);
        assertThat(t.notes()).anyMatch(n -> n.endsWith("get that maximum as their time limit (and are killed at it)"));
    }

    @Test
    void read_podWiderThanEveryNode_isAnError() {
        String nodes = "sn,cpu_milli,memory_mib,gpu,model\nn1,8000,65536,2,T4\n";
        String pods = "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time\n"
                + "p-1,4000,1024,1,500,,LS,Running,0,100,0\n"
                + "p-2,4000,1024,4,1000,,LS,Running,5,100,6\n";
        AlibabaGpuTraceReader r = new AlibabaGpuTraceReader();
        assertThatThrownBy(() -> r.read(Fixtures.text(pods), "pods.csv", "pods", r.readNodes(Fixtures.text(nodes), "nodes.csv", "nodes")))
                .isInstanceOf(TraceFormatException.class).hasMessageStartingWith("pods.csv:3: pod p-2 can never run on nodes:");
    }

    @Test
    void read_garbledAndTruncatedRows() throws IOException {
        String nodes = "sn,cpu_milli,memory_mib,gpu,model\nn1,8000,65536,2,T4\n";
        String head = "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time\n";
        AlibabaGpuTraceReader r = new AlibabaGpuTraceReader();
        Cluster m = r.readNodes(Fixtures.text(nodes), "nodes.csv", "nodes");
        assertThatThrownBy(() -> r.read(Fixtures.text(head + "p-1,4x00,1024,1,500,,LS,Running,0,100,0\n"), "pods.csv", "pods", m))
                .hasMessage("pods.csv:2: column cpu_milli is '4x00', not a number");
        assertThatThrownBy(() -> r.read(Fixtures.text(head + "p-1,4000,1024\n"), "pods.csv", "pods", m))
                .hasMessage("pods.csv:2: expected 11 columns, found 3 (truncated line?)");
        assertThatThrownBy(() -> r.read(Fixtures.text(head + "p-1,4000,1024,1,500,,LS,Running,0,100,200\n"), "pods.csv", "pods", m))
                .hasMessage("pods.csv:2: pod p-1: deletion_time 100 is before scheduled_time 200");
        LoadedTrace t = r.skipInvalid(true).read(Fixtures.text(head + "p-1,4x00,1024,1,500,,LS,Running,0,100,0\n"
                + "p-2,4000,1024,0,0,,BE,Succeeded,3,100,4\n"), "pods.csv", "pods", m);
        assertThat(t.workload().jobs()).extracting(SimJob::id).containsExactly(2L);
        assertThat(t.workload().skipped()).isEqualTo(1);
    }

    @Test
    void readNodes_missingColumn_isAnError() {
        assertThatThrownBy(() -> new AlibabaGpuTraceReader().readNodes(Fixtures.text("sn,cpu_milli,gpu,model\n"), "n.csv", "n"))
                .hasMessage("n.csv:1: the header has no column 'memory_mib' (expected: sn,cpu_milli,memory_mib,gpu,model)");
    }
}
