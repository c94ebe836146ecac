package io.bottega.sim.trace;

import io.bottega.core.model.Cluster;
import io.bottega.core.model.JobSpec;
import io.bottega.core.model.NodeSpec;
import io.bottega.core.model.Partition;
import io.bottega.core.model.PowerModel;
import io.bottega.core.model.ResourceRequest;
import io.bottega.sim.SimJob;
import io.bottega.sim.Workload;
import io.bottega.sim.util.Csv;
import io.bottega.sim.util.TextFiles;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the Alibaba cluster-trace-gpu-v2023 ("OpenB") pod list, with its node list as the machine.
 *
 * <p><b>Machine</b> (node list {@code sn,cpu_milli,memory_mib,gpu,model}): one node per row, named by
 * {@code sn}, with {@code cpu_milli / 1000} cores, {@code memory_mib} MB (Bottega's MB are MiB, as Slurm's),
 * {@code gpu} GPUs of type {@code model}; nodes grouped in file order into network groups of
 * {@link #DEFAULT_GROUP_SIZE} ({@code grp01}, {@code grp02}, ...) since the trace gives no topology; no power
 * model; one partition {@code default} without a time limit. The default node list is
 * {@code ..._node_list_all_node.csv} beside the pod list (all 1,523 nodes: the pods include CPU-only ones).
 *
 * <p><b>Pods</b> ({@code name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,
 * deletion_time,scheduled_time}): each pod is a single-node job of one task with
 * {@code ceil(cpu_milli / 1000)} cores, {@code memory_mib} MB and GPUs:
 * <ul>
 *   <li>{@code num_gpu} whole GPUs when {@code gpu_milli >= 1000} or {@code num_gpu > 1};</li>
 *   <li>a GPU share ({@code num_gpu = 1}, {@code gpu_milli < 1000}) is rounded up to one whole GPU: Bottega
 *       allocates whole GPUs, as Slurm's gres does without MPS or shards. Such pods are counted in the notes;</li>
 *   <li>submit = {@code creation_time}; run time = {@code deletion_time - scheduled_time}; the time limit is the
 *       run time (the trace has none: a perfect estimate), at least 1 s — on a {@code --cluster} machine, at most
 *       its default partition's maximum time (such pods are counted, and killed at that limit);</li>
 *   <li>pods never scheduled ({@code scheduled_time} empty, phase Pending) or without a deletion time are not
 *       replayed: they are counted in the notes (they are not invalid records);</li>
 *   <li>{@code gpu_spec} with one GPU model becomes the job's GPU type; alternatives ({@code A|B}) cannot be
 *       expressed as one gres type and are dropped (counted); on a {@code --cluster} machine it is ignored;</li>
 *   <li>the trace has no users: the pod's {@code qos} class (LS, BE, Burstable, Guaranteed) stands in as the user,
 *       account {@code openb}; the job id is the number in the pod name ({@code openb-pod-0017} → 17).</li>
 * </ul>
 */
public final class AlibabaGpuTraceReader {
    public static final int DEFAULT_GROUP_SIZE = 32;
    public static final String PARTITION = "default";

    private static final List<String> POD_REQUIRED = List.of("name", "cpu_milli", "memory_mib", "num_gpu", "gpu_milli",
            "creation_time", "deletion_time", "scheduled_time");
    private static final List<String> NODE_REQUIRED = List.of("sn", "cpu_milli", "memory_mib", "gpu", "model");

    private final boolean skipInvalid;
    private final Cluster cluster;
    private final int groupSize;

    public AlibabaGpuTraceReader() {
        this(false, null, DEFAULT_GROUP_SIZE);
    }

    private AlibabaGpuTraceReader(boolean skipInvalid, Cluster cluster, int groupSize) {
        this.skipInvalid = skipInvalid;
        this.cluster = cluster;
        this.groupSize = groupSize;
    }

    public AlibabaGpuTraceReader skipInvalid(boolean skip) { return new AlibabaGpuTraceReader(skip, cluster, groupSize); }

    /** Replays on {@code c} instead of the trace's node list. */
    public AlibabaGpuTraceReader cluster(Cluster c) { return new AlibabaGpuTraceReader(skipInvalid, c, groupSize); }

    public AlibabaGpuTraceReader groupSize(int n) {
        if (n <= 0) throw new IllegalArgumentException("group size must be positive");
        return new AlibabaGpuTraceReader(skipInvalid, cluster, n);
    }

    /** The node list beside a pod list: {@code X_pod_list_Y.csv} → {@code X_node_list_all_node.csv}. */
    public static Optional<Path> defaultNodeList(Path pods) {
        String n = pods.getFileName().toString();
        int i = n.indexOf("pod_list");
        if (i < 0) return Optional.empty();
        Path p = pods.resolveSibling(n.substring(0, i) + "node_list_all_node.csv");
        return Files.exists(p) ? Optional.of(p) : Optional.empty();
    }

    /** Reads the pods; {@code nodes} is the node list (ignored when a cluster was given; may then be null). */
    public LoadedTrace read(Path pods, Path nodes) throws IOException {
        Cluster machine = null;
        if (nodes != null) machine = readNodes(nodes);
        else if (cluster == null) {
            nodes = defaultNodeList(pods).orElseThrow(() -> new TraceFormatException(pods.toString(), 0,
                    "no node list given and none found beside it (expected ..._node_list_all_node.csv)"));
            machine = readNodes(nodes);
        }
        try (BufferedReader in = TextFiles.open(pods)) {
            return read(in, pods.toString(), TextFiles.baseName(pods, ".csv"), machine);
        }
    }

    /** The machine of a node list file. */
    public Cluster readNodes(Path nodes) throws IOException {
        try (BufferedReader in = TextFiles.open(nodes)) {
            return readNodes(in, nodes.toString(), TextFiles.baseName(nodes, ".csv"));
        }
    }

    public Cluster readNodes(BufferedReader in, String source, String name) throws IOException {
        long[] at = {0};
        String line = header(in, at);
        if (line == null) throw new TraceFormatException(source, 0, "empty node list");
        CsvTable t = new CsvTable(Csv.split(line), source, NODE_REQUIRED, List.of(), false);
        Cluster.Builder b = Cluster.builder(name);
        long lineNo = at[0];
        int count = 0;
        int groups = 0;
        while ((line = in.readLine()) != null) {
            lineNo++;
            if (skip(line)) continue;
            try {
                List<String> row = Csv.split(line);
                if (row.size() < t.width()) throw new IllegalArgumentException("expected " + t.width() + " columns, found " + row.size());
                String sn = t.text(row, "sn");
                if (sn.isEmpty()) throw new IllegalArgumentException("column sn is empty");
                long milli = t.number(row, "cpu_milli");
                long mem = t.number(row, "memory_mib");
                long gpus = t.number(row, "gpu");
                String model = t.text(row, "model");
                if (CsvTable.missing(model)) model = "";
                if (milli < 1000) throw new IllegalArgumentException("cpu_milli " + milli + " is less than one core");
                if (mem < 0) throw new IllegalArgumentException("memory_mib " + mem + " is negative");
                if (gpus < 0 || gpus > NodeSpec.MAX_GPUS) throw new IllegalArgumentException("gpu " + gpus + " is not 0-" + NodeSpec.MAX_GPUS);
                int g = count / groupSize + 1;
                groups = g;
                b.node(new NodeSpec(sn, (int) (milli / 1000), mem, (int) gpus, gpus > 0 ? model : "", Set.of(),
                        String.format(Locale.ROOT, "grp%02d", g), true, PowerModel.NONE));
                count++;
            } catch (IllegalArgumentException e) {
                if (e instanceof TraceFormatException) throw e;
                throw new TraceFormatException(source, lineNo, e.getMessage());
            }
        }
        if (count == 0) throw new TraceFormatException(source, 0, "the node list has no node");
        b.partitionOfAll(PARTITION, Partition.UNLIMITED, Partition.UNLIMITED, true);
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new TraceFormatException(source, 0, e.getMessage() + " (" + groups + " groups)");
        }
    }

    /** Reads pods from {@code in}, for {@code machine} (the node list's cluster; null when a cluster was given). */
    public LoadedTrace read(BufferedReader in, String source, String name, Cluster machine) throws IOException {
        long t0 = System.nanoTime();
        Cluster target = cluster != null ? cluster : machine;
        if (target == null) throw new IllegalArgumentException("no machine: give a node list or a cluster");
        SkipLog skips = new SkipLog(source, skipInvalid);
        long[] at = {0};
        String line = header(in, at);
        if (line == null) throw new TraceFormatException(source, 0, "empty pod list");
        CsvTable t = new CsvTable(Csv.split(line), source, POD_REQUIRED, List.of(), false);
        JobChecker checker = new JobChecker(target);
        Map<String, String> strings = new HashMap<>();
        Set<Long> ids = new HashSet<>();
        List<SimJob> jobs = new ArrayList<>();
        long lineNo = at[0], records = 0;
        int shares = 0, neverScheduled = 0, noDeletion = 0, multiSpec = 0, specIgnored = 0, cut = 0;
        Partition part = target.defaultPartition();
        while ((line = in.readLine()) != null) {
            lineNo++;
            if (skip(line)) continue;
            records++;
            List<String> row;
            long creation, milli, mem, numGpu, gpuMilli;
            String podName, sched, del;
            try {
                row = Csv.split(line);
                if (row.size() < t.width()) throw new IllegalArgumentException("expected " + t.width() + " columns, found " + row.size()
                        + " (truncated line?)");
                podName = t.text(row, "name");
                if (podName.isEmpty()) throw new IllegalArgumentException("column name is empty");
                milli = t.number(row, "cpu_milli");
                mem = t.number(row, "memory_mib");
                numGpu = t.number(row, "num_gpu");
                gpuMilli = t.number(row, "gpu_milli");
                creation = t.number(row, "creation_time");
                sched = t.text(row, "scheduled_time");
                del = t.text(row, "deletion_time");
                if (milli < 0 || mem < 0 || numGpu < 0 || gpuMilli < 0) {
                    throw new IllegalArgumentException("negative resources (cpu_milli " + milli + ", memory_mib " + mem
                            + ", num_gpu " + numGpu + ", gpu_milli " + gpuMilli + ")");
                }
                if (creation < 0) throw new IllegalArgumentException("creation_time " + creation + " is negative");
            } catch (IllegalArgumentException e) {
                skips.invalid(lineNo, "garbled", e.getMessage());
                continue;
            }
            if (CsvTable.missing(sched)) {
                neverScheduled++;
                continue;
            }
            if (CsvTable.missing(del)) {
                noDeletion++;
                continue;
            }
            long scheduled, deletion;
            try {
                scheduled = CsvTable.parse(sched, "scheduled_time");
                deletion = CsvTable.parse(del, "deletion_time");
            } catch (IllegalArgumentException e) {
                skips.invalid(lineNo, "garbled", e.getMessage());
                continue;
            }
            if (deletion < scheduled) {
                skips.invalid(lineNo, "run time < 0", "pod " + podName + ": deletion_time " + deletion + " is before scheduled_time "
                        + scheduled);
                continue;
            }
            long id = idOf(podName, lineNo);
            if (!ids.add(id)) {
                skips.invalid(lineNo, "duplicate id", "pod " + podName + ": job id " + id + " is already used");
                continue;
            }
            int gpus;
            if (numGpu == 0) gpus = 0;
            else if (numGpu == 1 && gpuMilli < 1000) {
                gpus = 1;
                shares++;
            } else gpus = (int) Math.min(numGpu, Integer.MAX_VALUE);
            String gpuType = "";
            String spec = t.text(row, "gpu_spec");
            if (!CsvTable.missing(spec) && gpus > 0) {
                if (cluster != null) specIgnored++;
                else if (spec.indexOf('|') >= 0) multiSpec++;
                else gpuType = spec;
            }
            int cores = (int) Math.max(1, Math.min(Integer.MAX_VALUE, (milli + 999) / 1000));
            ResourceRequest req = ResourceRequest.builder().nodes(1, 1).tasks(1).cpusPerTask(cores).memPerNodeMb(mem)
                    .gpusPerNode(gpus).gpuType(gpuType).build();
            long run = deletion - scheduled;
            String qos = t.text(row, "qos");
            String user = strings.computeIfAbsent(qos.isEmpty() || CsvTable.missing(qos) ? "unknown" : qos, k -> k);
            long limit = Math.max(1, run);
            if (limit > part.maxTimeLimit()) {
                limit = part.maxTimeLimit();
                cut++;
            }
            JobSpec js = new JobSpec(id, podName, user, "openb", "", "", creation, limit, 0, req, "");
            Optional<String> why = checker.check(js);
            if (why.isPresent()) {
                skips.invalid(lineNo, "does not fit the machine", "pod " + podName + " can never run on " + target.name() + ": " + why.get());
                continue;
            }
            jobs.add(new SimJob(js, run, status(t.text(row, "pod_phase"))));
        }
        jobs.sort(Comparator.comparingLong((SimJob j) -> j.spec().submitTime()).thenComparingLong(SimJob::id));
        List<String> notes = new ArrayList<>();
        if (cluster != null) notes.add("replayed on cluster " + cluster.name());
        else notes.add("machine: " + machine.nodeCount() + " nodes, " + machine.totalCores() + " cores, " + machine.totalGpus()
                + " GPUs from the node list, in network groups of " + groupSize + " nodes in file order");
        if (shares > 0) notes.add(shares + " pods with a GPU share (gpu_milli < 1000) were given one whole GPU");
        if (neverScheduled > 0) notes.add(neverScheduled + " pods never scheduled (no scheduled_time) are not replayed");
        if (noDeletion > 0) notes.add(noDeletion + " pods without a deletion_time are not replayed");
        if (multiSpec > 0) notes.add(multiSpec + " pods allowing several GPU models (gpu_spec A|B) run on any GPU");
        if (specIgnored > 0) notes.add(specIgnored + " pods' gpu_spec ignored on cluster " + cluster.name());
        notes.add("time limit = run time (the trace has no estimates)");
        if (cut > 0) notes.add(cut + " pods running longer than partition " + part.name() + "'s maximum of " + part.maxTimeLimit()
                + " s get that maximum as their time limit (and are killed at it)");
        String summary = skips.summary();
        if (summary != null) notes.add(summary);
        Workload w = new Workload(name, jobs, Optional.ofNullable(machine), skips.count(), skips.notes());
        return new LoadedTrace(name, TraceFormat.ALIBABA, w, Optional.empty(), notes, records, System.nanoTime() - t0);
    }

    /** Blank lines and {@code #} comments (as in test fixtures) are not records. */
    private static boolean skip(String line) {
        return line.isBlank() || line.trim().startsWith("#");
    }

    /** The first line that is not blank or a comment; {@code at[0]} becomes its line number. */
    private static String header(BufferedReader in, long[] at) throws IOException {
        String line;
        while ((line = in.readLine()) != null) {
            at[0]++;
            if (!skip(line)) return line;
        }
        return null;
    }

    /** The trailing number of the pod name ({@code openb-pod-0017} → 17), else the line number. */
    private static long idOf(String podName, long lineNo) {
        int end = podName.length(), i = end;
        while (i > 0 && Character.isDigit(podName.charAt(i - 1))) i--;
        if (i == end || end - i > 15) return lineNo;
        return Long.parseLong(podName.substring(i, end));
    }

    /** SWF-style status: Succeeded 1, Failed 0, others (Running at the trace's end, ...) -1. */
    private static int status(String phase) {
        return switch (phase.toLowerCase(Locale.ROOT)) {
            case "succeeded" -> 1;
            case "failed" -> 0;
            default -> -1;
        };
    }
}
