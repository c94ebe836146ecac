package io.bottega.cli.slurm;

import io.bottega.api.JobSubmission;
import io.bottega.api.json.JsonWriter;
import io.bottega.api.slurm.MemorySize;
import io.bottega.api.slurm.SbatchParser;
import io.bottega.api.slurm.SlurmTime;
import io.bottega.cli.http.ApiClient;
import io.bottega.cli.http.ApiException;
import io.bottega.cli.http.JsonIn;
import io.bottega.cli.http.Response;
import io.bottega.cli.slurm.Getopt.Arg;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code srun [options] program [args...]}: runs a parallel job step. Inside an allocation ({@code SLURM_JOB_ID},
 * or {@code --jobid}) it asks the controller for a step of that job; outside, it first gets an allocation of its own
 * (a job with no batch script), runs the step in it and gives it back. The tasks' output comes back here
 * ({@link StepSession}); srun exits with the highest exit status of its tasks.
 *
 * <p>{@code bottega rsh HOST COMMAND...} is srun's remote-shell form for launchers that start daemons through
 * {@code ssh} (Open MPI's {@code plm_rsh_agent}, MPICH's hydra): one task on HOST inside the current job,
 * running COMMAND through {@code /bin/sh -c}, its stdio relayed, its exit status returned.
 */
final class Srun {
    static final String PROG = "srun";

    private Srun() {}

    /** What the command line asked for; counts 0 when not given. */
    static final class Options {
        int nodes;
        int nodesMax;
        int ntasks;
        int ntasksPerNode;
        int cpusPerTask;
        int gpusPerTask;
        int gpusPerNode;
        String gpuType = "";
        String nodeList = "";
        boolean exact;
        boolean overlap;
        boolean exclusiveAllocation;
        String cpuBind = "";
        String gpuBind = "";
        boolean killOnBadExit;
        boolean label;
        String output = "";
        String error = "";
        String input = "all";
        String export = "";
        String jobName = "";
        long timeLimit;
        boolean pty;
        String chdir = "";
        long jobId;
        String partition = "";
        String account = "";
        String qos = "";
        long memPerNodeMb;
        long memPerCpuMb;
        boolean quiet;
        int verbose;
        List<String> argv = List.of();
    }

