package io.bottega.sim.trace;

import io.bottega.core.model.Cluster;
import io.bottega.core.model.JobSpec;
import io.bottega.core.model.ResourceRequest;
import io.bottega.sim.SimJob;
import io.bottega.sim.Workload;
import io.bottega.sim.util.Csv;
import io.bottega.sim.util.SlurmTime;
import io.bottega.sim.util.TextFiles;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads Bottega's simple GPU job CSV, one job per line, for a cluster given with {@code --cluster}.
 *
 * <pre>
 * id,user,submit,duration,requested_time,nodes,gpus_per_node[,cores_per_node,mem_per_node_mb,partition,account]
 * 1,alice,0,3600,7200,2,4
 * 2,bob,60,1-00:00:00,1-00:00:00,1,1,8,65536,boost_usr_prod,proj1
 * </pre>
 * <ul>
 *   <li>The header line is required; its columns may come in any order; an unknown column is an error. Blank
 *       lines and lines starting with {@code #} are ignored.</li>
 *   <li>{@code id}: a unique non-negative integer. {@code user}: not empty. {@code submit}: seconds (≥ 0).</li>
 *   <li>{@code duration} (how long the job really runs) and {@code requested_time} (its time limit): plain
 *       integers are <em>seconds</em>; values with {@code :} or {@code -} are Slurm times
 *       ({@code HH:MM:SS}, {@code D-HH:MM:SS}). An empty, 0 or -1 {@code requested_time} means "the duration"
 *       (at least 1 s). A job runs {@code min(duration, requested_time)}.</li>
 *   <li>{@code nodes} (≥ 1) nodes with {@code gpus_per_node} (≥ 0) GPUs each, one task per node with
 *       {@code cores_per_node} cores (default: one core per GPU, at least 1) and {@code mem_per_node_mb}
 *       (default or 0: memory in proportion to the cores, Slurm's DefMemPerCPU).</li>
 *   <li>{@code partition}: default the cluster's default partition. {@code account}: default the user.</li>
 * </ul>
 * A job that can never run on the cluster is invalid (an error, or skipped with {@code skipInvalid}).
 */
public final class GpuJobCsvReader {
    public static final List<String> REQUIRED = List.of("id", "user", "submit", "duration", "requested_time", "nodes", "gpus_per_node");
    public static final List<String> OPTIONAL = List.of("cores_per_node", "mem_per_node_mb", "partition", "account");

    private final boolean skipInvalid;

    public GpuJobCsvReader() { this(false); }

    private GpuJobCsvReader(boolean skipInvalid) { this.skipInvalid = skipInvalid; }

    public GpuJobCsvReader skipInvalid(boolean skip) { return new GpuJobCsvReader(skip); }

    public LoadedTrace read(Path file, Cluster cluster) throws IOException {
        try (BufferedReader in = TextFiles.open(file)) {
            return read(in, file.toString(), TextFiles.baseName(file, ".csv"), cluster);
        }
    }

    public LoadedTrace read(BufferedReader in, String source, String name, Cluster cluster) throws IOException {
        long t0 = System.nanoTime();
        SkipLog skips = new SkipLog(source, skipInvalid);
        String line;
        long lineNo = 0;
        CsvTable t = null;
        while ((line = in.readLine()) != null) {
            lineNo++;
            if (line.isBlank() || line.trim().startsWith("#")) continue;
            t = new CsvTable(Csv.split(line), source, REQUIRED, OPTIONAL, true);
            break;
        }
        if (t == null) throw new TraceFormatException(source, 0, "no header line (expected " + String.join(",", REQUIRED) + ")");
        JobChecker checker = new JobChecker(cluster);
        Map<String, String> strings = new HashMap<>();
        Map<ResourceRequest, ResourceRequest> requests = new HashMap<>();
        Set<Long> ids = new HashSet<>();
        List<SimJob> jobs = new ArrayList<>();
        long records = 0;
        int defaultLimit = 0;
        while ((line = in.readLine()) != null) {
            lineNo++;
            if (line.isBlank() || line.trim().startsWith("#")) continue;
            records++;
            JobSpec spec;
            long duration;
            try {
                List<String> row = Csv.split(line);
                if (row.size() < t.width()) {
                    throw new IllegalArgumentException("expected " + t.width() + " columns, found " + row.size() + " (truncated line?)");
                }
                if (row.size() > t.width()) throw new IllegalArgumentException("expected " + t.width() + " columns, found " + row.size());
                long id = t.number(row, "id");
                if (id < 0) throw new IllegalArgumentException("id " + id + " is negative");
                String user = t.text(row, "user");
                if (user.isEmpty()) throw new IllegalArgumentException("column user is empty");
                long submit = t.number(row, "submit");
                if (submit < 0) throw new IllegalArgumentException("submit " + submit + " is negative");
                duration = time(t.text(row, "duration"), "duration");
                if (duration < 0) throw new IllegalArgumentException("duration " + duration + " is negative");
                String rt = t.text(row, "requested_time");
                long limit = CsvTable.missing(rt) ? -1 : time(rt, "requested_time");
                if (limit <= 0) {
                    limit = Math.max(1, duration);
                    defaultLimit++;
                }
                long nodes = t.number(row, "nodes");
                if (nodes < 1 || nodes > Integer.MAX_VALUE) throw new IllegalArgumentException("nodes " + nodes + " must be at least 1");
                long gpn = t.number(row, "gpus_per_node");
                if (gpn < 0 || gpn > 64) throw new IllegalArgumentException("gpus_per_node " + gpn + " must be 0-64");
                String c = t.text(row, "cores_per_node");
                long cores = CsvTable.missing(c) ? Math.max(1, gpn) : CsvTable.parse(c, "cores_per_node");
                if (cores < 1 || cores > Integer.MAX_VALUE) throw new IllegalArgumentException("cores_per_node " + cores + " must be at least 1");
                String m = t.text(row, "mem_per_node_mb");
                long mem = CsvTable.missing(m) ? 0 : CsvTable.parse(m, "mem_per_node_mb");
                if (mem < 0) throw new IllegalArgumentException("mem_per_node_mb " + mem + " is negative");
                String partition = t.text(row, "partition");
                String account = t.text(row, "account");
                if (account.isEmpty()) account = user;
                if (!ids.add(id)) throw new IllegalArgumentException("job id " + id + " is used twice");
                ResourceRequest req = ResourceRequest.builder().nodes((int) nodes, (int) nodes).tasksPerNode(1)
                        .cpusPerTask((int) cores).gpusPerNode((int) gpn).memPerNodeMb(mem).build();
                req = requests.computeIfAbsent(req, r -> r);
                spec = new JobSpec(id, "", strings.computeIfAbsent(user, k -> k), strings.computeIfAbsent(account, k -> k),
                        strings.computeIfAbsent(partition, k -> k), "", submit, limit, 0, req, "");
            } catch (IllegalArgumentException e) {
                skips.invalid(lineNo, "garbled", e.getMessage());
                continue;
            }
            Optional<String> why = checker.check(spec);
            if (why.isPresent()) {
                skips.invalid(lineNo, "does not fit the cluster", "job " + spec.id() + " can never run on cluster " + cluster.name()
                        + ": " + why.get());
                continue;
            }
            jobs.add(new SimJob(spec, duration, -1));
        }
        jobs.sort(Comparator.comparingLong((SimJob j) -> j.spec().submitTime()).thenComparingLong(SimJob::id));
        List<String> notes = new ArrayList<>();
        notes.add("replayed on cluster " + cluster.name());
        if (defaultLimit > 0) notes.add(defaultLimit + " jobs without a requested_time: their time limit is their duration");
        String summary = skips.summary();
        if (summary != null) notes.add(summary);
        Workload w = new Workload(name, jobs, Optional.empty(), skips.count(), skips.notes());
        return new LoadedTrace(name, TraceFormat.GPUCSV, w, Optional.empty(), notes, records, System.nanoTime() - t0);
    }

    /** Plain integers are seconds; anything with ':' or '-' (after the first character) is Slurm time syntax. */
    static long time(String s, String column) {
        if (s.indexOf(':') >= 0 || s.indexOf('-', 1) >= 0 || s.equalsIgnoreCase("unlimited")) {
            try {
                return SlurmTime.parse(s);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("column " + column + ": " + e.getMessage());
            }
        }
        return CsvTable.parse(s, column);
    }
}
