package io.bottega.server;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bottega.server.agents.AgentHub;
import io.bottega.server.http.ApiServer;
import io.bottega.server.http.Tokens;
import io.bottega.server.jobs.JobFactory;
import io.bottega.server.loop.ControllerLoop;
import io.bottega.server.store.JdbcStore;
import io.bottega.server.store.Store;
import io.javalin.config.JavalinConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/**
 * The controller ({@code bottega server}): opens the store, recovers active jobs, starts the loop and the
 * API. {@link #close()} stops them in reverse order.
 */
public final class Controller implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Controller.class);

    private final ControllerConfig config;
    private final Store store;
    private final ScheduledExecutorService timer;
    private final AgentHub hub;
    private final ControllerLoop loop;
    private final ApiServer api;
    private final ObjectMapper json;
    private final Tokens tokens;

    private Controller(ControllerConfig config, List<Consumer<JavalinConfig>> extensions) {
        this.config = config;
        try {
            Files.createDirectories(config.dataDir());
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the data directory " + config.dataDir() + ": " + e.getMessage(), e);
        }
        this.json = mapper();
        this.store = JdbcStore.open(config.effectiveDbUrl());
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bottega-timer");
            t.setDaemon(true);
            return t;
        });
        this.hub = new AgentHub(timer, config.syncWait().toMillis(), 2000);
        String secretHex = store.setting("token_secret").orElseGet(() -> {
            byte[] b = new byte[32];
            new SecureRandom().nextBytes(b);
            String hex = HexFormat.of().formatHex(b);
            store.saveSetting("token_secret", hex).join();
            return hex;
        });
        this.tokens = new Tokens(HexFormat.of().parseHex(secretHex));
        String url = "http://" + config.httpHost() + ":" + config.httpPort();
        this.loop = new ControllerLoop(config, store, hub, json, System::currentTimeMillis, url);
        Tokens signer = this.tokens;
        this.loop.jobTokens((row, expires) -> row.uid() < 0 ? "" : signer.issue(row.user(), row.uid(), row.gid(), expires));
        JobFactory factory = new JobFactory(config.cluster(), config.site(), json);
        this.api = new ApiServer(loop, store, hub, factory, json, tokens, config.clusterKey(), operators(config), System::currentTimeMillis,
                config.httpHost(), config.httpPort(), config.socketPath(), extensions);
    }

    private static java.util.Set<String> operators(ControllerConfig c) {
        java.util.Set<String> s = new java.util.HashSet<>(c.operators());
        s.add("root");
        return s;
    }

    /** Opens and starts a controller; {@code extensions} add routes (the dashboard, metrics). */
    public static Controller start(ControllerConfig config, List<Consumer<JavalinConfig>> extensions) {
        Controller c = new Controller(config, new ArrayList<>(extensions));
        c.loop.start();
        c.api.start();
        c.loop.agentsCanConnect();
        log.info("event=controller_started cluster={} nodes={} http={}:{} socket={} store={} policy={}", config.cluster().name(),
                config.cluster().nodeCount(), config.httpHost(), c.api.port(), config.socketPath(), c.store.describe(),
                config.scheduler().label());
        return c;
    }

    public static Controller start(ControllerConfig config) {
        return start(config, List.of());
    }

    public static ObjectMapper mapper() {
        return new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
                .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, false);
    }

    public int port() { return api.port(); }

    public String url() { return "http://" + config.httpHost() + ":" + api.port(); }

    public ControllerConfig config() { return config; }

    public ControllerLoop loop() { return loop; }

    public ApiServer api() { return api; }

    public Store store() { return store; }

    public ObjectMapper json() { return json; }

    /** Signs tokens as {@code POST /api/v1/tokens} does, for callers inside this process (tests, bootstrap). */
    public Tokens tokens() { return tokens; }

    @Override
    public void close() {
        loop.quiesce(); // no more node-down verdicts or passes while the API stops
        try {
            api.close();
        } finally {
            loop.close();
            timer.shutdownNow();
            store.close();
        }
    }
}
