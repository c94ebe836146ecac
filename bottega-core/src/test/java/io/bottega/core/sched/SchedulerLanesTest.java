package io.bottega.core.sched;

import io.bottega.core.model.Cluster;
import io.bottega.core.model.Demand;
import io.bottega.core.model.JobSpec;
import io.bottega.core.model.NodeSet;
import io.bottega.core.model.NodeSpec;
import io.bottega.core.model.PowerModel;
import io.bottega.core.model.ResourceRequest;
import io.bottega.core.model.Verdict;
import io.bottega.core.policy.AdvanceReservation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A conservative pass (or an EASY pass's forecast) split into lanes (node-disjoint parts of the machine planned side by side) makes the plan a
 * pass on one thread makes, decision for decision: two schedulers, one with three lanes and one without, run the
 * same passes over the same random workloads (GPU partitions that overlap, two CPU partitions apart from them and
 * from each other, an advance reservation across two parts, jobs that end early), and every plan must be equal.
 */
class SchedulerLanesTest {
    private static final ExecutorService THREADS = Executors.newFixedThreadPool(3);
    /** Every lane on a thread of its own; returns when all are done, with the first failure. */
    private static final LaneRunner SIDE_BY_SIDE = tasks -> {
        List<Future<?>> running = new ArrayList<>();
        for (Runnable t : tasks) running.add(THREADS.submit(t));
        RuntimeException failed = null;
        for (Future<?> f : running) {
            try {
                f.get();
            } catch (InterruptedException | ExecutionException e) {
                if (failed == null) failed = new IllegalStateException(e);
            }
        }
        if (failed != null) throw failed;
    };

    @AfterAll
    static void stop() {
        THREADS.shutdownNow();
    }

    /** g0-g79 (4 GPUs), h0-h29 (2 GPUs), c0-c59 (cpu), d0-d39 (bigmem, a part of its own). */
    private static Cluster cluster() {
        Cluster.Builder b = Cluster.builder("parts");
        List<String> gpu4 = new ArrayList<>(), gpu2 = new ArrayList<>(), cpu = new ArrayList<>(), big = new ArrayList<>();
        for (int i = 0; i < 80; i++) {
            gpu4.add("g" + i);
            b.node(new NodeSpec("g" + i, 32, 256_000, 4, "a100", Set.of(), "grp" + (i / 16), true, PowerModel.NONE));
        }
        for (int i = 0; i < 30; i++) {
            gpu2.add("h" + i);
            b.node(new NodeSpec("h" + i, 16, 128_000, 2, "a100", Set.of(), "grp" + (5 + i / 16), true, PowerModel.NONE));
        }
        for (int i = 0; i < 60; i++) {
            cpu.add("c" + i);
            b.node(new NodeSpec("c" + i, 64, 256_000, 0, "", Set.of(), "cgrp" + (i / 24), true, PowerModel.NONE));
        }
        for (int i = 0; i < 40; i++) {
            big.add("d" + i);
            b.node(new NodeSpec("d" + i, 48, 1_024_000, 0, "", Set.of(), "dgrp" + (i / 16), true, PowerModel.NONE));
        }
        b.partition("gpu", gpu4, 3600, 86_400, Integer.MAX_VALUE, true, 1);
        List<String> mixed = new ArrayList<>(gpu4.subList(60, 80));
        mixed.addAll(gpu2);
        b.partition("mixed", mixed, 3600, 86_400, Integer.MAX_VALUE, false, 1);
        b.partition("cpu", cpu, 3600, 86_400, Integer.MAX_VALUE, false, 1);
        b.partition("bigmem", big, 3600, 86_400, Integer.MAX_VALUE, false, 1);
        return b.build();
    }

    private static JobSpec randomJob(SplittableRandom r, long id, long now) {
        ResourceRequest.Builder q = ResourceRequest.builder();
        String partition;
        switch (r.nextInt(8)) {
            case 0, 1 -> {
                partition = r.nextInt(3) == 0 ? "mixed" : "gpu";
                int g = 1 + r.nextInt(2);
                q.nodes(1, 1).tasks(1).gpusPerNode(g).cpusPerTask(4 * g);
            }
            case 2 -> {
                partition = r.nextInt(4) == 0 ? "mixed" : "gpu";
                int k = 1 << (1 + r.nextInt(3));
                q.nodes(k, k).tasks(k).tasksPerNode(1).gpusPerNode(2).cpusPerTask(8);
            }
            case 3 -> {
                partition = "cpu";
                q.nodes(1, 1).tasks(1 << r.nextInt(7)).cpusPerTask(1);
                if (r.nextBoolean()) q.memPerNodeMb(1000L * (1 + r.nextInt(200)));
            }
            case 4 -> {
                partition = "cpu";
                int k = 1 + r.nextInt(8);
                q.nodes(k, k).tasksPerNode(64).tasks(64 * k).cpusPerTask(1);
            }
            case 5 -> {
                partition = "cpu";
                q.nodes(1 + r.nextInt(2), 2 + r.nextInt(4)).tasks(16 + r.nextInt(200)).cpusPerTask(1);
            }
            case 6 -> {
                partition = "bigmem";
                q.nodes(1, 1).tasks(1 + r.nextInt(48)).cpusPerTask(1).memPerNodeMb(1000L * (1 + r.nextInt(900)));
            }
            default -> {
                partition = "bigmem";
                int k = 1 + r.nextInt(6);
                q.nodes(k, k).tasks(k * 24).tasksPerNode(24).cpusPerTask(2);
            }
        }
        long limit = 60L * (1 + r.nextInt(r.nextInt(4) == 0 ? 1440 : 120));
        String reservation = r.nextInt(25) == 0 ? "window" : "";
        return new JobSpec(id, "j" + id, "u" + r.nextInt(5), "a" + r.nextInt(3), partition, "", now, limit, 0, q.build(), reservation);
    }

    @ParameterizedTest(name = "{0}, seed {1}")
    @CsvSource({"conservative, 1", "conservative, 2", "conservative, 3", "easy, 4", "easy, 5"})
    void lanesMakeThePlanOfOneThread(String policy, long seed) {
        Cluster c = cluster();
        Scheduler split = splitting(c, policy, 3, SIDE_BY_SIDE);
        Scheduler one = new Scheduler(c, SchedulerConfig.parse(policy));
        // across the 2-GPU nodes and the first CPU nodes: two parts
        int from = c.nodeId("h20").orElseThrow(), to = c.nodeId("c10").orElseThrow();
        AdvanceReservation r = new AdvanceReservation("window", NodeSet.range(from, to), 20_000, 60_000, Set.of("u1", "u2"), Set.of(), false);
        int compared = TwinPasses.run(c, split, one, List.of(r), SchedulerLanesTest::randomJob, seed, 50, 600, 80);
        assertThat(compared).as("decisions compared").isGreaterThan(5_000);
        assertThat(split.splitPasses()).as("passes split into lanes").isEqualTo(50);
        assertThat(one.splitPasses()).isZero();
    }

    @Test
    void fcfsForecastsAreNotSplit() {
        Cluster c = cluster();
        Scheduler split = splitting(c, "fcfs", 2, SIDE_BY_SIDE);
        PendingQueue q = randomQueue(c, split, 11, 300);
        Plan plan = split.schedule(0, new ResourceLedger(c), q, Scheduler.Options.WITH_FORECAST);
        assertThat(plan.waits()).isNotEmpty();
        assertThat(split.splitPasses()).isZero();
    }

    @Test
    void aPassWithBudgetsIsNotSplit() {
        Cluster c = cluster();
        Scheduler split = splitting(c, "conservative", 2, SIDE_BY_SIDE);
        ResourceLedger l = new ResourceLedger(c);
        l.setBudgetLeft(Map.of("a0", 1e12));
        PendingQueue q = randomQueue(c, split, 9, 200);
        split.schedule(0, l, q, Scheduler.Options.WITH_FORECAST);
        assertThat(split.splitPasses()).isZero();
    }

    @Test
    void lanesNeedARunner() {
        Scheduler s = new Scheduler(cluster(), SchedulerConfig.parse("conservative"));
        assertThatThrownBy(() -> s.lanes(2, null)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("runner");
        assertThatThrownBy(() -> s.lanes(0, SIDE_BY_SIDE)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1");
    }

    @Test
    void lanesRunInTurnMakeThePlanToo() {
        Cluster c = cluster();
        Scheduler inTurn = splitting(c, "conservative", 2, LaneRunner.IN_TURN);
        int compared = TwinPasses.run(c, inTurn, new Scheduler(c, SchedulerConfig.parse("conservative")), List.of(),
                SchedulerLanesTest::randomJob, 6, 10, 400, 60);
        assertThat(compared).isGreaterThan(500);
        assertThat(inTurn.splitPasses()).isEqualTo(10);
    }

    /** A queue of random jobs, all submitted at 0. */
    private static PendingQueue randomQueue(Cluster c, Scheduler s, long seed, int jobs) {
        PendingQueue q = new PendingQueue(s.config().order());
        Demand.Resolver resolver = new Demand.Resolver(c);
        SplittableRandom random = new SplittableRandom(seed);
        for (int k = 0; k < jobs; k++) {
            JobSpec spec = randomJob(random, k + 1, 0);
            if (resolver.resolve(spec) instanceof Verdict.Fits f) q.add(PendingJob.of(spec, f.demand()));
        }
        return q;
    }

    /** A scheduler of this policy on {@code lanes} lanes, splitting every pass it can (a lane of one job is enough). */
    private static Scheduler splitting(Cluster c, String policy, int lanes, LaneRunner runner) {
        Scheduler s = new Scheduler(c, SchedulerConfig.parse(policy)).lanes(lanes, runner);
        s.laneThreshold(1);
        return s;
    }
}
