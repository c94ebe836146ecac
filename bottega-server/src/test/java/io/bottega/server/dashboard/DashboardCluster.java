package io.bottega.server.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bottega.agent.Agent;
import io.bottega.agent.AgentConfig;
import io.bottega.agent.DeclaredResources;
import io.bottega.core.model.Cluster;
import io.bottega.core.model.NodeSpec;
import io.bottega.core.model.PowerModel;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A controller with real agents in this JVM, on loopback, for the dashboard's tests (after the e2e package's
 * harness): {@code nodes} nodes of 4 cores, 4 GPUs and 8 GB in {@code groups} network groups, one partition
 * {@code batch}. REST calls carry a token of the user running the tests (jobs run as that user, so the
 * output files are theirs).
 */
public final class DashboardCluster implements AutoCloseable {
    static final String KEY = "test-cluster-key-0123456789";

    public final Controller controller;
    final List<Agent> agents = new ArrayList<>();
    final Path dir;
    final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    public final String user;
    final int uid;
    final int gid;
    public final String userToken;

    public DashboardCluster(Path dir, int nodes, int groups) throws IOException {
        this.dir = dir;
        Cluster.Builder b = Cluster.builder("test");
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= nodes; i++) {
            String n = "n" + i;
            names.add(n);
            b.node(new NodeSpec(n, 4, 8000, 4, "a100", Set.of(), "g" + (1 + (i - 1) * groups / nodes), true, PowerModel.NONE));
        }
        b.partition("batch", names, 3600, 86400, Integer.MAX_VALUE, true, 1);
        ControllerConfig config = new ControllerConfig(dir.resolve("ctl"), "", "127.0.0.1", 0, dir.resolve("ctl.sock"), b.build(),
                SchedulerConfig.parse("easy"), KEY, Duration.ofSeconds(30), Duration.ofSeconds(2), Duration.ofMillis(200),
                Duration.ofSeconds(1), 2, false, Set.of(), null, 0);
        controller = Controller.start(config);
        user = System.getProperty("user.name");
        uid = unixId("-u");
        gid = unixId("-g");
        userToken = token(user, uid, gid);
        for (int i = 1; i <= nodes; i++) {
            String n = "n" + i;
            AgentConfig ac = AgentConfig.of(controller.url(), KEY, n, dir.resolve("spool").resolve(n))
                    .withDeclared(new DeclaredResources(4, 8000, 4, "a100", 0, List.of(), "g"))
                    .withKillGrace(Duration.ofSeconds(2)).withSyncWait(Duration.ofSeconds(2))
                    .withTmpBase(dir.resolve("tmp").resolve(n));
            Agent a = Agent.create(ac);
            a.start();
            agents.add(a);
        }
    }

    static int unixId(String flag) {
        try {
            Process p = new ProcessBuilder("id", flag).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            return Integer.parseInt(out);
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("cannot run 'id " + flag + "': " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public String url() { return controller.url(); }

    public String token(String name, int u, int g) {
        return controller.tokens().issue(name, u, g, System.currentTimeMillis() / 1000 + 3600);
    }

    public Map<String, Object> job(String script, Object... more) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("script", script);
        m.put("submitDir", dir.toString());
        m.put("environment", Map.of("PATH", "/usr/bin:/bin"));
        for (int i = 0; i < more.length; i += 2) m.put((String) more[i], more[i + 1]);
        return m;
    }

    public long submit(Map<String, Object> body) throws IOException, InterruptedException {
        return call("POST", "/api/v1/jobs", body, userToken).path("job_id").asLong();
    }

    public JsonNode get(String path) throws IOException, InterruptedException {
        return call("GET", path, null, userToken);
    }

    public JsonNode call(String method, String path, Object body, String token) throws IOException, InterruptedException {
        HttpResponse<String> r = raw(method, path, body, token);
        JsonNode n = json.readTree(r.body().isEmpty() ? "{}" : r.body());
        if (r.statusCode() >= 400) throw new IllegalStateException(r.statusCode() + ": " + n.path("error").asText());
        return n;
    }

    public HttpResponse<String> raw(String method, String path, Object body, String token) throws IOException, InterruptedException {
        HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(controller.url() + path)).timeout(Duration.ofSeconds(30));
        if (token != null) rb.header("Authorization", "Bearer " + token);
        String text = body == null ? "" : body instanceof String s ? s : json.writeValueAsString(body);
        rb.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(text));
        if (body != null) rb.header("Content-Type", "application/json");
        return http.send(rb.build(), HttpResponse.BodyHandlers.ofString());
    }

    public JsonNode awaitJob(long id, Predicate<JsonNode> done, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = get("/api/v1/jobs/" + id);
            if (done.test(last)) return last;
            Thread.sleep(100);
        }
        throw new AssertionError("job " + id + " did not get there in " + timeout + "; last: " + last);
    }

    public JsonNode awaitState(long id, String state, Duration timeout) throws Exception {
        return awaitJob(id, j -> j.path("state").asText().equals(state), timeout);
    }

    public void awaitNodesUp(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode nodes = get("/api/v1/nodes");
            boolean all = true;
            for (JsonNode n : nodes) all &= n.path("state").asText().equals("idle") || n.path("state").asText().equals("mixed");
            if (all) return;
            Thread.sleep(100);
        }
        throw new AssertionError("nodes did not come up: " + get("/api/v1/nodes"));
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