    private static Getopt options() {
        return new Getopt(PROG)
                .opt("account", 'A', Arg.REQUIRED)
                .opt("chdir", 'D', Arg.REQUIRED)
                .opt("cpu-bind", Arg.REQUIRED)
                .opt("cpu_bind", Arg.REQUIRED)
                .opt("cpus-per-task", 'c', Arg.REQUIRED)
                .opt("disable-status", 'X', Arg.NONE)
                .opt("distribution", 'm', Arg.REQUIRED)
                .opt("error", 'e', Arg.REQUIRED)
                .opt("exact", Arg.NONE)
                .opt("exclusive", Arg.OPTIONAL)
                .opt("export", Arg.REQUIRED)
                .opt("gpu-bind", Arg.REQUIRED)
                .opt("gpus-per-node", Arg.REQUIRED)
                .opt("gpus-per-task", Arg.REQUIRED)
                .opt("gres", Arg.REQUIRED)
                .opt("help", 'h', Arg.NONE)
                .opt("input", 'i', Arg.REQUIRED)
                .opt("job-name", 'J', Arg.REQUIRED)
                .opt("jobid", Arg.REQUIRED)
                .opt("kill-on-bad-exit", 'K', Arg.OPTIONAL)
                .opt("label", 'l', Arg.NONE)
                .opt("mem", Arg.REQUIRED)
                .opt("mem-per-cpu", Arg.REQUIRED)
                .opt("mpi", Arg.REQUIRED)
                .opt("nodelist", 'w', Arg.REQUIRED)
                .opt("nodes", 'N', Arg.REQUIRED)
                .opt("ntasks", 'n', Arg.REQUIRED)
                .opt("ntasks-per-node", Arg.REQUIRED)
                .opt("output", 'o', Arg.REQUIRED)
                .opt("overlap", Arg.NONE)
                .opt("partition", 'p', Arg.REQUIRED)
                .opt("pty", Arg.NONE)
                .opt("qos", 'q', Arg.REQUIRED)
                .opt("quiet", 'Q', Arg.NONE)
                .opt("time", 't', Arg.REQUIRED)
                .opt("unbuffered", 'u', Arg.NONE)
                .opt("usage", Arg.NONE)
                .opt("verbose", 'v', Arg.NONE)
                .opt("version", 'V', Arg.NONE)
                .unsupported("accel-bind", Arg.REQUIRED)
                .unsupported("acctg-freq", Arg.REQUIRED)
                .unsupported("bcast", Arg.OPTIONAL)
                .unsupported("begin", 'b', Arg.REQUIRED)
                .unsupported("clusters", 'M', Arg.REQUIRED)
                .unsupported("constraint", 'C', Arg.REQUIRED)
                .unsupported("container", Arg.REQUIRED)
                .unsupported("cores-per-socket", Arg.REQUIRED)
                .unsupported("cpu-freq", Arg.REQUIRED)
                .unsupported("cpus-per-gpu", Arg.REQUIRED)
                .unsupported("dependency", 'd', Arg.REQUIRED)
                .unsupported("epilog", Arg.REQUIRED)
                .unsupported("exclude", 'x', Arg.REQUIRED)
                .unsupported("gpus", 'G', Arg.REQUIRED)
                .unsupported("het-group", Arg.REQUIRED)
                .unsupported("hint", Arg.REQUIRED)
                .unsupported("hold", 'H', Arg.NONE)
                .unsupported("immediate", 'I', Arg.OPTIONAL)
                .unsupported("licenses", 'L', Arg.REQUIRED)
                .unsupported("mem-bind", Arg.REQUIRED)
                .unsupported("mem-per-gpu", Arg.REQUIRED)
                .unsupported("multi-prog", Arg.NONE)
                .unsupported("network", Arg.REQUIRED)
                .unsupported("nice", Arg.OPTIONAL)
                .unsupported("no-allocate", 'Z', Arg.NONE)
                .unsupported("no-kill", 'k', Arg.OPTIONAL)
                .unsupported("ntasks-per-core", Arg.REQUIRED)
                .unsupported("ntasks-per-gpu", Arg.REQUIRED)
                .unsupported("ntasks-per-socket", Arg.REQUIRED)
                .unsupported("open-mode", Arg.REQUIRED)
                .unsupported("overcommit", 'O', Arg.NONE)
                .unsupported("oversubscribe", 's', Arg.NONE)
                .unsupported("preserve-env", 'E', Arg.NONE)
                .unsupported("prolog", Arg.REQUIRED)
                .unsupported("propagate", Arg.OPTIONAL)
                .unsupported("quit-on-interrupt", Arg.NONE)
                .unsupported("relative", 'r', Arg.REQUIRED)
                .unsupported("reservation", Arg.REQUIRED)
                .unsupported("send-libs", Arg.OPTIONAL)
                .unsupported("signal", Arg.REQUIRED)
                .unsupported("slurmd-debug", Arg.REQUIRED)
                .unsupported("sockets-per-node", Arg.REQUIRED)
                .unsupported("task-epilog", Arg.REQUIRED)
                .unsupported("task-prolog", Arg.REQUIRED)
                .unsupported("test-only", Arg.NONE)
                .unsupported("threads-per-core", Arg.REQUIRED)
                .unsupported("tres-per-task", Arg.REQUIRED)
                .unsupported("wait", 'W', Arg.REQUIRED)
                .unsupported("wckey", Arg.REQUIRED);
    }

