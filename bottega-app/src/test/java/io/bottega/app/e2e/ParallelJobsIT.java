package io.bottega.app.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.bottega.app.e2e.Bottega.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Parallel jobs on a controller and three agents, each its own process, on loopback (emulated nodes pj1-pj3, 4
 * cores and 2 GPUs each): job steps ({@code srun}) with the Slurm task environment and labels, a real MPI program
 * started by {@code mpirun} through Bottega's srun (no ssh), a real PyTorch all-reduce (gloo) over 2 nodes × 2
 * tasks, concurrent steps holding disjoint GPUs, a cancelled multi-node job leaving no process behind, salloc and
 * {@code srun --pty} through a pseudo-terminal ({@code script}), a killed salloc releasing its allocation, a node
 * lost in the middle of a step. The clients are the packaged jar run as real processes, found on the jobs'
 * {@code PATH} as {@code srun}, {@code salloc}, ... (as {@code bin/} of a checkout provides them).
 *
 * <p>Needs Open MPI ({@code mpicc}, {@code mpirun}), Debian's PyTorch under {@code /usr/bin/python3} and
 * {@code script}: {@code scripts/test} installs them; a missing one fails the test that needs it, naming it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ParallelJobsIT {
    Path dir;
    Path data;
    Path bin;
    int port;
    Map<String, String> env;
    Process controller;
    final Map<String, Process> agents = new ConcurrentHashMap<>();

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory(Path.of("/tmp"), "bottega-pj-it");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        data = dir.resolve("data");
        port = Bottega.freePort();
        bin = dir.resolve("bin");
        Files.createDirectories(bin);
        for (String c : List.of("srun", "salloc", "sbatch", "squeue", "scancel", "sacct", "bottega-rsh")) {
            Path f = bin.resolve(c);
            Files.writeString(f, "#!/bin/sh\nBOTTEGA_ARGV0=" + c + " exec " + Bottega.java()
                    + " -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar " + Bottega.jar() + " \"$@\"\n");
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        env = Bottega.env(dir.resolve("bottega.sock"), port);
        env.put("PATH", bin + ":/usr/local/bin:/usr/bin:/bin");
        Files.writeString(dir.resolve("cluster.yaml"), """
                name: pj
                nodes:
                  - names: pj[1-3]
                    cores: 4
                    memory_mb: 8000
                    gpus: 2
                    gpu_type: a100
                    group: g1
                partitions:
                  - name: batch
                    nodes: pj[1-3]
                    default: true
                    default_time: "1:00:00"
                    max_time: "1-00:00:00"
                """);
        Path log = dir.resolve("controller.log");
        controller = Bottega.start(env, log, "server", "--cluster", dir.resolve("cluster.yaml").toString(), "--data-dir", data.toString(),
                "--port", Integer.toString(port), "--socket", env.get("BOTTEGA_SOCKET"), "--heartbeat-timeout", "6", "--kill-grace", "2");
        Bottega.awaitLog(log, "bottega server: cluster", Duration.ofSeconds(60), controller);
        for (String n : List.of("pj1", "pj2", "pj3")) startAgent(n);
        await(Duration.ofSeconds(60), () -> client("sinfo", "-h", "-o", "%t %D").out().strip(), "idle 3"::equals, "three idle nodes");
    }

    void startAgent(String name) throws Exception {
        Path log = dir.resolve("agent-" + name + "-" + System.nanoTime() + ".log");
        agents.put(name, Bottega.start(env, log, "agent", "--controller", "http://127.0.0.1:" + port, "--key-file",
                data.resolve("cluster.key").toString(), "--name", name, "--spool", dir.resolve("spool-" + name).toString(), "--cores", "4",
                "--memory", "8000", "--gpus", "2", "--gpu-type", "a100", "--group", "g1", "--kill-grace", "2",
                "--tmp", dir.resolve("tmp-" + name).toString()));
    }

    @AfterAll
    void stop() throws Exception {
        for (Process p : agents.values()) Bottega.stop(p, false);
        Bottega.stop(controller, false);
    }

    Bottega.Result client(String... args) throws Exception {
        return Bottega.run(env, dir, null, args);
    }

    /** Runs a command line (a client on the PATH, script(1), ...) with the test's environment. */
    Bottega.Result sh(String command, String stdin, Duration timeout) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("/bin/bash", "-c", command).directory(dir.toFile());
        pb.environment().putAll(env);
        pb.environment().remove("BOTTEGA_ARGV0");
        Path out = Files.createTempFile(dir, "sh", ".out");
        Path err = Files.createTempFile(dir, "sh", ".err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        try (var in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // the command did not read its input
        }
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError("'" + command + "' did not finish in " + timeout + "\nout: " + Files.readString(out) + "\nerr: "
                    + Files.readString(err));
        }
        return new Bottega.Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    long sbatch(String script) throws Exception {
        Path f = Files.createTempFile(dir, "job", ".sh");
        Files.writeString(f, script);
        return Long.parseLong(client("sbatch", "--parsable", f.toString()).ok().out().strip());
    }

    /** sacct -P lines of a job (the job, then its steps): JobID|JobName|State|ExitCode|NodeList. */
    List<String> sacct(long id) throws Exception {
        return client("sacct", "-j", Long.toString(id), "-n", "-P", "--format=JobID,JobName,State,ExitCode,NodeList").ok().out()
                .strip().lines().toList();
    }

    String awaitEnd(long id, Duration timeout) throws Exception {
        return await(timeout, () -> sacct(id).isEmpty() ? "" : sacct(id).get(0).split("\\|")[2],
                s -> !s.isEmpty() && !s.equals("PENDING") && !s.equals("RUNNING"), "job " + id + " ending");
    }

    /**
     * The job's accounting once every step has its end: a step's tasks may end a moment before the batch script,
     * and the last node's report of it may reach the controller after the job's end.
     */
    List<String> sacctSettled(long id) throws Exception {
        await(Duration.ofSeconds(30), () -> sacct(id), l -> l.stream().noneMatch(x -> x.contains("|RUNNING|")),
                "the steps of job " + id + " ending");
        return sacct(id);
    }

    String output(long id) throws IOException {
        return Files.readString(dir.resolve("slurm-" + id + ".out"));
    }

    static void require(String what, String... command) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError(what + " is missing (" + e.getMessage() + "): scripts/test installs it "
                    + "(apt-get install -y openmpi-bin libopenmpi-dev python3-torch bsdutils)");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(what + " is missing or broken: " + String.join(" ", command) + " said: " + out.strip()
                    + " (scripts/test installs it: apt-get install -y openmpi-bin libopenmpi-dev python3-torch bsdutils)");
        }
    }

    // ------------------------------------------------------------------------------------------------ steps

    @Test
    @Order(1)
    void srun_threeNodesSixTasks_taskEnvironmentAndLabels() throws Exception {
        long id = sbatch("""
                #!/bin/bash
                #SBATCH -N3 --ntasks-per-node=2
                srun -N3 -n6 -l bash -c 'echo "$(hostname) $SLURMD_NODENAME $SLURM_PROCID $SLURM_LOCALID $SLURM_NODEID $SLURM_NTASKS \
                $SLURM_STEP_NUM_NODES $SLURM_STEP_ID $SLURM_STEP_TASKS_PER_NODE $SLURM_JOB_NODELIST $MASTER_ADDR $MASTER_PORT"'
                """);
        assertThat(awaitEnd(id, Duration.ofSeconds(60))).isEqualTo("COMPLETED");
        String out = output(id);
        Pattern line = Pattern.compile("^([0-5]): (\\S+) (pj[1-3]) (\\d) (\\d) (\\d) 6 3 0 2\\(x3\\) pj\\[1-3\\] 127\\.0\\.0\\.1 (\\d+)$",
                Pattern.MULTILINE);
        Matcher m = line.matcher(out);
        Map<Integer, String> byRank = new HashMap<>();
        while (m.find()) {
            int label = Integer.parseInt(m.group(1));
            int rank = Integer.parseInt(m.group(4));
            assertThat(rank).as("label of rank %d", rank).isEqualTo(label);
            assertThat(m.group(3)).as("node of rank %d", rank).isEqualTo("pj" + (rank / 2 + 1));
            assertThat(Integer.parseInt(m.group(5))).as("local id of rank %d", rank).isEqualTo(rank % 2);
            assertThat(Integer.parseInt(m.group(6))).as("node id of rank %d", rank).isEqualTo(rank / 2);
            assertThat(Integer.parseInt(m.group(7))).as("MASTER_PORT").isEqualTo(15000 + (int) (id % 10000));
            byRank.put(rank, m.group(2));
        }
        assertThat(byRank).as("one line per rank in:\n%s", out).containsOnlyKeys(0, 1, 2, 3, 4, 5);
        assertThat(sacctSettled(id)).anySatisfy(l -> assertThat(l).startsWith(id + ".batch|batch|COMPLETED|0:0|pj1"))
                .anySatisfy(l -> assertThat(l).startsWith(id + ".0|bash|COMPLETED|0:0|pj[1-3]"));
    }

    @Test
    @Order(2)
    void srun_outsideAJob_allocatesRunsAndReleases() throws Exception {
        Bottega.Result r = sh("srun -N2 -n2 -l printenv SLURMD_NODENAME", "", Duration.ofSeconds(60));
        assertThat(r.exit()).as(r.err()).isZero();
        List<String> lines = r.out().lines().sorted().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).matches("0: pj[1-3]");
        assertThat(lines.get(1)).matches("1: pj[1-3]").isNotEqualTo(lines.get(0).replace("0:", "1:"));
        String squeue = client("squeue", "-h").ok().out();
        assertThat(squeue).as("the allocation is released").isBlank();
    }

    @Test
    @Order(3)
    void killOnBadExit_outputPatterns_andStepFailure() throws Exception {
        long id = sbatch("""
                #!/bin/bash
                #SBATCH -N2 --ntasks-per-node=2
                srun -o out-%j-%s-%t-%N.txt bash -c 'echo task $SLURM_PROCID'
                srun -K bash -c 'if [ $SLURM_PROCID = 3 ]; then exit 3; fi; sleep 60; echo survived'
                echo "K rc=$?"
                """);
        assertThat(awaitEnd(id, Duration.ofSeconds(60))).isEqualTo("COMPLETED");
        for (int t = 0; t < 4; t++) {
            Path f = dir.resolve("out-" + id + "-0-" + t + "-pj" + (t / 2 + 1) + ".txt");
            assertThat(Files.readString(f).strip()).isEqualTo("task " + t);
        }
        String out = output(id);
        assertThat(out).contains("srun: error: pj2: task 3: Exited with exit code 3").contains("K rc=").doesNotContain("survived");
        assertThat(sacctSettled(id)).anySatisfy(l -> assertThat(l).startsWith(id + ".1|bash|FAILED|3:"));
    }

    // ------------------------------------------------------------------------------------------ MPI, PyTorch

    @Test
    @Order(4)
    void mpirun_threeNodes_startsRanksThroughSrunAndAllreduces() throws Exception {
        require("Open MPI's mpicc", "mpicc", "--version");
        require("Open MPI's mpirun", "mpirun", "--version");
        Files.writeString(dir.resolve("allreduce.c"), """
                #include <mpi.h>
                #include <stdio.h>
                #include <stdlib.h>
                int main(int argc, char **argv) {
                    int rank, size;
                    MPI_Init(&argc, &argv);
                    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
                    MPI_Comm_size(MPI_COMM_WORLD, &size);
                    long mine = rank + 1, sum = 0;
                    MPI_Allreduce(&mine, &sum, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
                    const char *node = getenv("SLURMD_NODENAME");
                    printf("rank %d of %d on %s: sum %ld\\n", rank, size, node ? node : "?", sum);
                    MPI_Finalize();
                    return 0;
                }
                """);
        assertThat(sh("mpicc -o allreduce allreduce.c", "", Duration.ofSeconds(120)).ok().exit()).isZero();
        long id = sbatch("""
                #!/bin/bash
                #SBATCH -N3 --ntasks-per-node=2
                export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
                mpirun ./allreduce
                echo "mpirun rc=$?"
                """);
        assertThat(awaitEnd(id, Duration.ofSeconds(120))).as(() -> tryOutput(id)).isEqualTo("COMPLETED");
        String out = output(id);
        assertThat(out).contains("mpirun rc=0");
        Matcher m = Pattern.compile("^rank (\\d) of 6 on (pj[1-3]): sum 21$", Pattern.MULTILINE).matcher(out);
        Map<Integer, String> ranks = new HashMap<>();
        while (m.find()) ranks.put(Integer.parseInt(m.group(1)), m.group(2));
        assertThat(ranks).as(out).containsOnlyKeys(0, 1, 2, 3, 4, 5);
        assertThat(ranks.values()).containsOnly("pj1", "pj2", "pj3").filteredOn("pj2"::equals).hasSize(2);
        // the daemons came through srun, as a step of the job. Its end state is Open MPI's teardown: mpirun tells the
        // daemons to exit and returns once they have acknowledged, so the script may end (and the job's end stop what
        // is left of its steps: CANCELLED, as Slurm records it then) while a daemon is still on its way out
        assertThat(sacctSettled(id)).anySatisfy(l -> assertThat(l).matches(id + "\\.0\\|orted\\|(COMPLETED|CANCELLED)\\|0:0\\|pj\\[1-3\\]"));
    }

    String tryOutput(long id) {
        try {
            return output(id);
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    @Test
    @Order(5)
    void pytorch_twoNodesTwoTasksEach_allReduceOverGloo() throws Exception {
        require("Debian's PyTorch (python3-torch) under /usr/bin/python3", "/usr/bin/python3", "-c",
                "import torch.distributed as d; assert d.is_gloo_available()");
        Files.writeString(dir.resolve("ddp.py"), """
                import os, torch, torch.distributed as dist
                rank, world = int(os.environ["SLURM_PROCID"]), int(os.environ["SLURM_NTASKS"])
                dist.init_process_group("gloo", init_method="env://", rank=rank, world_size=world)
                t = torch.tensor([float(rank + 1)])
                dist.all_reduce(t)
                print(f"rank {rank}/{world} local {os.environ['SLURM_LOCALID']} on {os.environ['SLURMD_NODENAME']} sum {t.item():.0f}",
                      flush=True)
                dist.destroy_process_group()
                """);
        long id = sbatch("""
                #!/bin/bash
                #SBATCH -N2 --ntasks-per-node=2
                srun /usr/bin/python3 ddp.py
                """);
        assertThat(awaitEnd(id, Duration.ofSeconds(180))).as(() -> tryOutput(id)).isEqualTo("COMPLETED");
        String out = output(id);
        Matcher m = Pattern.compile("^rank (\\d)/4 local (\\d) on (pj[12]) sum 10$", Pattern.MULTILINE).matcher(out);
        List<Integer> ranks = new ArrayList<>();
        while (m.find()) {
            int rank = Integer.parseInt(m.group(1));
            ranks.add(rank);
            assertThat(m.group(3)).isEqualTo("pj" + (rank / 2 + 1));
            assertThat(Integer.parseInt(m.group(2))).isEqualTo(rank % 2);
        }
        assertThat(ranks).as(out).containsExactlyInAnyOrder(0, 1, 2, 3);
    }

    // ------------------------------------------------------------------------------------------------ sharing

    @Test
    @Order(6)
    void twoStepsAtOnce_gpusPerTask_getDisjointGpus() throws Exception {
        long id = sbatch("""
                #!/bin/bash
                #SBATCH -N1 -n2 --gres=gpu:2
                for s in a b; do
                  srun --exact -n1 --gpus-per-task=1 bash -c 'echo "step $SLURM_STEP_ID gpus=$CUDA_VISIBLE_DEVICES from $(date +%s%N)"; \
                    sleep 3; echo "step $SLURM_STEP_ID until $(date +%s%N)"' &
                done
                wait
                """);
        assertThat(awaitEnd(id, Duration.ofSeconds(60))).isEqualTo("COMPLETED");
        String out = output(id);
        Matcher m = Pattern.compile("^step (\\d) gpus=(\\S+) from (\\d+)$", Pattern.MULTILINE).matcher(out);
        Map<String, String> gpus = new HashMap<>();
        Map<String, Long> from = new HashMap<>();
        while (m.find()) {
            gpus.put(m.group(1), m.group(2));
            from.put(m.group(1), Long.parseLong(m.group(3)));
        }
        assertThat(gpus).as(out).containsOnlyKeys("0", "1");
        assertThat(gpus.values()).containsExactlyInAnyOrder("0", "1");
        Matcher u = Pattern.compile("^step (\\d) until (\\d+)$", Pattern.MULTILINE).matcher(out);
        Map<String, Long> until = new HashMap<>();
        while (u.find()) until.put(u.group(1), Long.parseLong(u.group(2)));
        // both ran at once: each started before the other ended
        assertThat(from.get("0")).isLessThan(until.get("1"));
        assertThat(from.get("1")).isLessThan(until.get("0"));
    }

    // ------------------------------------------------------------------------------------------------ failure

    /**
     * Pids of live processes whose environment holds {@code SLURM_JOB_ID=id} and this test's controller, on every
     * (emulated) node of this host.
     */
    List<Long> processesOfJob(long id) throws IOException {
        byte[] needle = ("SLURM_JOB_ID=" + id + "\0").getBytes(StandardCharsets.UTF_8);
        byte[] ours = ("BOTTEGA_CONTROLLER=http://127.0.0.1:" + port + "\0").getBytes(StandardCharsets.UTF_8);
        List<Long> out = new ArrayList<>();
        try (var ps = Files.list(Path.of("/proc"))) {
            for (Path p : ps.toList()) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) continue;
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    if (stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z")) continue;
                    byte[] environ = Files.readAllBytes(p.resolve("environ"));
                    if (indexOf(environ, needle) >= 0 && indexOf(environ, ours) >= 0) out.add(Long.parseLong(name));
                } catch (IOException | RuntimeException e) {
                    // gone meanwhile
                }
            }
        }
        return out;
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            if (i > 0 && hay[i - 1] != 0) continue;
            for (int k = 0; k < needle.length; k++) if (hay[i + k] != needle[k]) continue outer;
            return i;
        }
        return -1;
    }

    @Test
    @Order(7)
    void scancel_multiNodeJob_leavesNoProcessOnAnyNode() throws Exception {
        long id = sbatch("""
                #!/bin/bash
                #SBATCH -N3 --ntasks-per-node=1
                srun bash -c 'sleep 3601 & sleep 3602 & wait'
                """);
        // the batch script, srun, and on each of 3 nodes a task with two children
        List<Long> running = await(Duration.ofSeconds(60), () -> processesOfJob(id), l -> l.size() >= 11, "the job's processes starting");
        assertThat(running).hasSizeGreaterThanOrEqualTo(11);
        client("scancel", Long.toString(id)).ok();
        await(Duration.ofSeconds(30), () -> processesOfJob(id), List::isEmpty, "every process of job " + id + " gone");
        assertThat(awaitEnd(id, Duration.ofSeconds(30))).isEqualTo("CANCELLED");
        assertThat(sacct(id)).anySatisfy(l -> assertThat(l).startsWith(id + ".0|bash|CANCELLED"));
    }

    @Test
    @Order(8)
    void nodeLostMidStep_endsTheStepAndTheJobNodeFail() throws Exception {
        long id = sbatch("""
                #!/bin/bash
                #SBATCH -N2 --ntasks-per-node=1 --no-requeue
                srun bash -c 'sleep 3603'
                """);
        await(Duration.ofSeconds(60), () -> processesOfJob(id), l -> l.size() >= 4, "the step running on both nodes");
        Bottega.stop(agents.get("pj2"), true);   // SIGKILL: pj2 goes silent, its tasks are orphans until it returns
        assertThat(awaitEnd(id, Duration.ofSeconds(40))).isEqualTo("NODE_FAIL");
        assertThat(sacct(id)).anySatisfy(l -> assertThat(l).startsWith(id + ".0|bash|NODE_FAIL"));
        startAgent("pj2");   // a new agent kills what the dead one left
        await(Duration.ofSeconds(40), () -> processesOfJob(id), List::isEmpty, "every process of job " + id + " gone");
        await(Duration.ofSeconds(40), () -> client("sinfo", "-h", "-o", "%t %D").out().strip(), "idle 3"::equals, "pj2 back");
    }

    // ----------------------------------------------------------------------------------- interactive: a pty

    @Test
    @Order(9)
    void salloc_throughAPseudoTerminal_runsAShellHoldingTheAllocation() throws Exception {
        require("script(1) (bsdutils)", "script", "--version");
        String commands = "echo JOB=$SLURM_JOB_ID NODES=$SLURM_JOB_NODELIST\nsrun -l printenv SLURMD_NODENAME </dev/null\nexit 3\n";
        Bottega.Result r = sh("sleep 2; script -qfec 'salloc -N2 -n2' /dev/null", commands, Duration.ofSeconds(90));
        String all = r.out() + r.err();
        assertThat(r.exit()).as(all).isEqualTo(3);
        Matcher m = Pattern.compile("JOB=(\\d+) NODES=pj\\[\\d-\\d\\]").matcher(all);
        assertThat(m.find()).as(all).isTrue();
        long id = Long.parseLong(m.group(1));
        assertThat(all).contains("salloc: Granted job allocation " + id).containsPattern("0: pj\\d").containsPattern("1: pj\\d")
                .contains("salloc: Relinquishing job allocation " + id);
        assertThat(sacct(id)).first().satisfies(l -> assertThat(l).contains("|FAILED|3:0|"));
    }

    @Test
    @Order(10)
    void srunPty_throughAPseudoTerminal_givesATerminalOnTheNode() throws Exception {
        String commands = "tty; echo NODE=$SLURMD_NODENAME; exit 5\n";
        Bottega.Result r = sh("script -qfec 'srun --pty bash --norc' /dev/null", commands, Duration.ofSeconds(90));
        String all = r.out() + r.err();
        assertThat(r.exit()).as(all).isEqualTo(5);
        assertThat(all).contains("NODE=pj1").containsPattern("/dev/pts/\\d+");
    }

    @Test
    @Order(11)
    void salloc_killed_releasesItsAllocation() throws Exception {
        ProcessBuilder pb = new ProcessBuilder("/bin/bash", "-c", "exec salloc -N1 sleep 601").directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(dir.resolve("salloc-killed.out").toFile());
        pb.environment().putAll(env);
        Process salloc = pb.start();
        String id = await(Duration.ofSeconds(60), () -> client("squeue", "-h", "-o", "%i %T %j").out().strip(),
                s -> s.endsWith("RUNNING sleep"), "the allocation running").split(" ")[0];
        salloc.destroyForcibly();   // SIGKILL: no release, no more keep-alives
        salloc.waitFor();
        await(Duration.ofSeconds(30), () -> client("squeue", "-h").out().strip(), String::isEmpty, "allocation " + id + " released");
        assertThat(sacct(Long.parseLong(id))).first().satisfies(l -> assertThat(l).contains("|CANCELLED|"));
        for (ProcessHandle h : ProcessHandle.allProcesses().toList()) {
            // salloc's command, orphaned (salloc died without stopping it, as Slurm's does)
            if (h.info().commandLine().orElse("").endsWith("sleep 601")) h.destroyForcibly();
        }
    }

    @Test
    @Order(12)
    void bottegaRsh_runsACommandOnANodeOfTheJob() throws Exception {
        long id = sbatch("""
                #!/bin/bash
                #SBATCH -N2
                bottega-rsh pj2 'echo remote on $SLURMD_NODENAME; exit 4'
                echo "rsh rc=$?"
                """);
        assertThat(awaitEnd(id, Duration.ofSeconds(60))).isEqualTo("COMPLETED");
        assertThat(output(id)).contains("remote on pj2").contains("rsh rc=4");
    }
}
