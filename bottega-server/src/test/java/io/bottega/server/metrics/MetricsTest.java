package io.bottega.server.metrics;

import io.bottega.server.dashboard.DashboardCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code GET /metrics} scraped from a controller with real agents, read with a strict text-format parser. */
class MetricsTest {
    @TempDir
    static Path dir;
    static DashboardCluster cluster;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        cluster = new DashboardCluster(dir, 2, 2);
        cluster.awaitNodesUp(Duration.ofSeconds(20));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.close();
    }

    Map<String, PrometheusText.Family> scrape() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(cluster.url() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain; version=0.0.4");
        return PrometheusText.parse(r.body());
    }

    @Test
    void metrics_haveTheNamesAndMoveWhenAJobRuns() throws Exception {
        var before = scrape();
        for (String name : java.util.List.of("bottega_jobs", "bottega_jobs_submitted_total", "bottega_jobs_started_total",
                "bottega_jobs_ended_total", "bottega_scheduler_pass_seconds", "bottega_scheduler_last_pass_seconds", "bottega_nodes",
                "bottega_gpus_allocated", "bottega_gpus_capacity", "bottega_cores_allocated", "bottega_cores_capacity",
                "bottega_agent_heartbeat_lag_seconds", "bottega_agent_heartbeat_lag_max_seconds", "bottega_agents_registered")) {
            assertThat(before).as(name).containsKey(name);
            assertThat(before.keySet()).allMatch(n -> n.startsWith("bottega_"));
        }
        assertThat(before.get("bottega_jobs").type()).isEqualTo("gauge");
        assertThat(before.get("bottega_jobs_submitted_total").type()).isEqualTo("counter");
        assertThat(before.get("bottega_scheduler_pass_seconds").type()).isEqualTo("histogram");
        assertThat(PrometheusText.value(before, "bottega_gpus_capacity", Map.of())).isEqualTo(8);
        assertThat(PrometheusText.value(before, "bottega_nodes", Map.of("state", "idle"))).isEqualTo(2);
        assertThat(PrometheusText.value(before, "bottega_agents_registered", Map.of())).isEqualTo(2);
        assertThat(PrometheusText.value(before, "bottega_agent_heartbeat_lag_seconds", Map.of("node", "n1"))).isBetween(0.0, 30.0);
        double submitted = PrometheusText.value(before, "bottega_jobs_submitted_total", Map.of());
        double completed = PrometheusText.value(before, "bottega_jobs_ended_total", Map.of("state", "COMPLETED"));
        double passes = PrometheusText.value(before, "bottega_scheduler_pass_seconds_count", Map.of());

        long id = cluster.submit(cluster.job("#!/bin/sh\nsleep 3\n", "gpusPerNode", 2, "nodesMin", 1));
        cluster.awaitState(id, "RUNNING", Duration.ofSeconds(20));
        var during = scrape();
        assertThat(PrometheusText.value(during, "bottega_jobs", Map.of("state", "RUNNING", "partition", "batch"))).isEqualTo(1);
        assertThat(PrometheusText.value(during, "bottega_gpus_allocated", Map.of())).isEqualTo(2);
        assertThat(PrometheusText.value(during, "bottega_nodes", Map.of("state", "mixed"))).isEqualTo(1);
        assertThat(PrometheusText.value(during, "bottega_jobs_submitted_total", Map.of())).isEqualTo(submitted + 1);

        cluster.awaitState(id, "COMPLETED", Duration.ofSeconds(20));
        var after = scrape();
        assertThat(PrometheusText.value(after, "bottega_jobs_ended_total", Map.of("state", "COMPLETED"))).isEqualTo(completed + 1);
        assertThat(PrometheusText.value(after, "bottega_jobs", Map.of("state", "RUNNING", "partition", "batch"))).isZero();
        assertThat(PrometheusText.value(after, "bottega_gpus_allocated", Map.of())).isZero();
        assertThat(PrometheusText.value(after, "bottega_scheduler_pass_seconds_count", Map.of())).isGreaterThan(passes);
        assertThat(PrometheusText.value(after, "bottega_scheduler_pass_seconds_bucket", Map.of("le", "+Inf")))
                .isEqualTo(PrometheusText.value(after, "bottega_scheduler_pass_seconds_count", Map.of()));
    }

    @Test
    void grafanaExample_usesOnlyMetricsTheControllerExports() throws Exception {
        Path example = Path.of(System.getProperty("user.dir")).resolve("../examples/grafana/bottega.json").normalize();
        String dashboard = java.nio.file.Files.readString(example);
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(dashboard); // valid JSON
        var families = scrape();
        java.util.Set<String> names = new java.util.TreeSet<>();
        for (var f : families.values()) for (var s : f.samples()) names.add(s.name());
        var m = java.util.regex.Pattern.compile("bottega_[a-z_]+").matcher(dashboard);
        java.util.Set<String> used = new java.util.TreeSet<>();
        while (m.find()) used.add(m.group());
        assertThat(used).isNotEmpty();
        assertThat(names).containsAll(used);
    }

    @Test
    void metrics_needNoTokenAndAreReadOnly() throws Exception {
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(cluster.url() + "/metrics"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isIn(404, 405);
        assertThat(scrape()).isNotEmpty();
    }

    @Test
    void parser_refusesWhatIsNotTheFormat() {
        assertThatThrownBy(() -> PrometheusText.parse("x 1\n")).hasMessageContaining("before its # TYPE");
        assertThatThrownBy(() -> PrometheusText.parse("# TYPE x gauge\nx{a=\"1} 1\n")).isInstanceOf(RuntimeException.class);
        assertThatThrownBy(() -> PrometheusText.parse("# TYPE x gauge\nx one\n")).hasMessageContaining("bad value");
        assertThatThrownBy(() -> PrometheusText.parse("# TYPE x gauge\nx 1\nx 2\n")).hasMessageContaining("twice");
        assertThatThrownBy(() -> PrometheusText.parse("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n"))
                .hasMessageContaining("cumulative");
        assertThatThrownBy(() -> PrometheusText.parse("# TYPE x gauge\nx 1")).hasMessageContaining("newline");
        assertThat(PrometheusText.parse("# HELP x a \"thing\"\n# TYPE x gauge\nx{a=\"q\\\"\\n\\\\\"} +Inf\n").get("x").samples().get(0)
                .labels().get("a")).isEqualTo("q\"\n\\");
    }
}
