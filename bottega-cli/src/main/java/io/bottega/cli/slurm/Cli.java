package io.bottega.cli.slurm;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/** Small pieces the client commands share. */
final class Cli {
    private Cli() {}

    /** Bottega's version (from the jar's manifest), or {@code dev}. */
    static String version() {
        String v = Cli.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** What {@code -V/--version} prints. */
    static String versionLine() {
        return "bottega " + version() + " (Slurm-compatible clients)";
    }

    /** A comma-separated list, blanks dropped and items trimmed. */
    static List<String> csv(String s) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= s.length(); i++) {
            if (i == s.length() || s.charAt(i) == ',') {
                String item = s.substring(start, i).trim();
                if (!item.isEmpty()) out.add(item);
                start = i + 1;
            }
        }
        return out;
    }

    /** Adds each comma-separated item of {@code s} to {@code list}, without duplicates. */
    static void addCsv(List<String> list, String s) {
        for (String item : csv(s)) if (!list.contains(item)) list.add(item);
    }

    private static final String[] DAYS = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    private static final String[] MONTHS = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

    /** The date line squeue and sinfo print with {@code -l}: {@code Fri Nov 27 09:15:00 2026}. */
    static String dateLine(long epochSecond, ZoneId zone) {
        LocalDateTime t = LocalDateTime.ofInstant(Instant.ofEpochSecond(epochSecond), zone);
        return DAYS[t.getDayOfWeek().ordinal()] + " " + MONTHS[t.getMonthValue() - 1] + " " + two(t.getDayOfMonth()) + " "
                + two(t.getHour()) + ":" + two(t.getMinute()) + ":" + two(t.getSecond()) + " " + t.getYear();
    }

    private static String two(int v) {
        return v < 10 ? "0" + v : Integer.toString(v);
    }

    /** Parses a positive count ({@code --iterate=5}); null if it is not one. */
    static Integer positive(String s) {
        String t = s.trim();
        if (!JobIds.isDigits(t) || t.length() > 9) return null;
        int v = Integer.parseInt(t);
        return v > 0 ? v : null;
    }
}
