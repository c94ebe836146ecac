package io.bottega.cli.slurm;

import io.bottega.api.JobView;
import io.bottega.api.NodeView;
import io.bottega.api.PartitionView;
import io.bottega.api.json.JsonWriter;
import io.bottega.api.slurm.FilenamePattern;
import io.bottega.api.slurm.MemorySize;
import io.bottega.api.slurm.SlurmJson;
import io.bottega.api.slurm.SlurmTime;
import io.bottega.cli.http.ApiClient;
import io.bottega.cli.http.ApiException;
import io.bottega.cli.http.Response;
import io.bottega.cli.http.Wire;
import io.bottega.cli.slurm.Getopt.Arg;
import io.bottega.core.model.Hostlist;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code scontrol}: {@code show job|node|partition [NAME]} in Slurm's {@code Key=Value} blocks ({@code -o}: one
 * line each), {@code hold} and {@code release}, {@code update JobId=...} and {@code update NodeName=...},
 * {@code ping} and {@code version}. Keys are case-insensitive. Anything else is Slurm's
 * {@code invalid keyword} error.
 */
final class Scontrol {
    static final String PROG = "scontrol";

    private Scontrol() {}

    private static Getopt options() {
        return new Getopt(PROG)
                .opt("all", 'a', Arg.NONE)
                .opt("details", 'd', Arg.NONE)
                .opt("help", 'h', Arg.NONE)
                .opt("hide", Arg.NONE)
                .opt("json", Arg.OPTIONAL)
                .opt("oneliner", 'o', Arg.NONE)
                .opt("quiet", 'Q', Arg.NONE)
                .opt("usage", Arg.NONE)
                .opt("verbose", 'v', Arg.NONE)
                .opt("version", 'V', Arg.NONE)
                .unsupported("clusters", 'M', Arg.REQUIRED)
                .unsupported("future", 'F', Arg.NONE)
                .unsupported("local", Arg.NONE)
                .unsupported("sibling", Arg.NONE)
                .unsupported("uid", 'u', Arg.REQUIRED)
                .unsupported("yaml", Arg.OPTIONAL);
    }

    /** The options that shape output. */
    private record Flags(boolean oneLiner, boolean json, boolean quiet) {}

    static int run(Io io, String[] argv) {
        Getopt opts = options();
        boolean oneLiner = false, json = false, quiet = false;
        List<String> words;
        try {
            Getopt.Result r = opts.parse(argv, false);
            for (Getopt.Option o : r.options()) {
                switch (o.name()) {
                    case "all", "details", "hide", "verbose" -> { }
                    case "help", "usage" -> {
                        io.out.print(HELP);
                        return 0;
                    }
                    case "json" -> json = true;
                    case "oneliner" -> oneLiner = true;
                    case "quiet" -> quiet = true;
                    case "version" -> {
                        io.out.println(Cli.versionLine());
                        return 0;
                    }
                    default -> throw new IllegalStateException("no handler for --" + o.name());
                }
            }
            words = r.operands();
        } catch (Getopt.UsageError e) {
            return Getopt.report(io, e);
        }
        if (words.isEmpty()) {
            io.err.println(PROG + ": error: no command given (interactive mode is not supported by Bottega: give a command)");
            io.err.print(HELP);
            return 1;
        }
        Flags f = new Flags(oneLiner, json, quiet);
        String cmd = words.get(0).toLowerCase(Locale.ROOT);
        List<String> rest = words.subList(1, words.size());
        try {
            if (matches(cmd, "show", 2)) return show(io, f, rest);
            if (matches(cmd, "hold", 2)) return hold(io, rest, false);
            if (matches(cmd, "release", 3)) return hold(io, rest, true);
            if (matches(cmd, "update", 1)) return update(io, rest);
            if (matches(cmd, "create", 2)) return Reservations.create(io, rest);
            if (matches(cmd, "delete", 2)) return Reservations.delete(io, rest);
            if (matches(cmd, "ping", 2)) return ping(io);
            if (matches(cmd, "version", 2)) {
                io.out.println(Cli.versionLine());
                return 0;
            }
            if (matches(cmd, "help", 2)) {
                io.out.print(HELP);
                return 0;
            }
        } catch (ApiException e) {
            return io.fail(PROG, e.getMessage());
        }
        io.err.println("invalid keyword: " + words.get(0));
        return 1;
    }

