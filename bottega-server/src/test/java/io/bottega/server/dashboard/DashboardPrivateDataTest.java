package io.bottega.server.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code privateData=true}: users see only their own jobs and usage; operators see everything. */
class DashboardPrivateDataTest {
    @TempDir
    static Path dir;
    static DashboardCluster cluster;
    static String alice;
    static String nobody;
    static long running;
    static long held;

    @BeforeAll
    static void start() throws Exception {
        System.setProperty(DashboardSettings.PRIVATE_DATA, "true");
        try {
            cluster = new DashboardCluster(dir, 2, 1);
        } finally {
            System.clearProperty(DashboardSettings.PRIVATE_DATA);
        }
        cluster.awaitNodesUp(Duration.ofSeconds(20));
        alice = cluster.token("alice", 5001, 5001);
        nobody = cluster.token("nobody", 65534, 65534);
        running = cluster.submit(cluster.job("#!/bin/sh\nsleep 60\n", "gpusPerNode", 1, "nodesMin", 1, "account", "proj-root"));
        held = cluster.call("POST", "/api/v1/jobs", cluster.job("#!/bin/sh\ntrue\n", "hold", true, "account", "proj-alice"), alice)
                .path("job_id").asLong();
        cluster.awaitState(running, "RUNNING", Duration.ofSeconds(20));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.close();
    }

    JsonNode as(String token, String path) throws Exception {
        return cluster.call("GET", path, null, token);
    }

    @Test
    void summary_saysTheSiteKeepsDataPrivate() throws Exception {
        assertThat(as(nobody, "/api/v1/dashboard/summary").path("privateData").asBoolean()).isTrue();
    }

    @Test
    void queue_showsAUserOnlyTheirJobs() throws Exception {
        assertThat(as(nobody, "/api/v1/dashboard/queue").path("total").asInt()).isZero();
        JsonNode mine = as(alice, "/api/v1/dashboard/queue");
        assertThat(mine.path("total").asInt()).isEqualTo(1);
        assertThat(mine.path("rows").get(0).get(0).asLong()).isEqualTo(held);
        assertThat(as(cluster.userToken, "/api/v1/dashboard/queue").path("total").asInt()).isGreaterThanOrEqualTo(2); // an operator
    }

    @Test
    void map_hidesOtherUsersJobIds() throws Exception {
        JsonNode m = DashboardApiTest.await(() -> as(nobody, "/api/v1/dashboard/map"), n -> n.path("gpusAlloc").toString().contains("1"));
        assertThat(m.path("jobs").toString()).doesNotContain(Long.toString(running)).contains("[0]");
        assertThat(as(cluster.userToken, "/api/v1/dashboard/map").path("jobs").toString()).contains("[" + running + "]");
        int node = -1;
        for (int i = 0; i < m.path("jobs").size(); i++) if (m.path("jobs").get(i).size() > 0) node = i;
        JsonNode panel = as(nobody, "/api/v1/dashboard/nodes/" + m.path("name").get(node).asText());
        assertThat(panel.path("jobs").get(0).path("hidden").asBoolean()).isTrue();
        assertThat(panel.path("jobs").toString()).doesNotContain("proj-root");
    }

    @Test
    void jobPages_ofOthersAreRefused() throws Exception {
        assertThat(cluster.raw("GET", "/api/v1/dashboard/jobs/" + running, null, nobody).statusCode()).isEqualTo(403);
        assertThat(cluster.raw("GET", "/api/v1/dashboard/jobs/" + held, null, nobody).statusCode()).isEqualTo(403);
        assertThat(as(alice, "/api/v1/dashboard/jobs/" + held).path("details").asBoolean()).isTrue();
        assertThat(as(cluster.userToken, "/api/v1/dashboard/jobs/" + held).path("details").asBoolean()).isTrue(); // an operator
    }

    @Test
    void usage_isAUsersOwn() throws Exception {
        JsonNode u = as(nobody, "/api/v1/dashboard/usage?days=0");
        assertThat(u.path("onlyUser").asText()).isEqualTo("nobody");
        assertThat(u.path("accounts").toString()).doesNotContain("proj-root");
        JsonNode all = DashboardApiTest.await(() -> as(cluster.userToken, "/api/v1/dashboard/usage?days=0"),
                n -> n.path("accounts").toString().contains("proj-root"));
        assertThat(all.path("onlyUser").asText()).isEmpty();
    }
}
