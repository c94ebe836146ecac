package io.bottega.core.sched;

import io.bottega.core.model.Cluster;
import io.bottega.core.model.JobSpec;
import io.bottega.core.model.NodeSpec;
import io.bottega.core.model.PowerModel;
import io.bottega.core.model.ResourceRequest;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * EASY on a machine with a GPU and a CPU partition: the head's shadow time counts only jobs on its own nodes,
 * the extra limit binds on the nodes of its reservation, and nowhere else.
 */
class EasyShadowTest {

    static Cluster twoPartitions() {
        Cluster.Builder b = Cluster.builder("two");
        for (String n : List.of("g1", "g2", "g3", "g4")) b.node(new NodeSpec(n, 8, 64_000, 4, "a100", Set.of(), "grp", true, PowerModel.NONE));
        for (String n : List.of("c1", "c2")) b.node(new NodeSpec(n, 16, 64_000, 0, "", Set.of(), "grp", true, PowerModel.NONE));
        b.partition("gpu", List.of("g1", "g2", "g3", "g4"), 3600, 86_400, Integer.MAX_VALUE, true, 1);
        b.partition("cpu", List.of("c1", "c2"), 3600, 86_400, Integer.MAX_VALUE, false, 1);
        return b.build();
    }

    static JobSpec job(long id, String partition, long limit, ResourceRequest r) {
        return new JobSpec(id, "j" + id, "u", "a", partition, "", 0, limit, 0, r, "");
    }

    static ResourceRequest gpuNodes(int nodes) { return ResourceRequest.gpuNodes(nodes, 4, 8); }

    static ResourceRequest oneGpu() { return ResourceRequest.builder().nodes(1, 1).gpusPerNode(1).cpusPerTask(2).build(); }

    static ResourceRequest cores(int n) { return ResourceRequest.builder().nodes(1, 1).tasks(n).cpusPerTask(1).build(); }

    @Test
    void theReservationAndTheExtraLimitLookOnlyAtTheHeadsNodes() {
        Cluster c = twoPartitions();
        var h = new Mock.Harness(c, new Scheduler(c, SchedulerConfig.parse("easy")));
        h.submit(job(1, "gpu", 100, gpuNodes(2)))   // g1, g2 until 100
                .submit(job(2, "gpu", 300, gpuNodes(1)))   // g3 until 300
                .submit(job(3, "cpu", 50, cores(16)))      // c1 until 50: ends first, but frees no GPU node
                .submit(job(4, "gpu", 100, gpuNodes(3)))   // the head: g4 alone is free now; at 100 g1, g2, g4
                .submit(job(5, "gpu", 1000, oneGpu()))     // past the shadow time: only g4 has a GPU, all reserved
                .submit(job(6, "gpu", 50, oneGpu()))       // ends by the shadow time: may use g4
                .submit(job(7, "cpu", 1000, cores(8)));    // past the shadow time, on a CPU node: no limit there
        Plan plan = h.process(0);

        assertThat(plan.starts()).extracting(Decision.Start::jobId).containsExactly(1L, 2L, 3L, 6L, 7L);
        assertThat(plan.reservations()).hasSize(1);
        Decision.Reserve r = plan.reservations().get(0);
        assertThat(r.jobId()).isEqualTo(4L);
        assertThat(r.reservation().start()).isEqualTo(100);
        assertThat(r.reservation().nodes()).containsExactlyInAnyOrder(0, 1, 3);
        assertThat(h.ledger.running(6).orElseThrow().allocation().node(0)).isEqualTo(3);
        assertThat(h.ledger.running(7).orElseThrow().allocation().node(0)).isEqualTo(5);

        // a pass after a submission alone keeps the head's bound: another job past the shadow time waits
        h.submit(job(8, "gpu", 1000, oneGpu()));
        Plan next = h.process(1);
        assertThat(next.starts()).isEmpty();
        assertThat(next.reservations()).extracting(Decision.Reserve::jobId).containsExactly(4L);
    }
}
