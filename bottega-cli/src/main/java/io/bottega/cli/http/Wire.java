package io.bottega.cli.http;

import io.bottega.api.ArraySpec;
import io.bottega.api.Dependency;
import io.bottega.api.JobSubmission;
import io.bottega.api.JobView;
import io.bottega.api.NodeView;
import io.bottega.api.PartitionView;
import io.bottega.api.StepView;
import io.bottega.api.json.JsonWriter;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The API's wire records in JSON, written and read by hand rather than by reflection: the controller's Jackson
 * names every member after its record component (camelCase), and so does this class (a test holds the two
 * together). Members this client does not know are skipped, missing ones take the record's "not set" value.
 */
public final class Wire {
    private Wire() {}

    // ---------------------------------------------------------------------------------------- JobSubmission

    /** A submission as {@code POST /api/v1/jobs} takes it. */
    public static String submission(JobSubmission s) {
        JsonWriter w = new JsonWriter(new StringBuilder(s.script().length() + 4096), false);
        w.beginObject();
        w.field("script", s.script());
        w.field("scriptPath", s.scriptPath());
        strings(w.name("scriptArgs"), s.scriptArgs());
        w.field("wrap", s.wrap());
        w.field("submitDir", s.submitDir());
        w.field("workDir", s.workDir());
        w.name("environment").beginObject();
        for (Map.Entry<String, String> e : s.environment().entrySet()) w.field(e.getKey(), e.getValue());
        w.endObject();
        w.field("export", s.export());
        w.field("jobName", s.jobName());
        w.field("account", s.account());
        w.field("partition", s.partition());
        w.field("qos", s.qos());
        w.field("reservation", s.reservation());
        w.field("comment", s.comment());
        w.field("timeLimit", s.timeLimit());
        w.field("timeMin", s.timeMin());
        w.field("beginTime", s.beginTime());
        w.field("deadline", s.deadline());
        w.field("nodesMin", s.nodesMin());
        w.field("nodesMax", s.nodesMax());
        w.field("ntasks", s.ntasks());
        w.field("ntasksPerNode", s.ntasksPerNode());
        w.field("cpusPerTask", s.cpusPerTask());
        w.field("threadsPerCore", s.threadsPerCore());
        w.field("memPerNodeMb", s.memPerNodeMb());
        w.field("memPerCpuMb", s.memPerCpuMb());
        w.field("memPerGpuMb", s.memPerGpuMb());
        w.field("gpus", s.gpus());
        w.field("gpusPerNode", s.gpusPerNode());
        w.field("gpusPerTask", s.gpusPerTask());
        w.field("cpusPerGpu", s.cpusPerGpu());
        w.field("ntasksPerGpu", s.ntasksPerGpu());
        w.field("gpuType", s.gpuType());
        strings(w.name("constraints"), s.constraints());
        w.field("exclusive", s.exclusive());
        w.field("nodeList", s.nodeList());
        w.field("excludeNodes", s.excludeNodes());
        w.field("hint", s.hint());
        w.field("distribution", s.distribution());
        w.field("switches", s.switches());
        w.field("switchesMaxWait", s.switchesMaxWait());
        w.field("stdoutPath", s.stdoutPath());
        w.field("stderrPath", s.stderrPath());
        w.field("stdinPath", s.stdinPath());
        w.field("openMode", s.openMode());
        w.field("array", s.array());
        ArraySpec a = s.arraySpec();
        w.name("arraySpec").beginObject();
        w.name("taskIds").beginArray();
        for (int id : a.taskIds()) w.value(id);
        w.endArray();
        w.field("maxConcurrent", a.maxConcurrent());
        w.endObject();
        w.field("dependency", s.dependency());
        w.name("dependencies").beginArray();
        for (Dependency d : s.dependencies()) {
            w.beginObject().field("type", d.type().name()).field("jobId", d.jobId()).field("delaySeconds", d.delaySeconds()).endObject();
        }
        w.endArray();
        w.field("dependencyAnyOf", s.dependencyAnyOf());
        w.field("killOnInvalidDep", s.killOnInvalidDep());
        w.field("hold", s.hold());
        w.field("nice", s.nice());
        w.field("priority", s.priority());
        w.field("requeue", s.requeue());
        strings(w.name("mailType"), s.mailType());
        w.field("mailUser", s.mailUser());
        w.field("signal", s.signal());
        w.field("signalSeconds", s.signalSeconds());
        w.field("signalFlags", s.signalFlags());
        w.field("getUserEnv", s.getUserEnv());
        w.field("propagate", s.propagate());
        w.field("uid", s.uid());
        w.field("gid", s.gid());
        w.field("interactive", s.interactive());
        w.endObject();
        return w.toString();
    }

