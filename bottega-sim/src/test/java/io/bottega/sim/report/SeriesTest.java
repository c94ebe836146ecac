package io.bottega.sim.report;

import io.bottega.sim.SimulationResult.TimelinePoint;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

class SeriesTest {
    @Test
    void timeline_longTimelineIsTimeWeightedInBuckets() {
        // 10,000 points: busy 1 for 1 s, then 0 for 3 s, repeated: mean 0.25 in every bucket
        List<TimelinePoint> tl = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            tl.add(new TimelinePoint(4L * i, 1, 0, 1, 0));
            tl.add(new TimelinePoint(4L * i + 1, 0, 0, 0, 0));
        }
        Series s = Series.timeline("u", tl, p -> p.busyCores(), 0, 20_000, 1, 100);
        assertThat(s.x()).hasSize(100);
        assertThat(s.x()[0]).isEqualTo(100.0);
        for (double y : s.y()) assertThat(y).isCloseTo(0.25, offset(1e-9));
    }

    @Test
    void timeline_shortTimelineKeepsSteps() {
        List<TimelinePoint> tl = List.of(new TimelinePoint(0, 2, 0, 1, 0), new TimelinePoint(10, 5, 0, 1, 0));
        Series s = Series.timeline("u", tl, p -> p.busyCores(), 0, 20, 10, 2000);
        assertThat(s.x()).containsExactly(0, 1, 1, 2);
        assertThat(s.y()).containsExactly(2, 2, 5, 5);
    }

    @Test
    void cdf_sampledAtMostMaxPoints() {
        long[] v = new long[10_000];
        for (int i = 0; i < v.length; i++) v[i] = i < 5000 ? 0 : i;
        Series s = Series.cdf("w", v, 1, 2000);
        assertThat(s.x().length).isLessThanOrEqualTo(2001);
        assertThat(s.y()[1]).isEqualTo(0.5); // half the waits are 0, drawn at 1 s
        assertThat(s.x()[1]).isEqualTo(1.0);
        assertThat(s.y()[s.y().length - 1]).isEqualTo(1.0);
    }

    @Test
    void svgTicks_round() {
        assertThat(SvgChart.ticks(0, 1)).containsExactly(0, 0.2, 0.4, 0.6000000000000001, 0.8, 1);
        assertThat(SvgChart.ticks(0, 333)).containsExactly(0, 100, 200, 300, 400);
    }
}
