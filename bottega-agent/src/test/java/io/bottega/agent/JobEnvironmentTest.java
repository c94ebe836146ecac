package io.bottega.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import io.bottega.api.agent.GpuInfo;
import io.bottega.api.agent.LaunchRequest;
import io.bottega.api.agent.NodeResources;
import org.junit.jupiter.api.Test;

class JobEnvironmentTest {
    static final NodeResources GPU_NODE = new NodeResources("lrdn0042", 32, 494_000,
            List.of(new GpuInfo(0, "A100", 65536, "g0"), new GpuInfo(1, "A100", 65536, "g1"),
                    new GpuInfo(2, "A100", 65536, "g2"), new GpuInfo(3, "A100", 65536, "g3")),
            List.of(), "cell1", "v2", "dev");

    static LaunchRequest job(Map<String, String> env, List<Integer> cpus, List<Integer> gpus) {
        return new LaunchRequest(77, "alice", 1000, 1000, "#!/bin/sh\n", "/w", env, "", "", "", false, cpus, 0, gpus,
                0, 0, "train", 0, 0, "lrdn[0041-0042]", 1);
    }

    @Test
    void build_gpuJob_setsNodeLocalVariablesOverTheSubmissionOnes() {
        Map<String, String> submitted = Map.of("SLURM_JOB_ID", "77", "SLURM_JOB_NODELIST", "lrdn[0041-0042]",
                "CUDA_VISIBLE_DEVICES", "0,1,2,3", "SLURMD_NODENAME", "login01", "TMPDIR", "/scratch/alice");

        Map<String, String> env = JobEnvironment.build(job(submitted, List.of(4, 5, 6, 7), List.of(3, 2)), GPU_NODE, "/tmp/j77", "/w");

        assertThat(env).containsEntry("CUDA_VISIBLE_DEVICES", "2,3")
                .containsEntry("GPU_DEVICE_ORDINAL", "2,3")
                .containsEntry("SLURM_JOB_GPUS", "2,3")
                .containsEntry("SLURM_STEP_GPUS", "2,3")
                .containsEntry("SLURM_GPUS_ON_NODE", "2")
                .containsEntry("CUDA_DEVICE_ORDER", "PCI_BUS_ID")
                .containsEntry("SLURMD_NODENAME", "lrdn0042")
                .containsEntry("SLURM_NODEID", "1")
                .containsEntry("SLURM_CPUS_ON_NODE", "4")
                .containsEntry("SLURM_JOB_NODELIST", "lrdn[0041-0042]")
                .containsEntry("TMPDIR", "/tmp/j77")
                .containsEntry("ENVIRONMENT", "BATCH")
                .containsEntry("SLURM_JOB_ID", "77")
                .containsEntry("BOTTEGA_JOB_CORES", "4-7");
    }

    @Test
    void build_cpuJobOnGpuNode_hidesTheGpus() {
        Map<String, String> env = JobEnvironment.build(job(Map.of("CUDA_VISIBLE_DEVICES", "0"), List.of(), List.of()),
                GPU_NODE, "/t", "/w");

        assertThat(env).containsEntry("CUDA_VISIBLE_DEVICES", "").doesNotContainKey("SLURM_JOB_GPUS")
                .containsEntry("SLURM_CPUS_ON_NODE", "32").containsKey("PATH");
    }

    @Test
    void build_dropsNamesTheEnvironmentCannotCarry() {
        Map<String, String> env = JobEnvironment.build(job(Map.of("A=B", "x", "-x", "y", "BASH_FUNC_module%%", "() { :; }"),
                List.of(), List.of()), GPU_NODE, "/t", "/w");

        assertThat(env).doesNotContainKeys("A=B", "-x").containsKey("BASH_FUNC_module%%");
    }
}
