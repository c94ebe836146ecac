package io.bottega.agent;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The system programs the agent runs, found once at start in the standard directories (never through the
 * caller's {@code PATH}, which a root daemon should not trust).
 */
record Tools(Path sh, Path bash, Path setsid, Path env, Path kill, Optional<Path> setpriv, Optional<Path> runuser,
             Optional<Path> taskset, boolean envResetsSignals, Optional<Path> cc) {
    static final String SAFE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    static Tools find() {
        Path env = require("env");
        return new Tools(require("sh"), require("bash"), require("setsid"), env, require("kill"),
                which("setpriv"), which("runuser"), which("taskset"), succeeds(env.toString(), "--default-signal", "true"),
                which("cc").or(() -> which("gcc")).or(() -> which("clang")));
    }

    /** Whether the command runs and exits 0 within 5 s. */
    static boolean succeeds(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (java.io.IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static Optional<Path> which(String name) {
        for (String dir : SAFE_PATH.split(":")) {
            Path p = Path.of(dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) return Optional.of(p);
        }
        return Optional.empty();
    }

    private static Path require(String name) {
        return which(name).orElseThrow(() -> new IllegalStateException(
                "the agent needs '" + name + "' (looked in " + SAFE_PATH + ")"));
    }
}
