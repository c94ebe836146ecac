package io.bottega.agent;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import io.bottega.agent.ResourceControl.JobCgroup;
import io.bottega.api.agent.GpuInfo;
import io.bottega.api.agent.JobOutcome;
import io.bottega.api.agent.NodeResources;
import io.bottega.api.agent.StepIo;
import io.bottega.api.agent.StepLaunch;
import io.bottega.api.agent.StepOutcome;
import io.bottega.api.agent.StepSignal;
import io.bottega.api.agent.StepTask;
import io.bottega.api.slurm.FilenamePattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the tasks of job steps ({@code srun}) on this node. Each task is a child of the agent, started through
 * the same chain as a batch script (join the step's cgroups, new session, CPU affinity, the job's user, a
 * loader that reads the environment as that user), with its standard streams on pipes that the agent relays
 * to {@code srun} over one connection per node and step ({@link StepIo}). A step ends when all its tasks have
 * ended; what they left behind is killed, and its {@link StepOutcome} is reported until acknowledged.
 *
 * <p>A step is terminated (SIGTERM, SIGKILL after the grace) when the controller says so ({@link StepSignal}:
 * the step or its job was cancelled, or the job ended), at its time limit, when a task fails under
 * {@code --kill-on-bad-exit}, and when srun's connection is lost: the user who started it is gone. Steps do
 * not survive the agent (their I/O runs through it): {@link #close()} kills them, and an agent started after
 * a crash kills what an earlier one left ({@link #start()}).
 *
 * <p>Thread-safe: steps change state under the runner's lock; every task's pipes are read by virtual threads.
 */
final class StepRunner implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StepRunner.class);
    private static final int ACKED_MEMORY = 100_000;
    private static final String STEP_CGROUP_PREFIX = "step_";

    /** The child's first step: join the step's cgroups, then exec the rest. */
    static final String JOIN = "while [ $# -gt 0 ] && [ \"$1\" != -- ]; do "
            + "echo $$ > \"$1\" || { echo \"bottega: cannot join cgroup $1\" >&2; exit 125; }; shift; done; shift; exec \"$@\"";

    /** What the sync loop reports. */
    record Snapshot(List<String> running, List<StepOutcome> results) {
        static final Snapshot EMPTY = new Snapshot(List.of(), List.of());
    }

    private enum Phase { STARTING, RUNNING, DONE }

    private final class Task {
        final StepTask spec;
        Process process;
        long pid;
        OutputStream stdin;
        Thread outReader;
        Thread errReader;
        boolean exited;
        int exitCode;
        int signal;

        Task(StepTask spec) {
            this.spec = spec;
        }
    }

    private final class Step {
        final StepLaunch l;
        final String key;
        final List<Task> tasks = new ArrayList<>();
        Phase phase = Phase.STARTING;
        Socket socket;
        DataOutputStream out;
        JobCgroup cgroup;
        Path dir;
        Path tmp;
        String termState = "";
        String termMessage = "";
        boolean killSent;
        long startedAt;
        long endedAt;
        int remaining;
        StepOutcome outcome;

        Step(StepLaunch l) {
            this.l = l;
            this.key = l.key();
        }
    }

    private final AgentConfig config;
    private final NodeResources node;
    private final ResourceControl control;
    private final CpuBinding binding;
    private final Tools tools;
    private final Signals signals;
    private final Spool spool;
    private final boolean root;
    private final int selfUid;
    private final int selfGid;
    private final InstantSource clock;
    private final Optional<Path> script = Tools.which("script");
    /** An emulated node (named otherwise than its host): tasks see the node's name as their host name. */
    private final Optional<Path> unshare;
    private final String loader = loaderScript();
    private final Map<String, Step> steps = new ConcurrentHashMap<>();
    private final Set<String> acked = new LinkedHashSet<>();
    private final ScheduledExecutorService timer;
    private volatile Snapshot snapshot = Snapshot.EMPTY;
    private final AtomicReference<CompletableFuture<Void>> newResults = new AtomicReference<>(new CompletableFuture<>());
    private volatile boolean closed;

    StepRunner(AgentConfig config, NodeResources node, ResourceControl control, CpuBinding binding, Tools tools, Signals signals,
               Spool spool, int selfUid, int selfGid, InstantSource clock) {
        this.config = config;
        this.node = node;
        this.control = control;
        this.binding = binding;
        this.tools = tools;
        this.signals = signals;
        this.spool = spool;
        this.root = selfUid == 0;
        this.selfUid = selfUid;
        this.selfGid = selfGid;
        this.clock = clock;
        String host = Procfs.hostName();
        Optional<Path> u = Tools.which("unshare");
        boolean emulated = !host.isEmpty() && !host.equals(node.name());
        this.unshare = emulated && root && u.isPresent() && Tools.succeeds(u.get().toString(), "--uts", "true") ? u : Optional.empty();
        if (emulated) {
            log.info("event=emulated_node node={} host={} task_hostname={}", node.name(), host,
                    unshare.isPresent() ? node.name() + " (own UTS namespace)" : host + " (no UTS namespace: not root, or no unshare)");
        }
        this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon()
                .name("bottega-agent-" + config.nodeName() + "-steps").factory());
    }

    static String loaderScript() {
        try (InputStream in = StepRunner.class.getResourceAsStream("task-loader.bash")) {
            if (in == null) throw new IllegalStateException("task-loader.bash missing from the agent's jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read task-loader.bash", e);
        }
    }

    private Path stepsDir() {
        return spool.root().resolve("steps");
    }

    /** Prepares the spool's step directory and kills what an agent that died left of its steps. */
    void start() throws IOException {
        FileOps.ensureDirectory(stepsDir(), spool.dirMode());
        List<Path> left = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(stepsDir())) {
            for (Path p : ds) left.add(p);
        }
        for (Path p : left) {
            String pids = Procfs.read(p.resolve("pids"));
            List<Long> sessions = new ArrayList<>();
            for (String line : pids.split("\n")) {
                String[] f = line.strip().split("\\s+");
                if (f.length != 2) continue;
                long pid = Procfs.parseLongOr(f[0], 0);
                if (Procfs.alive(pid, Procfs.parseLongOr(f[1], -1))) sessions.add(pid);
            }
            if (!sessions.isEmpty()) {
                Set<Long> all = new LinkedHashSet<>(sessions);
                for (long s : sessions) for (Procfs.Stat st : Procfs.inSession(s)) all.add(st.pid());
                log.warn("event=step_leftovers_killed step={} pids={}", p.getFileName(), all);
                signals.send(Signals.SIGKILL, all, List.of());
            }
            FileOps.deleteTree(p);
        }
        for (String name : control.names(STEP_CGROUP_PREFIX)) {
            JobCgroup cg = control.existing(name, 0);
            Set<Long> pids = control.pids(cg, 0);
            if (!pids.isEmpty()) {
                log.warn("event=step_leftovers_killed cgroup={} pids={}", name, pids);
                control.killAll(cg);
                signals.send(Signals.SIGKILL, pids, List.of());
            }
            control.remove(cg);
        }
    }

    Snapshot snapshot() {
        return snapshot;
    }

    /** Completes when a step's outcome is ready to report (take it before reading the snapshot). */
    CompletableFuture<Void> nextResult() {
        return newResults.get();
    }

    // ---- commands ------------------------------------------------------------------------------------

    /** Starts a step's tasks; a step already known (or acknowledged) is ignored. */
    void launch(StepLaunch l) {
        Step s;
        synchronized (this) {
            if (closed || steps.containsKey(l.key()) || acked.contains(l.key())) return;
            s = new Step(l);
            steps.put(s.key, s);
            publish(false);
        }
        Thread.ofVirtual().name("bottega-step-" + s.key).start(() -> run(s));
    }

    /** Terminates or signals the steps the request covers. */
    void signal(StepSignal sig) {
        for (Step s : new ArrayList<>(steps.values())) {
            if (!sig.covers(s.l.jobId(), s.l.stepId())) continue;
            if (sig.signal() == 0 || sig.signal() == Signals.SIGKILL) {
                terminate(s, JobOutcome.CANCELLED, sig.reason().isEmpty() ? "cancelled" : sig.reason(), sig.signal() == Signals.SIGKILL);
            } else {
                deliver(s, sig.signal());
            }
        }
    }

    /** The controller has stored these outcomes: forget them. */
    synchronized void ack(List<String> keys) {
        boolean changed = false;
        for (String k : keys) {
            Step s = steps.get(k);
            if (s == null || s.phase != Phase.DONE) continue;
            steps.remove(k);
            acked.add(k);
            if (acked.size() > ACKED_MEMORY) {
                var it = acked.iterator();
                it.next();
                it.remove();
            }
            changed = true;
        }
        if (changed) publish(false);
    }

    /** Kills every step at once (the agent is stopping: their I/O runs through it). */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        for (Step s : new ArrayList<>(steps.values())) terminate(s, JobOutcome.CANCELLED, "the node's agent stopped", true);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline && steps.values().stream().anyMatch(s -> s.phase != Phase.DONE)) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        timer.shutdownNow();
    }

    // ---- starting --------------------------------------------------------------------------------------

    /** Why this step must not run here; empty when it may. */
    private String refusal(StepLaunch l) {
        if (l.jobId() <= 0 || l.stepId() < 0) return "bad step id " + l.key();
        if (l.argv().isEmpty()) return "no command to run";
        if (l.tasks().isEmpty()) return "no tasks on " + node.name();
        if (l.uid() < 0 || l.gid() < 0) return "uid and gid must not be negative: " + l.uid() + ":" + l.gid();
        if (l.uid() == 0 && !l.user().equals("root")) return "uid 0 requested for user '" + l.user() + "': only root runs as root";
        if (l.gid() == 0 && l.uid() != 0) return "gid 0 requested for user '" + l.user() + "' (uid " + l.uid() + ")";
        if (!l.workDir().isEmpty() && !l.workDir().startsWith("/")) return "working directory must be absolute: " + l.workDir();
        Set<Integer> gpuIds = node.gpus().stream().map(GpuInfo::index).collect(Collectors.toSet());
        for (StepTask t : l.tasks()) {
            for (int c : t.cpus()) if (c < 0 || c >= node.cores()) return "core " + c + " does not exist on " + node.name();
            for (int g : t.gpus()) if (!gpuIds.contains(g)) return "GPU " + g + " does not exist on " + node.name();
        }
        for (int c : l.stepCpus()) if (c < 0 || c >= node.cores()) return "core " + c + " does not exist on " + node.name();
        if (l.pty() && script.isEmpty()) return "srun --pty needs script(1) (util-linux) on the node";
        return "";
    }

    private void run(Step s) {
        StepLaunch l = s.l;
        String refusal = refusal(l);
        try {
            if (l.ioPort() > 0 && !l.ioHost().isEmpty()) connect(s);
        } catch (IOException e) {
            log.warn("event=step_io_unreachable step={} srun={}:{} error=\"{}\"", s.key, l.ioHost(), l.ioPort(), e.getMessage());
            finish(s, JobOutcome.FAILED, 1, "cannot reach srun at " + l.ioHost() + ":" + l.ioPort() + ": " + e.getMessage());
            return;
        }
        if (!refusal.isEmpty()) {
            log.warn("event=step_refused step={} reason=\"{}\"", s.key, refusal);
            finish(s, JobOutcome.FAILED, 1, "launch refused on " + node.name() + ": " + refusal);
            return;
        }
        try {
            prepare(s);
            startTasks(s);
        } catch (IOException | RuntimeException e) {
            log.error("event=step_launch_failed step={} error=\"{}\"", s.key, e.toString());
            killAll(s);
            finish(s, JobOutcome.NODE_FAIL, 1, "cannot start the step's tasks on " + node.name() + ": " + e.getMessage());
            return;
        }
        if (s.socket != null) Thread.ofVirtual().name("bottega-step-io-" + s.key).start(() -> readSrun(s));
        if (l.timeLimitSeconds() > 0) {
            timer.schedule(() -> terminate(s, JobOutcome.TIMEOUT, "time limit of " + l.timeLimitSeconds() + " s reached", false),
                    l.timeLimitSeconds(), TimeUnit.SECONDS);
        }
    }

    private void connect(Step s) throws IOException {
        Socket sock = new Socket();
        sock.setTcpNoDelay(true);
        sock.connect(new InetSocketAddress(s.l.ioHost(), s.l.ioPort()), 10_000);
        s.socket = sock;
        s.out = new DataOutputStream(new BufferedOutputStream(sock.getOutputStream(), 1 << 16));
        String ranks = s.l.tasks().stream().map(t -> Integer.toString(t.rank())).collect(Collectors.joining(","));
        String hello = s.l.ioKey() + "\n" + s.l.nodeIndex() + "\n" + node.name() + "\n" + ranks;
        frame(s, StepIo.HELLO, -1, hello.getBytes(StandardCharsets.UTF_8), 0, -1);
    }

    /** Spool entry, TMPDIR, cgroup, environment file, truncated output files. */
    private void prepare(Step s) throws IOException {
        StepLaunch l = s.l;
        boolean switchUser = root && l.uid() != 0;
        int runUid = root ? l.uid() : selfUid;
        int runGid = root ? l.gid() : selfGid;
        s.dir = stepsDir().resolve(s.key);
        FileOps.deleteTree(s.dir);
        FileOps.ensureDirectory(s.dir, spool.dirMode());
        s.tmp = config.tmpBase().resolve("step_" + s.key);
        Path base = config.tmpBase();
        if (base.getParent() != null) Files.createDirectories(base.getParent());
        FileOps.ensureDirectory(base, root ? "rwx--x--x" : "rwx------");
        FileOps.deleteTree(s.tmp);
        Files.createDirectory(s.tmp, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(FileOps.perms("rwx------")));
        if (root) FileOps.chown(s.tmp, runUid, runGid);

        List<Integer> hostCpus = binding.map(l.stepCpus());
        s.cgroup = control.create(STEP_CGROUP_PREFIX + s.key, l.jobId(), control.cpuset() ? hostCpus : List.of(),
                l.memoryLimitMb() * 1024L * 1024L);

        Map<String, String> env = new TreeMap<>();
        l.env().forEach((k, v) -> {
            if (JobEnvironment.validName(k) && v.indexOf('\0') < 0) env.put(k, v);
        });
        JobEnvironment.GPU_VARS.forEach(env::remove);
        env.putIfAbsent("PATH", "/usr/local/bin:/usr/bin:/bin");
        StringBuilder sb = new StringBuilder();
        env.forEach((k, v) -> sb.append(k).append('=').append(v).append('\0'));
        Path environ = s.dir.resolve("environ");
        FileOps.writeAtomic(environ, sb.toString().getBytes(StandardCharsets.UTF_8), "rw-------");
        if (root) FileOps.chown(environ, runUid, runGid);

        // output files: one truncation per node, as the user, before the tasks append to them
        Set<String> files = new LinkedHashSet<>();
        for (StepTask t : l.tasks()) {
            if (!l.stdoutPath().isEmpty()) files.add(outputPath(l.stdoutPath(), l, t));
            if (!l.stderrPath().isEmpty()) files.add(outputPath(l.stderrPath(), l, t));
        }
        if (!files.isEmpty()) {
            List<String> cmd = new ArrayList<>(userPrefix(l, switchUser));
            cmd.add(tools.sh().toString());
            cmd.add("-c");
            cmd.add("for f; do : > \"$f\" || exit 1; done");
            cmd.add("bottega-truncate");
            cmd.addAll(files);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().clear();
            pb.environment().put("PATH", Tools.SAFE_PATH);
            Process p = pb.start();
            String err = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new IOException("cannot open the output files " + files + " as " + l.user() + (err.isEmpty() ? "" : ": " + err));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
    }

    private List<String> userPrefix(StepLaunch l, boolean switchUser) throws IOException {
        if (!switchUser) return List.of();
        if (tools.setpriv().isPresent()) {
            return List.of(tools.setpriv().get().toString(), "--reuid=" + l.uid(), "--regid=" + l.gid(), "--init-groups", "--");
        }
        if (tools.runuser().isPresent() && !l.user().isEmpty()) return List.of(tools.runuser().get().toString(), "-u", l.user(), "--");
        throw new IOException("cannot switch to user " + l.user() + ": neither setpriv nor runuser found");
    }

    private String outputPath(String pattern, StepLaunch l, StepTask t) {
        String p = FilenamePattern.expand(pattern, new FilenamePattern.Values(l.jobId(), 0, -1, l.stepId(), node.name(), l.nodeIndex(),
                t.rank(), l.user(), l.jobName()));
        String wd = l.workDir().isEmpty() ? "/tmp" : l.workDir();
        return p.startsWith("/") ? p : Path.of(wd).resolve(p).toString();
    }

    private boolean readsStdin(StepLaunch l, StepTask t) {
        String m = l.stdinMode();
        if (m.equals("all")) return true;
        if (m.equals("none")) return false;
        return m.equals(Integer.toString(t.rank()));
    }

    private void startTasks(Step s) throws IOException {
        StepLaunch l = s.l;
        boolean switchUser = root && l.uid() != 0;
        String workDir = l.workDir().isEmpty() ? "/tmp" : l.workDir();
        String gtids = l.tasks().stream().map(t -> Integer.toString(t.rank())).collect(Collectors.joining(","));
        boolean bind = !l.cpuBind().contains("none");
        boolean verbose = l.cpuBind().contains("verbose");
        StringBuilder pids = new StringBuilder();
        synchronized (this) {
            if (!s.termState.isEmpty()) throw new IOException("cancelled before it started: " + s.termMessage);
            s.startedAt = clock.millis();
            for (StepTask t : l.tasks()) s.tasks.add(new Task(t));
            s.remaining = s.tasks.size();
        }
        for (Task task : s.tasks) {
            StepTask t = task.spec;
            List<Integer> hostCpus = bind ? binding.map(t.cpus()) : List.of();
            List<String> cmd = new ArrayList<>();
            cmd.add(tools.sh().toString());
            cmd.add("-c");
            cmd.add(JOIN);
            cmd.add("bottega-task-init");
            for (Path f : s.cgroup.procsFiles()) cmd.add(f.toString());
            cmd.add("--");
            if (unshare.isPresent()) {
                // emulated nodes share one host: give the task the node's name (Open MPI, for one, tells nodes apart by it)
                cmd.add(unshare.get().toString());
                cmd.add("--uts");
                cmd.add(tools.sh().toString());
                cmd.add("-c");
                cmd.add("hostname \"$0\" 2>/dev/null; exec \"$@\"");
                cmd.add(node.name());
            }
            cmd.add(tools.setsid().toString());
            cmd.add("-w");
            if (!hostCpus.isEmpty() && tools.taskset().isPresent()) {
                cmd.add(tools.taskset().get().toString());
                cmd.add("-c");
                cmd.add(CpuList.format(hostCpus));
            }
            cmd.addAll(userPrefix(l, switchUser));
            cmd.add(tools.bash().toString());
            cmd.add("--noprofile");
            cmd.add("--norc");
            cmd.add("-c");
            cmd.add(loader);
            cmd.add("bottega-task");
            cmd.add(s.dir.resolve("environ").toString());
            cmd.add(workDir);
            boolean stdin = readsStdin(l, t);
            cmd.add(stdin ? "-" : "/dev/null");
            String out = l.stdoutPath().isEmpty() ? "-" : outputPath(l.stdoutPath(), l, t);
            String err = !l.stderrPath().isEmpty() ? outputPath(l.stderrPath(), l, t) : out.equals("-") ? "-" : "=";
            cmd.add(out);
            cmd.add(err);
            String umask = l.env().getOrDefault("SLURM_UMASK", "");
            cmd.add(umask.matches("0?[0-7]{3}") ? umask : "0022");
            cmd.add(tools.env().toString());
            cmd.add(tools.envResetsSignals() ? "--default-signal" : "");
            boolean pty = l.pty() && t.rank() == 0;
            cmd.add(pty ? script.orElseThrow().toString() : "-");
            cmd.add(l.env().getOrDefault("BOTTEGA_PTY_ROWS", "24"));
            cmd.add(l.env().getOrDefault("BOTTEGA_PTY_COLS", "80"));
            cmd.addAll(taskVars(s, t, gtids, hostCpus));
            cmd.add("--");
            cmd.addAll(l.argv());
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().clear();
            pb.environment().put("PATH", Tools.SAFE_PATH);
            pb.environment().put("LC_ALL", "C");
            pb.directory(new File("/"));
            if (!stdin) pb.redirectInput(new File("/dev/null"));
            Process p = pb.start();
            task.process = p;
            task.pid = p.pid();
            task.stdin = stdin ? p.getOutputStream() : null;
            if (!stdin) p.getOutputStream().close();
            long start = Procfs.stat(task.pid).map(Procfs.Stat::startTime).orElse(0L);
            pids.append(task.pid).append(' ').append(start).append('\n');
            task.outReader = Thread.ofVirtual().start(() -> relay(s, task, p.getInputStream(), StepIo.STDOUT));
            task.errReader = Thread.ofVirtual().start(() -> relay(s, task, p.getErrorStream(), StepIo.STDERR));
            if (verbose) {
                long mask = 0;
                for (int c : hostCpus) if (c < 64) mask |= 1L << c;
                String line = String.format("cpu-bind=%s - %s, task %2d %2d [%d]: mask 0x%x set%n", hostCpus.isEmpty() ? "NONE" : "MASK",
                        node.name(), t.rank(), t.localId(), task.pid, mask);
                byte[] b = line.getBytes(StandardCharsets.UTF_8);
                frame(s, StepIo.STDERR, t.rank(), b, 0, b.length);
            }
            p.onExit().thenRun(() -> Thread.ofVirtual().start(() -> taskEnded(s, task)));
        }
        FileOps.writeAtomic(s.dir.resolve("pids"), pids.toString().getBytes(StandardCharsets.UTF_8), "rw-------");
        boolean stop;
        synchronized (this) {
            if (s.phase == Phase.STARTING) s.phase = Phase.RUNNING;
            stop = !s.termState.isEmpty();
        }
        if (stop) killAll(s);   // terminated while its tasks were starting
        log.info("event=step_started step={} tasks={} user={} argv0={}", s.key, s.tasks.size(), l.user(), l.argv().get(0));
    }

    /** The variables of one task, as NAME=VALUE arguments for the loader. */
    private List<String> taskVars(Step s, StepTask t, String gtids, List<Integer> hostCpus) {
        StepLaunch l = s.l;
        List<String> v = new ArrayList<>();
        v.add("SLURM_PROCID=" + t.rank());
        v.add("SLURM_LOCALID=" + t.localId());
        v.add("SLURM_NODEID=" + l.nodeIndex());
        v.add("SLURM_GTIDS=" + gtids);
        v.add("SLURMD_NODENAME=" + node.name());
        v.add("SLURM_TOPOLOGY_ADDR=" + node.name());
        v.add("SLURM_TOPOLOGY_ADDR_PATTERN=node");
        v.add("SLURM_CPUS_ON_NODE=" + (l.stepCpus().isEmpty() ? node.cores() : l.stepCpus().size()));
        v.add("TMPDIR=" + s.tmp);
        v.add("BOTTEGA_NODE=" + node.name());
        v.add("PWD=" + (l.workDir().isEmpty() ? "/tmp" : l.workDir()));
        if (!hostCpus.isEmpty()) {
            v.add("SLURM_CPU_BIND_TYPE=mask_cpu:");
            v.add("SLURM_CPU_BIND_LIST=" + CpuList.format(t.cpus()));
            v.add("BOTTEGA_TASK_CORES=" + CpuList.format(t.cpus()));
        }
        if (!t.gpus().isEmpty()) {
            String ids = t.gpus().stream().sorted().map(String::valueOf).collect(Collectors.joining(","));
            v.add("CUDA_VISIBLE_DEVICES=" + ids);
            v.add("GPU_DEVICE_ORDINAL=" + ids);
            v.add("SLURM_STEP_GPUS=" + ids);
            v.add("SLURM_JOB_GPUS=" + ids);
            v.add("SLURM_GPUS_ON_NODE=" + t.gpus().size());
            if (!l.env().containsKey("CUDA_DEVICE_ORDER")) v.add("CUDA_DEVICE_ORDER=PCI_BUS_ID");
        } else if (!node.gpus().isEmpty()) {
            v.add("CUDA_VISIBLE_DEVICES=");
        }
        return v;
    }

    // ---- running ---------------------------------------------------------------------------------------

    /** Relays one of a task's output pipes to srun (or drops it when there is no connection). */
    private void relay(Step s, Task task, InputStream in, byte type) {
        byte[] buf = new byte[16 * 1024];
        try (in) {
            int n;
            while ((n = in.read(buf)) > 0) frame(s, type, task.spec.rank(), buf, 0, n);
        } catch (IOException e) {
            // the task's pipe closed
        }
    }

    /** Sends a frame to srun ({@code len} -1: all of {@code data}); a lost connection terminates the step. */
    private void frame(Step s, byte type, int task, byte[] data, int off, int len) {
        DataOutputStream out = s.out;
        if (out == null) return;
        try {
            synchronized (out) {
                StepIo.write(out, type, task, data, off, len < 0 ? data.length : len);
                out.flush();
            }
        } catch (IOException e) {
            if (s.phase != Phase.DONE) terminate(s, JobOutcome.CANCELLED, "srun's connection was lost: " + e.getMessage(), false);
        }
    }

    /** Frames from srun: input, signals, terminal size; its end terminates the step. */
    private void readSrun(Step s) {
        try (DataInputStream in = new DataInputStream(s.socket.getInputStream())) {
            StepIo.Frame f;
            while ((f = StepIo.read(in)) != null) {
                switch (f.type()) {
                    case StepIo.STDIN -> {
                        for (Task t : s.tasks) {
                            if (t.stdin == null || (f.task() >= 0 && f.task() != t.spec.rank())) continue;
                            try {
                                t.stdin.write(f.payload());
                                t.stdin.flush();
                            } catch (IOException e) {
                                t.stdin = null;   // the task closed its input
                            }
                        }
                    }
                    case StepIo.STDIN_EOF -> {
                        for (Task t : s.tasks) {
                            if (t.stdin == null || (f.task() >= 0 && f.task() != t.spec.rank())) continue;
                            try {
                                t.stdin.close();
                            } catch (IOException e) {
                                // already closed
                            }
                            t.stdin = null;
                        }
                    }
                    case StepIo.SIGNAL -> {
                        int sig = f.intAt(0);
                        if (sig == Signals.SIGKILL) {
                            // srun kills the step: a task of it failed under --kill-on-bad-exit, or its user insisted
                            terminate(s, s.l.killOnBadExit() ? JobOutcome.FAILED : JobOutcome.CANCELLED,
                                    s.l.killOnBadExit() ? "a task failed (--kill-on-bad-exit)" : "killed from srun", true);
                        }
                        else if (sig > 0 && sig < 65) deliver(s, sig);
                    }
                    case StepIo.WINSIZE -> resize(s, f.intAt(0), f.intAt(1));
                    default -> { }
                }
            }
            if (s.phase != Phase.DONE) terminate(s, JobOutcome.CANCELLED, "srun went away (its connection closed)", false);
        } catch (IOException e) {
            if (s.phase != Phase.DONE) terminate(s, JobOutcome.CANCELLED, "srun's connection was lost: " + e.getMessage(), false);
        }
    }

    /** Sets the size of a --pty task's terminal: {@code stty} on the terminal of script(1)'s child. */
    private void resize(Step s, int rows, int cols) {
        if (rows <= 0 || cols <= 0 || rows > 10_000 || cols > 10_000) return;
        for (Task t : s.tasks) {
            if (!s.l.pty() || t.spec.rank() != 0 || t.pid <= 0) continue;
            for (long pid : Procfs.allPids()) {
                Optional<Procfs.Stat> st = Procfs.stat(pid);
                if (st.isEmpty() || st.get().ppid() != t.pid) continue;
                Path tty = Path.of("/proc", Long.toString(pid), "fd", "0");
                try {
                    Path target = Files.readSymbolicLink(tty);
                    if (!target.toString().startsWith("/dev/pts/")) continue;
                    Optional<Path> stty = Tools.which("stty");
                    if (stty.isEmpty()) return;
                    new ProcessBuilder(stty.get().toString(), "-F", target.toString(), "rows", Integer.toString(rows), "cols",
                            Integer.toString(cols))
                            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(5, TimeUnit.SECONDS);
                } catch (IOException e) {
                    // the process went away
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** A task has ended: report its status once its output is relayed; the last one ends the step. */
    private void taskEnded(Step s, Task task) {
        joinQuietly(task.outReader, 1000);
        joinQuietly(task.errReader, 1000);
        int code = task.process.exitValue();
        int sig = 0;
        boolean bad;
        boolean last;
        synchronized (this) {
            // Java reports a death by signal N as 128+N: when the agent signalled the step, read it so
            if (code > 128 && code < 128 + 65 && (!s.termState.isEmpty() || s.killSent)) {
                sig = code - 128;
                code = 0;
            }
            task.exited = true;
            task.exitCode = code;
            task.signal = sig;
            s.remaining--;
            last = s.remaining == 0;
            bad = code != 0 || sig != 0;
        }
        frame(s, StepIo.EXIT, task.spec.rank(), StepIo.ints(code, sig), 0, -1);
        if (bad && s.l.killOnBadExit() && !last) {
            terminate(s, JobOutcome.FAILED, "task " + task.spec.rank() + " ended with " + (sig != 0 ? "signal " + sig : "exit code " + code)
                    + " (--kill-on-bad-exit)", false);
        }
        if (last) {
            killAll(s);
            for (Task t : s.tasks) {
                joinQuietly(t.outReader, 2000);
                joinQuietly(t.errReader, 2000);
            }
            int worst = 0;
            int firstSig = 0;
            boolean failed = false;
            for (Task t : s.tasks) {
                worst = Math.max(worst, t.exitCode);
                if (firstSig == 0) firstSig = t.signal;
                failed |= t.exitCode != 0 || t.signal != 0;
            }
            String state;
            String message;
            synchronized (this) {
                state = !s.termState.isEmpty() ? s.termState : failed ? JobOutcome.FAILED : JobOutcome.COMPLETED;
                message = s.termMessage;
            }
            finishWith(s, state, worst, firstSig, message);
        }
    }

    private static void joinQuietly(Thread t, long ms) {
        if (t == null) return;
        try {
            t.join(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- stopping --------------------------------------------------------------------------------------

    /** SIGTERM (with SIGCONT) to every process of the step, SIGKILL after the grace; {@code now}: SIGKILL at once. */
    private void terminate(Step s, String state, String message, boolean now) {
        synchronized (this) {
            if (s.phase == Phase.DONE) return;
            if (s.termState.isEmpty()) {
                s.termState = state;
                s.termMessage = message;
                log.info("event=step_terminating step={} state={} reason=\"{}\"", s.key, state, message);
            } else if (!now || s.killSent) {
                return;
            }
            if (s.phase == Phase.STARTING) return;   // startTasks sees termState and gives up
        }
        if (now) {
            killAll(s);
            return;
        }
        sendAll(s, Signals.SIGTERM);
        sendAll(s, Signals.SIGCONT);
        long grace = s.l.killGraceSeconds() > 0 ? s.l.killGraceSeconds() * 1000 : config.killGrace().toMillis();
        schedule(() -> {
            if (s.phase != Phase.DONE) killAll(s);
        }, grace);
    }

    private void schedule(Runnable r, long ms) {
        try {
            timer.schedule(r, ms, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            r.run();
        }
    }

    /** A signal to every task's processes, the step going on. */
    private void deliver(Step s, int signal) {
        log.info("event=step_signalled step={} signal={}", s.key, signal);
        sendAll(s, signal);
    }

    private Set<Long> processes(Step s) {
        Set<Long> pids = new LinkedHashSet<>();
        if (s.cgroup != null) pids.addAll(control.pids(s.cgroup, 0));
        for (Task t : s.tasks) {
            if (t.pid <= 0 || t.exited) continue;
            pids.add(t.pid);
            for (Procfs.Stat st : Procfs.inSession(t.pid)) pids.add(st.pid());
        }
        return pids;
    }

    private void sendAll(Step s, int signal) {
        Set<Long> pids = processes(s);
        if (!pids.isEmpty()) signals.send(signal, pids, List.of());
    }

    /** SIGKILL to everything of the step, again a second later while anything is left. */
    private void killAll(Step s) {
        synchronized (this) {
            s.killSent = true;
        }
        if (s.cgroup != null) control.killAll(s.cgroup);
        Set<Long> pids = processes(s);
        if (!pids.isEmpty()) {
            signals.send(Signals.SIGKILL, pids, List.of());
            schedule(() -> {
                if (s.phase != Phase.DONE || !processes(s).isEmpty()) {
                    Set<Long> left = processes(s);
                    if (!left.isEmpty()) signals.send(Signals.SIGKILL, left, List.of());
                }
            }, 1000);
        }
    }

    private void finish(Step s, String state, int exitCode, String message) {
        byte[] b = ("bottega: error: " + node.name() + ": " + message + "\n").getBytes(StandardCharsets.UTF_8);
        frame(s, StepIo.ERROR, -1, b, 0, -1);
        for (StepTask t : s.l.tasks()) frame(s, StepIo.EXIT, t.rank(), StepIo.ints(exitCode, 0), 0, -1);
        finishWith(s, state, exitCode, 0, message);
    }

    private void finishWith(Step s, String state, int exitCode, int signal, String message) {
        List<Integer> failedTasks = new ArrayList<>();
        for (Task t : s.tasks) if (t.exitCode != 0 || t.signal != 0) failedTasks.add(t.spec.rank());
        if (s.tasks.isEmpty() && !state.equals(JobOutcome.COMPLETED)) {
            for (StepTask t : s.l.tasks()) failedTasks.add(t.rank());
        }
        if (s.cgroup != null) control.remove(s.cgroup);
        if (s.tmp != null) Launcher.removeTmp(s.tmp);
        if (s.dir != null) {
            try {
                FileOps.deleteTree(s.dir);
            } catch (IOException e) {
                log.warn("event=step_spool_cleanup_failed step={} error=\"{}\"", s.key, e.getMessage());
            }
        }
        frame(s, StepIo.DONE, -1, new byte[0], 0, 0);
        if (s.socket != null) {
            try {
                s.socket.close();
            } catch (IOException e) {
                // closed
            }
        }
        long now = clock.millis();
        StepOutcome o = new StepOutcome(s.l.jobId(), s.l.stepId(), state, exitCode, signal, failedTasks, s.startedAt, now, message);
        synchronized (this) {
            s.endedAt = now;
            s.outcome = o;
            s.phase = Phase.DONE;
            publish(true);
        }
        log.info("event=step_ended step={} state={} exit_code={}:{} tasks={} message=\"{}\"", s.key, state, exitCode, signal,
                s.l.tasks().size(), message);
    }

    private void publish(boolean newResult) {
        List<String> running = new ArrayList<>();
        List<StepOutcome> results = new ArrayList<>();
        for (Step s : steps.values()) {
            if (s.phase == Phase.DONE) results.add(s.outcome);
            else running.add(s.key);
        }
        Collections.sort(running);
        snapshot = new Snapshot(List.copyOf(running), List.copyOf(results));
        if (newResult) newResults.getAndSet(new CompletableFuture<>()).complete(null);
    }
}
