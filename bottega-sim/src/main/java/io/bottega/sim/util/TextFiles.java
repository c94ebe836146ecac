package io.bottega.sim.util;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Opens trace files: plain text or gzip, told apart by the gzip magic bytes rather than by the name. */
public final class TextFiles {
    private static final int BUFFER = 1 << 16;

    private TextFiles() {}

    public static BufferedReader open(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), BUFFER);
        in.mark(2);
        int b0 = in.read(), b1 = in.read();
        in.reset();
        if (b0 == 0x1f && b1 == 0x8b) in = new GZIPInputStream(in, BUFFER);
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), BUFFER);
    }

    /** The file's name without {@code .gz} and the given extensions, for naming workloads. */
    public static String baseName(Path file, String... extensions) {
        String n = file.getFileName().toString();
        if (n.endsWith(".gz")) n = n.substring(0, n.length() - 3);
        for (String e : extensions) {
            if (n.endsWith(e)) return n.substring(0, n.length() - e.length());
        }
        return n;
    }
}
