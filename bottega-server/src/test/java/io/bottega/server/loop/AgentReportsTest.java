package io.bottega.server.loop;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bottega.api.JobSubmission;
import io.bottega.api.agent.AgentCommands;
import io.bottega.api.agent.AgentSync;
import io.bottega.api.agent.JobOutcome;
import io.bottega.api.agent.LaunchRequest;
import io.bottega.api.agent.NodeResources;
import io.bottega.core.model.Cluster;
import io.bottega.core.model.NodeSpec;
import io.bottega.core.model.PowerModel;
import io.bottega.core.policy.Site;
import io.bottega.core.sched.SchedulerConfig;
import io.bottega.server.Controller;
import io.bottega.server.ControllerConfig;
import io.bottega.server.agents.AgentHub;
import io.bottega.server.jobs.Identity;
import io.bottega.server.jobs.JobFactory;
import io.bottega.server.store.JdbcStore;
import io.bottega.server.store.JobRow;
import io.bottega.server.store.Store;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The controller's loop and what agents report, with the agent played by the test through the hub: when a result
 * is acknowledged, and what becomes of a job its agent never takes.
 */
class AgentReportsTest {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final List<AutoCloseable> open = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open.reversed()) c.close();
        timer.shutdownNow();
    }

    /** The store, with the writes that end a job held back until {@code release}. */
    private static final class HeldEnds {
        final CompletableFuture<Void> release = new CompletableFuture<>();
        final CompletableFuture<Void> held = new CompletableFuture<>();

        Store wrap(Store real) {
            return (Store) Proxy.newProxyInstance(Store.class.getClassLoader(), new Class<?>[] {Store.class}, (p, m, args) -> {
                Object r;
                try {
                    r = m.invoke(real, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
                if (m.getName().equals("updateJobs") && endsAJob(args[0])) {
                    held.complete(null);
                    return ((CompletableFuture<?>) r).thenCombine(release, (a, b) -> null);
                }
                return r;
            });
        }

        private static boolean endsAJob(Object rows) {
            for (Object o : (List<?>) rows) if (((JobRow) o).state().equals("COMPLETED")) return true;
            return false;
        }
    }

    private Cluster cluster;
    private ObjectMapper json;
    private JdbcStore real;
    private AgentHub hub;
    private ControllerLoop loop;
    private long seq;

    /** A one-node cluster's loop on {@code store} (the SQLite store, or a wrapper of it) and {@code clock}. */
    private void start(java.util.function.UnaryOperator<Store> store, java.util.function.LongSupplier clock) throws Exception {
        cluster = Cluster.builder("t")
                .node(new NodeSpec("n1", 4, 8000, 0, "", Set.of(), "g1", true, new PowerModel(100, 10, 20, 300)))
                .partition("batch", List.of("n1"), 3600, 86400, Integer.MAX_VALUE, true, 1).build();
        ControllerConfig config = new ControllerConfig(dir, "", "127.0.0.1", 0, dir.resolve("ctl.sock"), cluster,
                SchedulerConfig.parse("easy"), "key-0123456789abcdef", Duration.ofSeconds(300), Duration.ofMillis(200),
                Duration.ofMillis(100), Duration.ofSeconds(1), 2, false, Set.of(), Site.NONE, 1);
        real = JdbcStore.open(config.effectiveDbUrl());
        open.add(real::close);
        json = Controller.mapper();
        hub = new AgentHub(timer, 200, 60_000);
        loop = new ControllerLoop(config, store.apply(real), hub, json, clock, "http://127.0.0.1:1");
        open.add(loop::close);
        loop.start();
        loop.register(new NodeResources("n1", 4, 8000, List.of(), List.of(), "g1", "none", "test", "127.0.0.1")).get(10, TimeUnit.SECONDS);
    }

    private long submit(long nowSeconds) throws Exception {
        JobSubmission s = json.readValue("{\"script\":\"#!/bin/sh\\ntrue\\n\",\"submitDir\":\"/tmp\"}", JobSubmission.class);
        JobFactory.Prepared p = new JobFactory(cluster, Site.NONE, json).prepare(s, new Identity("root", 0, 0, true, "test"), nowSeconds);
        return loop.submit(p, Map.of()).get(10, TimeUnit.SECONDS).jobId();
    }

    /** The agent's sync: running nothing, these results. */
    private AgentCommands sync(JobOutcome... results) throws Exception {
        return hub.poll("n1", new AgentSync("n1", "boot", ++seq, List.of(), List.of(results))).get(10, TimeUnit.SECONDS);
    }

    @Test
    void aResultReportedAgainWhileItsEndIsBeingStored_isAcknowledgedOnlyOnceStored() throws Exception {
        // an agent reports a result in every sync until it is acknowledged, so the same result often comes again
        // while its end is being written; acknowledged then, a controller that crashed before the write would
        // find the job RUNNING, and the agent would no longer know it
        HeldEnds writes = new HeldEnds();
        start(writes::wrap, System::currentTimeMillis);
        long id = submit(System.currentTimeMillis() / 1000);

        LaunchRequest launch = null;
        for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); launch == null && System.nanoTime() < deadline; ) {
            AgentCommands c = sync();
            if (!c.launch().isEmpty()) launch = c.launch().getFirst();
        }
        assertThat(launch).as("the job's launch").isNotNull();
        assertThat(launch.jobId()).isEqualTo(id);

        long now = System.currentTimeMillis();
        JobOutcome done = new JobOutcome(id, JobOutcome.COMPLETED, 0, 0, now - 10, now, 100, 0.0, "");
        AgentSync withResult = new AgentSync("n1", "boot", ++seq, List.of(), List.of(done));
        loop.report(withResult);
        writes.held.get(10, TimeUnit.SECONDS);
        // the agent has not heard back and reports the same result again (the end is still being written)
        AgentSync again = new AgentSync("n1", "boot", ++seq, List.of(), List.of(done));
        loop.report(again);
        loop.call(() -> null).get(10, TimeUnit.SECONDS);   // both reports applied

        AgentCommands before = hub.poll("n1", again).get(10, TimeUnit.SECONDS);
        assertThat(before.ackResults()).as("acknowledged before the end was stored").doesNotContain(id);

        writes.release.complete(null);
        List<Long> acked = new ArrayList<>();
        for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); !acked.contains(id) && System.nanoTime() < deadline; ) {
            acked.addAll(sync(done).ackResults());
        }
        assertThat(acked).as("acknowledged once stored").contains(id);
        assertThat(real.job(id).orElseThrow().state()).isEqualTo("COMPLETED");
    }

    /** The job's state in the store, once its write has landed (at most a few seconds). */
    private String storedState(long id) throws InterruptedException {
        String st = "";
        for (int i = 0; i < 200 && !st.equals("NODE_FAIL"); i++) {
            st = real.job(id).map(JobRow::state).orElse("");
            if (!st.equals("NODE_FAIL")) Thread.sleep(25);
        }
        return st;
    }

    @Test
    void aJobTheAgentNeverTakes_isLaunchedAFewTimesThenEndsNodeFail() throws Exception {
        // the agent syncs all along but never lists the job (it ran it once, and its result is lost): the job must
        // not stay RUNNING until its time limit
        java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong(1_800_000_000_000L);
        start(s -> s, clock::get);
        long id = submit(clock.get() / 1000);
        long t0 = clock.get();
        int launches = 0;
        String state = "";
        for (int step = 0; step < 200 && !state.equals("NODE_FAIL"); step++) {
            clock.addAndGet(1_000);
            // (the hub repeats a launch in each answer until the agent lists the job: what counts is the loop's give-up)
            launches += (int) sync().launch().stream().filter(l -> l.jobId() == id).count();
            loop.report(new AgentSync("n1", "boot", ++seq, List.of(), List.of()));
            loop.call(() -> null).get(10, TimeUnit.SECONDS);
            // the loop's own view (the store's follows a moment later: the steps here take microseconds)
            state = loop.jobs(JobFilter.ALL, true).get(10, TimeUnit.SECONDS).stream().filter(v -> v.id() == id)
                    .map(io.bottega.api.JobView::state).findFirst().orElse("");
        }
        long after = (clock.get() - t0) / 1000;

        assertThat(state).isEqualTo("NODE_FAIL");
        assertThat(launches).as("launches sent").isPositive();
        // sent again every 10 s from 10 s after its start (a pass or two after the submission), given up at the try after the last
        assertThat(after).as("seconds until given up").isBetween(10L + 10L * ControllerLoop.MAX_RELAUNCHES, 20L + 10L * ControllerLoop.MAX_RELAUNCHES);
        assertThat(storedState(id)).isEqualTo("NODE_FAIL");
        assertThat(real.job(id).orElseThrow().reason()).contains("did not take the job");
        assertThat(sync().launch()).as("the launch is no longer repeated").isEmpty();
    }
}
