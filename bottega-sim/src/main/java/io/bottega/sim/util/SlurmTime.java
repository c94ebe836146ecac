package io.bottega.sim.util;

import io.bottega.core.model.Partition;

/**
 * A small parser for Slurm's time-limit syntax, for the simulator's own inputs (cluster files, CSV traces).
 * Accepted: {@code minutes}, {@code minutes:seconds}, {@code hours:minutes:seconds}, {@code days-hours},
 * {@code days-hours:minutes}, {@code days-hours:minutes:seconds}, and {@code UNLIMITED} / {@code infinite}.
 * (The full parser of the API module is not reachable from here: bottega-sim depends on core only.)
 */
public final class SlurmTime {
    private SlurmTime() {}

    /** Seconds, or {@link Partition#UNLIMITED}; throws {@link IllegalArgumentException} with a short reason. */
    public static long parse(String text) {
        if (text == null) throw new IllegalArgumentException("missing time");
        String s = text.trim();
        if (s.isEmpty()) throw new IllegalArgumentException("empty time");
        if (s.equalsIgnoreCase("unlimited") || s.equalsIgnoreCase("infinite")) return Partition.UNLIMITED;
        long days = 0;
        String rest = s;
        int dash = s.indexOf('-');
        boolean hasDays = dash >= 0;
        if (hasDays) {
            days = number(s.substring(0, dash), s);
            rest = s.substring(dash + 1);
        }
        String[] p = rest.split(":", -1);
        long h = 0, m = 0, sec = 0;
        if (hasDays) {
            // days-hours, days-hours:minutes, days-hours:minutes:seconds
            if (p.length > 3) throw bad(s);
            h = number(p[0], s);
            if (p.length > 1) m = number(p[1], s);
            if (p.length > 2) sec = number(p[2], s);
            if (h > 23) throw new IllegalArgumentException("'" + s + "': hours must be 0-23");
            if (m > 59 || sec > 59) throw new IllegalArgumentException("'" + s + "': minutes and seconds must be 0-59");
        } else {
            switch (p.length) {
                case 1 -> m = number(p[0], s);
                case 2 -> { m = number(p[0], s); sec = number(p[1], s); if (sec > 59) throw new IllegalArgumentException("'" + s + "': seconds must be 0-59"); }
                case 3 -> {
                    h = number(p[0], s); m = number(p[1], s); sec = number(p[2], s);
                    if (m > 59 || sec > 59) throw new IllegalArgumentException("'" + s + "': minutes and seconds must be 0-59");
                }
                default -> throw bad(s);
            }
        }
        return ((days * 24 + h) * 60 + m) * 60 + sec;
    }

    /** Formats seconds as Slurm does: {@code [D-]HH:MM:SS}, or {@code UNLIMITED}. */
    public static String format(long seconds) {
        if (seconds >= Partition.UNLIMITED) return "UNLIMITED";
        long d = seconds / 86400, h = seconds / 3600 % 24, m = seconds / 60 % 60, s = seconds % 60;
        String hms = String.format(java.util.Locale.ROOT, "%02d:%02d:%02d", h, m, s);
        return d > 0 ? d + "-" + hms : hms;
    }

    private static long number(String part, String whole) {
        if (part.isEmpty() || part.length() > 9) throw bad(whole);
        long v = 0;
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (c < '0' || c > '9') throw bad(whole);
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static IllegalArgumentException bad(String s) {
        return new IllegalArgumentException("'" + s + "' is not a Slurm time (minutes, MM:SS, HH:MM:SS, D-HH[:MM[:SS]] or UNLIMITED)");
    }
}
