package io.bottega.cli.slurm;

import java.util.Locale;

/** Signal names and numbers (Linux numbering), as {@code scancel -s} reads them. */
final class Signals {
    private Signals() {}

    private static final String[] NAMES = {"", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1",
            "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU",
            "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS"};

    /**
     * {@code TERM}, {@code SIGTERM}, {@code sigterm} or {@code 15}; returns the number.
     *
     * @throws IllegalArgumentException for anything else
     */
    static int parse(String given) {
        String s = given.trim().toUpperCase(Locale.ROOT);
        if (JobIds.isDigits(s) && s.length() <= 3) {
            int n = Integer.parseInt(s);
            if (n >= 1 && n <= 64) return n;
            throw new IllegalArgumentException("Invalid job signal: " + given);
        }
        if (s.startsWith("SIG")) s = s.substring(3);
        if (s.equals("POLL")) return 29;
        if (s.equals("IOT")) return 6;
        for (int i = 1; i < NAMES.length; i++) if (NAMES[i].equals(s)) return i;
        throw new IllegalArgumentException("Invalid job signal: " + given);
    }
}
