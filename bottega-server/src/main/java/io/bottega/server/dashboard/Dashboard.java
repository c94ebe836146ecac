package io.bottega.server.dashboard;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bottega.api.JobView;
import io.bottega.api.NodeView;
import io.bottega.server.http.ApiServer;
import io.bottega.server.jobs.Identity;
import io.bottega.server.jobs.SubmitException;
import io.bottega.server.loop.ControllerLoop;
import io.bottega.server.loop.ControllerLoop.JobBrief;
import io.bottega.server.loop.JobFilter;
import io.bottega.server.store.JobEvent;
import io.bottega.server.store.JobRow;
import io.bottega.server.store.Store;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.sse.SseHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The web dashboard, served by the controller: the page and its scripts at {@code /} (from the jar), its data
 * under {@code /api/v1/dashboard/...}, and live updates as server-sent events at {@code /api/v1/events}. Every
 * data route needs an identity (a token from {@code bottega token}, sent as {@code Authorization: Bearer}); what
 * a user sees of other users' jobs follows {@link DashboardSettings#privateData()}. See {@code docs/dashboard.md}.
 *
 * <p>Made for Leonardo's size (5,000 nodes, 100,000 jobs): the map is sent as columns of numbers, not an
 * object per node; the queue is paged (the page scrolls virtually); the loop is copied at most once a second
 * however many browsers ask ({@link Snapshots}).
 */
public final class Dashboard {
    private static final Logger log = LoggerFactory.getLogger(Dashboard.class);
    public static final String DATA = ApiServer.PREFIX + "/dashboard";
    /** How old a snapshot of the loop may be when a page asks. */
    private static final long MAX_AGE_MILLIS = 1000;
    private static final int MAX_PAGE = 1000;

    private final ApiServer api;
    private final ControllerLoop loop;
    private final Store store;
    private final ObjectMapper json;
    private final LongSupplier clockMillis;
    private final DashboardSettings settings;
    private final Snapshots snapshots;
    private final History history;
    private final Usage usage;
    private final EventStream events;
    private final StaticAssets assets = new StaticAssets();
    private final QueueIndex queue = new QueueIndex();
    /** Where answers are built: never on the loop's thread, which completes the loop's futures. */
    private final java.util.concurrent.ExecutorService work = Executors.newVirtualThreadPerTaskExecutor();
    private ScheduledExecutorService timer;

    public Dashboard(ApiServer api, ControllerLoop loop, Store store, ObjectMapper json, LongSupplier clockMillis,
                     DashboardSettings settings) {
        this.api = api;
        this.loop = loop;
        this.store = store;
        this.json = json;
        this.clockMillis = clockMillis;
        this.settings = settings;
        this.snapshots = new Snapshots(loop, clockMillis);
        this.history = new History(settings.historySamples());
        this.usage = new Usage(store, clockMillis);
        this.events = new EventStream(loop, json, clockMillis);
    }

    /** Installs the dashboard with the settings of the environment ({@link DashboardSettings#fromEnvironment()}). */
    public static Dashboard install(ApiServer api, JavalinConfig cfg, ControllerLoop loop, Store store, ObjectMapper json,
                                    LongSupplier clockMillis) {
        return install(api, cfg, loop, store, json, clockMillis, DashboardSettings.fromEnvironment());
    }

    /** Installs the dashboard with these settings (for a controller option that carries {@code privateData}). */
    public static Dashboard install(ApiServer api, JavalinConfig cfg, ControllerLoop loop, Store store, ObjectMapper json,
                                    LongSupplier clockMillis, DashboardSettings settings) {
        Dashboard d = new Dashboard(api, loop, store, json, clockMillis, settings);
        d.install(cfg);
        return d;
    }

    public DashboardSettings settings() { return settings; }

    public History history() { return history; }

    public Snapshots snapshots() { return snapshots; }

