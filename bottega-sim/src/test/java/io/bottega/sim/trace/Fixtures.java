package io.bottega.sim.trace;

import java.io.BufferedReader;
import java.io.StringReader;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test fixtures under src/test/resources and the shared traces beside the project. */
public final class Fixtures {
    private Fixtures() {}

    public static Path resource(String name) {
        try {
            var url = Fixtures.class.getResource("/traces/" + name);
            if (url == null) throw new IllegalStateException("no fixture " + name);
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The shared folder: system property {@code bottega.shared}, else {@code ../shared}, else {@code ../../shared}. */
    public static Path shared() {
        String p = System.getProperty("bottega.shared");
        if (p != null && Files.isDirectory(Path.of(p))) return Path.of(p);
        for (String c : new String[] {"../shared", "../../shared"}) {
            if (Files.isDirectory(Path.of(c))) return Path.of(c);
        }
        throw new IllegalStateException("the shared traces are not found (set -Dbottega.shared)");
    }

    public static Path swf(String name) { return shared().resolve("traces/swf").resolve(name); }

    public static Path gpu(String name) { return shared().resolve("traces/gpu").resolve(name); }

    public static BufferedReader text(String s) { return new BufferedReader(new StringReader(s)); }
}
