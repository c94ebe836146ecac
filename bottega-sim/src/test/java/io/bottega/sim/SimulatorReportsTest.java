package io.bottega.sim;

import io.bottega.core.sched.SchedulerConfig;
import io.bottega.sim.metrics.Metrics;
import io.bottega.sim.report.ReportWriter;
import io.bottega.sim.report.TraceInfo;
import io.bottega.sim.trace.Fixtures;
import io.bottega.sim.trace.LoadedTrace;
import io.bottega.sim.trace.SwfReader;
import io.bottega.sim.trace.SwfRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Reader → the simulator → metrics → every output, on the KTH excerpt, for the three policies. */
class SimulatorReportsTest {
    @Test
    void kthExcerpt_allPoliciesWriteAllOutputs(@TempDir Path dir) throws IOException {
        LoadedTrace t = new SwfReader().read(Fixtures.resource("kth-head.swf"));
        Workload w = t.workload();
        List<SimulationResult> rs = new ArrayList<>();
        List<Metrics> ms = new ArrayList<>();
        for (String p : List.of("fcfs", "easy", "conservative")) {
            SimulationResult r = Simulator.run(w.machine().orElseThrow(), w, SchedulerConfig.parse(p), ProgressListener.NONE);
            rs.add(r);
            ms.add(Metrics.of(r, t.name()));
        }
        for (Metrics m : ms) {
            assertThat(m.jobs()).isEqualTo(30);
            assertThat(m.utilization()).isBetween(0.0, 1.0);
            assertThat(m.boundedSlowdownMean()).isGreaterThanOrEqualTo(1.0);
        }
        ReportWriter.writeAll(dir, rs, ms, TraceInfo.of(t), Optional.of(w), true);
        for (String p : List.of("fcfs", "easy", "conservative")) {
            assertThat(Files.readAllLines(dir.resolve(p).resolve("jobs.csv"))).hasSize(31);
            List<SwfRecord> out = Files.readAllLines(dir.resolve(p).resolve("jobs.swf")).stream().filter(l -> !l.startsWith(";"))
                    .map(SwfRecord::parse).toList();
            assertThat(out).hasSize(30);
            assertThat(out).allMatch(r -> r.waitTime() >= 0 && r.allocatedProcessors() > 0);
        }
        assertThat(Files.readString(dir.resolve("report.html"))).contains("<svg", "conservative/report.html");
    }
}
