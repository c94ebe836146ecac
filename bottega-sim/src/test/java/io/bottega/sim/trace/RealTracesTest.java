package io.bottega.sim.trace;

import io.bottega.core.model.Cluster;
import io.bottega.sim.SimJob;
import io.bottega.sim.Workload;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Reads the real traces in {@code shared/traces} (not copied into the project). Counts checked against the files
 * with awk: records = non-comment lines; skipped = run time &lt; 0, or processors (field 5, else 8) &le; 0.
 */
class RealTracesTest {
    private static LoadedTrace swf(String file, boolean skip) throws IOException {
        LoadedTrace t = new SwfReader().skipInvalid(skip).read(Fixtures.swf(file));
        System.out.printf(Locale.ROOT, "%s: %d records, %d jobs, %d skipped, %.2f s (%.0f records/s)%n", file, t.records(),
                t.workload().jobs().size(), t.workload().skipped(), t.parseSeconds(), t.records() / t.parseSeconds());
        return t;
    }

    private static void assertOrdered(Workload w) {
        List<SimJob> js = w.jobs();
        for (int i = 1; i < js.size(); i++) {
            SimJob a = js.get(i - 1), b = js.get(i);
            assertThat(a.spec().submitTime() < b.spec().submitTime()
                    || (a.spec().submitTime() == b.spec().submitTime() && a.id() < b.id())).as("order at %d", i).isTrue();
        }
    }

    @Test
    void kth_readsWhole() throws IOException {
        LoadedTrace t = swf("KTH-SP2-1996-2.1-cln.swf.gz", false);
        assertThat(t.records()).isEqualTo(27_992);
        assertThat(t.workload().jobs()).hasSize(27_992);
        assertThat(t.swfHeader().orElseThrow().maxProcs()).hasValue(100);
        assertThat(t.swfHeader().orElseThrow().maxNodes()).hasValue(100);
        assertThat(t.swfHeader().orElseThrow().unixStartTime()).hasValue(843_480_031);
        assertThat(t.workload().machine().orElseThrow().totalCores()).isEqualTo(100);
        assertOrdered(t.workload());
    }

    @Test
    void llnlThunder_needsSkipInvalid() throws IOException {
        assertThatThrownBy(() -> swf("LLNL-Thunder-2007-1.1-cln.swf.gz", false))
                .isInstanceOf(TraceFormatException.class).hasMessageContaining(":325: job 299: field 4 (run time) is -1");
        LoadedTrace t = swf("LLNL-Thunder-2007-1.1-cln.swf.gz", true);
        assertThat(t.records()).isEqualTo(121_039);
        assertThat(t.workload().skipped()).isEqualTo(2_248);
        assertThat(t.workload().jobs()).hasSize(121_039 - 2_248);
        assertThat(t.notes()).contains("2248 invalid records skipped (run time < 0: 1190, processors <= 0: 1058)");
        assertThat(t.swfHeader().orElseThrow().maxProcs()).hasValue(4008);
        assertOrdered(t.workload());
    }

    @Test
    void sdscBlue_needsSkipInvalid() throws IOException {
        LoadedTrace t = swf("SDSC-BLUE-2000-4.2-cln.swf.gz", true);
        assertThat(t.records()).isEqualTo(243_306);
        assertThat(t.workload().skipped()).isEqualTo(10_744);
        assertThat(t.workload().jobs()).hasSize(243_306 - 10_744);
        assertThat(t.workload().machine().orElseThrow().totalCores()).isEqualTo(1_152);
        assertThat(t.swfHeader().orElseThrow().maxNodes()).hasValue(144);
    }

    @Test
    void ceaCurie_needsSkipInvalid() throws IOException {
        LoadedTrace t = swf("CEA-Curie-2011-2.1-cln.swf.gz", true);
        assertThat(t.records()).isEqualTo(312_826);
        assertThat(t.workload().skipped()).isEqualTo(19);
        assertThat(t.workload().jobs()).hasSize(312_807);
        assertThat(t.workload().machine().orElseThrow().totalCores()).isEqualTo(93_312);
        assertThat(t.swfHeader().orElseThrow().unixStartTime()).hasValue(1_296_571_124);
        assertOrdered(t.workload());
    }

    @Test
    void lublin_machineFromMaxNodes() throws IOException {
        LoadedTrace t = swf("lublin_256.swf.gz", false);
        assertThat(t.workload().jobs()).hasSize(10_000);
        assertThat(t.swfHeader().orElseThrow().maxProcs()).isEmpty();
        assertThat(t.workload().machine().orElseThrow().totalCores()).isEqualTo(256);
        // no requested times: every estimate is the run time
        assertThat(t.workload().jobs()).allMatch(j -> j.spec().timeLimit() == Math.max(1, j.runTime()));
    }

    @Test
    void alibaba_readsWithItsNodeList() throws IOException {
        Path pods = Fixtures.gpu("alibaba-gpu-v2023_openb_pod_list_default.csv");
        LoadedTrace t = new AlibabaGpuTraceReader().read(pods, null);
        System.out.printf(Locale.ROOT, "alibaba: %d records, %d jobs, %.2f s%n", t.records(), t.workload().jobs().size(), t.parseSeconds());
        assertThat(t.records()).isEqualTo(8_152);
        assertThat(t.workload().jobs()).hasSize(7_255);
        assertThat(t.workload().skipped()).isZero();
        assertThat(t.notes()).contains("897 pods never scheduled (no scheduled_time) are not replayed",
                "2573 pods with a GPU share (gpu_milli < 1000) were given one whole GPU");
        Cluster m = t.workload().machine().orElseThrow();
        assertThat(m.nodeCount()).isEqualTo(1_523);
        assertThat(m.totalGpus()).isEqualTo(6_212);
        assertThat(m.totalCores()).isEqualTo(125_514);
        assertThat(m.groupCount()).isEqualTo(48); // ceil(1523 / 32)
        assertOrdered(t.workload());
    }
}
