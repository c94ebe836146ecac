package io.bottega.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.bottega.api.JobSubmission;
import io.bottega.api.JobView;
import io.bottega.api.agent.AgentProtocol;
import io.bottega.api.agent.AgentSync;
import io.bottega.api.agent.NodeResources;
import io.bottega.api.slurm.JobSort;
import io.bottega.api.slurm.SqueueFormat;
import io.bottega.api.slurm.SqueueRows;
import io.bottega.core.model.Hostlist;
import io.bottega.server.agents.AgentHub;
import io.bottega.server.jobs.Identity;
import io.bottega.server.jobs.JobFactory;
import io.bottega.server.jobs.SubmitException;
import io.bottega.server.loop.ControllerLoop;
import io.bottega.server.loop.JobFilter;
import io.bottega.server.store.JobQuery;
import io.bottega.server.store.JobRow;
import io.bottega.server.store.Store;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.json.JavalinJackson;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The REST API under {@code /api/v1} (see {@code docs/api.md} and the OpenAPI document at
 * {@code /api/v1/openapi.json}), on a TCP port and, for clients on the same machine, on a Unix socket whose
 * peer credentials say who is calling. Requests carry no state; every change goes through the
 * {@link ControllerLoop}.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
    public static final String PREFIX = "/api/v1";

    /**
     * One route, as the OpenAPI document describes it: its request and response records (null for none or
     * free-form JSON), whether the response is a list of them, and its query parameters.
     */
    public record Route(String method, String path, String summary, Class<?> request, Class<?> response,
                        boolean responseIsList, List<String> query) {}

    private record Doc(Class<?> request, Class<?> response, boolean list, List<String> query) {
        static final Doc NONE = new Doc(null, null, false, List.of());
    }

    private final ControllerLoop loop;
    private final Store store;
    private final AgentHub hub;
    private final JobFactory factory;
    private final ObjectMapper json;
    private final Tokens tokens;
    private final UnixUsers users = new UnixUsers();
    private final byte[] clusterKey;
    private final Set<String> operators;
    private final LongSupplier clockMillis;
    private final List<Route> routes = new ArrayList<>();
    private final List<Consumer<JavalinConfig>> extensions;
    private final Javalin app;

    public ApiServer(ControllerLoop loop, Store store, AgentHub hub, JobFactory factory, ObjectMapper json, Tokens tokens,
                     String clusterKey, Set<String> operators, LongSupplier clockMillis, String host, int port, Path socket,
                     List<Consumer<JavalinConfig>> extensions) {
        this.loop = loop;
        this.store = store;
        this.hub = hub;
        this.factory = factory;
        this.json = json;
        this.tokens = tokens;
        this.clusterKey = clusterKey.getBytes(StandardCharsets.UTF_8);
        this.operators = operators;
        this.clockMillis = clockMillis;
        this.extensions = extensions;
        this.app = Javalin.create(cfg -> configure(cfg, host, port, socket));
    }

    public List<Route> routes() { return List.copyOf(routes); }

    public ApiServer start() {
        app.start();
        return this;
    }

    /** The TCP port the API listens on (the one chosen when 0 was asked for). */
    public int port() {
        for (var c : app.jettyServer().server().getConnectors()) {
            if (c instanceof org.eclipse.jetty.server.ServerConnector sc) return sc.getLocalPort();
        }
        throw new IllegalStateException("no TCP connector");
    }

    @Override
    public void close() { app.stop(); }

    // ------------------------------------------------------------------ configuration

    private void configure(JavalinConfig cfg, String host, int port, Path socket) {
        cfg.jetty.host = host;
        cfg.jetty.port = port;
        cfg.startup.showJavalinBanner = false;
        cfg.startup.showOldJavalinVersionWarning = false;
        cfg.jsonMapper(new JavalinJackson(json, false));
        cfg.http.maxRequestSize = 16L * 1024 * 1024;
        if (socket != null) {
            // with a connector of our own, Javalin adds no TCP connector: add it first
            cfg.jetty.addConnector((server, http) -> {
                org.eclipse.jetty.server.ServerConnector c = new org.eclipse.jetty.server.ServerConnector(server,
                        new HttpConnectionFactory(http));
                c.setHost(host);
                c.setPort(port);
                return c;
            });
            cfg.jetty.addConnector((server, http) -> {
                try {
                    Files.createDirectories(socket.toAbsolutePath().getParent());
                    Files.deleteIfExists(socket);
                } catch (IOException e) {
                    throw new IllegalStateException("cannot prepare the socket " + socket + ": " + e.getMessage(), e);
                }
                UnixDomainServerConnector c = new UnixDomainServerConnector(server, new HttpConnectionFactory(http));
                c.setUnixDomainPath(socket);
                return c;
            });
            cfg.events.serverStarted(() -> {
                try {
                    Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
                } catch (IOException | UnsupportedOperationException e) {
                    log.warn("event=socket_permissions_failed path={} error={}", socket, e.toString());
                }
            });
        }
        cfg.routes.exception(SubmitException.class, (e, ctx) -> error(ctx, e.status(), e.getMessage(), e.field()));
        cfg.routes.exception(BadRequest.class, (e, ctx) -> error(ctx, 400, e.getMessage(), e.field));
        cfg.routes.exception(Unauthorized.class, (e, ctx) -> error(ctx, 401, e.getMessage(), ""));
        cfg.routes.exception(IllegalArgumentException.class, (e, ctx) -> error(ctx, 400, e.getMessage(), ""));
        cfg.routes.exception(Exception.class, (e, ctx) -> {
            log.error("event=request_failed path={} error={}", ctx.path(), e.toString(), e);
            error(ctx, 500, "internal error: " + e, "");
        });
        cfg.routes.error(404, "*", ctx -> {
            if (ctx.result() == null || ctx.result().isEmpty()) error(ctx, 404, "no such route: " + ctx.method() + " " + ctx.path(), "");
        });

        List<String> jobFilter = List.of("ids", "users", "states", "partitions", "names", "accounts");
        route(cfg, HandlerType.GET, "/ping", "liveness and cluster name", Doc.NONE, this::ping);
        route(cfg, HandlerType.GET, "/whoami", "the caller's identity", new Doc(null, io.bottega.server.jobs.Identity.class, false, List.of()),
                ctx -> ctx.json(identity(ctx)));
        route(cfg, HandlerType.GET, "/openapi.json", "this API's OpenAPI document", Doc.NONE, this::openApi);
        route(cfg, HandlerType.POST, "/jobs", "submit a batch job (or array); ?test_only=true only checks it",
                new Doc(JobSubmission.class, null, false, List.of("test_only")), this::submit);
        route(cfg, HandlerType.GET, "/jobs", "active jobs (and, with finished=true, recently finished ones), filtered",
                new Doc(null, JobView.class, true, concat(jobFilter, "finished")), this::listJobs);
        route(cfg, HandlerType.GET, "/squeue", "squeue's output (text/plain), formatted here: the jobs filters, then format (-o) or "
                + "fields (-O), sort (-S), qos, reservations, nodes (a hostlist), notme (a user), all_states, array (a row per "
                + "task), noheader, tz (the zone times are printed in)", new Doc(null, String.class, false,
                List.of("ids", "users", "states", "partitions", "names", "accounts", "finished", "format", "fields", "sort", "qos",
                        "reservations", "nodes", "notme", "all_states", "array", "noheader", "tz")), this::squeue);
        route(cfg, HandlerType.GET, "/jobs/{id}", "one job (id, or ARRAYID_TASK)", new Doc(null, JobView.class, false, List.of()), this::getJob);
        route(cfg, HandlerType.DELETE, "/jobs/{id}", "cancel one job (or send it ?signal=N)", new Doc(null, null, false, List.of("signal")),
                this::cancelOne);
        route(cfg, HandlerType.PATCH, "/jobs/{id}", "update a job: timeLimit (s), name, comment, partition, qos, priority",
                new Doc(null, JobView.class, false, List.of()), this::updateJob);
        route(cfg, HandlerType.POST, "/jobs/cancel", "cancel or signal the jobs a filter selects: {ids, users, states, partitions, "
                + "names, accounts, signal, reason}", Doc.NONE, this::cancel);
        route(cfg, HandlerType.POST, "/jobs/hold", "hold pending jobs: {ids, users, names}", Doc.NONE, ctx -> hold(ctx, false));
        route(cfg, HandlerType.POST, "/jobs/release", "release held jobs: {ids, users, names}", Doc.NONE, ctx -> hold(ctx, true));
        route(cfg, HandlerType.POST, "/jobs/{id}/steps", "srun: start a job step in the job's allocation (the job's owner; "
                + "409 while its other steps hold what it needs)", new Doc(io.bottega.api.StepRequest.class, io.bottega.api.StepView.class,
                false, List.of()), this::createStep);
        route(cfg, HandlerType.GET, "/jobs/{id}/steps", "a job's steps, the batch script's included",
                new Doc(null, io.bottega.api.StepView.class, true, List.of()), this::listSteps);
        route(cfg, HandlerType.DELETE, "/jobs/{id}/steps/{step}", "cancel one step (or send it ?signal=N)",
                new Doc(null, null, false, List.of("signal")), this::cancelStep);
        route(cfg, HandlerType.POST, "/jobs/{id}/alive", "an interactive allocation's client (salloc, srun) is alive; answers the job",
                new Doc(null, JobView.class, false, List.of()), this::alive);
        route(cfg, HandlerType.POST, "/jobs/{id}/complete", "release an interactive allocation: {exitCode, signal}",
                new Doc(null, JobView.class, false, List.of()), this::complete);
        route(cfg, HandlerType.GET, "/jobs/{id}/environment", "the environment of a running job (salloc's command gets it)",
                Doc.NONE, this::environment);
        route(cfg, HandlerType.GET, "/accounting/steps", "the steps of these jobs (sacct): ?ids=1,2",
                new Doc(null, io.bottega.api.StepView.class, true, List.of("ids")), this::accountingSteps);
        route(cfg, HandlerType.GET, "/jobs/{id}/events", "a job's accounting events",
                new Doc(null, io.bottega.server.store.JobEvent.class, true, List.of()), this::events);
        route(cfg, HandlerType.GET, "/accounting/jobs", "all jobs, finished ones included (sacct); start/end in epoch seconds",
                new Doc(null, JobView.class, true, List.of("ids", "users", "accounts", "states", "partitions", "start", "end", "limit")),
                this::accounting);
        route(cfg, HandlerType.GET, "/nodes", "every node", new Doc(null, io.bottega.api.NodeView.class, true, List.of()),
                ctx -> ctx.future(() -> reply(ctx, loop.nodeViews())));
        route(cfg, HandlerType.GET, "/nodes/{name}", "one node", new Doc(null, io.bottega.api.NodeView.class, false, List.of()), this::getNode);
        route(cfg, HandlerType.PATCH, "/nodes/{name}", "drain, resume or down a node: {state, reason} (operators)",
                new Doc(null, io.bottega.api.NodeView.class, false, List.of()), this::updateNode);
        route(cfg, HandlerType.GET, "/partitions", "every partition", new Doc(null, io.bottega.api.PartitionView.class, true, List.of()),
                ctx -> ctx.future(() -> reply(ctx, loop.partitionViews())));
        route(cfg, HandlerType.GET, "/fairshare", "the fair-share tree (sshare): accounts and users with shares, decayed usage "
                + "and fair-share factor", Doc.NONE, ctx -> {
                    identity(ctx);
                    ctx.future(() -> reply(ctx, loop.fairShare().thenApply(ApiServer::fairShareRows)));
                });
        route(cfg, HandlerType.GET, "/fairshare/explain", "why a user's fair share is what it is, in words: ?user=U&account=A",
                new Doc(null, null, false, List.of("user", "account")), this::explainFairShare);
        route(cfg, HandlerType.GET, "/priority", "pending jobs' priorities and their factors (sprio): ?ids=&users=",
                new Doc(null, null, true, List.of("ids", "users")), this::priorities);
        route(cfg, HandlerType.GET, "/accounts", "each account's budget and use in the allocation period (bottega budget)",
                Doc.NONE, ctx -> {
                    identity(ctx);
                    ctx.future(() -> reply(ctx, loop.budgets()));
                });
        route(cfg, HandlerType.GET, "/reservations", "advance reservations (scontrol show reservation)", Doc.NONE, ctx -> {
            identity(ctx);
            ctx.future(() -> reply(ctx, loop.reservations().thenApply(this::reservationViews)));
        });
        route(cfg, HandlerType.POST, "/reservations", "create an advance reservation (operators): {name, nodes, start, end, users, "
                + "accounts, maintenance}", Doc.NONE, this::createReservation);
        route(cfg, HandlerType.DELETE, "/reservations/{name}", "delete an advance reservation (operators)", Doc.NONE, ctx -> {
            Identity who = identity(ctx);
            ctx.future(() -> loop.deleteReservation(ctx.pathParam("name"), who).handle((v, err) -> {
                if (err != null) error(ctx, unwrap(err));
                else ctx.status(204);
                return null;
            }));
        });
        route(cfg, HandlerType.POST, "/tokens", "issue a signed token for the caller (an operator: for anyone): {user, ttlSeconds}",
                Doc.NONE, this::issueToken);
        route(cfg, HandlerType.POST, "/agent/register", "an agent registers its node (cluster key)",
                new Doc(NodeResources.class, io.bottega.api.agent.Registered.class, false, List.of()), this::register);
        route(cfg, HandlerType.POST, "/agent/sync", "an agent reports and waits for commands (long poll; cluster key)",
                new Doc(AgentSync.class, io.bottega.api.agent.AgentCommands.class, false, List.of()), this::sync);
        io.bottega.server.dashboard.Dashboard.install(this, cfg, loop, store, json, clockMillis);
        io.bottega.server.metrics.Metrics.install(this, cfg, loop);
        for (Consumer<JavalinConfig> ext : extensions) ext.accept(cfg);
    }

    private void route(JavalinConfig cfg, HandlerType method, String path, String summary, Doc doc, Handler h) {
        routes.add(new Route(method.name(), PREFIX + path, summary, doc.request(), doc.response(), doc.list(), doc.query()));
        cfg.routes.addHttpHandler(method, PREFIX + path, h);
    }

    /** Adds a route from an extension (dashboard, metrics), so that it is listed in the OpenAPI document. */
    public void extensionRoute(JavalinConfig cfg, HandlerType method, String path, String summary, Handler h) {
        routes.add(new Route(method.name(), path, summary, null, null, false, List.of()));
        cfg.routes.addHttpHandler(method, path, h);
    }

    private static List<String> concat(List<String> a, String b) {
        List<String> out = new ArrayList<>(a);
        out.add(b);
        return out;
    }

    // ------------------------------------------------------------------ identity

    static final class Unauthorized extends RuntimeException {
        Unauthorized(String m) { super(m); }
    }

    static final class BadRequest extends RuntimeException {
        final String field;

        BadRequest(String field, String m) {
            super(m);
            this.field = field;
        }
    }

    /** The caller: peer credentials on the local socket, else a signed token. */
    public Identity identity(Context ctx) {
        Optional<Identity> peer = peerIdentity(ctx);
        if (peer.isPresent()) return peer.get();
        String auth = ctx.header("Authorization");
        if (auth != null && auth.startsWith("Bearer ")) {
            String token = auth.substring(7).trim();
            var claims = tokens.verify(token, clockMillis.getAsLong() / 1000);
            if (claims.isPresent()) {
                var c = claims.get();
                return new Identity(c.user(), c.uid(), c.gid(), c.uid() == 0 || operators.contains(c.user()), "token");
            }
            throw new Unauthorized("invalid or expired token");
        }
        throw new Unauthorized("who are you? use the local socket, or send 'Authorization: Bearer <token>' "
                + "(get one with 'bottega token')");
    }

    private Optional<Identity> peerIdentity(Context ctx) {
        try {
            ServletContextRequest r = ServletContextRequest.getServletContextRequest(ctx.req());
            if (r == null) return Optional.empty();
            EndPoint ep = r.getConnectionMetaData().getConnection().getEndPoint();
            if (!(ep instanceof SocketChannelEndPoint sep)) return Optional.empty();
            SocketChannel ch = sep.getChannel();
            if (!(ch.getLocalAddress() instanceof java.net.UnixDomainSocketAddress)) return Optional.empty();
            var principal = ch.getOption(jdk.net.ExtendedSocketOptions.SO_PEERCRED);
            String name = principal.user().getName();
            var account = users.byName(name).or(() -> parseUid(name).flatMap(users::byUid));
            int uid = account.map(UnixUsers.Account::uid).orElse(-1);
            int gid = account.map(UnixUsers.Account::gid).orElse(-1);
            String user = account.map(UnixUsers.Account::name).orElse(name);
            return Optional.of(new Identity(user, uid, gid, uid == 0 || operators.contains(user), "socket"));
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    private static Optional<Integer> parseUid(String s) {
        try {
            return Optional.of(Integer.parseInt(s));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private void requireAgent(Context ctx) {
        String auth = ctx.header(AgentProtocol.AUTHORIZATION_HEADER);
        if (auth == null || !auth.startsWith(AgentProtocol.BEARER_PREFIX)) throw new Unauthorized("agents must send the cluster key");
        byte[] given = auth.substring(AgentProtocol.BEARER_PREFIX.length()).trim().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(given, clusterKey)) throw new Unauthorized("wrong cluster key");
    }

    // ------------------------------------------------------------------ handlers

    private void ping(Context ctx) {
        ctx.json(Map.of("ok", true, "cluster", factory.cluster().name(), "time", clockMillis.getAsLong() / 1000));
    }

    private volatile String openApiText;

    private void openApi(Context ctx) {
        String doc = openApiText;
        if (doc == null) openApiText = doc = OpenApiDocument.build(json, "Bottega " + factory.cluster().name(), routes);
        ctx.contentType("application/json").result(doc);
    }

    private void submit(Context ctx) {
        Identity who = identity(ctx);
        JobSubmission s = body(ctx, JobSubmission.class);
        JobFactory.Prepared p = factory.prepare(s, who, clockMillis.getAsLong() / 1000);
        Map<Long, JobRow> known = new HashMap<>();
        for (var d : p.dependencies()) {
            if (d.jobId().isEmpty()) continue;
            String ref = d.jobId();
            long id;
            try {
                id = Long.parseLong(ref.contains("_") ? ref.substring(0, ref.indexOf('_')) : ref);
            } catch (NumberFormatException e) {
                throw new BadRequest("dependency", "Batch job submission failed: Job dependency problem (bad job id " + ref + ")");
            }
            store.job(id).ifPresent(r -> known.put(r.id(), r));
            if (ref.contains("_")) {
                for (JobRow r : store.queryJobs(new JobQuery(List.of(id), List.of(), List.of(), List.of(), List.of(), 0, 0, 0))) {
                    known.put(r.id(), r);
                }
            }
        }
        if ("true".equals(ctx.queryParam("test_only"))) {
            ctx.future(() -> loop.testOnly(p).handle((t, err) -> {
                if (err != null) {
                    error(ctx, unwrap(err));
                } else {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("job_id", 0);
                    m.put("valid", true);
                    m.put("partition", t.partition());
                    m.put("cpus", t.cpus());
                    m.put("start_time", t.start());
                    m.put("nodes", io.bottega.core.model.Hostlist.compress(t.nodes()));
                    ctx.json(m);
                }
                return null;
            }));
            return;
        }
        ctx.future(() -> loop.submit(p, known).handle((sub, err) -> {
            if (err != null) {
                error(ctx, unwrap(err));
            } else {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("job_id", sub.jobId());
                m.put("ids", sub.ids());
                m.put("keepalive_seconds", loop.keepAliveSeconds());
                if (!sub.warning().isEmpty()) m.put("warning", sub.warning());
                ctx.status(201).json(m);
            }
            return null;
        }));
    }

    private void listJobs(Context ctx) {
        identity(ctx);
        JobFilter f = filter(ctx);
        boolean all = "true".equals(ctx.queryParam("finished"));
        ctx.future(() -> reply(ctx, loop.jobs(f, all)));
    }

    /**
     * squeue's rows, formatted here: the client of a long queue then reads text it prints as it is, rather than
     * every job as JSON to parse and format in a JVM just started (10,000 jobs: 8 MB of JSON).
     */
    private void squeue(Context ctx) {
        identity(ctx);
        JobFilter f = filter(ctx);
        boolean all = "true".equals(ctx.queryParam("finished"));
        String fields = ctx.queryParam("fields");
        String format = ctx.queryParam("format");
        SqueueFormat fmt;
        try {
            fmt = fields != null && !fields.isEmpty() ? SqueueFormat.parseFields(fields)
                    : SqueueFormat.parse(format == null || format.isEmpty() ? SqueueFormat.DEFAULT : format);
        } catch (IllegalArgumentException e) {
            throw new BadRequest(fields != null && !fields.isEmpty() ? "fields" : "format", e.getMessage());
        }
        String sort = ctx.queryParam("sort");
        if (sort == null || sort.isEmpty()) sort = JobSort.DEFAULT;
        try {
            JobSort.parse(sort, 0);
        } catch (IllegalArgumentException e) {
            throw new BadRequest("sort", e.getMessage());
        }
        String nodesArg = ctx.queryParam("nodes");
        Set<String> nodes = null;
        if (nodesArg != null && !nodesArg.isEmpty()) {
            try {
                nodes = new HashSet<>(Hostlist.expand(nodesArg));
            } catch (IllegalArgumentException e) {
                throw new BadRequest("nodes", "'" + nodesArg + "' invalid entry for --nodelist");
            }
        }
        String tz = ctx.queryParam("tz");
        ZoneId zone;
        try {
            zone = tz == null || tz.isEmpty() ? ZoneOffset.UTC : ZoneId.of(tz);
        } catch (DateTimeException e) {
            throw new BadRequest("tz", "unknown time zone '" + tz + "'");
        }
        String notMe = ctx.queryParam("notme");
        SqueueRows.Options o = new SqueueRows.Options(csv(ctx, "states").stream().map(SqueueRows::longName).toList(), "true".equals(ctx.queryParam("all_states")), csv(ctx, "qos"),
                csv(ctx, "reservations"), notMe == null || notMe.isEmpty() ? null : notMe, nodes,
                "true".equals(ctx.queryParam("array")), sort);
        boolean header = !"true".equals(ctx.queryParam("noheader"));
        ctx.future(() -> loop.jobs(f, all).thenApplyAsync(jobs -> {
            // off the loop thread: selecting, sorting and formatting 10,000 rows takes milliseconds
            List<JobView> rows = SqueueRows.select(jobs, o, Hostlist::expand, clockMillis.getAsLong() / 1000);
            StringBuilder sb = new StringBuilder(64 + rows.size() * 96);
            if (header) sb.append(fmt.header()).append('\n');
            for (JobView j : rows) {
                fmt.appendRow(sb, j, zone);
                sb.append('\n');
            }
            return sb.toString().getBytes(StandardCharsets.UTF_8);
        }).handle((text, err) -> {
            if (err != null) error(ctx, unwrap(err));
            else ctx.contentType("text/plain; charset=utf-8").result(text);
            return null;
        }));
    }

    private void getJob(Context ctx) {
        identity(ctx);
        String id = ctx.pathParam("id");
        ctx.future(() -> loop.jobs(JobFilter.ids(List.of(id)), true).thenCompose(list -> {
            if (!list.isEmpty()) return CompletableFuture.completedFuture(list);
            long n = parseLong("id", id);
            return CompletableFuture.completedFuture(store.job(n).map(r -> List.of(loop.viewOf(r))).orElse(List.of()));
        }).handle((list, err) -> {
            if (err != null) error(ctx, unwrap(err));
            else if (list.isEmpty()) error(ctx, 404, "Invalid job id specified: " + id, "id");
            else ctx.json(list.size() == 1 ? list.get(0) : list);
            return null;
        }));
    }

    private void cancelOne(Context ctx) {
        Identity who = identity(ctx);
        String id = ctx.pathParam("id");
        int signal = ctx.queryParam("signal") == null ? 0 : (int) parseLong("signal", ctx.queryParam("signal"));
        ctx.future(() -> reply(ctx, loop.cancel(JobFilter.ids(List.of(id)), who, signal, "")));
    }

    private void cancel(Context ctx) {
        Identity who = identity(ctx);
        JsonNode b = bodyTree(ctx);
        JobFilter f = new JobFilter(strings(b, "ids"), strings(b, "users"), strings(b, "states"), strings(b, "partitions"),
                strings(b, "names"), strings(b, "accounts"));
        if (f.isEmpty()) throw new BadRequest("ids", "no job specified: give ids or a filter (users, names, states, ...)");
        int signal = b.path("signal").asInt(0);
        ctx.future(() -> reply(ctx, loop.cancel(f, who, signal, b.path("reason").asText(""))));
    }

    private void hold(Context ctx, boolean release) {
        Identity who = identity(ctx);
        JsonNode b = bodyTree(ctx);
        JobFilter f = new JobFilter(strings(b, "ids"), strings(b, "users"), List.of(), List.of(), strings(b, "names"), List.of());
        if (f.isEmpty()) throw new BadRequest("ids", "no job specified");
        ctx.future(() -> reply(ctx, loop.hold(f, who, release).thenApply(ids -> Map.of("changed", ids))));
    }

    private void updateJob(Context ctx) {
        Identity who = identity(ctx);
        long id = parseLong("id", ctx.pathParam("id"));
        JsonNode b = bodyTree(ctx);
        Set<String> known = Set.of("timeLimit", "name", "comment", "partition", "qos", "priority");
        b.fieldNames().forEachRemaining(n -> {
            if (!known.contains(n)) throw new BadRequest(n, "cannot update field '" + n + "' (known: " + known + ")");
        });
        var u = new ControllerLoop.JobUpdate(
                b.has("timeLimit") ? Optional.of(longField(b, "timeLimit")) : Optional.empty(),
                optText(b, "name"), optText(b, "comment"), optText(b, "partition"), optText(b, "qos"),
                b.has("priority") ? Optional.of(longField(b, "priority")) : Optional.empty());
        ctx.future(() -> reply(ctx, loop.update(id, u, who)));
    }

    private void events(Context ctx) {
        identity(ctx);
        long id = parseLong("id", ctx.pathParam("id"));
        ctx.json(store.events(id));
    }

    private void accounting(Context ctx) {
        identity(ctx);
        List<Long> ids = new ArrayList<>();
        for (String s : csv(ctx, "ids")) ids.add(parseLong("ids", s.contains("_") ? s.substring(0, s.indexOf('_')) : s));
        JobQuery q = new JobQuery(ids, csv(ctx, "users"), csv(ctx, "accounts"), csv(ctx, "states"), csv(ctx, "partitions"),
                ctx.queryParam("start") == null ? 0 : parseLong("start", ctx.queryParam("start")),
                ctx.queryParam("end") == null ? 0 : parseLong("end", ctx.queryParam("end")),
                ctx.queryParam("limit") == null ? 0 : (int) parseLong("limit", ctx.queryParam("limit")));
        JobFilter f = new JobFilter(csv(ctx, "ids"), q.users(), q.states(), q.partitions(), List.of(), q.accounts());
        List<JobRow> stored = store.queryJobs(q);
        ctx.future(() -> loop.memoryRows(f).thenCompose(mem -> {
            Map<Long, JobRow> merged = new java.util.TreeMap<>();
            for (JobRow r : stored) merged.put(r.id(), r);
            for (JobRow r : mem) {
                if (q.endedAfter() > 0 && r.endTime() > 0 && r.endTime() < q.endedAfter()) continue;
                if (q.startedBefore() > 0 && r.submitTime() > q.startedBefore()) continue;
                merged.put(r.id(), r);
            }
            List<Long> activeIds = merged.values().stream().filter(r -> !io.bottega.core.model.JobState.valueOf(r.state()).isFinal())
                    .map(JobRow::id).toList();
            return loop.jobs(JobFilter.ids(activeIds.stream().map(String::valueOf).toList()), true).thenApply(live -> {
                Map<Long, JobView> liveById = new HashMap<>();
                for (JobView v : live) liveById.put(v.id(), v);
                List<JobView> out = new ArrayList<>();
                for (JobRow r : merged.values()) {
                    if (!f.matches(r) && !ids.isEmpty() && ids.stream().noneMatch(x -> x == r.id() || x == r.arrayJobId())) continue;
                    out.add(liveById.getOrDefault(r.id(), loop.viewOf(r)));
                }
                return out;
            });
        }).thenApplyAsync(out -> {
            // off the loop thread: the energy charged to each job that ran, from the usage table
            Map<Long, Double> energy = store.energyByJob(out.stream().filter(v -> v.startTime() > 0).map(JobView::id).toList());
            if (!energy.isEmpty()) out.replaceAll(v -> energy.containsKey(v.id()) ? v.withEnergy(Math.round(energy.get(v.id()))) : v);
            return out;
        }).handle((list, err) -> {
            if (err != null) error(ctx, unwrap(err));
            else ctx.json(list);
            return null;
        }));
    }

    private static List<Map<String, Object>> fairShareRows(List<io.bottega.core.policy.FairShare.Row> rows) {
        List<Map<String, Object>> out = new ArrayList<>(rows.size());
        for (var r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("account", r.account());
            m.put("user", r.user() == null ? "" : r.user());
            m.put("depth", r.depth());
            m.put("rawShares", r.rawShares());
            m.put("normShares", finite(r.normShares()));
            m.put("rawUsage", finite(r.rawUsage()));
            m.put("normUsage", finite(r.normUsage()));
            m.put("levelFairShare", finite(r.levelFairShare()));
            m.put("fairShareFactor", finite(r.fairShareFactor()));
            out.add(m);
        }
        return out;
    }

    /** JSON has no infinity: an infinite level fair share (no usage yet) is sent as the largest double. */
    private static double finite(double v) {
        return Double.isNaN(v) ? 0 : Double.isInfinite(v) ? (v > 0 ? Double.MAX_VALUE : -Double.MAX_VALUE) : v;
    }

    private void explainFairShare(Context ctx) {
        Identity who = identity(ctx);
        String user = ctx.queryParam("user") == null || ctx.queryParam("user").isBlank() ? who.user() : ctx.queryParam("user");
        String account = ctx.queryParam("account") == null ? "" : ctx.queryParam("account");
        ctx.future(() -> loop.explainFairShare(user, account).handle((text, err) -> {
            if (err != null) error(ctx, unwrap(err));
            else ctx.json(Map.of("user", user, "text", text));
            return null;
        }));
    }

    private void priorities(Context ctx) {
        identity(ctx);
        JobFilter f = new JobFilter(csv(ctx, "ids"), csv(ctx, "users"), List.of(), List.of(), List.of(), List.of());
        ctx.future(() -> reply(ctx, loop.priorities(f).thenApply(rows -> {
            List<Map<String, Object>> out = new ArrayList<>(rows.size());
            for (var row : rows) {
                var p = row.factors();
                var w = row.weights();
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("jobId", p.jobId());
                m.put("user", p.user());
                m.put("account", p.account());
                m.put("priority", p.priority());
                m.put("age", p.age());
                m.put("fairShare", p.fairShare());
                m.put("jobSize", p.jobSize());
                m.put("qos", p.qos());
                m.put("partition", p.partition());
                m.put("ageWeighted", p.ageWeighted());
                m.put("fairShareWeighted", p.fairShareWeighted());
                m.put("jobSizeWeighted", p.jobSizeWeighted());
                m.put("qosWeighted", p.qosWeighted());
                m.put("partitionWeighted", p.partitionWeighted());
                m.put("weightAge", w.age());
                m.put("weightFairShare", w.fairShare());
                m.put("weightJobSize", w.jobSize());
                m.put("weightQos", w.qos());
                m.put("weightPartition", w.partition());
                out.add(m);
            }
            return out;
        })));
    }

    private List<Map<String, Object>> reservationViews(List<io.bottega.server.store.ReservationRow> rows) {
        List<Map<String, Object>> out = new ArrayList<>(rows.size());
        for (var r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", r.name());
            m.put("nodes", r.nodes());
            m.put("nodeCount", io.bottega.core.model.Hostlist.expand(r.nodes()).size());
            m.put("start", r.start());
            m.put("end", r.end());
            m.put("users", splitCsv(r.users()));
            m.put("accounts", splitCsv(r.accounts()));
            m.put("maintenance", r.maintenance());
            out.add(m);
        }
        return out;
    }

    private static List<String> splitCsv(String s) {
        List<String> out = new ArrayList<>();
        if (s != null) for (String x : s.split(",")) if (!x.isBlank()) out.add(x.trim());
        return out;
    }

    private void createReservation(Context ctx) {
        Identity who = identity(ctx);
        JsonNode b = bodyTree(ctx);
        for (var it = b.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!List.of("name", "nodes", "start", "end", "users", "accounts", "maintenance").contains(k)) {
                throw new BadRequest(k, "unknown field '" + k + "' in a reservation (known: name, nodes, start, end, users, accounts, maintenance)");
            }
        }
        String name = b.path("name").asText("");
        if (name.isEmpty()) throw new BadRequest("name", "a reservation needs a name");
        String nodes = b.path("nodes").asText("");
        if (nodes.isEmpty()) throw new BadRequest("nodes", "reservation " + name + " needs nodes (a host list, or ALL)");
        if (!b.path("start").canConvertToLong() || !b.path("end").canConvertToLong()) {
            throw new BadRequest(b.path("start").canConvertToLong() ? "end" : "start", "reservation " + name
                    + " needs start and end in epoch seconds");
        }
        long start = b.path("start").asLong(), end = b.path("end").asLong();
        if (end <= start) throw new BadRequest("end", "reservation " + name + ": end must be after start");
        List<String> users = new ArrayList<>(), accounts = new ArrayList<>();
        b.path("users").forEach(n -> users.add(n.asText()));
        b.path("accounts").forEach(n -> accounts.add(n.asText()));
        boolean maintenance = b.path("maintenance").asBoolean(false);
        if (!maintenance && users.isEmpty() && accounts.isEmpty()) {
            throw new BadRequest("users", "reservation " + name + " is for nobody: give users or accounts, or Flags=MAINT");
        }
        var row = new io.bottega.server.store.ReservationRow(name, nodes, start, end, String.join(",", users), String.join(",", accounts),
                maintenance);
        ctx.future(() -> loop.createReservation(row, who).handle((r, err) -> {
            if (err != null) error(ctx, unwrap(err));
            else ctx.status(201).json(reservationViews(List.of(r)).get(0));
            return null;
        }));
    }

    private void getNode(Context ctx) {
        identity(ctx);
        String name = ctx.pathParam("name");
        ctx.future(() -> loop.nodeViews().handle((list, err) -> {
            if (err != null) {
                error(ctx, unwrap(err));
                return null;
            }
            var n = list.stream().filter(v -> v.name().equals(name)).findFirst();
            if (n.isPresent()) ctx.json(n.get());
            else error(ctx, 404, "Node " + name + " not found", "name");
            return null;
        }));
    }

    private void updateNode(Context ctx) {
        Identity who = identity(ctx);
        JsonNode b = bodyTree(ctx);
        String state = b.path("state").asText("");
        if (state.isEmpty()) throw new BadRequest("state", "state is required (DRAIN, DOWN, RESUME, UNDRAIN)");
        ctx.future(() -> reply(ctx, loop.updateNode(ctx.pathParam("name"), state, b.path("reason").asText(""), who)));
    }

    private void issueToken(Context ctx) {
        Identity who = identity(ctx);
        JsonNode b = ctx.body().isBlank() ? json.createObjectNode() : bodyTree(ctx);
        String user = b.path("user").asText(who.user());
        long ttl = b.path("ttlSeconds").asLong(30L * 24 * 3600);
        if (ttl <= 0 || ttl > 366L * 24 * 3600) throw new BadRequest("ttlSeconds", "ttlSeconds must be 1..31622400");
        int uid = who.uid(), gid = who.gid();
        if (!user.equals(who.user())) {
            if (!who.operator()) throw SubmitException.forbidden("only an operator may issue a token for another user");
            var acct = users.byName(user).orElseThrow(() -> new BadRequest("user", "no such Unix user: " + user));
            uid = acct.uid();
            gid = acct.gid();
        }
        long expires = clockMillis.getAsLong() / 1000 + ttl;
        ctx.json(Map.of("token", tokens.issue(user, uid, gid, expires), "user", user, "expires", expires));
    }

    private void register(Context ctx) {
        requireAgent(ctx);
        NodeResources res = body(ctx, NodeResources.class);
        if (res.address().isEmpty()) res = res.withAddress(clientAddress(ctx));
        NodeResources node = res;
        ctx.future(() -> reply(ctx, loop.register(node)));
    }

    private void sync(Context ctx) {
        requireAgent(ctx);
        AgentSync s = body(ctx, AgentSync.class);
        if (!loop.knows(s.node())) throw new BadRequest("node", "node " + s.node() + " is not in this cluster");
        loop.report(s);
        ctx.future(() -> hub.poll(s.node(), s).thenAccept(ctx::json));
    }

    // ------------------------------------------------------------------ steps and interactive allocations

    /** The caller's IP address over TCP; "" over the local socket. */
    private static String clientAddress(Context ctx) {
        try {
            String ip = ctx.req().getRemoteAddr();
            if (ip == null || ip.isEmpty() || ip.startsWith("/") || !(ip.indexOf('.') > 0 || ip.indexOf(':') >= 0)) return "";
            if (ip.startsWith("[") && ip.endsWith("]")) ip = ip.substring(1, ip.length() - 1);
            return ip;
        } catch (RuntimeException e) {
            return "";
        }
    }

    private void createStep(Context ctx) {
        Identity who = identity(ctx);
        long id = parseLong("id", ctx.pathParam("id"));
        io.bottega.api.StepRequest r = body(ctx, io.bottega.api.StepRequest.class);
        String from = who.via().equals("socket") ? "" : clientAddress(ctx);
        ctx.future(() -> loop.createStep(id, r, who, from).handle((v, err) -> {
            if (err != null) error(ctx, unwrap(err));
            else ctx.status(201).json(v);
            return null;
        }));
    }

    private void listSteps(Context ctx) {
        identity(ctx);
        long id = parseLong("id", ctx.pathParam("id"));
        ctx.json(stepViews(List.of(id)));
    }

    private List<io.bottega.api.StepView> stepViews(List<Long> ids) {
        long now = clockMillis.getAsLong() / 1000;
        Map<Long, String> users = new HashMap<>();
        List<io.bottega.api.StepView> out = new ArrayList<>();
        for (io.bottega.server.store.StepRow r : store.steps(ids)) {
            String user = users.computeIfAbsent(r.jobId(), k -> store.job(k).map(JobRow::user).orElse(""));
            out.add(io.bottega.server.steps.StepCoordinator.view(r, user, now));
        }
        return out;
    }

    private void cancelStep(Context ctx) {
        Identity who = identity(ctx);
        long id = parseLong("id", ctx.pathParam("id"));
        int step = (int) parseLong("step", ctx.pathParam("step"));
        int signal = ctx.queryParam("signal") == null ? 0 : (int) parseLong("signal", ctx.queryParam("signal"));
        ctx.future(() -> reply(ctx, loop.cancelStep(id, step, signal, who).thenApply(ok -> Map.of("cancelled", ok))));
    }

    private void alive(Context ctx) {
        Identity who = identity(ctx);
        long id = parseLong("id", ctx.pathParam("id"));
        ctx.future(() -> reply(ctx, loop.keepAlive(id, who)));
    }

    private void complete(Context ctx) {
        Identity who = identity(ctx);
        long id = parseLong("id", ctx.pathParam("id"));
        JsonNode b = ctx.body().isBlank() ? json.createObjectNode() : bodyTree(ctx);
        ctx.future(() -> reply(ctx, loop.complete(id, b.path("exitCode").asInt(0), b.path("signal").asInt(0), who)));
    }

    private void environment(Context ctx) {
        Identity who = identity(ctx);
        long id = parseLong("id", ctx.pathParam("id"));
        ctx.future(() -> reply(ctx, loop.environment(id, who)));
    }

    private void accountingSteps(Context ctx) {
        identity(ctx);
        List<Long> ids = new ArrayList<>();
        for (String s : csv(ctx, "ids")) ids.add(parseLong("ids", s.contains("_") ? s.substring(0, s.indexOf('_')) : s));
        if (ids.isEmpty()) throw new BadRequest("ids", "give the jobs whose steps to list: ?ids=1,2");
        ctx.json(stepViews(ids));
    }

    // ------------------------------------------------------------------ helpers

    private <T> CompletableFuture<Void> reply(Context ctx, CompletableFuture<T> f) {
        return f.handle((v, err) -> {
            if (err != null) error(ctx, unwrap(err));
            else ctx.json(v);
            return null;
        });
    }

    private <T> T body(Context ctx, Class<T> type) {
        try {
            return json.readValue(ctx.bodyAsBytes(), type);
        } catch (UnrecognizedPropertyException e) {
            throw new BadRequest(e.getPropertyName(), "unknown field '" + e.getPropertyName() + "' in " + type.getSimpleName());
        } catch (JsonMappingException e) {
            String field = e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .reduce((a, b) -> a + "." + b).orElse("");
            throw new BadRequest(field, "bad value" + (field.isEmpty() ? "" : " for '" + field + "'") + ": " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw new BadRequest("", "malformed JSON: " + e.getOriginalMessage() + " at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr());
        } catch (IOException e) {
            throw new BadRequest("", "unreadable request body: " + e.getMessage());
        }
    }

    private JsonNode bodyTree(Context ctx) {
        JsonNode n = body(ctx, JsonNode.class);
        if (n == null || !n.isObject()) throw new BadRequest("", "the request body must be a JSON object");
        return n;
    }

    private static List<String> strings(JsonNode b, String field) {
        JsonNode n = b.path(field);
        if (n.isMissingNode() || n.isNull()) return List.of();
        if (!n.isArray()) throw new BadRequest(field, "'" + field + "' must be a list of strings");
        List<String> out = new ArrayList<>();
        for (JsonNode x : n) out.add(x.asText());
        return out;
    }

    private static Optional<String> optText(JsonNode b, String field) {
        JsonNode n = b.path(field);
        if (n.isMissingNode()) return Optional.empty();
        if (!n.isTextual()) throw new BadRequest(field, "'" + field + "' must be a string");
        return Optional.of(n.asText());
    }

    private static long longField(JsonNode b, String field) {
        JsonNode n = b.path(field);
        if (!n.canConvertToLong()) throw new BadRequest(field, "'" + field + "' must be a whole number");
        return n.asLong();
    }

    private static List<String> csv(Context ctx, String param) {
        List<String> out = new ArrayList<>();
        for (String v : ctx.queryParams(param)) {
            for (String s : v.split(",")) if (!s.isBlank()) out.add(s.trim());
        }
        return out;
    }

    private static JobFilter filter(Context ctx) {
        return new JobFilter(csv(ctx, "ids"), csv(ctx, "users"), csv(ctx, "states"), csv(ctx, "partitions"), csv(ctx, "names"),
                csv(ctx, "accounts"));
    }

    private static long parseLong(String field, String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw new BadRequest(field, "'" + field + "' must be a whole number, got '" + s + "'");
        }
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private void error(Context ctx, Throwable t) {
        if (t instanceof SubmitException e) error(ctx, e.status(), e.getMessage(), e.field());
        else if (t instanceof BadRequest e) error(ctx, 400, e.getMessage(), e.field);
        else if (t instanceof IllegalArgumentException e) error(ctx, 400, e.getMessage(), "");
        else {
            log.error("event=request_failed path={} error={}", ctx.path(), t.toString(), t);
            error(ctx, 500, "internal error: " + t, "");
        }
    }

    private static void error(Context ctx, int status, String message, String field) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message == null ? "" : message);
        if (field != null && !field.isEmpty()) body.put("field", field);
        ctx.status(status).json(body);
    }

    /** For tests: the routes as "METHOD path". */
    public List<String> routeKeys() {
        return routes.stream().map(r -> r.method() + " " + r.path()).toList();
    }

    static List<String> split(String s) { return Arrays.asList(s.split(",")); }
}
