package io.bottega.app;

import io.bottega.core.model.Cluster;
import io.bottega.core.policy.Site;
import io.bottega.core.sched.SchedulerConfig;
import io.bottega.server.Controller;
import io.bottega.server.ControllerConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * {@code bottega aot-train-server}: the launcher runs this once after a build, under {@code -XX:AOTCacheOutput}, so
 * that the JDK's AOT cache of the controller ({@code bottega up}, {@code bottega server}) holds its classes, loaded
 * and linked, and the profiles of its hot paths. A controller started with that cache compiles those paths at once
 * instead of spending its first tens of thousands of requests in the interpreter and in the JIT compiler (see
 * docs/benchmarks.md, "Submissions"). It starts a controller of its own on a temporary data directory, on loopback
 * (an ephemeral port, a private socket, no agents), submits held jobs with concurrent clients and reads the queue
 * back, then stops it and removes the directory; no other controller is touched.
 */
final class ServerAotTraining {
    private ServerAotTraining() {}

    /** Submissions in all: enough for the request path's methods to reach the JIT's top tier with their profiles. */
    static final int SUBMISSIONS = 20_000;
    static final int CLIENTS = 16;

    static int run() throws IOException, InterruptedException {
        return run(SUBMISSIONS);
    }

    static int run(int submissions) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("bottega-aot-server");
        try {
            Cluster cluster = LocalCluster.build("train", 4, 16, 65536, 4, "a100", LocalCluster.unlimited());
            ControllerConfig config = new ControllerConfig(dir, null, "127.0.0.1", 0, dir.resolve("train.sock"), cluster,
                    SchedulerConfig.parse("easy"), DataDir.clusterKey(dir.resolve("cluster.key")), Duration.ofSeconds(30),
                    Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(5), 30, false, Set.of(), Site.NONE, 0);
            Controller controller = Controller.start(config);
            int refused;
            try {
                String token = controller.tokens().issue("root", 0, 0, System.currentTimeMillis() / 1000 + 3600);
                refused = submit(controller.port(), token, submissions);
                refused += read(controller.port(), token);
            } finally {
                controller.close();
            }
            if (refused > 0) {
                // a training whose requests fail profiles the error path: say so, and the launcher goes without the cache
                System.err.println("bottega aot-train-server: error: " + refused + " requests failed");
                return 1;
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
        return 0;
    }

    /** Held jobs (nothing runs), as {@code bottega bench submit} sends them; returns how many were refused. */
    private static int submit(int port, String token, int submissions) throws InterruptedException {
        String body = "{\"script\":\"#!/bin/sh\\ntrue\\n\",\"submitDir\":\"/tmp\",\"hold\":true}";
        byte[] request = request("POST", "/api/v1/jobs", port, token, body);
        AtomicInteger left = new AtomicInteger(submissions);
        AtomicInteger refused = new AtomicInteger();
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            Thread t = new Thread(() -> {
                BenchCommand.KeepAlive conn = new BenchCommand.KeepAlive("127.0.0.1", port);
                while (left.getAndDecrement() > 0) {
                    if (exchange(conn, request) != 201) refused.incrementAndGet();
                }
                conn.close();
            }, "aot-train-client-" + i);
            t.start();
            clients.add(t);
        }
        for (Thread t : clients) t.join();
        return refused.get();
    }

    /** The queue read back as squeue and the dashboard read it; returns how many reads failed. */
    private static int read(int port, String token) {
        BenchCommand.KeepAlive conn = new BenchCommand.KeepAlive("127.0.0.1", port);
        int failed = 0;
        for (int i = 0; i < 20; i++) {
            for (String path : List.of("/api/v1/squeue", "/api/v1/jobs?ids=1,2,3", "/api/v1/nodes", "/api/v1/partitions")) {
                if (exchange(conn, request("GET", path, port, token, null)) != 200) failed++;
            }
        }
        conn.close();
        return failed;
    }

    /** The answer's status, 0 when the exchange itself failed. */
    private static int exchange(BenchCommand.KeepAlive conn, byte[] request) {
        try {
            return conn.exchange(request);
        } catch (IOException e) {
            conn.close();
            return 0;
        }
    }

    private static byte[] request(String method, String path, int port, String token, String body) {
        StringBuilder r = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1:").append(port)
                .append("\r\nAuthorization: Bearer ").append(token).append("\r\n");
        if (body != null) {
            r.append("Content-Type: application/json\r\nContent-Length: ").append(body.getBytes(StandardCharsets.UTF_8).length)
                    .append("\r\n\r\n").append(body);
        } else {
            r.append("\r\n");
        }
        return r.toString().getBytes(StandardCharsets.UTF_8);
    }
}