    private static void strings(JsonWriter w, List<String> values) {
        w.beginArray();
        for (String v : values) w.value(v);
        w.endArray();
    }

    // ---------------------------------------------------------------------------------------------- JobView

    /** A list of jobs, or one job (what {@code GET /jobs/{id}} answers), as a list. */
    public static List<JobView> jobViews(JsonIn in) {
        return jobViews(in, true);
    }

    /**
     * A list of jobs, or one job, as a list; without {@code paths}, the working directory, command and output
     * paths are skipped rather than read (they are most of a job's bytes), and read as "".
     */
    public static List<JobView> jobViews(JsonIn in, boolean paths) {
        List<JobView> out = new ArrayList<>();
        if (in.peekObject()) {
            out.add(jobView(in, paths));
        } else {
            in.beginArray();
            while (in.nextElement()) out.add(jobView(in, paths));
        }
        in.expectEnd();
        return out;
    }

    public static JobView jobView(JsonIn in) {
        return jobView(in, true);
    }

    /** Below this many bytes, one thread reads a list of jobs. */
    private static final int PARALLEL_BYTES = 1 << 20;

    /**
     * The jobs of an answer, as {@link #jobViews(JsonIn, boolean)}; a long list (10,000 jobs are 8 MB) is read by
     * several threads, each a slice. Slices are cut where the text reads {@code },{"}, which outside a string is
     * the boundary between two objects and inside a string cannot occur (a '"' there is escaped); a slice is
     * used only if its reader, from a boundary, ends exactly at the next one; otherwise the whole list is read
     * again by one thread.
     */
    public static List<JobView> jobViews(Response r, boolean paths) {
        byte[] b = r.bytes();
        int off = r.offset();
        int end = off + r.length();
        int parts = Math.min(4, Math.min(Runtime.getRuntime().availableProcessors(), r.length() / PARALLEL_BYTES));
        if (parts <= 1 || !r.json().peekArray()) return jobViews(r.json(), paths);
        int[] cuts = new int[parts + 1]; // cuts[k]: where slice k's first object starts; cuts[parts] = end
        int found = 1;
        for (int k = 1; k < parts; k++) {
            int c = boundaryAfter(b, Math.max(off + (int) ((long) r.length() * k / parts), cuts[found - 1] + 1), end);
            if (c < 0) break;
            cuts[found++] = c;
        }
        if (found == 1) return jobViews(r.json(), paths);
        cuts[found] = end;
        Slice[] slices = new Slice[found];
        Thread[] workers = new Thread[found];
        for (int k = 1; k < found; k++) {
            slices[k] = new Slice(b, cuts[k], end, k + 1 < found ? cuts[k + 1] - 1 : -1, paths);
            workers[k] = new Thread(slices[k], "jobs-slice-" + k);
            workers[k].start();
        }
        JsonIn in = r.json();
        in.beginArray();
        List<JobView> first = new ArrayList<>();
        boolean ok = readSlice(in, first, cuts[1] - 1, paths);
        List<JobView> out = first;
        for (int k = 1; k < found; k++) {
            try {
                workers[k].join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while reading the jobs", e);
            }
            ok &= slices[k].ok;
            if (ok) out.addAll(slices[k].jobs);
        }
        return ok ? out : jobViews(r.json(), paths);
    }

    /** Reads elements until the reader stands at {@code stop} (-1: until the array ends); false if it does not. */
    private static boolean readSlice(JsonIn in, List<JobView> out, int stop, boolean paths) {
        try {
            while (in.nextElement()) {
                out.add(jobView(in, paths));
                int at = in.position();
                if (stop >= 0 && at >= stop) return at == stop;
            }
            in.expectEnd();
            return stop < 0;
        } catch (JsonIn.Malformed e) {
            return false;
        }
    }

    /** The index of the '{' of the next {@code },{"} at or after {@code from}; -1 if none. */
    private static int boundaryAfter(byte[] b, int from, int end) {
        for (int i = from; i + 3 < end; i++) {
            if (b[i] == '}' && b[i + 1] == ',' && b[i + 2] == '{' && b[i + 3] == '"') return i + 2;
        }
        return -1;
    }

    private static final class Slice implements Runnable {
        private final byte[] b;
        private final int from;
        private final int end;
        private final int stop;
        private final boolean paths;
        final List<JobView> jobs = new ArrayList<>();
        boolean ok;

        Slice(byte[] b, int from, int end, int stop, boolean paths) {
            this.b = b;
            this.from = from;
            this.end = end;
            this.stop = stop;
            this.paths = paths;
        }

