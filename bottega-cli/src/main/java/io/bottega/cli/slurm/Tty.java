package io.bottega.cli.slurm;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The caller's terminal, for {@code srun --pty}: its size, and raw mode while the remote pseudo-terminal does the
 * line editing and echo (Java has no terminal API: {@code stty} on {@code /dev/tty} does it). Restored at the end
 * and at exit.
 */
final class Tty {
    private final String saved;
    private volatile boolean rawNow;

    private Tty(String saved) {
        this.saved = saved;
        Runtime.getRuntime().addShutdownHook(new Thread(this::restore, "srun-tty-restore"));
    }

    /** The terminal srun runs in; null when its input is not a terminal. */
    static Tty open() {
        if (!new File("/dev/tty").canRead()) return null;
        String g = stty("-g");
        return g == null || g.isBlank() ? null : new Tty(g.strip());
    }

    /** Rows and columns; null when unknown. */
    int[] size() {
        String s = stty("size");
        if (s == null) return null;
        String[] f = s.strip().split("\\s+");
        try {
            return f.length == 2 ? new int[] {Integer.parseInt(f[0]), Integer.parseInt(f[1])} : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    void raw() {
        if (stty("raw", "-echo") != null) rawNow = true;
    }

    synchronized void restore() {
        if (!rawNow) return;
        rawNow = false;
        stty(saved);
    }

    /** Runs stty on /dev/tty; its output, or null when it failed. */
    private static String stty(String... args) {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "stty";
        System.arraycopy(args, 0, cmd, 1, args.length);
        try {
            Process p = new ProcessBuilder(cmd).redirectInput(new File("/dev/tty")).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) return null;
            return out;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
