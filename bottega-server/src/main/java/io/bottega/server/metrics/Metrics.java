package io.bottega.server.metrics;

import io.bottega.api.NodeView;
import io.bottega.core.model.Partition;
import io.bottega.server.http.ApiServer;
import io.bottega.server.loop.ControllerLoop;
import io.bottega.server.loop.ControllerLoop.JobBrief;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code GET /metrics}: the controller in Prometheus' text format, through Micrometer. Unauthenticated, like most
 * exporters, and read-only; it shows counts and node names, never a job or a user. Gauges are read from the
 * loop when scraped (one copy of its state per scrape); the pass-duration histogram is fed by the loop itself.
 *
 * <pre>
 * bottega_jobs{state,partition}                 jobs PENDING / RUNNING now, per partition (gauge)
 * bottega_jobs_submitted_total                  jobs submitted (array elements each count)
 * bottega_jobs_started_total                    jobs started
 * bottega_jobs_ended_total{state}               jobs ended, by final state (COMPLETED, FAILED, ...)
 * bottega_scheduler_pass_seconds{_bucket,_sum,_count,_max}   scheduling pass duration (histogram)
 * bottega_scheduler_last_pass_seconds           the last pass's duration
 * bottega_nodes{state}                          nodes by state (idle, mixed, allocated, down, drained, unknown, ...)
 * bottega_gpus_allocated / bottega_gpus_capacity   GPUs allocated, GPUs in the cluster
 * bottega_cores_allocated / bottega_cores_capacity cores
 * bottega_agent_heartbeat_lag_seconds{node}     seconds since each registered agent last synced
 * bottega_agent_heartbeat_lag_max_seconds       the largest of those
 * bottega_agents_registered                     agents that have registered
 * </pre>
 */
public final class Metrics {
    public static final String PATH = "/metrics";
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final ControllerLoop loop;
    /** Where the gauges are set and the text written: never on the loop's thread, which completes its futures. */
    private final java.util.concurrent.Executor work = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final MultiGauge jobs;
    private final MultiGauge nodes;
    private final MultiGauge lag;
    private final AtomicLong gpusAlloc = new AtomicLong();
    private final AtomicLong coresAlloc = new AtomicLong();
    private final AtomicLong lagMaxMillis = new AtomicLong();
    private final AtomicLong registered = new AtomicLong();
    private final Set<String> endedStates = new HashSet<>();