        @Override
        public void run() {
            ok = readSlice(JsonIn.insideArray(b, from, end), jobs, stop, paths);
        }
    }

    private static JobView jobView(JsonIn in, boolean paths) {
        long id = 0, arrayJobId = 0, submitTime = 0, eligibleTime = 0, startTime = 0, endTime = 0, predictedStart = 0;
        long timeLimit = 0, memMb = 0, priority = 0, elapsed = 0, energy = 0;
        int arrayTaskId = -1, nodesRequested = 0, nodeCount = 0, cpus = 0, gpus = 0, exitCode = 0, exitSignal = 0;
        String arrayTasks = "", name = "", user = "", account = "", partition = "", qos = "", state = "", reason = "";
        String nodeList = "", schedNodes = "", workDir = "", command = "", stdoutPath = "", stderrPath = "";
        String tresPerNode = "", dependency = "", comment = "", reservation = "";
        in.beginObject();
        for (String k; (k = in.nextKey()) != null; ) {
            switch (k) {
                case "id" -> id = in.longValue();
                case "arrayJobId" -> arrayJobId = in.longValue();
                case "arrayTaskId" -> arrayTaskId = in.intValue();
                case "arrayTasks" -> arrayTasks = in.string();
                case "name" -> name = in.string();
                case "user" -> user = in.string();
                case "account" -> account = in.string();
                case "partition" -> partition = in.string();
                case "qos" -> qos = in.string();
                case "state" -> state = in.string();
                case "reason" -> reason = in.string();
                case "submitTime" -> submitTime = in.longValue();
                case "eligibleTime" -> eligibleTime = in.longValue();
                case "startTime" -> startTime = in.longValue();
                case "endTime" -> endTime = in.longValue();
                case "predictedStart" -> predictedStart = in.longValue();
                case "timeLimit" -> timeLimit = in.longValue();
                case "nodesRequested" -> nodesRequested = in.intValue();
                case "nodeCount" -> nodeCount = in.intValue();
                case "cpus" -> cpus = in.intValue();
                case "gpus" -> gpus = in.intValue();
                case "memMb" -> memMb = in.longValue();
                case "nodeList" -> nodeList = in.string();
                case "schedNodes" -> schedNodes = in.string();
                case "workDir" -> workDir = paths ? in.string() : skip(in);
                case "command" -> command = paths ? in.string() : skip(in);
                case "stdoutPath" -> stdoutPath = paths ? in.string() : skip(in);
                case "stderrPath" -> stderrPath = paths ? in.string() : skip(in);
                case "tresPerNode" -> tresPerNode = in.string();
                case "priority" -> priority = in.longValue();
                case "exitCode" -> exitCode = in.intValue();
                case "exitSignal" -> exitSignal = in.intValue();
                case "dependency" -> dependency = in.string();
                case "comment" -> comment = in.string();
                case "reservation" -> reservation = in.string();
                case "elapsed" -> elapsed = in.longValue();
                case "energyJoules" -> energy = in.longValue();
                default -> in.skipValue();
            }
        }
        return new JobView(id, arrayJobId, arrayTaskId, arrayTasks, name, user, account, partition, qos, state, reason,
                submitTime, eligibleTime, startTime, endTime, predictedStart, timeLimit, nodesRequested, nodeCount, cpus,
                gpus, memMb, nodeList, schedNodes, workDir, command, stdoutPath, stderrPath, tresPerNode, priority,
                exitCode, exitSignal, dependency, comment, reservation, elapsed, energy);
    }

    private static String skip(JsonIn in) {
        in.skipValue();
        return "";
    }

    // --------------------------------------------------------------------------------------------- StepView

    /** A list of steps ({@code GET /accounting/steps}, {@code GET /jobs/{id}/steps}), or one step, as a list. */
    public static List<StepView> stepViews(JsonIn in) {
        List<StepView> out = new ArrayList<>();
        if (in.peekObject()) {
            out.add(stepView(in));
        } else {
            in.beginArray();
            while (in.nextElement()) out.add(stepView(in));
        }
        in.expectEnd();
        return out;
    }

