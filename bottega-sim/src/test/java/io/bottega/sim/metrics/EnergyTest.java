package io.bottega.sim.metrics;

import io.bottega.core.model.Allocation;
import io.bottega.core.model.Cluster;
import io.bottega.sim.cluster.ClusterPresets;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

class EnergyTest {
    @Test
    void jobJoules_boosterNodeShares() {
        Cluster c = ClusterPresets.byName("tiny"); // booster power: +250 W for 8 cores, +340 W per GPU
        Allocation a = Allocation.of(new int[] {0, 1}, new int[] {1, 1}, new int[] {8, 4}, new long[] {0, 0},
                new long[] {0b1111, 0b1}, new long[][] {null, null});
        // node 0: 250 + 4 x 340 = 1610 W; node 1: 125 + 340 = 465 W; for 10 s
        assertThat(Energy.jobJoules(c, a, 10)).isCloseTo(20_750.0, offset(1e-9));
        assertThat(Energy.idleWatts(c)).isEqualTo(4 * 540.0);
    }
}
