package io.bottega.server.steps;

import io.bottega.api.StepRequest;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StepPlacerTest {
    /** {@code n} nodes n1..n{n}, each with cores 0..cores-1 and GPUs 0..gpus-1 of the job, {@code tasks} job tasks each. */
    static JobShape shape(int n, int cores, int gpus, int tasks, int cpusPerTask) {
        List<JobShape.Node> nodes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] c = new int[cores];
            for (int k = 0; k < cores; k++) c[k] = k;
            int[] g = new int[gpus];
            for (int k = 0; k < gpus; k++) g[k] = k;
            nodes.add(new JobShape.Node("n" + (i + 1), c, g, 1000, tasks));
        }
        return new JobShape(nodes, cpusPerTask, n * tasks);
    }

    static StepRequest req(int nodes, int ntasks, int tpn, int cpt, int gpt, boolean exact, boolean overlap, String nodeList) {
        return new StepRequest("", List.of("hostname"), "/tmp", Map.of(), nodes, ntasks, tpn, cpt, gpt, 0, nodeList, exact, overlap,
                "", "", 0, "", 0, "", "", "", "all", false, false);
    }

    static BitSet[] free(int n) {
        BitSet[] b = new BitSet[n];
        for (int i = 0; i < n; i++) b[i] = new BitSet();
        return b;
    }

    @Test
    void place_threeNodesSixTasks_twoPerNodeBlockRanks() throws Exception {
        JobShape job = shape(3, 2, 0, 2, 1);
        StepPlacer.Placement p = StepPlacer.place(job, free(3), free(3), req(3, 6, 0, 0, 0, false, false, ""));
        assertThat(p.ntasks()).isEqualTo(6);
        assertThat(p.nodes()).extracting(StepPlacer.NodeSlot::name).containsExactly("n1", "n2", "n3");
        assertThat(p.nodes().get(1).tasks()).extracting(StepPlacer.TaskSlot::rank).containsExactly(2, 3);
        assertThat(p.nodes().get(1).tasks()).extracting(StepPlacer.TaskSlot::localId).containsExactly(0, 1);
        assertThat(p.nodes().get(0).tasks().get(0).cpus()).containsExactly(0);
        assertThat(p.nodes().get(0).tasks().get(1).cpus()).containsExactly(1);
    }

    static StepRequest bind(String cpuBind, String gpuBind, int gpt) {
        return new StepRequest("", List.of("x"), "/tmp", Map.of(), 1, 2, 0, 0, gpt, 0, "", true, false, cpuBind, gpuBind, 0, "", 0, "",
                "", "", "all", false, false);
    }

    @Test
    void place_nothingAsked_takesTheJobsOwnLayout() throws Exception {
        JobShape job = shape(2, 4, 0, 3, 1);
        StepPlacer.Placement p = StepPlacer.place(job, free(2), free(2), req(0, 0, 0, 0, 0, false, false, ""));
        assertThat(p.ntasks()).isEqualTo(6);
        assertThat(p.tasksPerNode()).containsExactly(3, 3);
        assertThat(p.cpus()).isEqualTo(8);   // without --exact: all of the job's CPUs on each node
    }

    @Test
    void place_nodesAlone_oneTaskPerNode() throws Exception {
        StepPlacer.Placement p = StepPlacer.place(shape(3, 4, 0, 4, 1), free(3), free(3), req(2, 0, 0, 0, 0, false, false, ""));
        assertThat(p.tasksPerNode()).containsExactly(1, 1);
        assertThat(p.nodeNames()).containsExactly("n1", "n2");
    }

    @Test
    void place_tasksWithoutNodes_fillsAsFewNodesAsHoldThem() throws Exception {
        StepPlacer.Placement p = StepPlacer.place(shape(3, 4, 0, 4, 1), free(3), free(3), req(0, 6, 0, 0, 0, false, false, ""));
        assertThat(p.tasksPerNode()).containsExactly(3, 3);
        p = StepPlacer.place(shape(3, 4, 0, 4, 2), free(3), free(3), req(0, 2, 0, 0, 0, false, false, ""));
        assertThat(p.tasksPerNode()).containsExactly(2);
        assertThat(p.nodes().get(0).tasks().get(1).cpus()).containsExactly(2, 3);
    }

    @Test
    void place_unevenJobNodes_tasksFollowWhatEachNodeHolds() throws Exception {
        List<JobShape.Node> nodes = List.of(new JobShape.Node("a", new int[] {0, 1, 2, 3}, new int[0], 1, 4),
                new JobShape.Node("b", new int[] {5}, new int[0], 1, 1), new JobShape.Node("c", new int[] {7}, new int[0], 1, 1));
        StepPlacer.Placement p = StepPlacer.place(new JobShape(nodes, 1, 6), free(3), free(3), req(3, 6, 0, 0, 0, false, false, ""));
        assertThat(p.tasksPerNode()).containsExactly(4, 1, 1);
        assertThat(p.nodes().get(1).tasks().get(0).cpus()).containsExactly(5);
    }

    @Test
    void place_tasksPerNode_andNodeList() throws Exception {
        StepPlacer.Placement p = StepPlacer.place(shape(3, 4, 0, 4, 1), free(3), free(3), req(0, 0, 1, 0, 0, false, false, ""));
        assertThat(p.tasksPerNode()).containsExactly(1, 1, 1);
        p = StepPlacer.place(shape(3, 4, 0, 4, 1), free(3), free(3), req(0, 0, 0, 0, 0, false, false, "n[2-3]"));
        assertThat(p.nodeNames()).containsExactly("n2", "n3");
        assertThat(p.nodes().get(0).tasks().get(0).rank()).isZero();
        assertThatThrownBy(() -> StepPlacer.place(shape(3, 4, 0, 4, 1), free(3), free(3), req(0, 0, 0, 0, 0, false, false, "x9")))
                .isInstanceOf(StepPlacer.Refused.class).hasMessageContaining("x9 is not in the job's allocation");
    }

    @Test
    void place_twoExactStepsWithAGpuEach_getDisjointCoresAndGpus_aThirdWaits() throws Exception {
        JobShape job = shape(1, 4, 2, 2, 1);
        JobSteps js = new JobSteps(job, "alice");
        StepRequest one = req(1, 1, 0, 0, 1, true, false, "");
        StepPlacer.Placement a = StepPlacer.place(job, js.busyCores, js.busyGpus, one);
        js.hold(a);
        StepPlacer.Placement b = StepPlacer.place(job, js.busyCores, js.busyGpus, one);
        js.hold(b);
        assertThat(Arrays.stream(a.nodes().get(0).gpus()).boxed().toList())
                .doesNotContainAnyElementsOf(Arrays.stream(b.nodes().get(0).gpus()).boxed().toList());
        assertThat(Arrays.stream(a.nodes().get(0).cores()).boxed().toList())
                .doesNotContainAnyElementsOf(Arrays.stream(b.nodes().get(0).cores()).boxed().toList());
        assertThat(a.nodes().get(0).tasks().get(0).gpus()).hasSize(1);
        assertThatThrownBy(() -> StepPlacer.place(job, js.busyCores, js.busyGpus, one))
                .isInstanceOf(StepPlacer.Refused.class).satisfies(e -> assertThat(((StepPlacer.Refused) e).temporary()).isTrue());
        // --overlap does not wait, and holds nothing
        StepPlacer.Placement c = StepPlacer.place(job, js.busyCores, js.busyGpus, req(1, 1, 0, 0, 1, true, true, ""));
        js.hold(c);
        js.release(a);
        assertThat(StepPlacer.place(job, js.busyCores, js.busyGpus, one).nodes().get(0).gpus()).containsExactly(a.nodes().get(0).gpus());
    }

    @Test
    void place_withoutExact_aSecondStepOnTheSameNodesWaits() throws Exception {
        JobShape job = shape(1, 4, 0, 4, 1);
        JobSteps js = new JobSteps(job, "alice");
        js.hold(StepPlacer.place(job, js.busyCores, js.busyGpus, req(1, 1, 0, 0, 0, false, false, "")));
        assertThatThrownBy(() -> StepPlacer.place(job, js.busyCores, js.busyGpus, req(1, 1, 0, 0, 0, true, false, "")))
                .isInstanceOf(StepPlacer.Refused.class).hasMessageContaining("busy");
    }

    @Test
    void place_moreThanTheJobHolds_isRefusedForGood() {
        assertThatThrownBy(() -> StepPlacer.place(shape(2, 2, 0, 2, 1), free(2), free(2), req(0, 5, 0, 0, 0, false, false, "")))
                .isInstanceOf(StepPlacer.Refused.class).hasMessageContaining("More processors requested than permitted")
                .satisfies(e -> assertThat(((StepPlacer.Refused) e).temporary()).isFalse());
        assertThatThrownBy(() -> StepPlacer.place(shape(2, 2, 2, 2, 1), free(2), free(2), req(1, 1, 0, 0, 3, false, false, "")))
                .isInstanceOf(StepPlacer.Refused.class).hasMessageContaining("GPU");
        assertThatThrownBy(() -> StepPlacer.place(shape(2, 2, 0, 2, 1), free(2), free(2), req(3, 3, 0, 0, 0, false, false, "")))
                .isInstanceOf(StepPlacer.Refused.class).hasMessageContaining("-N 3 but the job has 2 nodes");
    }

    @Test
    void place_bindings() throws Exception {
        JobShape job = shape(1, 4, 2, 2, 1);
        assertThat(StepPlacer.place(job, free(1), free(1), bind("none", "", 0)).nodes().get(0).tasks().get(1).cpus()).isEmpty();
        assertThat(StepPlacer.place(job, free(1), free(1), bind("verbose,rank", "", 0)).cpuBind()).isEqualTo("verbose,cores");
        assertThat(StepPlacer.place(job, free(1), free(1), bind("map_cpu:3,1", "", 0)).nodes().get(0).tasks().get(1).cpus())
                .containsExactly(1);
        assertThat(StepPlacer.place(job, free(1), free(1), bind("", "none", 1)).nodes().get(0).tasks().get(0).gpus()).hasSize(2);
        assertThat(StepPlacer.place(job, free(1), free(1), bind("", "", 1)).nodes().get(0).tasks().get(0).gpus()).hasSize(1);
        assertThat(StepPlacer.place(job, free(1), free(1), bind("", "map_gpu:1,0", 1)).nodes().get(0).tasks().get(0).gpus())
                .containsExactly(1);
        assertThatThrownBy(() -> StepPlacer.place(job, free(1), free(1), bind("sockets", "", 0)))
                .hasMessageContaining("--cpu-bind=sockets is not supported");
        assertThatThrownBy(() -> StepPlacer.place(job, free(1), free(1), bind("", "single:1", 0)))
                .hasMessageContaining("--gpu-bind=single:1 is not supported");
    }
}
