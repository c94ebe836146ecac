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
