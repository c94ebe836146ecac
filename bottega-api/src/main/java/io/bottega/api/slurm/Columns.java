package io.bottega.api.slurm;

import io.bottega.api.JobView;

import java.time.ZoneId;

/** Shared pieces of the squeue, sacct and sinfo formatters. */
final class Columns {
    private Columns() {}

    /**
     * Appends {@code value} in a column: {@code width} 0 prints it as is; otherwise it is padded to
     * {@code width}, right-justified if {@code right}, and cut to {@code width} if {@code cut} (as squeue
     * and sinfo do).
     */
    static void append(StringBuilder sb, String value, int width, boolean right, boolean cut) {
        if (width <= 0) {
            sb.append(value);
            return;
        }
        String v = cut && value.length() > width ? value.substring(0, width) : value;
        if (right) pad(sb, width - v.length());
        sb.append(v);
        if (!right) pad(sb, width - v.length());
    }

    static void pad(StringBuilder sb, int n) {
        for (int i = 0; i < n; i++) sb.append(' ');
    }

    /** The compact state code squeue prints for %t ({@code PD}, {@code R}, {@code CD}, ...). */
    static String compactState(String state) {
        return switch (state) {
            case "PENDING" -> "PD";
            case "RUNNING" -> "R";
            case "COMPLETED" -> "CD";
            case "COMPLETING" -> "CG";
            case "FAILED" -> "F";
            case "CANCELLED" -> "CA";
            case "TIMEOUT" -> "TO";
            case "NODE_FAIL" -> "NF";
            case "PREEMPTED" -> "PR";
            case "OUT_OF_MEMORY" -> "OOM";
            case "SUSPENDED" -> "S";
            case "CONFIGURING" -> "CF";
            case "BOOT_FAIL" -> "BF";
            case "DEADLINE" -> "DL";
            case "REQUEUED" -> "RQ";
            case "REQUEUE_HOLD" -> "RH";
            case "REQUEUE_FED" -> "RF";
            case "RESIZING" -> "RS";
            case "REVOKED" -> "RV";
            case "SIGNALING" -> "SI";
            case "SPECIAL_EXIT" -> "SE";
            case "STAGE_OUT" -> "SO";
            case "STOPPED" -> "ST";
            default -> state;
        };
    }

    /** The job id as squeue %i and sacct JobID print it: {@code 123}, {@code 120_3}, {@code 120_[4-9%2]}. */
    static String jobId(JobView j) {
        if (j.arrayJobId() <= 0) return Long.toString(j.id());
        if (!j.arrayTasks().isEmpty()) return j.arrayJobId() + "_[" + j.arrayTasks() + "]";
        if (j.arrayTaskId() >= 0) return j.arrayJobId() + "_" + j.arrayTaskId();
        return Long.toString(j.arrayJobId());
    }

    static String orNull(String s) {
        return s.isEmpty() ? "(null)" : s;
    }

    static boolean unlimited(long seconds) {
        return seconds >= SlurmTime.UNLIMITED;
    }

    static String time(long epoch, ZoneId zone, String ifUnset) {
        return SlurmTime.formatTimestamp(epoch, zone, ifUnset);
    }
}
