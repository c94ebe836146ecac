package io.bottega.cli.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for the controller's REST API: a real {@link HttpServer} on loopback TCP that answers canned JSON
 * per route ({@code GET /api/v1/jobs}) and records every request. Several answers for one route are given out
 * in turn (the last one repeats). Unknown routes answer 404 as the controller does.
 */
public final class FakeController implements AutoCloseable {
    /** One request as received. */
    public record Request(String method, String path, String query, String body, String authorization) {
        /** The query parameter's value, or null. */
        public String param(String name) {
            if (query == null) return null;
            for (String kv : query.split("&")) {
                int eq = kv.indexOf('=');
                String k = eq < 0 ? kv : kv.substring(0, eq);
                if (k.equals(name)) return eq < 0 ? "" : java.net.URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
            }
            return null;
        }
    }

    /** A canned answer; {@code chunked} sends it without a Content-Length. */
    public record Answer(int status, String body, boolean chunked) {}

    private final HttpServer server;
    private final Map<String, Deque<Answer>> routes = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    private FakeController(HttpServer server) {
        this.server = server;
    }

    public static FakeController start() throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        FakeController f = new FakeController(s);
        s.createContext("/", f::handle);
        s.start();
        return f;
    }

    /** Answers {@code method path} (path below /api/v1, without the query) with {@code status} and {@code body}. */
    public FakeController on(String method, String path, int status, String body) {
        return on(method, path, new Answer(status, body, false));
    }

    public FakeController on(String method, String path, Answer answer) {
        routes.computeIfAbsent(method + " " + ApiClient.PREFIX + path, k -> new ArrayDeque<>()).add(answer);
        return this;
    }

    /** {@code http://127.0.0.1:PORT}. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    public Request last() {
        if (requests.isEmpty()) throw new AssertionError("no request was made");
        return requests.get(requests.size() - 1);
    }

    private void handle(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String path = ex.getRequestURI().getPath();
        requests.add(new Request(ex.getRequestMethod(), path, ex.getRequestURI().getRawQuery(), body,
                ex.getRequestHeaders().getFirst("Authorization")));
        Deque<Answer> answers = routes.get(ex.getRequestMethod() + " " + path);
        Answer a;
        if (answers == null || answers.isEmpty()) {
            a = new Answer(404, "{\"error\":\"no such route: " + ex.getRequestMethod() + " " + path + "\"}", false);
        } else {
            synchronized (answers) {
                a = answers.size() > 1 ? answers.poll() : answers.peek();
            }
        }
        byte[] bytes = a.body().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(a.status(), a.chunked() ? 0 : bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            if (a.chunked()) {
                // several chunks
                int step = Math.max(1, bytes.length / 3);
                for (int i = 0; i < bytes.length; i += step) {
                    out.write(bytes, i, Math.min(step, bytes.length - i));
                    out.flush();
                }
            } else {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
