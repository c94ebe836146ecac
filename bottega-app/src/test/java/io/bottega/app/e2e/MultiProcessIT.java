package io.bottega.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.bottega.app.e2e.Bottega.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A controller and three agents, each its own process, on loopback: the controller killed with SIGKILL under
 * submission load loses no acknowledged job and finds running jobs again; an agent killed takes its node DOWN
 * and its job to NODE_FAIL; the agent back brings the node back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiProcessIT {
    Path dir;
    Path data;
    int port;
    Map<String, String> env;
    Process controller;
    final Map<String, Process> agents = new ConcurrentHashMap<>();
    final ObjectMapper json = new ObjectMapper();
    final HttpClient http = HttpClient.newHttpClient();
    String token;

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory(Path.of("/tmp"), "bottega-mp-it");
        data = dir.resolve("data");
        port = Bottega.freePort();
        env = Bottega.env(dir.resolve("bottega.sock"), port);
        Files.writeString(dir.resolve("cluster.yaml"), """
                name: trio
                nodes:
                  - names: n[1-3]
                    cores: 4
                    memory_mb: 8000
                    gpus: 2
                    gpu_type: a100
                    group: g1
                partitions:
                  - name: batch
                    nodes: n[1-3]
                    default: true
                    default_time: "1:00:00"
                    max_time: "1-00:00:00"
                """);
        startController();
        for (String n : List.of("n1", "n2", "n3")) startAgent(n);
        await(Duration.ofSeconds(60), () -> Bottega.run(env, dir, null, "sinfo", "-h", "-o", "%t %D").out().strip(),
                "idle 3"::equals, "three idle nodes");
        token = Bottega.run(env, dir, null, "token").ok().out().strip();
        token = token.contains(" ") ? token.substring(token.lastIndexOf(' ') + 1) : token;
    }

    int starts;

    void startController() throws Exception {
        Path log = dir.resolve("controller-" + (++starts) + ".log");
        controller = Bottega.start(env, log, "server", "--cluster", dir.resolve("cluster.yaml").toString(), "--data-dir", data.toString(),
                "--port", Integer.toString(port), "--socket", env.get("BOTTEGA_SOCKET"), "--heartbeat-timeout", "6", "--kill-grace", "2");
        Bottega.awaitLog(log, "bottega server: cluster", Duration.ofSeconds(60), controller);
    }

    void startAgent(String name) throws Exception {
        Path log = dir.resolve("agent-" + name + "-" + System.nanoTime() + ".log");
        Process p = Bottega.start(env, log, "agent", "--controller", "http://127.0.0.1:" + port, "--key-file",
                data.resolve("cluster.key").toString(), "--name", name, "--spool", dir.resolve("spool-" + name).toString(), "--cores", "4",
                "--memory", "8000", "--gpus", "2", "--gpu-type", "a100", "--group", "g1", "--kill-grace", "2",
                "--tmp", dir.resolve("tmp-" + name).toString());
        agents.put(name, p);
    }

    @AfterAll
    void stop() throws Exception {
        for (Process p : agents.values()) Bottega.stop(p, false);
        Bottega.stop(controller, false);
    }

    JsonNode api(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) throw new IllegalStateException(r.statusCode() + " " + r.body());
        return json.readTree(r.body());
    }

    String job(String wrap) throws Exception {
        return json.writeValueAsString(Map.of("script", "#!/bin/sh\n" + wrap + "\n", "submitDir", dir.toString(),
                "environment", Map.of("PATH", "/usr/bin:/bin")));
    }

    String state(long id) throws Exception {
        return api("GET", "/api/v1/jobs/" + id, null).path("state").asText();
    }

    @Test
    @Order(1)
    void controllerKilledUnderLoad_losesNoAcknowledgedJobAndKeepsRunningOnes() throws Exception {
        Path mark = dir.resolve("long.txt");
        long longJob = api("POST", "/api/v1/jobs", job("sleep 6; echo done > " + mark)).path("job_id").asLong();
        await(Duration.ofSeconds(30), () -> state(longJob), "RUNNING"::equals, "long job running");

        Set<Long> acked = Collections.synchronizedSet(new java.util.HashSet<>());
        AtomicBoolean go = new AtomicBoolean(true);
        List<Thread> submitters = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread th = new Thread(() -> {
                while (go.get()) {
                    try {
                        acked.add(api("POST", "/api/v1/jobs", job("true")).path("job_id").asLong());
                    } catch (Exception e) {
                        return; // the controller is gone: what was acknowledged is in 'acked'
                    }
                }
            });
            th.start();
            submitters.add(th);
        }
        await(Duration.ofSeconds(30), acked::size, n -> n >= 50, "50 acknowledged submissions");
        Bottega.stop(controller, true); // SIGKILL
        go.set(false);
        for (Thread th : submitters) th.join(15_000);
        assertThat(acked).hasSizeGreaterThanOrEqualTo(50);

        // away long enough for the agents to back off far beyond the heartbeat timeout if nothing capped it: the
        // restarted controller must still hear from them in time, or their jobs end NODE_FAIL although they ran
        Thread.sleep(12_000);
        startController();
        for (long id : new ArrayList<>(acked)) {
            JsonNode j = api("GET", "/api/v1/jobs/" + id, null);
            assertThat(j.path("id").asLong()).as("acknowledged job %d after the crash", id).isEqualTo(id);
        }
        await(Duration.ofSeconds(60), () -> state(longJob), "COMPLETED"::equals, "the running job completing after the restart");
        assertThat(Files.readString(mark).strip()).isEqualTo("done");
        for (long id : new ArrayList<>(acked)) {
            try {
                await(Duration.ofSeconds(120), () -> state(id), s -> s.equals("COMPLETED"), "job " + id + " completing");
            } catch (AssertionError e) {
                String lines;
                try {
                    lines = logLinesOf(id);
                } catch (Exception x) {
                    lines = "(the logs could not be read: " + x + ")";
                }
                throw new AssertionError(e.getMessage() + "\n" + lines, e);
            }
        }
    }

    /** What the controllers' and agents' logs say of a job (for a failure's message). */
    String logLinesOf(long id) throws Exception {
        StringBuilder b = new StringBuilder();
        java.util.regex.Pattern mention = java.util.regex.Pattern.compile("job[=_]" + id + "\\b");
        try (var logs = Files.list(dir)) {
            for (Path log : logs.filter(f -> f.getFileName().toString().endsWith(".log")).sorted().toList()) {
                for (String line : Files.readAllLines(log)) {
                    if (mention.matcher(line).find()) b.append(log.getFileName()).append(": ").append(line).append('\n');
                }
            }
        }
        return b.isEmpty() ? "(no log line names job " + id + ")" : b.toString();
    }

    @Test
    @Order(2)
    void agentKilled_nodeGoesDownJobNodeFailsAndNodeReturns() throws Exception {
        long id = api("POST", "/api/v1/jobs", job("sleep 300")).path("job_id").asLong();
        String node = await(Duration.ofSeconds(30), () -> api("GET", "/api/v1/jobs/" + id, null),
                j -> j.path("state").asText().equals("RUNNING"), "job running").path("nodeList").asText();
        Bottega.stop(agents.get(node), true); // SIGKILL the agent
        await(Duration.ofSeconds(40), () -> Bottega.run(env, dir, null, "sinfo", "-h", "-N", "-n", node, "-o", "%t").out().strip(),
                s -> s.startsWith("down"), "node " + node + " going down");
        assertThat(await(Duration.ofSeconds(20), () -> state(id), "NODE_FAIL"::equals, "job NODE_FAIL")).isEqualTo("NODE_FAIL");
        startAgent(node);
        await(Duration.ofSeconds(40), () -> Bottega.run(env, dir, null, "sinfo", "-h", "-N", "-n", node, "-o", "%t").out().strip(),
                s -> s.equals("idle") || s.equals("mix"), "node " + node + " back");
    }
}
