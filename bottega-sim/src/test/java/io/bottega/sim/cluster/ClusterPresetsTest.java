package io.bottega.sim.cluster;

import io.bottega.core.model.Cluster;
import io.bottega.core.model.Partition;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterPresetsTest {
    @Test
    void leonardo_nodeAndGpuCounts() {
        Cluster c = ClusterPresets.byName("leonardo");
        assertThat(c.nodeCount()).isEqualTo(4_992);
        assertThat(c.totalGpus()).isEqualTo(13_824);
        assertThat(c.totalCores()).isEqualTo(3_456L * 32 + 1_536L * 112);
        Partition boost = c.partition("boost_usr_prod").orElseThrow();
        Partition dcgp = c.partition("dcgp_usr_prod").orElseThrow();
        assertThat(c.defaultPartition()).isEqualTo(boost);
        assertThat(boost.nodes().size()).isEqualTo(3_456);
        assertThat(dcgp.nodes().size()).isEqualTo(1_536);
        assertThat(boost.maxTimeLimit()).isEqualTo(86_400);
        assertThat(boost.defaultTimeLimit()).isEqualTo(1_800);
        assertThat(boost.maxNodesPerJob()).isEqualTo(64);
        assertThat(dcgp.maxNodesPerJob()).isEqualTo(16);
        int n1 = c.nodeId("lrdn0001").orElseThrow();
        assertThat(c.cores(n1)).isEqualTo(32);
        assertThat(c.gpus(n1)).isEqualTo(4);
        assertThat(c.memoryMb(n1)).isEqualTo(512 * 1024);
        assertThat(c.node(n1).gpuType()).isEqualTo("a100");
        int d = c.nodeId("lrdn4992").orElseThrow();
        assertThat(c.cores(d)).isEqualTo(112);
        assertThat(c.gpus(d)).isZero();
        // cells: 19 x 180 + 36 booster, 8 x 180 + 96 DCGP
        assertThat(c.groupCount()).isEqualTo(29);
        assertThat(c.groupName(c.group(c.nodeId("lrdn0180").orElseThrow()))).isEqualTo("cell01");
        assertThat(c.groupName(c.group(c.nodeId("lrdn0181").orElseThrow()))).isEqualTo("cell02");
        assertThat(c.groupName(c.group(c.nodeId("lrdn3456").orElseThrow()))).isEqualTo("cell20");
        int last = c.group(c.nodeId("lrdn3456").orElseThrow());
        assertThat(c.groupEnd(last) - c.groupStart(last)).isEqualTo(36);
        assertThat(c.groupName(c.group(d))).isEqualTo("dcgp09");
    }

    @Test
    void leonardo_powerNearTheTop500Figure() {
        Cluster c = ClusterPresets.byName("leonardo-booster");
        double full = 0;
        for (int n = 0; n < c.nodeCount(); n++) {
            var p = c.node(n).power();
            full += p.idleWatts() + p.dynamicWatts(c.cores(n), c.cores(n), c.gpus(n));
        }
        assertThat(full / 1e6).isBetween(7.0, 7.6); // Top500 lists 7.49 MW for Leonardo's HPL run
    }

    @Test
    void leonardoBooster_boosterOnly() {
        Cluster c = ClusterPresets.byName("leonardo-booster");
        assertThat(c.nodeCount()).isEqualTo(3_456);
        assertThat(c.totalGpus()).isEqualTo(13_824);
        assertThat(c.partitions()).extracting(Partition::name).containsExactly("boost_usr_prod");
    }

    @Test
    void smallPresets_shapes() {
        Cluster tiny = ClusterPresets.byName("tiny");
        assertThat(tiny.nodeCount()).isEqualTo(4);
        assertThat(tiny.totalCores()).isEqualTo(32);
        assertThat(tiny.totalGpus()).isEqualTo(16);
        assertThat(tiny.memoryMb(0)).isEqualTo(64 * 1024);
        assertThat(tiny.groupCount()).isEqualTo(1);
        Cluster gpu = ClusterPresets.byName("small-gpu");
        assertThat(gpu.nodeCount()).isEqualTo(16);
        assertThat(gpu.groupCount()).isEqualTo(2);
        assertThat(gpu.totalGpus()).isEqualTo(64);
        Cluster cpu = ClusterPresets.byName("Small-CPU");
        assertThat(cpu.nodeCount()).isEqualTo(32);
        assertThat(cpu.totalGpus()).isZero();
    }

    @Test
    void byName_unknown_listsKnownNames() {
        assertThatThrownBy(() -> ClusterPresets.byName("marenostrum"))
                .hasMessage("unknown cluster 'marenostrum' (known: leonardo, leonardo-booster, tiny, small-gpu, small-cpu; "
                        + "or a cluster file ending in .yaml)");
    }

    @Test
    void clustersLoad_missingYaml_saysSo() {
        assertThatThrownBy(() -> Clusters.load("nope.yaml")).hasMessage("cluster file nope.yaml does not exist");
        assertThatThrownBy(() -> Clusters.load("nope")).hasMessageStartingWith("unknown cluster 'nope' (known: leonardo");
    }
}
