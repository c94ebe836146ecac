package io.bottega.core.sched;

import io.bottega.core.model.Cluster;
import io.bottega.core.model.Demand;
import io.bottega.core.model.JobSpec;
import io.bottega.core.model.Verdict;
import io.bottega.core.policy.AdvanceReservation;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two schedulers that must make the same plans, run over the same passes: the same random jobs submitted, the
 * same advance reservations, the jobs they start ending at the same (random) instants before their limits.
 * Every plan is compared decision by decision.
 */
final class TwinPasses {
    /** A random job with this id, submitted at this instant. */
    interface Jobs {
        JobSpec next(SplittableRandom random, long id, long now);
    }

    private TwinPasses() {}

    /**
     * Runs {@code steps} passes ({@code first} jobs before the first, up to {@code batch} before each other one)
     * and returns how many decisions were compared.
     */
    static int run(Cluster c, Scheduler a, Scheduler b, List<AdvanceReservation> reservations, Jobs jobs, long seed, int steps,
                   int first, int batch) {
        ResourceLedger la = new ResourceLedger(c), lb = new ResourceLedger(c);
        la.setReservations(reservations);
        lb.setReservations(reservations);
        PendingQueue qa = new PendingQueue(a.config().order()), qb = new PendingQueue(b.config().order());
        Demand.Resolver resolver = new Demand.Resolver(c);
        SplittableRandom random = new SplittableRandom(seed);
        Map<Long, Long> ends = new HashMap<>();
        long now = 0, id = 1;
        int compared = 0;
        for (int step = 0; step < steps; step++) {
            int count = step == 0 ? first : random.nextInt(batch);
            for (int k = 0; k < count; k++) {
                JobSpec spec = jobs.next(random, id++, now);
                if (!(resolver.resolve(spec) instanceof Verdict.Fits f)) continue;
                qa.add(PendingJob.of(spec, f.demand()));
                qb.add(PendingJob.of(spec, f.demand()));
            }
            Plan pa = a.schedule(now, la, qa, Scheduler.Options.WITH_FORECAST);
            Plan pb = b.schedule(now, lb, qb, Scheduler.Options.WITH_FORECAST);
            assertSame(pa.starts(), pb.starts(), "starts", step, now);
            assertSame(pa.reservations(), pb.reservations(), "reservations", step, now);
            assertSame(pa.waits(), pb.waits(), "waits", step, now);
            compared += pa.starts().size() + pa.reservations().size() + pa.waits().size();
            for (Decision.Start s : pa.starts()) {
                long limit = la.running(s.jobId()).orElseThrow().expectedEnd() - now;
                ends.put(s.jobId(), now + 1 + random.nextLong(limit));
            }
            now += 60 + random.nextInt(1800);
            for (var it = ends.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                if (e.getValue() <= now) {
                    la.release(e.getKey());
                    lb.release(e.getKey());
                    it.remove();
                }
            }
        }
        return compared;
    }

    /** The first decision that differs, rather than two whole plans. */
    private static void assertSame(List<? extends Decision> a, List<? extends Decision> b, String what, int step, long now) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            assertThat(a.get(i)).as("pass %d at %d: %s #%d", step, now, what, i).isEqualTo(b.get(i));
        }
        assertThat(a.size()).as("pass %d at %d: %s", step, now, what).isEqualTo(b.size());
    }
}
