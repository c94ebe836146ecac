package io.bottega.core.sched;

import io.bottega.core.model.Demand;
import io.bottega.core.model.JobSpec;
import io.bottega.core.model.NodeSet;
import io.bottega.core.model.ResourceRequest;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** EASY's search for the next backfill candidate, against a scan of every queued job. */
class PendingQueueBackfillTest {

    private static PendingJob job(long id, int cores, int gpus, long limit) {
        Demand d = new Demand(0, NodeSet.of(0), cores, 1, 0, 1, 1, 0, false, gpus, Demand.MemoryMode.PROPORTIONAL, 0, false,
                limit);
        return PendingJob.of(JobSpec.of(id, id, limit, ResourceRequest.processors(cores)), d);
    }

    @Test
    void nextBackfillIsTheFirstJobThatFitsAndEndsByTheShadowOrFitsTheBound() {
        SplittableRandom random = new SplittableRandom(11);
        for (int round = 0; round < 40; round++) {
            PendingQueue q = new PendingQueue(SchedulerConfig.Order.FCFS);
            int n = 1 + random.nextInt(300);
            for (int i = 0; i < n; i++) {
                PendingJob p = job(i + 1, 1 + random.nextInt(64), random.nextInt(3) == 0 ? random.nextInt(5) : 0,
                        60L * (1 + random.nextInt(100)));
                q.add(p);
            }
            for (int i = 0; i < n / 3; i++) {
                int pos = random.nextInt(q.end());
                if (q.at(pos) != null) q.removeStarted(pos);
            }
            for (int query = 0; query < 200; query++) {
                int from = random.nextInt(q.end() + 1);
                long free = random.nextInt(80), freeGpus = random.nextInt(6);
                long bound = random.nextInt(3) == 0 ? -1 : random.nextInt(80), boundGpus = random.nextInt(6);
                long window = random.nextInt(4) == 0 ? -5 : 60L * random.nextInt(110);
                assertThat(q.nextBackfill(from, free, freeGpus, bound, boundGpus, window))
                        .as("round %d query %d", round, query)
                        .isEqualTo(scan(q, from, free, freeGpus, bound, boundGpus, window));
            }
        }
    }

    private static int scan(PendingQueue q, int from, long free, long freeGpus, long bound, long boundGpus, long window) {
        for (int i = from; i < q.end(); i++) {
            PendingJob p = q.at(i);
            if (p == null) continue;
            long c = p.demand().totalCores(), g = p.demand().totalGpus();
            if (c > free || g > freeGpus) continue;
            if (p.demand().timeLimit() <= window || (c <= bound && g <= boundGpus)) return i;
        }
        return -1;
    }
}
