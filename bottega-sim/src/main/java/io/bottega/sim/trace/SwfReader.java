package io.bottega.sim.trace;

import io.bottega.core.model.Cluster;
import io.bottega.core.model.JobSpec;
import io.bottega.core.model.NodeSpec;
import io.bottega.core.model.Partition;
import io.bottega.core.model.PowerModel;
import io.bottega.core.model.ResourceRequest;
import io.bottega.sim.SimJob;
import io.bottega.sim.Workload;
import io.bottega.sim.util.TextFiles;

import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.zip.ZipException;

/**
 * Reads a Standard Workload Format trace (plain or gzip) into a {@link Workload}, following
 * {@code specs/swf-replay.md}:
 * <ul>
 *   <li>processors = field 5 (allocated) when &gt; 0, else field 8 (requested);</li>
 *   <li>run time = field 4; estimate (the job's time limit) = field 9 when &gt; 0, else the run time; the
 *       simulator runs a job for {@code min(run, estimate)}. A job with run time 0 and no estimate gets a
 *       time limit of 1 s (a time limit must be positive) and keeps its run time of 0;</li>
 *   <li>invalid, and skipped and counted only with {@link #skipInvalid(boolean) skipInvalid} (otherwise an
 *       error naming file and line): a line that is not 18 numbers, run time &lt; 0, processors &le; 0, a
 *       job wider than the machine, a negative submit time, a job number seen before. Cancelled jobs
 *       (status 5) with a run time &ge; 0 are replayed like any other;</li>
 *   <li>the machine: {@code MaxProcs} from the header, else {@code MaxNodes}, else the widest job,
 *       processors in one node without core binding, memory or GPUs, one partition {@code batch} without a
 *       time limit; each job asks for {@link ResourceRequest#processors(int) processors(n)};</li>
 *   <li>with {@link #cluster(Cluster) a cluster} instead, jobs are mapped by a {@link SwfJobMapping} onto its
 *       default partition, a job that can never fit there is invalid, and an estimate above the partition's
 *       maximum time is cut to that maximum (and counted in the notes);</li>
 *   <li>users {@code u<user id>}, accounts {@code g<group id>} ({@code unknown} for -1); jobs in order of
 *       submit time, then job number.</li>
 * </ul>
 * Immutable; the {@code with}-style setters return a new reader.
 */
public final class SwfReader {
    /** The partition of the SWF machine. */
    public static final String PARTITION = "batch";
    /** The one node of the SWF machine. */
    public static final String NODE = "machine";

    private final boolean skipInvalid;
    private final Cluster cluster;
    private final SwfJobMapping mapping;

    public SwfReader() {
        this(false, null, SwfJobMapping.PACKED);
    }

    private SwfReader(boolean skipInvalid, Cluster cluster, SwfJobMapping mapping) {
        this.skipInvalid = skipInvalid;
        this.cluster = cluster;
        this.mapping = mapping;
    }

    public SwfReader skipInvalid(boolean skip) { return new SwfReader(skip, cluster, mapping); }

    /** Replays on {@code c} instead of the trace's own machine. */
    public SwfReader cluster(Cluster c) { return new SwfReader(skipInvalid, c, mapping); }

    public SwfReader mapping(SwfJobMapping m) { return new SwfReader(skipInvalid, cluster, m); }

    public LoadedTrace read(Path file) throws IOException {
        try (BufferedReader in = TextFiles.open(file)) {
            return read(in, file.toString(), TextFiles.baseName(file, ".swf"));
        }
    }

