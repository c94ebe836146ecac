package io.bottega.server.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The dashboard's routes against a controller with real agents: assets, map, queue, job page, output, usage, events. */
class DashboardApiTest {
    @TempDir
    static Path dir;
    static DashboardCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = new DashboardCluster(dir, 4, 2);
        cluster.awaitNodesUp(Duration.ofSeconds(20));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.close();
    }

    @Test
    void root_servesThePageAndItsScriptsFromTheJar() throws Exception {
        HttpResponse<String> page = cluster.raw("GET", "/", null, null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(page.body()).contains("/dashboard/app.js").doesNotContain("http://", "https://");
        for (String f : List.of("app.js", "map.js", "queue.js", "util.js", "style.css")) {
            HttpResponse<String> r = cluster.raw("GET", "/dashboard/" + f, null, null);
            assertThat(r.statusCode()).as(f).isEqualTo(200);
            assertThat(r.body()).as(f + " loads nothing from another site").doesNotContain("cdn", "https://");
        }
        HttpResponse<String> echarts = cluster.raw("GET", "/dashboard/vendor/echarts.js", null, null);
        assertThat(echarts.statusCode()).isEqualTo(200);
        assertThat(echarts.headers().firstValue("Content-Type").orElse("")).startsWith("text/javascript");
        assertThat(echarts.body().length()).isGreaterThan(500_000);
        assertThat(echarts.body()).contains("export");
        String etag = echarts.headers().firstValue("ETag").orElseThrow();
        HttpResponse<String> again = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(cluster.url()
                + "/dashboard/vendor/echarts.js")).header("If-None-Match", etag).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(cluster.raw("GET", "/dashboard/..%2Fdb%2Fmigration%2Fsqlite%2FV1__init.sql", null, null).statusCode()).isEqualTo(404);
        assertThat(cluster.raw("GET", "/dashboard/nothing.js", null, null).statusCode()).isEqualTo(404);
    }

    @Test
    void dataRoutes_needAToken() throws Exception {
        for (String p : List.of("/api/v1/dashboard/summary", "/api/v1/dashboard/map", "/api/v1/dashboard/queue", "/api/v1/events",
                "/api/v1/dashboard/jobs/1", "/api/v1/dashboard/usage", "/api/v1/dashboard/history")) {
            assertThat(cluster.raw("GET", p, null, null).statusCode()).as(p).isEqualTo(401);
        }
    }

    @Test
    void openApi_listsTheDashboardRoutes() throws Exception {
        JsonNode doc = cluster.get("/api/v1/openapi.json");
        assertThat(doc.path("paths").has("/api/v1/dashboard/map")).isTrue();
        assertThat(doc.path("paths").has("/api/v1/events")).isTrue();
        assertThat(doc.path("paths").has("/metrics")).isTrue();
    }

    @Test
    void map_isColumnsWithOneEntryPerNode() throws Exception {
        JsonNode m = cluster.get("/api/v1/dashboard/map");
        assertThat(m.path("name")).hasSize(4);
        for (String col : List.of("group", "state", "cpus", "cpusAlloc", "gpus", "gpusAlloc", "jobs")) {
            assertThat(m.path(col).isArray()).as(col).isTrue();
            assertThat(m.path(col)).as(col).hasSize(4);
        }
        assertThat(m.path("groups").toString()).contains("g1", "g2");
        assertThat(m.path("gpus").get(0).asInt()).isEqualTo(4);
    }

    @Test
    void job_showsOnMapQueueAndPageWithItsOutput() throws Exception {
        long id = cluster.submit(cluster.job("#!/bin/sh\necho line-one\necho line-two\nsleep 3\necho line-three\n",
                "jobName", "tail-me", "gpusPerNode", 2, "nodesMin", 1, "account", "proj-a", "stdoutPath", dir.resolve("out-%j.txt").toString()));
        cluster.awaitState(id, "RUNNING", Duration.ofSeconds(20));
        JsonNode q = await(() -> cluster.get("/api/v1/dashboard/queue?state=RUNNING"), n -> n.path("total").asInt() >= 1);
        int idCol = index(q.path("columns"), "id");
        assertThat(ids(q.path("rows"), idCol)).contains(id);
        JsonNode m = await(() -> cluster.get("/api/v1/dashboard/map"), n -> n.path("jobs").toString().contains(Long.toString(id)));
        int node = -1;
        for (int i = 0; i < m.path("jobs").size(); i++) if (m.path("jobs").get(i).toString().contains(Long.toString(id))) node = i;
        assertThat(m.path("gpusAlloc").get(node).asInt()).isEqualTo(2);
        String name = m.path("name").get(node).asText();
        JsonNode nodeView = cluster.get("/api/v1/dashboard/nodes/" + name);
        assertThat(nodeView.path("jobs").get(0).path("id").asLong()).isEqualTo(id);

        JsonNode page = cluster.get("/api/v1/dashboard/jobs/" + id);
        assertThat(page.path("job").path("name").asText()).isEqualTo("tail-me");
        assertThat(page.path("details").asBoolean()).isTrue();
        assertThat(page.path("request").path("script").asText()).contains("line-one");
        assertThat(page.path("allocation").get(0).path("gpus")).hasSize(2);
        assertThat(page.path("output").path("stdout").asText()).isEqualTo(dir.resolve("out-" + id + ".txt").toString());

        JsonNode first = await(() -> cluster.get("/api/v1/dashboard/jobs/" + id + "/output?stream=stdout&offset=0"),
                n -> n.path("text").asText().contains("line-one"));
        assertThat(first.path("available").asBoolean()).isTrue();
        long next = first.path("next").asLong();
        cluster.awaitState(id, "COMPLETED", Duration.ofSeconds(20));
        JsonNode rest = cluster.get("/api/v1/dashboard/jobs/" + id + "/output?stream=stdout&offset=" + next);
        assertThat(first.path("text").asText() + rest.path("text").asText()).isEqualTo("line-one\nline-two\nline-three\n");

        // another user: sees the job (privateData off) but not its script nor its output
        String other = cluster.token("nobody", 65534, 65534);
        JsonNode seen = cluster.call("GET", "/api/v1/dashboard/jobs/" + id, null, other);
        assertThat(seen.path("details").asBoolean()).isFalse();
        assertThat(seen.path("request").path("script").asText()).doesNotContain("line-one");
        assertThat(seen.path("output").size()).isZero();
        assertThat(cluster.raw("GET", "/api/v1/dashboard/jobs/" + id + "/output", null, other).statusCode()).isEqualTo(403);

        // the job's view says COMPLETED as soon as the loop ends it; its event is read from the store, once committed
        JsonNode events = await(() -> cluster.get("/api/v1/dashboard/jobs/" + id), n -> n.path("events").toString().contains("COMPLETED"));
        assertThat(events.path("events").toString()).contains("RUNNING", "COMPLETED");
        JsonNode usage = await(() -> cluster.get("/api/v1/dashboard/usage?days=1"), n -> n.path("accounts").toString().contains("proj-a"));
        JsonNode a = null;
        for (JsonNode x : usage.path("accounts")) if (x.path("account").asText().equals("proj-a")) a = x;
        assertThat(a).isNotNull();
        assertThat(a.path("budgetHours").isNull()).as("no site budgets in this cluster").isTrue();
        assertThat(a.has("energyKwh")).isTrue();
        assertThat(usage.has("energyKwh")).isTrue();
        assertThat(a.path("jobsFinished").asInt() + a.path("jobsRunning").asInt()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void output_isNotShownWhenTheFileIsNotTheOwners() throws Exception {
        Path link = dir.resolve("sneaky.txt");
        Files.createSymbolicLink(link, Path.of("/etc/hostname"));
        long id = cluster.submit(cluster.job("#!/bin/sh\ntrue\n", "stdoutPath", dir.resolve("real-%j.txt").toString()));
        cluster.awaitState(id, "COMPLETED", Duration.ofSeconds(20));
        JsonNode ok = cluster.get("/api/v1/dashboard/jobs/" + id + "/output");
        assertThat(ok.path("available").asBoolean()).isTrue();
        // a job whose output path names a link to someone else's file: the link is not followed
        long sneaky = cluster.submit(cluster.job("#!/bin/sh\ntrue\n", "stdoutPath", "/nonexistent-dir/x-%j.txt"));
        cluster.awaitJob(sneaky, j -> !j.path("state").asText().equals("PENDING") && !j.path("state").asText().equals("RUNNING"),
                Duration.ofSeconds(20));
        JsonNode missing = cluster.get("/api/v1/dashboard/jobs/" + sneaky + "/output");
        assertThat(missing.path("available").asBoolean()).isFalse();
        assertThat(missing.path("why").asText()).contains("not readable on the controller's machine");
    }

    @Test
    void queue_pagesAndFilters() throws Exception {
        List<Long> held = new ArrayList<>();
        for (int i = 0; i < 25; i++) held.add(cluster.submit(cluster.job("#!/bin/sh\ntrue\n", "jobName", "held-" + i, "hold", true)));
        JsonNode p1 = await(() -> cluster.get("/api/v1/dashboard/queue?state=PENDING&q=held-&limit=10"), n -> n.path("total").asInt() == 25);
        JsonNode p3 = cluster.get("/api/v1/dashboard/queue?state=PENDING&q=held-&limit=10&offset=20");
        int idCol = index(p1.path("columns"), "id");
        assertThat(p1.path("rows")).hasSize(10);
        assertThat(p3.path("rows")).hasSize(5);
        assertThat(ids(p1.path("rows"), idCol).get(0)).isEqualTo(held.get(0));
        JsonNode desc = cluster.get("/api/v1/dashboard/queue?state=PENDING&q=held-&limit=1&desc=true");
        assertThat(ids(desc.path("rows"), idCol).get(0)).isEqualTo(held.get(24));
        int reason = index(p1.path("columns"), "reason");
        assertThat(p1.path("rows").get(0).get(reason).asText()).isEqualTo("JobHeldUser");
        assertThat(cluster.raw("GET", "/api/v1/dashboard/queue?sort=colour", null, cluster.userToken).statusCode()).isEqualTo(400);
        cluster.call("POST", "/api/v1/jobs/cancel", java.util.Map.of("ids", held.stream().map(String::valueOf).toList()), cluster.userToken);
    }

    @Test
    void events_streamAnUpdateWhenSomethingChanges() throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(cluster.url() + "/api/v1/events"))
                .header("Authorization", "Bearer " + cluster.userToken).header("Accept", "text/event-stream").build();
        HttpResponse<InputStream> r = HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        try (InputStream in = r.body()) {
            long id = cluster.submit(cluster.job("#!/bin/sh\ntrue\n"));
            StringBuilder seen = new StringBuilder();
            byte[] buf = new byte[4096];
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < deadline && !seen.toString().contains("\"submitted\"")) {
                int n = in.read(buf);
                if (n < 0) break;
                seen.append(new String(buf, 0, n, StandardCharsets.UTF_8));
            }
            assertThat(seen.toString()).contains("event: update").contains("\"submitted\"");
            cluster.awaitState(id, "COMPLETED", Duration.ofSeconds(20));
        }
    }

    @Test
    void history_hasSamples() throws Exception {
        JsonNode h = await(() -> cluster.get("/api/v1/dashboard/history?hours=1"), n -> n.path("time").size() >= 1);
        assertThat(h.path("gpus").asInt()).isEqualTo(16);
        assertThat(h.path("pending")).hasSameSizeAs(h.path("time"));
    }

    interface Call {
        JsonNode get() throws Exception;
    }

    static JsonNode await(Call c, java.util.function.Predicate<JsonNode> ok) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = c.get();
            if (ok.test(last)) return last;
            Thread.sleep(150);
        }
        throw new AssertionError("never got there; last: " + last);
    }

    static int index(JsonNode columns, String name) {
        for (int i = 0; i < columns.size(); i++) if (columns.get(i).asText().equals(name)) return i;
        throw new AssertionError("no column " + name + " in " + columns);
    }

    static List<Long> ids(JsonNode rows, int col) {
        List<Long> out = new ArrayList<>();
        for (JsonNode r : rows) out.add(r.get(col).asLong());
        return out;
    }
}
