package io.bottega.core.sched;

import io.bottega.core.model.Allocation;
import io.bottega.core.model.Cluster;
import io.bottega.core.model.JobSpec;
import io.bottega.core.model.ResourceRequest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A multi-node search asked again for the same job shape starts its sweep at its previous answer, which holds
 * only while the pass has taken resources and given none back: a reservation given back in between can let the
 * second job start earlier than the first.
 */
class RepeatedSearchTest {

    /** Two whole 4-GPU nodes for {@code limit} seconds. */
    private static JobSpec twoNodes(long id, long submit, long limit) {
        ResourceRequest r = ResourceRequest.builder().nodes(2, 2).tasks(2).tasksPerNode(1).gpusPerTask(4).cpusPerTask(8).build();
        return new JobSpec(id, "j" + id, "u", "a", "", "", submit, limit, 0, r, "");
    }

    /**
     * Pass 1 (t=0): all four nodes busy until 1000; X (500 s) is given 1000 on n1, n2. Then n1 and n2 free up at
     * 10, and A and B (the same shape, 2,000 s) arrive, A before X in the queue, B after it. Pass 2 (t=10): X's
     * reservation is kept while A looks: A gets 1000 on n3, n4 (n1, n2 are free for 990 s only). X then gives
     * its reservation back and starts at once (until 510), so B, A's twin, gets 510 on n1, n2 — earlier than A.
     */
    @ParameterizedTest
    @EnumSource(value = Profile.IndexUse.class, names = {"NEVER", "ALWAYS"})
    void aGiveBackBetweenTwoSearchesOfTheSameShapeLetsTheSecondStartEarlier(Profile.IndexUse use) {
        Cluster c = Mock.gpuCluster(4);
        Scheduler s = new Scheduler(c, SchedulerConfig.parse("conservative"));
        s.profileIndex(use);
        Mock.Harness h = new Mock.Harness(c, s);
        for (int node = 0; node < 4; node++) h.ledger.allocate(100 + node, Allocation.single(node, 1, 8, 64_000, 4), 0, 1000);
        h.submit(twoNodes(1, 5, 500));
        Plan first = h.pass(0);
        assertThat(first.reservations()).singleElement().satisfies(r -> {
            assertThat(r.reservation().start()).isEqualTo(1000);
            assertThat(r.reservation().nodes()).containsExactly(0, 1);
        });

        h.ledger.release(100);
        h.ledger.release(101);
        h.submit(twoNodes(2, 1, 2000));
        h.submit(twoNodes(3, 20, 2000));
        Plan second = h.pass(10);

        assertThat(second.starts()).singleElement().satisfies(st -> assertThat(st.jobId()).isEqualTo(1));
        assertThat(second.reservations()).extracting(Decision.Reserve::jobId).containsExactly(2L, 3L);
        Reservation a = second.reservations().get(0).reservation();
        Reservation b = second.reservations().get(1).reservation();
        assertThat(a.start()).isEqualTo(1000);
        assertThat(a.nodes()).containsExactly(2, 3);
        assertThat(b.start()).as("B may use what X gave back, though A could not").isEqualTo(510);
        assertThat(b.nodes()).containsExactly(0, 1);
        if (use == Profile.IndexUse.ALWAYS) assertThat(s.indexedSearches()).isPositive();
    }
}