    /** Reads from {@code in}; {@code source} names it in messages, {@code name} names the workload. */
    public LoadedTrace read(BufferedReader in, String source, String name) throws IOException {
        long t0 = System.nanoTime();
        SkipLog skips = new SkipLog(source, skipInvalid);
        Map<String, List<String>> header = new LinkedHashMap<>();
        Rows rows = new Rows();
        long lineNo = 0, records = 0;
        String line;
        try {
            while ((line = in.readLine()) != null) {
                lineNo++;
                int i = 0, n = line.length();
                while (i < n && Character.isWhitespace(line.charAt(i))) i++;
                if (i == n) continue;
                if (line.charAt(i) == ';') {
                    headerLine(line.substring(i + 1), header);
                    continue;
                }
                records++;
                SwfRecord r;
                try {
                    r = SwfRecord.parse(line);
                } catch (IllegalArgumentException e) {
                    skips.invalid(lineNo, "garbled", e.getMessage());
                    continue;
                }
                long procs = r.processors();
                if (r.runTime() < 0) {
                    skips.invalid(lineNo, "run time < 0", "job " + r.jobNumber() + ": field 4 (run time) is " + r.runTime()
                            + " (unknown); the job cannot be replayed");
                } else if (procs <= 0) {
                    skips.invalid(lineNo, "processors <= 0", "job " + r.jobNumber() + ": no processors: field 5 (allocated) is "
                            + r.allocatedProcessors() + " and field 8 (requested) is " + r.requestedProcessors());
                } else if (procs > Integer.MAX_VALUE) {
                    skips.invalid(lineNo, "wider than the machine", "job " + r.jobNumber() + " asks for " + procs + " processors");
                } else if (r.submitTime() < 0) {
                    skips.invalid(lineNo, "submit time < 0", "job " + r.jobNumber() + ": field 2 (submit time) is " + r.submitTime());
                } else if (r.jobNumber() < 0) {
                    skips.invalid(lineNo, "job number < 0", "field 1 (job number) is " + r.jobNumber());
                } else {
                    rows.add(r, (int) procs, lineNo);
                }
            }
        } catch (EOFException | ZipException e) {
            throw new TraceFormatException(source, 0, "the compressed file is truncated or corrupt after line " + lineNo
                    + " (" + e.getMessage() + ")");
        }
        SwfHeader swfHeader = new SwfHeader(header);
        List<String> notes = new ArrayList<>();

        // the machine
        Cluster machine;
        long width;
        String widthWhat;
        Partition part;
        if (swfHeader.maxProcs().isPresent()) {
            width = swfHeader.maxProcs().getAsLong();
            notes.add("machine: " + width + " processors (MaxProcs)");
        } else if (swfHeader.maxNodes().isPresent()) {
            width = swfHeader.maxNodes().getAsLong();
            notes.add("machine: " + width + " processors (MaxNodes; the header has no MaxProcs)");
        } else {
            int widest = 0;
            for (int i = 0; i < rows.size; i++) widest = Math.max(widest, rows.procs[i]);
            width = Math.max(1, widest);
            notes.add("machine: " + width + " processors (the widest job; the header has neither MaxProcs nor MaxNodes)");
        }
        if (width > Integer.MAX_VALUE) throw new TraceFormatException(source, 0, "MaxProcs " + width + " is too large");
        machine = Cluster.builder(name)
                .node(new NodeSpec(NODE, (int) width, 0, 0, "", Set.of(), "default", false, PowerModel.NONE))
                .partitionOfAll(PARTITION, Partition.UNLIMITED, Partition.UNLIMITED, true)
                .build();
        if (cluster != null) {
            part = cluster.defaultPartition();
            width = mapping.capacity(cluster, part);
            widthWhat = "; cluster " + cluster.name() + " (partition " + part.name() + ", mapping " + mapping.describe()
                    + ") holds " + width + " " + mapping.unit();
            notes.add("replayed on cluster " + cluster.name() + ", partition " + part.name() + ", SWF mapping "
                    + mapping.describe());
        } else {
            part = machine.defaultPartition();
            widthWhat = "; the machine has " + width;
        }

        // order: submit time, then job number
        Integer[] order = rows.order();
        JobChecker checker = cluster != null ? new JobChecker(cluster) : null;
        Map<Integer, String> users = new HashMap<>(), groups = new HashMap<>();
        Map<Integer, ResourceRequest> requests = new HashMap<>();
        List<SimJob> jobs = new ArrayList<>(rows.size);
        boolean[] dup = duplicates(rows, skips);
        int noEstimate = 0, zeroLimit = 0, cut = 0, cancelled = 0;
        for (Integer oi : order) {
            int i = oi;
            if (dup[i]) continue;
            int procs = rows.procs[i];
            if (procs > width) {
                skips.invalid(rows.line[i], "wider than the machine", "job " + rows.id[i] + " asks for " + procs
                        + " processors" + widthWhat);
                continue;
            }
            long run = rows.run[i];
            long estimate = rows.reqTime[i] > 0 ? rows.reqTime[i] : run;
            if (rows.reqTime[i] <= 0) noEstimate++;
            long limit = estimate;
            if (limit <= 0) {
                limit = 1;
                zeroLimit++;
            }
            if (limit > part.maxTimeLimit()) {
                limit = part.maxTimeLimit();
                cut++;
            }
            ResourceRequest req = requests.computeIfAbsent(procs,
                    p -> cluster == null ? ResourceRequest.processors(p) : mapping.map(p));
            int uid = rows.user[i], gid = rows.group[i];
            String user = users.computeIfAbsent(uid, u -> u < 0 ? "unknown" : "u" + u);
            String account = groups.computeIfAbsent(gid, g -> g < 0 ? "unknown" : "g" + g);
            JobSpec spec = new JobSpec(rows.id[i], "", user, account, "", "", rows.submit[i], limit, 0, req, "");
            if (checker != null) {
                Optional<String> why = checker.check(spec);
                if (why.isPresent()) {
                    skips.invalid(rows.line[i], "does not fit the cluster", "job " + rows.id[i] + " (" + procs
                            + " processors) can never run on cluster " + cluster.name() + ": " + why.get());
                    continue;
                }
            }
            if (rows.status[i] == 5) cancelled++;
            jobs.add(new SimJob(spec, run, rows.status[i]));
        }

        if (noEstimate > 0) notes.add(noEstimate + " jobs without a requested time (field 9): their estimate is their run time");
        if (zeroLimit > 0) notes.add(zeroLimit + " jobs with run time 0 and no estimate: time limit 1 s, run time 0");
        if (cut > 0) notes.add(cut + " estimates above partition " + part.name() + "'s maximum of " + part.maxTimeLimit()
                + " s were cut to it");
        if (cancelled > 0) notes.add(cancelled + " cancelled jobs (status 5) that ran are replayed like the others");
        String summary = skips.summary();
        if (summary != null) notes.add(summary);
        Workload w = new Workload(name, jobs, Optional.of(machine), skips.count(), skips.notes());
        return new LoadedTrace(name, TraceFormat.SWF, w, Optional.of(swfHeader), notes, records, System.nanoTime() - t0);
    }

