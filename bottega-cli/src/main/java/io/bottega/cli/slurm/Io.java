package io.bottega.cli.slurm;

import io.bottega.cli.http.ApiClient;
import io.bottega.cli.http.ApiException;
import io.bottega.cli.http.Response;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

/**
 * What a client command reads and writes besides its arguments: standard streams, the environment, the
 * current directory, the user, the clock and the time zone. {@link #system()} is the real process; tests build
 * their own.
 */
public final class Io {
    /** Milliseconds since the epoch. */
    @FunctionalInterface
    public interface Clock {
        long millis();
    }

    /** Waits; returns false when the command should stop instead (a test that has seen enough). */
    @FunctionalInterface
    public interface Sleeper {
        boolean sleep(long millis);
    }

    final PrintStream out;
    final PrintStream err;
    final InputStream in;
    final Map<String, String> env;
    final String cwd;
    final String user;
    final String home;
    final Clock clock;
    final Sleeper sleeper;
    private ZoneId zone;

    public Io(PrintStream out, PrintStream err, InputStream in, Map<String, String> env, String cwd, String user, String home,
              Clock clock, Sleeper sleeper, ZoneId zone) {
        this.out = out;
        this.err = err;
        this.in = in;
        this.env = env;
        this.cwd = cwd;
        this.user = user;
        this.home = home;
        this.clock = clock;
        this.sleeper = sleeper;
        this.zone = zone;
    }

    /** The process's own streams (stdout buffered: flush it before exiting), environment, directory and user. */
    public static Io system() {
        PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16), false,
                StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        return new Io(out, err, new FileInputStream(FileDescriptor.in), System.getenv(), System.getProperty("user.dir"),
                System.getProperty("user.name"), System.getProperty("user.home"), RealTime.INSTANCE, RealTime.INSTANCE, null);
    }

    /** The wall clock and Thread.sleep (a class rather than lambdas: no bootstrap at start-up). */
    private static final class RealTime implements Clock, Sleeper {
        static final RealTime INSTANCE = new RealTime();

        @Override
        public long millis() {
            return System.currentTimeMillis();
        }

        @Override
        public boolean sleep(long millis) {
            try {
                Thread.sleep(millis);
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    /** The controller's client, as the environment says (see {@link ApiClient}). */
    ApiClient api() throws ApiException {
        return ApiClient.fromEnvironment(env, home);
    }

    /** Stands for the caller in a user list until {@link #me} says who that is. */
    static final String ME = "\u0000me";

    private String me;

    /**
     * Who the controller takes the caller for: on the local socket the process's user (the controller reads the
     * same peer credentials); over TCP the token's user, which only the controller knows ({@code GET /whoami}).
     */
    String me(ApiClient api) throws ApiException {
        if (me != null) return me;
        if (api.isUnixSocket()) return me = user;
        Response r = api.get("/whoami");
        if (!r.ok()) throw new ApiException(r.errorMessage());
        Object u = r.object().get("user");
        return me = u instanceof String s && !s.isEmpty() ? s : user;
    }

    /** Replaces {@link #ME} in {@code users} by the caller's name. */
    void resolveMe(List<String> users, ApiClient api) throws ApiException {
        int i = users.indexOf(ME);
        if (i >= 0) users.set(i, me(api));
    }

    long nowSeconds() {
        return Math.floorDiv(clock.millis(), 1000);
    }

    /** The time zone times are printed in (looked up on first use: it costs a few milliseconds). */
    ZoneId zone() {
        if (zone == null) zone = ZoneId.systemDefault();
        return zone;
    }

    /** Prints {@code prog: error: message} (each line so prefixed) and returns 1. */
    int fail(String prog, String message) {
        for (String line : message.split("\n", -1)) err.println(prog + ": error: " + line);
        return 1;
    }

    void flush() {
        out.flush();
        err.flush();
    }
}
