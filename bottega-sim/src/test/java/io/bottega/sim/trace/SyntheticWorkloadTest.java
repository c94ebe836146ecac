package io.bottega.sim.trace;

import io.bottega.core.model.Cluster;
import io.bottega.sim.SimJob;
import io.bottega.sim.cluster.ClusterPresets;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class SyntheticWorkloadTest {
    @Test
    void generate_sameSeedSameJobs_otherSeedOtherJobs() {
        Cluster c = ClusterPresets.byName("leonardo");
        List<SimJob> a = SyntheticWorkload.builder(c).jobs(2000).seed(42).generate().workload().jobs();
        List<SimJob> b = SyntheticWorkload.builder(c).jobs(2000).seed(42).generate().workload().jobs();
        List<SimJob> other = SyntheticWorkload.builder(c).jobs(2000).seed(43).generate().workload().jobs();
        assertThat(a).isEqualTo(b);
        assertThat(a).isNotEqualTo(other);
    }

    @Test
    void generate_leonardo_everyJobFitsAndEstimatesCoverRuns() {
        Cluster c = ClusterPresets.byName("leonardo");
        LoadedTrace t = SyntheticWorkload.builder(c).jobs(20_000).seed(7).generate();
        JobChecker check = new JobChecker(c);
        Set<String> partitions = new HashSet<>();
        Set<Integer> gpuCounts = new HashSet<>();
        int multiNode = 0;
        long prevSubmit = -1, prevId = 0;
        for (SimJob j : t.workload().jobs()) {
            assertThat(check.check(j.spec())).as("job %d", j.id()).isEmpty();
            assertThat(j.spec().timeLimit()).isGreaterThanOrEqualTo(j.runTime());
            assertThat(j.runTime()).isPositive();
            assertThat(j.spec().submitTime()).isGreaterThanOrEqualTo(prevSubmit);
            assertThat(j.id()).isEqualTo(prevId + 1);
            prevSubmit = j.spec().submitTime();
            prevId = j.id();
            partitions.add(j.spec().partition());
            gpuCounts.add(j.spec().resources().gpusPerNode());
            if (j.spec().resources().nodesMin() > 1) multiNode++;
        }
        assertThat(partitions).containsExactlyInAnyOrder("boost_usr_prod", "dcgp_usr_prod");
        assertThat(gpuCounts).contains(0, 1, 4);
        assertThat(multiNode).isPositive();
    }

    @Test
    void generate_offeredLoadIsTheTarget() {
        Cluster c = ClusterPresets.byName("small-gpu"); // GPU only
        LoadedTrace t = SyntheticWorkload.builder(c).jobs(20_000).seed(3).load(0.7).generate();
        double gpuSeconds = 0;
        long last = 0;
        for (SimJob j : t.workload().jobs()) {
            var q = j.spec().resources();
            gpuSeconds += (double) j.runTime() * q.gpusPerNode() * Math.max(1, q.nodesMin());
            last = Math.max(last, j.spec().submitTime());
        }
        double offered = gpuSeconds / (c.totalGpus() * (double) last);
        assertThat(offered).isBetween(0.69, 0.71);
    }

    @Test
    void generate_leonardo_bothPartitionsGetTheTargetLoad() {
        Cluster c = ClusterPresets.byName("leonardo");
        LoadedTrace t = SyntheticWorkload.builder(c).jobs(50_000).seed(11).load(0.8).generate();
        double gpuSeconds = 0, cpuCoreSeconds = 0;
        long last = 0;
        for (SimJob j : t.workload().jobs()) {
            var q = j.spec().resources();
            if (j.spec().partition().equals("boost_usr_prod")) {
                gpuSeconds += (double) j.runTime() * q.gpusPerNode() * Math.max(1, q.nodesMin());
            } else {
                long cores = q.tasks() > 0 ? (long) q.tasks() * Math.max(1, q.cpusPerTask()) : (long) q.nodesMin() * q.tasksPerNode();
                cpuCoreSeconds += (double) j.runTime() * cores;
            }
            last = Math.max(last, j.spec().submitTime());
        }
        assertThat(gpuSeconds / (13_824.0 * last)).isBetween(0.7, 0.9);
        assertThat(cpuCoreSeconds / (1_536 * 112.0 * last)).isBetween(0.7, 0.9);
    }

    @Test
    void generate_usersFollowAZipfLaw() {
        LoadedTrace t = SyntheticWorkload.builder(ClusterPresets.byName("small-cpu")).jobs(20_000).seed(5).users(100).generate();
        long top = t.workload().jobs().stream().filter(j -> j.spec().user().equals("user001")).count();
        long tenth = t.workload().jobs().stream().filter(j -> j.spec().user().equals("user010")).count();
        assertThat(top).isGreaterThan(5 * tenth);
        assertThat(t.workload().jobs()).allMatch(j -> j.spec().account().startsWith("proj") && j.spec().partition().equals("cpu"));
    }

    @Test
    void generate_aMillionJobs() {
        LoadedTrace t = SyntheticWorkload.builder(ClusterPresets.byName("leonardo")).jobs(1_000_000).seed(1).generate();
        System.out.printf("synthetic: 1,000,000 jobs in %.2f s%n", t.parseSeconds());
        assertThat(t.workload().jobs()).hasSize(1_000_000);
        assertThat(t.workload().jobs().get(999_999).id()).isEqualTo(1_000_000);
        // shared requests: a handful of distinct shapes, not a million
        assertThat(t.workload().jobs().stream().map(j -> j.spec().resources()).distinct().count()).isLessThan(40);
    }
}