    /** {@code Key: value} header comments; other comment lines are ignored. */
    private static void headerLine(String text, Map<String, List<String>> header) {
        int colon = text.indexOf(':');
        if (colon <= 0) return;
        String key = text.substring(0, colon).trim();
        if (key.isEmpty() || key.indexOf(' ') >= 0 || key.indexOf('\t') >= 0) return;
        header.computeIfAbsent(key, k -> new ArrayList<>(1)).add(text.substring(colon + 1).trim());
    }

    /** Rows whose job number an earlier row (in file order) already used: invalid, reported in file order. */
    private static boolean[] duplicates(Rows rows, SkipLog skips) {
        boolean[] dup = new boolean[rows.size];
        long[] sorted = Arrays.copyOf(rows.id, rows.size);
        Arrays.sort(sorted);
        boolean any = false;
        for (int i = 1; i < sorted.length && !any; i++) any = sorted[i] == sorted[i - 1];
        if (!any) return dup;
        Map<Long, Long> firstLine = new HashMap<>();
        for (int i = 0; i < rows.size; i++) {
            Long prev = firstLine.putIfAbsent(rows.id[i], rows.line[i]);
            if (prev != null) {
                dup[i] = true;
                skips.invalid(rows.line[i], "duplicate job number", "job number " + rows.id[i] + " was already used on line " + prev);
            }
        }
        return dup;
    }

    /** The accepted records, in primitive arrays. */
    private static final class Rows {
        int size;
        long[] id = new long[1024], submit = new long[1024], run = new long[1024], reqTime = new long[1024], line = new long[1024];
        int[] procs = new int[1024], status = new int[1024], user = new int[1024], group = new int[1024];

        void add(SwfRecord r, int p, long lineNo) {
            if (size == id.length) grow();
            id[size] = r.jobNumber();
            submit[size] = r.submitTime();
            run[size] = r.runTime();
            reqTime[size] = r.requestedTime();
            line[size] = lineNo;
            procs[size] = p;
            status[size] = r.status();
            user[size] = r.userId();
            group[size] = r.groupId();
            size++;
        }

        private void grow() {
            int n = id.length * 2;
            id = Arrays.copyOf(id, n);
            submit = Arrays.copyOf(submit, n);
            run = Arrays.copyOf(run, n);
            reqTime = Arrays.copyOf(reqTime, n);
            line = Arrays.copyOf(line, n);
            procs = Arrays.copyOf(procs, n);
            status = Arrays.copyOf(status, n);
            user = Arrays.copyOf(user, n);
            group = Arrays.copyOf(group, n);
        }

        /** Row indices by submit time, then job number, then file order. */
        Integer[] order() {
            Integer[] o = new Integer[size];
            boolean sorted = true;
            for (int i = 0; i < size; i++) {
                o[i] = i;
                if (i > 0 && (submit[i] < submit[i - 1] || (submit[i] == submit[i - 1] && id[i] < id[i - 1]))) sorted = false;
            }
            if (!sorted) {
                Arrays.sort(o, (a, b) -> {
                    int c = Long.compare(submit[a], submit[b]);
                    if (c != 0) return c;
                    c = Long.compare(id[a], id[b]);
                    return c != 0 ? c : Integer.compare(a, b);
                });
            }
            return o;
        }
    }
}
