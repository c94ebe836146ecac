package io.bottega.sim;

import io.bottega.core.sched.SchedulerConfig;
import io.bottega.sim.check.ScheduleValidator;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * On random SWF-like workloads (seeded), the simulator gives every job the start time that the plain
 * reference of specs/swf-replay.md gives it, under each policy, and its schedule passes the validator.
 */
class ReferenceEquivalenceProperties {

    static List<ReferenceReplay.Job> randomJobs(long seed, int procs, int count) {
        SplittableRandom r = new SplittableRandom(seed);
        List<ReferenceReplay.Job> jobs = new ArrayList<>();
        long t = 0;
        for (int i = 1; i <= count; i++) {
            t += r.nextInt(4) == 0 ? 0 : r.nextInt(20);
            int p = 1 + (r.nextInt(3) == 0 ? r.nextInt(procs) : r.nextInt(Math.max(1, procs / 4)));
            long est = 1 + r.nextInt(60);
            long run = r.nextInt(5) == 0 ? est + r.nextInt(30) : r.nextInt((int) est + 1); // some are killed at the limit
            jobs.add(new ReferenceReplay.Job(i, t, p, run, est));
        }
        return jobs;
    }

    @Property(tries = 150, seed = "20261127")
    void replay_equalsReference(@ForAll @LongRange(min = 0, max = 1_000_000) long seed,
                                @ForAll @IntRange(min = 1, max = 32) int procs,
                                @ForAll("policies") String policy) {
        List<ReferenceReplay.Job> jobs = randomJobs(seed, procs, 40);
        long[] expected = ReferenceReplay.run(procs, jobs, policy);
        Workload w = Pools.workload(jobs.stream().map(Pools::job).toList());
        SchedulerConfig config = SchedulerConfig.parse(policy);
        Simulator.Replay replay = Simulator.replay(Pools.pool(procs), w, config, ProgressListener.NONE, true);
        long[] actual = replay.result().jobs().stream().mapToLong(JobResult::start).toArray();
        assertThat(actual).as("start times under %s, seed %d, %d procs", policy, seed, procs).containsExactly(expected);
        assertThat(ScheduleValidator.check(Pools.pool(procs), w, config, replay)).isEmpty();
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<String> policies() {
        return net.jqwik.api.Arbitraries.of("fcfs", "easy", "conservative");
    }
}
