package io.bottega.sim.report;

import io.bottega.core.model.Hostlist;
import io.bottega.sim.JobResult;
import io.bottega.sim.SimulationResult;
import io.bottega.sim.util.Csv;

import java.io.IOException;
import java.io.Writer;
import java.util.List;

/**
 * {@code jobs.csv}: one row per job, in job id order, with a header row. Times in seconds on the trace's clock;
 * {@code state} is Slurm's (COMPLETED, or TIMEOUT when killed at the time limit); {@code node_list} in Slurm
 * hostlist form; {@code energy_j} the job's energy above idle (0 without a power model).
 */
public final class JobsCsv {
    public static final List<String> COLUMNS = List.of("job_id", "user", "account", "partition", "submit", "start", "end", "wait",
            "run_time", "time_limit", "state", "nodes", "tasks", "cores", "gpus", "mem_mb", "node_list", "energy_j");

    private JobsCsv() {}

    /** A plain comma-separated node list in Slurm's compressed form; a hostlist expression is kept as it is. */
    static String hostlist(String nodes) {
        if (nodes.isEmpty() || nodes.indexOf('[') >= 0 || nodes.indexOf(',') < 0) return nodes;
        try {
            return Hostlist.compress(List.of(nodes.split(",")));
        } catch (IllegalArgumentException e) {
            return nodes;
        }
    }

    public static void write(SimulationResult r, Writer out) throws IOException {
        out.write(String.join(",", COLUMNS));
        out.write('\n');
        StringBuilder b = new StringBuilder(160);
        for (JobResult j : r.jobs()) {
            b.setLength(0);
            b.append(j.jobId()).append(',').append(Csv.quote(j.user())).append(',').append(Csv.quote(j.account())).append(',')
                    .append(Csv.quote(j.partition())).append(',').append(j.submit()).append(',').append(j.start()).append(',')
                    .append(j.end()).append(',').append(j.waitTime()).append(',').append(j.runTime()).append(',')
                    .append(j.timeLimit()).append(',').append(j.state().name()).append(',').append(j.nodes()).append(',')
                    .append(j.tasks()).append(',').append(j.cores()).append(',').append(j.gpus()).append(',').append(j.memMb())
                    .append(',').append(Csv.quote(hostlist(j.nodeList()))).append(',');
            double e = j.energyJoules();
            if (e == Math.rint(e) && Math.abs(e) < 1e15) b.append((long) e);
            else b.append(Math.round(e * 10) / 10.0);
            b.append('\n');
            out.append(b);
        }
    }
}
