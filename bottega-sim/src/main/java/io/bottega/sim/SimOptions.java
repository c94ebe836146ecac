package io.bottega.sim;

import io.bottega.core.policy.Policies;

/**
 * How a replay treats priority and site policy beyond the backfill rule.
 *
 * @param multifactor           order the queue by multifactor priority (age, fair share, size, QOS, partition) instead of
 *                              FCFS; priorities are recalculated every {@code recalcSeconds} of simulated time
 * @param policies              QOS, billing and priority weights (preemption and QOS limits apply when the workload's
 *                              jobs name such QOS)
 * @param fairShareHalfLife     half-life of usage in the fair-share tree (seconds)
 * @param recalcSeconds         how often priorities are recalculated (Slurm's PriorityCalcPeriod)
 */
public record SimOptions(boolean multifactor, Policies policies, long fairShareHalfLife, long recalcSeconds) {
    public static final SimOptions DEFAULT = new SimOptions(false, Policies.NONE, 7 * 86400, 300);

    public SimOptions {
        if (policies == null) policies = Policies.NONE;
        if (fairShareHalfLife <= 0) throw new IllegalArgumentException("fair-share half-life must be positive");
        if (recalcSeconds <= 0) throw new IllegalArgumentException("priority recalculation period must be positive");
    }

    public static SimOptions multifactor(long halfLifeSeconds) {
        return new SimOptions(true, Policies.NONE, halfLifeSeconds, 300);
    }
}
