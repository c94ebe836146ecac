package io.bottega.agent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The native job launcher ({@code bottega-launch.c}, shipped in the agent's jar): compiled once with the
 * machine's C compiler into the spool's {@code bin/}, named by a hash of its source so that a new agent
 * version compiles its own and an unchanged one reuses it. Without a compiler, or when the compilation
 * fails, the agent starts jobs through the shell chain ({@code job-wrapper.sh}) and says why.
 */
final class NativeLauncher {
    static final String SOURCE = "bottega-launch.c";
    private static final String PREFIX = "bottega-launch-";
    private static final long COMPILE_TIMEOUT_S = 60;
    /** The last binary this JVM compiled: the next agent of the same JVM (emulated nodes, tests) copies it. */
    private static volatile Path lastCompiled;

    /** The launcher to use, or why there is none. */
    record Build(Optional<Path> binary, String reason) {
        static Build none(String reason) {
            return new Build(Optional.empty(), reason);
        }
    }

    private NativeLauncher() {}

    static byte[] source() {
        try (InputStream in = NativeLauncher.class.getResourceAsStream(SOURCE)) {
            if (in == null) throw new IllegalStateException(SOURCE + " missing from the agent's jar");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + SOURCE, e);
        }
    }

    /** The hash of the source the binary's name carries (the first 16 hex digits of its SHA-256). */
    static String hash(byte[] source) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(source)).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The launcher in {@code binDir} (a directory only the agent's user may write), compiled there with
     * {@code cc} when it is missing; binaries of other sources are removed.
     */
    static Build prepare(Path binDir, Optional<Path> cc) {
        return prepare(binDir, cc, true);
    }

    /** {@link #prepare} without copying the build of an earlier agent of this JVM. */
    static Build prepareFresh(Path binDir, Optional<Path> cc) {
        return prepare(binDir, cc, false);
    }

    private static Build prepare(Path binDir, Optional<Path> cc, boolean copyEarlier) {
        byte[] src = source();
        Path binary = binDir.resolve(PREFIX + hash(src));
        if (Files.isRegularFile(binary, LinkOption.NOFOLLOW_LINKS) && Files.isExecutable(binary)) {
            return new Build(Optional.of(binary), "cached");
        }
        Path earlier = lastCompiled;
        if (copyEarlier && earlier != null && earlier.getFileName().equals(binary.getFileName()) && Files.isRegularFile(earlier, LinkOption.NOFOLLOW_LINKS)) {
            try {
                FileOps.writeAtomic(binary, Files.readAllBytes(earlier), "rwx------");
                removeOthers(binDir, binary);
                return new Build(Optional.of(binary), "copied from " + earlier);
            } catch (IOException e) {
                // compile it here instead
            }
        }
        if (cc.isEmpty()) return Build.none("no C compiler (cc, gcc or clang) in " + Tools.SAFE_PATH);
        Path source = binDir.resolve(SOURCE);
        Path tmp = binDir.resolve("." + binary.getFileName() + ".tmp");
        Path log = binDir.resolve(SOURCE + ".log");
        try {
            FileOps.writeAtomic(source, src, "rw-------");
            Files.deleteIfExists(tmp);
            List<String> cmd = List.of(cc.get().toString(), "-O2", "-o", tmp.toString(), source.toString());
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().clear();
            pb.environment().put("PATH", Tools.SAFE_PATH);
            pb.environment().put("LC_ALL", "C");
            Process p = pb.start();
            if (!p.waitFor(COMPILE_TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Build.none(cc.get() + " did not finish within " + COMPILE_TIMEOUT_S + " s");
            }
            if (p.exitValue() != 0 || !Files.isRegularFile(tmp)) {
                String out = Procfs.read(log).strip().replace('\n', ' ');
                if (out.length() > 300) out = out.substring(0, 300) + "...";
                return Build.none(cc.get() + " failed (exit " + p.exitValue() + "): " + out);
            }
            Files.setPosixFilePermissions(tmp, FileOps.perms("rwx------"));
            Files.move(tmp, binary, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            return Build.none("cannot compile " + SOURCE + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Build.none("interrupted while compiling " + SOURCE);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException e) {
                // left for the next start
            }
        }
        removeOthers(binDir, binary);
        lastCompiled = binary;
        return new Build(Optional.of(binary), "compiled with " + cc.get());
    }

    private static void removeOthers(Path binDir, Path keep) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(binDir, PREFIX + "*")) {
            for (Path p : ds) {
                if (!p.equals(keep)) Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // stale binaries only take space
        }
    }
}
