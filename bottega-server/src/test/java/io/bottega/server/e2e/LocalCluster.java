package io.bottega.server.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bottega.agent.Agent;
import io.bottega.agent.AgentConfig;
import io.bottega.agent.DeclaredResources;
import io.bottega.core.model.Cluster;
import io.bottega.core.model.NodeSpec;
import io.bottega.core.model.PowerModel;
import io.bottega.core.policy.Site;
import io.bottega.core.sched.SchedulerConfig;
import io.bottega.server.Controller;
import io.bottega.server.ControllerConfig;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A controller and real agents in this JVM, on loopback, for tests: N nodes of {@code cores} cores,
 * {@code gpus} GPUs and {@code memoryMb} MB each, in one partition {@code batch}. REST calls carry a root token.
 */
final class LocalCluster implements AutoCloseable {
    static final String KEY = "test-cluster-key-0123456789";

    final Controller controller;
    final List<Agent> agents = new ArrayList<>();
    final Path dir;
    final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final String rootToken;

    LocalCluster(Path dir, int nodes, int cores, int gpus, long memoryMb, Duration heartbeat, boolean requeue) throws IOException {
        this(dir, nodes, cores, gpus, memoryMb, heartbeat, requeue, Site.NONE, "easy");
    }

    /** The same with site policies (accounts, QOS, billing) and a scheduling policy such as {@code easy+multifactor}. */
    LocalCluster(Path dir, int nodes, int cores, int gpus, long memoryMb, Duration heartbeat, boolean requeue, Site site, String policy)
            throws IOException {
        this.dir = dir;
        Cluster.Builder b = Cluster.builder("test");
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= nodes; i++) {
            String n = "n" + i;
            names.add(n);
            b.node(new NodeSpec(n, cores, memoryMb, gpus, gpus > 0 ? "a100" : "", Set.of(), "g1", true, new PowerModel(100, 10, 20, 300)));
        }
        b.partition("batch", names, 3600, 86400, Integer.MAX_VALUE, true, 1);
        ControllerConfig config = new ControllerConfig(dir.resolve("ctl"), "", "127.0.0.1", 0, dir.resolve("ctl.sock"), b.build(),
                SchedulerConfig.parse(policy), KEY, heartbeat, Duration.ofSeconds(2), Duration.ofMillis(200), Duration.ofSeconds(1),
                2, requeue, Set.of(), site, 0);
        controller = Controller.start(config);
        rootToken = controller.tokens().issue("root", 0, 0, System.currentTimeMillis() / 1000 + 3600);
        for (String n : names) agents.add(startAgent(n, cores, gpus, memoryMb));
    }

    Agent startAgent(String name, int cores, int gpus, long memoryMb) throws IOException {
        AgentConfig ac = AgentConfig.of(controller.url(), KEY, name, dir.resolve("spool").resolve(name))
                .withDeclared(new DeclaredResources(cores, memoryMb, gpus, gpus > 0 ? "a100" : "", 0, List.of(), "g1"))
                .withKillGrace(Duration.ofSeconds(2)).withSyncWait(Duration.ofSeconds(2))
                .withTmpBase(dir.resolve("tmp").resolve(name))
                .withCgroupBase("bottega-test.slice/t" + Integer.toHexString(dir.toString().hashCode()));
        Agent a = Agent.create(ac);
        a.start();
        return a;
    }

    String token(String user, int uid, int gid) {
        return controller.tokens().issue(user, uid, gid, System.currentTimeMillis() / 1000 + 3600);
    }

    String rootToken() { return rootToken; }

    JsonNode call(String method, String path, Object body) throws IOException, InterruptedException {
        return call(method, path, body, rootToken);
    }

    JsonNode call(String method, String path, Object body, String token) throws IOException, InterruptedException {
        HttpResponse<String> r = raw(method, path, body, token);
        JsonNode n = json.readTree(r.body().isEmpty() ? "{}" : r.body());
        if (r.statusCode() >= 400) throw new ApiError(r.statusCode(), n.path("error").asText(), n.path("field").asText());
        return n;
    }

    HttpResponse<String> raw(String method, String path, Object body, String token) throws IOException, InterruptedException {
        HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(controller.url() + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token);
        String text = body == null ? "" : body instanceof String s ? s : json.writeValueAsString(body);
        rb.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(text));
        if (body != null) rb.header("Content-Type", "application/json");
        return http.send(rb.build(), HttpResponse.BodyHandlers.ofString());
    }

    static final class ApiError extends RuntimeException {
        final int status;
        final String field;

        ApiError(int status, String message, String field) {
            super(status + ": " + message);
            this.status = status;
            this.field = field;
        }
    }

    /** Waits until the job's view satisfies {@code done}; returns that view. */
    JsonNode awaitJob(long id, Predicate<JsonNode> done, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = call("GET", "/api/v1/jobs/" + id, null);
            if (done.test(last)) return last;
            Thread.sleep(100);
        }
        throw new AssertionError("job " + id + " did not get there in " + timeout + "; last: " + last);
    }

    JsonNode awaitState(long id, String state, Duration timeout) throws Exception {
        return awaitJob(id, j -> j.path("state").asText().equals(state), timeout);
    }

    void awaitNodesUp(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode nodes = call("GET", "/api/v1/nodes", null);
            boolean all = true;
            for (JsonNode n : nodes) all &= n.path("state").asText().equals("idle") || n.path("state").asText().equals("mixed");
            if (all) return;
            Thread.sleep(100);
        }
        throw new AssertionError("nodes did not come up: " + call("GET", "/api/v1/nodes", null));
    }

    @Override
    public void close() {
        for (Agent a : agents) {
            try {
                a.cancelAllJobs("test over", Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                // closing anyway
            }
            a.close();
        }
        controller.close();
    }
}
