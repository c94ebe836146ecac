package io.bottega.agent;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.bottega.api.agent.AgentCommands;
import io.bottega.api.agent.AgentProtocol;
import io.bottega.api.agent.AgentSync;
import io.bottega.api.agent.CancelRequest;
import io.bottega.api.agent.JobOutcome;
import io.bottega.api.agent.LaunchRequest;
import io.bottega.api.agent.NodeResources;
import io.bottega.api.agent.Registered;

/**
 * A real HTTP controller on loopback implementing the agent protocol as the package doc describes it:
 * launches repeated until confirmed, cancels until the result arrives, results acknowledged (or not),
 * syncs held up to {@code waitMillis} when there is nothing to say.
 */
final class FakeController implements AutoCloseable {
    static final String KEY = "test-cluster-key";

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<Long, LaunchRequest> pendingLaunches = new LinkedHashMap<>();
    private final Map<Long, String> launchNode = new LinkedHashMap<>();
    private final Map<Long, CancelRequest> pendingCancels = new LinkedHashMap<>();
    private final Map<Long, JobOutcome> results = new LinkedHashMap<>();
    private final Map<Long, Integer> resultSends = new LinkedHashMap<>();
    private final List<Long> toAck = new ArrayList<>();
    private final List<LaunchRequest> replays = new ArrayList<>();
    private final List<AgentSync> syncs = new ArrayList<>();
    private final List<NodeResources> registrations = new ArrayList<>();
    private final Map<String, io.bottega.api.agent.StepLaunch> pendingSteps = new LinkedHashMap<>();
    private final List<io.bottega.api.agent.StepSignal> pendingStepSignals = new ArrayList<>();
    private final Map<String, io.bottega.api.agent.StepOutcome> stepResults = new LinkedHashMap<>();
    private final List<String> stepAcks = new ArrayList<>();
    private final long waitMillis;
    private volatile boolean autoAck = true;
    private HttpServer server;
    private ExecutorService pool;
    private int port;

    FakeController(long waitMillis) throws IOException {
        this.waitMillis = waitMillis;
        start(0);
    }

