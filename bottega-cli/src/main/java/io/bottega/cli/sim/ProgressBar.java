package io.bottega.cli.sim;

import io.bottega.sim.ProgressListener;

import java.io.PrintStream;
import java.util.Locale;

/** A one-line progress bar on stderr, redrawn at most every 200 ms; {@link #done()} clears it. */
final class ProgressBar implements ProgressListener {
    private static final int WIDTH = 30;
    private static final long EVERY_NANOS = 200_000_000L;

    private final PrintStream err;
    private final String label;
    private final long origin;
    private long last;
    private boolean drawn;

    ProgressBar(PrintStream err, String label, long origin) {
        this.err = err;
        this.label = label;
        this.origin = origin;
    }

    @Override
    public void progress(long done, long total, long simTime) {
        long now = System.nanoTime();
        if (drawn && now - last < EVERY_NANOS && done < total) return;
        last = now;
        drawn = true;
        double f = total > 0 ? Math.min(1, (double) done / total) : 1;
        int full = (int) Math.round(f * WIDTH);
        err.print(String.format(Locale.ROOT, "\r%-13s [%s%s] %3.0f%%  %,d/%,d jobs  day %.1f ", label, "#".repeat(full),
                "-".repeat(WIDTH - full), f * 100, done, total, (simTime - origin) / 86400.0));
        err.flush();
    }

    void done() {
        if (drawn) {
            err.print("\r" + " ".repeat(90) + "\r");
            err.flush();
        }
    }

    /** Whether stderr is a terminal: a console exists and, on JDK 22 and later, {@code Console.isTerminal()} says so. */
    static boolean stderrIsTerminal() {
        java.io.Console c = System.console();
        if (c == null) return false;
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(c);
        } catch (ReflectiveOperationException e) {
            return true; // JDK 21: a console exists only for a terminal
        }
    }
}
