package io.bottega.app.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static io.bottega.app.e2e.Bottega.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code bottega up} as a real process, used through the Slurm-compatible clients, each a real process too:
 * the README's main command, end to end.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UpIT {
    Path dir;
    Path log;
    Process up;
    Map<String, String> env;
    int port;
    long timeoutJob;

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory(Path.of("/tmp"), "bottega-up-it");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx")); // 'nobody' writes here too
        port = Bottega.freePort();
        env = Bottega.env(dir.resolve("bottega.sock"), port);
        log = dir.resolve("up.log");
        startUp();
    }

    void startUp() throws Exception {
        up = Bottega.start(env, log, "up", "--data-dir", dir.resolve("data").toString(), "--nodes", "4", "--cores", "8", "--gpus", "4",
                "--memory", "16000", "--port", Integer.toString(port), "--socket", env.get("BOTTEGA_SOCKET"), "--kill-grace", "2",
                "--heartbeat-timeout", "15");
        Bottega.awaitLog(log, "Bottega is up", Duration.ofSeconds(90), up);
        await(Duration.ofSeconds(60), () -> cli("sinfo", "-h", "-o", "%t %D"), r -> r.out().strip().equals("idle 4"), "4 idle nodes");
    }

    @AfterAll
    void stop() throws Exception {
        Bottega.stop(up, false);
    }

    Bottega.Result cli(String... args) throws Exception {
        return Bottega.run(env, dir, null, args);
    }

    long submit(String... args) throws Exception {
        String[] a = new String[args.length + 2];
        a[0] = "sbatch";
        a[1] = "--parsable";
        System.arraycopy(args, 0, a, 2, args.length);
        return Long.parseLong(cli(a).ok().out().strip().split(";")[0]);
    }

    /** sacct's State and ExitCode of a job (its first line). */
    String[] sacct(long id) throws Exception {
        String out = cli("sacct", "-j", Long.toString(id), "-n", "-P", "--format=State,ExitCode,Elapsed").ok().out().strip();
        return out.isEmpty() ? new String[] {"", "", ""} : out.lines().findFirst().orElseThrow().split("\\|");
    }

    String[] awaitEnd(long id, Duration timeout) throws Exception {
        return await(timeout, () -> sacct(id), s -> !s[0].isEmpty() && !s[0].equals("PENDING") && !s[0].equals("RUNNING"),
                "job " + id + " ending");
    }

    @Test
    @Order(1)
    void sbatch_realScriptRunsAndSacctShowsIt() throws Exception {
        timeoutJob = submit("-t", "1", "--wrap", "sleep 600"); // checked at the end: a minute is the shortest Slurm limit
        Path script = dir.resolve("hello.sh");
        Files.writeString(script, """
                #!/bin/bash
                #SBATCH -J hello
                #SBATCH -o hello-%j.out
                #SBATCH -n 2
                echo "hello from job $SLURM_JOB_ID on $SLURM_JOB_NODELIST with $SLURM_NTASKS tasks"
                """);
        long id = submit(script.toString());
        String[] s = awaitEnd(id, Duration.ofSeconds(60));
        assertThat(s[0]).isEqualTo("COMPLETED");
        assertThat(s[1]).isEqualTo("0:0");
        assertThat(s[2]).matches("\\d\\d:\\d\\d:\\d\\d");
        String out = Files.readString(dir.resolve("hello-" + id + ".out"));
        assertThat(out).startsWith("hello from job " + id + " on node").contains("with 2 tasks");
    }

    @Test
    @Order(2)
    void sbatch_badDirectiveIsRefusedAndNothingQueued() throws Exception {
        Path script = dir.resolve("bad.sh");
        Files.writeString(script, "#!/bin/bash\n#SBATCH --time=1-25:00\necho no\n");
        String before = cli("squeue", "-h", "-o", "%i").ok().out();
        Bottega.Result r = cli("sbatch", script.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).startsWith("sbatch: error:").contains("hours");
        Path notScript = dir.resolve("notscript.sh");
        Files.writeString(notScript, "echo no shebang\n");
        Bottega.Result r2 = cli("sbatch", notScript.toString());
        assertThat(r2.exit()).isEqualTo(1);
        assertThat(r2.err()).contains("This does not look like a batch script");
        assertThat(cli("squeue", "-h", "-o", "%i").ok().out()).isEqualTo(before);
    }

    @Test
    @Order(3)
    void gpus_twoTwoGpuJobsOnOneNodeGetDisjointDevices() throws Exception {
        long a = submit("--gres=gpu:2", "-o", dir.resolve("gpu-%j.out").toString(), "--wrap", "echo $CUDA_VISIBLE_DEVICES; sleep 4");
        long b = submit("--gres=gpu:2", "-o", dir.resolve("gpu-%j.out").toString(), "--wrap", "echo $CUDA_VISIBLE_DEVICES; sleep 4");
        assertThat(awaitEnd(a, Duration.ofSeconds(60))[0]).isEqualTo("COMPLETED");
        assertThat(awaitEnd(b, Duration.ofSeconds(60))[0]).isEqualTo("COMPLETED");
        String na = cli("sacct", "-j", Long.toString(a), "-n", "-P", "--format=NodeList").ok().out().strip();
        String nb = cli("sacct", "-j", Long.toString(b), "-n", "-P", "--format=NodeList").ok().out().strip();
        assertThat(na).as("best fit packs the second job on the node the first one half fills").isEqualTo(nb);
        List<String> ga = Arrays.asList(Files.readString(dir.resolve("gpu-" + a + ".out")).strip().split(","));
        List<String> gb = Arrays.asList(Files.readString(dir.resolve("gpu-" + b + ".out")).strip().split(","));
        assertThat(ga).hasSize(2);
        assertThat(gb).hasSize(2).doesNotContainAnyElementsOf(ga);
    }

    @Test
    @Order(4)
    void memory_jobPastItsLimitEndsOutOfMemory() throws Exception {
        String limits = Files.readString(log).lines().filter(l -> l.contains("event=limits")).findFirst().orElse("");
        Assumptions.assumeFalse(limits.contains("cgroup=none"),
                "SKIPPED: the agents found no memory cgroup on this machine (" + limits + "), so an OOM kill cannot be provoked");
        long id = submit("--mem=64M", "--wrap", "head -c 400M /dev/zero | tail > /dev/null");
        String[] s = awaitEnd(id, Duration.ofSeconds(60));
        assertThat(s[0]).isEqualTo("OUT_OF_MEMORY");
    }

    @Test
    @Order(5)
    void array_hundredElementsComplete() throws Exception {
        long id = submit("--array=1-100", "-o", dir.resolve("arr-%A_%a.out").toString(), "--wrap", "echo $SLURM_ARRAY_TASK_ID");
        await(Duration.ofSeconds(180), () -> cli("sacct", "-j", Long.toString(id), "-n", "-P", "-X", "--format=State").ok().out(),
                out -> out.lines().filter(l -> l.equals("COMPLETED")).count() == 100, "100 array tasks completing");
        for (int t : new int[] {1, 50, 100}) {
            assertThat(Files.readString(dir.resolve("arr-" + id + "_" + t + ".out")).strip()).isEqualTo(Integer.toString(t));
        }
    }

    @Test
    @Order(6)
    void dependency_afterokChainInOrderAndFailedParentNeverSatisfied() throws Exception {
        Path order = dir.resolve("order.txt");
        long a = submit("--wrap", "sleep 1; echo a >> " + order);
        long b = submit("-d", "afterok:" + a, "--wrap", "echo b >> " + order);
        long c = submit("-d", "afterok:" + b, "--wrap", "echo c >> " + order);
        assertThat(awaitEnd(c, Duration.ofSeconds(90))[0]).isEqualTo("COMPLETED");
        assertThat(Files.readAllLines(order)).containsExactly("a", "b", "c");

        long bad = submit("--wrap", "exit 7");
        long child = submit("-d", "afterok:" + bad, "--wrap", "echo never");
        String[] s = awaitEnd(bad, Duration.ofSeconds(60));
        assertThat(s[0]).isEqualTo("FAILED");
        assertThat(s[1]).isEqualTo("7:0");
        await(Duration.ofSeconds(30), () -> cli("squeue", "-h", "-j", Long.toString(child), "-o", "%T %r").ok().out().strip(),
                o -> o.equals("PENDING DependencyNeverSatisfied"), "the child pending with DependencyNeverSatisfied");
        cli("scancel", Long.toString(child)).ok();
    }

    @Test
    @Order(7)
    void scancel_anotherUsersJobIsRefused() throws Exception {
        long id = submit("--hold", "--wrap", "sleep 60");
        Bottega.Result r = Bottega.run(env, dir, "nobody", "scancel", Long.toString(id));
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("Access/permission denied");
        assertThat(cli("squeue", "-h", "-j", Long.toString(id), "-o", "%T").ok().out().strip()).isEqualTo("PENDING");
        cli("scancel", Long.toString(id)).ok();
    }

    @Test
    @Order(8)
    void restart_resumesWithRunningJobsKept() throws Exception {
        Path mark = dir.resolve("survivor.txt");
        long id = submit("--wrap", "sleep 8; echo survived > " + mark);
        await(Duration.ofSeconds(30), () -> sacct(id)[0], "RUNNING"::equals, "job running");
        Bottega.stop(up, false);
        startUp();
        assertThat(awaitEnd(id, Duration.ofSeconds(90))[0]).isEqualTo("COMPLETED");
        assertThat(Files.readString(mark).strip()).isEqualTo("survived");
        assertThat(sacct(timeoutJob)[0]).isIn("RUNNING", "TIMEOUT");
    }

    @Test
    @Order(9)
    void squeue_rowsFormattedByTheControllerAreTheClientsRows() throws Exception {
        long array = submit("-H", "-J", "sq-arr", "--array=1-5", "--wrap", "true");
        long zeta = submit("-H", "-J", "sq-zeta", "-t", "10", "-n", "2", "--wrap", "true");
        long alpha = submit("-H", "-J", "sq-alpha", "-t", "1-0", "--wrap", "true");
        Map<String, String> clientEnv = new java.util.HashMap<>(env);
        clientEnv.put("BOTTEGA_SQUEUE_RENDER", "client");
        List<List<String>> cases = List.of(
                List.of("-t", "PD"),
                List.of("-t", "PD", "-r"),
                List.of("--start"),
                List.of("-t", "PD", "-S", "-j,i"),
                List.of("-h", "-t", "pd", "-o", "%i|%j|%u|%T|%r|%V|%l|%C|%D|%F|%K|%A"),
                List.of("-t", "PD", "-O", "JobID:8,Name:12,State:.10,SubmitTime,TimeLimit,ArrayTaskID"),
                List.of("--me", "-t", "PD", "-o", "%A %K %F %j"),
                List.of("-n", "sq-zeta,sq-alpha", "-o", "%j %C %l", "-S", "l"),
                List.of("--notme", "-o", "%i"),
                List.of("-q", "normal", "-t", "PD", "-h"),
                List.of("-t", "all", "-n", "sq-arr,sq-zeta,sq-alpha", "-o", "%i %T"),
                List.of("-j", array + "_[2-4]," + zeta, "-o", "%i %j"));
        boolean sawArray = false;
        for (List<String> c : cases) {
            String[] args = new String[c.size() + 1];
            args[0] = "squeue";
            for (int i = 0; i < c.size(); i++) args[i + 1] = c.get(i);
            String server = cli(args).ok().out();
            String client = Bottega.run(clientEnv, dir, null, args).ok().out();
            assertThat(server).as(String.join(" ", c)).isEqualTo(client);
            sawArray |= server.contains(array + "_[1-5]") || server.contains(array + "_3");
        }
        assertThat(sawArray).isTrue();
        cli("scancel", Long.toString(array), Long.toString(zeta), Long.toString(alpha)).ok();
    }

    @Test
    @Order(99)
    void timeLimit_jobPastItEndsTimeout() throws Exception {
        String[] s = awaitEnd(timeoutJob, Duration.ofSeconds(150));
        assertThat(s[0]).isEqualTo("TIMEOUT");
    }
}
