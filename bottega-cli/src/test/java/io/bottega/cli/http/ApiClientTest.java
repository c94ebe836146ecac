package io.bottega.cli.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ApiClientTest {
    @TempDir
    Path tmp;

    @Test
    void get_tcpContentLength_readsStatusAndBody() throws Exception {
        try (FakeController c = FakeController.start().on("GET", "/ping", 200, "{\"ok\":true,\"cluster\":\"leo\"}")) {
            ApiClient api = ApiClient.fromEnvironment(Map.of("BOTTEGA_URL", c.url()), tmp.toString());
            Response r = api.get("/ping");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.object()).containsEntry("cluster", "leo").containsEntry("ok", true);
            assertThat(c.last().path()).isEqualTo("/api/v1/ping");
        }
    }

    @Test
    void get_tcpChunked_joinsTheChunks() throws Exception {
        String big = "[" + "\"x\",".repeat(50_000) + "\"end\"]";
        try (FakeController c = FakeController.start().on("GET", "/jobs", new FakeController.Answer(200, big, true))) {
            Response r = ApiClient.fromEnvironment(Map.of("BOTTEGA_URL", c.url() + "/"), tmp.toString()).get("/jobs");
            assertThat(r.text()).isEqualTo(big);
        }
    }

    @Test
    void send_tcpWithToken_sendsBearerHeaderAndBody() throws Exception {
        try (FakeController c = FakeController.start().on("POST", "/jobs/hold", 200, "{\"changed\":[1]}")) {
            ApiClient api = ApiClient.fromEnvironment(Map.of("BOTTEGA_URL", c.url(), "BOTTEGA_TOKEN", "tok123\n"), tmp.toString());
            api.post("/jobs/hold", "{\"ids\":[\"1\"]}");
            assertThat(c.last().authorization()).isEqualTo("Bearer tok123");
            assertThat(c.last().body()).isEqualTo("{\"ids\":[\"1\"]}");
        }
    }

    @Test
    void fromEnvironment_noTokenVariable_readsTheSavedTokenFile() throws Exception {
        Files.createDirectories(tmp.resolve(".bottega"));
        Files.writeString(tmp.resolve(".bottega/token"), "saved-token\n");
        try (FakeController c = FakeController.start().on("GET", "/whoami", 200, "{}")) {
            ApiClient.fromEnvironment(Map.of("BOTTEGA_URL", c.url()), tmp.toString()).get("/whoami");
            assertThat(c.last().authorization()).isEqualTo("Bearer saved-token");
        }
    }

    @Test
    void get_unixSocketChunked_sendsNoTokenAndDechunks() throws Exception {
        String raw = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n"
                + "5\r\n[1,2,\r\n" + "a\r\n3,4,5,6,7]\r\n" + "0\r\n\r\n";
        try (UnixFakeServer s = UnixFakeServer.start(tmp.resolve("b.sock")).answerRaw(raw)) {
            ApiClient api = ApiClient.fromEnvironment(Map.of("BOTTEGA_SOCKET", s.path().toString(), "BOTTEGA_TOKEN", "t"),
                    tmp.toString());
            Response r = api.get("/jobs?users=alice");
            assertThat(r.text()).isEqualTo("[1,2,3,4,5,6,7]");
            String req = s.requests().get(0);
            assertThat(req).startsWith("GET /api/v1/jobs?users=alice HTTP/1.1\r\n").contains("Host: localhost\r\n")
                    .contains("Connection: close\r\n").doesNotContain("Authorization");
        }
    }

    @Test
    void get_unixSocketCloseDelimited_readsUntilTheEnd() throws Exception {
        String raw = "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n\r\n{\"error\":\"Invalid job id specified\"}";
        try (UnixFakeServer s = UnixFakeServer.start(tmp.resolve("c.sock")).answerRaw(raw)) {
            Response r = ApiClient.unix(s.path(), 5000).get("/jobs/9");
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.errorMessage()).isEqualTo("Invalid job id specified");
        }
    }

    @Test
    void post_unixSocket_sendsContentLengthAndBody() throws Exception {
        try (UnixFakeServer s = UnixFakeServer.start(tmp.resolve("d.sock")).answerJson(201, "{\"job_id\":7}")) {
            String body = "{\"script\":\"#!/bin/sh\\necho \u00e9\"}";
            Response r = ApiClient.unix(s.path(), 5000).post("/jobs", body);
            assertThat(r.status()).isEqualTo(201);
            int len = body.getBytes(StandardCharsets.UTF_8).length;
            assertThat(s.requests().get(0)).contains("Content-Length: " + len + "\r\n").endsWith(body);
        }
    }

    @Test
    void get_noSocket_saysTheControllerCannotBeReached() {
        Path missing = tmp.resolve("none.sock");
        assertThatThrownBy(() -> ApiClient.fromEnvironment(Map.of("BOTTEGA_SOCKET", missing.toString()), "").get("/ping"))
                .isInstanceOf(ApiException.class)
                .hasMessageStartingWith("cannot reach the Bottega controller at " + missing + " (is 'bottega up' running?): ");
    }

    @Test
    void get_tcpConnectionRefused_saysTheControllerCannotBeReached() throws Exception {
        int port;
        try (java.net.ServerSocket ss = new java.net.ServerSocket(0)) {
            port = ss.getLocalPort();
        }
        ApiClient api = ApiClient.fromEnvironment(Map.of("BOTTEGA_URL", "http://127.0.0.1:" + port), "");
        assertThatThrownBy(() -> api.get("/ping")).isInstanceOf(ApiException.class)
                .hasMessageContaining("cannot reach the Bottega controller at http://127.0.0.1:" + port)
                .hasMessageContaining("Connection refused");
    }

    @Test
    void get_silentController_timesOut() throws Exception {
        try (UnixFakeServer s = UnixFakeServer.start(tmp.resolve("e.sock")).silent()) {
            ApiClient api = ApiClient.fromEnvironment(Map.of("BOTTEGA_SOCKET", s.path().toString(), "BOTTEGA_TIMEOUT", "0.3"), "");
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> api.get("/ping")).isInstanceOf(ApiException.class)
                    .hasMessage("the Bottega controller at " + s.path() + " did not answer within 300 ms (set BOTTEGA_TIMEOUT to wait longer)");
            assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(5_000);
        }
    }

    @Test
    void get_notHttp_isAProtocolError() throws Exception {
        try (UnixFakeServer s = UnixFakeServer.start(tmp.resolve("f.sock")).answerRaw("SSH-2.0-OpenSSH\r\n\r\n")) {
            assertThatThrownBy(() -> ApiClient.unix(s.path(), 5000).get("/ping")).isInstanceOf(ApiException.class)
                    .hasMessageContaining("answered something that is not HTTP/1.1");
        }
    }

    @Test
    void fromEnvironment_defaults_toTheStandardSocket() throws Exception {
        ApiClient api = ApiClient.fromEnvironment(Map.of(), "");
        assertThat(api.isUnixSocket()).isTrue();
        assertThat(api.where()).isEqualTo("/tmp/bottega/bottega.sock");
    }

    @Test
    void fromEnvironment_urlWinsOverSocket() throws Exception {
        ApiClient api = ApiClient.fromEnvironment(Map.of("BOTTEGA_URL", "http://ctl.example:8080", "BOTTEGA_SOCKET", "/x.sock"), "");
        assertThat(api.where()).isEqualTo("http://ctl.example:8080");
    }

    @Test
    void fromEnvironment_badValues_areExplained() {
        assertThatThrownBy(() -> ApiClient.fromEnvironment(Map.of("BOTTEGA_URL", "https://x:1"), ""))
                .hasMessageContaining("https is not supported");
        assertThatThrownBy(() -> ApiClient.fromEnvironment(Map.of("BOTTEGA_URL", "ctl:8080"), ""))
                .hasMessageContaining("expected http://host:port");
        assertThatThrownBy(() -> ApiClient.fromEnvironment(Map.of("BOTTEGA_URL", "http://ctl:99999"), ""))
                .hasMessageContaining("invalid port '99999'");
        assertThatThrownBy(() -> ApiClient.fromEnvironment(Map.of("BOTTEGA_TIMEOUT", "soon"), ""))
                .hasMessageContaining("BOTTEGA_TIMEOUT=soon");
    }

    @Test
    void encode_reservedCharacters_arePercentEncoded() {
        assertThat(ApiClient.encode("alice,bob")).isEqualTo("alice,bob");
        assertThat(ApiClient.encode("my job&x=1")).isEqualTo("my%20job%26x%3D1");
        assertThat(ApiClient.encode("caf\u00e9")).isEqualTo("caf%C3%A9");
    }
}
