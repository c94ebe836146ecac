package io.bottega.sim.report;

import io.bottega.sim.JobResult;
import io.bottega.sim.SimulationResult;
import io.bottega.sim.SimulationResult.TimelinePoint;
import io.bottega.sim.metrics.Metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * {@code report.html}: one self-contained page, readable offline — inline CSS and inline SVG plots generated
 * here, no script, no external file. A single replay shows its metrics, the trace's notes, utilisation and queue
 * length over time (time-weighted means over at most {@value Series#MAX_POINTS} intervals), the wait-time CDF (log
 * scale) and the largest users; a comparison shows a table of every policy's metrics (best in bold) and the same
 * plots overlaid (timelines over {@value #OVERLAY_POINTS} intervals).
 */
public final class HtmlReport {
    private static final int W = 920, H = 300;
    /** Overlaid timelines are averaged over fewer, wider intervals, so that several lines stay readable. */
    private static final int OVERLAY_POINTS = 400;

    private HtmlReport() {}

    public static String single(SimulationResult r, Metrics m, TraceInfo t) {
        StringBuilder b = head("Bottega sim — " + m.policy() + " on " + m.cluster());
        b.append("<h1>").append(Fmt.html(m.policy())).append(" on ").append(Fmt.html(m.cluster())).append("</h1>\n");
        b.append("<p class=\"sub\">trace ").append(Fmt.html(t.name())).append(t.format().isEmpty() ? "" : " (" + Fmt.html(t.format()) + ")")
                .append(" · ").append(Fmt.count(m.jobs())).append(" jobs · machine ").append(Fmt.count(m.machineCores())).append(" cores")
                .append(m.machineGpus() > 0 ? ", " + Fmt.count(m.machineGpus()) + " GPUs" : "").append("</p>\n");
        b.append("<h2>Metrics</h2>\n<table class=\"kv\">\n");
        for (String[] row : rows(m)) {
            b.append("<tr><th>").append(Fmt.html(row[0])).append("</th><td>").append(Fmt.html(row[1])).append("</td></tr>\n");
        }
        b.append("</table>\n");
        notes(b, t);
        Axis ax = Axis.of(m);
        List<TimelinePoint> tl = r.timeline();
        b.append("<h2>Over time</h2>\n");
        SvgChart util = new SvgChart("Utilisation", ax.label, "busy").percentY().yMax(1);
        util.add(Series.timeline("cores", tl, p -> frac(p.busyCores(), m.machineCores()), ax.start, ax.end, ax.unit, Series.MAX_POINTS));
        if (m.machineGpus() > 0) {
            util.add(Series.timeline("GPUs", tl, p -> frac(p.busyGpus(), m.machineGpus()), ax.start, ax.end, ax.unit, Series.MAX_POINTS));
        }
        b.append(util.render(W, H));
        SvgChart queue = new SvgChart("Jobs waiting and running", ax.label, "jobs");
        queue.add(Series.timeline("queued", tl, p -> p.queued(), ax.start, ax.end, ax.unit, Series.MAX_POINTS));
        queue.add(Series.timeline("running", tl, p -> p.running(), ax.start, ax.end, ax.unit, Series.MAX_POINTS));
        b.append(queue.render(W, H));
        b.append("<h2>Waiting times</h2>\n");
        b.append(new SvgChart("Wait time CDF (zero waits at 1 s)", "wait (log scale)", "fraction of jobs").logX().step().percentY().yMax(1)
                .add(Series.cdf("", sortedWaits(r), 1, Series.MAX_POINTS)).render(W, H));
        users(b, m);
        return foot(b);
    }

    /**
     * The comparison of several policies on one workload; {@code links} are relative paths of each policy's own
     * report (same order), or empty.
     */
    public static String comparison(List<SimulationResult> rs, List<Metrics> ms, TraceInfo t, List<String> links) {
        if (rs.size() != ms.size()) throw new IllegalArgumentException("one metrics per result");
        Metrics first = ms.get(0);
        StringBuilder b = head("Bottega sim — policies on " + first.cluster());
        b.append("<h1>Policy comparison on ").append(Fmt.html(first.cluster())).append("</h1>\n");
        b.append("<p class=\"sub\">trace ").append(Fmt.html(t.name())).append(t.format().isEmpty() ? "" : " (" + Fmt.html(t.format()) + ")")
                .append(" · ").append(Fmt.count(first.jobs())).append(" jobs · machine ").append(Fmt.count(first.machineCores())).append(" cores")
                .append(first.machineGpus() > 0 ? ", " + Fmt.count(first.machineGpus()) + " GPUs" : "").append("</p>\n");
        String[] head = {"policy", "jobs", "utilisation", "GPU util.", "wait mean", "wait median", "wait p95", "wait max",
                "bsld mean", "bsld p95", "makespan", "energy kWh", "killed", "replay s", "jobs/s"};
        // direction of "better": -1 lower, +1 higher, 0 not ranked
        int[] better = {0, 0, 1, 1, -1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0};
        double[][] vals = new double[ms.size()][];
        for (int i = 0; i < ms.size(); i++) {
            Metrics m = ms.get(i);
            vals[i] = new double[] {0, m.jobs(), m.utilization(), m.gpuUtilization(), m.waitMean(), m.waitMedian(), m.waitP95(),
                    m.waitMax(), m.boundedSlowdownMean(), m.boundedSlowdownP95(), m.makespan(), m.energyKwh(), m.timeouts(),
                    m.simSeconds(), m.jobsPerSecond()};
        }
        b.append("<h2>Metrics</h2>\n<table class=\"cmp\">\n<tr>");
        for (String h : head) b.append("<th>").append(Fmt.html(h)).append("</th>");
        b.append("</tr>\n");
        for (int i = 0; i < ms.size(); i++) {
            Metrics m = ms.get(i);
            b.append("<tr><td>");
            String link = i < links.size() ? links.get(i) : "";
            if (!link.isEmpty()) b.append("<a href=\"").append(Fmt.html(link)).append("\">").append(Fmt.html(m.policy())).append("</a>");
            else b.append(Fmt.html(m.policy()));
            b.append("</td>");
            for (int c = 1; c < head.length; c++) {
                boolean best = better[c] != 0 && ms.size() > 1 && isBest(vals, i, c, better[c]);
                b.append(best ? "<td class=\"best\">" : "<td>").append(Fmt.html(cell(c, vals[i][c]))).append("</td>");
            }
            b.append("</tr>\n");
        }
        b.append("</table>\n<p class=\"sub\">bsld: bounded slowdown (τ = 10 s); killed: jobs ended at their time limit; "
                + "best value of each column in bold.</p>\n");
        notes(b, t);
        boolean gpu = first.machineGpus() > 0;
        Axis ax = Axis.of(ms);
        b.append("<h2>Over time</h2>\n");
        SvgChart util = new SvgChart(gpu ? "GPU utilisation" : "Utilisation", ax.label, "busy").percentY().yMax(1);
        SvgChart queue = new SvgChart("Jobs waiting", ax.label, "jobs queued");
        SvgChart cdf = new SvgChart("Wait time CDF (zero waits at 1 s)", "wait (log scale)", "fraction of jobs").logX().step().percentY()
                .yMax(1);
        for (int i = 0; i < rs.size(); i++) {
            SimulationResult r = rs.get(i);
            Metrics m = ms.get(i);
            ToDoubleFunction<TimelinePoint> u = gpu ? p -> frac(p.busyGpus(), m.machineGpus()) : p -> frac(p.busyCores(), m.machineCores());
            util.add(Series.timeline(m.policy(), r.timeline(), u, ax.start, ax.end, ax.unit, OVERLAY_POINTS));
            queue.add(Series.timeline(m.policy(), r.timeline(), p -> p.queued(), ax.start, ax.end, ax.unit, OVERLAY_POINTS));
            cdf.add(Series.cdf(m.policy(), sortedWaits(r), 1, Series.MAX_POINTS));
        }
        b.append(util.render(W, H)).append(queue.render(W, H));
        b.append("<h2>Waiting times</h2>\n").append(cdf.render(W, H));
        return foot(b);
    }

    private static boolean isBest(double[][] vals, int row, int col, int dir) {
        double v = vals[row][col];
        if (!Double.isFinite(v)) return false;
        for (double[] other : vals) {
            double o = other[col];
            if (Double.isFinite(o) && (dir < 0 ? o < v : o > v)) return false;
        }
        return true;
    }

    private static String cell(int col, double v) {
        return switch (col) {
            case 1, 12 -> Fmt.count((long) v);
            case 2, 3 -> Fmt.percent(v);
            case 4, 5, 6, 7, 10 -> Fmt.duration(v);
            case 8, 9 -> Fmt.fixed(v, 2);
            case 11 -> Fmt.kwh(v);
            case 13 -> Fmt.fixed(v, 2);
            default -> Fmt.fixed(v, 0);
        };
    }

    private static List<String[]> rows(Metrics m) {
        List<String[]> out = new ArrayList<>();
        out.add(new String[] {"jobs", Fmt.count(m.jobs())});
        out.add(new String[] {"utilisation (cores)", Fmt.percent(m.utilization())});
        if (m.machineGpus() > 0) out.add(new String[] {"utilisation (GPUs)", Fmt.percent(m.gpuUtilization())});
        out.add(new String[] {"wait mean / median", Fmt.duration(m.waitMean()) + " / " + Fmt.duration(m.waitMedian())});
        out.add(new String[] {"wait p95 / max", Fmt.duration(m.waitP95()) + " / " + Fmt.duration(m.waitMax())});
        out.add(new String[] {"bounded slowdown mean / p95 (τ = 10 s)",
                Fmt.fixed(m.boundedSlowdownMean(), 2) + " / " + Fmt.fixed(m.boundedSlowdownP95(), 2)});
        out.add(new String[] {"makespan (first submit to last end)", Fmt.duration(m.makespan()) + " (" + Fmt.count(m.makespan()) + " s)"});
        out.add(new String[] {"energy", Fmt.kwh(m.energyKwh()) + " kWh (idle " + Fmt.kwh(m.idleEnergyJoules() / 3.6e6)
                + ", jobs " + Fmt.kwh(m.dynamicEnergyJoules() / 3.6e6) + ")"});
        out.add(new String[] {"jobs killed at their time limit", Fmt.count(m.timeouts())});
        out.add(new String[] {"replay", Fmt.fixed(m.simSeconds(), 2) + " s, " + Fmt.fixed(m.jobsPerSecond(), 0) + " jobs/s, "
                + Fmt.count(m.passes()) + " passes"});
        return out;
    }

    private static void notes(StringBuilder b, TraceInfo t) {
        b.append("<h2>Input</h2>\n<p>").append(Fmt.html(t.name()));
        if (t.records() > 0) b.append(": ").append(Fmt.count(t.records())).append(" records read");
        if (t.skipped() > 0) b.append(", ").append(Fmt.count(t.skipped())).append(" skipped as invalid");
        if (t.parseSeconds() > 0) b.append(", read in ").append(Fmt.fixed(t.parseSeconds(), 2)).append(" s");
        b.append("</p>\n");
        if (!t.notes().isEmpty()) {
            b.append("<ul class=\"notes\">\n");
            for (String n : t.notes()) b.append("<li>").append(Fmt.html(n)).append("</li>\n");
            b.append("</ul>\n");
        }
    }

    private static void users(StringBuilder b, Metrics m) {
        if (m.users().isEmpty()) return;
        boolean gpu = m.machineGpus() > 0;
        b.append("<h2>Largest users</h2>\n<table class=\"cmp\"><tr><th>user</th><th>jobs</th><th>mean wait</th><th>core share</th>");
        if (gpu) b.append("<th>GPU share</th>");
        b.append("</tr>\n");
        int shown = Math.min(20, m.users().size());
        for (int i = 0; i < shown; i++) {
            Metrics.UserStats u = m.users().get(i);
            b.append("<tr><td>").append(Fmt.html(u.user())).append("</td><td>").append(Fmt.count(u.jobs())).append("</td><td>")
                    .append(Fmt.duration(u.waitMean())).append("</td><td>").append(bar(u.coreShare())).append("</td>");
            if (gpu) b.append("<td>").append(bar(u.gpuShare())).append("</td>");
            b.append("</tr>\n");
        }
        b.append("</table>\n");
        if (m.users().size() > shown) {
            b.append("<p class=\"sub\">").append(m.users().size() - shown).append(" more users in metrics.json</p>\n");
        }
    }

    private static String bar(double share) {
        int w = (int) Math.round(Math.max(0, Math.min(1, share)) * 120);
        return "<span class=\"bar\" style=\"width:" + w + "px\"></span> " + Fmt.percent(share);
    }

    private static long[] sortedWaits(SimulationResult r) {
        long[] w = new long[r.jobs().size()];
        int i = 0;
        for (JobResult j : r.jobs()) w[i++] = j.waitTime();
        Arrays.sort(w);
        return w;
    }

    private static double frac(long x, long total) {
        return total > 0 ? (double) x / total : 0;
    }

    /** The time axis: days (or hours for spans under two days) since the first submit. */
    private record Axis(long start, long end, double unit, String label) {
        static Axis of(Metrics m) { return of(List.of(m)); }

        static Axis of(List<Metrics> ms) {
            long s = Long.MAX_VALUE, e = Long.MIN_VALUE;
            for (Metrics m : ms) {
                if (m.jobs() == 0) continue;
                s = Math.min(s, m.firstSubmit());
                e = Math.max(e, m.lastEnd());
            }
            if (s == Long.MAX_VALUE) { s = 0; e = 1; }
            if (e <= s) e = s + 1;
            boolean days = e - s >= 2 * 86400;
            return new Axis(s, e, days ? 86400 : 3600, days ? "days since the first submit" : "hours since the first submit");
        }
    }

    private static StringBuilder head(String title) {
        StringBuilder b = new StringBuilder(1 << 16);
        b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").append(Fmt.html(title))
                .append("</title>\n<style>\n")
                .append("body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:960px;color:#222}\n")
                .append("h1{font-size:22px;margin-bottom:2px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}\n")
                .append(".sub{color:#666;margin-top:2px}table{border-collapse:collapse}td,th{padding:3px 10px;text-align:left}\n")
                .append("table.kv th{font-weight:normal;color:#555}table.cmp th{border-bottom:1px solid #bbb;font-size:12px}\n")
                .append("table.cmp td{border-bottom:1px solid #eee;font-variant-numeric:tabular-nums}td.best{font-weight:bold}\n")
                .append(".bar{display:inline-block;height:9px;background:#1f77b4;vertical-align:middle}\n")
                .append("svg.chart{display:block;margin:12px 0}svg .t{font-size:14px;font-weight:600}svg .g{stroke:#eee}\n")
                .append("svg .a{stroke:#888}svg .xl{font-size:11px;text-anchor:middle;fill:#444}svg .yl{font-size:11px;text-anchor:end;fill:#444}\n")
                .append("svg .lg{font-size:12px;fill:#222}ul.notes{color:#444}\n")
                .append("</style>\n</head>\n<body>\n");
        return b;
    }

    private static String foot(StringBuilder b) {
        return b.append("<p class=\"sub\">Generated by Bottega sim. Self-contained: no script, no external file.</p>\n</body>\n</html>\n")
                .toString();
    }
}
