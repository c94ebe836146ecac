package io.bottega.cli.slurm;

import io.bottega.cli.http.FakeController;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

/**
 * A client's world for a test: captured output, an environment pointing at a {@link FakeController}, the user
 * {@code alice}, the clock stopped at 2026-11-27T10:00:00Z, UTC, and a sleeper that lets {@code sleeps} waits
 * pass before it stops the command.
 */
final class TestIo {
    /** 2026-11-27T10:00:00Z. */
    static final long NOW = 1_795_773_600L;

    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();
    final Map<String, String> env = new HashMap<>();
    String stdin = "";
    String cwd = "/home/alice/work";
    String user = "alice";
    String home = "/home/alice";
    long nowMillis = NOW * 1000;
    java.time.ZoneId zone = ZoneOffset.UTC;
    int sleepsAllowed;
    int sleeps;

    TestIo(FakeController c) {
        if (c != null) env.put("BOTTEGA_URL", c.url());
        env.put("BOTTEGA_TOKEN", "test-token");
    }

    Io io() {
        InputStream in = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        return new Io(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), in,
                env, cwd, user, home, () -> nowMillis, ms -> {
                    sleeps++;
                    return sleeps <= sleepsAllowed;
                }, zone);
    }

    int run(String command, String... args) {
        return SlurmClients.run(io(), command, args);
    }

    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    static String fixture(String name) {
        try (InputStream in = TestIo.class.getResourceAsStream("/slurm/" + name)) {
            if (in == null) throw new IllegalStateException("no fixture " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
