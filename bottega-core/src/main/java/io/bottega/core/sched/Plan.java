package io.bottega.core.sched;

import java.util.List;

/**
 * The outcome of one pass: the jobs to start now, the reservations made (EASY: the first blocked job;
 * conservative: every job that cannot start), and — when asked for — a forecast for every other pending
 * job. The ledger comes back with the starts allocated.
 */
public record Plan(long now, List<Decision.Start> starts, List<Decision.Reserve> reservations, List<Decision.Wait> waits) {
    public static final long NEVER = Long.MAX_VALUE;

    public Plan {
        starts = List.copyOf(starts);
        reservations = List.copyOf(reservations);
        waits = List.copyOf(waits);
    }
}
