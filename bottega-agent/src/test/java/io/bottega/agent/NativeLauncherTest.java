package io.bottega.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Building the native launcher: compiled once, reused, and the shell chain's reasons when it cannot be. */
class NativeLauncherTest {
    @TempDir
    Path tmp;

    private static Path compiler() {
        return Tools.find().cc().orElseThrow(() -> new AssertionError(
                "no C compiler (cc, gcc or clang): the native launcher cannot be tested; scripts/test installs gcc"));
    }

    @Test
    void prepare_compilesOnceNamedByTheSourceHash_andReusesIt() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("a/bin"));
        Files.writeString(bin.resolve("bottega-launch-0000000000000000"), "stale");

        NativeLauncher.Build first = NativeLauncher.prepare(bin, Optional.of(compiler()));

        Path binary = first.binary().orElseThrow(() -> new AssertionError(first.reason()));
        assertThat(binary.getFileName().toString()).isEqualTo("bottega-launch-" + NativeLauncher.hash(NativeLauncher.source()));
        assertThat(Files.isExecutable(binary)).isTrue();
        assertThat(bin.resolve("bottega-launch-0000000000000000")).as("a binary of another source").doesNotExist();
        FileTime built = Files.getLastModifiedTime(binary);

        NativeLauncher.Build again = NativeLauncher.prepare(bin, Optional.empty());

        assertThat(again.binary()).contains(binary);
        assertThat(again.reason()).isEqualTo("cached");
        assertThat(Files.getLastModifiedTime(binary)).isEqualTo(built);
    }

    @Test
    void prepare_anotherSpoolOfTheSameProcess_copiesTheBinaryWithoutACompiler() throws Exception {
        Path a = Files.createDirectories(tmp.resolve("a/bin"));
        Path b = Files.createDirectories(tmp.resolve("b/bin"));
        NativeLauncher.prepare(a, Optional.of(compiler())).binary().orElseThrow();

        NativeLauncher.Build copied = NativeLauncher.prepare(b, Optional.empty());

        assertThat(copied.binary()).isPresent();
        assertThat(copied.binary().get().getParent()).isEqualTo(b);
        assertThat(copied.reason()).startsWith("copied from ");
        assertThat(Files.isExecutable(copied.binary().get())).isTrue();
    }

    @Test
    void prepare_compilerFails_saysWhy() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("c/bin"));
        Path fakeCc = tmp.resolve("cc");
        Files.writeString(fakeCc, "#!/bin/sh\necho 'cc: internal error' >&2\nexit 4\n");
        Files.setPosixFilePermissions(fakeCc, FileOps.perms("rwx------"));
        Files.writeString(bin.resolve("elsewhere"), "");
        // the copy of an earlier build in this JVM must not hide the failure: use a directory of its own hash
        NativeLauncher.Build b = NativeLauncher.prepareFresh(bin, Optional.of(fakeCc));

        assertThat(b.binary()).isEmpty();
        assertThat(b.reason()).contains("failed (exit 4)", "cc: internal error");
    }

    @Test
    void prepare_noCompiler_fallsBackWithTheReason() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("d/bin"));

        NativeLauncher.Build b = NativeLauncher.prepareFresh(bin, Optional.empty());

        assertThat(b.binary()).isEmpty();
        assertThat(b.reason()).contains("no C compiler");
    }

    @Test
    void launchServer_runsJobsRecordsTheirStatus_andIsStartedAgainAfterItDied() throws Exception {
        Path binary = NativeLauncher.prepare(Files.createDirectories(tmp.resolve("s/bin")), Optional.of(compiler())).binary().orElseThrow();
        java.util.concurrent.LinkedBlockingQueue<Long> ended = new java.util.concurrent.LinkedBlockingQueue<>();
        try (LaunchServer server = new LaunchServer(binary, "test", ended::add)) {
            Path jobDir = Files.createDirectories(tmp.resolve("job1"));
            Path out = tmp.resolve("job1.out");
            java.util.List<String> args = java.util.List.of(jobDir.toString(), "--workdir", tmp.toString(), "--input", "/dev/null",
                    "--output", out.toString(), "--error", "", "--mode", "truncate", "--umask", "0022", "--aslimit", "0",
                    "--record", "launcher=native\ntmp=/nowhere\n", "--",
                    "/bin/sh", "-c", "echo \"$GREETING $SLURM_TASK_PID\"; exit 7");
            byte[] env = "GREETING=hello\0PATH=/usr/bin:/bin\0".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            // what an earlier run in this directory left (an entry that outlived its ack): not this run's
            Files.writeString(jobDir.resolve("status"), "known=1\nexit_code=9\n");
            Files.writeString(jobDir.resolve("jobpid"), "1 1\n");
            Files.writeString(jobDir.resolve("outcome.json"), "{}");
            Files.writeString(jobDir.resolve("pid"), "wrapper_pid=1\nstatus_recorded=1\noutcome={}\n");

            LaunchServer.Launched first = server.launch(1, args, env);

            assertThat(ended.poll(20, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(first.pid());
            // one record: the launcher's lines, the agent's, then the status appended
            java.util.Map<String, String> record = FileOps.readProperties(jobDir.resolve("pid"));
            assertThat(record).containsEntry("known", "1").containsEntry("exit_code", "7").containsEntry("signal", "0")
                    .containsEntry("wrapper_pid", Long.toString(first.pid()))
                    .containsEntry("wrapper_start", Long.toString(first.startTime()))
                    .containsEntry("park_pid", Long.toString(first.pid()))
                    .containsEntry("job_pid", record.get("child"))
                    .containsEntry("launcher", "native").containsEntry("tmp", "/nowhere")
                    .containsEntry(Spool.STATUS_RECORDED, "1");
            assertThat(java.util.List.copyOf(record.keySet()).getLast()).isEqualTo(Spool.STATUS_RECORDED);
            assertThat(Files.readString(out)).isEqualTo("hello " + record.get("child") + "\n");
            assertThat(jobDir.resolve("status")).as("no status file: appended to the record").doesNotExist();
            assertThat(jobDir.resolve("jobpid")).as("in the record").doesNotExist();
            assertThat(jobDir.resolve("outcome.json")).as("an earlier run's").doesNotExist();
            assertThat(record).doesNotContainKey("outcome");
            assertThat(jobDir.resolve("wrapper.log")).as("nothing to say: no log").doesNotExist();

            long serverPid = server.pid().orElseThrow();
            ProcessHandle old = ProcessHandle.of(serverPid).orElseThrow();
            old.destroyForcibly();
            old.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
            LaunchServer.Launched second = launchWhenTheDeathIsSeen(server, args, env);

            assertThat(server.pid()).isPresent().isNotEqualTo(java.util.OptionalLong.of(serverPid));
            assertThat(ended.poll(20, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(second.pid());
            java.util.Map<String, String> again = FileOps.readProperties(jobDir.resolve("pid"));
            assertThat(again).containsEntry("exit_code", "7").containsEntry("wrapper_pid", Long.toString(second.pid()))
                    .containsEntry(Spool.STATUS_RECORDED, "1");
        }
    }

    @Test
    void launchServer_doesNotRunAJobWhoseRecordCannotBeWritten() throws Exception {
        Path binary = NativeLauncher.prepare(Files.createDirectories(tmp.resolve("s/bin")), Optional.of(compiler())).binary().orElseThrow();
        java.util.concurrent.LinkedBlockingQueue<Long> ended = new java.util.concurrent.LinkedBlockingQueue<>();
        try (LaunchServer server = new LaunchServer(binary, "test", ended::add)) {
            Path jobDir = tmp.resolve("no-such-job-dir");
            Path ran = tmp.resolve("ran");
            java.util.List<String> args = java.util.List.of(jobDir.toString(), "--workdir", tmp.toString(), "--input", "/dev/null",
                    "--output", tmp.resolve("out").toString(), "--error", "", "--mode", "truncate", "--umask", "0022",
                    "--aslimit", "0", "--record", "launcher=native\n", "--", "/bin/sh", "-c", "touch " + ran);

            LaunchServer.Launched l = server.launch(2, args, "PATH=/usr/bin:/bin\0".getBytes(java.nio.charset.StandardCharsets.UTF_8));

            // the launcher reaps the job it held at the gate before it ends
            assertThat(ended.poll(20, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(l.pid());
            assertThat(ran).as("the job did not run").doesNotExist();
            assertThat(tmp.resolve("out")).as("not even its output opened").doesNotExist();
            assertThat(jobDir).doesNotExist();
        }
    }

    /** A launch sent while the reader has not yet seen the old server's end fails; the next one gets a new server. */
    private static LaunchServer.Launched launchWhenTheDeathIsSeen(LaunchServer server, java.util.List<String> args, byte[] env)
            throws Exception {
        for (int attempt = 0; ; attempt++) {
            try {
                return server.launch(2 + attempt, args, env);
            } catch (java.io.IOException e) {
                if (attempt == 20) throw e;
                Thread.sleep(100);
            }
        }
    }

    @Test
    void agent_nativeAskedButNoLauncher_refusesToStart() throws Exception {
        Path spool = tmp.resolve("spool");
        Files.createDirectories(spool.resolve("bin"));
        // a directory where the binary should go: nothing can be compiled or copied there
        AgentConfig c = AgentConfig.of("http://127.0.0.1:9", "k", "nocc", spool).withLauncher("native")
                .withTmpBase(tmp.resolve("jobtmp")).withCgroupMode("none").withRetryMax(Duration.ofMillis(100));
        Files.createDirectories(spool.resolve("bin").resolve("bottega-launch-" + NativeLauncher.hash(NativeLauncher.source()))
                .resolve("blocker"));
        Agent agent = new Agent(c, new HttpControllerLink(c.controllerUrl(), c.clusterKey(), Duration.ofSeconds(1)));
        try {
            assertThatThrownBy(agent::start).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("native job launcher cannot be built");
        } finally {
            agent.close();
        }
    }
}