    public static StepView stepView(JsonIn in) {
        long jobId = 0, startTime = 0, endTime = 0, elapsed = 0;
        int stepId = 0, nodeCount = 0, ntasks = 0, cpus = 0, gpus = 0, exitCode = 0, exitSignal = 0;
        String name = "", state = "", user = "", nodeList = "", tasksPerNode = "", reason = "";
        in.beginObject();
        for (String k; (k = in.nextKey()) != null; ) {
            switch (k) {
                case "jobId" -> jobId = in.longValue();
                case "stepId" -> stepId = in.intValue();
                case "name" -> name = in.string();
                case "state" -> state = in.string();
                case "user" -> user = in.string();
                case "nodeList" -> nodeList = in.string();
                case "nodeCount" -> nodeCount = in.intValue();
                case "ntasks" -> ntasks = in.intValue();
                case "tasksPerNode" -> tasksPerNode = in.string();
                case "cpus" -> cpus = in.intValue();
                case "gpus" -> gpus = in.intValue();
                case "startTime" -> startTime = in.longValue();
                case "endTime" -> endTime = in.longValue();
                case "elapsed" -> elapsed = in.longValue();
                case "exitCode" -> exitCode = in.intValue();
                case "exitSignal" -> exitSignal = in.intValue();
                case "reason" -> reason = in.string();
                default -> in.skipValue();
            }
        }
        return new StepView(jobId, stepId, name, state, user, nodeList, nodeCount, ntasks, tasksPerNode, cpus, gpus, startTime,
                endTime, elapsed, exitCode, exitSignal, reason);
    }

    // --------------------------------------------------------------------------------------------- NodeView

    public static List<NodeView> nodeViews(JsonIn in) {
        List<NodeView> out = new ArrayList<>();
        if (in.peekObject()) {
            out.add(nodeView(in));
        } else {
            in.beginArray();
            while (in.nextElement()) out.add(nodeView(in));
        }
        in.expectEnd();
        return out;
    }

    public static NodeView nodeView(JsonIn in) {
        String name = "", state = "", reason = "", gpuType = "", group = "";
        List<String> partitions = List.of(), features = List.of();
        int cpus = 0, cpusAlloc = 0, gpus = 0, gpusAlloc = 0;
        long memMb = 0, memAllocMb = 0;
        in.beginObject();
        for (String k; (k = in.nextKey()) != null; ) {
            switch (k) {
                case "name" -> name = in.string();
                case "state" -> state = in.string();
                case "reason" -> reason = in.string();
                case "partitions" -> partitions = in.stringList();
                case "cpus" -> cpus = in.intValue();
                case "cpusAlloc" -> cpusAlloc = in.intValue();
                case "memMb" -> memMb = in.longValue();
                case "memAllocMb" -> memAllocMb = in.longValue();
                case "gpus" -> gpus = in.intValue();
                case "gpusAlloc" -> gpusAlloc = in.intValue();
                case "gpuType" -> gpuType = in.string();
                case "features" -> features = in.stringList();
                case "group" -> group = in.string();
                default -> in.skipValue();
            }
        }
        return new NodeView(name, state, reason, partitions, cpus, cpusAlloc, memMb, memAllocMb, gpus, gpusAlloc, gpuType,
                features, group);
    }

    // ---------------------------------------------------------------------------------------- PartitionView

    public static List<PartitionView> partitionViews(JsonIn in) {
        List<PartitionView> out = new ArrayList<>();
        in.beginArray();
        while (in.nextElement()) out.add(partitionView(in));
        in.expectEnd();
        return out;
    }

    public static PartitionView partitionView(JsonIn in) {
        String name = "", state = "", nodeList = "";
        boolean isDefault = false;
        long timeLimit = 0, defaultTime = 0;
        int maxNodesPerJob = 0, nodes = 0, cpus = 0, gpus = 0, nodesIdle = 0, nodesAlloc = 0, nodesMix = 0, nodesOther = 0;
        in.beginObject();
        for (String k; (k = in.nextKey()) != null; ) {
            switch (k) {
                case "name" -> name = in.string();
                case "isDefault", "default" -> isDefault = in.bool();
                case "state" -> state = in.string();
                case "timeLimit" -> timeLimit = in.longValue();
                case "defaultTime" -> defaultTime = in.longValue();
                case "maxNodesPerJob" -> maxNodesPerJob = in.intValue();
                case "nodes" -> nodes = in.intValue();
                case "nodeList" -> nodeList = in.string();
                case "cpus" -> cpus = in.intValue();
                case "gpus" -> gpus = in.intValue();
                case "nodesIdle" -> nodesIdle = in.intValue();
                case "nodesAlloc" -> nodesAlloc = in.intValue();
                case "nodesMix" -> nodesMix = in.intValue();
                case "nodesOther" -> nodesOther = in.intValue();
                default -> in.skipValue();
            }
        }
        return new PartitionView(name, isDefault, state, timeLimit, defaultTime, maxNodesPerJob, nodes, nodeList, cpus, gpus,
                nodesIdle, nodesAlloc, nodesMix, nodesOther);
    }
}
