package io.bottega.core.sched;

import io.bottega.core.model.Demand;
import io.bottega.core.model.JobSpec;
import io.bottega.core.model.PendingReason;

/**
 * A job waiting to run, as the scheduler sees it.
 *
 * @param priority    the job's priority under {@link SchedulerConfig.Order#PRIORITY} (higher runs first)
 * @param hold        {@link PendingReason#NONE} when the job may run; otherwise why it may not yet
 *                    (held, waiting on a dependency, a limit of its QOS or account...), decided by the caller
 * @param eligibleAt  the job may not start before this instant ({@code --begin}; 0 for any time)
 * @param reservation the reservation a previous pass gave it, {@link Reservation#NONE} if none
 */
public record PendingJob(JobSpec spec, Demand demand, long priority, PendingReason hold, long eligibleAt,
                         Reservation reservation) {
    public PendingJob {
        if (spec == null || demand == null) throw new IllegalArgumentException("pending job needs a spec and a demand");
        if (hold == null) hold = PendingReason.NONE;
        if (reservation == null) reservation = Reservation.NONE;
    }

    public static PendingJob of(JobSpec spec, Demand demand) {
        return new PendingJob(spec, demand, 0, PendingReason.NONE, spec.beginTime(), Reservation.NONE);
    }

    public long id() { return spec.id(); }

    public PendingJob withReservation(Reservation r) {
        return new PendingJob(spec, demand, priority, hold, eligibleAt, r);
    }

    public PendingJob withHold(PendingReason h) {
        return new PendingJob(spec, demand, priority, h, eligibleAt, reservation);
    }

    public PendingJob withPriority(long p) {
        return new PendingJob(spec, demand, p, hold, eligibleAt, reservation);
    }
}
