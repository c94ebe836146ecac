package io.bottega.sim;

import io.bottega.core.model.Cluster;
import io.bottega.core.sched.SchedulerConfig;
import io.bottega.sim.check.ScheduleValidator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static io.bottega.sim.Pools.job;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Small schedules computed by hand (see the comments) on a machine of 10 processors.
 *
 * <pre>
 * job submit procs run est
 *  1     0     6    10  10
 *  2     0     6     5  20
 *  3     1     4     3   5
 *  4     2     2    20  20
 *  5     3     4     2   2
 * fcfs: 1@0; 2 blocks everyone until 1 ends at 10: 2@10, 3@10; 3 ends 13: 4@13; 2 ends 15: 5@15.
 * easy: 2 gets the shadow time 10 (extra 4); 3@1 ends by 6 ≤ 10; 3 ends at 4; 4@4 runs past 10 on
 *       2 ≤ extra 4 procs; 2@10; then 5 is head (shadow 24), 2 ends early at 15: 5@15.
 * conservative: 2 reserved at 10; 3@1 (fits before 10); 4 reserved at 6, 5 at 26; 3 ends at 4: compression
 *       moves 4 to 4 (now) and 5 to 24; 2@10; 2 ends at 15: 5@15.
 * </pre>
 */
class GoldenScheduleTest {
    private static final List<SimJob> JOBS = List.of(
            job(1, 0, 6, 10, 10), job(2, 0, 6, 5, 20), job(3, 1, 4, 3, 5), job(4, 2, 2, 20, 20), job(5, 3, 4, 2, 2));

    @ParameterizedTest
    @CsvSource({"fcfs, 0, 10, 10, 13, 15", "easy, 0, 10, 1, 4, 15", "conservative, 0, 10, 1, 4, 15"})
    void replay_handComputedStarts(String policy, long s1, long s2, long s3, long s4, long s5) {
        Cluster pool = Pools.pool(10);
        SchedulerConfig config = SchedulerConfig.parse(policy);
        Workload w = Pools.workload(JOBS);
        Simulator.Replay r = Simulator.replay(pool, w, config, ProgressListener.NONE, true);
        assertThat(r.result().jobs()).extracting(JobResult::start).containsExactly(s1, s2, s3, s4, s5);
        assertThat(ScheduleValidator.check(pool, w, config, r)).isEmpty();
    }

    /**
     * EASY protects only the head: a backfilled job may delay the second job, which conservative forbids.
     * <pre>
     * job submit procs run est
     *  1     0    10     5  10   running until 5 (estimate 10)
     *  2     0     6    10  10   head: shadow 10, extra 4
     *  3     0     8    10  10   second in line
     *  4     1     4    50  50   easy: free 0 at 1 → waits
     * at 5 job 1 ends early: easy starts 2@5 (till 15 by estimate); 3 is head with shadow 15, extra 2;
     *   4 (4 procs, ends 55 > 15, 4 > extra 2) must wait: 3@15, then 4 when 2 and 3 have room: 3 ends 25 → 4@15?
     * </pre>
     * Rather than reason it out twice, this case is checked against the reference implementation below.
     */
    @ParameterizedTest
    @CsvSource({"fcfs", "easy", "conservative"})
    void replay_matchesReferenceOnSmallCase(String policy) {
        List<ReferenceReplay.Job> jobs = List.of(new ReferenceReplay.Job(1, 0, 10, 5, 10),
                new ReferenceReplay.Job(2, 0, 6, 10, 10), new ReferenceReplay.Job(3, 0, 8, 10, 10),
                new ReferenceReplay.Job(4, 1, 4, 50, 50), new ReferenceReplay.Job(5, 2, 2, 3, 4));
        long[] expected = ReferenceReplay.run(10, jobs, policy);
        SimulationResult r = Simulator.run(Pools.pool(10), Pools.workload(jobs.stream().map(Pools::job).toList()),
                SchedulerConfig.parse(policy), ProgressListener.NONE);
        assertThat(r.jobs()).extracting(JobResult::start).containsExactly(expected[0], expected[1], expected[2],
                expected[3], expected[4]);
    }
}
