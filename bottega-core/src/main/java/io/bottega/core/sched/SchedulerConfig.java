package io.bottega.core.sched;

import java.util.Arrays;
import java.util.Locale;

/**
 * How the scheduler orders and backfills.
 *
 * @param backfill {@code fcfs} (start in order while the next fits, no backfill), {@code easy} (one
 *                 reservation for the first blocked job, backfill what does not delay it) or
 *                 {@code conservative} (a reservation for every job; backfill what delays none)
 * @param order    {@code fcfs} (submit time, then job id) or {@code priority} (the priority the caller computed,
 *                 highest first, then submit time, then job id)
 */
public record SchedulerConfig(Backfill backfill, Order order) {

    public enum Backfill {
        FCFS, EASY, CONSERVATIVE;

        public String label() { return name().toLowerCase(Locale.ROOT); }

        public static Backfill parse(String s) {
            for (Backfill b : values()) if (b.label().equalsIgnoreCase(s.trim())) return b;
            throw new IllegalArgumentException("unknown policy '" + s + "' (known: "
                    + String.join(", ", Arrays.stream(values()).map(Backfill::label).toList()) + ")");
        }
    }

    public enum Order { FCFS, PRIORITY }

    public SchedulerConfig {
        if (backfill == null) throw new IllegalArgumentException("backfill must be given");
        if (order == null) throw new IllegalArgumentException("order must be given");
    }

    public static SchedulerConfig of(Backfill b) { return new SchedulerConfig(b, Order.FCFS); }

    /**
     * {@code easy}, {@code conservative} or {@code fcfs}, in FCFS order; with {@code +multifactor}
     * ({@code easy+multifactor}) in priority order.
     */
    public static SchedulerConfig parse(String policy) {
        String p = policy.trim();
        int plus = p.indexOf('+');
        if (plus < 0) return of(Backfill.parse(p));
        String modifier = p.substring(plus + 1).trim();
        if (!modifier.equalsIgnoreCase("multifactor")) {
            throw new IllegalArgumentException("unknown policy modifier '+" + modifier + "' in '" + policy + "' (known: +multifactor)");
        }
        return new SchedulerConfig(Backfill.parse(p.substring(0, plus)), Order.PRIORITY);
    }

    /** The policy's name as {@link #parse} reads it. */
    public String label() { return backfill.label() + (order == Order.PRIORITY ? "+multifactor" : ""); }
}
