package io.bottega.sim.metrics;

import io.bottega.core.model.Cluster;
import io.bottega.core.model.JobState;
import io.bottega.core.model.NodeSpec;
import io.bottega.core.model.Partition;
import io.bottega.core.model.PowerModel;
import io.bottega.sim.JobResult;
import io.bottega.sim.SimulationResult;
import io.bottega.sim.SimulationResult.TimelinePoint;

import java.util.List;
import java.util.Set;

/**
 * A hand-made replay: one 10-core node (idle 100 W, +50 W busy), four jobs.
 * <pre>
 * job user submit start end cores state     energy
 *  1   a     0      0    100   4   COMPLETED 2000
 *  2   a    10    100    110  10   COMPLETED  500
 *  3   b    20     20     25   2   COMPLETED   50
 *  4   b    30    110    200   5   TIMEOUT   2250
 * </pre>
 */
public final class Results {
    private Results() {}

    public static Cluster machine() {
        return Cluster.builder("m10")
                .node(new NodeSpec("m", 10, 0, 0, "", Set.of(), "default", false, new PowerModel(100, 50, 0, 0)))
                .partitionOfAll("batch", Partition.UNLIMITED, Partition.UNLIMITED, true).build();
    }

    public static SimulationResult fourJobs(String policy) {
        List<JobResult> jobs = List.of(
                job(1, "a", 0, 0, 100, 4, JobState.COMPLETED, 2000),
                job(2, "a", 10, 100, 110, 10, JobState.COMPLETED, 500),
                job(3, "b", 20, 20, 25, 2, JobState.COMPLETED, 50),
                job(4, "b", 30, 110, 200, 5, JobState.TIMEOUT, 2250));
        List<TimelinePoint> tl = List.of(
                new TimelinePoint(0, 4, 0, 1, 0), new TimelinePoint(10, 4, 0, 1, 1), new TimelinePoint(20, 6, 0, 2, 1),
                new TimelinePoint(25, 4, 0, 1, 1), new TimelinePoint(30, 4, 0, 1, 2), new TimelinePoint(100, 10, 0, 1, 1),
                new TimelinePoint(110, 5, 0, 1, 0), new TimelinePoint(200, 0, 0, 0, 0));
        return new SimulationResult(policy, machine(), jobs, tl, 2_000_000_000L, 8);
    }

    private static JobResult job(long id, String user, long submit, long start, long end, int cores, JobState s, double e) {
        return new JobResult(id, user, "g" + user, "batch", submit, start, end, 90, 1, cores, cores, 0, 0, "m", s, e);
    }
}
