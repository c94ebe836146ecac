package io.bottega.sim;

import io.bottega.core.model.Cluster;
import io.bottega.core.model.Demand;
import io.bottega.core.model.JobSpec;
import io.bottega.core.model.NodeSpec;
import io.bottega.core.model.PowerModel;
import io.bottega.core.model.ResourceRequest;
import io.bottega.core.model.Verdict;
import io.bottega.core.sched.SchedulerConfig;
import io.bottega.sim.check.ScheduleValidator;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random clusters (CPU and GPU nodes, several network groups, features, two partitions) and random
 * workloads (single- and multi-node, per-task and per-node GPUs, memory per node or per CPU, exclusive,
 * tasks per node, constraints): under every policy the validator finds nothing wrong, and the same input
 * gives the same schedule.
 */
class ScheduleInvariantsProperties {

    static Cluster randomCluster(SplittableRandom r) {
        Cluster.Builder b = Cluster.builder("random");
        int groups = 1 + r.nextInt(3);
        List<String> gpuNodes = new ArrayList<>();
        List<String> cpuNodes = new ArrayList<>();
        int id = 0;
        for (int g = 0; g < groups; g++) {
            int count = 1 + r.nextInt(4);
            for (int k = 0; k < count; k++) {
                String name = "n" + (id++);
                boolean gpu = r.nextBoolean();
                int cores = gpu ? 8 * (1 + r.nextInt(2)) : 4 + r.nextInt(13);
                long mem = 1000L * (8 + r.nextInt(57));
                Set<String> features = r.nextInt(3) == 0 ? Set.of("fast") : Set.of();
                b.node(new NodeSpec(name, cores, mem, gpu ? 1 + r.nextInt(4) : 0, gpu ? "a100" : "", features,
                        "g" + g, true, new PowerModel(100, 200, 50, 400)));
                (gpu ? gpuNodes : cpuNodes).add(name);
            }
        }
        List<String> all = new ArrayList<>(gpuNodes);
        all.addAll(cpuNodes);
        b.partition("all", all, 3600, 100_000, Integer.MAX_VALUE, true, 1);
        if (!gpuNodes.isEmpty()) b.partition("gpu", gpuNodes, 3600, 100_000, 8, false, 1);
        return b.build();
    }

    static ResourceRequest randomRequest(SplittableRandom r) {
        ResourceRequest.Builder q = ResourceRequest.builder();
        switch (r.nextInt(6)) {
            case 0 -> q.tasks(1 + r.nextInt(8)).cpusPerTask(1 + r.nextInt(3));
            case 1 -> q.nodes(1, 1).gpusPerNode(1 + r.nextInt(2)).cpusPerTask(1 + r.nextInt(4));
            case 2 -> q.nodes(1 + r.nextInt(3), 0).tasksPerNode(1 + r.nextInt(2)).gpusPerTask(1);
            case 3 -> q.nodes(1 + r.nextInt(2), 0).exclusive(true);
            case 4 -> q.tasks(2 + r.nextInt(10)).memPerCpuMb(500 + r.nextInt(2000));
            default -> q.nodes(1, 2).tasks(1 + r.nextInt(4)).memPerNodeMb(1000 + r.nextInt(8000)).cpusPerTask(2);
        }
        if (r.nextInt(8) == 0) q.constraints(List.of("fast"));
        return q.build();
    }

    static Workload randomWorkload(SplittableRandom r, Cluster c, int count) {
        Demand.Resolver resolver = new Demand.Resolver(c);
        List<SimJob> jobs = new ArrayList<>();
        long t = 0;
        for (int i = 1; jobs.size() < count && i < count * 20; i++) {
            t += r.nextInt(3) == 0 ? 0 : r.nextInt(30);
            long limit = 10 + r.nextInt(300);
            long run = r.nextInt(6) == 0 ? limit + 5 : r.nextInt((int) limit + 1);
            String partition = r.nextInt(4) == 0 && c.partition("gpu").isPresent() ? "gpu" : "";
            JobSpec spec = JobSpec.of(i, t, limit, randomRequest(r)).withPartition(partition);
            if (resolver.resolve(spec) instanceof Verdict.Fits) jobs.add(new SimJob(spec, run, 1));
        }
        return Workload.of("random", jobs);
    }

    @Property(tries = 120, seed = "42")
    void replay_passesValidatorAndIsDeterministic(@ForAll @LongRange(min = 0, max = 10_000_000) long seed,
                                                   @ForAll("policies") String policy) {
        SplittableRandom r = new SplittableRandom(seed);
        Cluster c = randomCluster(r);
        Workload w = randomWorkload(r, c, 50);
        SchedulerConfig config = SchedulerConfig.parse(policy);
        Simulator.Replay first = Simulator.replay(c, w, config, ProgressListener.NONE, true);
        assertThat(ScheduleValidator.check(c, w, config, first)).as("seed %d under %s", seed, policy).isEmpty();
        Simulator.Replay second = Simulator.replay(c, w, config, ProgressListener.NONE, true);
        assertThat(second.result().jobs()).isEqualTo(first.result().jobs());
        assertThat(second.allocations()).isEqualTo(first.allocations());
    }

    @Provide
    Arbitrary<String> policies() {
        return Arbitraries.of("fcfs", "easy", "conservative");
    }
}
