package io.bottega.cli.slurm;

import java.util.Locale;

/** Slurm's job state names, long ({@code PENDING}) and compact ({@code PD}), as {@code -t/--states} reads them. */
final class JobStates {
    private JobStates() {}

    /** {long, compact}, in Slurm's order. */
    private static final String[][] STATES = {
            {"PENDING", "PD"}, {"RUNNING", "R"}, {"SUSPENDED", "S"}, {"COMPLETED", "CD"}, {"CANCELLED", "CA"},
            {"FAILED", "F"}, {"TIMEOUT", "TO"}, {"NODE_FAIL", "NF"}, {"PREEMPTED", "PR"}, {"BOOT_FAIL", "BF"},
            {"DEADLINE", "DL"}, {"OUT_OF_MEMORY", "OOM"}, {"COMPLETING", "CG"}, {"CONFIGURING", "CF"},
            {"RESIZING", "RS"}, {"RESV_DEL_HOLD", "RD"}, {"REQUEUED", "RQ"}, {"REQUEUE_FED", "RF"},
            {"REQUEUE_HOLD", "RH"}, {"REVOKED", "RV"}, {"SIGNALING", "SI"}, {"SPECIAL_EXIT", "SE"},
            {"STAGE_OUT", "SO"}, {"STOPPED", "ST"}};

    /** The long name of a state given either way, in any case; null if there is no such state. */
    static String longName(String given) {
        String s = given.trim().toUpperCase(Locale.ROOT);
        if (s.equals("CANCELED")) return "CANCELLED";
        for (String[] st : STATES) if (st[0].equals(s) || st[1].equals(s)) return st[0];
        return null;
    }

    /** The compact code of a long name ({@code PD}); the name itself if unknown. */
    static String compact(String longName) {
        return io.bottega.api.slurm.SqueueRows.compact(longName);
    }

    /** A job in this state is still in the queue (squeue shows it without {@code -t}). */
    static boolean active(String longName) {
        return io.bottega.api.slurm.SqueueRows.active(longName);
    }

    /** Every state, lower case, comma-separated, as Slurm lists them after an invalid one. */
    static String validList() {
        StringBuilder sb = new StringBuilder();
        for (String[] st : STATES) {
            if (!sb.isEmpty()) sb.append(',');
            sb.append(st[0].toLowerCase(Locale.ROOT));
        }
        return sb.toString();
    }

    /**
     * A {@code -t} list to long names; {@code all} gives an empty list with {@code all[0] = true}.
     *
     * @throws IllegalArgumentException {@code Invalid job state specified: X}
     */
    static java.util.List<String> parseList(String list, boolean[] all) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (String s : list.split(",")) {
            if (s.isBlank()) continue;
            if (s.trim().equalsIgnoreCase("all")) {
                all[0] = true;
                continue;
            }
            String l = longName(s);
            if (l == null) throw new IllegalArgumentException("Invalid job state specified: " + s.trim());
            if (!out.contains(l)) out.add(l);
        }
        return out;
    }
}