    /** {@code word} is {@code name} or a prefix of it at least {@code min} long. */
    private static boolean matches(String word, String name, int min) {
        return word.length() >= min && name.startsWith(word);
    }

    // ------------------------------------------------------------------------------------------- show

    private static int show(Io io, Flags f, List<String> args) throws ApiException {
        if (args.isEmpty()) {
            io.err.println("too few arguments for keyword:show");
            return 1;
        }
        String entity = args.get(0).toLowerCase(Locale.ROOT);
        String name = args.size() > 1 ? args.get(1) : "";
        if (args.size() > 2) {
            io.err.println("too many arguments for keyword:show");
            return 1;
        }
        if (entity.startsWith("jobid=") || entity.startsWith("job=")) {
            name = args.get(0).substring(args.get(0).indexOf('=') + 1);
            entity = "job";
        }
        if (matches(entity, "jobs", 1) || entity.equals("jobid")) return showJobs(io, f, name);
        if (matches(entity, "nodes", 1) || entity.equals("nodename")) return showNodes(io, f, name);
        if (matches(entity, "partitions", 1) || entity.equals("partitionname")) return showPartitions(io, f, name);
        if (matches(entity, "reservations", 3) || entity.equals("reservationname")) return Reservations.show(io, name, f.oneLiner());
        io.err.println("invalid entity:" + args.get(0) + " for keyword:show ");
        return 1;
    }

    private static int showJobs(Io io, Flags f, String id) throws ApiException {
        ApiClient api = io.api();
        List<JobView> jobs;
        if (id.isEmpty()) {
            Response r = api.get("/jobs?finished=true");
            if (!r.ok()) return io.fail(PROG, r.errorMessage());
            jobs = Wire.jobViews(r.json());
        } else {
            try {
                JobIds.parse(id);
            } catch (IllegalArgumentException e) {
                io.err.println("slurm_load_jobs error: Invalid job id specified");
                return 1;
            }
            Response r = api.get("/jobs/" + ApiClient.encode(id));
            if (r.status() == 404) {
                io.err.println("slurm_load_jobs error: Invalid job id specified");
                return 1;
            }
            if (!r.ok()) return io.fail(PROG, r.errorMessage());
            jobs = Wire.jobViews(r.json());
        }
        if (f.json()) {
            io.out.print(SlurmJson.squeue(jobs));
            return 0;
        }
        if (jobs.isEmpty()) {
            io.out.println("No jobs in the system");
            return 0;
        }
        ZoneId zone = io.zone();
        long now = io.nowSeconds();
        for (JobView j : jobs) print(io, f, jobBlock(j, zone, now));
        return 0;
    }

    private static int showNodes(Io io, Flags f, String name) throws ApiException {
        ApiClient api = io.api();
        List<NodeView> nodes;
        if (name.isEmpty()) {
            Response r = api.get("/nodes");
            if (!r.ok()) return io.fail(PROG, r.errorMessage());
            nodes = Wire.nodeViews(r.json());
        } else {
            List<String> names;
            try {
                names = Hostlist.expand(name);
            } catch (IllegalArgumentException e) {
                io.err.println("Node " + name + " not found");
                return 1;
            }
            nodes = new ArrayList<>();
            for (String n : names) {
                Response r = api.get("/nodes/" + ApiClient.encode(n));
                if (r.status() == 404) {
                    io.err.println("Node " + n + " not found");
                    return 1;
                }
                if (!r.ok()) return io.fail(PROG, r.errorMessage());
                nodes.addAll(Wire.nodeViews(r.json()));
            }
        }
        if (f.json()) {
            io.out.print(Sinfo.json(List.of(), nodes));
            return 0;
        }
        if (nodes.isEmpty()) {
            io.out.println("No nodes in the system");
            return 0;
        }
        for (NodeView n : nodes) print(io, f, nodeBlock(n));
        return 0;
    }

