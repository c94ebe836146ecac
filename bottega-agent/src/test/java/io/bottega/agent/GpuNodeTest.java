package io.bottega.agent;

import static io.bottega.agent.TestJobs.launch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.bottega.api.agent.GpuInfo;
import io.bottega.api.agent.JobOutcome;
import io.bottega.api.agent.LaunchRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** On a machine with NVIDIA GPUs: discovery through nvidia-smi and GPU binding seen by CUDA. Skipped elsewhere. */
class GpuNodeTest {
    @TempDir
    Path tmp;
    private FakeController ctl;
    private Agent agent;

    @BeforeEach
    void setUp() throws Exception {
        boolean smi = Tools.which("nvidia-smi").isPresent();
        if (!smi) System.out.println("agent test: no nvidia-smi here, GPU discovery and CUDA binding not tested");
        assumeTrue(smi, "no nvidia-smi on this machine");
        ctl = new FakeController(300);
        AgentConfig c = AgentConfig.of(ctl.url(), FakeController.KEY, "g" + UUID.randomUUID().toString().substring(0, 8),
                tmp.resolve("spool")).withTmpBase(tmp.resolve("jobtmp")).withTick(Duration.ofMillis(100))
                .withCgroupBase("bottega-test.slice");
        agent = new Agent(c, new HttpControllerLink(c.controllerUrl(), c.clusterKey(), Duration.ofSeconds(10)));
        agent.start();
    }

    @AfterEach
    void tearDown() {
        if (agent != null) agent.close();
        if (ctl != null) ctl.close();
    }

    @Test
    void discover_realGpus_areReported() {
        List<GpuInfo> gpus = agent.resources().gpus();
        System.out.println("agent test: GPUs found " + gpus);

        assertThat(gpus).isNotEmpty().isEqualTo(NvidiaSmi.query());
        assertThat(gpus.getFirst().uuid()).startsWith("GPU-");
        assertThat(gpus.getFirst().memoryMb()).isPositive();
    }

    @Test
    void launch_gpuJob_cudaSeesOnlyItsGpus() throws Exception {
        Path work = TestJobs.sharedDir(tmp, "work");
        String script = """
                #!/bin/bash
                echo "cuda=$CUDA_VISIBLE_DEVICES"
                python3 -c 'import torch; print("count=%d" % torch.cuda.device_count())' 2>/dev/null || echo "count=unknown"
                """;
        long withGpu = TestJobs.nextId();
        long without = TestJobs.nextId();
        ctl.launch(withPath(TestJobs.withResources(launch(withGpu, work, script, "g1"), List.of(), List.of(0))));
        ctl.launch(withPath(launch(without, work, script, "g2")));

        JobOutcome a = ctl.awaitResult(withGpu, Duration.ofSeconds(60));
        JobOutcome b = ctl.awaitResult(without, Duration.ofSeconds(60));

        String outA = TestJobs.read(work.resolve(withGpu + ".out"));
        String outB = TestJobs.read(work.resolve(without + ".out"));
        System.out.println("agent test: job with GPU 0 printed " + outA.replace('\n', ' ') + "; job without GPU printed "
                + outB.replace('\n', ' '));
        assertThat(a.state()).isEqualTo(JobOutcome.COMPLETED);
        assertThat(b.state()).isEqualTo(JobOutcome.COMPLETED);
        assertThat(outA).startsWith("cuda=0\n");
        assertThat(outB).startsWith("cuda=\n");
        if (!outA.contains("count=unknown")) {
            assertThat(outA).contains("count=1\n");
            assertThat(outB).contains("count=0\n");
        }
    }

    private static LaunchRequest withPath(LaunchRequest r) {
        Map<String, String> env = new HashMap<>(r.env());
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        return new LaunchRequest(r.jobId(), r.user(), r.uid(), r.gid(), r.script(), r.workDir(), env, r.stdoutPath(),
                r.stderrPath(), r.stdinPath(), r.appendOutput(), r.cpus(), r.memoryLimitMb(), r.gpus(), r.timeLimitSeconds(),
                r.killGraceSeconds(), r.jobName(), r.arrayJobId(), r.arrayTaskId(), r.nodeList(), r.nodeIndex());
    }
}
