package io.bottega.server.loop;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bottega.api.Dependency;
import io.bottega.api.JobSubmission;
import io.bottega.api.JobView;
import io.bottega.api.NodeView;
import io.bottega.api.PartitionView;
import io.bottega.api.StepRequest;
import io.bottega.api.StepView;
import io.bottega.api.agent.AgentSync;
import io.bottega.api.agent.CancelRequest;
import io.bottega.api.agent.JobOutcome;
import io.bottega.api.agent.LaunchRequest;
import io.bottega.api.agent.NodeResources;
import io.bottega.api.agent.Registered;
import io.bottega.api.slurm.Dependencies;
import io.bottega.core.model.Allocation;
import io.bottega.core.model.Cluster;
import io.bottega.core.model.Demand;
import io.bottega.core.model.Hostlist;
import io.bottega.core.model.JobSpec;
import io.bottega.core.model.JobState;
import io.bottega.core.model.Partition;
import io.bottega.core.model.PendingReason;
import io.bottega.core.model.Verdict;
import io.bottega.core.sched.Decision;
import io.bottega.core.sched.PendingJob;
import io.bottega.core.sched.Plan;
import io.bottega.core.sched.Reservation;
import io.bottega.core.sched.ResourceLedger;
import io.bottega.core.sched.Scheduler;
import io.bottega.core.sched.SchedulerConfig;
import io.bottega.core.model.NodeSet;
import io.bottega.core.policy.AdvanceReservation;
import io.bottega.core.policy.FairShare;
import io.bottega.core.policy.PriorityFactors;
import io.bottega.server.accounting.AccountBook;
import io.bottega.server.store.ReservationRow;
import io.bottega.server.store.UsageRow;
import io.bottega.server.ControllerConfig;
import io.bottega.server.agents.AgentHub;
import io.bottega.server.jobs.AllocationCodec;
import io.bottega.server.jobs.Identity;
import io.bottega.server.jobs.JobEnvironment;
import io.bottega.server.jobs.JobFactory;
import io.bottega.server.jobs.RowBuilder;
import io.bottega.server.jobs.ServerJob;
import io.bottega.server.jobs.SubmitException;
import io.bottega.server.store.JobEvent;
import io.bottega.server.store.JobRow;
import io.bottega.server.store.NodeRow;
import io.bottega.server.store.StepRow;
import io.bottega.server.store.Store;
import io.bottega.server.steps.JobShape;
import io.bottega.server.steps.StepCoordinator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The controller's one thread of state: every active job, every node, the resource ledger and the
 * scheduler live here and are touched by this thread only. Other threads hand it work
 * ({@link #call}) and get futures back. After each batch of work, one scheduling pass runs if anything
 * changed; a pass also runs every {@code passInterval}, and forecasts every {@code forecastInterval}.
 *
 * <p>Durability: a submission is answered only once its rows are committed. A job is recorded RUNNING
 * (with its allocation) before its launch is sent to the agent, and an agent's result is acknowledged
 * only once the job's final state is committed; the store commits writes in order. So a crash of the
 * controller loses no acknowledged job, and a restarted controller finds every running job again.
 */
public final class ControllerLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControllerLoop.class);
    private static final int ID_BLOCK = 1000;
    private static final int RECENT_FINISHED = 20_000;

    private final ControllerConfig config;
    private final Cluster cluster;
    private final Store store;
    private final AgentHub hub;
    private final ObjectMapper json;
    private final AllocationCodec codec;
    private final Demand.Resolver resolver;
    private final ResourceLedger ledger;
    private final Scheduler scheduler;
    private final AccountBook book;
    /** Queue order by multifactor priority (else submit order). */
    private final boolean multifactor;
    /** Running jobs being preempted: SIGTERM sent, SIGKILL due at {@code killAtMillis}. */
    private final Map<Long, Preemption> preempting = new HashMap<>();
    private Map<String, Double> budgetLeft = Map.of();
    private long lastPriorityCalc = Long.MIN_VALUE / 2;
    private final LongSupplier clockMillis;
    private final String controllerUrl;
    private final LinkedBlockingQueue<Runnable> inbox = new LinkedBlockingQueue<>();
    private final Thread thread;
    private final ExecutorService launcher;
    /** Runs the forecasts of every pending job (easy and fcfs) off the loop thread. */
    private final ExecutorService forecaster;
    /** Threads of the scheduler's lanes beyond the first; null with one lane. */
    private final ThreadLanes laneThreads;
    private boolean forecastRunning;
    private volatile boolean running = true;
    private volatile boolean quiet;

    private final TreeMap<Long, ServerJob> pending = new TreeMap<>();
    private final Map<Long, ServerJob> runningJobs = new HashMap<>();
    /** The jobs of pending and runningJobs by user and QOS; kept by putPending, putRunning, removePending, removeRunning. */
    private final ActiveJobsByUser activeByUser = new ActiveJobsByUser();
    private final LinkedHashMap<Long, ServerJob> finished = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, ServerJob> e) { return size() > RECENT_FINISHED; }
    };
    private final Map<Long, Boolean> launchConfirmed = new HashMap<>();
    /**
     * Jobs whose end (or requeue) left the running set but is not committed yet: an agent that reports such a
     * job's result again is acknowledged only after that commit. Acknowledged sooner, the agent forgets the run;
     * a crash before the commit then finds the job RUNNING in the store, and the agent ignores its launch again.
     */
    private final Map<Long, CompletableFuture<Void>> unsettledEnds = new HashMap<>();
    private final Map<String, NodeInfo> nodes = new LinkedHashMap<>();
    private final StepCoordinator steps;
    private volatile java.util.function.BiFunction<JobRow, Long, String> jobTokens = (row, expires) -> "";
    private long nextId;
    private long idLimit;
    private boolean dirty = true;
    private long lastPass;
    private long lastForecast;
    /** Until then, a node whose agent has not synced since the controller started is not declared DOWN. */
    private volatile long recoveryDeadline;
    private final Stats stats = new Stats();

    /** Counters kept for /metrics and benchmarks (read from any thread). */
    public static final class Stats {
        public final AtomicLong submitted = new AtomicLong();
        public final AtomicLong started = new AtomicLong();
        public final AtomicLong ended = new AtomicLong();
        public final AtomicLong passes = new AtomicLong();
        public final AtomicLong passNanos = new AtomicLong();
        public volatile long lastPassNanos;
        public volatile int pendingCount;
        public volatile int runningCount;
        public final Map<String, Long> endedByState = new java.util.concurrent.ConcurrentHashMap<>();
        /** Told each pass's duration in nanoseconds, on the loop thread: must not block (the metrics' histogram). */
        public final List<java.util.function.LongConsumer> passObservers = new java.util.concurrent.CopyOnWriteArrayList<>();
    }

    private static final class NodeInfo {
        final String name;
        final int id;
        boolean registered;
        long lastSeen;
        String bootId = "";
        String adminState = "";
        String reason = "";
        long reasonTime;
        String reasonUser = "";
        String address = "";
        boolean lost;
        NodeResources resources;

        NodeInfo(String name, int id) {
            this.name = name;
            this.id = id;
        }

        boolean up() { return registered && !lost; }
    }

    /** A scheduler of this controller's policy, with its lanes. */
    private Scheduler newScheduler() {
        Scheduler s = new Scheduler(cluster, config.scheduler(), config.site().policies());
        return laneThreads != null ? s.lanes(laneThreads.lanes(), laneThreads) : s;
    }

    public ControllerLoop(ControllerConfig config, Store store, AgentHub hub, ObjectMapper json, LongSupplier clockMillis,
                          String controllerUrl) {
        this.config = config;
        this.cluster = config.cluster();
        this.store = store;
        this.hub = hub;
        this.json = json;
        this.clockMillis = clockMillis;
        this.controllerUrl = controllerUrl;
        this.codec = new AllocationCodec(cluster, json);
        this.resolver = new Demand.Resolver(cluster);
        this.ledger = new ResourceLedger(cluster);
        // a conservative pass splits into node-disjoint lanes (Booster, DCGP...): the first runs on the loop, the others here
        this.laneThreads = config.schedulerLanes() > 1 ? new ThreadLanes(config.schedulerLanes(), "bottega-scheduler-lane") : null;
        this.scheduler = newScheduler();
        this.book = new AccountBook(config.site(), cluster);
        this.multifactor = config.scheduler().order() == SchedulerConfig.Order.PRIORITY;
        this.steps = new StepCoordinator(store, hub, json, config.killGraceSeconds(), this::execute);
        this.forecaster = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "bottega-forecast");
            t.setDaemon(true);
            t.setPriority(Thread.NORM_PRIORITY - 1);
            return t;
        });
        this.launcher = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "bottega-launcher");
            t.setDaemon(true);
            return t;
        });
        for (int i = 0; i < cluster.nodeCount(); i++) {
            nodes.put(cluster.nodeName(i), new NodeInfo(cluster.nodeName(i), i));
            ledger.setSchedulable(i, false); // until its agent registers
        }
        this.recoveryDeadline = clockMillis.getAsLong() + config.heartbeatTimeout().toMillis();
        recover();
        this.thread = new Thread(this::run, "bottega-controller");
        this.thread.setDaemon(true);
    }

    public void start() { thread.start(); }

    /**
     * The API now takes agents' calls: the nodes of the previous run get a whole heartbeat timeout from here to
     * come back, not from the controller's start (recovering a big store, or a loaded machine, can take much of
     * it, and their jobs would end NODE_FAIL although they ran on).
     */
    public void agentsCanConnect() {
        recoveryDeadline = clockMillis.getAsLong() + config.heartbeatTimeout().toMillis();
    }

    public Stats stats() { return stats; }

    public Cluster cluster() { return cluster; }

    /**
     * How the loop signs a job's {@code BOTTEGA_JOB_TOKEN} (its user's token, valid until the given epoch
     * second), so that {@code srun} inside the job can reach the controller over TCP. Set before {@link #start()}.
     */
    public void jobTokens(java.util.function.BiFunction<JobRow, Long, String> issuer) { this.jobTokens = issuer; }

    // ------------------------------------------------------------------ threading

    /** Runs {@code work} on the loop thread and completes with its result. */
    public <T> CompletableFuture<T> call(Supplier<T> work) {
        CompletableFuture<T> f = new CompletableFuture<>();
        inbox.add(() -> {
            try {
                f.complete(work.get());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    private void execute(Runnable r) { inbox.add(r); }

    private void run() {
        long interval = config.passInterval().toMillis();
        while (running) {
            try {
                long since = clockMillis.getAsLong() - lastPass;
                long wait = interval - since;
                if (dirty) wait = Math.min(wait, passGapMillis() - since);
                Runnable r = inbox.poll(Math.max(1, wait), TimeUnit.MILLISECONDS);
                int n = 0;
                while (r != null) {
                    try {
                        r.run();
                    } catch (RuntimeException e) {
                        log.error("event=loop_task_failed error={}", e.toString(), e);
                    }
                    if (++n >= 50_000) break;
                    r = inbox.poll();
                }
                long now = clockMillis.getAsLong();
                if (quiet) continue;
                if (now - lastPass >= interval) {
                    tick(now);
                    dirty = true;
                }
                if (dirty && now - lastPass >= passGapMillis()) pass(now);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.error("event=loop_failed error={}", e.toString(), e);
            }
        }
    }

    /** What the last pass cost, in nanoseconds of the loop thread. */
    private long lastPassCost;

    /**
     * How long after a pass began the next one may run when only new work (a submission, an end, a release) asks
     * for it: four times what the last pass took, at most {@link #MAX_PASS_GAP_MILLIS}. A short queue is scheduled
     * at once; a deep one (a pass over 10,000 pending jobs takes milliseconds) is not scheduled again after each of
     * many submissions arriving one by one, which left the loop no time for the submissions themselves. The
     * periodic pass ({@code passInterval}) is not held back.
     */
    private long passGapMillis() {
        return Math.min(MAX_PASS_GAP_MILLIS, lastPassCost * 4 / 1_000_000);
    }

    private static final long MAX_PASS_GAP_MILLIS = 100;

    /** Stops judging nodes and scheduling (the controller is going down); requests are still answered. */
    public void quiesce() { quiet = true; }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        launcher.shutdown();
        forecaster.shutdownNow();
        if (laneThreads != null) laneThreads.close();
    }

    private long nowSeconds() { return clockMillis.getAsLong() / 1000; }

    // ------------------------------------------------------------------ recovery

    private void recover() {
        for (NodeRow n : store.nodes()) {
            NodeInfo info = nodes.get(n.name());
            if (info == null) continue;
            info.adminState = n.adminState();
            info.reason = n.reason();
            info.reasonTime = n.reasonTime();
            info.reasonUser = n.reasonUser();
        }
        int recovered = 0;
        for (JobRow row : store.activeJobs()) {
            ServerJob job;
            try {
                job = fromRow(row);
            } catch (RuntimeException e) {
                log.error("event=recover_job_failed job={} error={}", row.id(), e.getMessage());
                continue;
            }
            if (row.state().equals(JobState.RUNNING.name())) {
                try {
                    Allocation a = codec.read(row.allocationJson());
                    long end = row.startTime() + row.timeLimit() + config.killGraceSeconds();
                    ledger.allocate(row.id(), a, row.startTime(), end, row.user(), row.account(),
                            config.site().policies().qosOf(row.qos()).name());
                    job.allocation(a, codec.nodeNames(a));
                    putRunning(job);
                    launchConfirmed.put(row.id(), job.interactive());
                    if (job.interactive()) steps.alive(row.id(), clockMillis.getAsLong());
                } catch (RuntimeException e) {
                    log.error("event=recover_allocation_failed job={} error={}", row.id(), e.getMessage());
                    putPending(job);
                }
            } else {
                putPending(job);
            }
            recovered++;
        }
        reserveIds();
        long now = nowSeconds();
        // usage back to the start of the budget period, and far enough back for fair share's decay to matter
        long from = Math.min(book.periodStart(now), now - 10 * config.site().fairShareHalfLife());
        List<UsageRow> usage = store.usageSince(from);
        book.load(usage, now);
        List<AdvanceReservation> reservations = new ArrayList<>();
        for (ReservationRow r : store.reservations()) {
            try {
                reservations.add(reservationOf(r));
            } catch (RuntimeException e) {
                log.error("event=recover_reservation_failed reservation={} error={}", r.name(), e.getMessage());
            }
        }
        ledger.setReservations(reservations);
        if (!runningJobs.isEmpty()) {
            Map<Long, List<StepRow>> stepRows = new HashMap<>();
            for (StepRow r : store.steps(new ArrayList<>(runningJobs.keySet()))) {
                stepRows.computeIfAbsent(r.jobId(), k -> new ArrayList<>()).add(r);
            }
            stepRows.forEach((id, rows) -> steps.recover(runningJobs.get(id), shape(runningJobs.get(id)), rows));
        }
        log.info("event=recovered jobs={} running={} pending={} next_id={} usage_rows={} reservations={}", recovered, runningJobs.size(),
                pending.size(), nextId, usage.size(), reservations.size());
    }

    private ServerJob fromRow(JobRow row) {
        JobSubmission req;
        try {
            req = json.readValue(row.requestJson(), JobSubmission.class);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("job " + row.id() + ": unreadable request: " + e.getMessage(), e);
        }
        JobSpec spec = new JobSpec(row.id(), row.name(), row.user(), row.account(), row.partition(), row.qos(), row.submitTime(),
                row.timeLimit(), req.beginTime(), resourcesOf(req), req.reservation());
        Verdict v = resolver.resolve(spec);
        if (!(v instanceof Verdict.Fits fits)) {
            throw new IllegalStateException("job " + row.id() + " no longer fits the cluster: " + ((Verdict.Rejected) v).message());
        }
        List<Dependency> deps = List.of();
        boolean anyOf = false;
        if (!row.dependency().isEmpty()) {
            Dependencies.Parsed p = Dependencies.parse(row.dependency());
            deps = p.dependencies();
            anyOf = p.anyOf();
        }
        Map<String, String> arrayEnv = new LinkedHashMap<>();
        JobEnvironment.arrayBounds(arrayEnv, req.arraySpec().taskIds());
        ServerJob.LaunchOptions opts = new ServerJob.LaunchOptions("append".equalsIgnoreCase(req.openMode()), req.requeue(),
                "yes".equalsIgnoreCase(req.killOnInvalidDep()), req.arraySpec().maxConcurrent(),
                "", arrayEnv);
        ServerJob sj = new ServerJob(row, spec, fits.demand(), deps, anyOf, opts);
        sj.command(!req.wrap().isEmpty() ? req.wrap() : req.scriptPath());
        sj.interactive(req.interactive());
        return sj;
    }

    private static io.bottega.core.model.ResourceRequest resourcesOf(JobSubmission s) {
        return io.bottega.core.model.ResourceRequest.builder()
                .nodes(s.nodesMin(), s.nodesMax()).tasks(s.ntasks()).tasksPerNode(s.ntasksPerNode())
                .cpusPerTask(s.cpusPerGpu() > 0 ? s.cpusPerGpu() * Math.max(1, Math.max(s.gpusPerTask(), Math.max(s.gpusPerNode(), s.gpus()))) : s.cpusPerTask())
                .memPerNodeMb(s.memPerGpuMb() > 0 ? s.memPerGpuMb() * Math.max(1, Math.max(s.gpusPerNode(), s.gpus())) : s.memPerNodeMb())
                .memPerCpuMb(s.memPerCpuMb()).gpusPerNode(s.gpusPerNode()).gpusPerTask(s.gpusPerTask()).gpusTotal(s.gpus())
                .gpuType(s.gpuType()).constraints(s.constraints()).exclusive(s.exclusive()).build();
    }

    private void reserveIds() {
        nextId = store.reserveJobIds(ID_BLOCK);
        idLimit = nextId + ID_BLOCK;
    }

    private long[] takeIds(int count) {
        if (nextId + count > idLimit) {
            long first = store.reserveJobIds(Math.max(ID_BLOCK, count));
            nextId = first;
            idLimit = first + Math.max(ID_BLOCK, count);
        }
        long[] ids = new long[count];
        for (int i = 0; i < count; i++) ids[i] = nextId++;
        return ids;
    }

    // ------------------------------------------------------------------ submission

    /** The ids given to one submission: the job, or every element of an array. */
    public record Submitted(long jobId, List<Long> ids, String warning) {}

    /**
     * Adds a checked submission. {@code knownJobs} holds the stored rows of the jobs its dependencies name
     * (read by the caller), for jobs no longer active. Completes once the jobs are committed.
     */
    public CompletableFuture<Submitted> submit(JobFactory.Prepared p, Map<Long, JobRow> knownJobs) {
        CompletableFuture<Submitted> done = new CompletableFuture<>();
        execute(() -> {
            try {
                for (Dependency d : p.dependencies()) {
                    if (d.type() == Dependency.Type.SINGLETON) continue;
                    if (lookup(d.jobId(), knownJobs).isEmpty()) {
                        throw SubmitException.invalid("dependency", "Batch job submission failed: Job dependency problem "
                                + "(job " + d.jobId() + " is not known)");
                    }
                }
                checkSubmitLimit(p);
                addJobs(p, done);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    /** The QOS's limit on the jobs (pending and running) a user may have in it, as Slurm's MaxSubmitJobsPerUser. */
    private void checkSubmitLimit(JobFactory.Prepared p) {
        io.bottega.core.policy.Qos q = config.site().policies().qosOf(p.specTemplate().qos());
        if (q.maxSubmitPerUser() <= 0) return;
        String user = p.owner().user();
        long mine = activeByUser.count(user, asked -> q.name().equals(config.site().policies().qosOf(asked).name()));
        int adding = p.isArray() ? p.arrayTasks().size() : 1;
        if (mine + adding > q.maxSubmitPerUser()) {
            throw SubmitException.invalid("qos", "Batch job submission failed: Job violates accounting/QOS policy (job submit limit, user's "
                    + "size and/or time limits): user " + user + " has " + mine + " jobs in QOS " + q.name() + ", which allows "
                    + q.maxSubmitPerUser() + " (QOSMaxSubmitJobPerUserLimit)");
        }
    }

    // Every change to pending and runningJobs goes through these four, which keep activeByUser in step.

    private void putPending(ServerJob j) {
        pending.put(j.id(), j);
        activeByUser.add(j.user(), j.spec().qos(), j.id());
    }

    private void putRunning(ServerJob j) {
        runningJobs.put(j.id(), j);
        activeByUser.add(j.user(), j.spec().qos(), j.id());
    }

    private ServerJob removePending(long id) {
        ServerJob j = pending.remove(id);
        if (j != null && !runningJobs.containsKey(id)) activeByUser.remove(j.user(), j.spec().qos(), id);
        return j;
    }

    private ServerJob removeRunning(long id) {
        ServerJob j = runningJobs.remove(id);
        if (j != null && !pending.containsKey(id)) activeByUser.remove(j.user(), j.spec().qos(), id);
        return j;
    }

    private void addJobs(JobFactory.Prepared p, CompletableFuture<Submitted> done) {
        long now = nowSeconds();
        int count = p.isArray() ? p.arrayTasks().size() : 1;
        long[] ids = takeIds(count);
        long master = p.isArray() ? ids[0] : 0;
        String dependency = p.dependencies().isEmpty() ? "" : Dependencies.format(p.dependencies(), p.anyOf());
        List<JobRow> rows = new ArrayList<>(count);
        List<Store.JobScript> scripts = new ArrayList<>(count);
        List<ServerJob> jobs = new ArrayList<>(count);
        String account = p.specTemplate().account(), qos = p.specTemplate().qos();
        String warning = book.budgetWarning(account, now).orElse("");
        for (int i = 0; i < count; i++) {
            long id = ids[i];
            JobRow row = RowBuilder.create().id(id).array(master, p.isArray() ? p.arrayTasks().get(i) : -1).name(p.name())
                    .user(p.owner().user(), p.owner().uid(), p.owner().gid()).account(account)
                    .partition(p.partition()).qos(qos).state(JobState.PENDING.name()).submitTime(now)
                    .eligibleTime(Math.max(now, p.beginTime())).timeLimit(p.timeLimit()).hold(p.hold() ? "user" : "")
                    .dependency(dependency).requestJson(p.requestJson()).workDir(p.workDir())
                    .output(p.stdout(), p.stderr()).comment(p.request().comment()).build();
            rows.add(row);
            scripts.add(new Store.JobScript(id, p.script(), p.envJson()));
            JobSpec spec = new JobSpec(id, p.name(), p.owner().user(), account, p.partition(), qos,
                    now, p.timeLimit(), p.beginTime(), p.specTemplate().resources(), p.request().reservation());
            ServerJob sj = new ServerJob(row, spec, p.demand(), p.dependencies(), p.anyOf(), p.options());
            sj.command(!p.request().wrap().isEmpty() ? p.request().wrap() : p.request().scriptPath());
            sj.interactive(p.request().interactive());
            // what the next pass would say; a held job gives it no work (it cannot start), so it asks for none
            if (p.hold()) sj.reason(PendingReason.JOB_HELD_USER);
            jobs.add(sj);
        }
        for (ServerJob j : jobs) putPending(j);
        if (!p.hold()) dirty = true;
        stats.submitted.addAndGet(count);
        List<Long> idList = new ArrayList<>(count);
        for (long id : ids) idList.add(id);
        store.insertJobs(rows, scripts).whenComplete((v, err) -> {
            if (err == null) {
                done.complete(new Submitted(ids[0], idList, warning));
            } else {
                log.error("event=submit_store_failed first_job={} error={}", ids[0], err.toString());
                execute(() -> {
                    for (ServerJob j : jobs) dropUnstored(j);
                });
                done.completeExceptionally(new SubmitException(500, "", "Batch job submission failed: the store did not "
                        + "accept the job: " + rootMessage(err)));
            }
        });
    }

    /** Where and when a checked submission would start ({@code sbatch --test-only}): 0 start when never. */
    public record TestOnly(long start, List<String> nodes, long cpus, String partition) {}

    /**
     * Plans a checked submission on a copy of the current state, behind every pending job, without keeping
     * anything: when and where it would start.
     */
    public CompletableFuture<TestOnly> testOnly(JobFactory.Prepared p) {
        return call(() -> {
            long now = nowSeconds();
            ResourceLedger copy = snapshotLedger();
            List<PendingJob> queue = new ArrayList<>();
            for (ServerJob j : pending.values()) {
                queue.add(new PendingJob(j.spec(), j.demand(), effectivePriority(j), j.reason() == PendingReason.NONE
                        || j.reason() == PendingReason.PRIORITY || j.reason() == PendingReason.RESOURCES ? PendingReason.NONE : j.reason(),
                        j.spec().beginTime(), Reservation.NONE));
            }
            long probe = Long.MAX_VALUE / 2;
            JobSpec t = p.specTemplate();
            JobSpec spec = new JobSpec(probe, t.name(), t.user(), t.account(), t.partition(), t.qos(), now, t.timeLimit(), t.beginTime(),
                    t.resources(), t.reservation());
            PendingJob probeJob = PendingJob.of(spec, p.demand());
            if (multifactor) probeJob = probeJob.withPriority(book.priority(spec, p.demand(), now, now, FACTOR_RECALC_SECONDS).priority());
            queue.add(probeJob);
            Plan plan = new Scheduler(cluster, config.scheduler(), config.site().policies())
                    .schedule(now, copy, queue, Scheduler.Options.WITH_FORECAST);
            for (Decision.Start s : plan.starts()) {
                if (s.jobId() == probe) return new TestOnly(now, codec.nodeNames(s.allocation()), s.allocation().totalCores(), p.partition());
            }
            for (Decision.Reserve r : plan.reservations()) {
                if (r.jobId() == probe) {
                    List<String> names = new ArrayList<>();
                    for (int n : r.reservation().nodes()) names.add(cluster.nodeName(n));
                    return new TestOnly(r.reservation().start(), names, p.demand().totalCores(), p.partition());
                }
            }
            for (Decision.Wait w : plan.waits()) {
                if (w.jobId() == probe) {
                    return new TestOnly(w.predictedStart() == Plan.NEVER ? 0 : w.predictedStart(), List.of(), p.demand().totalCores(),
                            p.partition());
                }
            }
            return new TestOnly(0, List.of(), p.demand().totalCores(), p.partition());
        });
    }

    private void dropUnstored(ServerJob j) {
        removePending(j.id());
        if (removeRunning(j.id()) != null) {
            ledger.release(j.id());
            if (!j.nodeNames().isEmpty()) hub.cancel(j.nodeNames().get(0), new CancelRequest(j.id(), "job was never stored", 9, true));
        }
        dirty = true;
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) t = t.getCause();
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    /** A job by "123" or "123_4", active, recently finished, or among rows the caller read from the store. */
    private Optional<JobRow> lookup(String ref, Map<Long, JobRow> known) {
        int us = ref.indexOf('_');
        try {
            if (us < 0) {
                long id = Long.parseLong(ref);
                ServerJob j = active(id);
                if (j != null) return Optional.of(j.row());
                return Optional.ofNullable(known.get(id));
            }
            long master = Long.parseLong(ref.substring(0, us));
            int task = Integer.parseInt(ref.substring(us + 1));
            for (ServerJob j : allActive()) {
                if (j.row().arrayJobId() == master && j.row().arrayTaskId() == task) return Optional.of(j.row());
            }
            for (JobRow r : known.values()) if (r.arrayJobId() == master && r.arrayTaskId() == task) return Optional.of(r);
            return Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private ServerJob active(long id) {
        ServerJob j = pending.get(id);
        if (j == null) j = runningJobs.get(id);
        if (j == null) j = finished.get(id);
        return j;
    }

    private List<ServerJob> allActive() {
        List<ServerJob> all = new ArrayList<>(pending.size() + runningJobs.size() + finished.size());
        all.addAll(pending.values());
        all.addAll(runningJobs.values());
        all.addAll(finished.values());
        return all;
    }

    // ------------------------------------------------------------------ scheduling

    private void pass(long nowMillis) {
        dirty = false;
        lastPass = nowMillis;
        long now = nowMillis / 1000;
        boolean conservative = config.scheduler().backfill() == SchedulerConfig.Backfill.CONSERVATIVE;
        boolean forecastDue = !forecastRunning && nowMillis - lastForecast >= config.forecastInterval().toMillis();
        if (forecastDue) lastForecast = nowMillis;
        // a conservative pass is its own forecast; under easy and fcfs the forecast of every pending job runs on
        // a snapshot on another thread, so that a deep queue never holds up starts, ends and submissions
        boolean forecast = forecastDue && conservative;
        List<PendingJob> forecastQueue = forecastDue && !conservative ? new ArrayList<>(pending.size()) : null;
        long t0 = System.nanoTime();
        List<PendingJob> queue = new ArrayList<>(pending.size());
        Map<Long, Integer> arrayRunning = new HashMap<>();
        for (ServerJob r : runningJobs.values()) {
            if (r.row().arrayJobId() > 0) arrayRunning.merge(r.row().arrayJobId(), 1, Integer::sum);
        }
        List<ServerJob> toCancel = new ArrayList<>();
        refreshBudgets(now);
        // priorities are recalculated for every job once a minute (Slurm's PriorityCalcPeriod), new jobs at once
        boolean recalc = multifactor && now - lastPriorityCalc >= FACTOR_RECALC_SECONDS;
        if (recalc) lastPriorityCalc = now;
        for (ServerJob j : pending.values()) {
            if (multifactor && (recalc || j.factors() == null)) {
                long since = j.row().eligibleTime() > 0 ? j.row().eligibleTime() : j.row().submitTime();
                j.factors(book.priority(j.spec(), j.demand(), since, now, FACTOR_RECALC_SECONDS));
            }
            PendingReason hold = holdOf(j, arrayRunning, toCancel);
            // a pass without forecast names only the jobs it decides about: the others keep the reason the last
            // forecast gave them (Resources, Priority, a limit, a budget...), unless it was a hold that is over
            if (hold != PendingReason.NONE || forecast || CALLER_HOLDS.contains(j.reason())) j.reason(hold);
            boolean skip = false;
            if (hold != PendingReason.NONE) {
                j.predictedStart(Plan.NEVER);
                skip = !forecast && !conservative;
                // a held job is only looked at by a forecast: no need to build it a queue entry
                if (skip && forecastQueue == null) continue;
            }
            PendingJob pj = new PendingJob(j.spec(), j.demand(), effectivePriority(j), hold, j.spec().beginTime(), j.reservation());
            if (forecastQueue != null) forecastQueue.add(pj);
            if (skip) continue;
            queue.add(pj);
        }
        for (ServerJob j : toCancel) endPending(j, JobState.CANCELLED, "DependencyNeverSatisfied", -1);
        if (queue.isEmpty()) {
            if (forecastQueue != null) startForecast(now, forecastQueue);
            publishCounts();
            lastPassCost = System.nanoTime() - t0;
            return;
        }
        Plan plan = scheduler.schedule(now, ledger, queue, forecast ? Scheduler.Options.WITH_FORECAST : Scheduler.Options.DECISIONS_ONLY);
        List<JobRow> rows = new ArrayList<>();
        List<JobEvent> events = new ArrayList<>();
        List<LaunchPlan> launches = new ArrayList<>();
        List<StepRow> batchSteps = new ArrayList<>();
        for (Decision.Start s : plan.starts()) {
            ServerJob j = removePending(s.jobId());
            Allocation a = s.allocation();
            List<String> names = codec.nodeNames(a);
            j.allocation(a, names);
            j.reservation(Reservation.NONE);
            j.reason(PendingReason.NONE);
            JobRow row = RowBuilder.from(j.row()).state(JobState.RUNNING.name()).reason("").startTime(now)
                    .allocation(codec.write(a), Hostlist.compress(names)).build();
            j.row(row);
            putRunning(j);
            launchConfirmed.put(j.id(), j.interactive());
            rows.add(row);
            events.add(new JobEvent(j.id(), now, JobState.RUNNING.name(), row.nodeList()));
            if (j.interactive()) {
                steps.alive(j.id(), nowMillis);   // nothing to launch: the client runs its steps
            } else {
                launches.add(new LaunchPlan(row, j, a, names, address(names.get(0))));
                batchSteps.add(batchStep(row, JobState.RUNNING.name(), 0, a));
            }
        }
        for (Decision.Reserve r : plan.reservations()) {
            ServerJob j = pending.get(r.jobId());
            if (j == null) continue;
            j.reservation(r.reservation());
            j.reason(r.reason());
            j.predictedStart(r.reservation().start());
        }
        for (Decision.Wait w : plan.waits()) {
            ServerJob j = pending.get(w.jobId());
            if (j == null) continue;
            j.reason(w.reason());
            j.predictedStart(w.predictedStart());
        }
        for (Decision.Preempt pre : plan.preemptions()) preempt(pre, nowMillis);
        if (!forecast) {
            // jobs no forecast has looked at yet: at least the reason a limit, budget or reservation gives them
            for (PendingJob pj : queue) {
                ServerJob j = pending.get(pj.id());
                if (j == null || j.reason() != PendingReason.NONE || pj.hold() != PendingReason.NONE) continue;
                PendingReason why = scheduler.gateReason(pj, now, ledger);
                if (why != PendingReason.NONE) j.reason(why);
            }
        }
        if (!rows.isEmpty()) {
            stats.started.addAndGet(rows.size());
            store.updateJobs(rows, events).whenCompleteAsync((v, err) -> {
                if (err != null) {
                    log.error("event=start_store_failed jobs={} error={}", rows.size(), err.toString());
                    return; // the jobs stay RUNNING in memory without a launch; the recovery on restart re-sends it
                }
                for (LaunchPlan lp : launches) launch(lp);
            }, launcher);
            if (!batchSteps.isEmpty()) store.saveSteps(batchSteps);
        }
        long took = System.nanoTime() - t0;
        if (forecastQueue != null) startForecast(now, forecastQueue);
        stats.passes.incrementAndGet();
        stats.passNanos.addAndGet(took);
        stats.lastPassNanos = took;
        for (java.util.function.LongConsumer o : stats.passObservers) o.accept(took);
        publishCounts();
        lastPassCost = System.nanoTime() - t0;
    }

    /** Forecasts every pending job on a snapshot of the state, on the forecast thread; the results come back to the loop. */
    private void startForecast(long now, List<PendingJob> jobs) {
        List<PendingJob> q = new ArrayList<>(jobs.size());
        for (PendingJob p : jobs) if (pending.containsKey(p.id())) q.add(p);
        if (q.isEmpty()) return;
        ResourceLedger copy = snapshotLedger();
        forecastRunning = true;
        forecaster.execute(() -> {
            Plan plan = null;
            long t0 = System.nanoTime();
            try {
                plan = newScheduler().schedule(now, copy, q, Scheduler.Options.WITH_FORECAST);
            } catch (RuntimeException e) {
                log.error("event=forecast_failed jobs={} error={}", q.size(), e.toString(), e);
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            if (ms > 1000) log.info("event=forecast jobs={} ms={}", q.size(), ms);
            Plan result = plan;
            execute(() -> {
                forecastRunning = false;
                if (result != null) applyForecast(result);
            });
        });
    }

    /** A forecast's predicted starts and reasons, for the jobs still pending (holds decided since then stay). */
    private void applyForecast(Plan plan) {
        for (Decision.Start s : plan.starts()) {
            ServerJob j = pending.get(s.jobId());
            if (j != null && !CALLER_HOLDS.contains(j.reason())) j.predictedStart(plan.now());
        }
        for (Decision.Reserve r : plan.reservations()) {
            ServerJob j = pending.get(r.jobId());
            if (j == null || CALLER_HOLDS.contains(j.reason())) continue;
            j.reason(r.reason());
            j.predictedStart(r.reservation().start());
        }
        for (Decision.Wait w : plan.waits()) {
            ServerJob j = pending.get(w.jobId());
            if (j == null || CALLER_HOLDS.contains(j.reason())) continue;
            j.reason(w.reason());
            j.predictedStart(w.predictedStart());
        }
    }

    /** A copy of the ledger: node states, running jobs, advance reservations and budgets. */
    private ResourceLedger snapshotLedger() {
        ResourceLedger copy = new ResourceLedger(cluster);
        for (int i = 0; i < cluster.nodeCount(); i++) copy.setSchedulable(i, ledger.isSchedulable(i));
        for (ResourceLedger.Running r : ledger.running()) {
            copy.allocate(r.jobId(), r.allocation(), r.start(), r.expectedEnd(), r.user(), r.account(), r.qos());
        }
        copy.setReservations(ledger.reservations());
        copy.setBudgetLeft(ledger.budgetLeft());
        return copy;
    }

    /** Reasons the loop decides (holds, dependencies, array limits) rather than the scheduler. */
    private static final java.util.Set<PendingReason> CALLER_HOLDS = java.util.EnumSet.of(PendingReason.JOB_HELD_USER,
            PendingReason.JOB_HELD_ADMIN, PendingReason.DEPENDENCY, PendingReason.DEPENDENCY_NEVER_SATISFIED,
            PendingReason.JOB_ARRAY_TASK_LIMIT);

    private void publishCounts() {
        stats.pendingCount = pending.size();
        stats.runningCount = runningJobs.size();
    }

    private PendingReason holdOf(ServerJob j, Map<Long, Integer> arrayRunning, List<ServerJob> toCancel) {
        JobRow r = j.row();
        if (r.hold().equals("user")) return PendingReason.JOB_HELD_USER;
        if (r.hold().equals("admin")) return PendingReason.JOB_HELD_ADMIN;
        if (!j.dependencies().isEmpty()) {
            DependencyState d = dependencyState(j);
            if (d == DependencyState.NEVER) {
                if (j.options().killOnInvalidDep()) toCancel.add(j);
                return PendingReason.DEPENDENCY_NEVER_SATISFIED;
            }
            if (d == DependencyState.WAITING) return PendingReason.DEPENDENCY;
        }
        int max = j.options().arrayMaxConcurrent();
        if (max > 0 && r.arrayJobId() > 0) {
            int now = arrayRunning.getOrDefault(r.arrayJobId(), 0);
            if (now >= max) return PendingReason.JOB_ARRAY_TASK_LIMIT;
            arrayRunning.put(r.arrayJobId(), now + 1); // at most max - running elements may start in this pass
        }
        return PendingReason.NONE;
    }

    private enum DependencyState { SATISFIED, WAITING, NEVER }

    private DependencyState dependencyState(ServerJob j) {
        boolean anyOf = j.dependencyAnyOf();
        boolean allOk = true;
        boolean anyOk = false;
        boolean anyNever = false;
        boolean allNever = true;
        for (Dependency d : j.dependencies()) {
            DependencyState s = one(j, d);
            allOk &= s == DependencyState.SATISFIED;
            anyOk |= s == DependencyState.SATISFIED;
            anyNever |= s == DependencyState.NEVER;
            allNever &= s == DependencyState.NEVER;
        }
        if (anyOf) return anyOk ? DependencyState.SATISFIED : allNever ? DependencyState.NEVER : DependencyState.WAITING;
        return allOk ? DependencyState.SATISFIED : anyNever ? DependencyState.NEVER : DependencyState.WAITING;
    }

    private DependencyState one(ServerJob j, Dependency d) {
        if (d.type() == Dependency.Type.SINGLETON) {
            for (ServerJob o : runningJobs.values()) {
                if (o.user().equals(j.user()) && o.row().name().equals(j.row().name())) return DependencyState.WAITING;
            }
            for (ServerJob o : pending.headMap(j.id()).values()) {
                if (o.user().equals(j.user()) && o.row().name().equals(j.row().name())) return DependencyState.WAITING;
            }
            return DependencyState.SATISFIED;
        }
        List<JobRow> targets = targets(d.jobId());
        if (targets.isEmpty()) return DependencyState.SATISFIED; // finished long ago and no longer in memory: checked at submit
        boolean waiting = false;
        for (JobRow t : targets) {
            JobState s = JobState.valueOf(t.state());
            switch (d.type()) {
                case AFTER -> {
                    if (s == JobState.PENDING) waiting = true;
                    else if (s == JobState.RUNNING && t.startTime() + d.delaySeconds() > nowSeconds()) waiting = true;
                }
                case AFTERANY -> {
                    if (!s.isFinal()) waiting = true;
                }
                case AFTEROK -> {
                    if (!s.isFinal()) waiting = true;
                    else if (s != JobState.COMPLETED) return DependencyState.NEVER;
                }
                case AFTERNOTOK -> {
                    if (!s.isFinal()) waiting = true;
                    else if (s == JobState.COMPLETED) return DependencyState.NEVER;
                }
                default -> { }
            }
        }
        return waiting ? DependencyState.WAITING : DependencyState.SATISFIED;
    }

    /** The jobs a dependency names: one job, one array element, or every element of an array by its master id. */
    private List<JobRow> targets(String ref) {
        List<JobRow> out = new ArrayList<>();
        int us = ref.indexOf('_');
        long id;
        int task = -2;
        try {
            id = Long.parseLong(us < 0 ? ref : ref.substring(0, us));
            if (us >= 0) task = Integer.parseInt(ref.substring(us + 1));
        } catch (NumberFormatException e) {
            return out;
        }
        ServerJob direct = active(id);
        for (ServerJob j : allActive()) {
            JobRow r = j.row();
            boolean element = r.arrayJobId() == id && r.arrayJobId() != 0 && (task == -2 || r.arrayTaskId() == task);
            if (element || (task == -2 && r.id() == id && r.arrayJobId() == 0)) out.add(r);
        }
        if (out.isEmpty() && direct != null) out.add(direct.row());
        return out;
    }

    /** Everything a launcher thread needs, copied on the loop thread. */
    private record LaunchPlan(JobRow row, ServerJob job, Allocation allocation, List<String> nodes, String masterAddr) {}

    private void launch(LaunchPlan lp) {
        try {
            hub.launch(lp.nodes().get(0), launchRequest(lp));
        } catch (Exception e) {
            launchFailed(lp, e);
        }
    }

    private void launchFailed(LaunchPlan lp, Exception e) {
        log.error("event=launch_failed job={} error={}", lp.row().id(), e.toString());
        execute(() -> {
            ServerJob j = runningJobs.get(lp.row().id());
            if (j != null) endRunning(j, JobState.FAILED, "launch failed: " + e.getMessage(), 1, 0, nowSeconds());
        });
    }

    /** What the agent of the job's first node is told to run (reads the job's script from the store). */
    private LaunchRequest launchRequest(LaunchPlan lp) throws Exception {
        Store.JobScript script = store.script(lp.row().id()).orElseThrow(() -> new IllegalStateException("no script stored"));
        Map<String, String> exported = json.readValue(script.envJson(), new TypeReference<LinkedHashMap<String, String>>() { });
        Map<String, String> env = jobEnvironment(lp.row(), lp.job(), lp.allocation(), lp.nodes(), exported, lp.masterAddr());
        Allocation a = lp.allocation();
        JobRow row = lp.row();
        List<Integer> cpus = new ArrayList<>();
        long[] coreIds = a.coreIds(0);
        for (int w = 0; w < coreIds.length; w++) {
            long x = coreIds[w];
            while (x != 0) {
                cpus.add((w << 6) + Long.numberOfTrailingZeros(x));
                x &= x - 1;
            }
        }
        List<Integer> gpus = new ArrayList<>();
        long g = a.gpuMask(0);
        while (g != 0) {
            gpus.add(Long.numberOfTrailingZeros(g));
            g &= g - 1;
        }
        return new LaunchRequest(row.id(), row.user(), row.uid(), row.gid(), script.script(), row.workDir(), env,
                row.stdoutPath(), row.stderrPath(), "", lp.job().options().appendOutput(), cpus, a.memMb(0), gpus,
                row.timeLimit(), config.killGraceSeconds(), row.name(), row.arrayJobId(), row.arrayTaskId(),
                Hostlist.compress(lp.nodes()), 0);
    }

    // ------------------------------------------------------------------ job ends

    private void endPending(ServerJob j, JobState state, String reason, int exitCode) {
        removePending(j.id());
        long now = nowSeconds();
        JobRow row = RowBuilder.from(j.row()).state(state.name()).reason(reason).endTime(now)
                .exit(Math.max(0, exitCode), 0).build();
        j.row(row);
        finished.put(j.id(), j);
        stats.ended.incrementAndGet();
        stats.endedByState.merge(state.name(), 1L, Long::sum);
        store.updateJobs(List.of(row), List.of(new JobEvent(j.id(), now, state.name(), reason)));
        dirty = true;
    }

    /** Ends a running job: frees its resources, records its end; returns the commit of that record. */
    private CompletableFuture<Void> endRunning(ServerJob j, JobState state, String reason, int exitCode, int signal, long endTime) {
        steps.jobEnded(j.id(), state.name(), reason, nowSeconds());
        removeRunning(j.id());
        launchConfirmed.remove(j.id());
        if (ledger.running(j.id()).isPresent()) ledger.release(j.id());
        preempting.remove(j.id());
        JobRow row = RowBuilder.from(j.row()).state(state.name()).reason(reason).endTime(Math.max(endTime, j.row().startTime()))
                .exit(exitCode, signal).build();
        charge(j, row.startTime(), row.endTime());
        j.row(row);
        finished.put(j.id(), j);
        stats.ended.incrementAndGet();
        stats.endedByState.merge(state.name(), 1L, Long::sum);
        dirty = true;
        CompletableFuture<Void> done = store.updateJobs(List.of(row), List.of(new JobEvent(j.id(), row.endTime(), state.name(), reason)));
        if (!j.interactive() && row.startTime() > 0) store.saveSteps(List.of(batchStep(row, state.name(), row.endTime(), j.allocation())));
        return unsettled(j.id(), done);
    }

    /** Tracks the commit of a job's end until it is done (see {@link #unsettledEnds}); returns it. */
    private CompletableFuture<Void> unsettled(long id, CompletableFuture<Void> commit) {
        unsettledEnds.put(id, commit);
        commit.whenComplete((v, err) -> execute(() -> unsettledEnds.remove(id, commit)));
        return commit;
    }

    /** A job of a failed node: back to the queue (keeping its place) or NODE_FAIL, by its --requeue and the cluster's default. */
    private void nodeFailed(ServerJob j, String why) {
        String rq = j.options().requeue();
        boolean requeue = rq.equalsIgnoreCase("yes") || rq.equalsIgnoreCase("true")
                || (rq.isEmpty() && config.requeueOnNodeFail());
        long now = nowSeconds();
        if (!requeue) {
            endRunning(j, JobState.NODE_FAIL, why, 0, 0, now);
            return;
        }
        steps.jobEnded(j.id(), JobState.NODE_FAIL.name(), why, now);
        removeRunning(j.id());
        launchConfirmed.remove(j.id());
        preempting.remove(j.id());
        if (ledger.running(j.id()).isPresent()) ledger.release(j.id());
        charge(j, j.row().startTime(), now);
        j.clearAllocation();
        JobRow row = RowBuilder.from(j.row()).state(JobState.PENDING.name()).reason("NodeFail").startTime(0)
                .allocation("", "").requeueCount(j.row().requeueCount() + 1).build();
        j.row(row);
        putPending(j);
        dirty = true;
        unsettled(j.id(), store.updateJobs(List.of(row), List.of(new JobEvent(j.id(), now, JobState.NODE_FAIL.name(), why),
                new JobEvent(j.id(), now, JobState.PENDING.name(), "requeued"))));
    }

    // ------------------------------------------------------------------ agents

    public CompletableFuture<Registered> register(NodeResources res) {
        return call(() -> {
            NodeInfo n = nodes.get(res.name());
            if (n == null) {
                throw SubmitException.invalid("name", "node " + res.name() + " is not declared in the cluster "
                        + cluster.name() + " (known: " + Hostlist.compress(nodes.keySet()) + ")");
            }
            int id = n.id;
            List<String> mismatch = new ArrayList<>();
            if (res.cores() < cluster.cores(id)) mismatch.add("cores " + res.cores() + " < declared " + cluster.cores(id));
            if (res.gpus().size() < cluster.gpus(id)) mismatch.add("gpus " + res.gpus().size() + " < declared " + cluster.gpus(id));
            if (res.memoryMb() < cluster.memoryMb(id)) mismatch.add("memory " + res.memoryMb() + " MB < declared " + cluster.memoryMb(id));
            n.resources = res;
            n.address = res.address();
            n.registered = true;
            n.lastSeen = clockMillis.getAsLong();
            if (!mismatch.isEmpty()) {
                log.warn("event=node_smaller_than_declared node={} detail=\"{}\"", n.name, String.join("; ", mismatch));
                if (n.adminState.isEmpty()) {
                    n.adminState = "drain";
                    n.reason = "Low resources: " + String.join("; ", mismatch);
                    n.reasonTime = nowSeconds();
                    n.reasonUser = "bottega";
                    saveNode(n);
                }
            }
            if (n.lost) log.info("event=node_back node={}", n.name);
            n.lost = false;
            updateSchedulable(n);
            dirty = true;
            log.info("event=node_registered node={} cores={} gpus={} memory_mb={} cgroup={}", n.name, res.cores(),
                    res.gpus().size(), res.memoryMb(), res.cgroupMode());
            return new Registered(n.name, Math.max(1000, config.heartbeatTimeout().toMillis() / 3), config.syncWait().toMillis());
        });
    }

    /** Applies an agent's report (results, running jobs) on the loop thread. */
    public void report(AgentSync sync) {
        execute(() -> applyReport(sync));
    }

    /** Whether a sync comes from a node this cluster declares. */
    public boolean knows(String node) { return cluster.nodeId(node).isPresent(); }

    private void applyReport(AgentSync sync) {
        NodeInfo n = nodes.get(sync.node());
        if (n == null) return;
        long nowMs = clockMillis.getAsLong();
        n.lastSeen = nowMs;
        if (!n.registered) {
            hub.askToRegister(n.name);
        } else if (n.lost) {
            n.lost = false;
            updateSchedulable(n);
            log.info("event=node_back node={}", n.name);
        }
        for (JobOutcome o : sync.results()) {
            ServerJob j = runningJobs.get(o.jobId());
            if (j == null || j.nodeNames().isEmpty() || !j.nodeNames().get(0).equals(n.name)) {
                // finished earlier (its ack was lost or is on its way) or not ours: let the agent forget it, once
                // the end this controller recorded is committed
                String node = n.name;
                long id = o.jobId();
                CompletableFuture<Void> end = unsettledEnds.get(id);
                if (end == null) hub.ack(node, id);
                else end.thenRun(() -> hub.ack(node, id));
                continue;
            }
            JobState state;
            try {
                state = JobState.valueOf(o.state());
            } catch (IllegalArgumentException e) {
                state = JobState.FAILED;
            }
            if (state == JobState.NODE_FAIL && n.adminState.isEmpty()) {
                // the node could not run a job (no cgroup, no spool...): keep others off it until an operator looks
                n.adminState = "drain";
                n.reason = "job " + o.jobId() + " failed on the node: " + o.message();
                n.reasonTime = nowMs / 1000;
                n.reasonUser = "bottega";
                updateSchedulable(n);
                saveNode(n);
                log.warn("event=node_drained node={} reason=\"{}\"", n.name, n.reason);
            }
            long end = o.endedAtMillis() > 0 ? o.endedAtMillis() / 1000 : nowMs / 1000;
            Preemption pre = preempting.get(o.jobId());
            if (pre != null) {
                String node = n.name;
                long id = j.id();
                preempted(j, pre, end).thenRun(() -> hub.ack(node, id));
                continue;
            }
            String reason = state == JobState.TIMEOUT ? "TimeLimit" : state == JobState.OUT_OF_MEMORY ? "OutOfMemory"
                    : state == JobState.CANCELLED ? (o.message().isEmpty() ? "Cancelled" : o.message()) : o.message();
            String node = n.name;
            long id = j.id();
            endRunning(j, state, reason, o.exitCode(), o.signal(), end).thenRun(() -> hub.ack(node, id));
        }
        java.util.Set<Long> listed = new java.util.HashSet<>(sync.running());
        for (long id : sync.running()) {
            ServerJob j = runningJobs.get(id);
            if (j != null && !j.nodeNames().isEmpty() && j.nodeNames().get(0).equals(n.name)) {
                if (!Boolean.TRUE.equals(launchConfirmed.put(id, true))) hub.confirmed(n.name, id);
            } else if (j == null) {
                boolean reported = sync.results().stream().anyMatch(o -> o.jobId() == id);
                if (!reported) hub.cancel(n.name, new CancelRequest(id, "the controller does not know this job as running here", 0, false));
            }
        }
        for (ServerJob j : new ArrayList<>(runningJobs.values())) {
            if (j.interactive()) continue;
            if (j.nodeNames().isEmpty() || !j.nodeNames().get(0).equals(n.name) || listed.contains(j.id())) continue;
            boolean reported = sync.results().stream().anyMatch(o -> o.jobId() == j.id());
            if (reported) continue;
            if (Boolean.TRUE.equals(launchConfirmed.get(j.id()))) {
                log.warn("event=job_lost job={} node={}", j.id(), n.name);
                nodeFailed(j, "job lost by the agent of " + n.name);
            } else if (j.row().startTime() * 1000 < nowMs - 10_000) {
                // persisted RUNNING, but the agent never had it (the controller died before the launch went out): re-send
                relaunch(j);
            }
        }
        steps.report(n.name, sync.steps(), sync.stepResults(), nowMs / 1000);
    }

    /** Launches sent again to jobs their agent does not list: when the last went, and how many so far. */
    private record Relaunches(long lastAtMs, int sent) {}

    private final Map<Long, Relaunches> relaunches = new HashMap<>();
    /** Launches sent again to an agent that syncs all along without ever listing the job, before the job is given up. */
    static final int MAX_RELAUNCHES = 5;

    private void relaunch(ServerJob j) {
        long nowMs = clockMillis.getAsLong();
        Relaunches before = relaunches.get(j.id());
        if (before != null && nowMs - before.lastAtMs() < 10_000) return;
        int sent = before == null ? 0 : before.sent();
        if (sent >= MAX_RELAUNCHES) {
            // the agent answers but does not take the job (it may have run it and forgotten the result): do not
            // leave it RUNNING until its time limit; NODE_FAIL, or back to the queue, as any job its node lost
            String node = j.nodeNames().get(0);
            log.warn("event=job_not_taken job={} node={} launches={}", j.id(), node, sent + 1);
            hub.gone(node, j.id());   // no more repeats of its launch
            nodeFailed(j, "the agent of " + node + " did not take the job, launched " + (sent + 1) + " times");
            return;
        }
        relaunches.put(j.id(), new Relaunches(nowMs, sent + 1));
        LaunchPlan lp = new LaunchPlan(j.row(), j, j.allocation(), j.nodeNames(), address(j.nodeNames().get(0)));
        launcher.execute(() -> {
            try {
                LaunchRequest req = launchRequest(lp);
                // queued from the loop: not once the job has ended or been given up meanwhile (it would be repeated for ever)
                execute(() -> {
                    if (runningJobs.get(j.id()) == j && !Boolean.TRUE.equals(launchConfirmed.get(j.id()))) hub.launch(lp.nodes().get(0), req);
                });
            } catch (Exception e) {
                launchFailed(lp, e);
            }
        });
    }

    private void tick(long nowMs) {
        long timeout = config.heartbeatTimeout().toMillis();
        for (NodeInfo n : nodes.values()) {
            boolean silent = n.registered ? nowMs - n.lastSeen > timeout : nowMs > recoveryDeadline;
            if (!silent || n.lost) continue;
            boolean hasJobs = runningJobs.values().stream().anyMatch(j -> j.nodeNames().contains(n.name));
            if (!n.registered && !hasJobs) continue;
            n.lost = true;
            updateSchedulable(n);
            log.warn("event=node_down node={} last_seen_ms_ago={}", n.name, n.registered ? nowMs - n.lastSeen : -1);
            hub.reset(n.name);
            steps.nodeLost(n.name, nowMs / 1000);
            for (ServerJob j : new ArrayList<>(runningJobs.values())) {
                if (j.nodeNames().contains(n.name)) nodeFailed(j, "node " + n.name + " stopped answering");
            }
        }
        steps.expireEnded(nowMs / 1000);
        // interactive allocations: their client must keep them alive, and nothing on the nodes enforces their limit
        for (long id : steps.silent(nowMs, timeout)) {
            ServerJob j = runningJobs.get(id);
            if (j == null) continue;
            log.info("event=allocation_abandoned job={} silent_ms={}", id, timeout);
            endRunning(j, JobState.CANCELLED, "the allocation's client (salloc/srun) went away", 0, 0, nowMs / 1000);
        }
        for (ServerJob j : new ArrayList<>(runningJobs.values())) {
            if (j.interactive() && nowMs / 1000 >= j.row().startTime() + j.row().timeLimit()) {
                endRunning(j, JobState.TIMEOUT, "TimeLimit", 0, 0, nowMs / 1000);
            }
        }
        // a job far past its limit whose agent never reported: the agent enforces limits, this is the safety net
        long now = nowMs / 1000;
        for (ServerJob j : new ArrayList<>(runningJobs.values())) {
            long deadline = j.row().startTime() + j.row().timeLimit() + config.killGraceSeconds() + timeout / 1000 + 60;
            if (now > deadline) {
                log.warn("event=job_overdue job={}", j.id());
                if (!j.nodeNames().isEmpty()) hub.cancel(j.nodeNames().get(0), new CancelRequest(j.id(), "overdue", 9, true));
                endRunning(j, JobState.TIMEOUT, "TimeLimit (no report from the node)", 0, 9, now);
            }
        }
        relaunches.keySet().removeIf(id -> !runningJobs.containsKey(id));
        if (!preempting.isEmpty()) killPreempted(nowMs);
    }

    /** Preempted jobs whose grace is over: SIGKILL (an interactive allocation ends at once: nothing reports its end). */
    private void killPreempted(long nowMs) {
        for (Map.Entry<Long, Preemption> e : new ArrayList<>(preempting.entrySet())) {
            Preemption pre = e.getValue();
            ServerJob j = runningJobs.get(e.getKey());
            if (j == null) {
                preempting.remove(e.getKey());
                continue;
            }
            if (pre.killSent() || nowMs < pre.killAtMillis()) continue;
            String why = "preempted by job " + pre.forJob();
            steps.signalAll(j.id(), 9, why);
            if (j.interactive()) {
                preempted(j, pre, nowMs / 1000);
                continue;
            }
            if (!j.nodeNames().isEmpty()) hub.cancel(j.nodeNames().get(0), new CancelRequest(j.id(), why, 0, true));
            preempting.put(j.id(), pre.withKillSent());
        }
    }

    private void updateSchedulable(NodeInfo n) {
        boolean ok = n.up() && n.adminState.isEmpty();
        if (ledger.isSchedulable(n.id) != ok) ledger.setSchedulable(n.id, ok);
    }

    private void saveNode(NodeInfo n) {
        store.saveNode(new NodeRow(n.name, n.adminState, n.reason, n.reasonTime, n.reasonUser, "", n.lastSeen));
    }

    // ------------------------------------------------------------------ user actions

    /** What a cancel did: the jobs it signalled or ended, and the ones it could not touch, with why. */
    public record CancelResult(List<Long> cancelled, Map<String, String> refused) {}

    public CompletableFuture<CancelResult> cancel(JobFilter filter, Identity who, int signal, String reason) {
        return call(() -> {
            List<Long> done = new ArrayList<>();
            Map<String, String> refused = new LinkedHashMap<>();
            List<ServerJob> matches = new ArrayList<>();
            for (ServerJob j : pending.values()) if (filter.matches(j.row())) matches.add(j);
            for (ServerJob j : runningJobs.values()) if (filter.matches(j.row())) matches.add(j);
            for (String id : filter.ids()) {
                boolean any = matches.stream().anyMatch(j -> JobFilter.ids(List.of(id)).matches(j.row()));
                if (!any) {
                    boolean finishedMatch = finished.values().stream().anyMatch(j -> JobFilter.ids(List.of(id)).matches(j.row()));
                    refused.put(id, finishedMatch ? "Job/step already completing or completed" : "Invalid job id specified");
                }
            }
            String by = reason.isEmpty() ? "cancelled by " + who.user() : reason;
            for (ServerJob j : matches) {
                if (!who.mayActOn(j.user())) {
                    refused.put(Long.toString(j.id()), "Access/permission denied");
                    continue;
                }
                if (j.state() == JobState.PENDING) {
                    if (signal != 0) continue; // a signal only reaches running jobs
                    endPending(j, JobState.CANCELLED, by, 0);
                } else if (j.interactive()) {
                    steps.signalAll(j.id(), signal, by);
                    if (signal == 0 || signal == 9) endRunning(j, JobState.CANCELLED, by, 0, 0, nowSeconds());
                } else if (!j.nodeNames().isEmpty()) {
                    hub.cancel(j.nodeNames().get(0), new CancelRequest(j.id(), by, signal, false));
                    steps.signalAll(j.id(), signal, by);   // every node that ran a step of the job, not only the batch node
                    NodeInfo n = nodes.get(j.nodeNames().get(0));
                    if (signal == 0 && (n == null || n.lost)) endRunning(j, JobState.CANCELLED, by, 0, 15, nowSeconds());
                }
                done.add(j.id());
            }
            return new CancelResult(done, refused);
        });
    }

    public CompletableFuture<List<Long>> hold(JobFilter filter, Identity who, boolean release) {
        return call(() -> {
            List<Long> changed = new ArrayList<>();
            List<JobRow> rows = new ArrayList<>();
            List<JobEvent> events = new ArrayList<>();
            for (ServerJob j : pending.values()) {
                if (!filter.matches(j.row())) continue;
                if (!who.mayActOn(j.user())) throw SubmitException.forbidden("Access/permission denied for job " + j.id());
                String newHold;
                if (release) {
                    if (j.row().hold().equals("admin") && !who.operator()) {
                        throw SubmitException.forbidden("job " + j.id() + " is held by an administrator: only an operator may release it");
                    }
                    newHold = "";
                } else {
                    newHold = who.operator() && !who.user().equals(j.user()) ? "admin" : "user";
                }
                if (newHold.equals(j.row().hold())) continue;
                JobRow row = RowBuilder.from(j.row()).hold(newHold).priority(release ? j.row().priority() : 0).build();
                j.row(row);
                rows.add(row);
                events.add(new JobEvent(j.id(), nowSeconds(), JobState.PENDING.name(), release ? "released" : "held (" + newHold + ")"));
                changed.add(j.id());
            }
            if (changed.isEmpty() && !filter.ids().isEmpty()) {
                boolean any = allActive().stream().anyMatch(j -> filter.matches(j.row()));
                if (!any) throw SubmitException.notFound("Invalid job id specified");
            }
            if (!rows.isEmpty()) store.updateJobs(rows, events);
            dirty = true;
            return changed;
        });
    }

    /** {@code scontrol update JobId=...}: the fields that may change, with the same checks as a submission. */
    public record JobUpdate(Optional<Long> timeLimit, Optional<String> name, Optional<String> comment,
                            Optional<String> partition, Optional<String> qos, Optional<Long> priority) {}

    public CompletableFuture<JobView> update(long id, JobUpdate u, Identity who) {
        return call(() -> {
            ServerJob j = pending.get(id);
            if (j == null) j = runningJobs.get(id);
            if (j == null) throw SubmitException.notFound("Invalid job id specified");
            if (!who.mayActOn(j.user())) throw SubmitException.forbidden("Access/permission denied");
            boolean isPending = j.state() == JobState.PENDING;
            RowBuilder b = RowBuilder.from(j.row());
            JobSpec spec = j.spec();
            if (u.partition().isPresent() || u.qos().isPresent()) {
                if (!isPending) throw SubmitException.invalid("partition", "Job is no longer pending execution for job " + id);
            }
            if (u.priority().isPresent() && !who.operator()) {
                throw SubmitException.forbidden("Access/permission denied: only an operator may set the priority");
            }
            if (u.timeLimit().isPresent()) {
                long t = u.timeLimit().get();
                if (t <= 0) throw SubmitException.invalid("timeLimit", "Invalid time limit specified");
                if (t > j.row().timeLimit() && !who.operator()) {
                    throw SubmitException.forbidden("Access/permission denied: only an operator may raise a time limit");
                }
                if (!isPending && t > j.row().timeLimit()) {
                    throw SubmitException.invalid("timeLimit", "the time limit of a running job can only be lowered here");
                }
                b.timeLimit(t);
                spec = spec.withTimeLimit(t);
            }
            if (u.partition().isPresent()) {
                Partition p = cluster.partition(u.partition().get()).orElseThrow(() -> SubmitException.invalid("partition",
                        "Invalid partition name specified"));
                b.partition(p.name());
                spec = spec.withPartition(p.name());
            }
            if (u.qos().isPresent()) {
                b.qos(u.qos().get());
                spec = spec.withQos(u.qos().get());
            }
            u.name().ifPresent(b::name);
            u.comment().ifPresent(b::comment);
            u.priority().ifPresent(b::priority);
            Verdict v = resolver.resolve(spec);
            if (v instanceof Verdict.Rejected r) {
                throw SubmitException.invalid("", r.reason().slurmMessage() + " (" + r.message() + ")");
            }
            JobRow row = b.build();
            j.row(row);
            activeByUser.remove(j.user(), j.spec().qos(), j.id());
            j.respec(spec, ((Verdict.Fits) v).demand());
            activeByUser.add(j.user(), j.spec().qos(), j.id());
            j.reservation(Reservation.NONE);
            store.updateJobs(List.of(row), List.of(new JobEvent(id, nowSeconds(), row.state(), "updated by " + who.user())));
            dirty = true;
            return view(j);
        });
    }

    /** {@code scontrol update NodeName=... State=DRAIN|RESUME|DOWN|UNDRAIN Reason=...}. */
    public CompletableFuture<NodeView> updateNode(String name, String state, String reason, Identity who) {
        return call(() -> {
            if (!who.operator()) throw SubmitException.forbidden("Access/permission denied: only an operator may change node states");
            NodeInfo n = nodes.get(name);
            if (n == null) throw SubmitException.notFound("Invalid node name specified: " + name);
            String s = state.toLowerCase(java.util.Locale.ROOT);
            switch (s) {
                case "drain", "down" -> {
                    if (reason.isBlank()) throw SubmitException.invalid("reason", "You must specify a reason when DOWNING or DRAINING a node");
                    n.adminState = s;
                    n.reason = reason;
                    n.reasonTime = nowSeconds();
                    n.reasonUser = who.user();
                    if (s.equals("down")) {
                        for (ServerJob j : new ArrayList<>(runningJobs.values())) {
                            if (j.nodeNames().contains(name)) {
                                hub.cancel(j.nodeNames().get(0), new CancelRequest(j.id(), "node " + name + " set DOWN", 0, false));
                                nodeFailed(j, "node " + name + " set DOWN by " + who.user());
                            }
                        }
                    }
                }
                case "resume", "undrain", "idle" -> {
                    n.adminState = "";
                    n.reason = "";
                    n.reasonUser = "";
                    n.reasonTime = 0;
                }
                default -> throw SubmitException.invalid("state", "Invalid node state specified: " + state
                        + " (use DRAIN, DOWN, RESUME or UNDRAIN)");
            }
            updateSchedulable(n);
            saveNode(n);
            dirty = true;
            return nodeView(n);
        });
    }

    // ------------------------------------------------------------------ steps and interactive allocations

    /** A node's address for its jobs' rendezvous ({@code MASTER_ADDR}): as registered, else its name. */
    private String address(String node) {
        NodeInfo n = nodes.get(node);
        return n == null || n.address.isEmpty() ? node : n.address;
    }

    /** The batch script as step {@code batch} of its job, for sacct. */
    private static StepRow batchStep(JobRow row, String state, long end, Allocation a) {
        int nodes = row.nodeList().isEmpty() ? 0 : 1;
        String first = nodes == 0 ? "" : Hostlist.expand(row.nodeList()).get(0);
        int cpus = a == null ? 0 : a.cores(0);
        int gpus = a == null ? 0 : a.gpus(0);
        return new StepRow(row.id(), StepView.BATCH, "batch", state, first, nodes, 1, nodes == 0 ? "" : "1", cpus, gpus, row.startTime(), end,
                row.exitCode(), row.exitSignal(), state.equals(JobState.RUNNING.name()) || state.equals(JobState.COMPLETED.name())
                        ? "" : row.reason(), "");
    }

    /** What a running job holds on each node, as its steps see it. */
    private JobShape shape(ServerJob j) {
        Allocation a = j.allocation();
        List<JobShape.Node> out = new ArrayList<>();
        for (int i = 0; i < a.nodeCount(); i++) {
            long[] words = a.coreIds(i);
            int count = 0;
            for (long w : words) count += Long.bitCount(w);
            int[] cores = new int[count];
            int k = 0;
            for (int w = 0; w < words.length; w++) {
                long x = words[w];
                while (x != 0) {
                    cores[k++] = (w << 6) + Long.numberOfTrailingZeros(x);
                    x &= x - 1;
                }
            }
            long g = a.gpuMask(i);
            int[] gpus = new int[Long.bitCount(g)];
            k = 0;
            while (g != 0) {
                gpus[k++] = Long.numberOfTrailingZeros(g);
                g &= g - 1;
            }
            boolean bound = count > 0;
            if (!bound) {
                // a node that does not bind cores: count the job's cores there, pin nothing
                cores = new int[a.cores(i)];
                for (int c = 0; c < cores.length; c++) cores[c] = c;
            }
            out.add(new JobShape.Node(cluster.nodeName(a.node(i)), cores, gpus, a.memMb(i), a.tasks(i), bound));
        }
        return new JobShape(out, j.demand().coresPerTask(), a.totalTasks());
    }

    /**
     * The job-wide environment ({@link JobEnvironment}) with what Bottega adds: the job's token for clients inside
     * it, and the rendezvous address and port of torchrun-style launchers.
     */
    private Map<String, String> jobEnvironment(JobRow row, ServerJob job, Allocation a, List<String> names, Map<String, String> base,
                                               String masterAddr) {
        Map<String, String> env = JobEnvironment.build(cluster, row, job, a, names, base, controllerUrl);
        long expires = row.startTime() + row.timeLimit() + config.killGraceSeconds() + 300;
        String token = jobTokens.apply(row, expires);
        if (!token.isEmpty()) env.put("BOTTEGA_JOB_TOKEN", token);
        String given = base.get("MASTER_ADDR");
        if (given == null || given.isEmpty() || given.equals(base.get("BOTTEGA_MASTER_ADDR"))) env.put("MASTER_ADDR", masterAddr);
        env.put("BOTTEGA_MASTER_ADDR", masterAddr);
        if (!base.containsKey("MASTER_PORT")) env.put("MASTER_PORT", Integer.toString(StepCoordinator.masterPort(row.id())));
        return env;
    }

    private ServerJob ownRunningJob(long jobId, Identity who) {
        ServerJob j = runningJobs.get(jobId);
        if (j == null) {
            ServerJob other = active(jobId);
            if (other == null) throw SubmitException.notFound("Invalid job id specified: " + jobId);
            if (!who.mayActOn(other.user())) throw SubmitException.forbidden("Access/permission denied");
            if (other.state() == JobState.PENDING) {
                throw new SubmitException(409, "", "Job " + jobId + " is pending execution: its resources are not allocated yet");
            }
            throw new SubmitException(410, "", "Job " + jobId + " has ended (" + other.state().name() + ")");
        }
        if (!who.mayActOn(j.user())) throw SubmitException.forbidden("Access/permission denied: job " + jobId + " belongs to " + j.user());
        return j;
    }

    /**
     * {@code srun} inside job {@code jobId}: places a step in the job's allocation and sends its nodes their
     * tasks. {@code clientAddress} is where the request came from ("" over the local socket): srun's address
     * when it does not say. Fails with 409 while the job's other steps hold what the step needs.
     */
    public CompletableFuture<StepView> createStep(long jobId, StepRequest r, Identity who, String clientAddress) {
        CompletableFuture<StepView> out = new CompletableFuture<>();
        execute(() -> {
            try {
                ServerJob j = ownRunningJob(jobId, who);
                Map<String, String> env = jobEnvironment(j.row(), j, j.allocation(), j.nodeNames(), r.environment(),
                        address(j.nodeNames().get(0)));
                if (j.interactive() && !r.environment().containsKey("ENVIRONMENT")) env.remove("ENVIRONMENT");
                String ioHost = !clientAddress.isEmpty() ? clientAddress : localAddress();
                steps.create(new StepCoordinator.Context(j, shape(j), env, ioHost, this::address, nowSeconds()), r)
                        .whenComplete((v, err) -> {
                            if (err != null) out.completeExceptionally(err);
                            else out.complete(v);
                        });
            } catch (RuntimeException e) {
                out.completeExceptionally(e);
            }
        });
        return out;
    }

    private String localAddress() {
        String h = config.httpHost();
        if (!h.equals("0.0.0.0") && !h.equals("::") && !h.isEmpty()) return h;
        try {
            return java.net.InetAddress.getLocalHost().getHostAddress();
        } catch (java.io.IOException e) {
            return "127.0.0.1";
        }
    }

    /** {@code scancel JOB.STEP}: terminates (signal 0) or signals one step of a job. */
    public CompletableFuture<Boolean> cancelStep(long jobId, int stepId, int signal, Identity who) {
        return call(() -> {
            ServerJob j = ownRunningJob(jobId, who);
            boolean found = steps.cancel(j.id(), stepId, signal, signal == 0 ? "cancelled by " + who.user() : "signal " + signal
                    + " from " + who.user());
            if (!found) throw SubmitException.notFound("Invalid job id specified: step " + jobId + "." + stepId + " is not running");
            return true;
        });
    }

    /**
     * How often the client of an interactive allocation must say it is alive: a third of the heartbeat timeout, after
     * which a silent client's allocation is released.
     */
    public long keepAliveSeconds() {
        return Math.max(1, config.heartbeatTimeout().toSeconds() / 3);
    }

    /** An interactive allocation's client is alive; answers the job's view (a client stops when it is no longer RUNNING). */
    public CompletableFuture<JobView> keepAlive(long jobId, Identity who) {
        return call(() -> {
            ServerJob j = active(jobId);
            if (j == null) throw SubmitException.notFound("Invalid job id specified: " + jobId);
            if (!who.mayActOn(j.user())) throw SubmitException.forbidden("Access/permission denied");
            if (j.interactive() && j.state() == JobState.RUNNING) steps.alive(jobId, clockMillis.getAsLong());
            return view(j);
        });
    }

    /** The client of an interactive allocation is done: the allocation ends with its command's exit code. */
    public CompletableFuture<JobView> complete(long jobId, int exitCode, int signal, Identity who) {
        return call(() -> {
            ServerJob j = active(jobId);
            if (j == null) throw SubmitException.notFound("Invalid job id specified: " + jobId);
            if (!who.mayActOn(j.user())) throw SubmitException.forbidden("Access/permission denied");
            if (!j.interactive()) throw SubmitException.invalid("id", "job " + jobId + " has a batch script: its end is the script's");
            if (j.state() == JobState.PENDING) {
                endPending(j, JobState.CANCELLED, "cancelled by " + who.user() + " before it started", 0);
            } else if (j.state() == JobState.RUNNING) {
                JobState st = exitCode == 0 && signal == 0 ? JobState.COMPLETED : JobState.FAILED;
                endRunning(j, st, "", exitCode, signal, nowSeconds());
            }
            return view(j);
        });
    }

    /** What {@code salloc} gives its command: the job's environment as a batch script would see it. */
    public CompletableFuture<Map<String, String>> environment(long jobId, Identity who) {
        return call(() -> {
            ServerJob j = ownRunningJob(jobId, who);
            Map<String, String> env = jobEnvironment(j.row(), j, j.allocation(), j.nodeNames(), Map.of(), address(j.nodeNames().get(0)));
            env.remove("ENVIRONMENT");
            env.remove("SLURM_PROCID");
            env.remove("SLURM_LOCALID");
            env.remove("SLURM_GTIDS");
            return env;
        });
    }

    // ------------------------------------------------------------------ views

    public CompletableFuture<List<JobView>> jobs(JobFilter filter, boolean includeFinished) {
        return call(() -> {
            List<JobView> out = new ArrayList<>();
            for (ServerJob j : pending.values()) if (filter.matches(j.row())) out.add(view(j));
            List<ServerJob> run = new ArrayList<>(runningJobs.values());
            run.sort((a, b) -> Long.compare(a.id(), b.id()));
            for (ServerJob j : run) if (filter.matches(j.row())) out.add(view(j));
            if (includeFinished) for (ServerJob j : finished.values()) if (filter.matches(j.row())) out.add(view(j));
            out.sort((a, b) -> Long.compare(a.id(), b.id()));
            return out;
        });
    }

    /** Jobs the loop holds in memory that match (active, and recently finished), for merging with the store. */
    public CompletableFuture<List<JobRow>> memoryRows(JobFilter filter) {
        return call(() -> {
            List<JobRow> out = new ArrayList<>();
            for (ServerJob j : allActive()) if (filter.matches(j.row())) out.add(j.row());
            return out;
        });
    }

    /** The view of a stored row (a job no longer in memory): its allocation and command read from the row's JSON. */
    public JobView viewOf(JobRow r) {
        int nodes = 0, cpus = 0, gpus = 0;
        long mem = 0;
        if (!r.allocationJson().isEmpty()) {
            try {
                com.fasterxml.jackson.databind.JsonNode a = json.readTree(r.allocationJson()).path("nodes");
                nodes = a.size();
                for (com.fasterxml.jackson.databind.JsonNode n : a) {
                    cpus += n.path("cpus").asInt();
                    gpus += n.path("gpus").size();
                    mem += n.path("mem").asLong();
                }
            } catch (java.io.IOException e) {
                nodes = nodeCount(r);
            }
        }
        return new JobView(r.id(), r.arrayJobId(), r.arrayTaskId(), "", r.name(), r.user(), r.account(), r.partition(),
                r.qos().isEmpty() ? "normal" : r.qos(), r.state(), r.reason().isEmpty() ? "None" : r.reason(), r.submitTime(),
                r.eligibleTime(), r.startTime(), r.endTime(), 0, r.timeLimit(), nodes, nodes, cpus, gpus, mem, r.nodeList(), "",
                r.workDir(), commandOf(r.requestJson()), r.stdoutPath(), r.stderrPath(), "", r.priority(), r.exitCode(),
                r.exitSignal(), r.dependency(), r.comment(), "", r.endTime() > 0 && r.startTime() > 0 ? r.endTime() - r.startTime() : 0, 0);
    }

    /** What {@code scontrol show job} calls Command: the script's path, or the --wrap text. */
    private String commandOf(String requestJson) {
        try {
            com.fasterxml.jackson.databind.JsonNode q = json.readTree(requestJson);
            String wrap = q.path("wrap").asText("");
            return !wrap.isEmpty() ? wrap : q.path("scriptPath").asText("");
        } catch (java.io.IOException e) {
            return "";
        }
    }

    private static int nodeCount(JobRow r) {
        return r.nodeList().isEmpty() ? 0 : Hostlist.expand(r.nodeList()).size();
    }

    private JobView view(ServerJob j) {
        JobRow r = j.row();
        Demand d = j.demand();
        Allocation a = j.allocation();
        long now = nowSeconds();
        JobState st = j.state();
        String reason = st == JobState.PENDING ? (j.reason() == PendingReason.NONE ? (r.reason().isEmpty() ? "None" : r.reason())
                : j.reason().slurmName()) : (r.reason().isEmpty() ? "None" : r.reason());
        int cpus = a != null ? (int) a.totalCores() : (int) Math.min(Integer.MAX_VALUE, d.totalCores());
        int gpus = a != null ? a.totalGpus() : (int) Math.min(Integer.MAX_VALUE, d.totalGpus());
        long mem = a != null ? a.totalMemMb() : 0;
        long elapsed = st == JobState.RUNNING ? Math.max(0, now - r.startTime())
                : r.endTime() > 0 && r.startTime() > 0 ? r.endTime() - r.startTime() : 0;
        String tres = d.gpusPerNode() > 0 ? "gres/gpu:" + d.gpusPerNode() : "";
        long predicted = st == JobState.PENDING && j.predictedStart() != Plan.NEVER ? j.predictedStart() : 0;
        String schedNodes = st == JobState.PENDING && !j.reservation().isNone()
                ? Hostlist.compress(java.util.Arrays.stream(j.reservation().nodes()).mapToObj(cluster::nodeName).toList()) : "";
        return new JobView(r.id(), r.arrayJobId(), r.arrayTaskId(), "", r.name(), r.user(), r.account(), r.partition(),
                r.qos().isEmpty() ? "normal" : r.qos(), r.state(), reason, r.submitTime(), r.eligibleTime(), r.startTime(),
                r.endTime(), predicted, r.timeLimit(), d.nodesMin(), a != null ? a.nodeCount() : d.nodesMin(), cpus, gpus, mem,
                r.nodeList(), schedNodes, r.workDir(), j.command(), r.stdoutPath(), r.stderrPath(), tres,
                st == JobState.PENDING ? effectivePriority(j) : r.priority(), r.exitCode(),
                r.exitSignal(), r.dependency(), r.comment(), j.spec().reservation(), elapsed, 0);
    }

    public CompletableFuture<List<NodeView>> nodeViews() {
        return call(() -> nodes.values().stream().map(this::nodeView).toList());
    }

    private NodeView nodeView(NodeInfo n) {
        int id = n.id;
        int cpus = cluster.cores(id);
        int cpusAlloc = cpus - ledger.freeCores(id);
        long mem = cluster.memoryMb(id);
        long memAlloc = mem - ledger.freeMemMb(id);
        int gpus = cluster.gpus(id);
        int gpusAlloc = gpus - ledger.freeGpus(id);
        boolean busy = cpusAlloc > 0 || gpusAlloc > 0 || memAlloc > 0;
        String state;
        if (!n.up()) state = n.registered ? "down" : (n.lost ? "down" : "unknown");
        else if (n.adminState.equals("down")) state = "down";
        else if (n.adminState.equals("drain")) state = busy ? "draining" : "drained";
        else if (!busy) state = "idle";
        else if (cpusAlloc >= cpus || (gpus > 0 && gpusAlloc >= gpus)) state = "allocated";
        else state = "mixed";
        String reason = n.reason;
        if (reason.isEmpty() && !n.up()) reason = n.registered || n.lost ? "Not responding" : "Agent not registered";
        List<String> parts = new ArrayList<>();
        for (Partition p : cluster.partitions()) if (p.nodes().contains(id)) parts.add(p.name());
        return new NodeView(n.name, state, reason, parts, cpus, cpusAlloc, mem, memAlloc, gpus, gpusAlloc,
                cluster.node(id).gpuType(), new ArrayList<>(cluster.node(id).features()), cluster.node(id).group());
    }

    public CompletableFuture<List<PartitionView>> partitionViews() {
        return call(() -> {
            List<PartitionView> out = new ArrayList<>();
            Map<String, NodeView> byName = new HashMap<>();
            for (NodeInfo n : nodes.values()) byName.put(n.name, nodeView(n));
            for (Partition p : cluster.partitions()) {
                int idle = 0, alloc = 0, mix = 0, other = 0, cpus = 0, gpus = 0;
                List<String> names = new ArrayList<>();
                for (int id : p.nodes().toArray()) {
                    NodeView v = byName.get(cluster.nodeName(id));
                    names.add(v.name());
                    cpus += v.cpus();
                    gpus += v.gpus();
                    switch (v.state()) {
                        case "idle" -> idle++;
                        case "allocated" -> alloc++;
                        case "mixed" -> mix++;
                        default -> other++;
                    }
                }
                out.add(new PartitionView(p.name(), p == cluster.defaultPartition(), "up", p.maxTimeLimit(), p.defaultTimeLimit(),
                        p.maxNodesPerJob(), p.nodes().size(), Hostlist.compress(names), cpus, gpus, idle, alloc, mix, other));
            }
            return out;
        });
    }

    /** For tests and metrics: resources in use right now. */
    public CompletableFuture<long[]> usage() {
        return call(() -> {
            long cores = cluster.totalCores() - ledger.freeCoresTotal();
            long gpus = cluster.totalGpus() - ledger.freeGpusTotal();
            long nodesUp = nodes.values().stream().filter(NodeInfo::up).count();
            return new long[] {cores, gpus, nodesUp, pending.size(), runningJobs.size()};
        });
    }

    /** Node states counted (idle, mixed, allocated, down, drained, ...), for metrics. */
    public CompletableFuture<Map<String, Integer>> nodeStateCounts() {
        return call(() -> {
            Map<String, Integer> m = new java.util.TreeMap<>();
            for (NodeInfo n : nodes.values()) m.merge(nodeView(n).state(), 1, Integer::sum);
            return m;
        });
    }

    /** The agents' last contact, for heartbeat-lag metrics: node → milliseconds since it last synced (-1: never). */
    public CompletableFuture<Map<String, Long>> heartbeatLag() {
        return call(() -> {
            long now = clockMillis.getAsLong();
            Map<String, Long> m = new LinkedHashMap<>();
            for (NodeInfo n : nodes.values()) m.put(n.name, n.registered ? now - n.lastSeen : -1);
            return m;
        });
    }

    /**
     * One active job for the dashboard and the metrics: its stored row (immutable) and what the scheduler
     * thinks of it now, copied on the loop thread. {@code reason} as {@link JobView#reason()}; {@code
     * predictedStart} 0 when unknown; {@code cpus}/{@code gpus}/{@code nodes} asked for (pending) or
     * allocated (running); {@code nodeIds} the allocated nodes (empty while pending).
     */
    public record JobBrief(JobRow row, String reason, long predictedStart, int cpus, int gpus, int nodes, int[] nodeIds) {}

    /** Every pending job (in id order), then every running one: a cheap copy for the dashboard's queue and map. */
    public CompletableFuture<List<JobBrief>> jobBriefs() {
        return call(() -> {
            List<JobBrief> out = new ArrayList<>(pending.size() + runningJobs.size());
            for (ServerJob j : pending.values()) {
                JobRow r = j.row();
                String reason = j.reason() == PendingReason.NONE ? (r.reason().isEmpty() ? "None" : r.reason()) : j.reason().slurmName();
                Demand d = j.demand();
                out.add(new JobBrief(r, reason, j.predictedStart() != Plan.NEVER ? j.predictedStart() : 0,
                        (int) Math.min(Integer.MAX_VALUE, d.totalCores()), (int) Math.min(Integer.MAX_VALUE, d.totalGpus()),
                        d.nodesMin(), new int[0]));
            }
            for (ServerJob j : runningJobs.values()) {
                Allocation a = j.allocation();
                int[] ids = new int[a == null ? 0 : a.nodeCount()];
                for (int i = 0; i < ids.length; i++) ids[i] = a.node(i);
                out.add(new JobBrief(j.row(), j.row().reason().isEmpty() ? "None" : j.row().reason(), 0,
                        a == null ? 0 : (int) a.totalCores(), a == null ? 0 : a.totalGpus(), ids.length, ids));
            }
            return out;
        });
    }

    // ------------------------------------------------------------------ accounting, priority, preemption, reservations

    /** Fair-share factors are recomputed at most this often (Slurm's PriorityCalcPeriod is 5 minutes). */
    private static final long FACTOR_RECALC_SECONDS = 60;

    /** A running job being preempted for {@code forJob}: SIGTERM sent; SIGKILL due at {@code killAtMillis}. */
    private record Preemption(long forJob, boolean requeue, long killAtMillis, boolean killSent) {
        Preemption withKillSent() { return new Preemption(forJob, requeue, killAtMillis, true); }
    }

    /** The priority the queue is ordered by: an operator's fixed priority, else the multifactor one (else 0: submit order). */
    private long effectivePriority(ServerJob j) {
        if (j.row().priority() > 0 || !multifactor) return j.row().priority();
        return j.factors() != null ? j.factors().priority() : 0;
    }

    /** What budgeted accounts may still commit, into the ledger when it changed (a change re-plans). */
    private void refreshBudgets(long now) {
        if (!book.budgetsDeclared()) return;
        List<AccountBook.RunningJob> running = new ArrayList<>(runningJobs.size());
        for (ServerJob r : runningJobs.values()) running.add(new AccountBook.RunningJob(r.spec(), r.demand(), r.row().startTime()));
        Map<String, Double> left = book.budgetLeft(now, running);
        if (!left.equals(budgetLeft)) {
            budgetLeft = left;
            ledger.setBudgetLeft(left);
        }
    }

    /** Charges a run that ended (or was cut short) to its account, and stores the usage row. */
    private void charge(ServerJob j, long start, long end) {
        if (start <= 0 || j.allocation() == null) return;
        UsageRow u = book.charge(j.spec(), j.demand(), j.allocation(), start, Math.max(start, end));
        store.insertUsage(List.of(u)).exceptionally(err -> {
            log.error("event=usage_store_failed job={} error={}", j.id(), err.toString());
            return null;
        });
    }

    /** Starts stopping a job the scheduler chose to preempt: SIGTERM now, SIGKILL after the QOS's grace time. */
    private void preempt(Decision.Preempt pre, long nowMillis) {
        ServerJob j = runningJobs.get(pre.jobId());
        if (j == null || preempting.containsKey(pre.jobId())) return;
        String why = "preempted by job " + pre.forJob();
        preempting.put(j.id(), new Preemption(pre.forJob(), pre.requeue(), nowMillis + pre.graceSeconds() * 1000, false));
        log.info("event=job_preempting job={} for_job={} requeue={} grace_s={}", j.id(), pre.forJob(), pre.requeue(), pre.graceSeconds());
        if (j.interactive()) {
            steps.signalAll(j.id(), 15, why);
        } else if (!j.nodeNames().isEmpty()) {
            // SIGTERM and let it go on; the tick sends SIGKILL at the grace's end if it has not ended by then
            hub.cancel(j.nodeNames().get(0), new CancelRequest(j.id(), why, 15, false));
            steps.signalAll(j.id(), 15, why);
        }
        if (pre.graceSeconds() <= 0) killPreempted(nowMillis);
        store.updateJobs(List.of(), List.of(new JobEvent(j.id(), nowMillis / 1000, "PREEMPTING", why)));
    }

    /** A preempted job has stopped: billed for what it ran, then back in the queue (keeping its place) or ended PREEMPTED. */
    private CompletableFuture<Void> preempted(ServerJob j, Preemption pre, long end) {
        String why = "preempted by job " + pre.forJob();
        if (!pre.requeue()) return endRunning(j, JobState.PREEMPTED, why, 0, 15, end);
        preempting.remove(j.id());
        steps.jobEnded(j.id(), JobState.PREEMPTED.name(), why, end);
        removeRunning(j.id());
        launchConfirmed.remove(j.id());
        if (ledger.running(j.id()).isPresent()) ledger.release(j.id());
        charge(j, j.row().startTime(), end);
        if (!j.interactive() && j.row().startTime() > 0) {
            store.saveSteps(List.of(batchStep(j.row(), JobState.PREEMPTED.name(), end, j.allocation())));
        }
        j.clearAllocation();
        j.reservation(Reservation.NONE);
        JobRow row = RowBuilder.from(j.row()).state(JobState.PENDING.name()).reason("Preempted").startTime(0)
                .allocation("", "").requeueCount(j.row().requeueCount() + 1).build();
        j.row(row);
        putPending(j);
        stats.endedByState.merge(JobState.PREEMPTED.name(), 1L, Long::sum);
        dirty = true;
        log.info("event=job_requeued job={} reason=\"{}\"", j.id(), why);
        return unsettled(j.id(), store.updateJobs(List.of(row), List.of(new JobEvent(j.id(), end, JobState.PREEMPTED.name(), why),
                new JobEvent(j.id(), end, JobState.PENDING.name(), "requeued"))));
    }

    /** The priority factors of pending jobs ({@code sprio}), in priority order; the weights come with them. */
    public record PriorityRow(PriorityFactors factors, io.bottega.core.policy.PriorityWeights weights) {}

    public CompletableFuture<List<PriorityRow>> priorities(JobFilter filter) {
        return call(() -> {
            long now = nowSeconds();
            List<PriorityRow> out = new ArrayList<>();
            for (ServerJob j : pending.values()) {
                if (!filter.matches(j.row())) continue;
                long since = j.row().eligibleTime() > 0 ? j.row().eligibleTime() : j.row().submitTime();
                PriorityFactors f = j.factors() != null ? j.factors() : book.priority(j.spec(), j.demand(), since, now, FACTOR_RECALC_SECONDS);
                if (j.row().priority() > 0) {
                    f = new PriorityFactors(f.jobId(), f.user(), f.account(), j.row().priority(), f.age(), f.fairShare(), f.jobSize(),
                            f.qos(), f.partition(), f.ageWeighted(), f.fairShareWeighted(), f.jobSizeWeighted(), f.qosWeighted(),
                            f.partitionWeighted());
                }
                out.add(new PriorityRow(f, config.site().policies().weights()));
            }
            out.sort((a, b) -> a.factors().priority() != b.factors().priority() ? Long.compare(b.factors().priority(), a.factors().priority())
                    : Long.compare(a.factors().jobId(), b.factors().jobId()));
            return out;
        });
    }

    /** The fair-share tree now ({@code sshare}). */
    public CompletableFuture<List<FairShare.Row>> fairShare() {
        return call(() -> book.fairShare(nowSeconds()));
    }

    /** Why a user's fair share is what it is, in words ({@code sshare --explain}). */
    public CompletableFuture<String> explainFairShare(String user, String account) {
        return call(() -> book.explain(user, account, nowSeconds()));
    }

    /** Each account's budget and use ({@code bottega budget}). */
    public CompletableFuture<List<AccountBook.Budget>> budgets() {
        return call(() -> book.budgets(nowSeconds()));
    }

    /** The advance reservations in force, as stored. */
    public CompletableFuture<List<ReservationRow>> reservations() {
        return call(() -> {
            List<ReservationRow> out = new ArrayList<>();
            for (AdvanceReservation r : ledger.reservations()) out.add(rowOf(r));
            return out;
        });
    }

    /**
     * Creates (or replaces) an advance reservation (operators): its nodes must exist, its window must end after it
     * starts and not in the past. Completes once it is stored.
     */
    public CompletableFuture<ReservationRow> createReservation(ReservationRow req, Identity who) {
        CompletableFuture<ReservationRow> done = new CompletableFuture<>();
        execute(() -> {
            try {
                if (!who.operator()) throw SubmitException.forbidden("Access/permission denied: only an operator may create a reservation");
                if (req.end() <= nowSeconds()) throw SubmitException.invalid("end", "reservation " + req.name() + " would end in the past");
                AdvanceReservation r = reservationOf(req);
                List<AdvanceReservation> list = new ArrayList<>();
                for (AdvanceReservation o : ledger.reservations()) if (!o.name().equals(r.name())) list.add(o);
                list.add(r);
                ReservationRow row = rowOf(r);
                store.saveReservation(row).whenComplete((v, err) -> execute(() -> {
                    if (err != null) {
                        done.completeExceptionally(new SubmitException(500, "", "the store did not accept the reservation: " + rootMessage(err)));
                        return;
                    }
                    ledger.setReservations(list);
                    dirty = true;
                    log.info("event=reservation_created name={} nodes={} start={} end={} maintenance={}", r.name(), row.nodes(),
                            r.start(), r.end(), r.maintenance());
                    done.complete(row);
                }));
            } catch (IllegalArgumentException e) {
                done.completeExceptionally(SubmitException.invalid("reservation", e.getMessage()));
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    public CompletableFuture<Boolean> deleteReservation(String name, Identity who) {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        execute(() -> {
            if (!who.operator()) {
                done.completeExceptionally(SubmitException.forbidden("Access/permission denied: only an operator may delete a reservation"));
                return;
            }
            List<AdvanceReservation> list = new ArrayList<>(ledger.reservations());
            if (!list.removeIf(r -> r.name().equals(name))) {
                done.completeExceptionally(SubmitException.notFound("Reservation " + name + " not found"));
                return;
            }
            store.deleteReservation(name).whenComplete((v, err) -> execute(() -> {
                if (err != null) {
                    done.completeExceptionally(new SubmitException(500, "", "the store did not delete the reservation: " + rootMessage(err)));
                    return;
                }
                ledger.setReservations(list);
                dirty = true;
                log.info("event=reservation_deleted name={}", name);
                done.complete(true);
            }));
        });
        return done;
    }

    private AdvanceReservation reservationOf(ReservationRow r) {
        if (r.name() == null || !r.name().matches("[A-Za-z0-9_.-]{1,64}")) {
            throw new IllegalArgumentException("reservation name '" + r.name() + "' must be 1-64 letters, digits, '_', '.' or '-'");
        }
        List<String> names;
        try {
            names = Hostlist.expand(r.nodes());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("reservation " + r.name() + ": bad node list '" + r.nodes() + "': " + e.getMessage());
        }
        if (names.size() == 1 && names.get(0).equalsIgnoreCase("ALL")) {
            names = new ArrayList<>();
            for (int i = 0; i < cluster.nodeCount(); i++) names.add(cluster.nodeName(i));
        }
        int[] ids = new int[names.size()];
        for (int i = 0; i < ids.length; i++) {
            String n = names.get(i);
            ids[i] = cluster.nodeId(n).orElseThrow(() -> new IllegalArgumentException("reservation " + r.name() + ": no node " + n));
        }
        return new AdvanceReservation(r.name(), NodeSet.of(ids), r.start(), r.end(), csvSet(r.users()), csvSet(r.accounts()), r.maintenance());
    }

    private ReservationRow rowOf(AdvanceReservation r) {
        List<String> names = new ArrayList<>();
        for (int id : r.nodes().toArray()) names.add(cluster.nodeName(id));
        return new ReservationRow(r.name(), Hostlist.compress(names), r.start(), r.end(), String.join(",", new java.util.TreeSet<>(r.users())),
                String.join(",", new java.util.TreeSet<>(r.accounts())), r.maintenance());
    }

    private static java.util.Set<String> csvSet(String s) {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        if (s != null) for (String x : s.split(",")) if (!x.isBlank()) out.add(x.trim());
        return out;
    }

    Collection<ServerJob> pendingJobs() { return pending.values(); }
}
