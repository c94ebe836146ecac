package io.bottega.agent;

import static io.bottega.agent.TestJobs.processesMarked;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import io.bottega.api.agent.JobOutcome;
import io.bottega.api.agent.StepIo;
import io.bottega.api.agent.StepLaunch;
import io.bottega.api.agent.StepOutcome;
import io.bottega.api.agent.StepSignal;
import io.bottega.api.agent.StepTask;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Job steps on a real agent (real processes, as another user when root) against a controller on loopback, with
 * the test as {@code srun}: it listens, the agent connects back, the tasks' output, exit statuses and the step's
 * end arrive in frames ({@link StepIo}); stdin goes the other way; the step is stopped by a signal from the
 * controller and by srun going away.
 */
class AgentStepsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path tmp;
    private FakeController ctl;
    private Agent agent;
    private Path work;
    private final String node = "s" + UUID.randomUUID().toString().substring(0, 8);
    private final String mark = "step-" + UUID.randomUUID();
    private ServerSocket srun;

    @BeforeEach
    void setUp() throws IOException {
        ctl = new FakeController(300);
        work = TestJobs.sharedDir(tmp, "work");
        AgentConfig c = AgentConfig.of(ctl.url(), FakeController.KEY, node, tmp.resolve("spool"))
                .withTmpBase(tmp.resolve("jobtmp")).withKillGrace(Duration.ofSeconds(1)).withTick(Duration.ofMillis(100))
                .withRetryMax(Duration.ofMillis(500)).withCgroupBase("bottega-test.slice")
                .withDeclared(DeclaredResources.DETECT.withCores(4).withGpus(2, "emulated-a100"));
        agent = new Agent(c, new HttpControllerLink(c.controllerUrl(), c.clusterKey(), Duration.ofSeconds(10)));
        agent.start();
        srun = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    @AfterEach
    void tearDown() throws IOException {
        agent.close();
        ctl.close();
        srun.close();
        for (long pid : processesMarked(mark)) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }

    private StepLaunch step(long job, int step, List<String> argv, int tasks, String stdin, boolean killOnBadExit) {
        List<StepTask> t = new ArrayList<>();
        for (int i = 0; i < tasks; i++) t.add(new StepTask(i, i, List.of(i), List.of(i % 2)));
        return new StepLaunch(job, step, TestJobs.USER, TestJobs.UID, TestJobs.GID, argv, work.toString(),
                Map.of("SLURM_JOB_ID", Long.toString(job), "BOTTEGA_TEST_MARK", mark, "PATH", "/usr/bin:/bin", "HOME", work.toString()),
                t, 0, node, List.of(0, 1, 2, 3), 0, "cores", "127.0.0.1", srun.getLocalPort(), "k3y", "", "", stdin, false,
                killOnBadExit, 0, 1, "test");
    }

    /** What srun received from one node. */
    record Received(String hello, Map<Integer, String> out, Map<Integer, int[]> exits, boolean done) {}

    private Received collect(Socket s) throws IOException {
        Map<Integer, StringBuilder> out = new TreeMap<>();
        Map<Integer, int[]> exits = new ConcurrentHashMap<>();
        String hello = "";
        boolean done = false;
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()))) {
            StepIo.Frame f;
            while ((f = StepIo.read(in)) != null) {
                switch (f.type()) {
                    case StepIo.HELLO -> hello = f.text();
                    case StepIo.STDOUT, StepIo.STDERR -> out.computeIfAbsent(f.task(), k -> new StringBuilder()).append(f.text());
                    case StepIo.EXIT -> exits.put(f.task(), new int[] {f.intAt(0), f.intAt(1)});
                    case StepIo.DONE -> done = true;
                    default -> { }
                }
            }
        }
        Map<Integer, String> text = new TreeMap<>();
        out.forEach((k, v) -> text.put(k, v.toString()));
        return new Received(hello, text, exits, done);
    }

    @Test
    void step_twoTasks_relaysOutputEnvironmentAndExitStatuses() throws Exception {
        long job = TestJobs.nextId();
        ctl.step(step(job, 0, List.of("/bin/sh", "-c", "echo rank=$SLURM_PROCID local=$SLURM_LOCALID gpus=$CUDA_VISIBLE_DEVICES "
                + "node=$SLURMD_NODENAME; exit $SLURM_PROCID"), 2, "none", false));
        srun.setSoTimeout((int) WAIT.toMillis());
        try (Socket s = srun.accept()) {
            Received r = collect(s);
            assertThat(r.hello()).isEqualTo("k3y\n0\n" + node + "\n0,1");
            assertThat(r.out().get(0)).isEqualTo("rank=0 local=0 gpus=0 node=" + node + "\n");
            assertThat(r.out().get(1)).isEqualTo("rank=1 local=1 gpus=1 node=" + node + "\n");
            assertThat(r.exits().get(0)).containsExactly(0, 0);
            assertThat(r.exits().get(1)).containsExactly(1, 0);
            assertThat(r.done()).isTrue();
        }
        StepOutcome o = ctl.awaitStepResult(job + ".0", WAIT);
        assertThat(o.state()).isEqualTo(JobOutcome.FAILED);
        assertThat(o.exitCode()).isEqualTo(1);
        assertThat(o.failedTasks()).containsExactly(1);
        ctl.awaitSync(sync -> sync.stepResults().isEmpty() && !sync.steps().contains(job + ".0") && sync.seq() > 3, WAIT,
                "the acknowledged outcome forgotten");
    }

    @Test
    void step_stdin_reachesTheTaskAndEofEndsIt() throws Exception {
        long job = TestJobs.nextId();
        ctl.step(step(job, 3, List.of("/bin/cat"), 1, "all", false));
        srun.setSoTimeout((int) WAIT.toMillis());
        try (Socket s = srun.accept()) {
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            StepIo.write(out, StepIo.STDIN, -1, "hello step\n".getBytes(StandardCharsets.UTF_8));
            StepIo.write(out, StepIo.STDIN_EOF, -1, new byte[0]);
            out.flush();
            Received r = collect(s);
            assertThat(r.out().get(0)).isEqualTo("hello step\n");
            assertThat(r.exits().get(0)).containsExactly(0, 0);
        }
        assertThat(ctl.awaitStepResult(job + ".3", WAIT).state()).isEqualTo(JobOutcome.COMPLETED);
    }

    @Test
    void step_cancelledByTheController_isTerminatedWithEveryProcess() throws Exception {
        long job = TestJobs.nextId();
        ctl.step(step(job, 1, List.of("/bin/sh", "-c", "sleep 300 & sleep 301; wait"), 2, "none", false));
        srun.setSoTimeout((int) WAIT.toMillis());
        try (Socket s = srun.accept()) {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (processesMarked(mark).size() < 6 && System.nanoTime() < deadline) Thread.sleep(50);
            assertThat(processesMarked(mark)).hasSize(6);
            ctl.stepSignal(new StepSignal(job, StepSignal.ALL_STEPS, 0, "job cancelled"));
            Received r = collect(s);
            assertThat(r.exits()).containsOnlyKeys(0, 1);
            assertThat(r.exits().get(0)[1]).isEqualTo(Signals.SIGTERM);
        }
        StepOutcome o = ctl.awaitStepResult(job + ".1", WAIT);
        assertThat(o.state()).isEqualTo(JobOutcome.CANCELLED);
        assertThat(o.message()).isEqualTo("job cancelled");
        assertThat(processesMarked(mark)).isEmpty();
    }

    @Test
    void step_srunGoesAway_stepIsTerminated() throws Exception {
        long job = TestJobs.nextId();
        ctl.step(step(job, 0, List.of("/bin/sleep", "300"), 1, "none", false));
        srun.setSoTimeout((int) WAIT.toMillis());
        Socket s = srun.accept();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (processesMarked(mark).isEmpty() && System.nanoTime() < deadline) Thread.sleep(50);
        s.close();   // srun killed
        StepOutcome o = ctl.awaitStepResult(job + ".0", WAIT);
        assertThat(o.state()).isEqualTo(JobOutcome.CANCELLED);
        assertThat(o.message()).contains("srun");
        assertThat(processesMarked(mark)).isEmpty();
    }

    @Test
    void step_killOnBadExit_takesTheNodesOtherTasksDown() throws Exception {
        long job = TestJobs.nextId();
        ctl.step(step(job, 0, List.of("/bin/sh", "-c", "if [ $SLURM_PROCID = 1 ]; then exit 3; fi; sleep 300"), 2, "none", true));
        srun.setSoTimeout((int) WAIT.toMillis());
        try (Socket s = srun.accept()) {
            Received r = collect(s);
            assertThat(r.exits().get(1)).containsExactly(3, 0);
            assertThat(r.exits().get(0)[1]).isEqualTo(Signals.SIGTERM);
        }
        StepOutcome o = ctl.awaitStepResult(job + ".0", WAIT);
        assertThat(o.state()).isEqualTo(JobOutcome.FAILED);
        assertThat(o.exitCode()).isEqualTo(3);
    }

    @Test
    void step_srunUnreachable_failsWithoutStartingTasks() throws Exception {
        long job = TestJobs.nextId();
        int port = srun.getLocalPort();
        srun.close();
        StepLaunch l = step(job, 0, List.of("/bin/true"), 1, "none", false);
        ctl.step(new StepLaunch(l.jobId(), l.stepId(), l.user(), l.uid(), l.gid(), l.argv(), l.workDir(), l.env(), l.tasks(),
                l.nodeIndex(), l.nodeList(), l.stepCpus(), 0, "cores", "127.0.0.1", port, "k", "", "", "none", false, false, 0, 1, "t"));
        StepOutcome o = ctl.awaitStepResult(job + ".0", WAIT);
        assertThat(o.state()).isEqualTo(JobOutcome.FAILED);
        assertThat(o.message()).contains("cannot reach srun");
    }

    @Test
    void step_outputFiles_perTaskPatternsWrittenAsTheUser() throws Exception {
        long job = TestJobs.nextId();
        StepLaunch l = step(job, 2, List.of("/bin/sh", "-c", "echo out $SLURM_PROCID; echo err $SLURM_PROCID >&2"), 2, "none", false);
        ctl.step(new StepLaunch(l.jobId(), l.stepId(), l.user(), l.uid(), l.gid(), l.argv(), l.workDir(), l.env(), l.tasks(),
                l.nodeIndex(), l.nodeList(), l.stepCpus(), 0, "cores", "", 0, "", "o-%j.%s.%t.%N", "e-%t", "none", false, false, 0,
                1, "t"));
        assertThat(ctl.awaitStepResult(job + ".2", WAIT).state()).isEqualTo(JobOutcome.COMPLETED);
        for (int t = 0; t < 2; t++) {
            Path o = work.resolve("o-" + job + ".2." + t + "." + node);
            assertThat(Files.readString(o)).isEqualTo("out " + t + "\n");
            assertThat(Files.readString(work.resolve("e-" + t))).isEqualTo("err " + t + "\n");
            assertThat(Files.getAttribute(o, "unix:uid")).isEqualTo(TestJobs.UID);
        }
    }
}
