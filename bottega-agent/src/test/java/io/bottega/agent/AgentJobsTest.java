package io.bottega.agent;

import static io.bottega.agent.TestJobs.launch;
import static io.bottega.agent.TestJobs.processesMarked;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.bottega.api.agent.AgentProtocol;
import io.bottega.api.agent.CancelRequest;
import io.bottega.api.agent.JobOutcome;
import io.bottega.api.agent.LaunchRequest;
import io.bottega.api.agent.NodeResources;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent against a real HTTP controller on loopback, starting real processes: as another user when the
 * tests run as root, inside cgroups where the machine offers them. Run once with each way of starting jobs
 * ({@link NativeLauncherJobsTest}, {@link ShellLauncherJobsTest}).
 */
abstract class AgentJobsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path tmp;
    private FakeController ctl;
    private Path work;
    private final List<Agent> agents = new ArrayList<>();
    private final List<String> marks = new ArrayList<>();
    private final String node = "t" + UUID.randomUUID().toString().substring(0, 8);

    @BeforeEach
    void setUp() throws IOException {
        ctl = new FakeController(300);
        work = TestJobs.sharedDir(tmp, "work");
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        for (Agent a : agents) {
            try {
                a.cancelAllJobs("test over", Duration.ofSeconds(5));
            } catch (IllegalStateException e) {
                // already closed
            }
            a.close();
        }
        ctl.close();
        for (String m : marks) {
            for (long pid : processesMarked(m)) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /** {@code native} or {@code shell}: how the agents of this class start jobs. */
    abstract String launcher();

    private AgentConfig config() {
        return AgentConfig.of(ctl.url(), FakeController.KEY, node, tmp.resolve("spool"))
                .withLauncher(launcher())
                .withTmpBase(tmp.resolve("jobtmp"))
                .withKillGrace(Duration.ofSeconds(1))
                .withTick(Duration.ofMillis(100))
                .withRetryMax(Duration.ofMillis(500))
                .withCgroupBase("bottega-test.slice")
                .withDeclared(DeclaredResources.DETECT.withGpus(4, "emulated-a100"));
    }

    private Agent start(AgentConfig c) throws IOException {
        Agent a = new Agent(c, new HttpControllerLink(c.controllerUrl(), c.clusterKey(), Duration.ofSeconds(10)));
        agents.add(a);
        a.start();
        return a;
    }

    private String mark() {
        String m = UUID.randomUUID().toString();
        marks.add(m);
        return m;
    }

    /** The job's first process and the one waiting for it: the native launcher's record, or the wrapper's jobpid. */
    private static long[] jobAndParkPid(Path jobDir) throws IOException {
        java.util.Map<String, String> pid = FileOps.readProperties(jobDir.resolve("pid"));
        if (pid.containsKey("job_pid")) return new long[] {Long.parseLong(pid.get("job_pid")), Long.parseLong(pid.get("park_pid"))};
        String[] f = TestJobs.read(jobDir.resolve("jobpid")).trim().split("\\s+");
        return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])};
    }

    private static void awaitProcesses(String mark, int atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (processesMarked(mark).size() < atLeast) {
            if (System.nanoTime() > deadline) throw new AssertionError("job processes did not appear");
            Thread.sleep(50);
        }
    }

    @Test
    void launch_scriptRunsAsUserWithJobEnvironment() throws Exception {
        Agent agent = start(config());
        long id = TestJobs.nextId();
        String script = """
                #!/bin/bash
                echo "uid=$(id -u)"
                echo "job=$SLURM_JOB_ID"
                echo "cuda=$CUDA_VISIBLE_DEVICES"
                echo "gpus=$SLURM_JOB_GPUS"
                echo "node=$SLURMD_NODENAME"
                echo "nodeid=$SLURM_NODEID"
                echo "tmp=$TMPDIR"
                echo "pwd=$(pwd)"
                test -d "$TMPDIR" && test -w "$TMPDIR" && echo tmp-writable
                echo "agent-env=${USER-unset}"
                echo "task-pid=$SLURM_TASK_PID"
                grep -E '^(SigBlk|SigIgn):' /proc/self/status
                cat
                echo "to stderr" >&2
                """;
        LaunchRequest r = TestJobs.withResources(launch(id, work, script, mark()), List.of(), List.of(1, 3));
        ctl.launch(r);

        JobOutcome o = ctl.awaitResult(id, WAIT);

        assertThat(o.state()).isEqualTo(JobOutcome.COMPLETED);
        assertThat(o.slurmExitCode()).isEqualTo("0:0");
        assertThat(o.startedAtMillis()).isPositive().isLessThanOrEqualTo(o.endedAtMillis());
        Path out = work.resolve(id + ".out");
        String text = TestJobs.read(out);
        String jobTmp = tmp.resolve("jobtmp").resolve("job_" + id).toString();
        assertThat(text).contains("uid=" + TestJobs.UID + "\n", "job=" + id + "\n", "cuda=1,3\n", "gpus=1,3\n",
                "node=" + node + "\n", "nodeid=0\n", "tmp=" + jobTmp + "\n", "pwd=" + work + "\n", "tmp-writable\n",
                "agent-env=unset\n", "to stderr\n");
        assertThat(text).containsPattern("task-pid=[0-9]+\n");
        assertThat(text).as("no signal blocked").contains("SigBlk:\t0000000000000000\n");
        if (Tools.find().envResetsSignals()) {
            // the standard signals (1-31) start at their defaults; glibc's reserved 32 and 33 do not matter
            long ignored = Long.parseLong(text.replaceAll("(?s).*SigIgn:\t([0-9a-f]+)\n.*", "$1"), 16);
            assertThat(ignored & 0x7fffffffL).as("standard signals ignored, mask %x", ignored).isZero();
        }
        assertThat((Integer) Files.getAttribute(out, "unix:uid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(TestJobs.UID);
        assertThat(Path.of(jobTmp)).doesNotExist();
        assertThat(agent.resources().cgroupMode()).isIn(AgentProtocol.CGROUP_V1, AgentProtocol.CGROUP_V2, AgentProtocol.CGROUP_NONE);
    }

    @Test
    void launch_startsThroughTheConfiguredLauncher() throws Exception {
        start(config());
        long id = TestJobs.nextId();
        String mark = mark();
        ctl.launch(launch(id, work, "#!/bin/bash\nsleep 60\n", mark));
        awaitProcesses(mark, 2);
        Path jobDir = tmp.resolve("spool/jobs/" + id);
        java.util.Map<String, String> pid = FileOps.readProperties(jobDir.resolve("pid"));
        Path exe = Files.readSymbolicLink(Path.of("/proc", pid.get("wrapper_pid"), "exe"));
        long[] jobPid = jobAndParkPid(jobDir);

        assertThat(pid.get("launcher")).isEqualTo(launcher());
        if (launcher().equals("native")) {
            assertThat(exe.getFileName().toString()).startsWith("bottega-launch-");
            assertThat(exe.getParent()).isEqualTo(tmp.resolve("spool/bin"));
            assertThat(Long.toString(jobPid[1])).as("the launcher waits for the job itself").isEqualTo(pid.get("wrapper_pid"));
            assertThat(jobDir.resolve("jobpid")).as("the launcher's record holds it").doesNotExist();
        } else {
            assertThat(exe).isEqualTo(Tools.find().sh().toRealPath());
            assertThat(Procfs.stat(jobPid[1]).orElseThrow().comm()).as("the parking process").isEqualTo("sleep");
        }
        ctl.cancel(new CancelRequest(id, "test over", 0, true));
        assertThat(ctl.awaitResult(id, WAIT).state()).isEqualTo(JobOutcome.CANCELLED);
    }

    @Test
    void register_reportsDeclaredResourcesAndCgroupMode() throws Exception {
        Agent agent = start(config().withDeclared(DeclaredResources.DETECT.withCores(8).withMemoryMb(4096)
                .withGpus(2, "A100").withFeatures(List.of("gpu", "a100")).withGroup("cell1")));
        ctl.awaitSync(s -> s.node().equals(node), WAIT, "no sync");

        NodeResources n = ctl.registrations().getFirst();

        assertThat(n.name()).isEqualTo(node);
        assertThat(n.cores()).isEqualTo(8);
        assertThat(n.memoryMb()).isEqualTo(4096);
        assertThat(n.gpus()).hasSize(2).allSatisfy(g -> assertThat(g.model()).isEqualTo("A100"));
        assertThat(n.gpus().get(1).uuid()).isEqualTo("EMU-" + node + "-1");
        assertThat(n.features()).containsExactly("gpu", "a100");
        assertThat(n.group()).isEqualTo("cell1");
        assertThat(n.cgroupMode()).isEqualTo(agent.cgroupMode());
        assertThat(agent.registered()).isTrue();
        assertThat(ctl.syncs().getFirst().bootId()).isEqualTo(Procfs.bootId());
        System.out.println("agent test: cgroup mode on this machine = " + agent.cgroupMode());
    }

    @Test
    void register_wrongKey_isRefusedAndRetried() throws Exception {
        AgentConfig c = config();
        AgentConfig wrong = new AgentConfig(c.controllerUrl(), "wrong-key", c.nodeName(), c.spoolDir(), c.declared(),
                c.killGrace(), c.syncWait(), c.cgroupMode(), c.cgroupBase(), c.tmpBase(), c.cpuBinding(),
                c.limitAddressSpace(), c.tick(), c.retryMax(), c.address(), c.launcher());
        Agent agent = start(wrong);

        Thread.sleep(1_500);

        assertThat(agent.registered()).isFalse();
        assertThat(ctl.registrations()).isEmpty();
    }

    @Test
    void launch_afterAnEarlierJob_getsItsRecycledDirectoriesEmptyAndOwnedByItsUser() throws Exception {
        start(config());
        long first = TestJobs.nextId();
        ctl.launch(launch(first, work, "#!/bin/sh\necho secret > \"$TMPDIR/left\"\nmkdir \"$TMPDIR/d\"\necho secret > \"$TMPDIR/d/f\"\n", mark()));
        assertThat(ctl.awaitResult(first, WAIT).state()).isEqualTo(JobOutcome.COMPLETED);
        Path firstDir = tmp.resolve("spool/jobs/" + first);
        ctl.awaitSync(s -> !Files.exists(firstDir), WAIT, "the first job's spool entry outlived the ack");
        Path jobTmp = tmp.resolve("jobtmp");
        List<Path> spares;
        try (var st = Files.list(jobTmp)) {
            spares = st.filter(p -> p.getFileName().toString().startsWith(SpareDirs.PREFIX)).toList();
        }
        assertThat(spares).hasSize(1);
        assertThat(spares.getFirst()).isEmptyDirectory();
        assertThat(Files.getAttribute(spares.getFirst(), "unix:uid")).isEqualTo(Procfs.selfUid());

        // the next jobs, of the agent's user and of the test user: each in an empty TMPDIR of its own, its own script
        String show = "#!/bin/sh\necho \"$(id -u) $(stat -c '%u %a' \"$TMPDIR\") [$(ls -A \"$TMPDIR\")] $TMPDIR\"\n";
        long second = TestJobs.nextId();
        ctl.launch(TestJobs.withUser(launch(second, work, show.replace("$(id -u)", "second $(id -u)"), mark()),
                TestJobs.ROOT ? "root" : TestJobs.USER, TestJobs.ROOT ? 0 : TestJobs.UID, TestJobs.ROOT ? 0 : TestJobs.GID));
        assertThat(ctl.awaitResult(second, WAIT).state()).isEqualTo(JobOutcome.COMPLETED);
        long third = TestJobs.nextId();
        ctl.launch(launch(third, work, show.replace("$(id -u)", "third $(id -u)"), mark()));
        assertThat(ctl.awaitResult(third, WAIT).state()).isEqualTo(JobOutcome.COMPLETED);

        int secondUid = TestJobs.ROOT ? 0 : TestJobs.UID;
        assertThat(TestJobs.read(work.resolve(second + ".out")))
                .isEqualTo("second " + secondUid + " " + secondUid + " 700 [] " + jobTmp.resolve("job_" + second) + "\n");
        assertThat(TestJobs.read(work.resolve(third + ".out")))
                .isEqualTo("third " + TestJobs.UID + " " + TestJobs.UID + " 700 [] " + jobTmp.resolve("job_" + third) + "\n");
    }

    @Test
    void launch_exitCode3_reportsFailed() throws Exception {
        start(config());
        long id = TestJobs.nextId();
        ctl.launch(launch(id, work, "#!/bin/sh\necho about to fail\nexit 3\n", mark()));

        JobOutcome o = ctl.awaitResult(id, WAIT);

        assertThat(o.state()).isEqualTo(JobOutcome.FAILED);
        assertThat(o.exitCode()).isEqualTo(3);
        assertThat(o.signal()).isZero();
        assertThat(TestJobs.read(work.resolve(id + ".out"))).isEqualTo("about to fail\n");
    }

    @Test
    void launch_separateErrorFileAndAppend_writeWhereAsked() throws Exception {
        start(config());
        long id = TestJobs.nextId();
        Path earlier = Files.writeString(work.resolve("train-" + id + ".out"), "earlier\n");
        if (TestJobs.ROOT) FileOps.chown(earlier, TestJobs.UID, TestJobs.GID);
        LaunchRequest base = launch(id, work, "#!/bin/sh\necho out\necho err >&2\n", mark());
        ctl.launch(new LaunchRequest(id, base.user(), base.uid(), base.gid(), base.script(), base.workDir(), base.env(),
                "train-%j.out", "errors/%x.err", "", true, List.of(), 0, List.of(), 0, 1, "train", 0, 0, "n1", 0));
        Files.setPosixFilePermissions(Files.createDirectories(work.resolve("errors")),
                java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));

        JobOutcome o = ctl.awaitResult(id, WAIT);

        assertThat(o.state()).isEqualTo(JobOutcome.COMPLETED);
        assertThat(TestJobs.read(work.resolve("train-" + id + ".out"))).isEqualTo("earlier\nout\n");
        assertThat(TestJobs.read(work.resolve("errors/train.err"))).isEqualTo("err\n");
    }

    @Test
    void launch_outputDirectoryMissing_failsAndSaysWhy() throws Exception {
        start(config());
        long id = TestJobs.nextId();
        LaunchRequest base = launch(id, work, "#!/bin/sh\necho never\n", mark());
        ctl.launch(new LaunchRequest(id, base.user(), base.uid(), base.gid(), base.script(), base.workDir(), base.env(),
                work.resolve("missing/%j.out").toString(), "", "", false, List.of(), 0, List.of(), 0, 1, "x", 0, 0, "n1", 0));

        JobOutcome o = ctl.awaitResult(id, WAIT);

        assertThat(o.state()).isEqualTo(JobOutcome.FAILED);
        assertThat(o.exitCode()).isEqualTo(126);
        assertThat(o.message()).contains("missing/" + id + ".out", "No such file or directory");
    }

    @Test
    void launch_scriptDiesOfSignal_reportsSignalNotExitCode() throws Exception {
        start(config());
        long bySignal = TestJobs.nextId();
        long byCode = TestJobs.nextId();
        ctl.launch(launch(bySignal, work, "#!/bin/bash\nkill -USR1 $$\n", mark()));
        ctl.launch(launch(byCode, work, "#!/bin/bash\nexit 138\n", mark()));

        JobOutcome signalled = ctl.awaitResult(bySignal, WAIT);
        JobOutcome exited = ctl.awaitResult(byCode, WAIT);

        // what sacct shows: 0:10 for the signal, 138:0 for the exit status
        assertThat(signalled.state()).isEqualTo(JobOutcome.FAILED);
        assertThat(signalled.slurmExitCode()).isEqualTo("0:10");
        assertThat(exited.state()).isEqualTo(JobOutcome.FAILED);
        assertThat(exited.slurmExitCode()).isEqualTo("138:0");
    }

    @Test
    void launch_timeLimit_killsWholeJobAndReportsTimeout() throws Exception {
        start(config());
        long id = TestJobs.nextId();
        String mark = mark();
        // ignores SIGTERM (and so do its children): only the SIGKILL after the grace ends it
        String script = "#!/bin/bash\ntrap '' TERM\nsleep 60 &\nsleep 61\n";
        ctl.launch(TestJobs.withTimeLimit(launch(id, work, script, mark), 2));
        awaitProcesses(mark, 3);

        JobOutcome o = ctl.awaitResult(id, WAIT);

        assertThat(o.state()).isEqualTo(JobOutcome.TIMEOUT);
        assertThat(o.signal()).isEqualTo(9);
        assertThat(o.endedAtMillis() - o.startedAtMillis()).isBetween(2_900L, 8_000L);
        assertThat(o.message()).contains("time limit");
        assertThat(processesMarked(mark)).isEmpty();
    }

    @Test
    void cancel_runningJob_reportsCancelledAndLeavesNoProcess() throws Exception {
        start(config());
        long id = TestJobs.nextId();
        String mark = mark();
        ctl.launch(launch(id, work, "#!/bin/bash\nsleep 60 &\n( sleep 62 & wait ) &\nsleep 61\n", mark));
        awaitProcesses(mark, 4);

        ctl.cancel(new CancelRequest(id, "cancelled by " + TestJobs.USER, 0, false));
        JobOutcome o = ctl.awaitResult(id, WAIT);

        assertThat(o.state()).isEqualTo(JobOutcome.CANCELLED);
        assertThat(o.message()).contains("cancelled by");
        assertThat(o.endedAtMillis() - o.startedAtMillis()).isLessThan(10_000);
        assertThat(processesMarked(mark)).isEmpty();
    }

    @Test
    void cancel_unknownJob_isNoOp() throws Exception {
        start(config());
        long id = TestJobs.nextId();
        ctl.cancel(new CancelRequest(id + 999_999, "nobody", 0, false));
        ctl.launch(launch(id, work, "#!/bin/sh\ntrue\n", mark()));

        assertThat(ctl.awaitResult(id, WAIT).state()).isEqualTo(JobOutcome.COMPLETED);
    }

    @Test
    void launch_memoryOverLimit_reportsOutOfMemory() throws Exception {
        Agent agent = start(config());
        if (agent.cgroupMode().equals(AgentProtocol.CGROUP_NONE)) {
            String why = "OUT_OF_MEMORY through the kernel NOT TESTED: no usable cgroup memory controller here "
                    + "(cgroup mode none; the polled-RSS fallback is tested separately)";
            System.err.println("agent test: " + why);
            assumeTrue(false, why);
        }
        long id = TestJobs.nextId();
        String script = "#!/bin/bash\nhead -c 200m /dev/zero | tail > /dev/null\necho still here\n";
        ctl.launch(TestJobs.withMemory(launch(id, work, script, mark()), 50));

        JobOutcome o = ctl.awaitResult(id, WAIT);

        assertThat(o.state()).isEqualTo(JobOutcome.OUT_OF_MEMORY);
        assertThat(o.maxRssKb()).isPositive();
        assertThat(o.message()).contains("out of memory");
    }

    @Test
    void launch_inTheCgroupOfAnEarlierJob_reportsOnlyItsOwnOomAndUsage() throws Exception {
        AgentConfig c = config();
        Agent agent = start(c);
        assumeTrue(!agent.cgroupMode().equals(AgentProtocol.CGROUP_NONE), "no usable cgroup memory controller here");
        long first = TestJobs.nextId();
        ctl.launch(TestJobs.withMemory(launch(first, work, "#!/bin/bash\nhead -c 200m /dev/zero | tail > /dev/null\n", mark()), 50));
        assertThat(ctl.awaitResult(first, WAIT).state()).isEqualTo(JobOutcome.OUT_OF_MEMORY);
        List<String> sparesBefore = spareCgroups(agent);
        if (agent.cgroupMode().equals(AgentProtocol.CGROUP_V1)) assertThat(sparesBefore).hasSize(1);

        // the next job takes that cgroup (cgroup v1), and the agent restarts while it runs: its record keeps the
        // cgroup's OOM count from before it
        long second = TestJobs.nextId();
        String mark = mark();
        ctl.launch(TestJobs.withMemory(launch(second, work, "#!/bin/bash\nsleep 2\n", mark), 50));
        awaitProcesses(mark, 2);
        if (agent.cgroupMode().equals(AgentProtocol.CGROUP_V1)) assertThat(spareCgroups(agent)).isEmpty();
        agent.close();
        Agent again = start(c);
        JobOutcome o = ctl.awaitResult(second, WAIT);

        assertThat(o.state()).isEqualTo(JobOutcome.COMPLETED);
        assertThat(o.maxRssKb()).isPositive().isLessThan(40 * 1024);   // not the first job's peak at its 50 MB limit
        assertThat(o.cpuSeconds()).isLessThan(1.0);

        // and once more without a restart: the second job's cgroup again, counters reset
        long third = TestJobs.nextId();
        ctl.launch(TestJobs.withMemory(launch(third, work, "#!/bin/sh\nexit 0\n", mark()), 50));
        JobOutcome t = ctl.awaitResult(third, WAIT);
        assertThat(t.state()).isEqualTo(JobOutcome.COMPLETED);
        assertThat(t.maxRssKb()).isLessThan(40 * 1024);
        if (again.cgroupMode().equals(AgentProtocol.CGROUP_V1)) {
            assertThat(spareCgroups(again)).hasSize(1);
            // an agent that stops with no job left removes its node's cgroup, spares and all
            again.close();
            assertThat(Path.of("/sys/fs/cgroup/memory/bottega-test.slice/node-" + node)).doesNotExist();
        }
    }

    /** The emptied job cgroups the agent keeps (cgroup v1), from its memory hierarchy. */
    private List<String> spareCgroups(Agent agent) {
        Path nodeDir = Path.of("/sys/fs/cgroup/memory/bottega-test.slice/node-" + node);
        return ResourceControl.childNames(nodeDir, ResourceControl.SPARE_PREFIX);
    }

    @Test
    void launch_memoryOverLimitWithoutCgroups_pollsAndKills() throws Exception {
        start(config().withCgroupMode("none"));
        long id = TestJobs.nextId();
        String mark = mark();
        // tail keeps all 200 MB (no newline) until its input ends, 30 s later
        String script = "#!/bin/bash\n{ head -c 200m /dev/zero; sleep 30; } | tail > /dev/null\n";
        ctl.launch(TestJobs.withMemory(launch(id, work, script, mark), 50));

        JobOutcome o = ctl.awaitResult(id, WAIT);

        assertThat(o.state()).isEqualTo(JobOutcome.OUT_OF_MEMORY);
        assertThat(o.message()).contains("polled");
        assertThat(o.maxRssKb()).isGreaterThan(50 * 1024);
        assertThat(processesMarked(mark)).isEmpty();
    }

    @Test
    void launch_withoutCgroups_bindsCpusAndKillsSessionAtTimeLimit() throws Exception {
        AgentConfig c = config().withCgroupMode("none").withDeclared(DeclaredResources.DETECT.withCores(8).withGpus(0, ""));
        start(c);
        long id = TestJobs.nextId();
        String mark = mark();
        String script = "#!/bin/bash\ngrep Cpus_allowed_list /proc/self/status\nsleep 60 &\nsleep 61\n";
        ctl.launch(TestJobs.withTimeLimit(TestJobs.withResources(launch(id, work, script, mark), List.of(5), List.of()), 1));

        JobOutcome o = ctl.awaitResult(id, WAIT);

        List<Integer> host = Procfs.allowedCpus();
        int expected = new CpuBinding(host, 8, true).map(List.of(5)).getFirst();
        assertThat(o.state()).isEqualTo(JobOutcome.TIMEOUT);
        assertThat(TestJobs.read(work.resolve(id + ".out"))).contains("Cpus_allowed_list:\t" + expected + "\n");
        assertThat(processesMarked(mark)).isEmpty();
    }

    @Test
    void launch_cpusAssigned_pinsJobToMappedHostCpus() throws Exception {
        start(config().withDeclared(DeclaredResources.DETECT.withCores(8).withGpus(0, "")));
        long id = TestJobs.nextId();
        ctl.launch(TestJobs.withResources(launch(id, work, "#!/bin/bash\ngrep Cpus_allowed_list /proc/self/status\n", mark()),
                List.of(3), List.of()));

        JobOutcome o = ctl.awaitResult(id, WAIT);

        int expected = new CpuBinding(Procfs.allowedCpus(), 8, true).map(List.of(3)).getFirst();
        assertThat(o.state()).isEqualTo(JobOutcome.COMPLETED);
        assertThat(TestJobs.read(work.resolve(id + ".out"))).isEqualTo("Cpus_allowed_list:\t" + expected + "\n");
    }

    @Test
    void launch_duplicate_isIgnored() throws Exception {
        start(config());
        long id = TestJobs.nextId();
        Path runs = work.resolve("runs-" + id);
        LaunchRequest r = launch(id, work, "#!/bin/sh\necho ran >> " + runs + "\nsleep 1\n", mark());
        ctl.launch(r);
        ctl.awaitRunning(id, WAIT);

        ctl.launchAgain(r);
        JobOutcome o = ctl.awaitResult(id, WAIT);
        ctl.launchAgain(r);   // after the result was acknowledged: its result is reported again, the job not run again
        Thread.sleep(1_000);

        assertThat(o.state()).isEqualTo(JobOutcome.COMPLETED);
        assertThat(TestJobs.read(runs)).isEqualTo("ran\n");
    }

    @Test
    void launch_ofARunWhoseResultWasAcknowledged_reportsThatResultAgainWithoutRunningIt() throws Exception {
        // a controller that acknowledged the end but crashed before storing it finds the job RUNNING and launches it
        // again: the agent must tell the result it still knows, or the job stays RUNNING for ever
        start(config());
        long id = TestJobs.nextId();
        Path runs = work.resolve("runs-" + id);
        LaunchRequest r = launch(id, work, "#!/bin/sh\necho ran >> " + runs + "\nexit 3\n", mark());
        ctl.launch(r);
        JobOutcome first = ctl.awaitResult(id, WAIT);
        ctl.awaitSync(s -> s.seq() > 2 && s.results().isEmpty() && s.running().isEmpty(), WAIT, "result not acknowledged");
        int sends = ctl.resultSends(id);

        ctl.launchAgain(r);
        ctl.awaitSync(s -> ctl.resultSends(id) > sends, WAIT, "the acknowledged result was not reported again");
        JobOutcome again = ctl.awaitResult(id, WAIT);

        assertThat(again).isEqualTo(first);
        assertThat(again.exitCode()).isEqualTo(3);
        assertThat(TestJobs.read(runs)).isEqualTo("ran\n");
    }

    @Test
    void launch_requeuedJob_runsAgainWithItsRestartCount() throws Exception {
        start(config());
        long id = TestJobs.nextId();
        Path runs = work.resolve("runs-" + id);
        LaunchRequest first = launch(id, work, "#!/bin/sh\necho \"run $SLURM_RESTART_COUNT\" >> " + runs + "\n", mark());
        ctl.launch(first);
        ctl.awaitResult(id, WAIT);
        ctl.awaitSync(s -> s.results().isEmpty() && s.running().isEmpty() && s.seq() > 2, WAIT, "result not acknowledged");
        java.util.Map<String, String> env = new java.util.HashMap<>(first.env());
        env.put("SLURM_RESTART_COUNT", "1");
        LaunchRequest requeued = new LaunchRequest(id, first.user(), first.uid(), first.gid(), first.script(), first.workDir(),
                env, first.stdoutPath(), "", "", true, List.of(), 0, List.of(), 0, 1, first.jobName(), 0, 0, "n1", 0);

        ctl.launchAgain(requeued);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!Files.exists(runs) || TestJobs.read(runs).lines().count() < 2) {
            if (System.nanoTime() > deadline) throw new AssertionError("requeued job did not run");
            Thread.sleep(50);
        }

        assertThat(TestJobs.read(runs)).isEqualTo("run \nrun 1\n");
    }

    @Test
    void launch_uid0ForNonRootUser_isRefused() throws Exception {
        start(config());
        long id = TestJobs.nextId();
        ctl.launch(TestJobs.withUser(launch(id, work, "#!/bin/sh\ntouch " + work.resolve("pwned") + "\n", mark()), "mallory", 0, 0));

        JobOutcome o = ctl.awaitResult(id, WAIT);

        assertThat(o.state()).isEqualTo(JobOutcome.FAILED);
        assertThat(o.message()).contains("launch refused", "only root runs as root");
        assertThat(o.startedAtMillis()).isZero();
        assertThat(work.resolve("pwned")).doesNotExist();
    }

    @Test
    void results_notAcknowledged_areResentUntilAcknowledged() throws Exception {
        ctl.autoAck(false);
        start(config());
        long id = TestJobs.nextId();
        ctl.launch(launch(id, work, "#!/bin/sh\nexit 0\n", mark()));
        ctl.awaitResult(id, WAIT);
        Path jobDir = tmp.resolve("spool/jobs/" + id);

        ctl.awaitSync(s -> ctl.resultSends(id) >= 3, WAIT, "result not re-sent");
        assertThat(kept(jobDir).jobId()).isEqualTo(id);
        ctl.ack(id);
        int sendsAtAck = ctl.resultSends(id);
        ctl.awaitSync(s -> s.seq() > 0 && ctl.resultSends(id) >= sendsAtAck && s.results().isEmpty()
                && !Files.exists(jobDir), WAIT, "result still sent after ack");

        assertThat(jobDir).doesNotExist();
    }

    @Test
    void restart_beforeTheAck_reportsTheKeptResultAgain() throws Exception {
        ctl.autoAck(false);
        AgentConfig c = config();
        Agent first = start(c);
        long id = TestJobs.nextId();
        ctl.launch(launch(id, work, "#!/bin/sh\nexit 3\n", mark()));
        JobOutcome reported = ctl.awaitResult(id, WAIT);
        Path jobDir = tmp.resolve("spool/jobs/" + id);
        assertThat(kept(jobDir)).isEqualTo(reported);

        first.close();   // as if the agent died before the controller acknowledged the result
        int sends = ctl.resultSends(id);
        start(c);
        ctl.awaitSync(s -> ctl.resultSends(id) > sends, WAIT, "result not re-sent by the restarted agent");

        assertThat(ctl.awaitResult(id, WAIT)).isEqualTo(reported);
        assertThat(reported.slurmExitCode()).isEqualTo("3:0");
        ctl.ack(id);
        ctl.awaitSync(s -> !Files.exists(jobDir), WAIT, "the job's spool entry outlived the ack");
    }

    /**
     * The result the agent keeps until the ack: with the native launcher, appended to the job's record (no
     * outcome.json created); with the shell chain, outcome.json.
     */
    private JobOutcome kept(Path jobDir) throws IOException {
        java.util.Map<String, String> record = FileOps.readProperties(jobDir.resolve("pid"));
        if (launcher().equals("native")) {
            assertThat(jobDir.resolve("outcome.json")).doesNotExist();
            assertThat(record).containsKey("outcome");
            return AgentJson.read(record.get("outcome").getBytes(java.nio.charset.StandardCharsets.UTF_8), JobOutcome.class);
        }
        assertThat(record).doesNotContainKey("outcome");
        return AgentJson.read(Files.readAllBytes(jobDir.resolve("outcome.json")), JobOutcome.class);
    }

    @Test
    void restart_whileJobRuns_readoptsAndReportsTheExitCode() throws Exception {
        AgentConfig c = config();
        Agent first = start(c);
        long id = TestJobs.nextId();
        String mark = mark();
        ctl.launch(launch(id, work, "#!/bin/bash\nsleep 2\necho done\nexit 0\n", mark));
        ctl.awaitRunning(id, WAIT);
        awaitProcesses(mark, 1);

        first.close();   // as if the agent died: no cleanup
        assertThat(processesMarked(mark)).isNotEmpty();
        long restartedAt = System.currentTimeMillis();
        Agent second = start(c);
        assertThat(second.runningJobs()).contains(id);
        JobOutcome o = ctl.awaitResult(id, WAIT);

        assertThat(o.state()).isEqualTo(JobOutcome.COMPLETED);
        assertThat(o.slurmExitCode()).isEqualTo("0:0");
        assertThat(o.startedAtMillis()).isLessThan(restartedAt);
        assertThat(TestJobs.read(work.resolve(id + ".out"))).isEqualTo("done\n");
    }

    @Test
    void restart_afterTheJobEndedWhileTheAgentWasDown_reportsItsRecordedStatus() throws Exception {
        AgentConfig c = config();
        Agent first = start(c);
        long id = TestJobs.nextId();
        String mark = mark();
        ctl.launch(launch(id, work, "#!/bin/bash\nsleep 1\nexit 5\n", mark));
        awaitProcesses(mark, 1);
        first.close();
        awaitProcessesGone(mark);
        Path jobDir = tmp.resolve("spool/jobs/" + id);
        long deadline = System.nanoTime() + WAIT.toNanos();
        // the wrapper (or the native launcher) records it, with no agent around: a status file, or the status
        // appended to the launcher's record
        while (!Files.exists(jobDir.resolve("status"))
                && !"1".equals(FileOps.readProperties(jobDir.resolve("pid")).get(Spool.STATUS_RECORDED))) {
            if (System.nanoTime() > deadline) throw new AssertionError("the wrapper wrote no status");
            Thread.sleep(50);
        }

        start(c);
        JobOutcome o = ctl.awaitResult(id, WAIT);

        assertThat(o.state()).isEqualTo(JobOutcome.FAILED);
        assertThat(o.slurmExitCode()).isEqualTo("5:0");
    }

    @Test
    void wrapperKilled_jobIsStoppedAndReportedFailed() throws Exception {
        start(config());
        long id = TestJobs.nextId();
        String mark = mark();
        ctl.launch(launch(id, work, "#!/bin/bash\nsleep 60 &\nsleep 61\n", mark));
        awaitProcesses(mark, 3);
        Path jobDir = tmp.resolve("spool/jobs/" + id);
        long wrapper = Long.parseLong(FileOps.readProperties(jobDir.resolve("pid")).get("wrapper_pid"));
        long park = jobAndParkPid(jobDir)[1];

        ProcessHandle.of(wrapper).orElseThrow().destroyForcibly();
        JobOutcome o = ctl.awaitResult(id, WAIT);

        assertThat(o.state()).isEqualTo(JobOutcome.FAILED);
        assertThat(o.message()).contains("wrapper ended without recording a status");
        assertThat(processesMarked(mark)).isEmpty();
        // the agent SIGKILLs it just before it reports; under load it may still be dying when the result arrives
        // (the shell chain's parking process sleeps for 68 years: it ends only when killed)
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (Procfs.stat(park).filter(s -> !s.zombie()).isPresent() && System.nanoTime() < deadline) Thread.sleep(20);
        assertThat(Procfs.stat(park).filter(s -> !s.zombie())).as("the parking process").isEmpty();
    }

    @Test
    void restart_timeLimit_countsFromTheRecordedStart() throws Exception {
        AgentConfig c = config();
        Agent first = start(c);
        long id = TestJobs.nextId();
        String mark = mark();
        ctl.launch(TestJobs.withTimeLimit(launch(id, work, "#!/bin/bash\nsleep 60\n", mark), 3));
        awaitProcesses(mark, 2);
        first.close();
        Thread.sleep(1_500);

        start(c);
        JobOutcome o = ctl.awaitResult(id, WAIT);

        assertThat(o.state()).isEqualTo(JobOutcome.TIMEOUT);
        assertThat(o.endedAtMillis() - o.startedAtMillis()).isBetween(2_900L, 6_000L);
        assertThat(processesMarked(mark)).isEmpty();
    }

    @Test
    void controllerDown_jobKeepsRunningAndIsReportedWhenBack() throws Exception {
        start(config());
        long id = TestJobs.nextId();
        String mark = mark();
        ctl.launch(launch(id, work, "#!/bin/bash\nsleep 2\nexit 4\n", mark));
        ctl.awaitRunning(id, WAIT);

        ctl.stop();
        awaitProcessesGone(mark);
        ctl.restart();
        JobOutcome o = ctl.awaitResult(id, WAIT);

        assertThat(o.state()).isEqualTo(JobOutcome.FAILED);
        assertThat(o.slurmExitCode()).isEqualTo("4:0");
    }

    @Test
    void emulatedNodes_severalAgentsInOneProcess_keepTheirJobsApart() throws Exception {
        String nodeB = node + "b";
        AgentConfig b = AgentConfig.of(ctl.url(), FakeController.KEY, nodeB, tmp.resolve("spool-b"))
                .withTmpBase(tmp.resolve("jobtmp-b")).withTick(Duration.ofMillis(100)).withCgroupBase("bottega-test.slice")
                .withLauncher(launcher())
                .withDeclared(DeclaredResources.DETECT.withCores(64).withGpus(8, "emulated"));
        start(config());
        Agent second = start(b);
        long onA = TestJobs.nextId();
        long onB = TestJobs.nextId();
        String script = "#!/bin/bash\necho \"$SLURMD_NODENAME $CUDA_VISIBLE_DEVICES $TMPDIR\"\nsleep 1\n";

        ctl.launchOn(node, TestJobs.withResources(launch(onA, work, script, mark()), List.of(0), List.of(0)));
        ctl.launchOn(nodeB, TestJobs.withResources(launch(onB, work, script, mark()), List.of(63), List.of(7)));
        JobOutcome a = ctl.awaitResult(onA, WAIT);
        JobOutcome other = ctl.awaitResult(onB, WAIT);

        assertThat(a.state()).isEqualTo(JobOutcome.COMPLETED);
        assertThat(other.state()).isEqualTo(JobOutcome.COMPLETED);
        assertThat(second.resources().gpus()).hasSize(8);
        assertThat(TestJobs.read(work.resolve(onA + ".out"))).isEqualTo(node + " 0 " + tmp.resolve("jobtmp/job_" + onA) + "\n");
        assertThat(TestJobs.read(work.resolve(onB + ".out"))).isEqualTo(nodeB + " 7 " + tmp.resolve("jobtmp-b/job_" + onB) + "\n");
    }

    private static void awaitProcessesGone(String mark) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!processesMarked(mark).isEmpty()) {
            if (System.nanoTime() > deadline) throw new AssertionError("job did not end");
            Thread.sleep(100);
        }
    }
}