    public void install(JavalinConfig cfg) {
        api.extensionRoute(cfg, HandlerType.GET, "/", "the dashboard (HTML)", ctx -> page(ctx, "index.html"));
        api.extensionRoute(cfg, HandlerType.GET, "/dashboard/{file}", "the dashboard's scripts and styles", ctx -> page(ctx, ctx.pathParam("file")));
        api.extensionRoute(cfg, HandlerType.GET, "/dashboard/vendor/echarts.js", "ECharts " + StaticAssets.echartsVersion()
                + " (ES module, from its WebJar)", ctx -> StaticAssets.send(ctx, assets.echarts().orElseThrow(
                        () -> SubmitException.notFound("ECharts is missing from the class path")), "public, max-age=604800"));
        api.extensionRoute(cfg, HandlerType.GET, DATA + "/summary", "dashboard: the machine in numbers, and who is asking", this::summary);
        api.extensionRoute(cfg, HandlerType.GET, DATA + "/map", "dashboard: every node as columns (name, group, state, "
                + "cpus, cpusAlloc, gpus, gpusAlloc, jobs)", this::map);
        api.extensionRoute(cfg, HandlerType.GET, DATA + "/nodes/{name}", "dashboard: one node and the jobs on it", this::node);
        api.extensionRoute(cfg, HandlerType.GET, DATA + "/queue", "dashboard: a page of the queue (offset, limit, state, "
                + "user, account, partition, q, mine, sort, desc)", this::queue);
        api.extensionRoute(cfg, HandlerType.GET, DATA + "/jobs/{id}", "dashboard: a job's request, allocation and timeline", this::job);
        api.extensionRoute(cfg, HandlerType.GET, DATA + "/jobs/{id}/output", "dashboard: a piece of a job's output file "
                + "(stream=stdout|stderr, offset; -1: the end), for its owner", this::output);
        api.extensionRoute(cfg, HandlerType.GET, DATA + "/usage", "dashboard: GPU-hours and core-hours per account "
                + "(days: window, 0 for all time)", this::usage);
        api.extensionRoute(cfg, HandlerType.GET, DATA + "/history", "dashboard: utilisation and queue length samples (hours)", this::history);
        SseHandler sse = new SseHandler(events::add);
        api.extensionRoute(cfg, HandlerType.GET, ApiServer.PREFIX + "/events", "server-sent events: 'update' with the "
                + "machine's counters when they change (coalesced); send Accept: text/event-stream", ctx -> {
                    api.identity(ctx);
                    String accept = ctx.header("Accept");
                    if (accept == null || !accept.contains("text/event-stream")) {
                        throw new SubmitException(406, "Accept", "this is a stream of server-sent events: send 'Accept: text/event-stream'");
                    }
                    sse.handle(ctx);
                });
        cfg.events.serverStarted(this::start);
        cfg.events.serverStopping(this::stop);
    }

    // ------------------------------------------------------------------ lifecycle

