package io.bottega.sim.metrics;

import io.bottega.sim.SimulationResult;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

class MetricsTest {
    @Test
    void of_handComputedReplay() {
        Metrics m = Metrics.of(Results.fourJobs("easy"), "hand");
        assertThat(m.jobs()).isEqualTo(4);
        assertThat(m.makespan()).isEqualTo(200);
        assertThat(m.firstSubmit()).isZero();
        assertThat(m.lastEnd()).isEqualTo(200);
        // (100*4 + 10*10 + 5*2 + 90*5) / (10 * 200)
        assertThat(m.utilization()).isEqualTo(0.48);
        assertThat(m.gpuUtilization()).isNaN();
        // waits 0, 90, 0, 80
        assertThat(m.waitMean()).isEqualTo(42.5);
        assertThat(m.waitMedian()).isEqualTo(40.0);
        assertThat(m.waitP95()).isEqualTo(90);
        assertThat(m.waitMax()).isEqualTo(90);
        // bounded slowdowns 1, 10, 1 (5 s run < tau), 170/90
        assertThat(m.boundedSlowdownMean()).isCloseTo((1 + 10 + 1 + 170.0 / 90) / 4, offset(1e-12));
        assertThat(m.boundedSlowdownP95()).isEqualTo(10.0);
        // energy: 100 W idle x 200 s + 4800 J of jobs
        assertThat(m.idleEnergyJoules()).isEqualTo(20_000.0);
        assertThat(m.dynamicEnergyJoules()).isEqualTo(4_800.0);
        assertThat(m.energyKwh()).isCloseTo(24_800 / 3.6e6, offset(1e-15));
        assertThat(m.timeouts()).isEqualTo(1);
        assertThat(m.simSeconds()).isEqualTo(2.0);
        assertThat(m.jobsPerSecond()).isEqualTo(2.0);
        assertThat(m.passes()).isEqualTo(8);
        assertThat(m.users()).extracting(Metrics.UserStats::user).containsExactly("a", "b");
        Metrics.UserStats a = m.users().get(0);
        assertThat(a.jobs()).isEqualTo(2);
        assertThat(a.waitMean()).isEqualTo(45.0);
        assertThat(a.coreSeconds()).isEqualTo(500.0);
        assertThat(a.coreShare()).isCloseTo(500.0 / 960, offset(1e-12));
        assertThat(m.users().get(1).coreShare()).isCloseTo(460.0 / 960, offset(1e-12));
    }

    @Test
    void of_noJobs_isAllZeros() {
        SimulationResult empty = new SimulationResult("fcfs", Results.machine(), List.of(), List.of(), 0, 0);
        Metrics m = Metrics.of(empty, "none");
        assertThat(m.jobs()).isZero();
        assertThat(m.makespan()).isZero();
        assertThat(m.utilization()).isZero();
        assertThat(m.waitMean()).isZero();
        assertThat(m.waitP95()).isZero();
        assertThat(m.energyJoules()).isZero();
    }

    @Test
    void percentiles_nearestRankAndMedian() {
        long[] odd = {1, 2, 3, 4, 5};
        assertThat(Metrics.median(odd)).isEqualTo(3.0);
        assertThat(Metrics.median(new long[] {1, 2, 3, 10})).isEqualTo(2.5);
        long[] hundred = new long[100];
        for (int i = 0; i < 100; i++) hundred[i] = i + 1;
        assertThat(Metrics.nearestRank(hundred, 0.95)).isEqualTo(95);
        assertThat(Metrics.nearestRank(new long[] {7}, 0.95)).isEqualTo(7);
        long[] twenty = new long[20];
        for (int i = 0; i < 20; i++) twenty[i] = i + 1;
        assertThat(Metrics.nearestRank(twenty, 0.95)).isEqualTo(19);
    }
}
