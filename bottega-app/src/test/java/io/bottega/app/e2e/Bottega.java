package io.bottega.app.e2e;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Runs the packaged {@code bottega.jar} as real processes: long-running ones ({@code up}, {@code server},
 * {@code agent}) and client commands ({@code sbatch}, {@code squeue}, ...), optionally as another Unix user.
 */
final class Bottega {
    private Bottega() {}

    /** A finished command: its exit code and what it printed. */
    record Result(int exit, String out, String err) {
        Result ok() {
            if (exit != 0) throw new AssertionError("exit " + exit + "\nstdout: " + out + "\nstderr: " + err);
            return this;
        }
    }

    static Path jar() {
        String p = System.getProperty("bottega.jar");
        if (p == null) throw new IllegalStateException("system property bottega.jar is not set (run through failsafe)");
        Path jar = Path.of(p);
        if (!Files.exists(jar)) throw new IllegalStateException("the jar " + jar + " is missing: run 'mvnw package' first");
        return jar;
    }

    static String java() {
        return ProcessHandle.current().info().command().orElseThrow(() -> new IllegalStateException("cannot tell which java runs this test"));
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static List<String> command(List<String> prefix, String... args) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(java());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-jar");
        cmd.add(jar().toString());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Starts a long-running command; its output goes to {@code log}. */
    static Process start(Map<String, String> env, Path log, String... args) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command(List.of(), args)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        pb.environment().remove("BOTTEGA_ARGV0");
        return pb.start();
    }

    /** Runs a client command to its end (as {@code user} when given, through setpriv). */
    static Result run(Map<String, String> env, Path cwd, String user, String... args) throws IOException, InterruptedException {
        List<String> prefix = new ArrayList<>();
        if (user != null) {
            prefix.addAll(List.of("setpriv", "--reuid=" + user, "--regid=" + primaryGroup(user), "--init-groups", "--"));
        }
        ProcessBuilder pb = new ProcessBuilder(command(prefix, args)).directory(cwd.toFile());
        Map<String, String> e = pb.environment();
        e.putAll(env);
        e.remove("BOTTEGA_ARGV0");
        if (user != null) e.put("HOME", cwd.toString());
        Path out = Files.createTempFile(cwd, "out", ".txt");
        Path err = Files.createTempFile(cwd, "err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("bottega " + String.join(" ", args) + " did not finish in 120 s");
        }
        Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
        return r;
    }

    static String primaryGroup(String user) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("id", "-g", user).redirectErrorStream(true).start();
        String gid = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (p.waitFor() != 0) throw new IllegalStateException("no Unix user " + user + ": " + gid);
        return gid;
    }

    /** Waits until {@code check} holds, polling; fails with the last value seen. */
    static <T> T await(Duration timeout, java.util.concurrent.Callable<T> probe, Predicate<T> check, String what) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last = null;
        while (System.nanoTime() < deadline) {
            last = probe.call();
            if (check.test(last)) return last;
            Thread.sleep(250);
        }
        throw new AssertionError(what + " did not happen within " + timeout + "; last seen: " + last);
    }

    /** Waits until the log file contains {@code text}. */
    static void awaitLog(Path log, String text, Duration timeout, Process p) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log).contains(text)) return;
            if (!p.isAlive()) throw new AssertionError("process ended (exit " + p.exitValue() + ") before '" + text + "':\n" + Files.readString(log));
            Thread.sleep(200);
        }
        throw new AssertionError("'" + text + "' not in " + log + " after " + timeout + ":\n" + Files.readString(log));
    }

    static Map<String, String> env(Path socket, int port) {
        Map<String, String> m = new HashMap<>();
        m.put("BOTTEGA_SOCKET", socket.toString());
        m.put("BOTTEGA_PORT", Integer.toString(port));
        m.put("TZ", "UTC");
        return m;
    }

    static void stop(Process p, boolean kill) throws InterruptedException {
        if (p == null || !p.isAlive()) return;
        if (kill) p.destroyForcibly();
        else p.destroy();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
