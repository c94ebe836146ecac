package io.bottega.agent;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongConsumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's native launcher, running as a server ({@code bottega-launch --server}, see
 * {@code bottega-launch.c}): the agent starts it once and sends it a request a job; it forks a launcher for
 * each, without an exec, and says when a launcher has ended. A server that dies is started again at the
 * next launch; the launchers it had started go on without it, as they do when the agent stops.
 */
final class LaunchServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LaunchServer.class);
    private static final long ANSWER_TIMEOUT_S = 60;

    /** A started launcher: its pid and start time (field 22 of /proc/PID/stat). */
    record Launched(long pid, long startTime) {}

    private final Path binary;
    private final String node;
    private final LongConsumer onEnd;
    private final Map<Long, CompletableFuture<Launched>> pending = new ConcurrentHashMap<>();
    private Process process;
    private OutputStream requests;
    private boolean closed;

    /** @param onEnd told the pid of each launcher that has ended (on the server's reader thread) */
    LaunchServer(Path binary, String node, LongConsumer onEnd) {
        this.binary = binary;
        this.node = node;
        this.onEnd = onEnd;
    }

    /** The running server's pid, if one runs. */
    synchronized java.util.OptionalLong pid() {
        return process == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(process.pid());
    }

    /**
     * Starts a launcher for the job: {@code args} are the launcher's (job directory, options, {@code --}, the
     * program and its arguments), {@code env} the job's environment (NUL-separated entries).
     */
    Launched launch(long jobId, List<String> args, byte[] env) throws IOException {
        byte[] frame = frame(jobId, args, env);
        CompletableFuture<Launched> answer = new CompletableFuture<>();
        synchronized (this) {
            if (closed) throw new IOException("the agent is stopping");
            if (pending.putIfAbsent(jobId, answer) != null) throw new IOException("job " + jobId + " is being launched already");
            try {
                if (process == null || !process.isAlive()) start();
                requests.write(frame);
                requests.flush();
            } catch (IOException e) {
                pending.remove(jobId);
                stop();
                throw new IOException("the launch server cannot be reached: " + e.getMessage(), e);
            }
        }
        try {
            return answer.get(ANSWER_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IOException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            pending.remove(jobId);
            throw new IOException("the launch server did not answer within " + ANSWER_TIMEOUT_S + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pending.remove(jobId);
            throw new IOException("interrupted while launching", e);
        }
    }

    /** A 4-byte length (native byte order), then "ID\0N\0" N arguments and the environment, NUL-terminated. */
    static byte[] frame(long jobId, List<String> args, byte[] env) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(1024 + env.length);
        b.write(0);
        b.write(0);
        b.write(0);
        b.write(0);
        writeString(b, Long.toString(jobId));
        writeString(b, Integer.toString(args.size()));
        for (String a : args) {
            if (a.indexOf('\0') >= 0) throw new IllegalArgumentException("an argument holds a NUL: " + a);
            writeString(b, a);
        }
        b.writeBytes(env);
        byte[] frame = b.toByteArray();
        ByteBuffer.wrap(frame, 0, 4).order(ByteOrder.nativeOrder()).putInt(frame.length - 4);
        return frame;
    }

    private static void writeString(ByteArrayOutputStream b, String s) {
        b.writeBytes(s.getBytes(StandardCharsets.UTF_8));
        b.write(0);
    }

    private void start() throws IOException {
        ProcessBuilder pb = new ProcessBuilder(binary.toString(), "--server");
        pb.environment().clear();
        pb.environment().put("PATH", Tools.SAFE_PATH);
        pb.environment().put("LC_ALL", "C");
        pb.directory(new File("/"));
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process p = pb.start();
        process = p;
        requests = p.getOutputStream();
        Thread.ofPlatform().daemon().name("bottega-agent-" + node + "-launch-server").start(() -> read(p));
        log.info("event=launch_server_started node={} pid={} path={}", node, p.pid(), binary);
    }

    private void read(Process p) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String text; (text = r.readLine()) != null; ) {
                String line = text;
                String[] f = line.split(" ", 4);
                try {
                    switch (f[0]) {
                        case "E" -> onEnd.accept(Long.parseLong(f[1]));
                        case "S" -> answer(f[1]).ifPresent(a -> a.complete(new Launched(Long.parseLong(f[2]), Long.parseLong(f[3]))));
                        case "F" -> answer(f[1]).ifPresent(a -> a.completeExceptionally(
                                new IOException("the launch server refused the job: " + line.substring(Math.min(line.length(), 3 + f[1].length())))));
                        default -> log.warn("event=launch_server_says node={} line=\"{}\"", node, line);
                    }
                } catch (RuntimeException e) {
                    log.warn("event=launch_server_says node={} line=\"{}\" error=\"{}\"", node, line, e.toString());
                }
            }
        } catch (IOException e) {
            // the server is gone: said below
        }
        synchronized (this) {
            if (!closed) log.warn("event=launch_server_ended node={} pid={} note=\"started again at the next launch\"", node, p.pid());
            if (process == p || process == null) {
                // the requests waiting were sent to this server (a new one is started, and sent to, under this lock)
                stop();
                IOException gone = new IOException("the launch server ended");
                pending.values().forEach(a -> a.completeExceptionally(gone));
                pending.clear();
            }
        }
    }

    private java.util.Optional<CompletableFuture<Launched>> answer(String id) {
        return java.util.Optional.ofNullable(pending.remove(Long.parseLong(id)));
    }

    /** Closes the pipe to the server, which then exits; under the lock. */
    private void stop() {
        if (requests != null) {
            try {
                requests.close();
            } catch (IOException e) {
                // exiting anyway
            }
        }
        process = null;
        requests = null;
    }

    /** The server exits; the launchers it started go on. */
    @Override
    public synchronized void close() {
        closed = true;
        stop();
    }
}
