package io.bottega.cli.slurm;

import io.bottega.api.json.JsonWriter;
import io.bottega.api.slurm.SlurmTime;
import io.bottega.cli.http.ApiClient;
import io.bottega.cli.http.ApiException;
import io.bottega.cli.http.Response;
import io.bottega.cli.slurm.Getopt.Arg;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * {@code bottega token [--user U] [--ttl SECONDS] [--save]}: asks the controller (usually over its local
 * socket, where it knows the caller) for a signed token that remote clients send over TCP
 * ({@code BOTTEGA_URL}, with {@code BOTTEGA_TOKEN} or {@code ~/.bottega/token}). Prints the token; with
 * {@code --save} writes it to {@code ~/.bottega/token} (mode 0600) instead.
 */
final class Token {
    static final String PROG = "token";

    private Token() {}

    static int run(Io io, String[] argv) {
        Getopt opts = new Getopt(PROG)
                .opt("user", 'u', Arg.REQUIRED)
                .opt("ttl", Arg.REQUIRED)
                .opt("save", Arg.NONE)
                .opt("help", 'h', Arg.NONE);
        String user = null;
        long ttl = 0;
        boolean save = false;
        try {
            Getopt.Result r = opts.parse(argv, false);
            for (Getopt.Option o : r.options()) {
                switch (o.name()) {
                    case "user" -> user = o.value();
                    case "ttl" -> {
                        try {
                            ttl = parseTtl(o.value());
                        } catch (IllegalArgumentException e) {
                            return io.fail(PROG, "--ttl=" + o.value() + ": " + e.getMessage());
                        }
                    }
                    case "save" -> save = true;
                    case "help" -> {
                        io.out.print(HELP);
                        return 0;
                    }
                    default -> throw new IllegalStateException("no handler for --" + o.name());
                }
            }
            if (!r.operands().isEmpty()) throw opts.error("unexpected argument: " + r.operands().get(0));
        } catch (Getopt.UsageError e) {
            return Getopt.report(io, e);
        }
        JsonWriter w = new JsonWriter(false).beginObject();
        if (user != null) w.field("user", user);
        if (ttl > 0) w.field("ttlSeconds", ttl);
        w.endObject();
        Map<String, Object> answer;
        try {
            ApiClient api = io.api();
            Response resp = api.post("/tokens", w.toString());
            if (!resp.ok()) return io.fail(PROG, resp.errorMessage());
            answer = resp.object();
        } catch (ApiException e) {
            return io.fail(PROG, e.getMessage());
        }
        String token = String.valueOf(answer.getOrDefault("token", ""));
        if (token.isEmpty()) return io.fail(PROG, "the controller sent no token");
        String who = String.valueOf(answer.getOrDefault("user", ""));
        long expires = answer.get("expires") instanceof Number n ? n.longValue() : 0;
        if (!save) {
            io.out.println(token);
            return 0;
        }
        Path file = ApiClient.tokenFile(io.home);
        try {
            write(file, token);
        } catch (IOException e) {
            return io.fail(PROG, "cannot write " + file + ": " + e.getMessage());
        }
        io.err.println("Token for " + who + " saved to " + file + " (expires " + SlurmTime.formatTimestamp(expires, io.zone(), "never")
                + "); set BOTTEGA_URL=http://HOST:PORT to use it.");
        return 0;
    }

    /** Seconds, or a Slurm duration with a unit suffix: {@code 3600}, {@code 12h}, {@code 30d}. */
    static long parseTtl(String v) {
        String t = v.trim().toLowerCase(java.util.Locale.ROOT);
        long unit = 1;
        if (t.endsWith("d")) unit = 86_400;
        else if (t.endsWith("h")) unit = 3600;
        else if (t.endsWith("m")) unit = 60;
        else if (t.endsWith("s")) unit = 1;
        if (!t.isEmpty() && !Character.isDigit(t.charAt(t.length() - 1))) t = t.substring(0, t.length() - 1);
        if (!JobIds.isDigits(t) || t.length() > 9) throw new IllegalArgumentException("expected seconds, or a number with d, h, m or s");
        long s = Long.parseLong(t) * unit;
        if (s <= 0) throw new IllegalArgumentException("must be positive");
        return s;
    }

    /** Writes the token readable by its owner only (the directory 0700), replacing any earlier one atomically. */
    static void write(Path file, String token) throws IOException {
        Path dir = file.getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            try {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system
            }
        }
        Path tmp = dir.resolve(".token." + ProcessHandle.current().pid());
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(tmp);
        }
        Files.writeString(tmp, token + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static final String HELP = """
            Usage: bottega token [--user USER] [--ttl SECONDS] [--save]
              Prints a signed token for clients that reach the controller over TCP (BOTTEGA_URL=http://HOST:PORT
              with BOTTEGA_TOKEN=<token>, or the token saved in ~/.bottega/token).
                  --user=USER    a token for another user (operators only)
                  --ttl=TIME     how long it is valid: seconds, or 12h, 30d (default: the controller's, 30 days)
                  --save         write it to ~/.bottega/token (mode 0600) instead of printing it
            """;
}