    static int run(Io io, String[] argv) {
        Options o = new Options();
        // the variables srun reads, as Slurm's srun does; the command line wins
        String envBind = io.env.get("SLURM_CPU_BIND");
        if (envBind != null && !envBind.isBlank()) o.cpuBind = envBind.strip();
        String envGpuBind = io.env.get("SLURM_GPU_BIND");
        if (envGpuBind != null && !envGpuBind.isBlank()) o.gpuBind = envGpuBind.strip();
        o.label = "1".equals(io.env.get("SLURM_LABELIO"));
        o.killOnBadExit = "1".equals(io.env.get("SLURM_KILL_BAD_EXIT"));
        o.exact = "1".equals(io.env.get("SLURM_EXACT"));
        o.overlap = "1".equals(io.env.get("SLURM_OVERLAP"));
        try {
            Getopt.Result r = options().parse(argv, true);
            for (Getopt.Option opt : r.options()) {
                String v = opt.value();
                switch (opt.name()) {
                    case "account" -> o.account = v;
                    case "chdir" -> o.chdir = v;
                    case "cpu-bind", "cpu_bind" -> o.cpuBind = v;
                    case "cpus-per-task" -> o.cpusPerTask = count(v, "--cpus-per-task");
                    case "disable-status", "unbuffered" -> { }
                    case "distribution" -> {
                        String d = v.toLowerCase(Locale.ROOT);
                        if (!d.equals("block") && !d.startsWith("block:") && !d.equals("*")) {
                            throw new IllegalArgumentException("--distribution=" + v + " is not supported by Bottega yet (only block)");
                        }
                    }
                    case "error" -> o.error = v;
                    case "exact" -> o.exact = true;
                    case "exclusive" -> {
                        if (v != null && !v.isEmpty()) throw new IllegalArgumentException("--exclusive=" + v + " is not supported yet");
                        o.exact = true;
                        o.exclusiveAllocation = true;
                    }
                    case "export" -> o.export = v;
                    case "gpu-bind" -> o.gpuBind = v;
                    case "gpus-per-node" -> o.gpusPerNode = gpus(o, v);
                    case "gpus-per-task" -> o.gpusPerTask = gpus(o, v);
                    case "gres" -> o.gpusPerNode = gres(o, v);
                    case "help" -> {
                        io.out.print(HELP);
                        return 0;
                    }
                    case "input" -> o.input = input(v);
                    case "job-name" -> o.jobName = v;
                    case "jobid" -> {
                        String id = v.contains(".") ? v.substring(0, v.indexOf('.')) : v;
                        if (!JobIds.isDigits(id) || id.length() > 18) throw new IllegalArgumentException("Invalid job id: " + v);
                        o.jobId = Long.parseLong(id);
                    }
                    case "kill-on-bad-exit" -> o.killOnBadExit = v == null || !v.strip().equals("0");
                    case "label" -> o.label = true;
                    case "mem" -> o.memPerNodeMb = MemorySize.parseMb(v);
                    case "mem-per-cpu" -> o.memPerCpuMb = MemorySize.parseMb(v);
                    case "mpi" -> {
                        if (!v.equalsIgnoreCase("none")) {
                            throw new IllegalArgumentException("--mpi=" + v + " is not supported by Bottega yet: start MPI programs "
                                    + "with mpirun inside the allocation (see docs/parallel-jobs.md), or use --mpi=none");
                        }
                    }
                    case "nodelist" -> o.nodeList = v;
                    case "nodes" -> nodes(o, v);
                    case "ntasks" -> o.ntasks = count(v, "--ntasks");
                    case "ntasks-per-node" -> o.ntasksPerNode = count(v, "--ntasks-per-node");
                    case "output" -> o.output = v;
                    case "overlap" -> o.overlap = true;
                    case "partition" -> o.partition = v;
                    case "pty" -> o.pty = true;
                    case "qos" -> o.qos = v;
                    case "quiet" -> o.quiet = true;
                    case "time" -> o.timeLimit = SlurmTime.parseTimeLimit(v);
                    case "usage" -> {
                        io.out.print(USAGE);
                        return 0;
                    }
                    case "verbose" -> o.verbose++;
                    case "version" -> {
                        io.out.println(Cli.versionLine());
                        return 0;
                    }
                    default -> throw new IllegalStateException("no handler for --" + opt.name());
                }
            }
            o.argv = r.operands();
        } catch (Getopt.UsageError e) {
            return Getopt.report(io, e);
        } catch (IllegalArgumentException e) {
            return io.fail(PROG, e.getMessage());
        }
        if (o.argv.isEmpty()) return io.fail(PROG, "No command given to execute.");
        if (o.output.equalsIgnoreCase("none")) o.output = "/dev/null";
        if (o.error.equalsIgnoreCase("none")) o.error = "/dev/null";
        return execute(io, o, PROG);
    }

    private static int count(String v, String what) {
        String s = v.strip();
        if (!JobIds.isDigits(s) || s.length() > 7 || Integer.parseInt(s) < 1) throw new IllegalArgumentException("invalid " + what + " value: " + v);
        return Integer.parseInt(s);
    }

