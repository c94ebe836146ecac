package io.bottega.sim;

import io.bottega.core.model.JobSpec;
import io.bottega.core.model.ResourceRequest;
import io.bottega.core.sched.SchedulerConfig;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Job id → index in submit order, dense (ids close together) or sparse. */
class JobIndexTest {

    private static List<SimJob> jobs(long... ids) {
        List<SimJob> out = new ArrayList<>();
        for (long id : ids) out.add(new SimJob(JobSpec.of(id, 0, 60, ResourceRequest.processors(1)), 60, 1));
        return out;
    }

    @Test
    void denseIdsInAnyOrder() {
        Simulator.JobIndex index = Simulator.JobIndex.of(jobs(12, 10, 11, 15));
        assertThat(index.get(12, -1)).isZero();
        assertThat(index.get(10, -1)).isEqualTo(1);
        assertThat(index.get(11, -1)).isEqualTo(2);
        assertThat(index.get(15, -1)).isEqualTo(3);
        // gaps and ids outside the range are missing
        assertThat(index.get(13, -1)).isEqualTo(-1);
        assertThat(index.get(9, -1)).isEqualTo(-1);
        assertThat(index.get(16, -1)).isEqualTo(-1);
        assertThat(index.get(Long.MAX_VALUE, -1)).isEqualTo(-1);
    }

    @Test
    void sparseIdsFarApart() {
        Simulator.JobIndex index = Simulator.JobIndex.of(jobs(1, 1_000_000_000_000L, 7));
        assertThat(index.get(1, -1)).isZero();
        assertThat(index.get(1_000_000_000_000L, -1)).isEqualTo(1);
        assertThat(index.get(7, -1)).isEqualTo(2);
        assertThat(index.get(2, -1)).isEqualTo(-1);
    }

    @Test
    void idsAtBothEndsOfTheRange() {
        Simulator.JobIndex index = Simulator.JobIndex.of(jobs(Long.MAX_VALUE, 0));
        assertThat(index.get(Long.MAX_VALUE, -1)).isZero();
        assertThat(index.get(0, -1)).isEqualTo(1);
        assertThat(index.get(1, -1)).isEqualTo(-1);
    }

    @Test
    void aRepeatedIdIndexesItsLastJob() {
        // the replay tells a repeated id by the earlier job not finding its own index
        Simulator.JobIndex index = Simulator.JobIndex.of(jobs(3, 4, 3));
        assertThat(index.get(3, -1)).isEqualTo(2);
    }

    @Test
    void theReplayRejectsARepeatedIdDenseOrSparse() {
        for (long far : new long[] {5, 1L << 40}) {
            Workload w = Workload.of("dup", jobs(1, far, 1));
            assertThatThrownBy(() -> Simulator.run(Pools.pool(4), w, SchedulerConfig.parse("easy"), ProgressListener.NONE))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("job id 1 appears twice");
        }
    }
}
