package io.bottega.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/** Files of a controller's data directory: the cluster key agents present. */
final class DataDir {
    private DataDir() {}

    static Path defaultDir() {
        String env = System.getenv("BOTTEGA_DATA_DIR");
        if (env != null && !env.isBlank()) return Path.of(env);
        return Path.of(System.getProperty("user.home"), ".bottega");
    }

    /** The key in {@code file}, created (random, mode 0600) if missing. */
    static String clusterKey(Path file) throws IOException {
        if (Files.exists(file)) {
            String k = Files.readString(file).strip();
            if (k.length() < 16) throw new IOException("the cluster key in " + file + " is shorter than 16 characters");
            return k;
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        String key = HexFormat.of().formatHex(b);
        Files.writeString(file, key + "\n");
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: nothing more to do
        }
        return key;
    }

    /** The socket clients find without flags: $BOTTEGA_SOCKET, else /tmp/bottega/bottega.sock. */
    static Path defaultSocket() {
        String env = System.getenv("BOTTEGA_SOCKET");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of("/tmp/bottega/bottega.sock");
    }

    static int defaultPort() {
        String env = System.getenv("BOTTEGA_PORT");
        if (env == null || env.isBlank()) return io.bottega.server.ControllerConfig.DEFAULT_PORT;
        try {
            return Integer.parseInt(env.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("BOTTEGA_PORT must be a port number, got '" + env + "'");
        }
    }
}
