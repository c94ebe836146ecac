package io.bottega.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.bottega.agent.ResourceControl.JobCgroup;
import io.bottega.api.agent.CancelRequest;
import io.bottega.api.agent.JobOutcome;
import io.bottega.api.agent.LaunchRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the jobs of one node: starts them (on a launcher thread), enforces time limits, terminates on
 * cancel, detects their end, and keeps their results until acknowledged. All job state is confined to one
 * supervisor thread; other threads talk to it through {@link #launch}, {@link #cancel}, {@link #ack} and
 * read the immutable {@link #snapshot()}.
 *
 * <p>Every transition that matters after a crash is written to the spool first ({@code pid},
 * {@code kill}, {@code outcome.json} or the result appended to {@code pid}), so a new supervisor on the
 * same spool ({@link #recover()}) picks up where the last one stopped: it re-adopts running jobs (pid and
 * start time must both match), continues their time limits from the recorded start, and re-reports
 * unacknowledged results.
 */
final class JobSupervisor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JobSupervisor.class);
    private static final long ENDING_KILL_WINDOW_MS = 5_000;
    private static final long WATCH_PERIOD_MS = 1_000;
    private static final long UNKILLABLE_MS = 120_000;
    private static final int ACKED_MEMORY = 100_000;
    private static final int ACKED_RESULTS_MEMORY = 10_000;

    /** What the sync loop reports. */
    record Snapshot(List<Long> running, List<JobOutcome> results) {
        static final Snapshot EMPTY = new Snapshot(List.of(), List.of());
    }

    enum Phase { STARTING, RUNNING, ENDING, DONE }

    /** Why and since when the agent is stopping a job. */
    record Termination(String state, String message, long sinceMs, long graceMs, boolean killSent) {
        Termination withKillSent() {
            return new Termination(state, message, sinceMs, graceMs, true);
        }
    }

    /** One job's mutable state; touched only on the supervisor thread (except {@code cancelRequested}). */
    static final class Job {
        final long id;
        final LaunchRequest req;    // null only for a spool entry whose launch.json was lost
        Phase phase;
        long startedAt;
        long wrapperPid;
        long wrapperStart;
        Process process;
        long jobPid;
        long parkPid;
        JobCgroup cgroup;
        Path tmpDir;
        boolean nativeLaunch;   // started by the native launcher, which waits for the job itself (no wrapper to nudge)
        boolean statusInRecord; // the native launcher appended the status to the job's record: the result goes there too
        Termination term;
        volatile boolean cancelRequested;
        long peakRssKb;
        long lastWatch;
        long lastKill;
        long lastNudge;
        boolean unkillableLogged;
        final Set<CancelRequest> signalsDelivered = new java.util.HashSet<>();
        long endingSince;
        ExitStatus status;
        String lostReason = "";
        String lostState = JobOutcome.FAILED;
        JobOutcome outcome;

        Job(long id, LaunchRequest req, Phase phase) {
            this.id = id;
            this.req = req;
            this.phase = phase;
        }
    }

    private final AgentConfig config;
    private final Spool spool;
    private final Launcher launcher;
    private final ResourceControl control;
    private final Signals signals;
    private final InstantSource clock;
    private final String bootId;
    private final ScheduledExecutorService exec;
    private final ExecutorService launchers;
    private final Map<Long, Job> jobs = new HashMap<>();
    /** Runs whose results were acknowledged: a replayed launch of one of them is not run again. */
    private final Set<String> acked = new LinkedHashSet<>();
    /**
     * The results of the latest acknowledged runs: a launch of one of them again means that the controller lost
     * the end it acknowledged (it crashed before that end was stored), so the result is reported once more.
     */
    private final Map<String, JobOutcome> ackedResults = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, JobOutcome> eldest) {
            return size() > ACKED_RESULTS_MEMORY;
        }
    };
    private volatile Snapshot snapshot = Snapshot.EMPTY;
    private final AtomicReference<CompletableFuture<Void>> newResults = new AtomicReference<>(new CompletableFuture<>());

    JobSupervisor(AgentConfig config, Spool spool, Launcher launcher, ResourceControl control, Signals signals,
                  InstantSource clock, String bootId) {
        this.config = config;
        this.spool = spool;
        this.launcher = launcher;
        this.control = control;
        this.signals = signals;
        this.clock = clock;
        this.bootId = bootId;
        String node = config.nodeName();
        this.exec = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon()
                .name("bottega-agent-" + node + "-supervisor").factory());
        this.launchers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual()
                .name("bottega-agent-" + node + "-launch-", 0).factory());
    }

    /** Recovers the spool and starts the periodic supervision. */
    void start() {
        call(() -> {
            recover();
            return null;
        });
        long tick = config.tick().toMillis();
        exec.scheduleWithFixedDelay(this::tickAll, tick, tick, TimeUnit.MILLISECONDS);
    }

    Snapshot snapshot() {
        return snapshot;
    }

    /** Completes when a new result is ready to report (take it before reading the snapshot). */
    CompletableFuture<Void> nextResult() {
        return newResults.get();
    }

    /** Records the launch (ignored when the job is known) and starts it on a launcher thread. */
    void launch(LaunchRequest r) {
        call(() -> {
            onLaunch(r);
            return null;
        });
    }

    void cancel(CancelRequest c) {
        call(() -> {
            onCancel(c);
            return null;
        });
    }

    void ack(List<Long> ids) {
        if (ids.isEmpty()) return;
        call(() -> {
            onAck(ids);
            return null;
        });
    }

    /** Terminates every job (SIGTERM, SIGKILL after grace) and waits up to {@code timeoutMs} for their end. */
    boolean cancelAll(String reason, long timeoutMs) throws InterruptedException {
        List<Long> ids = call(() -> new ArrayList<>(jobs.keySet()));
        for (long id : ids) cancel(new CancelRequest(id, reason, 0, false));
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < deadline) {
            if (snapshot.running().isEmpty()) return true;
            Thread.sleep(50);
        }
        return snapshot.running().isEmpty();
    }

    /** Stops supervising; running jobs keep running (their state is in the spool). */
    @Override
    public void close() {
        exec.shutdownNow();
        launchers.shutdownNow();
        try {
            exec.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private <T> T call(Callable<T> task) {
        try {
            return exec.submit(task).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("supervisor task failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("the agent is closed", e);
        }
    }

    private void post(Runnable r) {
        try {
            exec.execute(r);
        } catch (RejectedExecutionException e) {
            // closed: the spool keeps the state for the next agent
        }
    }

    // ---- commands (supervisor thread) ----------------------------------------------------------------

    private void onLaunch(LaunchRequest r) {
        long id = r.jobId();
        if (jobs.containsKey(id)) {
            log.debug("event=launch_duplicate job={}", id);
            return;
        }
        if (acked.contains(runKey(r))) {
            JobOutcome known = ackedResults.remove(runKey(r));
            if (known == null) {
                log.warn("event=launch_duplicate job={} note=\"this run ended here and its result was acknowledged; "
                        + "the result is no longer known, so it is not reported again\"", id);
                return;
            }
            acked.remove(runKey(r));
            Job done = new Job(id, r, Phase.DONE);
            done.outcome = known;
            jobs.put(id, done);
            log.warn("event=result_reported_again job={} state={} note=\"launched again after its result was acknowledged: "
                    + "the controller lost that end\"", id, known.state());
            publish(true);
            return;
        }
        String refusal = launcher.refusal(r);
        Job job = new Job(id, r, Phase.STARTING);
        jobs.put(id, job);
        if (!refusal.isEmpty()) {
            log.warn("event=launch_refused job={} user={} uid={} reason=\"{}\"", id, r.user(), r.uid(), refusal);
            try {
                spool.createJobDir(id);
                spool.writeLaunch(r);
            } catch (IOException e) {
                log.warn("event=spool_write_failed job={} error=\"{}\"", id, e.getMessage());
            }
            finish(job, new JobOutcome(id, JobOutcome.FAILED, 1, 0, 0, clock.millis(), 0, 0,
                    "launch refused: " + refusal));
            return;
        }
        try {
            spool.createJobDir(id);
            spool.writeLaunch(r);
        } catch (IOException e) {
            log.error("event=launch_failed job={} error=\"spool: {}\"", id, e.getMessage());
            finish(job, new JobOutcome(id, JobOutcome.NODE_FAIL, 0, 0, 0, clock.millis(), 0, 0,
                    "launch failed: cannot write the spool: " + e.getMessage()));
            return;
        }
        publish(false);
        log.info("event=job_launching job={} user={} uid={} cpus={} gpus={} mem_mb={} time_limit_s={}",
                id, r.user(), r.uid(), r.cpus(), r.gpus(), r.memoryLimitMb(), r.timeLimitSeconds());
        try {
            launchers.execute(() -> {
                try {
                    Launcher.Started s = launcher.start(r, () -> job.cancelRequested);
                    post(() -> onStarted(job, s));
                } catch (Launcher.LaunchException e) {
                    post(() -> onStartFailed(job, e));
                } catch (RuntimeException e) {
                    post(() -> onStartFailed(job, new Launcher.LaunchException(String.valueOf(e), true, e)));
                }
            });
        } catch (RejectedExecutionException e) {
            // closing: the next agent will find the job without a pid and report it
        }
    }

    private void onStarted(Job job, Launcher.Started s) {
        job.phase = Phase.RUNNING;
        job.process = s.process();
        job.wrapperPid = s.wrapperPid();
        job.wrapperStart = s.wrapperStart();
        job.startedAt = s.startedAtMillis();
        job.cgroup = s.cgroup();
        job.tmpDir = s.tmpDir();
        job.nativeLaunch = s.nativeLaunch();
        log.info("event=job_started job={} wrapper_pid={} run_uid={} cgroup={}", job.id, s.wrapperPid(), s.runUid(),
                s.cgroup().dirs().isEmpty() ? "none" : s.cgroup().dirs().getFirst());
        if (s.process() != null) s.process().onExit().thenRun(() -> post(() -> tick(job)));
        if (job.term != null && !job.term.killSent() && job.term.sinceMs() == 0) {
            Termination pending = job.term;
            job.term = null;
            terminate(job, pending.state(), pending.message(), pending.graceMs() == 0);
        }
        publish(false);
        // the native launcher's end may have been told before this (wrapperEnded found no job with its pid)
        if (job.nativeLaunch && job.phase == Phase.RUNNING) checkRunning(job);
    }

    /** The native launch server says that the launcher with this pid has ended. */
    void wrapperEnded(long pid) {
        post(() -> {
            for (Job job : jobs.values()) {
                if (job.wrapperPid == pid && job.nativeLaunch) {
                    tick(job);
                    return;
                }
            }
        });
    }

    private void onStartFailed(Job job, Launcher.LaunchException e) {
        long now = clock.millis();
        if (job.cancelRequested && job.term != null) {
            log.info("event=job_cancelled_before_start job={}", job.id);
            finish(job, new JobOutcome(job.id, JobOutcome.CANCELLED, 0, 0, 0, now, 0, 0, job.term.message()));
            return;
        }
        log.error("event=launch_failed job={} node_fault={} error=\"{}\"", job.id, e.nodeFault(), e.getMessage());
        finish(job, new JobOutcome(job.id, e.nodeFault() ? JobOutcome.NODE_FAIL : JobOutcome.FAILED,
                e.nodeFault() ? 0 : 1, 0, 0, now, 0, 0, "launch failed: " + e.getMessage()));
    }

    private void onCancel(CancelRequest c) {
        Job job = jobs.get(c.jobId());
        if (job == null || job.phase == Phase.DONE || job.phase == Phase.ENDING) {
            log.debug("event=cancel_ignored job={} reason=\"not running\"", c.jobId());
            return;
        }
        if (c.signal() != 0 && c.signal() != Signals.SIGKILL) {
            // a signal request may be repeated by the controller: deliver each distinct request once
            if (job.phase == Phase.RUNNING && job.signalsDelivered.add(c)) {
                log.info("event=job_signalled job={} signal={} reason=\"{}\"", job.id, c.signal(), c.reason());
                sendAll(job, c.signal());
            }
            return;
        }
        String message = c.reason().isEmpty() ? "cancelled"
                : c.reason().regionMatches(true, 0, "cancel", 0, 6) ? c.reason() : "cancelled: " + c.reason();
        boolean now = c.noKillGrace() || c.signal() == Signals.SIGKILL;
        if (job.phase == Phase.STARTING) {
            job.cancelRequested = true;
            job.term = new Termination(JobOutcome.CANCELLED, message, 0, now ? 0 : graceMs(job), false);
            return;
        }
        if (job.term == null) {
            terminate(job, JobOutcome.CANCELLED, message, now);
        } else if (now && !job.term.killSent()) {
            sendAll(job, Signals.SIGKILL);
            job.term = job.term.withKillSent();
            persistTermination(job);
        }
    }

    private void onAck(List<Long> ids) {
        boolean changed = false;
        for (long id : ids) {
            Job job = jobs.get(id);
            if (job == null || job.phase != Phase.DONE) continue;
            try {
                spool.deleteJob(id);
            } catch (IOException e) {
                log.warn("event=spool_delete_failed job={} error=\"{}\"", id, e.getMessage());
            }
            jobs.remove(id);
            if (job.req != null) {
                acked.add(runKey(job.req));
                if (job.outcome != null) ackedResults.put(runKey(job.req), job.outcome);
            }
            if (acked.size() > ACKED_MEMORY) {
                var it = acked.iterator();
                it.next();
                it.remove();
            }
            changed = true;
            log.debug("event=result_acked job={}", id);
        }
        if (changed) publish(false);
    }

    /**
     * One run of a job: its id and {@code SLURM_RESTART_COUNT}. A requeued job keeps its id (as in Slurm) and
     * comes back with a higher restart count, which makes it a new run.
     */
    static String runKey(LaunchRequest r) {
        return r.jobId() + "." + r.env().getOrDefault("SLURM_RESTART_COUNT", "0");
    }

    // ---- supervision ---------------------------------------------------------------------------------

    private void tickAll() {
        try {
            for (Job job : new ArrayList<>(jobs.values())) tick(job);
        } catch (RuntimeException e) {
            log.error("event=supervision_error error=\"{}\"", e.toString(), e);
        }
    }

    private void tick(Job job) {
        switch (job.phase) {
            case STARTING, DONE -> { }
            case RUNNING -> checkRunning(job);
            case ENDING -> checkEnding(job);
        }
    }

    private void checkRunning(Job job) {
        long now = clock.millis();
        readJobPid(job);
        Optional<ExitStatus> recorded = recordedStatus(job);
        if (recorded.isPresent()) {
            toEnding(job, recorded.get());
            return;
        }
        boolean wrapperAlive = job.process != null ? job.process.isAlive() : Procfs.alive(job.wrapperPid, job.wrapperStart);
        if (wrapperAlive) nudgeWrapper(job, now);
        if (!wrapperAlive) {
            recorded = recordedStatus(job);
            if (recorded.isPresent()) {
                toEnding(job, recorded.get());
            } else {
                job.lostReason = "the job's wrapper ended without recording a status";
                toEnding(job, ExitStatus.LOST);
            }
            return;
        }
        if (job.term == null && !control.memoryLimit() && job.req.memoryLimitMb() > 0 && now - job.lastWatch >= WATCH_PERIOD_MS) {
            job.lastWatch = now;
            long rssKb = rssKb(job);
            job.peakRssKb = Math.max(job.peakRssKb, rssKb);
            if (rssKb > job.req.memoryLimitMb() * 1024) {
                terminate(job, JobOutcome.OUT_OF_MEMORY, "memory limit of " + job.req.memoryLimitMb()
                        + " MB exceeded (resident " + rssKb / 1024 + " MB, polled: no cgroup memory controller)", true);
                return;
            }
        }
        long limit = job.req.timeLimitSeconds();
        if (job.term == null && limit > 0 && now >= job.startedAt + limit * 1000) {
            terminate(job, JobOutcome.TIMEOUT, "time limit of " + limit + " s reached", false);
            return;
        }
        if (job.term != null) {
            if (!job.term.killSent() && now >= job.term.sinceMs() + job.term.graceMs()) {
                log.info("event=job_kill job={} reason=grace_expired", job.id);
                sendAll(job, Signals.SIGKILL);
                job.lastKill = now;
                job.term = job.term.withKillSent();
                persistTermination(job);
            } else if (job.term.killSent() && now - job.lastKill >= 1_000) {
                sendAll(job, Signals.SIGKILL);   // whatever forked since
                job.lastKill = now;
                if (!job.unkillableLogged && now - job.term.sinceMs() - job.term.graceMs() > UNKILLABLE_MS) {
                    job.unkillableLogged = true;
                    log.error("event=job_unkillable job={} pids={} note=\"processes survive SIGKILL (uninterruptible I/O?); "
                            + "the job stays running until they end\"", job.id, control.pids(job.cgroup, job.jobPid));
                }
            }
        }
    }

    /**
     * The wrapper polls for the end of the job with ever longer sleeps (up to 2 s); when the job's first
     * process has ended (a zombie of the parking process), cut the wrapper's current sleep short so the
     * status is recorded at once.
     */
    private void nudgeWrapper(Job job, long now) {
        if (job.nativeLaunch || job.jobPid <= 0 || now - job.lastNudge < 200) return;
        Optional<Procfs.Stat> j = Procfs.stat(job.jobPid);
        if (j.isEmpty() || !j.get().zombie() || j.get().ppid() != job.parkPid) return;
        job.lastNudge = now;
        List<Long> sleeps = new ArrayList<>();
        for (long pid : Procfs.allPids()) {
            if (pid == job.parkPid) continue;
            Procfs.stat(pid).ifPresent(s -> {
                if (s.ppid() == job.wrapperPid && s.comm().equals("sleep")) sleeps.add(pid);
            });
        }
        signals.send(Signals.SIGTERM, sleeps, List.of());
    }

    private void terminate(Job job, String state, String message, boolean noGrace) {
        long now = clock.millis();
        long grace = noGrace ? 0 : graceMs(job);
        job.term = new Termination(state, message, now, grace, false);
        log.info("event=job_terminating job={} state={} grace_ms={} reason=\"{}\"", job.id, state, grace, message);
        if (grace == 0) {
            sendAll(job, Signals.SIGKILL);
            job.lastKill = now;
            job.term = job.term.withKillSent();
        } else {
            sendAll(job, Signals.SIGTERM);
            sendAll(job, Signals.SIGCONT);   // a stopped job must wake up to see its SIGTERM
        }
        persistTermination(job);
    }

    private long graceMs(Job job) {
        long s = job.req == null ? 0 : job.req.killGraceSeconds();
        return s > 0 ? s * 1000 : config.killGrace().toMillis();
    }

    private void persistTermination(Job job) {
        Map<String, String> kv = new LinkedHashMap<>();
        kv.put("state", job.term.state());
        kv.put("message", job.term.message());
        kv.put("since_ms", Long.toString(job.term.sinceMs()));
        kv.put("grace_ms", Long.toString(job.term.graceMs()));
        kv.put("kill_sent", Boolean.toString(job.term.killSent()));
        try {
            spool.write(job.id, Spool.KILL, kv);
        } catch (IOException e) {
            log.warn("event=spool_write_failed job={} file=kill error=\"{}\"", job.id, e.getMessage());
        }
    }

    private void sendAll(Job job, int signal) {
        if (job.cgroup == null) return;
        if (signal == Signals.SIGKILL) control.killAll(job.cgroup);
        Set<Long> pids = control.pids(job.cgroup, job.jobPid);
        pids.remove(job.wrapperPid);
        pids.remove(job.parkPid);
        signals.send(signal, pids, job.jobPid > 0 ? List.of(job.jobPid) : List.of());
    }

    private long rssKb(Job job) {
        long pageKb = 4;   // the agent runs where pages are 4 KiB; an approximation for polling only
        long sum = 0;
        for (long pid : control.pids(job.cgroup, job.jobPid)) {
            sum += Procfs.stat(pid).map(Procfs.Stat::rssPages).orElse(0L) * pageKb;
        }
        return sum;
    }

    private void readJobPid(Job job) {
        if (job.jobPid > 0) return;
        if (job.nativeLaunch) {
            // the native launcher's record; a launcher of an older agent wrote a jobpid file instead
            Map<String, String> rec = spool.read(job.id, Spool.PID);
            long c = Procfs.parseLongOr(rec.getOrDefault("job_pid", "0"), 0);
            long p = Procfs.parseLongOr(rec.getOrDefault("park_pid", "0"), 0);
            if (c > 0 && p > 0) {
                job.jobPid = c;
                job.parkPid = p;
                return;
            }
        }
        String s = Procfs.read(spool.jobDir(job.id).resolve(Spool.JOBPID));
        String[] f = s.split("\\s+");
        if (f.length == 2) {
            long c = Procfs.parseLongOr(f[0], 0);
            long p = Procfs.parseLongOr(f[1], 0);
            if (c > 0 && p > 0) {
                job.jobPid = c;
                job.parkPid = p;
            }
        }
    }

    /**
     * How the job ended, if that is recorded: the native launcher appends it to the job's record ({@code pid},
     * ending with {@code status_recorded=1}); the shell chain's wrapper (and a native launcher of an older
     * agent) writes a {@code status} file.
     */
    private Optional<ExitStatus> recordedStatus(Job job) {
        if (job.nativeLaunch) {
            Map<String, String> rec = spool.read(job.id, Spool.PID);
            if ("1".equals(rec.get(Spool.STATUS_RECORDED))) {
                job.statusInRecord = true;
                return Optional.of(ExitStatus.parse(rec, mtime(Spool.PID, job)));
            }
        }
        if (!spool.exists(job.id, Spool.STATUS)) return Optional.empty();
        return Optional.of(ExitStatus.parse(spool.read(job.id, Spool.STATUS), mtime(Spool.STATUS, job)));
    }

    private long mtime(String file, Job job) {
        try {
            return Files.getLastModifiedTime(spool.jobDir(job.id).resolve(file)).toMillis();
        } catch (IOException e) {
            return clock.millis();
        }
    }

    private void toEnding(Job job, ExitStatus status) {
        job.status = status;
        job.phase = Phase.ENDING;
        job.endingSince = clock.millis();
        checkEnding(job);
    }

    /** The script has ended: kill what it left behind, then record the outcome. */
    private void checkEnding(Job job) {
        readJobPid(job);
        if (job.cgroup != null) {
            Set<Long> left = control.pids(job.cgroup, job.jobPid);
            left.remove(job.wrapperPid);
            left.remove(job.parkPid);
            if (!left.isEmpty()) {
                if (clock.millis() - job.endingSince < ENDING_KILL_WINDOW_MS) {
                    log.debug("event=job_leftovers job={} pids={}", job.id, left);
                    sendAll(job, Signals.SIGKILL);
                    return;   // look again at the next tick
                }
                log.error("event=job_leftovers_survive job={} pids={}", job.id, left);
            }
        }
        if (job.status.lost()) killPark(job);
        finish(job, outcome(job));
    }

    /** The parking process of a wrapper that died: a `sleep` in the wrapper's session. */
    private void killPark(Job job) {
        if (job.parkPid <= 0) return;
        Optional<Procfs.Stat> s = Procfs.stat(job.parkPid);
        if (s.isPresent() && s.get().comm().equals("sleep") && s.get().session() == job.wrapperPid) {
            signals.send(Signals.SIGKILL, List.of(job.parkPid), List.of());
        }
    }

    private JobOutcome outcome(Job job) {
        ExitStatus st = job.status;
        ResourceControl.Usage usage = job.cgroup == null ? ResourceControl.Usage.UNKNOWN : control.usage(job.cgroup);
        String state;
        String message = "";
        if (job.term != null) {
            state = job.term.state();
            message = job.term.message();
        } else if (st.lost()) {
            state = job.lostState;
            message = job.lostReason;
        } else if (usage.oomKills() > 0 || (usage.oomKills() < 0 && usage.memFailures() > 0 && st.signal() == Signals.SIGKILL)) {
            state = JobOutcome.OUT_OF_MEMORY;
            message = "out of memory: the kernel killed a process of the job at its limit of "
                    + job.req.memoryLimitMb() + " MB";
        } else if (!st.known()) {
            state = JobOutcome.FAILED;
            message = "the job's exit status could not be read";
        } else if (st.exitCode() == 0 && st.signal() == 0) {
            state = JobOutcome.COMPLETED;
        } else {
            state = JobOutcome.FAILED;
        }
        if (!state.equals(JobOutcome.COMPLETED)) {
            String wlog = spool.wrapperLogTail(job.id, 500);
            if (!wlog.isEmpty()) message = message.isEmpty() ? wlog : message + "; " + wlog;
        }
        long ended = st.endedMs() > 0 ? st.endedMs() : clock.millis();
        long rss = usage.peakBytes() > 0 ? usage.peakBytes() / 1024 : job.peakRssKb;
        double cpu = usage.cpuSeconds() >= 0 ? usage.cpuSeconds() : Math.max(0, st.cpuSeconds());
        return new JobOutcome(job.id, state, st.exitCode(), st.signal(), job.startedAt, ended, rss, cpu, message);
    }

    private void finish(Job job, JobOutcome o) {
        if (job.cgroup != null) control.remove(job.cgroup);
        if (job.tmpDir != null) launcher.releaseTmp(job.tmpDir);
        if (!job.nativeLaunch) {
            try {
                Files.deleteIfExists(spool.jobDir(job.id).resolve(Spool.ENVIRON));   // holds the job's secrets
            } catch (IOException e) {
                // removed with the job directory after the ack
            }
        }
        boolean appended = false;
        if (job.statusInRecord) {
            try {
                spool.appendOutcome(o);
                appended = true;
            } catch (IOException e) {
                log.warn("event=spool_write_failed job={} file=pid error=\"{}\" note=\"writing outcome.json instead\"", job.id, e.getMessage());
            }
        }
        if (!appended) {
            try {
                spool.writeOutcome(o);
            } catch (IOException e) {
                log.warn("event=spool_write_failed job={} file=outcome error=\"{}\"", job.id, e.getMessage());
            }
        }
        job.outcome = o;
        job.phase = Phase.DONE;
        job.process = null;
        log.info("event=job_ended job={} state={} exit_code={}:{} max_rss_kb={} cpu_s={} message=\"{}\"",
                o.jobId(), o.state(), o.exitCode(), o.signal(), o.maxRssKb(), String.format("%.2f", o.cpuSeconds()), o.message());
        publish(true);
    }

    private void publish(boolean newResult) {
        List<Long> running = new ArrayList<>();
        List<JobOutcome> results = new ArrayList<>();
        for (Job j : jobs.values()) {
            if (j.phase == Phase.DONE) results.add(j.outcome);
            else running.add(j.id);
        }
        Collections.sort(running);
        results.sort((a, b) -> Long.compare(a.jobId(), b.jobId()));
        snapshot = new Snapshot(List.copyOf(running), List.copyOf(results));
        if (newResult) newResults.getAndSet(new CompletableFuture<>()).complete(null);
    }

    // ---- recovery ------------------------------------------------------------------------------------

    /** Rebuilds the job table from the spool after a (re)start. */
    void recover() {
        List<Long> ids;
        try {
            ids = spool.jobIds();
        } catch (IOException e) {
            log.error("event=spool_unreadable path={} error=\"{}\"", spool.jobsDir(), e.getMessage());
            return;
        }
        for (long id : ids) {
            try {
                recoverJob(id);
            } catch (RuntimeException e) {
                log.error("event=recover_failed job={} error=\"{}\"", id, e.toString(), e);
            }
        }
        publish(!snapshot.results().isEmpty());
    }

    private void recoverJob(long id) {
        Optional<JobOutcome> done = spool.readOutcome(id);
        Optional<LaunchRequest> launch = spool.readLaunch(id);
        if (done.isPresent()) {
            Job job = new Job(id, launch.orElse(null), Phase.DONE);
            job.outcome = done.get();
            jobs.put(id, job);
            log.info("event=result_pending job={} state={}", id, done.get().state());
            return;
        }
        if (launch.isEmpty()) {
            Job job = new Job(id, null, Phase.DONE);
            jobs.put(id, job);
            finish(job, new JobOutcome(id, JobOutcome.NODE_FAIL, 0, 0, 0, clock.millis(), 0, 0,
                    "the agent's spool entry for this job is unreadable"));
            return;
        }
        Job job = new Job(id, launch.get(), Phase.RUNNING);
        jobs.put(id, job);
        Map<String, String> pid = spool.read(id, Spool.PID);
        job.cgroup = control.existing(id).withOomBase(Procfs.parseLongOr(pid.getOrDefault(Launcher.OOM_BASE, "0"), 0));
        Map<String, String> kill = spool.read(id, Spool.KILL);
        if (!kill.isEmpty()) {
            job.term = new Termination(kill.getOrDefault("state", JobOutcome.CANCELLED), kill.getOrDefault("message", ""),
                    Procfs.parseLongOr(kill.getOrDefault("since_ms", "0"), 0),
                    Procfs.parseLongOr(kill.getOrDefault("grace_ms", "0"), 0),
                    Boolean.parseBoolean(kill.getOrDefault("kill_sent", "false")));
        }
        if (pid.isEmpty()) {
            readJobPid(job);
            job.startedAt = 0;
            Optional<ExitStatus> recorded = recordedStatus(job);
            if (recorded.isPresent()) {
                toEnding(job, recorded.get());
            } else {
                job.lostState = JobOutcome.NODE_FAIL;
                job.lostReason = "the agent stopped while starting the job";
                toEnding(job, ExitStatus.LOST);
            }
            return;
        }
        job.wrapperPid = Procfs.parseLongOr(pid.getOrDefault("wrapper_pid", "0"), 0);
        job.wrapperStart = Procfs.parseLongOr(pid.getOrDefault("wrapper_start", "0"), 0);
        job.startedAt = Procfs.parseLongOr(pid.getOrDefault("started_ms", "0"), 0);
        job.nativeLaunch = pid.getOrDefault("launcher", "shell").equals("native");
        readJobPid(job);
        String tmp = pid.getOrDefault("tmp", "");
        if (!tmp.isEmpty()) job.tmpDir = Path.of(tmp);
        if (!bootId.isEmpty() && !bootId.equals(pid.getOrDefault("boot_id", bootId))) {
            Optional<ExitStatus> recorded = recordedStatus(job);
            if (recorded.isPresent()) {
                toEnding(job, recorded.get());
            } else {
                job.lostState = JobOutcome.NODE_FAIL;
                job.lostReason = "the node rebooted while the job ran";
                job.cgroup = null;   // gone with the reboot
                toEnding(job, ExitStatus.LOST);
            }
            return;
        }
        log.info("event=job_readopted job={} wrapper_pid={} alive={} started_ms={}", id, job.wrapperPid,
                Procfs.alive(job.wrapperPid, job.wrapperStart), job.startedAt);
        checkRunning(job);
    }
}