    private synchronized void start() {
        if (timer != null) return;
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bottega-dashboard");
            t.setDaemon(true);
            return t;
        });
        long every = settings.sampleInterval().toMillis();
        timer.scheduleAtFixedRate(this::sample, 0, every, TimeUnit.MILLISECONDS);
        long ev = settings.eventInterval().toMillis();
        timer.scheduleWithFixedDelay(() -> {
            try {
                events.tick();
            } catch (RuntimeException e) {
                log.warn("event=dashboard_tick_failed error={}", e.toString());
            }
        }, ev, ev, TimeUnit.MILLISECONDS);
        log.info("event=dashboard_started private_data={} sample_ms={} history_samples={}", settings.privateData(), every,
                history.capacity());
    }

    private synchronized void stop() {
        events.close();
        work.shutdown();
        if (timer != null) timer.shutdownNow();
        timer = null;
    }

    /** One history sample (on the dashboard's timer). */
    void sample() {
        try {
            long[] u = loop.usage().get(10, TimeUnit.SECONDS);
            history.add(new History.Sample(clockMillis.getAsLong(), u[0], u[1], (int) u[2], (int) u[3], (int) u[4]));
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            log.warn("event=dashboard_sample_failed error={}", e.toString());
        }
    }

    // ------------------------------------------------------------------ pages

    private void page(Context ctx, String file) {
        var a = assets.own(file).orElseThrow(() -> SubmitException.notFound("no such file: " + file));
        StaticAssets.send(ctx, a, "no-cache");
    }

    // ------------------------------------------------------------------ data

    private boolean seesAll(Identity who) { return who.operator() || !settings.privateData(); }

    /** Whether {@code who} may see this job at all (its request, allocation, timeline). */
    private boolean mayView(Identity who, String owner) { return seesAll(who) || who.user().equals(owner); }

    /** Whether {@code who} may see this job's script, environment and output. */
    private static boolean mayRead(Identity who, String owner) { return who.operator() || who.user().equals(owner); }

    private void summary(Context ctx) {
        Identity who = api.identity(ctx);
        async(ctx, snapshots.get(MAX_AGE_MILLIS).thenApplyAsync(s -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("cluster", s.cluster());
            m.put("user", who.user());
            m.put("operator", who.operator());
            m.put("privateData", settings.privateData());
            m.put("time", s.takenMillis() / 1000);
            m.put("nodes", s.nodes().size());
            Map<String, Integer> states = new java.util.TreeMap<>();
            for (NodeView n : s.nodes()) states.merge(n.state(), 1, Integer::sum);
            m.put("nodeStates", states);
            m.put("cpus", s.cpus());
            m.put("cpusAlloc", s.cpusAlloc());
            m.put("gpus", s.gpus());
            m.put("gpusAlloc", s.gpusAlloc());
            m.put("pending", s.count("PENDING"));
            m.put("running", s.count("RUNNING"));
            m.put("sampleSeconds", settings.sampleInterval().toMillis() / 1000.0);
            m.put("echarts", StaticAssets.echartsVersion());
            return bytes(m);
        }, work));
    }

    private void map(Context ctx) {
        Identity who = api.identity(ctx);
        async(ctx, snapshots.get(MAX_AGE_MILLIS).thenApplyAsync(s -> mapJson(s, who), work));
    }

    /** The map as columns: index i of every array is node i. A job id of 0 is another user's job under privateData. */
    byte[] mapJson(Snapshot s, Identity who) {
        List<NodeView> nodes = s.nodes();
        List<String> groups = new ArrayList<>();
        Map<String, Integer> groupIdx = new LinkedHashMap<>();
        List<String> states = new ArrayList<>();
        Map<String, Integer> stateIdx = new LinkedHashMap<>();
        int[] g = new int[nodes.size()];
        int[] st = new int[nodes.size()];
        for (int i = 0; i < nodes.size(); i++) {
            NodeView n = nodes.get(i);
            g[i] = groupIdx.computeIfAbsent(n.group().isEmpty() ? "(no group)" : n.group(), k -> {
                groups.add(k);
                return groups.size() - 1;
            });
            st[i] = stateIdx.computeIfAbsent(n.state(), k -> {
                states.add(k);
                return states.size() - 1;
            });
        }
        List<List<JobBrief>> onNode = s.jobsByNode();
        return write(gen -> {
            gen.writeStartObject();
            gen.writeNumberField("time", s.takenMillis() / 1000);
            gen.writeStringField("cluster", s.cluster());
            strings(gen, "groups", groups);
            strings(gen, "states", states);
            gen.writeArrayFieldStart("name");
            for (NodeView n : nodes) gen.writeString(n.name());
            gen.writeEndArray();
            ints(gen, "group", g);
            ints(gen, "state", st);
            gen.writeArrayFieldStart("cpus");
            for (NodeView n : nodes) gen.writeNumber(n.cpus());
            gen.writeEndArray();
            gen.writeArrayFieldStart("cpusAlloc");
            for (NodeView n : nodes) gen.writeNumber(n.cpusAlloc());
            gen.writeEndArray();
            gen.writeArrayFieldStart("gpus");
            for (NodeView n : nodes) gen.writeNumber(n.gpus());
            gen.writeEndArray();
            gen.writeArrayFieldStart("gpusAlloc");
            for (NodeView n : nodes) gen.writeNumber(n.gpusAlloc());
            gen.writeEndArray();
            gen.writeArrayFieldStart("jobs");
            for (List<JobBrief> js : onNode) {
                gen.writeStartArray();
                for (JobBrief j : js) gen.writeNumber(mayView(who, j.row().user()) ? j.row().id() : 0);
                gen.writeEndArray();
            }
            gen.writeEndArray();
            gen.writeEndObject();
        });
    }

    private void node(Context ctx) {
        Identity who = api.identity(ctx);
        String name = ctx.pathParam("name");
        async(ctx, snapshots.get(MAX_AGE_MILLIS).thenApplyAsync(s -> {
            Integer i = s.nodeIndex().get(name);
            if (i == null) throw SubmitException.notFound("Node " + name + " not found");
            List<Map<String, Object>> jobs = new ArrayList<>();
            for (JobBrief j : s.jobsByNode().get(i)) {
                JobRow r = j.row();
                Map<String, Object> m = new LinkedHashMap<>();
                if (mayView(who, r.user())) {
                    m.put("id", r.id());
                    m.put("name", r.name());
                    m.put("user", r.user());
                    m.put("account", r.account());
                    m.put("startTime", r.startTime());
                    m.put("timeLimit", r.timeLimit());
                    m.put("nodes", j.nodes());
                    m.put("gpus", j.gpus());
                    m.put("cpus", j.cpus());
                } else {
                    m.put("id", 0);
                    m.put("hidden", true);
                }
                jobs.add(m);
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("node", s.nodes().get(i));
            out.put("heartbeatLagMs", s.lagMillis()[i]);
            out.put("jobs", jobs);
            return bytes(out);
        }, work));
    }

    private void queue(Context ctx) {
        Identity who = api.identity(ctx);
        int offset = (int) Math.max(0, number(ctx, "offset", 0));
        int limit = (int) Math.min(MAX_PAGE, Math.max(1, number(ctx, "limit", 200)));
        QueueIndex.Query q = new QueueIndex.Query(param(ctx, "state").toUpperCase(Locale.ROOT), param(ctx, "user"), param(ctx, "account"),
                param(ctx, "partition"), param(ctx, "q").toLowerCase(Locale.ROOT),
                "true".equals(ctx.queryParam("mine")) || !seesAll(who) ? who.user() : "",
                param(ctx, "sort").isEmpty() ? "id" : param(ctx, "sort"), "true".equals(ctx.queryParam("desc")));
        async(ctx, snapshots.get(MAX_AGE_MILLIS).thenApplyAsync(s -> {
            int[] rows = queue.select(s, q);
            return write(gen -> {
                gen.writeStartObject();
                gen.writeNumberField("time", s.takenMillis() / 1000);
                gen.writeNumberField("total", rows.length);
                gen.writeNumberField("offset", offset);
                strings(gen, "columns", QueueIndex.COLUMNS);
                gen.writeArrayFieldStart("rows");
                for (int k = offset; k < Math.min(rows.length, offset + limit); k++) QueueIndex.writeRow(gen, s.jobs().get(rows[k]));
                gen.writeEndArray();
                gen.writeEndObject();
            });
        }, work));
    }

    private void job(Context ctx) {
        Identity who = api.identity(ctx);
        long id = jobId(ctx);
        async(ctx, findJob(id).thenApplyAsync(found -> {
            JobView v = found.view();
            JobRow r = found.row();
            if (!mayView(who, v.user())) throw SubmitException.forbidden("Access/permission denied: job " + id + " belongs to another user");
            boolean details = mayRead(who, v.user());
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("job", v);
            out.put("owner", who.user().equals(v.user()));
            out.put("details", details);
            JsonNode request = request(r, details);
            if (details && r != null && request instanceof ObjectNode o) {
                store.script(id).ifPresent(sc -> o.put("script", sc.script()));
            }
            out.put("request", request);
            out.put("allocation", allocation(r));
            List<JobEvent> events = r == null ? List.of() : store.events(id);
            out.put("events", events);
            Map<String, Object> output = new LinkedHashMap<>();
            if (r != null && details) {
                output.put("stdout", OutputTail.path(r, "stdout"));
                output.put("stderr", OutputTail.path(r, "stderr"));
            }
            out.put("output", output);
            return bytes(out);
        }, work));
    }

    private void output(Context ctx) {
        Identity who = api.identity(ctx);
        long id = jobId(ctx);
        String stream = param(ctx, "stream").isEmpty() ? "stdout" : param(ctx, "stream");
        if (!stream.equals("stdout") && !stream.equals("stderr")) throw SubmitException.invalid("stream", "stream must be stdout or stderr");
        long offset = number(ctx, "offset", -1);
        async(ctx, findJob(id).thenApplyAsync(found -> {
            if (!mayRead(who, found.view().user())) {
                throw SubmitException.forbidden("Access/permission denied: only the job's owner sees its output");
            }
            if (found.row() == null) throw SubmitException.notFound("job " + id + " is not stored yet");
            return bytes(OutputTail.read(found.row(), stream, offset));
        }, work));
    }

    private void usage(Context ctx) {
        Identity who = api.identity(ctx);
        long days = number(ctx, "days", 30);
        if (days < 0) throw SubmitException.invalid("days", "days must not be negative");
        long since = days == 0 ? 0 : clockMillis.getAsLong() / 1000 - days * 86400;
        String only = seesAll(who) ? null : who.user();
        async(ctx, snapshots.get(MAX_AGE_MILLIS).thenCombine(loop.budgets(), (s, budgets) -> java.util.Map.entry(s, budgets))
                .thenApplyAsync(e -> {
            // (the store's query runs here, off the loop)
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("since", since);
            out.put("onlyUser", only == null ? "" : only);
            List<Usage.Row> rows = usage.report(e.getKey().jobs(), since, only, e.getValue());
            out.put("accounts", rows);
            out.put("energyKwh", rows.stream().mapToDouble(Usage.Row::energyKwh).sum());
            return bytes(out);
        }, work));
    }

    private void history(Context ctx) {
        api.identity(ctx);
        double hours = Math.max(0.01, Double.parseDouble(param(ctx, "hours").isEmpty() ? "6" : param(ctx, "hours")));
        long since = clockMillis.getAsLong() - (long) (hours * 3_600_000);
        History.Columns c = history.since(since);
        long cores = loop.cluster().totalCores();
        long gpus = loop.cluster().totalGpus();
        ctx.contentType("application/json").result(write(gen -> {
            gen.writeStartObject();
            gen.writeNumberField("intervalSeconds", settings.sampleInterval().toMillis() / 1000.0);
            gen.writeNumberField("cores", cores);
            gen.writeNumberField("gpus", gpus);
            gen.writeNumberField("nodes", loop.cluster().nodeCount());
            gen.writeArrayFieldStart("time");
            for (long t : c.time()) gen.writeNumber(t);
            gen.writeEndArray();
            gen.writeArrayFieldStart("coresAlloc");
            for (long v : c.coresAlloc()) gen.writeNumber(v);
            gen.writeEndArray();
            gen.writeArrayFieldStart("gpusAlloc");
            for (long v : c.gpusAlloc()) gen.writeNumber(v);
            gen.writeEndArray();
            ints(gen, "nodesUp", c.nodesUp());
            ints(gen, "pending", c.pending());
            ints(gen, "running", c.running());
            gen.writeEndObject();
        }));
    }

    // ------------------------------------------------------------------ helpers

    private record Found(JobView view, JobRow row) {}

    /** The job's view (live when active) and its freshest row (memory, else the store). */
    private CompletableFuture<Found> findJob(long id) {
        JobFilter f = JobFilter.ids(List.of(Long.toString(id)));
        return loop.jobs(f, true).thenCombineAsync(loop.memoryRows(f), (views, rows) -> {
            Optional<JobView> v = views.stream().filter(x -> x.id() == id).findFirst();
            Optional<JobRow> r = rows.stream().filter(x -> x.id() == id).findFirst();
            if (r.isEmpty()) r = store.job(id);
            if (v.isEmpty()) v = r.map(loop::viewOf);
            if (v.isEmpty()) throw SubmitException.notFound("Invalid job id specified: " + id);
            return new Found(v.get(), r.orElse(null));
        }, work);
    }

    private JsonNode request(JobRow r, boolean details) {
        if (r == null || r.requestJson().isEmpty()) return json.createObjectNode();
        try {
            JsonNode n = json.readTree(r.requestJson());
            if (n instanceof ObjectNode o && !details) {
                for (String secret : List.of("script", "scriptArgs", "wrap", "environment", "export")) {
                    if (o.has(secret) || secret.equals("script")) o.put(secret, "(only the job's owner sees this)");
                }
            }
            return n;
        } catch (IOException e) {
            return json.createObjectNode().put("error", "unreadable request: " + e.getMessage());
        }
    }

    private JsonNode allocation(JobRow r) {
        if (r == null || r.allocationJson().isEmpty()) return json.createArrayNode();
        try {
            return json.readTree(r.allocationJson()).path("nodes");
        } catch (IOException e) {
            return json.createArrayNode();
        }
    }

    private static long jobId(Context ctx) {
        String s = ctx.pathParam("id");
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw SubmitException.invalid("id", "job id must be a number, got '" + s + "'");
        }
    }

    private static String param(Context ctx, String name) {
        String v = ctx.queryParam(name);
        return v == null ? "" : v.trim();
    }

    private static long number(Context ctx, String name, long dflt) {
        String v = ctx.queryParam(name);
        if (v == null || v.isBlank()) return dflt;
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw SubmitException.invalid(name, "'" + name + "' must be a whole number, got '" + v + "'");
        }
    }

    private void async(Context ctx, CompletableFuture<byte[]> body) {
        ctx.future(() -> body.handle((b, err) -> {
            if (err == null) {
                ctx.contentType("application/json").result(b);
                return null;
            }
            Throwable t = err;
            while (t instanceof CompletionException && t.getCause() != null) t = t.getCause();
            int status = t instanceof SubmitException se ? se.status() : 500;
            if (status == 500) log.error("event=dashboard_request_failed path={} error={}", ctx.path(), t.toString(), t);
            ctx.status(status).contentType("application/json").result(bytes(Map.of("error", String.valueOf(t.getMessage()))));
            return null;
        }));
    }

    private byte[] bytes(Object o) {
        try {
            return json.writeValueAsBytes(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    interface Body {
        void write(JsonGenerator gen) throws IOException;
    }

    byte[] write(Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
        try (JsonGenerator gen = json.getFactory().createGenerator(out)) {
            body.write(gen);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void strings(JsonGenerator gen, String field, List<String> values) throws IOException {
        gen.writeArrayFieldStart(field);
        for (String v : values) gen.writeString(v);
        gen.writeEndArray();
    }

    private static void ints(JsonGenerator gen, String field, int[] values) throws IOException {
        gen.writeFieldName(field);
        gen.writeArray(values, 0, values.length);
    }
}
