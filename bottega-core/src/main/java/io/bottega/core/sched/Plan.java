package io.bottega.core.sched;

import java.util.Collections;
import java.util.List;

/**
 * The outcome of one pass: the jobs to start now, the reservations made (EASY: the first blocked job;
 * conservative: every job that cannot start), — when asked for — a forecast for every other pending job,
 * and the running jobs to preempt for a job of a higher QOS. The ledger comes back with the starts allocated.
 */
public record Plan(long now, List<Decision.Start> starts, List<Decision.Reserve> reservations, List<Decision.Wait> waits,
                   List<Decision.Preempt> preemptions) {
    public static final long NEVER = Long.MAX_VALUE;

    public Plan {
        // the scheduler hands over lists it no longer touches: wrap them instead of copying on every pass
        starts = starts.isEmpty() ? List.of() : Collections.unmodifiableList(starts);
        reservations = reservations.isEmpty() ? List.of() : Collections.unmodifiableList(reservations);
        waits = waits.isEmpty() ? List.of() : Collections.unmodifiableList(waits);
        preemptions = preemptions.isEmpty() ? List.of() : Collections.unmodifiableList(preemptions);
    }
}
