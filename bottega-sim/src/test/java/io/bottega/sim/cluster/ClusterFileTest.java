package io.bottega.sim.cluster;

import io.bottega.core.model.Cluster;
import io.bottega.core.model.Partition;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterFileTest {
    private static Path examples() {
        for (String p : new String[] {"../examples/clusters", "examples/clusters"}) {
            if (Files.isDirectory(Path.of(p))) return Path.of(p);
        }
        throw new IllegalStateException("examples/clusters not found");
    }

    private static final String NODES = """
            name: t
            nodes:
              - names: n[1-4]
                cores: 8
                memory: 64G
                gpus: 2
            """;

    @Test
    void load_leonardoExample_equalsThePreset() throws IOException {
        Cluster file = ClusterFile.load(examples().resolve("leonardo.yaml"));
        Cluster preset = ClusterPresets.byName("leonardo");
        assertThat(file.nodeCount()).isEqualTo(preset.nodeCount());
        for (int n = 0; n < preset.nodeCount(); n++) assertThat(file.node(n)).isEqualTo(preset.node(n));
        assertThat(file.partitions()).isEqualTo(preset.partitions());
        assertThat(file.groupCount()).isEqualTo(preset.groupCount());
        for (int g = 0; g < preset.groupCount(); g++) assertThat(file.groupName(g)).isEqualTo(preset.groupName(g));
    }

    @Test
    void load_smallExample() throws IOException {
        Cluster c = ClusterFile.load(examples().resolve("small.yaml"));
        assertThat(c.nodeCount()).isEqualTo(24);
        assertThat(c.totalGpus()).isEqualTo(64);
        assertThat(c.groupCount()).isEqualTo(3);
        assertThat(c.features()).containsExactlyInAnyOrder("a100", "nvlink");
        Partition debug = c.partition("debug").orElseThrow();
        assertThat(debug.nodes().size()).isEqualTo(4);
        assertThat(debug.maxTimeLimit()).isEqualTo(1800);
        assertThat(debug.defaultTimeLimit()).isEqualTo(600);
        assertThat(debug.priorityWeight()).isEqualTo(10);
        assertThat(c.partition("cpu").orElseThrow().maxNodesPerJob()).isEqualTo(Integer.MAX_VALUE);
        assertThat(c.defaultPartition().name()).isEqualTo("gpu");
        assertThat(c.memoryMb(c.nodeId("cpu01").orElseThrow())).isEqualTo(262144);
    }

    @Test
    void parse_defaults() {
        Cluster c = ClusterFile.parse(NODES + "partitions:\n  - name: all\n", "t.yaml");
        Partition p = c.defaultPartition();
        assertThat(p.nodes().size()).isEqualTo(4);
        assertThat(p.maxTimeLimit()).isEqualTo(Partition.UNLIMITED);
        assertThat(p.defaultTimeLimit()).isEqualTo(Partition.UNLIMITED);
        assertThat(c.memoryMb(0)).isEqualTo(65536);
        assertThat(c.coreBinding(0)).isTrue();
        assertThat(c.groupName(0)).isEqualTo("default");
    }

    @Test
    void parse_integerTimesAreSeconds() {
        Cluster c = ClusterFile.parse(NODES + "partitions:\n  - name: p\n    max_time: 7200\n    default_time: 60\n", "t.yaml");
        assertThat(c.defaultPartition().maxTimeLimit()).isEqualTo(7200);
        assertThat(c.defaultPartition().defaultTimeLimit()).isEqualTo(60);
    }

    @Test
    void parse_errorsNameTheYamlPath() {
        assertThatThrownBy(() -> ClusterFile.parse(NODES + "partitions:\n  - name: a\n  - name: b\n    max_time: '25:00:00:00'\n", "s.yaml"))
                .isInstanceOf(ClusterFileException.class)
                .hasMessageStartingWith("s.yaml: partitions[1].max_time: '25:00:00:00' is not a Slurm time");
        assertThatThrownBy(() -> ClusterFile.parse(NODES.replace("cores: 8", "cores: eight") + "partitions:\n  - name: a\n", "s.yaml"))
                .hasMessage("s.yaml: nodes[0].cores: 'eight' is not an integer");
        assertThatThrownBy(() -> ClusterFile.parse(NODES.replace("gpus: 2", "gpu: 2") + "partitions:\n  - name: a\n", "s.yaml"))
                .hasMessageStartingWith("s.yaml: nodes[0].gpu: unknown key (known: ");
        assertThatThrownBy(() -> ClusterFile.parse(NODES + "partitions:\n  - name: a\n    nodes: m[1-2]\n", "s.yaml"))
                .hasMessage("s.yaml: partitions[0].nodes: node m1 is not declared under nodes");
        assertThatThrownBy(() -> ClusterFile.parse(NODES + "partitions:\n  - name: a\n    nodes: n[1-\n", "s.yaml"))
                .hasMessageStartingWith("s.yaml: partitions[0].nodes: ");
        assertThatThrownBy(() -> ClusterFile.parse(NODES.replace("names: n[1-4]", "names: n[1-4]\n    count: 5") + "partitions:\n  - name: a\n", "s.yaml"))
                .hasMessage("s.yaml: nodes[0].count: 5 does not match the 4 names of 'n[1-4]'");
        assertThatThrownBy(() -> ClusterFile.parse(NODES + "partitions:\n  - name: a\n    default_time: '2:00:00'\n    max_time: '1:00:00'\n", "s.yaml"))
                .hasMessage("s.yaml: partitions[0].default_time: 02:00:00 exceeds max_time 01:00:00");
        assertThatThrownBy(() -> ClusterFile.parse(NODES + "partitions:\n  - name: a\n    default: true\n  - name: b\n    default: true\n", "s.yaml"))
                .hasMessage("s.yaml: partitions[1].default: only one partition may be the default");
        assertThatThrownBy(() -> ClusterFile.parse("name: t\nnodes: []\npartitions: []\n", "s.yaml"))
                .hasMessage("s.yaml: nodes: at least one node entry is needed");
        assertThatThrownBy(() -> ClusterFile.parse(NODES, "s.yaml")).hasMessage("s.yaml: partitions: is required");
        assertThatThrownBy(() -> ClusterFile.parse(NODES.replace("memory: 64G", "memory: lots") + "partitions:\n  - name: a\n", "s.yaml"))
                .hasMessage("s.yaml: nodes[0].memory: 'lots' is not a memory size (like 512G, 4096M or 4096)");
        assertThatThrownBy(() -> ClusterFile.parse(NODES.replace("gpus: 2", "gpus: 65") + "partitions:\n  - name: a\n", "s.yaml"))
                .hasMessage("s.yaml: nodes[0].gpus: 65 is out of range (0-64)");
    }

    @Test
    void parse_badYaml_givesLineAndColumn() {
        assertThatThrownBy(() -> ClusterFile.parse("name: t\nnodes:\n  - names: [a\n", "s.yaml"))
                .isInstanceOf(ClusterFileException.class).hasMessageStartingWith("s.yaml: line ");
        assertThatThrownBy(() -> ClusterFile.parse("name: t\nname: u\n", "s.yaml")).hasMessageContaining("s.yaml: line 2");
    }
}
