package io.bottega.sim.report;

import io.bottega.sim.SimulationResult;
import io.bottega.sim.Workload;
import io.bottega.sim.metrics.Metrics;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Writes a replay's outputs into a folder: {@code jobs.csv}, {@code metrics.json}, {@code report.html} and, when
 * asked, {@code jobs.swf}; for several policies, one subfolder per policy and {@code report.html} comparing them.
 */
public final class ReportWriter {
    private ReportWriter() {}

    /** One policy's outputs in {@code dir} (created when missing). */
    public static void writePolicy(Path dir, SimulationResult r, Metrics m, TraceInfo t, Optional<Workload> w, boolean swf)
            throws IOException {
        Files.createDirectories(dir);
        try (Writer out = Files.newBufferedWriter(dir.resolve("jobs.csv"), StandardCharsets.UTF_8)) {
            JobsCsv.write(r, out);
        }
        Files.writeString(dir.resolve("metrics.json"), MetricsJson.of(m, t), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("report.html"), HtmlReport.single(r, m, t), StandardCharsets.UTF_8);
        if (swf) {
            try (Writer out = Files.newBufferedWriter(dir.resolve("jobs.swf"), StandardCharsets.UTF_8)) {
                SwfWriter.write(r, w, t, out);
            }
        }
    }

    /**
     * Several policies: each in {@code dir/<policy>/}, and {@code dir/report.html} comparing them. With one policy,
     * its outputs go straight into {@code dir}.
     */
    public static void writeAll(Path dir, List<SimulationResult> rs, List<Metrics> ms, TraceInfo t, Optional<Workload> w, boolean swf)
            throws IOException {
        if (rs.size() == 1) {
            writePolicy(dir, rs.get(0), ms.get(0), t, w, swf);
            return;
        }
        List<String> links = new ArrayList<>();
        for (int i = 0; i < rs.size(); i++) {
            String p = ms.get(i).policy();
            writePolicy(dir.resolve(p), rs.get(i), ms.get(i), t, w, swf);
            links.add(p + "/report.html");
        }
        Files.writeString(dir.resolve("report.html"), HtmlReport.comparison(rs, ms, t, links), StandardCharsets.UTF_8);
    }
}
