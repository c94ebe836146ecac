package io.bottega.sim.trace;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TracesTest {
    @Test
    void detect_byNameAndFirstLine(@TempDir Path dir) throws IOException {
        assertThat(Traces.detect(Fixtures.resource("kth-head.swf"))).isEqualTo(TraceFormat.SWF);
        assertThat(Traces.detect(Fixtures.resource("alibaba-pods.csv"))).isEqualTo(TraceFormat.ALIBABA);
        Path csv = Files.writeString(dir.resolve("jobs.csv"), "id,user,submit,duration,requested_time,nodes,gpus_per_node\n");
        assertThat(Traces.detect(csv)).isEqualTo(TraceFormat.GPUCSV);
        Path bare = Files.writeString(dir.resolve("trace.txt"), "1 0 -1 10 4 -1 -1 4 60 -1 1 1 1 -1 -1 -1 -1 -1\n");
        assertThat(Traces.detect(bare)).isEqualTo(TraceFormat.SWF);
        Path other = Files.writeString(dir.resolve("x.txt"), "hello\n");
        assertThatThrownBy(() -> Traces.detect(other)).hasMessage(other + ": cannot tell the trace format; give --format swf|alibaba|gpucsv");
    }

    @Test
    void load_gpuCsvWithoutCluster_isAnError(@TempDir Path dir) throws IOException {
        Path csv = Files.writeString(dir.resolve("jobs.csv"), "id,user,submit,duration,requested_time,nodes,gpus_per_node\n");
        assertThatThrownBy(() -> Traces.load(csv, Traces.Options.defaults()))
                .hasMessage("a GPU CSV trace has no machine of its own: give --cluster NAME|FILE");
    }

    @Test
    void load_alibabaFindsItsNodeListBesideIt() throws IOException {
        LoadedTrace t = Traces.load(Fixtures.gpu("alibaba-gpu-v2023_openb_pod_list_default.csv"), Traces.Options.defaults());
        assertThat(t.format()).isEqualTo(TraceFormat.ALIBABA);
        assertThat(t.workload().machine().orElseThrow().nodeCount()).isEqualTo(1523);
    }

    @Test
    void formatParse_unknown_listsKnown() {
        assertThat(TraceFormat.parse("SWF")).isEqualTo(TraceFormat.SWF);
        assertThatThrownBy(() -> TraceFormat.parse("csv")).hasMessage("unknown trace format 'csv' (known: swf, alibaba, gpucsv, auto)");
    }

    @Test
    void mappingParse_knownAndUnknown() {
        assertThat(SwfJobMapping.parse("packed")).isEqualTo(SwfJobMapping.PACKED);
        assertThat(SwfJobMapping.parse("nodes:32")).isEqualTo(new SwfJobMapping.WholeNodes(32));
        assertThat(SwfJobMapping.parse("gpus").map(3).gpusPerTask()).isEqualTo(1);
        assertThatThrownBy(() -> SwfJobMapping.parse("nodes:0")).hasMessageContaining("must be a positive integer");
        assertThatThrownBy(() -> SwfJobMapping.parse("cores")).hasMessage("unknown SWF mapping 'cores' (known: packed, nodes:K, gpus)");
    }
}