    private static void nodes(Options o, String v) {
        String s = v.strip();
        int dash = s.indexOf('-');
        o.nodes = count(dash < 0 ? s : s.substring(0, dash), "--nodes");
        o.nodesMax = dash < 0 ? 0 : count(s.substring(dash + 1), "--nodes");
    }

    /** {@code N}, or {@code TYPE:N}. */
    private static int gpus(Options o, String v) {
        String s = v.strip();
        int colon = s.lastIndexOf(':');
        if (colon >= 0) {
            o.gpuType = s.substring(0, colon);
            s = s.substring(colon + 1);
        }
        if (!JobIds.isDigits(s) || s.length() > 4) throw new IllegalArgumentException("invalid GPU count: " + v);
        return Integer.parseInt(s);
    }

    /** {@code gpu:N}, {@code gpu:TYPE:N} or {@code none} (-1: no GPUs for the step). */
    private static int gres(Options o, String v) {
        String s = v.strip().toLowerCase(Locale.ROOT);
        if (s.equals("none")) return -1;
        if (!s.startsWith("gpu")) throw new IllegalArgumentException("--gres=" + v + ": only gpu is supported by Bottega yet");
        if (s.equals("gpu")) return 1;
        if (!s.startsWith("gpu:")) throw new IllegalArgumentException("invalid --gres value: " + v);
        int n = gpus(o, v.strip().substring(4));
        return n == 0 ? -1 : n;
    }

    private static String input(String v) {
        String s = v.strip().toLowerCase(Locale.ROOT);
        if (s.equals("all") || s.equals("none")) return s;
        if (JobIds.isDigits(s) && s.length() < 8) return Integer.toString(Integer.parseInt(s));
        throw new IllegalArgumentException("--input=" + v + " is not supported by Bottega yet (use all, none or a task id)");
    }

    // ------------------------------------------------------------------------------------------ running

    /** Runs a step in the caller's job, or in an allocation of its own; returns srun's exit code. */
    static int execute(Io io, Options o, String prog) {
        ApiClient api;
        try {
            api = io.api();
        } catch (ApiException e) {
            return io.fail(prog, e.getMessage());
        }
        long jobId = o.jobId;
        if (jobId == 0) {
            String env = io.env.getOrDefault("SLURM_JOB_ID", io.env.getOrDefault("SLURM_JOBID", ""));
            if (JobIds.isDigits(env) && !env.isEmpty() && env.length() < 19) jobId = Long.parseLong(env);
        }
        if (jobId > 0) return step(io, api, jobId, o, prog, null);
        // outside a job: an allocation of our own for the step's life
        Allocation a;
        try {
            a = Allocation.request(io, api, allocationFor(io, o), prog, o.quiet, false);
        } catch (ApiException e) {
            return io.fail(prog, e.getMessage());
        } catch (Allocation.Failed e) {
            return io.fail(prog, e.getMessage());
        }
        int[] rc = {1};
        try {
            rc[0] = step(io, api, a.jobId, o, prog, a);
        } finally {
            a.release(rc[0] > 128 ? 0 : rc[0], rc[0] > 128 ? rc[0] - 128 : 0);
        }
        return rc[0];
    }

    /** The job srun asks for when it runs outside one: as many nodes, tasks and CPUs as the step needs. */
    static JobSubmission allocationFor(Io io, Options o) {
        String name = !o.jobName.isEmpty() ? o.jobName : baseName(o.argv.isEmpty() ? "interactive" : o.argv.get(0));
        String dir = o.chdir.isEmpty() ? io.cwd : resolve(io.cwd, o.chdir);
        return JobSubmission.builder().jobName(name).submitDir(io.cwd).workDir(dir).partition(o.partition).account(o.account)
                .qos(o.qos).timeLimit(o.timeLimit).nodesMin(o.nodes).nodesMax(o.nodesMax).ntasks(o.ntasks)
                .ntasksPerNode(o.ntasksPerNode).cpusPerTask(o.cpusPerTask).gpusPerTask(o.gpusPerTask)
                .gpusPerNode(Math.max(0, o.gpusPerNode)).gpuType(o.gpuType).memPerNodeMb(o.memPerNodeMb).memPerCpuMb(o.memPerCpuMb)
                .exclusive(o.exclusiveAllocation).environment(Map.of()).interactive(true).build();
    }

