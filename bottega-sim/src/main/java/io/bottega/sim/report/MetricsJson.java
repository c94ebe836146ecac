package io.bottega.sim.report;

import io.bottega.sim.metrics.Metrics;

/**
 * {@code metrics.json}: the figures of one replay, hand-written JSON (snake_case keys; NaN as null).
 * Keys: policy, cluster, trace, jobs, utilization, gpu_utilization, wait_mean, wait_median, wait_p95, wait_max,
 * bounded_slowdown_mean, bounded_slowdown_p95, makespan, first_submit, last_end, energy_j, energy_kwh,
 * idle_energy_j, dynamic_energy_j, sim_seconds, jobs_per_second, passes, timeouts, machine_cores, machine_gpus,
 * trace_format, trace_records, skipped, parse_seconds, notes, users (jobs, wait_mean, core_seconds, gpu_seconds,
 * core_share, gpu_share).
 */
public final class MetricsJson {
    private MetricsJson() {}

    public static String of(Metrics m, TraceInfo t) {
        StringBuilder b = new StringBuilder(4096);
        b.append("{\n");
        str(b, "policy", m.policy());
        str(b, "cluster", m.cluster());
        str(b, "trace", m.trace());
        num(b, "jobs", m.jobs());
        num(b, "utilization", m.utilization());
        num(b, "gpu_utilization", m.gpuUtilization());
        num(b, "wait_mean", m.waitMean());
        num(b, "wait_median", m.waitMedian());
        num(b, "wait_p95", m.waitP95());
        num(b, "wait_max", m.waitMax());
        num(b, "bounded_slowdown_mean", m.boundedSlowdownMean());
        num(b, "bounded_slowdown_p95", m.boundedSlowdownP95());
        num(b, "makespan", m.makespan());
        num(b, "first_submit", m.firstSubmit());
        num(b, "last_end", m.lastEnd());
        num(b, "energy_j", m.energyJoules());
        num(b, "energy_kwh", m.energyKwh());
        num(b, "idle_energy_j", m.idleEnergyJoules());
        num(b, "dynamic_energy_j", m.dynamicEnergyJoules());
        num(b, "sim_seconds", m.simSeconds());
        num(b, "jobs_per_second", m.jobsPerSecond());
        num(b, "passes", m.passes());
        num(b, "timeouts", m.timeouts());
        num(b, "machine_cores", m.machineCores());
        num(b, "machine_gpus", m.machineGpus());
        str(b, "trace_format", t.format());
        num(b, "trace_records", t.records());
        num(b, "skipped", t.skipped());
        num(b, "parse_seconds", t.parseSeconds());
        b.append("  \"notes\": [");
        for (int i = 0; i < t.notes().size(); i++) {
            b.append(i == 0 ? "\n    " : ",\n    ").append(Fmt.jsonString(t.notes().get(i)));
        }
        b.append(t.notes().isEmpty() ? "],\n" : "\n  ],\n");
        b.append("  \"users\": [");
        for (int i = 0; i < m.users().size(); i++) {
            Metrics.UserStats u = m.users().get(i);
            b.append(i == 0 ? "\n    " : ",\n    ").append("{\"user\": ").append(Fmt.jsonString(u.user()))
                    .append(", \"jobs\": ").append(u.jobs())
                    .append(", \"wait_mean\": ").append(Fmt.json(u.waitMean()))
                    .append(", \"core_seconds\": ").append(Fmt.json(u.coreSeconds()))
                    .append(", \"gpu_seconds\": ").append(Fmt.json(u.gpuSeconds()))
                    .append(", \"core_share\": ").append(Fmt.json(u.coreShare()))
                    .append(", \"gpu_share\": ").append(Fmt.json(u.gpuShare())).append('}');
        }
        b.append(m.users().isEmpty() ? "]\n" : "\n  ]\n");
        return b.append("}\n").toString();
    }

    private static void str(StringBuilder b, String k, String v) {
        b.append("  \"").append(k).append("\": ").append(Fmt.jsonString(v)).append(",\n");
    }

    private static void num(StringBuilder b, String k, double v) {
        b.append("  \"").append(k).append("\": ").append(Fmt.json(v)).append(",\n");
    }
}