    private void start(int p) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), p), 50);
        pool = Executors.newCachedThreadPool();
        server.setExecutor(pool);
        server.createContext(AgentProtocol.REGISTER_PATH, this::register);
        server.createContext(AgentProtocol.SYNC_PATH, this::sync);
        server.start();
        port = server.getAddress().getPort();
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Stops answering (as a crashed controller); {@link #restart()} comes back on the same port. */
    void stop() {
        server.stop(0);
        pool.shutdownNow();
    }

    void restart() throws IOException {
        IOException last = null;
        for (int i = 0; i < 50; i++) {
            try {
                start(port);
                return;
            } catch (IOException e) {
                last = e;
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IOException(ie);
                }
            }
        }
        throw last;
    }

    @Override
    public void close() {
        stop();
    }

    void autoAck(boolean on) {
        autoAck = on;
    }

    /** Launches on whichever agent syncs first (tests with one agent). */
    void launch(LaunchRequest r) {
        withLock(() -> pendingLaunches.put(r.jobId(), r));
    }

    /** Launches on the named node only. */
    void launchOn(String node, LaunchRequest r) {
        withLock(() -> {
            pendingLaunches.put(r.jobId(), r);
            launchNode.put(r.jobId(), node);
        });
    }

    /** Sends a launch once more even though it was confirmed (a replayed message). */
    void launchAgain(LaunchRequest r) {
        withLock(() -> replays.add(r));
    }

    void cancel(CancelRequest c) {
        withLock(() -> pendingCancels.put(c.jobId(), c));
    }

    /** Starts a step's tasks on whichever agent syncs first. */
    void step(io.bottega.api.agent.StepLaunch l) {
        withLock(() -> pendingSteps.put(l.key(), l));
    }

    void stepSignal(io.bottega.api.agent.StepSignal sig) {
        withLock(() -> pendingStepSignals.add(sig));
    }

    io.bottega.api.agent.StepOutcome awaitStepResult(String key, Duration timeout) throws InterruptedException {
        return awaitCondition(() -> Optional.ofNullable(stepResults.get(key)), timeout, "no outcome for step " + key);
    }

    void ack(long jobId) {
        withLock(() -> toAck.add(jobId));
    }

    int resultSends(long jobId) {
        lock.lock();
        try {
            return resultSends.getOrDefault(jobId, 0);
        } finally {
            lock.unlock();
        }
    }

    List<AgentSync> syncs() {
        lock.lock();
        try {
            return List.copyOf(syncs);
        } finally {
            lock.unlock();
        }
    }

    List<NodeResources> registrations() {
        lock.lock();
        try {
            return List.copyOf(registrations);
        } finally {
            lock.unlock();
        }
    }

    JobOutcome awaitResult(long jobId, Duration timeout) throws InterruptedException {
        return awaitCondition(() -> Optional.ofNullable(results.get(jobId)), timeout,
                "no result for job " + jobId);
    }

    /** Waits until a sync lists the job as running. */
    void awaitRunning(long jobId, Duration timeout) throws InterruptedException {
        awaitCondition(() -> syncs.stream().filter(s -> s.running().contains(jobId)).findFirst(), timeout,
                "job " + jobId + " never reported running");
    }

    void awaitSync(Predicate<AgentSync> p, Duration timeout, String what) throws InterruptedException {
        awaitCondition(() -> syncs.stream().filter(p).findFirst(), timeout, what);
    }

    private <T> T awaitCondition(java.util.function.Supplier<Optional<T>> cond, Duration timeout, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (true) {
                Optional<T> v = cond.get();
                if (v.isPresent()) return v.get();
                long left = deadline - System.nanoTime();
                if (left <= 0) throw new AssertionError(what + " within " + timeout);
                changed.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    private void withLock(Runnable r) {
        lock.lock();
        try {
            r.run();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private boolean authorized(HttpExchange ex) throws IOException {
        String auth = ex.getRequestHeaders().getFirst(AgentProtocol.AUTHORIZATION_HEADER);
        if ((AgentProtocol.BEARER_PREFIX + KEY).equals(auth)) return true;
        reply(ex, 401, "{\"error\":\"bad cluster key\"}".getBytes());
        return false;
    }

    private void register(HttpExchange ex) throws IOException {
        try (ex) {
            if (!authorized(ex)) return;
            NodeResources n = AgentJson.read(ex.getRequestBody().readAllBytes(), NodeResources.class);
            withLock(() -> registrations.add(n));
            reply(ex, 200, AgentJson.write(new Registered(n.name(), 5_000, waitMillis)));
        }
    }

    private void sync(HttpExchange ex) throws IOException {
        try (ex) {
            if (!authorized(ex)) return;
            AgentSync s = AgentJson.read(ex.getRequestBody().readAllBytes(), AgentSync.class);
            AgentCommands answer;
            lock.lock();
            try {
                syncs.add(s);
                for (long id : s.running()) pendingLaunches.remove(id);
                for (String k : s.steps()) pendingSteps.remove(k);
                for (io.bottega.api.agent.StepOutcome o : s.stepResults()) {
                    pendingSteps.remove(o.key());
                    stepResults.put(o.key(), o);
                    if (autoAck && !stepAcks.contains(o.key())) stepAcks.add(o.key());
                }
                for (JobOutcome o : s.results()) {
                    pendingLaunches.remove(o.jobId());
                    pendingCancels.remove(o.jobId());
                    results.put(o.jobId(), o);
                    resultSends.merge(o.jobId(), 1, Integer::sum);
                    if (autoAck && !toAck.contains(o.jobId())) toAck.add(o.jobId());
                }
                changed.signalAll();
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
                answer = commands(s.node());
                while (answer.nothingToDo()) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) break;
                    changed.awaitNanos(left);
                    answer = commands(s.node());
                }
                toAck.removeAll(answer.ackResults());
                stepAcks.removeAll(answer.stepAcks());
                pendingStepSignals.clear();
                replays.clear();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                answer = AgentCommands.NONE;
            } finally {
                lock.unlock();
            }
            reply(ex, 200, AgentJson.write(answer));
        }
    }

    private AgentCommands commands(String node) {
        List<LaunchRequest> launches = new ArrayList<>();
        for (LaunchRequest r : pendingLaunches.values()) {
            String target = launchNode.get(r.jobId());
            if (target == null || target.equals(node)) launches.add(r);
        }
        launches.addAll(replays);
        return new AgentCommands(launches, List.copyOf(pendingCancels.values()), List.copyOf(toAck), waitMillis, false,
                List.copyOf(pendingSteps.values()), List.copyOf(pendingStepSignals), List.copyOf(stepAcks));
    }

    private static void reply(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        } catch (IOException e) {
            // the agent abandoned the poll
        }
    }
}