    public Metrics(ControllerLoop loop) {
        this.loop = loop;
        ControllerLoop.Stats st = loop.stats();
        FunctionCounter.builder("bottega.jobs.submitted", st, s -> s.submitted.get()).description("jobs submitted").register(registry);
        FunctionCounter.builder("bottega.jobs.started", st, s -> s.started.get()).description("jobs started").register(registry);
        for (io.bottega.core.model.JobState state : io.bottega.core.model.JobState.values()) {
            if (state.isFinal()) endedCounter(st, state.name());
        }
        Timer pass = Timer.builder("bottega.scheduler.pass").description("duration of one scheduling pass")
                .serviceLevelObjectives(Duration.ofNanos(100_000), Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10),
                        Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
                        Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5))
                .register(registry);
        st.passObservers.add(n -> pass.record(n, TimeUnit.NANOSECONDS));
        Gauge.builder("bottega.scheduler.last.pass", st, s -> s.lastPassNanos / 1e9).baseUnit("seconds")
                .description("the last scheduling pass's duration").register(registry);
        jobs = MultiGauge.builder("bottega.jobs").description("active jobs by state and partition").register(registry);
        nodes = MultiGauge.builder("bottega.nodes").description("nodes by state").register(registry);
        lag = MultiGauge.builder("bottega.agent.heartbeat.lag").baseUnit("seconds")
                .description("seconds since the node's agent last synced").register(registry);
        long gpus = loop.cluster().totalGpus();
        long cores = loop.cluster().totalCores();
        Gauge.builder("bottega.gpus.capacity", () -> gpus).description("GPUs in the cluster").register(registry);
        Gauge.builder("bottega.gpus.allocated", gpusAlloc, AtomicLong::get).description("GPUs allocated to running jobs").register(registry);
        Gauge.builder("bottega.cores.capacity", () -> cores).description("cores in the cluster").register(registry);
        Gauge.builder("bottega.cores.allocated", coresAlloc, AtomicLong::get).description("cores allocated to running jobs").register(registry);
        Gauge.builder("bottega.agent.heartbeat.lag.max", lagMaxMillis, a -> a.get() / 1000.0).baseUnit("seconds")
                .description("the largest heartbeat lag over registered agents").register(registry);
        Gauge.builder("bottega.agents.registered", registered, AtomicLong::get).description("agents registered").register(registry);
    }

    /** Installs {@code GET /metrics} on the controller's HTTP port. */
    public static Metrics install(ApiServer api, JavalinConfig cfg, ControllerLoop loop) {
        Metrics m = new Metrics(loop);
        api.extensionRoute(cfg, HandlerType.GET, PATH, "Prometheus metrics (text format 0.0.4; no authentication)", m::scrape);
        return m;
    }

    public PrometheusMeterRegistry registry() { return registry; }

    private void scrape(Context ctx) {
        ctx.future(() -> refresh().handleAsync((v, err) -> {
            if (err != null) {
                ctx.status(503).contentType("text/plain; charset=utf-8").result("# the controller's loop did not answer: " + err + "\n");
            } else {
                ctx.contentType(CONTENT_TYPE).result(registry.scrape());
            }
            return null;
        }, work));
    }

    /** Reads the loop and sets the gauges; completes when they are set. */
    public java.util.concurrent.CompletableFuture<Void> refresh() {
        var views = loop.nodeViews();
        var briefs = loop.jobBriefs();
        var lags = loop.heartbeatLag();
        var usage = loop.usage();
        return views.thenCombineAsync(briefs, (n, b) -> {
            update(n, b);
            return null;
        }, work).thenCombineAsync(lags, (x, l) -> {
            updateLag(l);
            return null;
        }, work).thenCombineAsync(usage, (x, u) -> {
            coresAlloc.set(u[0]);
            gpusAlloc.set(u[1]);
            return null;
        }, work);
    }

    private synchronized void update(List<NodeView> nodeViews, List<JobBrief> active) {
        Map<List<String>, Integer> counts = new TreeMap<>((a, b) -> a.get(0).equals(b.get(0)) ? a.get(1).compareTo(b.get(1))
                : a.get(0).compareTo(b.get(0)));
        for (Partition p : loop.cluster().partitions()) {
            counts.put(List.of("PENDING", p.name()), 0);
            counts.put(List.of("RUNNING", p.name()), 0);
        }
        for (JobBrief j : active) counts.merge(List.of(j.row().state(), j.row().partition()), 1, Integer::sum);
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        counts.forEach((k, v) -> rows.add(MultiGauge.Row.of(Tags.of("state", k.get(0), "partition", k.get(1)), v)));
        jobs.register(rows, true);
        Map<String, Integer> byState = new TreeMap<>();
        for (String s : List.of("idle", "mixed", "allocated", "down", "drained", "draining", "unknown")) byState.put(s, 0);
        for (NodeView n : nodeViews) byState.merge(n.state(), 1, Integer::sum);
        List<MultiGauge.Row<?>> nodeRows = new ArrayList<>();
        byState.forEach((s, v) -> nodeRows.add(MultiGauge.Row.of(Tags.of("state", s), v)));
        nodes.register(nodeRows, true);
        ControllerLoop.Stats st = loop.stats();
        for (String state : st.endedByState.keySet()) endedCounter(st, state);
    }

    private synchronized void endedCounter(ControllerLoop.Stats st, String state) {
        if (!endedStates.add(state)) return;
        FunctionCounter.builder("bottega.jobs.ended", st, s -> s.endedByState.getOrDefault(state, 0L)).tag("state", state)
                .description("jobs ended, by final state").register(registry);
    }

    private synchronized void updateLag(Map<String, Long> lags) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        long max = 0;
        long reg = 0;
        for (Map.Entry<String, Long> e : lags.entrySet()) {
            if (e.getValue() < 0) continue;
            reg++;
            max = Math.max(max, e.getValue());
            rows.add(MultiGauge.Row.of(Tags.of("node", e.getKey()), e.getValue() / 1000.0));
        }
        lag.register(rows, true);
        lagMaxMillis.set(max);
        registered.set(reg);
    }
}