    static String resolve(String dir, String path) {
        return path.startsWith("/") ? path : new File(dir, path).getPath();
    }

    private static String baseName(String path) {
        int slash = path.lastIndexOf('/');
        return slash >= 0 ? path.substring(slash + 1) : path;
    }

    /** The step's request as JSON ({@code StepRequest}). */
    static String request(Io io, Options o, int port, String key, Map<String, String> env) {
        JsonWriter w = new JsonWriter(new StringBuilder(8192), false);
        w.beginObject();
        w.field("name", o.jobName);
        w.name("argv").beginArray();
        for (String a : o.argv) w.value(a);
        w.endArray();
        w.field("workDir", o.chdir.isEmpty() ? io.cwd : resolve(io.cwd, o.chdir));
        w.name("environment").beginObject();
        for (Map.Entry<String, String> e : env.entrySet()) w.field(e.getKey(), e.getValue());
        w.endObject();
        w.field("nodes", o.nodes);
        w.field("ntasks", o.ntasks);
        w.field("ntasksPerNode", o.ntasksPerNode);
        w.field("cpusPerTask", o.cpusPerTask);
        w.field("gpusPerTask", o.gpusPerTask);
        w.field("gpusPerNode", o.gpusPerNode);
        w.field("nodeList", o.nodeList);
        w.field("exact", o.exact);
        w.field("overlap", o.overlap);
        w.field("cpuBind", o.cpuBind);
        w.field("gpuBind", o.gpuBind);
        w.field("timeLimit", o.timeLimit >= SlurmTime.UNLIMITED ? 0 : o.timeLimit);
        w.field("ioHost", io.env.getOrDefault("BOTTEGA_SRUN_ADDR", ""));
        w.field("ioPort", port);
        w.field("ioKey", key);
        w.field("stdoutPath", o.output);
        w.field("stderrPath", o.error);
        w.field("stdinMode", o.pty ? "0" : o.input);
        w.field("pty", o.pty);
        w.field("killOnBadExit", o.killOnBadExit);
        w.endObject();
        return w.toString();
    }

    /** The step's environment: srun's own, as {@code --export} filters it (as Slurm: ALL by default). */
    private static Map<String, String> environment(Io io, Options o, int[] winsize) {
        Map<String, String> env;
        try {
            env = SbatchParser.exportEnvironment(o.export, io.env);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--export=" + o.export + ": " + e.getMessage());
        }
        env = new TreeMap<>(env);
        env.remove("BOTTEGA_ARGV0");
        if (winsize != null) {
            env.put("BOTTEGA_PTY_ROWS", Integer.toString(winsize[0]));
            env.put("BOTTEGA_PTY_COLS", Integer.toString(winsize[1]));
        }
        return env;
    }

