package io.bottega.app;

import io.bottega.api.JobView;
import io.bottega.api.NodeView;
import io.bottega.api.PartitionView;
import io.bottega.api.json.JsonWriter;
import io.bottega.cli.slurm.Io;
import io.bottega.cli.slurm.SlurmClients;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bottega aot-train}: the launcher runs this once after a build, under {@code -XX:AOTCacheOutput}, so
 * that the JDK's AOT cache holds the classes a client call loads (option parsing, the HTTP client over the
 * Unix socket, JSON, the output formats). It plays each client command against a small stand-in controller on
 * a private socket that answers with well-formed API documents; nothing leaves the process and no real
 * controller is touched.
 */
final class AotTraining {
    private AotTraining() {}

    static int run() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("bottega-aot");
        Path sock = dir.resolve("train.sock");
        Map<String, String> answers = answers();
        Thread server;
        try (ServerSocketChannel ss = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            ss.bind(UnixDomainSocketAddress.of(sock));
            server = new Thread(() -> serve(ss, answers), "aot-train");
            server.setDaemon(true);
            server.start();
            Map<String, String> env = new HashMap<>(System.getenv());
            env.remove("BOTTEGA_URL");
            env.put("BOTTEGA_SOCKET", sock.toString());
            Path script = dir.resolve("job.sh");
            Files.writeString(script, "#!/bin/bash\n#SBATCH -J train\n#SBATCH -N 1\n#SBATCH --ntasks-per-node=4\n#SBATCH -c 8\n"
                    + "#SBATCH --gres=gpu:4\n#SBATCH -t 01:00:00\n#SBATCH --mem=64G\n#SBATCH -o out-%j.txt\nsrun hostname\n");
            String[][] calls = {
                    {"sbatch", script.toString()},
                    {"sbatch", "--parsable", "--array=1-10%2", "-d", "afterok:1", "--wrap", "true"},
                    {"squeue"}, {"squeue", "--start"}, {"squeue", "-u", "root", "-t", "PD,R", "-o", "%.10i %j %T %R"},
                    {"squeue", "--json"}, {"scancel", "1"}, {"sinfo"}, {"sinfo", "-N", "-l"},
                    {"sacct", "-j", "1"}, {"sacct", "-P", "--format=JobID,State,ExitCode,Elapsed"},
                    {"scontrol", "show", "job", "1"}, {"scontrol", "show", "node"},
            };
            for (String[] call : calls) {
                String[] args = java.util.Arrays.copyOfRange(call, 1, call.length);
                PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
                Io io = new Io(sink, sink, new ByteArrayInputStream(new byte[0]), env, dir.toString(), "root", dir.toString(),
                        System::currentTimeMillis, ms -> true, ZoneId.of("UTC"));
                SlurmClients.run(io, call[0], args);
            }
        } finally {
            Files.deleteIfExists(sock);
            Files.deleteIfExists(dir.resolve("job.sh"));
            Files.deleteIfExists(dir);
        }
        return 0;
    }

    private static void serve(ServerSocketChannel ss, Map<String, String> answers) {
        while (ss.isOpen()) {
            try (SocketChannel ch = ss.accept()) {
                ByteBuffer buf = ByteBuffer.allocate(1 << 16);
                StringBuilder req = new StringBuilder();
                int contentLength = -1;
                int headerEnd = -1;
                while (ch.read(buf) > 0) {
                    buf.flip();
                    req.append(StandardCharsets.UTF_8.decode(buf));
                    buf.clear();
                    if (headerEnd < 0) headerEnd = req.indexOf("\r\n\r\n");
                    if (headerEnd >= 0) {
                        if (contentLength < 0) contentLength = contentLength(req.substring(0, headerEnd));
                        if (req.length() - headerEnd - 4 >= contentLength) break;
                    }
                }
                String first = req.length() == 0 ? "" : req.substring(0, Math.max(0, req.indexOf("\r\n")));
                String[] parts = first.split(" ");
                String method = parts.length > 0 ? parts[0] : "GET";
                String path = parts.length > 1 ? parts[1] : "/";
                int q = path.indexOf('?');
                if (q >= 0) path = path.substring(0, q);
                String body = answers.getOrDefault(method + " " + path, answers.getOrDefault(path, "{}"));
                if (path.matches("/api/v1/jobs/\\d+") && method.equals("GET")) body = answers.get("job");
                int status = method.equals("POST") && path.equals("/api/v1/jobs") ? 201 : 200;
                byte[] b = body.getBytes(StandardCharsets.UTF_8);
                String head = "HTTP/1.1 " + status + " OK\r\nContent-Type: application/json\r\nContent-Length: " + b.length
                        + "\r\nConnection: close\r\n\r\n";
                ch.write(ByteBuffer.wrap(head.getBytes(StandardCharsets.US_ASCII)));
                ch.write(ByteBuffer.wrap(b));
            } catch (IOException e) {
                return;
            }
        }
    }

    private static int contentLength(String headers) {
        for (String line : headers.split("\r\n")) {
            int c = line.indexOf(':');
            if (c > 0 && line.substring(0, c).trim().equalsIgnoreCase("content-length")) {
                return Integer.parseInt(line.substring(c + 1).trim());
            }
        }
        return 0;
    }

    private static Map<String, String> answers() {
        long now = System.currentTimeMillis() / 1000;
        List<JobView> jobs = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            boolean running = i % 2 == 0;
            jobs.add(new JobView(i, i > 10 ? 11 : 0, i > 10 ? i - 10 : -1, "", "job" + i, "root", "proj", "batch", "normal",
                    running ? "RUNNING" : "PENDING", running ? "None" : "Priority", now - 100, now - 100, running ? now - 50 : 0, 0,
                    running ? 0 : now + 3600, 3600, 1, 1, 8, 4, 64000, running ? "node01" : "", "", "/tmp", "job.sh",
                    "/tmp/out", "/tmp/out", "gres/gpu:4", 100, 0, 0, "", "", "", running ? 50 : 0, 0));
        }
        List<NodeView> nodes = List.of(new NodeView("node01", "mixed", "", List.of("batch"), 8, 4, 65536, 32000, 4, 2, "a100",
                List.of(), "local"), new NodeView("node02", "idle", "", List.of("batch"), 8, 0, 65536, 0, 4, 0, "a100", List.of(),
                "local"));
        List<PartitionView> parts = List.of(new PartitionView("batch", true, "up", 86400, 3600, 64, 2, "node[01-02]", 16, 8, 1,
                0, 1, 0));
        Map<String, String> m = new HashMap<>();
        m.put("POST /api/v1/jobs", "{\"job_id\":1,\"ids\":[1]}");
        m.put("GET /api/v1/jobs", JsonWriter.toJson(jobs));
        m.put("job", JsonWriter.toJson(jobs.get(1)));
        m.put("GET /api/v1/accounting/jobs", JsonWriter.toJson(jobs));
        m.put("GET /api/v1/nodes", JsonWriter.toJson(nodes));
        m.put("GET /api/v1/partitions", JsonWriter.toJson(parts));
        m.put("POST /api/v1/jobs/cancel", "{\"cancelled\":[1],\"refused\":{}}");
        m.put("GET /api/v1/ping", "{\"ok\":true,\"cluster\":\"train\",\"time\":" + now + "}");
        return m;
    }
}
