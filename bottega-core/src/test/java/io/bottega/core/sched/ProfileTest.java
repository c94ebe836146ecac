package io.bottega.core.sched;

import io.bottega.core.model.Allocation;
import io.bottega.core.model.Cluster;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The profile's single-node search: the earliest start, then the tightest fit, then the lowest node id. */
class ProfileTest {

    /**
     * Node 1 has two GPUs busy until t=100 and node 0 none; a one-GPU job of 1,000 s can start at once on either.
     * Its window on node 1 runs on past t=100, when node 1's free GPUs change: that must not hide node 1 from
     * the search once node 0 has been found free as early (it did, so the job went to the emptier node).
     */
    @ParameterizedTest
    @EnumSource(value = Profile.IndexUse.class, names = {"NEVER", "ALWAYS"})
    void aWindowThatRunsPastALaterChangeStillCountsForTheTightestFit(Profile.IndexUse use) {
        Cluster c = Mock.gpuCluster(2);
        Scheduler s = new Scheduler(c, SchedulerConfig.parse("conservative"));
        s.profileIndex(use);
        Mock.Harness h = new Mock.Harness(c, s);
        h.ledger.allocate(100, Allocation.single(1, 1, 4, 16_000, 2), 0, 100);
        h.submit(Mock.gpuJob(1, 0, 1000, 1, "u", "a", ""));
        Plan p = h.pass(0);
        assertThat(p.starts()).singleElement().satisfies(start -> {
            assertThat(start.jobId()).isEqualTo(1);
            assertThat(start.allocation().node(0)).as("the node whose GPUs it packs").isEqualTo(1);
        });
    }
}
