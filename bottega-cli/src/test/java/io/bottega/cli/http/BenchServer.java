package io.bottega.cli.http;

import io.bottega.api.JobView;
import io.bottega.api.json.JsonWriter;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A canned controller on a Unix socket for measuring the clients' whole-process start-up (not a test):
 * {@code GET /api/v1/jobs} answers {@code N} JobViews (Content-Length), {@code POST /api/v1/jobs} a job id,
 * anything else {@code {}}. The answers are built once, so what is measured is the client.
 *
 * <pre>java -cp ... io.bottega.cli.http.BenchServer /tmp/bench.sock 10000</pre>
 */
public final class BenchServer {
    private BenchServer() {}

    public static void main(String[] args) throws IOException {
        Path path = Path.of(args.length > 0 ? args[0] : "/tmp/bottega-bench.sock");
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        byte[] jobs = answer(200, JsonWriter.toJson(jobs(n)));
        byte[] submitted = answer(201, "{\"job_id\":123456,\"ids\":[123456]}");
        byte[] empty = answer(200, "{}");
        System.err.println("bench server: " + path + ", " + n + " jobs, " + jobs.length + " bytes");
        Files.deleteIfExists(path);
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(path));
            while (true) {
                try (SocketChannel c = s.accept()) {
                    String head = readRequest(c);
                    byte[] a = head.startsWith("GET /api/v1/jobs") ? jobs : head.startsWith("POST /api/v1/jobs") ? submitted : empty;
                    ByteBuffer bb = ByteBuffer.wrap(a);
                    while (bb.hasRemaining()) c.write(bb);
                } catch (IOException e) {
                    System.err.println("bench server: " + e);
                }
            }
        }
    }

    private static byte[] answer(int status, String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        byte[] h = ("HTTP/1.1 " + status + " OK\r\nContent-Type: application/json\r\nContent-Length: " + b.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[h.length + b.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(b, 0, all, h.length, b.length);
        return all;
    }

    private static String readRequest(SocketChannel c) throws IOException {
        ByteBuffer bb = ByteBuffer.allocate(1 << 22);
        while (true) {
            String s = new String(bb.array(), 0, bb.position(), StandardCharsets.ISO_8859_1);
            int end = s.indexOf("\r\n\r\n");
            if (end >= 0) {
                int cl = 0;
                for (String line : s.substring(0, end).split("\r\n")) {
                    if (line.regionMatches(true, 0, "content-length:", 0, 15)) cl = Integer.parseInt(line.substring(15).trim());
                }
                if (bb.position() >= end + 4 + cl) return s;
            }
            if (c.read(bb) < 0) return s;
        }
    }

    /** A busy queue: a tenth running on 1-4 nodes, the rest pending with predicted starts, some arrays. */
    static List<JobView> jobs(int n) {
        long now = System.currentTimeMillis() / 1000;
        String[] users = {"alice", "bob", "carol", "dmitri", "eleonora", "francesco", "giulia"};
        String[] parts = {"boost_usr_prod", "dcgp_usr_prod", "boost_fua_prod"};
        List<JobView> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long id = 1_000_000 + i;
            boolean running = i % 10 == 0;
            boolean array = i % 7 == 3;
            int nodes = 1 + i % 4;
            String user = users[i % users.length];
            out.add(new JobView(id, array ? id - i % 7 + 3 : 0, array ? i % 50 : -1, "", "job-" + (i % 97) + "-training",
                    user, "IscrC_proj" + i % 13, parts[i % parts.length], "normal", running ? "RUNNING" : "PENDING",
                    running ? "None" : i % 3 == 0 ? "Resources" : "Priority", now - 7200, now - 7200, running ? now - 600 : 0, 0,
                    running ? 0 : now + 60L * i, 86_400, nodes, running ? nodes : 0, 32 * nodes, 4 * nodes, 480_000,
                    running ? "lrdn[" + String.format("%04d", i % 3000 + 1) + "-" + String.format("%04d", i % 3000 + nodes) + "]" : "",
                    running ? "" : "lrdn" + String.format("%04d", i % 3000 + 1), "/leonardo/home/userexternal/" + user + "/runs",
                    "/leonardo/home/userexternal/" + user + "/runs/train.sh", "/leonardo/home/userexternal/" + user + "/runs/slurm-%j.out",
                    "/leonardo/home/userexternal/" + user + "/runs/slurm-%j.out", "gres/gpu:4", 100_000 - i, 0, 0, "", "", "",
                    running ? 600 : 0, 0));
        }
        return out;
    }
}