    private static int showPartitions(Io io, Flags f, String name) throws ApiException {
        Response r = io.api().get("/partitions");
        if (!r.ok()) return io.fail(PROG, r.errorMessage());
        List<PartitionView> parts = Wire.partitionViews(r.json());
        if (!name.isEmpty()) {
            List<PartitionView> keep = new ArrayList<>();
            for (PartitionView p : parts) if (p.name().equals(name)) keep.add(p);
            if (keep.isEmpty()) {
                io.err.println("Partition " + name + " not found");
                return 1;
            }
            parts = keep;
        }
        if (f.json()) {
            io.out.print(Sinfo.json(parts, List.of()));
            return 0;
        }
        if (parts.isEmpty()) {
            io.out.println("No partitions in the system");
            return 0;
        }
        for (PartitionView p : parts) print(io, f, partitionBlock(p));
        return 0;
    }

    /** A record: lines of {@code Key=Value} pairs; printed indented, or on one line with {@code -o}. */
    private static void print(Io io, Flags f, List<List<String>> lines) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            if (i > 0) sb.append(f.oneLiner() ? " " : "\n   ");
            sb.append(String.join(" ", lines.get(i)));
        }
        sb.append('\n');
        if (!f.oneLiner()) sb.append('\n');
        io.out.print(sb);
    }

    private static String orNull(String s) {
        return s.isEmpty() ? "(null)" : s;
    }

    static List<List<String>> jobBlock(JobView j, ZoneId zone, long now) {
        List<List<String>> l = new ArrayList<>();
        List<String> first = new ArrayList<>();
        first.add("JobId=" + j.id());
        if (j.arrayJobId() > 0) {
            first.add("ArrayJobId=" + j.arrayJobId());
            first.add("ArrayTaskId=" + (!j.arrayTasks().isEmpty() ? j.arrayTasks() : Integer.toString(j.arrayTaskId())));
        }
        first.add("JobName=" + j.name());
        l.add(first);
        l.add(List.of("UserId=" + j.user()));
        l.add(List.of("Priority=" + j.priority(), "Account=" + orNull(j.account()), "QOS=" + orNull(j.qos())));
        l.add(List.of("JobState=" + j.state(), "Reason=" + (j.reason().isEmpty() ? "None" : j.reason()),
                "Dependency=" + orNull(j.dependency())));
        l.add(List.of("ExitCode=" + j.exitCode() + ":" + j.exitSignal()));
        l.add(List.of("RunTime=" + SlurmTime.formatDuration(j.elapsed()), "TimeLimit=" + timeLimit(j.timeLimit())));
        l.add(List.of("SubmitTime=" + time(j.submitTime(), zone, "Unknown"), "EligibleTime=" + time(j.eligibleTime(), zone, "Unknown")));
        long start = j.startTime() > 0 ? j.startTime() : "PENDING".equals(j.state()) ? j.predictedStart() : 0;
        long end = j.endTime();
        if (end <= 0 && start > 0 && j.timeLimit() > 0 && j.timeLimit() < SlurmTime.UNLIMITED) end = start + j.timeLimit();
        l.add(List.of("StartTime=" + time(start, zone, "Unknown"), "EndTime=" + time(end, zone, "Unknown")));
        l.add(List.of("Partition=" + j.partition(), "Reservation=" + orNull(j.reservation())));
        l.add(List.of("NodeList=" + orNull(j.nodeList()), "SchedNodeList=" + orNull(j.schedNodes())));
        int nodes = j.nodeCount() > 0 ? j.nodeCount() : j.nodesRequested();
        l.add(List.of("NumNodes=" + nodes, "NumCPUs=" + j.cpus()));
        l.add(List.of("TRES=" + tres(j, nodes)));
        if (!j.tresPerNode().isEmpty()) l.add(List.of("TresPerNode=" + j.tresPerNode()));
        l.add(List.of("MinMemoryNode=" + (j.memMb() <= 0 ? "0" : j.memMb() == MemorySize.ALL ? "0" : MemorySize.format(j.memMb()))));
        l.add(List.of("Command=" + orNull(j.command())));
        l.add(List.of("WorkDir=" + orNull(j.workDir())));
        if (!j.comment().isEmpty()) l.add(List.of("Comment=" + j.comment()));
        l.add(List.of("StdErr=" + orNull(outputPath(j, j.stderrPath()))));
        l.add(List.of("StdOut=" + orNull(outputPath(j, j.stdoutPath()))));
        return l;
    }

    /** An output file as scontrol shows it: the pattern's job fields filled in, relative to the working directory. */
    static String outputPath(JobView j, String pattern) {
        if (pattern.isEmpty()) return "";
        String p = FilenamePattern.expandAtSubmit(pattern, j.id(), j.arrayJobId(), j.arrayTaskId(), j.user(), j.name());
        if (p.startsWith("/") || j.workDir().isEmpty()) return p;
        return j.workDir().endsWith("/") ? j.workDir() + p : j.workDir() + "/" + p;
    }

    private static String tres(JobView j, int nodes) {
        StringBuilder sb = new StringBuilder("cpu=").append(j.cpus());
        if (j.memMb() > 0 && j.memMb() != MemorySize.ALL) sb.append(",mem=").append(MemorySize.format(j.memMb() * Math.max(1, nodes)));
        sb.append(",node=").append(nodes);
        if (j.gpus() > 0) sb.append(",gres/gpu=").append(j.gpus());
        return sb.toString();
    }

    private static String timeLimit(long t) {
        if (t >= SlurmTime.UNLIMITED) return "UNLIMITED";
        if (t <= 0) return "Partition_Limit";
        return SlurmTime.formatDuration(t);
    }

    private static String time(long t, ZoneId zone, String unset) {
        return SlurmTime.formatTimestamp(t, zone, unset);
    }

    static List<List<String>> nodeBlock(NodeView n) {
        List<List<String>> l = new ArrayList<>();
        l.add(List.of("NodeName=" + n.name()));
        l.add(List.of("CPUAlloc=" + n.cpusAlloc(), "CPUTot=" + n.cpus()));
        String features = n.features().isEmpty() ? "(null)" : String.join(",", n.features());
        l.add(List.of("AvailableFeatures=" + features));
        l.add(List.of("ActiveFeatures=" + features));
        String gres = n.gpus() <= 0 ? "(null)" : n.gpuType().isEmpty() ? "gpu:" + n.gpus() : "gpu:" + n.gpuType() + ":" + n.gpus();
        l.add(List.of("Gres=" + gres));
        l.add(List.of("RealMemory=" + n.memMb(), "AllocMem=" + n.memAllocMb(), "FreeMem=N/A"));
        l.add(List.of("State=" + NodeStates.scontrol(n)));
        l.add(List.of("Partitions=" + (n.partitions().isEmpty() ? "(null)" : String.join(",", n.partitions()))));
        StringBuilder cfg = new StringBuilder("cpu=").append(n.cpus()).append(",mem=").append(MemorySize.format(n.memMb()));
        if (n.gpus() > 0) cfg.append(",gres/gpu=").append(n.gpus());
        l.add(List.of("CfgTRES=" + cfg));
        StringBuilder alloc = new StringBuilder();
        if (n.cpusAlloc() > 0) alloc.append("cpu=").append(n.cpusAlloc());
        if (n.memAllocMb() > 0) alloc.append(alloc.isEmpty() ? "" : ",").append("mem=").append(MemorySize.format(n.memAllocMb()));
        if (n.gpusAlloc() > 0) alloc.append(alloc.isEmpty() ? "" : ",").append("gres/gpu=").append(n.gpusAlloc());
        l.add(List.of("AllocTRES=" + alloc));
        if (!n.group().isEmpty()) l.add(List.of("Switch=" + n.group()));
        if (!n.reason().isEmpty()) l.add(List.of("Reason=" + n.reason()));
        return l;
    }

    static List<List<String>> partitionBlock(PartitionView p) {
        List<List<String>> l = new ArrayList<>();
        l.add(List.of("PartitionName=" + p.name()));
        l.add(List.of("Default=" + (p.isDefault() ? "YES" : "NO")));
        String maxNodes = p.maxNodesPerJob() <= 0 || p.maxNodesPerJob() == Integer.MAX_VALUE ? "UNLIMITED" : Integer.toString(p.maxNodesPerJob());
        l.add(List.of("DefaultTime=" + (p.defaultTime() <= 0 ? "NONE" : timeLimit(p.defaultTime())), "MaxNodes=" + maxNodes,
                "MaxTime=" + (p.timeLimit() <= 0 ? "UNLIMITED" : timeLimit(p.timeLimit()))));
        l.add(List.of("Nodes=" + orNull(p.nodeList())));
        l.add(List.of("State=" + p.state().toUpperCase(Locale.ROOT), "TotalCPUs=" + p.cpus(), "TotalNodes=" + p.nodes()));
        StringBuilder tres = new StringBuilder("cpu=").append(p.cpus()).append(",node=").append(p.nodes());
        if (p.gpus() > 0) tres.append(",gres/gpu=").append(p.gpus());
        l.add(List.of("TRES=" + tres));
        return l;
    }

    // -------------------------------------------------------------------------------------- hold/release

    private static int hold(Io io, List<String> args, boolean release) throws ApiException {
        String what = release ? "release" : "hold";
        if (args.isEmpty()) {
            io.err.println("too few arguments for keyword:" + what);
            return 1;
        }
        List<JobIds.Id> ids = new ArrayList<>();
        for (String a : args) {
            String v = a.regionMatches(true, 0, "jobid=", 0, 6) ? a.substring(6) : a;
            try {
                ids.addAll(JobIds.parseAll(List.of(v)));
            } catch (IllegalArgumentException e) {
                io.err.println("Invalid job id specified for job " + v);
                return 1;
            }
        }
        JsonWriter w = new JsonWriter(false).beginObject().name("ids").beginArray();
        for (String id : JobIds.forController(ids)) w.value(id);
        w.endArray().endObject();
        Response r = io.api().post(release ? "/jobs/release" : "/jobs/hold", w.toString());
        if (!r.ok()) {
            io.err.println(r.errorMessage() + " for job " + String.join(",", args));
            return 1;
        }
        return 0;
    }

    // -------------------------------------------------------------------------------------------- update

    private static int update(Io io, List<String> args) throws ApiException {
        if (args.isEmpty()) {
            io.err.println("too few arguments for keyword:update");
            return 1;
        }
        Map<String, String> kv = new LinkedHashMap<>();
        Map<String, String> given = new LinkedHashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq <= 0) {
                io.err.println("Invalid input: " + a);
                io.err.println("Request aborted");
                return 1;
            }
            String key = a.substring(0, eq).toLowerCase(Locale.ROOT);
            kv.put(key, a.substring(eq + 1));
            given.put(key, a);
        }
        if (kv.containsKey("nodename") || kv.containsKey("node")) return updateNodes(io, kv, given);
        if (kv.containsKey("jobid") || kv.containsKey("job")) return updateJobs(io, kv, given);
        io.err.println("No valid entity in update command");
        io.err.println("Input line must include \"NodeName\", \"PartitionName\", \"Reservation/ReservationName\", "
                + "\"JobId\", \"FrontendName\", \"SuspendExcNodes\", \"SuspendExcParts\" or \"SuspendExcStates\"");
        return 1;
    }

    private static int updateJobs(Io io, Map<String, String> kv, Map<String, String> given) throws ApiException {
        String idArg = kv.containsKey("jobid") ? kv.get("jobid") : kv.get("job");
        String timeLimit = null;
        Map<String, Object> fields = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : kv.entrySet()) {
            String v = e.getValue();
            switch (e.getKey()) {
                case "jobid", "job" -> { }
                case "timelimit" -> timeLimit = v;
                case "name", "jobname" -> fields.put("name", v);
                case "comment" -> fields.put("comment", v);
                case "partition" -> fields.put("partition", v);
                case "qos" -> fields.put("qos", v);
                case "priority" -> {
                    try {
                        fields.put("priority", Long.parseLong(v.trim()));
                    } catch (NumberFormatException ex) {
                        io.err.println("Invalid Priority value: " + v);
                        io.err.println("Request aborted");
                        return 1;
                    }
                }
                default -> {
                    io.err.println("Update of this parameter is not supported: " + given.get(e.getKey()));
                    io.err.println("Request aborted");
                    return 1;
                }
            }
        }
        if (fields.isEmpty() && timeLimit == null) {
            io.err.println("No changes specified for job " + idArg);
            return 1;
        }
        List<JobIds.Id> ids;
        try {
            ids = JobIds.parseAll(List.of(idArg));
        } catch (IllegalArgumentException e) {
            io.err.println("Invalid job id specified for job " + idArg);
            return 1;
        }
        ApiClient api = io.api();
        int rc = 0;
        for (String id : JobIds.forController(ids)) {
            Response got = api.get("/jobs/" + ApiClient.encode(id));
            if (got.status() == 404) {
                io.err.println("Invalid job id specified for job " + id);
                rc = 1;
                continue;
            }
            if (!got.ok()) return io.fail(PROG, got.errorMessage());
            for (JobView j : Wire.jobViews(got.json())) {
                Map<String, Object> body = new LinkedHashMap<>();
                if (timeLimit != null) {
                    try {
                        body.put("timeLimit", newTimeLimit(timeLimit, j.timeLimit()));
                    } catch (IllegalArgumentException ex) {
                        io.err.println("Invalid TimeLimit value: " + timeLimit + " (" + ex.getMessage() + ")");
                        io.err.println("Request aborted");
                        return 1;
                    }
                }
                body.putAll(fields);
                Response r = api.patch("/jobs/" + j.id(), JsonWriter.toJson(body));
                if (!r.ok()) {
                    io.err.println(r.errorMessage() + " for job " + j.id());
                    rc = 1;
                }
            }
        }
        return rc;
    }

    /** {@code TimeLimit=}: a Slurm time, or {@code +time}/{@code -time} to add to or take from the current limit. */
    static long newTimeLimit(String v, long current) {
        String t = v.trim();
        if (t.startsWith("+") || t.startsWith("-")) {
            if (current <= 0 || current >= SlurmTime.UNLIMITED) throw new IllegalArgumentException("the job has no time limit to change");
            long delta = SlurmTime.parseDuration(t.substring(1));
            long n = t.startsWith("+") ? current + delta : current - delta;
            if (n <= 0) throw new IllegalArgumentException("the time limit would be " + n + " seconds");
            return n;
        }
        return SlurmTime.parseTimeLimit(t);
    }

    private static int updateNodes(Io io, Map<String, String> kv, Map<String, String> given) throws ApiException {
        String names = kv.containsKey("nodename") ? kv.get("nodename") : kv.get("node");
        String state = null;
        String reason = "";
        for (Map.Entry<String, String> e : kv.entrySet()) {
            switch (e.getKey()) {
                case "nodename", "node" -> { }
                case "state" -> state = e.getValue().toUpperCase(Locale.ROOT);
                case "reason" -> reason = e.getValue();
                default -> {
                    io.err.println("Update of this parameter is not supported: " + given.get(e.getKey()));
                    io.err.println("Request aborted");
                    return 1;
                }
            }
        }
        if (state == null) {
            io.err.println("Update of node " + names + " needs State= (DRAIN, DOWN, RESUME or UNDRAIN)");
            io.err.println("Request aborted");
            return 1;
        }
        if (!(state.equals("DRAIN") || state.equals("DOWN") || state.equals("RESUME") || state.equals("UNDRAIN") || state.equals("IDLE"))) {
            io.err.println("Invalid node state specified: " + state + " (Bottega supports DRAIN, DOWN, RESUME and UNDRAIN)");
            io.err.println("Request aborted");
            return 1;
        }
        if ((state.equals("DRAIN") || state.equals("DOWN")) && reason.isBlank()) {
            io.err.println("You must specify a reason when DOWNING or DRAINING a node. Request denied");
            return 1;
        }
        List<String> list;
        try {
            list = Hostlist.expand(names);
        } catch (IllegalArgumentException e) {
            io.err.println("Invalid node name specified: " + names);
            return 1;
        }
        ApiClient api = io.api();
        String body = new JsonWriter(false).beginObject().field("state", state).field("reason", reason).endObject().toString();
        int rc = 0;
        for (String n : list) {
            Response r = api.patch("/nodes/" + ApiClient.encode(n), body);
            if (!r.ok()) {
                io.err.println("slurm_update error: " + r.errorMessage());
                rc = 1;
            }
        }
        return rc;
    }

    // ---------------------------------------------------------------------------------------------- ping

    private static int ping(Io io) {
        ApiClient api;
        try {
            api = io.api();
        } catch (ApiException e) {
            return io.fail(PROG, e.getMessage());
        }
        try {
            Response r = api.get("/ping");
            if (r.ok()) {
                Object cluster = r.object().get("cluster");
                io.out.println("Bottega controller at " + api.where() + " is UP" + (cluster instanceof String c ? " (cluster " + c + ")" : ""));
                return 0;
            }
            io.out.println("Bottega controller at " + api.where() + " is DOWN (" + r.errorMessage() + ")");
        } catch (ApiException e) {
            io.out.println("Bottega controller at " + api.where() + " is DOWN");
            io.err.println(PROG + ": error: " + e.getMessage());
        }
        return 1;
    }

    static final String HELP = """
            Usage: scontrol [OPTIONS] COMMAND [ARGUMENTS]
              Options:
                -o, --oneliner    print each record on one line
                -d, --details     (accepted; shows what there is)
                    --json        JSON output for the show command
                -Q, --quiet       (accepted)
                -V, --version     print the version and exit
                -h, --help        print this help

              Commands:
                show job [ID]                       a job (ID, or ARRAYID_TASK), or every job
                show node [NAME]                    a node (or hostlist), or every node
                show partition [NAME]               a partition, or every partition
                hold ID...                          hold pending jobs
                release ID...                       release held jobs
                update JobId=ID KEY=VALUE...        TimeLimit= (also +time, -time), JobName=/Name=,
                                                    Comment=, Partition=, QOS=, Priority=
                update NodeName=NODES State=STATE [Reason="..."]
                                                    State: DRAIN, DOWN, RESUME or UNDRAIN
                ping                                is the controller up
                version                             print the version

              Keys are case-insensitive. Not supported by Bottega yet: other entities (config, reservation,
              ...) and commands (requeue, suspend, create, delete, reconfigure, ...), interactive mode.
            """;
}
