package io.bottega.sim.policy;

import io.bottega.core.sched.SchedulerConfig;
import io.bottega.sim.JobResult;
import io.bottega.sim.ProgressListener;
import io.bottega.sim.SimOptions;
import io.bottega.sim.SimulationResult;
import io.bottega.sim.Simulator;
import io.bottega.sim.Workload;
import io.bottega.sim.check.ScheduleValidator;
import io.bottega.sim.trace.Traces;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fair share on a real trace (KTH SP2; SWF user ids as users, group ids as accounts): ordering the queue by
 * multifactor priority with fair share instead of FCFS makes the heaviest users wait longer, relative to everyone
 * else too — the heavy users' advantage shrinks — while the mean wait over all jobs does not grow.
 */
class FairShareReplayTest {
    static Path trace() {
        for (String base : new String[] {System.getProperty("bottega.shared", ""), "../shared", "../../shared"}) {
            Path p = Path.of(base, "traces/swf/KTH-SP2-1996-2.1-cln.swf.gz");
            if (!base.isEmpty() && Files.exists(p)) return p;
        }
        throw new AssertionError("KTH-SP2 trace not found under ../shared/traces/swf (set -Dbottega.shared)");
    }

    /** Mean wait of the given users' jobs, weighted by the cores × seconds of each job. */
    static double weightedWait(List<JobResult> jobs, Set<String> users, boolean in) {
        double w = 0, sum = 0;
        for (JobResult j : jobs) {
            if (users.contains(j.user()) != in) continue;
            double weight = (double) j.cores() * Math.max(1, j.runTime());
            w += weight * j.waitTime();
            sum += weight;
        }
        return w / sum;
    }

    @Test
    void multifactor_shrinksTheHeavyUsersAdvantage() throws Exception {
        Workload w = Traces.load(trace(), Traces.Options.defaults()).workload();
        var machine = w.machine().orElseThrow();
        SchedulerConfig easy = SchedulerConfig.parse("easy");
        SimulationResult fcfs = Simulator.run(machine, w, easy, ProgressListener.NONE);
        Simulator.Replay fairReplay = Simulator.replay(machine, w, easy, SimOptions.multifactor(7 * 86400), ProgressListener.NONE, true);
        SimulationResult fair = fairReplay.result();

        Map<String, Double> usage = new HashMap<>();
        for (JobResult j : fcfs.jobs()) usage.merge(j.user(), (double) j.cores() * j.runTime(), Double::sum);
        Set<String> heavy = usage.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder())).limit(5)
                .map(Map.Entry::getKey).collect(Collectors.toSet());

        double heavyFcfs = weightedWait(fcfs.jobs(), heavy, true), restFcfs = weightedWait(fcfs.jobs(), heavy, false);
        double heavyFair = weightedWait(fair.jobs(), heavy, true), restFair = weightedWait(fair.jobs(), heavy, false);
        System.out.printf("heavy users %s: weighted wait fcfs %.0f s, multifactor %.0f s; others: fcfs %.0f s, multifactor %.0f s%n",
                heavy, heavyFcfs, heavyFair, restFcfs, restFair);
        assertThat(heavyFair).as("the heaviest users wait longer").isGreaterThan(heavyFcfs);
        assertThat(heavyFair / restFair).as("the heavy users' relative position worsens").isGreaterThan(heavyFcfs / restFcfs);
        double meanFcfs = fcfs.jobs().stream().mapToLong(JobResult::waitTime).average().orElseThrow();
        double meanFair = fair.jobs().stream().mapToLong(JobResult::waitTime).average().orElseThrow();
        assertThat(meanFair).as("the mean wait over all jobs does not grow").isLessThanOrEqualTo(meanFcfs);
        assertThat(fair.jobs()).hasSameSizeAs(fcfs.jobs());
        assertThat(fair.policy()).isEqualTo("easy+multifactor");
        // every schedule is still a valid one (capacity, run times, submission order of starts)
        assertThat(ScheduleValidator.check(machine, w, new SchedulerConfig(SchedulerConfig.Backfill.EASY, SchedulerConfig.Order.PRIORITY),
                fairReplay)).isEmpty();
    }
}
