package io.bottega.sim.report;

import io.bottega.core.model.JobSpec;
import io.bottega.core.model.ResourceRequest;
import io.bottega.sim.SimJob;
import io.bottega.sim.SimulationResult;
import io.bottega.sim.Workload;
import io.bottega.sim.metrics.Metrics;
import io.bottega.sim.metrics.Results;
import io.bottega.sim.trace.SwfRecord;
import io.bottega.sim.util.Csv;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class ReportTest {
    private static final Pattern EXTERNAL = Pattern.compile("(?i)(src|href)\\s*=\\s*[\"']?\\s*(https?:|//)");

    private final SimulationResult easy = Results.fourJobs("easy");
    private final Metrics easyMetrics = Metrics.of(easy, "hand");
    private final TraceInfo info = new TraceInfo("hand", "swf", 4, 1, List.of("1 invalid record skipped (garbled: 1)"), 0.01,
            Optional.empty());

    static void assertSelfContained(String html) {
        assertThat(html).startsWith("<!DOCTYPE html>").contains("<svg").endsWith("</html>\n");
        assertThat(EXTERNAL.matcher(html).find()).as("no external src/href").isFalse();
        assertThat(html).doesNotContain("<script", "<link", "<img", "url(", "@import");
    }

    @Test
    void single_isSelfContainedWithPlots() {
        String html = HtmlReport.single(easy, easyMetrics, info);
        assertSelfContained(html);
        assertThat(html).contains("Utilisation", "Jobs waiting and running", "Wait time CDF", "48.0%",
                "1 invalid record skipped (garbled: 1)", "Largest users");
        assertThat(html.split("<svg", -1)).hasSize(4);
    }

    @Test
    void comparison_tablesAndOverlaidPlots() {
        SimulationResult fcfs = Results.fourJobs("fcfs");
        String html = HtmlReport.comparison(List.of(easy, fcfs), List.of(easyMetrics, Metrics.of(fcfs, "hand")), info,
                List.of("easy/report.html", "fcfs/report.html"));
        assertSelfContained(html);
        assertThat(html).contains("<a href=\"easy/report.html\">easy</a>", "<a href=\"fcfs/report.html\">fcfs</a>",
                "GPU util.", "Jobs waiting");
        // one path per policy in each of the three plots
        assertThat(html.split("<path ", -1)).hasSize(7);
    }

    @Test
    void jobsCsv_headerAndRows() throws IOException {
        StringWriter w = new StringWriter();
        JobsCsv.write(easy, w);
        String[] lines = w.toString().split("\n");
        assertThat(lines[0]).isEqualTo("job_id,user,account,partition,submit,start,end,wait,run_time,time_limit,state,nodes,tasks,"
                + "cores,gpus,mem_mb,node_list,energy_j");
        assertThat(lines).hasSize(5);
        assertThat(Csv.split(lines[2])).containsExactly("2", "a", "ga", "batch", "10", "100", "110", "90", "10", "90", "COMPLETED",
                "1", "10", "10", "0", "0", "m", "500");
        assertThat(Csv.split(lines[4])).element(10).isEqualTo("TIMEOUT");
    }

    @Test
    void jobsCsv_nodeListsInHostlistForm() {
        assertThat(JobsCsv.hostlist("lrdn0001,lrdn0002,lrdn0003,lrdn0007")).isEqualTo("lrdn[0001-0003,0007]");
        assertThat(JobsCsv.hostlist("lrdn[0001-0002]")).isEqualTo("lrdn[0001-0002]");
        assertThat(JobsCsv.hostlist("machine")).isEqualTo("machine");
        assertThat(JobsCsv.hostlist("")).isEmpty();
    }

    @Test
    void metricsJson_hasTheKeys() {
        String json = MetricsJson.of(easyMetrics, info);
        assertThat(json).contains("\"policy\": \"easy\"", "\"cluster\": \"m10\"", "\"trace\": \"hand\"", "\"jobs\": 4",
                "\"utilization\": 0.48", "\"gpu_utilization\": null", "\"wait_mean\": 42.5", "\"wait_median\": 40",
                "\"wait_p95\": 90", "\"wait_max\": 90", "\"bounded_slowdown_mean\": 3.47222222", "\"makespan\": 200",
                "\"energy_kwh\": 0.00688888889", "\"sim_seconds\": 2", "\"skipped\": 1",
                "\"notes\": [\n    \"1 invalid record skipped (garbled: 1)\"\n  ]",
                "{\"user\": \"a\", \"jobs\": 2, \"wait_mean\": 45, \"core_seconds\": 500");
        assertThat(json.chars().filter(c -> c == '{').count()).isEqualTo(json.chars().filter(c -> c == '}').count());
        assertThat(json).doesNotContain(",\n}", ",\n  ]");
    }

    @Test
    void swfWriter_simulatedScheduleWithHeader() throws IOException {
        Workload w = Workload.of("hand", List.of(new SimJob(JobSpec.of(2, 10, 90, ResourceRequest.processors(10)), 10, 5)));
        StringWriter out = new StringWriter();
        SwfWriter.write(easy, Optional.of(w), info, out);
        List<String> lines = out.toString().lines().toList();
        assertThat(lines).contains("; Installation: produced by Bottega sim with policy easy", "; MaxProcs: 10", "; Partition: 1 batch");
        List<SwfRecord> recs = lines.stream().filter(l -> !l.startsWith(";")).map(SwfRecord::parse).toList();
        assertThat(recs).extracting(SwfRecord::jobNumber).containsExactly(1L, 2L, 3L, 4L);
        SwfRecord two = recs.get(1);
        assertThat(two.waitTime()).isEqualTo(90);
        assertThat(two.runTime()).isEqualTo(10);
        assertThat(two.allocatedProcessors()).isEqualTo(10);
        assertThat(two.requestedTime()).isEqualTo(90);
        assertThat(two.status()).isEqualTo(5); // the trace's own status
        assertThat(two.partition()).isEqualTo(1);
        assertThat(recs.get(3).status()).isZero(); // killed at its limit
        assertThat(recs.get(0).status()).isEqualTo(1);
    }

    @Test
    void writeAll_onePolicyInDir_severalInSubfolders(@TempDir Path dir) throws IOException {
        ReportWriter.writeAll(dir.resolve("one"), List.of(easy), List.of(easyMetrics), info, Optional.empty(), true);
        assertThat(dir.resolve("one")).isDirectoryContaining("glob:**/jobs.csv").isDirectoryContaining("glob:**/metrics.json")
                .isDirectoryContaining("glob:**/report.html").isDirectoryContaining("glob:**/jobs.swf");
        SimulationResult fcfs = Results.fourJobs("fcfs");
        ReportWriter.writeAll(dir.resolve("two"), List.of(easy, fcfs), List.of(easyMetrics, Metrics.of(fcfs, "hand")), info,
                Optional.empty(), false);
        assertThat(dir.resolve("two/easy/report.html")).exists();
        assertThat(dir.resolve("two/fcfs/metrics.json")).exists();
        assertThat(dir.resolve("two/fcfs/jobs.swf")).doesNotExist();
        assertSelfContained(Files.readString(dir.resolve("two/report.html")));
    }
}
