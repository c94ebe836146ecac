package io.bottega.core.sched;

import io.bottega.core.model.Cluster;
import io.bottega.core.model.JobSpec;
import io.bottega.core.model.NodeSet;
import io.bottega.core.model.NodeSpec;
import io.bottega.core.model.PowerModel;
import io.bottega.core.model.ResourceRequest;
import io.bottega.core.policy.AdvanceReservation;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The profile's searches through the {@link StartIndex} give exactly the slots a scan of every node gives: two
 * schedulers, one that always uses the index and one that never does, run the same passes over the same random
 * workloads on a machine of mixed node shapes (GPU nodes of 4 and 2 GPUs, CPU nodes, a partition spanning two
 * shapes, a feature few nodes have, an advance reservation), and every plan must be equal.
 */
class StartIndexTest {

    private static Cluster cluster() {
        Cluster.Builder b = Cluster.builder("mixed");
        List<String> gpu4 = new ArrayList<>(), gpu2 = new ArrayList<>(), cpu = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            String name = "g" + i;
            gpu4.add(name);
            b.node(new NodeSpec(name, 32, 256_000, 4, "a100", Set.of(), "grp" + (i / 16), true, PowerModel.NONE));
        }
        for (int i = 0; i < 30; i++) {
            String name = "h" + i;
            gpu2.add(name);
            b.node(new NodeSpec(name, 16, 128_000, 2, "a100", Set.of(), "grp" + (8 + i / 16), true, PowerModel.NONE));
        }
        for (int i = 0; i < 90; i++) {
            String name = "c" + i;
            cpu.add(name);
            b.node(new NodeSpec(name, 64, 256_000, 0, "", i % 9 == 0 ? Set.of("hm") : Set.of(), "cgrp" + (i / 24), true, PowerModel.NONE));
        }
        b.partition("gpu", gpu4, 3600, 86_400, Integer.MAX_VALUE, false, 1);
        List<String> mixed = new ArrayList<>(gpu4);
        mixed.addAll(gpu2);
        b.partition("mixed", mixed, 3600, 86_400, Integer.MAX_VALUE, false, 1);
        b.partition("cpu", cpu, 3600, 86_400, Integer.MAX_VALUE, true, 1);
        return b.build();
    }

    private static JobSpec randomJob(SplittableRandom r, long id, long now) {
        ResourceRequest.Builder q = ResourceRequest.builder();
        String partition;
        switch (r.nextInt(9)) {
            case 0, 1 -> { // a few GPUs on one node
                partition = r.nextInt(3) == 0 ? "mixed" : "gpu";
                int g = 1 + r.nextInt(2);
                q.nodes(1, 1).tasks(1).gpusPerNode(g).cpusPerTask(4 * g);
            }
            case 2 -> { // a whole GPU node
                partition = "gpu";
                q.nodes(1, 1).tasks(1).gpusPerNode(4).cpusPerTask(32).exclusive(r.nextBoolean());
            }
            case 3 -> { // several whole GPU nodes, one task each
                partition = r.nextInt(4) == 0 ? "mixed" : "gpu";
                int k = 1 << (1 + r.nextInt(4));
                q.nodes(k, k).tasks(k).tasksPerNode(1).gpusPerNode(2).cpusPerTask(8);
            }
            case 4 -> { // cores on one CPU node, some with memory per node
                partition = "cpu";
                q.nodes(1, 1).tasks(1 << r.nextInt(7)).cpusPerTask(1);
                if (r.nextBoolean()) q.memPerNodeMb(1000L * (1 + r.nextInt(200)));
            }
            case 5 -> { // whole CPU nodes
                partition = "cpu";
                int k = 1 + r.nextInt(8);
                q.nodes(k, k).tasksPerNode(64).tasks(64 * k).cpusPerTask(1);
            }
            case 6 -> { // tasks spread over a range of nodes
                partition = "cpu";
                q.nodes(1 + r.nextInt(2), 2 + r.nextInt(4)).tasks(16 + r.nextInt(200)).cpusPerTask(1);
            }
            case 7 -> { // a feature few nodes have
                partition = "cpu";
                q.nodes(1, 1).tasks(1 + r.nextInt(32)).cpusPerTask(1).constraints(List.of("hm"));
            }
            default -> { // GPUs per task over a few nodes
                partition = "gpu";
                int k = 1 + r.nextInt(3);
                q.nodes(k, k).tasks(2 * k).tasksPerNode(2).gpusPerTask(1 + r.nextInt(2)).cpusPerTask(2);
            }
        }
        long limit = 60L * (1 + r.nextInt(r.nextInt(4) == 0 ? 1440 : 120));
        String reservation = r.nextInt(25) == 0 ? "window" : "";
        return new JobSpec(id, "j" + id, "u" + r.nextInt(5), "a" + r.nextInt(3), partition, "", now, limit, 0, q.build(), reservation);
    }

    @ParameterizedTest(name = "{0}, seed {1}")
    @CsvSource({"conservative, 1", "conservative, 2", "conservative, 3", "easy, 4", "easy, 5"})
    void indexedSearchesGiveTheSlotsOfAFullScan(String policy, long seed) {
        Cluster c = cluster();
        Scheduler indexed = new Scheduler(c, SchedulerConfig.parse(policy));
        indexed.profileIndex(Profile.IndexUse.ALWAYS);
        Scheduler scanned = new Scheduler(c, SchedulerConfig.parse(policy));
        scanned.profileIndex(Profile.IndexUse.NEVER);
        int window = c.nodeId("g40").orElseThrow();
        AdvanceReservation r = new AdvanceReservation("window", NodeSet.range(window, window + 24), 20_000, 60_000,
                Set.of("u1", "u2"), Set.of(), false);
        int compared = TwinPasses.run(c, indexed, scanned, List.of(r), StartIndexTest::randomJob, seed, 60, 400, 60);
        assertThat(compared).as("decisions compared").isGreaterThan(5_000);
        assertThat(indexed.indexedSearches()).as("searches the index answered").isGreaterThan(5_000);
        assertThat(scanned.indexedSearches()).isZero();
    }

    /** Nodes of 300 shapes (each a different memory size): more classes than a byte can number. */
    @ParameterizedTest(name = "{0}, seed {1}")
    @CsvSource({"conservative, 21", "easy, 22"})
    void aMachineOfManyNodeShapesGivesTheSlotsOfAFullScan(String policy, long seed) {
        Cluster.Builder b = Cluster.builder("shapes");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            names.add("n" + i);
            b.node(new NodeSpec("n" + i, 16, 64_000 + 100L * i, 0, "", Set.of(), "grp" + (i / 32), true, PowerModel.NONE));
        }
        b.partition("all", names, 3600, 86_400, Integer.MAX_VALUE, true, 1);
        Cluster c = b.build();
        Scheduler indexed = new Scheduler(c, SchedulerConfig.parse(policy));
        indexed.profileIndex(Profile.IndexUse.ALWAYS);
        Scheduler scanned = new Scheduler(c, SchedulerConfig.parse(policy));
        scanned.profileIndex(Profile.IndexUse.NEVER);
        TwinPasses.Jobs jobs = (r, id, now) -> {
            ResourceRequest.Builder q = ResourceRequest.builder();
            if (r.nextBoolean()) q.nodes(1, 1).tasks(1 + r.nextInt(16)).cpusPerTask(1);
            else {
                int k = 2 + r.nextInt(6);
                q.nodes(k, k).tasks(16 * k).tasksPerNode(16).cpusPerTask(1);
            }
            ResourceRequest req = q.build();
            long limit = 60L * (1 + r.nextInt(240));
            return new JobSpec(id, "j" + id, "u" + r.nextInt(5), "a", "all", "", now, limit, 0, req, "");
        };
        int compared = TwinPasses.run(c, indexed, scanned, List.of(), jobs, seed, 20, 600, 80);
        assertThat(compared).as("decisions compared").isGreaterThan(2_000);
        assertThat(indexed.indexedSearches()).as("searches the index answered").isGreaterThan(1_000);
    }

    /**
     * A first pass over a deep queue (no job holds a reservation yet, as after a controller's start): the profile
     * only loses resources, so the multi-node searches lean on what earlier searches of the same shape learnt.
     */
    @ParameterizedTest(name = "seed {0}")
    @CsvSource({"11", "12", "13"})
    void aFirstPassOverADeepQueueGivesTheSlotsOfAFullScan(long seed) {
        Cluster c = cluster();
        Scheduler indexed = new Scheduler(c, SchedulerConfig.parse("conservative"));
        indexed.profileIndex(Profile.IndexUse.ALWAYS);
        Scheduler scanned = new Scheduler(c, SchedulerConfig.parse("conservative"));
        scanned.profileIndex(Profile.IndexUse.NEVER);
        int compared = TwinPasses.run(c, indexed, scanned, List.of(), StartIndexTest::randomJob, seed, 1, 3_000, 1);
        assertThat(compared).as("decisions compared").isGreaterThan(2_500);
    }
}
