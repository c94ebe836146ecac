package io.bottega.server.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A controller and two real agents in this JVM: jobs go through the REST API, run as real processes, and end. */
class ControllerWithAgentsTest {
    @TempDir
    static Path dir;
    static LocalCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = new LocalCluster(dir, 2, 4, 4, 8000, Duration.ofSeconds(30), false);
        cluster.awaitNodesUp(Duration.ofSeconds(20));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.close();
    }

    static Map<String, Object> job(String script, Object... more) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("script", script);
        m.put("submitDir", dir.toString());
        m.put("environment", Map.of("PATH", "/usr/bin:/bin"));
        for (int i = 0; i < more.length; i += 2) m.put((String) more[i], more[i + 1]);
        return m;
    }

    long submit(Map<String, Object> body) throws Exception {
        return cluster.call("POST", "/api/v1/jobs", body).path("job_id").asLong();
    }

    @Test
    void submit_runsScriptAndWritesOutput() throws Exception {
        long id = submit(job("#!/bin/bash\necho hello from $SLURM_JOB_ID on $SLURM_JOB_NODELIST\n", "stdoutPath",
                dir.resolve("out-%j.txt").toString()));
        JsonNode done = cluster.awaitState(id, "COMPLETED", Duration.ofSeconds(30));
        assertThat(done.path("exitCode").asInt()).isZero();
        String out = Files.readString(dir.resolve("out-" + id + ".txt"));
        assertThat(out).startsWith("hello from " + id + " on n");
    }

    @Test
    void submit_failingScriptEndsFailedWithExitCode() throws Exception {
        long id = submit(job("#!/bin/sh\nexit 3\n"));
        JsonNode done = cluster.awaitJob(id, j -> j.path("state").asText().equals("FAILED"), Duration.ofSeconds(30));
        assertThat(done.path("exitCode").asInt()).isEqualTo(3);
    }

    @Test
    void submit_twoGpuJobsGetDisjointDevices() throws Exception {
        Path a = dir.resolve("gpu-a.txt");
        Path b = dir.resolve("gpu-b.txt");
        long ja = submit(job("#!/bin/sh\necho $CUDA_VISIBLE_DEVICES > " + a + "\nsleep 2\n", "gpusPerNode", 2, "nodesMin", 1));
        long jb = submit(job("#!/bin/sh\necho $CUDA_VISIBLE_DEVICES > " + b + "\nsleep 2\n", "gpusPerNode", 2, "nodesMin", 1));
        JsonNode va = cluster.awaitState(ja, "COMPLETED", Duration.ofSeconds(30));
        JsonNode vb = cluster.awaitState(jb, "COMPLETED", Duration.ofSeconds(30));
        if (va.path("nodeList").asText().equals(vb.path("nodeList").asText())) {
            List<String> ga = List.of(Files.readString(a).strip().split(","));
            List<String> gb = List.of(Files.readString(b).strip().split(","));
            assertThat(ga).hasSize(2).doesNotContainAnyElementsOf(gb);
            assertThat(gb).hasSize(2);
        }
    }

    @Test
    void submit_pastTimeLimitEndsTimeout() throws Exception {
        long id = submit(job("#!/bin/sh\nsleep 120\n", "timeLimit", 2));
        cluster.awaitState(id, "TIMEOUT", Duration.ofSeconds(40));
    }

    @Test
    void submit_badPayloadNamesTheField() {
        assertThatThrownBy(() -> cluster.call("POST", "/api/v1/jobs", "{\"script\": \"#!/bin/sh\\n\", \"ntasks\": \"four\"}"))
                .isInstanceOfSatisfying(LocalCluster.ApiError.class, e -> {
                    assertThat(e.status).isEqualTo(400);
                    assertThat(e.field).isEqualTo("ntasks");
                });
        assertThatThrownBy(() -> cluster.call("POST", "/api/v1/jobs", "{\"script\": \"echo no shebang\"}"))
                .isInstanceOfSatisfying(LocalCluster.ApiError.class, e -> assertThat(e.getMessage()).contains("does not look like a batch script"));
        assertThatThrownBy(() -> cluster.call("POST", "/api/v1/jobs", "{\"script\": \"#!/bin/sh\\n\", \"bogus\": 1}"))
                .isInstanceOfSatisfying(LocalCluster.ApiError.class, e -> assertThat(e.field).isEqualTo("bogus"));
    }

    @Test
    void cancel_otherUsersJobIsRefused() throws Exception {
        String alice = cluster.token("alice", 60001, 60001);
        long id = cluster.call("POST", "/api/v1/jobs", job("#!/bin/sh\nsleep 60\n", "hold", true)).path("job_id").asLong();
        JsonNode r = cluster.call("POST", "/api/v1/jobs/cancel", Map.of("ids", List.of(Long.toString(id))), alice);
        assertThat(r.path("refused").path(Long.toString(id)).asText()).isEqualTo("Access/permission denied");
        assertThat(cluster.call("GET", "/api/v1/jobs/" + id, null).path("state").asText()).isEqualTo("PENDING");
        cluster.call("DELETE", "/api/v1/jobs/" + id, null);
        cluster.awaitState(id, "CANCELLED", Duration.ofSeconds(10));
    }

    @Test
    void dependency_afterokChainRunsInOrderAndFailedParentNeverSatisfied() throws Exception {
        Path log = dir.resolve("chain.txt");
        long a = submit(job("#!/bin/sh\nsleep 1; echo a >> " + log + "\n"));
        long b = submit(job("#!/bin/sh\necho b >> " + log + "\n", "dependency", "afterok:" + a));
        long c = submit(job("#!/bin/sh\necho c >> " + log + "\n", "dependency", "afterok:" + b));
        cluster.awaitState(c, "COMPLETED", Duration.ofSeconds(40));
        assertThat(Files.readAllLines(log)).containsExactly("a", "b", "c");
        long bad = submit(job("#!/bin/sh\nexit 1\n"));
        long child = submit(job("#!/bin/sh\necho never\n", "dependency", "afterok:" + bad));
        cluster.awaitState(bad, "FAILED", Duration.ofSeconds(30));
        JsonNode v = cluster.awaitJob(child, j -> j.path("reason").asText().equals("DependencyNeverSatisfied"), Duration.ofSeconds(10));
        assertThat(v.path("state").asText()).isEqualTo("PENDING");
        cluster.call("DELETE", "/api/v1/jobs/" + child, null);
    }

    @Test
    void squeue_rowsAreFormattedFilteredAndSortedHere() throws Exception {
        long a = submit(job("#!/bin/sh\ntrue\n", "hold", true, "jobName", "sq-b", "arraySpec", Map.of("taskIds", List.of(1, 2, 3), "maxConcurrent", 0)));
        long b = submit(job("#!/bin/sh\ntrue\n", "hold", true, "jobName", "sq-a", "ntasks", 2));
        try {
            var r = cluster.raw("GET", "/api/v1/squeue?names=sq-a,sq-b&format=%25i%7C%25j%7C%25t%7C%25C&sort=j", null, cluster.rootToken());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
            assertThat(r.body()).isEqualTo("JOBID|NAME|ST|CPUS\n" + b + "|sq-a|PD|2\n" + a + "_[1-3]|sq-b|PD|1\n");
            r = cluster.raw("GET", "/api/v1/squeue?names=sq-a,sq-b&fields=JobArrayID:8,Name:.5&sort=-i&array=true&noheader=true&states=pd",
                    null, cluster.rootToken());
            assertThat(r.body()).isEqualTo(String.format("%-8s%5s\n%-8s%5s\n%-8s%5s\n%-8s%5s\n", b, "sq-a", a + "_3", "sq-b", a + "_2", "sq-b",
                    a + "_1", "sq-b"));
            r = cluster.raw("GET", "/api/v1/squeue?names=sq-a,sq-b&noheader=true&format=%25i&notme=root", null, cluster.rootToken());
            assertThat(r.body()).isEmpty();
            r = cluster.raw("GET", "/api/v1/squeue?names=sq-a,sq-b&noheader=true&format=%25i&states=R", null, cluster.rootToken());
            assertThat(r.body()).isEmpty();
            assertThatThrownBy(() -> cluster.call("GET", "/api/v1/squeue?format=%25z", null))
                    .isInstanceOfSatisfying(LocalCluster.ApiError.class, e -> {
                        assertThat(e.status).isEqualTo(400);
                        assertThat(e.field).isEqualTo("format");
                    });
            assertThatThrownBy(() -> cluster.call("GET", "/api/v1/squeue?sort=x", null))
                    .isInstanceOfSatisfying(LocalCluster.ApiError.class, e -> assertThat(e.field).isEqualTo("sort"));
            assertThatThrownBy(() -> cluster.call("GET", "/api/v1/squeue?tz=Mars/Olympus", null))
                    .isInstanceOfSatisfying(LocalCluster.ApiError.class, e -> assertThat(e.field).isEqualTo("tz"));
        } finally {
            cluster.call("POST", "/api/v1/jobs/cancel", Map.of("names", List.of("sq-a", "sq-b")));
        }
    }

    @Test
    void openapi_listsEveryRoute() throws Exception {
        JsonNode doc = cluster.call("GET", "/api/v1/openapi.json", null);
        for (var r : cluster.controller.api().routes()) {
            assertThat(doc.path("paths").has(r.path())).as(r.path()).isTrue();
            assertThat(doc.path("paths").path(r.path()).has(r.method().toLowerCase())).as(r.method() + " " + r.path()).isTrue();
        }
    }
}