    /**
     * Creates the step in job {@code jobId} (retrying while the job's other steps hold what it needs), relays its
     * I/O until every task has ended, and returns the highest exit status ({@code 128 + signal} for a task killed
     * by a signal). {@code alloc}: the allocation srun made for it, whose revocation ends srun.
     */
    static int step(Io io, ApiClient api, long jobId, Options o, String prog, Allocation alloc) {
        Tty tty = o.pty ? Tty.open() : null;
        int[] winsize = tty != null ? tty.size() : null;
        try (StepSession session = new StepSession(io.out, io.err, o.label, tty != null)) {
            Map<String, String> env;
            try {
                env = environment(io, o, winsize);
            } catch (IllegalArgumentException e) {
                return io.fail(prog, e.getMessage());
            }
            String body = request(io, o, session.port(), session.key(), env);
            long stepId = -1;
            int nodeCount = 0;
            int ntasks = 0;
            boolean toldBusy = false;
            long sleep = 20;
            long busySince = 0;
            while (true) {
                Response r;
                try {
                    r = api.post("/jobs/" + jobId + "/steps", body);
                } catch (ApiException e) {
                    return io.fail(prog, e.getMessage());
                }
                if (r.status() == 409 && r.errorMessage().startsWith("Requested nodes are busy")) {
                    // the job's previous steps may be ending this very moment: say so only when it lasts
                    if (busySince == 0) busySince = io.clock.millis();
                    if (!toldBusy && !o.quiet && io.clock.millis() - busySince >= 1000) {
                        io.err.println(prog + ": Job " + jobId + " step creation temporarily disabled, retrying (Requested nodes are busy)");
                        toldBusy = true;
                    }
                    if (!io.sleeper.sleep(sleep)) return 1;
                    sleep = Math.min(2000, sleep * 2);
                    continue;
                }
                if (!r.ok()) return io.fail(prog, r.errorMessage());
                JsonIn in = r.json();
                in.beginObject();
                for (String k; (k = in.nextKey()) != null; ) {
                    switch (k) {
                        case "stepId" -> stepId = in.longValue();
                        case "nodeCount" -> nodeCount = in.intValue();
                        case "ntasks" -> ntasks = in.intValue();
                        default -> in.skipValue();
                    }
                }
                break;
            }
            if (toldBusy && !o.quiet) io.err.println(prog + ": Step created for job " + jobId);
            if (o.verbose > 0) io.err.println(prog + ": launching StepId=" + jobId + "." + stepId + " (" + ntasks + " tasks on " + nodeCount + " nodes)");
            session.killOnBadExit(o.killOnBadExit);
            session.expect(nodeCount, ntasks);
            String stepName = jobId + "." + stepId;
            trapSignals(io, api, session, jobId, stepId, prog, tty);
            if (alloc != null) {
                alloc.keepAlive(() -> {
                    io.err.println(prog + ": error: Job allocation " + jobId + " has been revoked.");
                    session.signal(9);
                });
            }
            // wait for every node, checking now and then that the step has not ended without them
            while (!session.awaitConnected(2000)) {
                if (!stepRunning(api, jobId, stepId)) {
                    io.err.println(prog + ": error: step " + stepName + " ended before all of its nodes started it ("
                            + session.connectedCount() + " of " + nodeCount + ")");
                    break;
                }
            }
            if (tty != null) {
                tty.raw();
                SignalTrap.on("WINCH", () -> {
                    int[] s = tty.size();
                    if (s != null) session.windowSize(s[0], s[1]);
                });
            }
            String mode = o.pty ? "0" : o.input;
            if (!mode.equals("none")) {
                Thread pump = new Thread(() -> session.pumpStdin(io.in, mode), "srun-stdin");
                pump.setDaemon(true);
                pump.start();
            }
            // the nodes' connections close when they are done (or their agent dies); a node whose machine went away
            // silently is noticed by the controller, which ends the step
            while (!session.awaitDone(10_000)) {
                if (!stepRunning(api, jobId, stepId) && !session.awaitDone(5000)) break;
            }
            if (tty != null) tty.restore();
            return report(io, prog, session.exits(), ntasks);
        } catch (IOException e) {
            return io.fail(prog, "cannot listen for the step's I/O: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } finally {
            if (tty != null) tty.restore();
        }
    }

    private static boolean stepRunning(ApiClient api, long jobId, long stepId) {
        try {
            Response r = api.get("/jobs/" + jobId + "/steps");
            if (!r.ok()) return r.status() >= 500;   // not known: over
            JsonIn in = r.json();
            in.beginArray();
            while (in.nextElement()) {
                in.beginObject();
                long id = -99;
                String state = "";
                for (String k; (k = in.nextKey()) != null; ) {
                    switch (k) {
                        case "stepId" -> id = in.longValue();
                        case "state" -> state = in.string();
                        default -> in.skipValue();
                    }
                }
                if (id == stepId) return state.equals("RUNNING");
            }
            return true;   // not recorded yet
        } catch (ApiException | RuntimeException e) {
            return true;   // cannot tell: keep waiting
        }
    }

    private static final String[] FORWARDED = {"TERM", "HUP", "USR1", "USR2", "QUIT", "CONT"};
    private static final int[] FORWARDED_NUMBERS = {15, 1, 10, 12, 3, 18};

    /** ^C twice within a second sends SIGINT to the tasks, a third kills them; TERM, HUP, USR1, USR2 go to the tasks. */
    private static void trapSignals(Io io, ApiClient api, StepSession session, long jobId, long stepId, String prog, Tty tty) {
        AtomicLong lastInt = new AtomicLong();
        AtomicLong ints = new AtomicLong();
        SignalTrap.on("INT", () -> {
            long now = System.currentTimeMillis();
            long prev = lastInt.getAndSet(now);
            long n;
            if (now - prev <= 1000) {
                n = ints.incrementAndGet();
            } else {
                ints.set(1);
                n = 1;
            }
            if (n == 1) {
                io.err.println(prog + ": interrupt (one more within 1 sec to abort)");
                io.err.println(prog + ": StepId=" + jobId + "." + stepId + " tasks " + "running");
            } else if (n == 2) {
                io.err.println(prog + ": sending Ctrl-C to StepId=" + jobId + "." + stepId);
                session.signal(2);
            } else {
                io.err.println(prog + ": forcing job termination");
                session.signal(9);
                try {
                    api.send("DELETE", "/jobs/" + jobId + "/steps/" + stepId, null);
                } catch (ApiException e) {
                    // the closed connections end it
                }
            }
        });
        for (int i = 0; i < FORWARDED.length; i++) {
            int sig = FORWARDED_NUMBERS[i];
            SignalTrap.on(FORWARDED[i], () -> {
                if (tty != null) tty.restore();
                session.signal(sig);
            });
        }
    }

    /** Slurm's end-of-step report: one line per failed task group, and the exit code. */
    static int report(Io io, String prog, Map<Integer, StepSession.Exit> exits, int ntasks) {
        int rc = 0;
        Map<String, List<Integer>> failed = new TreeMap<>();
        for (Map.Entry<Integer, StepSession.Exit> e : exits.entrySet()) {
            StepSession.Exit x = e.getValue();
            if (x.code() == 0 && x.signal() == 0) continue;
            rc = Math.max(rc, x.signal() != 0 ? 128 + x.signal() : x.code());
            String why = x.signal() != 0 ? signalName(x.signal()) : "Exited with exit code " + x.code();
            failed.computeIfAbsent(x.node() + "\u0000" + why, k -> new ArrayList<>()).add(e.getKey());
        }
        for (Map.Entry<String, List<Integer>> f : failed.entrySet()) {
            String[] k = f.getKey().split("\u0000");
            List<Integer> ranks = f.getValue();
            io.err.println(prog + ": error: " + k[0] + ": task" + (ranks.size() > 1 ? "s " : " ") + ranges(ranks) + ": " + k[1]);
        }
        int lost = ntasks - exits.size();
        if (lost > 0) {
            List<Integer> missing = new ArrayList<>();
            for (int i = 0; i < ntasks; i++) if (!exits.containsKey(i)) missing.add(i);
            io.err.println(prog + ": error: task" + (missing.size() > 1 ? "s " : " ") + ranges(missing)
                    + ": no exit status (the node or srun's connection to it was lost)");
            rc = Math.max(rc, 1);
        }
        io.out.flush();
        return rc;
    }

    private static String signalName(int sig) {
        return switch (sig) {
            case 9 -> "Killed";
            case 15 -> "Terminated";
            case 2 -> "Interrupt";
            case 6 -> "Aborted";
            case 11 -> "Segmentation fault";
            case 1 -> "Hangup";
            default -> "Killed by signal " + sig;
        };
    }

    static String ranges(List<Integer> sorted) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < sorted.size()) {
            int j = i;
            while (j + 1 < sorted.size() && sorted.get(j + 1) == sorted.get(j) + 1) j++;
            if (sb.length() > 0) sb.append(',');
            sb.append(sorted.get(i));
            if (j > i) sb.append('-').append(sorted.get(j));
            i = j + 1;
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------------------------------ rsh

    /** {@code bottega rsh [ssh options] HOST COMMAND...}: one task on HOST in the current job. */
    static int rsh(Io io, String[] argv) {
        String prog = "bottega rsh";
        int i = 0;
        boolean noStdin = false;
        while (i < argv.length && argv[i].startsWith("-") && argv[i].length() > 1) {
            String a = argv[i];
            if (a.equals("--")) {
                i++;
                break;
            }
            // ssh's options that take a value
            if (a.length() == 2 && "bcDEeFIiJLlmOopQRSWw".indexOf(a.charAt(1)) >= 0) {
                i += 2;
                continue;
            }
            if (a.contains("n")) noStdin = true;
            i++;
        }
        if (i >= argv.length) return io.fail(prog, "usage: bottega rsh [ssh options] HOST COMMAND...");
        String host = argv[i++];
        int at = host.indexOf('@');
        if (at >= 0) host = host.substring(at + 1);
        if (i >= argv.length) return io.fail(prog, "an interactive login is not supported: give a command to run on " + host);
        StringBuilder cmd = new StringBuilder();
        for (int k = i; k < argv.length; k++) {
            if (cmd.length() > 0) cmd.append(' ');
            cmd.append(argv[k]);
        }
        Options o = new Options();
        o.nodes = 1;
        o.ntasks = 1;
        o.nodeList = host;
        o.overlap = true;
        o.cpuBind = "none";
        o.gpuBind = "none";
        o.quiet = true;
        o.input = noStdin ? "none" : "all";
        o.jobName = "rsh";
        o.argv = List.of("/bin/sh", "-c", cmd.toString());
        String job = io.env.getOrDefault("SLURM_JOB_ID", io.env.getOrDefault("SLURM_JOBID", ""));
        if (job.isEmpty()) return io.fail(prog, "not inside a job: bottega rsh starts commands on the nodes of the current job only");
        return execute(io, o, prog);
    }

    // ------------------------------------------------------------------------------------------ help

    static final String USAGE = """
            Usage: srun [-N nodes] [-n ntasks] [--ntasks-per-node=n] [-c ncpus] [--gpus-per-task=n] [--gres=gpu:n]
                        [-w hosts] [--exact|--exclusive] [--overlap] [--cpu-bind=type] [--gpu-bind=type] [-K]
                        [-l] [-o out] [-e err] [-i in] [--export=vars] [-J name] [-t time] [--pty] [-D dir]
                        [--jobid=id] [-p partition] [-A account] [-q qos] [--mem=MB] [-Q] [-v]
                        executable [args...]
            """;

    static final String HELP = """
            Usage: srun [OPTIONS...] executable [args...]

            Inside an allocation (a batch job, salloc), srun starts a job step on its nodes; elsewhere it asks
            for an allocation first, runs the step in it and releases it.

            Parallel run options:
              -N, --nodes=N               number of nodes (N or min-max: min is used)
              -n, --ntasks=ntasks         number of tasks (default: the job's, or one per node with -N)
                  --ntasks-per-node=n     tasks per node
              -c, --cpus-per-task=ncpus   CPUs per task (default: the job's)
                  --gpus-per-task=n       GPUs per task, each task sees its own (CUDA_VISIBLE_DEVICES)
                  --gres=gpu:n, --gpus-per-node=n
                                          GPUs per node of the step; --gres=none for none (default: the
                                          job's GPUs on each node)
              -w, --nodelist=hosts        run on these nodes of the allocation
                  --exact, --exclusive    only the CPUs asked for (default: all of the job's CPUs on each node)
                  --overlap               share CPUs and GPUs with the job's other steps instead of waiting
                  --cpu-bind=type         none, cores, threads, rank, map_cpu:LIST [verbose,]
                  --gpu-bind=type         none, closest, map_gpu:LIST
              -K, --kill-on-bad-exit      end the step when a task exits with a non-zero status
              -l, --label                 prefix each output line with its task's rank
              -o, --output=pattern        tasks' output to files (%t task, %n node id, %N node, %j job, %s step)
              -e, --error=pattern         tasks' errors to files
              -i, --input=all|none|N      who gets srun's stdin (default all)
                  --export=ALL|NONE|VARS  the tasks' environment (default: srun's own)
              -J, --job-name=name         the step's name
              -t, --time=time             the step's time limit
                  --pty                   run task 0 in a pseudo-terminal (srun --pty bash)
              -D, --chdir=dir             the tasks' working directory
                  --jobid=id              run in this job's allocation
                  --mpi=none              (other MPI types: start MPI programs with mpirun)
              -p, --partition, -A, --account, -q, --qos, --mem, --mem-per-cpu
                                          for the allocation srun makes outside a job
              -Q, --quiet                 -v, --verbose       -u, --unbuffered (always)
              -h, --help                  --usage             -V, --version

            Not supported by Bottega yet: --multi-prog, -x, -G/--gpus, --mem-per-gpu, --signal, --bcast, -Z,
            -r, --het-group, --mpi=pmi2/pmix and the other options Slurm's srun has (each is an error naming it).
            """;
}
