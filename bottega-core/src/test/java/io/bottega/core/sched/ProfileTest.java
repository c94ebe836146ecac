package io.bottega.core.sched;

import io.bottega.core.model.Allocation;
import io.bottega.core.model.Cluster;
import io.bottega.core.model.Demand;
import io.bottega.core.model.JobSpec;
import io.bottega.core.model.ResourceRequest;
import io.bottega.core.model.Verdict;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The profile's searches: the earliest start, then the tightest fit, then the lowest node id; or none by a limit. */
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

    /**
     * A search limited to starts by {@code until} (a job that holds a reservation keeps it unless it can start
     * earlier) finds the slot an unlimited one finds when that slot begins by then, and none otherwise — for a
     * job on one node and one on two, read through the index or by a scan.
     */
    @ParameterizedTest
    @EnumSource(value = Profile.IndexUse.class, names = {"NEVER", "ALWAYS"})
    void aSearchLimitedToStartsByAnInstantFindsTheSameSlotOrNone(Profile.IndexUse use) {
        Cluster c = Mock.gpuCluster(4);
        ResourceLedger ledger = new ResourceLedger(c);
        // n1 busy until 100, n2 until 200, n3 until 300, n4 until 400
        for (int node = 0; node < 4; node++) ledger.allocate(10 + node, Allocation.single(node, 1, 8, 64_000, 4), 0, 100L * (node + 1));
        Profile p = new Profile(c, new Placer(c));
        p.indexUse(use);
        p.reset(ledger, 0);
        long[] all = {0b1111L};
        Demand.Resolver resolver = new Demand.Resolver(c);
        Demand one = demand(resolver, ResourceRequest.builder().nodes(1, 1).gpusPerNode(4).cpusPerTask(8).build());
        Demand two = demand(resolver, ResourceRequest.builder().nodes(2, 2).tasks(2).tasksPerNode(1).gpusPerTask(4).cpusPerTask(8).build());

        Profile.Slot single = p.earliest(one, all, 0, 1, 0, 500, Profile.INF);
        assertThat(single.start()).isEqualTo(100);
        assertThat(single.nodes()).containsExactly(0);
        assertThat(p.earliest(one, all, 0, 1, 0, 500, 100)).usingRecursiveComparison().isEqualTo(single);
        assertThat(p.earliest(one, all, 0, 1, 0, 500, 99)).isNull();

        Profile.Slot pair = p.earliest(two, all, 0, 1, 0, 500, Profile.INF);
        assertThat(pair.start()).isEqualTo(200);
        assertThat(pair.nodes()).containsExactly(0, 1);
        assertThat(p.earliest(two, all, 0, 1, 0, 500, 250)).usingRecursiveComparison().isEqualTo(pair);
        assertThat(p.earliest(two, all, 0, 1, 0, 500, 199)).isNull();
        // after a limited search found nothing, an unlimited one still finds the earliest slot
        assertThat(p.earliest(two, all, 0, 1, 0, 500, Profile.INF)).usingRecursiveComparison().isEqualTo(pair);
    }

    private static Demand demand(Demand.Resolver resolver, ResourceRequest r) {
        JobSpec spec = new JobSpec(1, "j", "u", "a", "", "", 0, 500, 0, r, "");
        if (!(resolver.resolve(spec) instanceof Verdict.Fits f)) throw new AssertionError("refused: " + spec);
        return f.demand();
    }
}
