package io.bottega.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.bottega.api.agent.AgentCommands;
import io.bottega.api.agent.AgentSync;
import io.bottega.api.agent.CancelRequest;
import io.bottega.api.agent.LaunchRequest;
import io.bottega.api.agent.NodeResources;
import io.bottega.api.agent.Registered;
import io.bottega.api.agent.StepLaunch;
import io.bottega.api.agent.StepSignal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node agent ({@code bottega agent}): reports the node's resources, launches the jobs the controller
 * sends, enforces their limits and reports their results until acknowledged.
 *
 * <p>Usable in-process: the all-in-one {@code bottega up} runs several agents as emulated nodes in one
 * JVM, each with its own node name, spool and cgroup subtree. {@link #close()} stops the agent but leaves
 * its jobs running, as a daemon restart must; a new agent on the same spool re-adopts them.
 * {@link #cancelAllJobs} stops them first where that is wanted.
 */
public final class Agent implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Agent.class);
    private static final long DEFAULT_HEARTBEAT_MS = 30_000;
    private static final long MIN_SYNC_GAP_MS = 1_000;

    private final AgentConfig config;
    private final ControllerLink link;
    private final boolean ownsLink;
    private final InstantSource clock;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private volatile NodeResources resources;
    private volatile ResourceControl control;
    private volatile JobSupervisor supervisor;
    private volatile StepRunner stepRunner;
    private volatile LaunchServer launchServer;
    private volatile Thread linkThread;
    private volatile boolean registered;
    private String bootId = "";
    private boolean started;

    /** An agent that talks to {@link AgentConfig#controllerUrl()} over HTTP. */
    public static Agent create(AgentConfig config) {
        HttpControllerLink http = new HttpControllerLink(config.controllerUrl(), config.clusterKey(),
                config.syncWait().plusSeconds(30));
        return new Agent(config, http, true, InstantSource.system());
    }

    /** An agent with a given link (in-process controller, tests); the caller closes the link. */
    public Agent(AgentConfig config, ControllerLink link) {
        this(config, link, false, InstantSource.system());
    }

    private Agent(AgentConfig config, ControllerLink link, boolean ownsLink, InstantSource clock) {
        this.config = config;
        this.link = link;
        this.ownsLink = ownsLink;
        this.clock = clock;
    }

    public AgentConfig config() {
        return config;
    }

    /**
     * Discovers the node, picks the confinement, recovers the spool (re-adopting running jobs), and starts
     * talking to the controller. Returns once jobs found in the spool are supervised again.
     *
     * @throws IOException when the spool cannot be used
     * @throws IllegalStateException when a required system program is missing or a forced cgroup mode
     *                               cannot be had
     */
    public synchronized void start() throws IOException {
        if (started) throw new IllegalStateException("agent " + config.nodeName() + " already started");
        started = true;
        int uid = Procfs.selfUid();
        int gid = Procfs.selfGid();
        boolean root = uid == 0;
        Tools tools = Tools.find();
        if (root && tools.setpriv().isEmpty() && tools.runuser().isEmpty()) {
            throw new IllegalStateException("running as root, the agent needs setpriv or runuser to start jobs as their users");
        }
        if (!tools.envResetsSignals()) {
            log.warn("event=signals_not_reset note=\"env lacks --default-signal (coreutils < 8.31): jobs start with "
                    + "SIGINT and SIGQUIT ignored\"");
        }
        bootId = Procfs.bootId();
        Spool spool = new Spool(config.spoolDir(), root);
        spool.init();
        if (root) warnIfNotTraversable(config.spoolDir());

        CgroupDetector detector = CgroupDetector.forThisMachine(config.cgroupBase(), config.nodeName());
        ResourceControl rc = detector.detect(config.cgroupMode());
        rc.dropSpares();
        control = rc;
        List<Integer> hostCpus = Procfs.allowedCpus();
        NodeResources node = ResourceDiscovery.discover(config.nodeName(), config.declared(), hostCpus, rc.mode(), version())
                .withAddress(config.address());
        resources = node;
        CpuBinding binding = new CpuBinding(hostCpus, node.cores(), config.cpuBinding());

        log.info("event=agent_start node={} cores={} memory_mb={} gpus={} features={} group={} uid={} spool={} version={}",
                node.name(), node.cores(), node.memoryMb(), node.gpus().size(), node.features(), node.group(), uid,
                config.spoolDir(), node.agentVersion());
        log.info("event=limits node={} cgroup={} {}", node.name(), rc.mode(), rc.describe());
        if (!detector.passedOver().isEmpty()) {
            log.info("event=cgroup_candidates_passed_over node={} reasons=\"{}\"", node.name(), String.join("; ", detector.passedOver()));
        }
        log.info("event=cpu_binding node={} mode={} declared_cores={} host_cpus={}{}", node.name(), binding.mode(),
                node.cores(), CpuList.format(hostCpus),
                binding.mode().equals("modulo") ? " note=\"declared cores exceed the host's: core c runs on host cpu c mod "
                        + hostCpus.size() + "\"" : "");
        if (!rc.memoryLimit()) {
            log.warn("event=memory_limits node={} enforcement={}", node.name(),
                    config.limitAddressSpace() ? "polled-rss+rlimit-as" : "polled-rss");
        }

        Optional<LaunchServer> server = nativeLauncher(spool, tools).map(p -> new LaunchServer(p, config.nodeName(), pid -> {
            JobSupervisor s = supervisor;
            if (s != null) s.wrapperEnded(pid);
        }));
        launchServer = server.orElse(null);
        Launcher launcher = new Launcher(config, node, rc, binding, tools, spool, uid, gid, bootId, clock, server);
        JobSupervisor sup = new JobSupervisor(config, spool, launcher, rc, new Signals(tools.kill()), clock, bootId);
        supervisor = sup;
        sup.start();
        StepRunner steps = new StepRunner(config, node, rc, binding, tools, new Signals(tools.kill()), spool, uid, gid, clock);
        steps.start();
        stepRunner = steps;
        Thread t = Thread.ofVirtual().name("bottega-agent-" + config.nodeName() + "-sync").unstarted(this::runLink);
        linkThread = t;
        t.start();
    }

    /**
     * The native launcher as the configuration asks: built (or found built) in the spool's {@code bin/}, or none
     * (the shell chain), saying which in the log.
     *
     * @throws IllegalStateException when {@code native} was asked and it cannot be built
     */
    private Optional<Path> nativeLauncher(Spool spool, Tools tools) {
        if (config.launcher().equals("shell")) {
            log.info("event=launcher node={} mode=shell reason=configured wrapper={}", config.nodeName(), spool.wrapper());
            return Optional.empty();
        }
        NativeLauncher.Build b = NativeLauncher.prepare(spool.root().resolve("bin"), tools.cc());
        if (b.binary().isPresent()) {
            log.info("event=launcher node={} mode=native path={} how=\"{}\"", config.nodeName(), b.binary().get(), b.reason());
            return b.binary();
        }
        if (config.launcher().equals("native")) {
            throw new IllegalStateException("the native job launcher cannot be built: " + b.reason());
        }
        log.warn("event=launcher node={} mode=shell reason=\"{}\" note=\"jobs start through the shell chain "
                + "(job-wrapper.sh), which costs several times the CPU a job; install a C compiler (e.g. gcc) and "
                + "restart the agent for the native launcher\"", config.nodeName(), b.reason());
        return Optional.empty();
    }

    /** The node's resources as reported at registration (available after {@link #start()}). */
    public NodeResources resources() {
        NodeResources r = resources;
        if (r == null) throw new IllegalStateException("agent not started");
        return r;
    }

    /** {@code v2}, {@code v1} or {@code none} (available after {@link #start()}). */
    public String cgroupMode() {
        return resources().cgroupMode();
    }

    /** Whether the controller has accepted the registration (and not asked for a new one since). */
    public boolean registered() {
        return registered;
    }

    /** Ids of the jobs starting or running. */
    public List<Long> runningJobs() {
        JobSupervisor s = supervisor;
        return s == null ? List.of() : s.snapshot().running();
    }

    /** Terminates all jobs (SIGTERM, then SIGKILL after their grace) and waits for their end. */
    public boolean cancelAllJobs(String reason, Duration timeout) throws InterruptedException {
        JobSupervisor s = supervisor;
        return s == null || s.cancelAll(reason, timeout.toMillis());
    }

    /** Stops the agent; its jobs keep running and their state stays in the spool. */
    @Override
    public void close() {
        if (!closed.complete(null)) return;
        Thread t = linkThread;
        if (t != null) {
            t.interrupt();
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        StepRunner steps = stepRunner;
        if (steps != null) steps.close();
        JobSupervisor s = supervisor;
        if (s != null) s.close();
        LaunchServer server = launchServer;
        if (server != null) server.close();
        ResourceControl rc = control;
        if (rc != null) rc.close();
        if (ownsLink) link.close();
        log.info("event=agent_stop node={} running_jobs={}", config.nodeName(), s == null ? 0 : s.snapshot().running().size());
    }

    /** Blocks until {@link #close()} has been called. */
    public void awaitClosed() throws InterruptedException {
        try {
            closed.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    static String version() {
        String v = Agent.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    private static void warnIfNotTraversable(Path spool) {
        for (Path p = spool.toAbsolutePath(); p != null; p = p.getParent()) {
            try {
                if (!Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    log.warn("event=spool_not_traversable path={} note=\"jobs of other users cannot reach their scripts; "
                            + "make every directory above the spool searchable (o+x)\"", p);
                    return;
                }
            } catch (IOException e) {
                return;
            }
        }
    }

    // ---- the link loop -------------------------------------------------------------------------------

    private void runLink() {
        Backoff backoff = new Backoff(config.nodeName(), config.retryMax().toMillis());
        long heartbeatMs = DEFAULT_HEARTBEAT_MS;
        long waitMs = config.syncWait().toMillis();
        long seq = 0;
        int failures = 0;
        registered = false;
        while (!closed.isDone()) {
            try {
                if (!registered) {
                    Registered reg = await(link.register(resources), null, Duration.ofSeconds(60));
                    if (reg.heartbeatMillis() > 0) heartbeatMs = reg.heartbeatMillis();
                    // retry at least once a heartbeat: a controller that restarts declares DOWN, with their jobs,
                    // the nodes it has not heard from within its heartbeat timeout (three heartbeats)
                    backoff = new Backoff(config.nodeName(), Math.min(config.retryMax().toMillis(), heartbeatMs));
                    if (reg.syncWaitMillis() > 0) waitMs = reg.syncWaitMillis();
                    setSyncTimeout(waitMs);
                    seq = 0;
                    registered = true;
                    backoff.reset();
                    failures = 0;
                    log.info("event=registered node={} heartbeat_ms={} sync_wait_ms={}", config.nodeName(), heartbeatMs, waitMs);
                    continue;
                }
                CompletableFuture<Void> wake = wakeOnResult();
                JobSupervisor.Snapshot snap = supervisor.snapshot();
                StepRunner.Snapshot steps = stepRunner.snapshot();
                AgentSync req = new AgentSync(config.nodeName(), bootId, ++seq, snap.running(), snap.results(), steps.running(),
                        steps.results());
                long sentAt = System.nanoTime();
                CompletableFuture<AgentCommands> pending = link.sync(req);
                AgentCommands cmds = await(pending, wake, Duration.ofMillis(waitMs + heartbeatMs + 30_000));
                if (cmds == null) {
                    pending.cancel(true);   // a new result: report it now rather than at the end of the poll
                    continue;
                }
                if (failures > 0) log.info("event=controller_reachable node={} after_failures={}", config.nodeName(), failures);
                backoff.reset();
                failures = 0;
                apply(cmds);
                if (cmds.reregister()) {
                    registered = false;
                    log.info("event=reregister node={} reason=controller_asked", config.nodeName());
                    continue;
                }
                if (cmds.waitMillis() > 0 && cmds.waitMillis() != waitMs) {
                    waitMs = cmds.waitMillis();
                    setSyncTimeout(waitMs);
                }
                if (cmds.nothingToDo()) {
                    // an answer with nothing, well before the wait was over (a controller that does not hold
                    // polls): do not spin, sync again after a second or on a new result
                    long leftMs = Math.min(MIN_SYNC_GAP_MS, heartbeatMs) - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sentAt);
                    if (leftMs > 0) sleepUnlessWoken(leftMs, wakeOnResult());
                }
            } catch (InterruptedException e) {
                if (closed.isDone()) break;
            } catch (RuntimeException | IOException | TimeoutException e) {
                if (closed.isDone()) break;
                Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                failures++;
                if (cause instanceof ControllerException ce && !ce.unauthorized()
                        && (ce.status() == 404 || ce.status() == 409 || ce.status() == 410) && registered) {
                    registered = false;
                    log.warn("event=reregister node={} reason=\"{}\"", config.nodeName(), ce.getMessage());
                }
                long delay = backoff.nextDelayMs();
                if (cause instanceof ControllerException ce && ce.unauthorized()) {
                    if (failures == 1 || failures % 20 == 0) log.error("event=controller_refused_key node={} status={} failures={} retry_ms={}",
                            config.nodeName(), ce.status(), failures, delay);
                } else if (failures == 1 || failures % 20 == 0) {
                    log.warn("event=controller_unreachable node={} failures={} retry_ms={} error=\"{}\"",
                            config.nodeName(), failures, delay, String.valueOf(cause.getMessage()));
                }
                try {
                    sleepUnlessWoken(delay, null);
                } catch (InterruptedException ie) {
                    if (closed.isDone()) break;
                }
            }
        }
    }

    private void apply(AgentCommands cmds) {
        JobSupervisor s = supervisor;
        for (long id : cmds.ackResults()) log.debug("event=ack node={} job={}", config.nodeName(), id);
        s.ack(cmds.ackResults());
        for (CancelRequest c : cmds.cancel()) s.cancel(c);
        for (LaunchRequest l : cmds.launch()) s.launch(l);
        StepRunner steps = stepRunner;
        steps.ack(cmds.stepAcks());
        for (StepSignal sig : cmds.stepSignal()) steps.signal(sig);
        for (StepLaunch l : cmds.stepLaunch()) steps.launch(l);
    }

    /** Completes when a job's or a step's result is ready to report. */
    private CompletableFuture<Void> wakeOnResult() {
        CompletableFuture<Void> jobs = supervisor.nextResult();
        CompletableFuture<Void> steps = stepRunner.nextResult();
        return CompletableFuture.anyOf(jobs, steps).thenApply(x -> (Void) null);
    }

    private void setSyncTimeout(long waitMs) {
        if (link instanceof HttpControllerLink http) http.syncTimeout(Duration.ofMillis(waitMs + 30_000));
    }

    /**
     * Waits for {@code f}; returns null if {@code wake} completes first. Throws InterruptedException when the
     * agent closes.
     */
    private <T> T await(CompletableFuture<T> f, CompletableFuture<Void> wake, Duration limit)
            throws InterruptedException, IOException, TimeoutException {
        CompletableFuture<Object> any = wake == null ? CompletableFuture.anyOf(f, closed) : CompletableFuture.anyOf(f, wake, closed);
        try {
            any.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            // f failed: handled below
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new TimeoutException("the controller did not answer within " + limit.toSeconds() + " s");
        }
        if (f.isDone()) {
            try {
                return f.join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof IOException io) throw io;
                throw e;
            } catch (java.util.concurrent.CancellationException e) {
                throw new IOException("request cancelled", e);
            }
        }
        if (closed.isDone()) {
            f.cancel(true);
            throw new InterruptedException("agent closed");
        }
        return null;
    }

    private void sleepUnlessWoken(long ms, CompletableFuture<Void> wake) throws InterruptedException {
        CompletableFuture<Object> any = wake == null ? CompletableFuture.anyOf(closed) : CompletableFuture.anyOf(wake, closed);
        try {
            any.get(ms, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // slept
        }
        if (closed.isDone()) throw new InterruptedException("agent closed");
    }
}
