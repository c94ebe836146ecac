package io.bottega.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentMainTest {
    @TempDir
    Path tmp;

    @Test
    void parse_allOptions() throws Exception {
        Path key = Files.writeString(tmp.resolve("key"), "s3cret\n");

        AgentConfig c = AgentMain.parse(new String[] {"--controller", "http://ctl:6820", "--key-file", key.toString(),
                "--name", "lrdn0001", "--spool=" + tmp.resolve("spool"), "--cores", "32", "--memory", "500G", "--gpus", "4",
                "--gpu-type", "A100", "--features", "gpu, a100", "--group", "cell7", "--kill-grace", "5",
                "--cgroup", "none", "--launcher", "shell", "--no-cpu-binding"}, null);

        assertThat(c.controllerUrl()).isEqualTo("http://ctl:6820");
        assertThat(c.clusterKey()).isEqualTo("s3cret");
        assertThat(c.nodeName()).isEqualTo("lrdn0001");
        assertThat(c.spoolDir()).isEqualTo(tmp.resolve("spool"));
        assertThat(c.declared()).isEqualTo(new DeclaredResources(32, 512_000, 4, "A100", 0, java.util.List.of("gpu", "a100"), "cell7"));
        assertThat(c.killGrace()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.cgroupMode()).isEqualTo("none");
        assertThat(c.launcher()).isEqualTo("shell");
        assertThat(c.cpuBinding()).isFalse();
    }

    @Test
    void parse_keyFromEnvironment() throws Exception {
        AgentConfig c = AgentMain.parse(new String[] {"--controller", "http://ctl:6820", "--name", "n1"}, "envkey");

        assertThat(c.clusterKey()).isEqualTo("envkey");
        assertThat(c.declared()).isEqualTo(DeclaredResources.DETECT);
        assertThat(c.launcher()).isEqualTo("auto");
    }

    @Test
    void parse_mistakes_areClearErrors() {
        assertThatThrownBy(() -> AgentMain.parse(new String[] {"--key", "k"}, null))
                .hasMessage("--controller is required");
        assertThatThrownBy(() -> AgentMain.parse(new String[] {"--controller", "http://c", "--name", "n"}, null))
                .hasMessageContaining("a cluster key is required");
        assertThatThrownBy(() -> AgentMain.parse(new String[] {"--controller", "http://c", "--key", "k", "--cores", "x"}, null))
                .hasMessage("--cores must be a non-negative integer: x");
        assertThatThrownBy(() -> AgentMain.parse(new String[] {"--controller", "http://c", "--key", "k", "--cores", "0"}, null))
                .hasMessage("--cores must be a positive integer: 0");
        assertThatThrownBy(() -> AgentMain.parse(new String[] {"--controller", "http://c", "--key", "k", "--memory", "lots"}, null))
                .hasMessageContaining("--memory must be a positive size");
        assertThatThrownBy(() -> AgentMain.parse(new String[] {"--controller", "http://c", "--key", "k", "--bogus", "1"}, null))
                .hasMessage("unknown option: --bogus");
        assertThatThrownBy(() -> AgentMain.parse(new String[] {"--controller", "http://c", "--key", "k", "--launcher", "fast"}, null))
                .hasMessage("launcher must be auto, native or shell: fast");
        assertThatThrownBy(() -> AgentMain.parse(new String[] {"--controller", "http://c", "--key", "k", "--name"}, null))
                .hasMessage("--name needs a value");
        assertThatThrownBy(() -> AgentMain.parse(new String[] {"--controller", "ftp://c", "--key", "k", "--name", "n"}, null))
                .hasMessageContaining("controller URL must be http(s)");
        assertThatThrownBy(() -> AgentMain.parse(new String[] {"--controller", "http://c", "--key", "k", "--name", "bad/name"}, null))
                .hasMessageContaining("node name must be");
    }

    @Test
    void memory_suffixes() throws Exception {
        assertThat(AgentMain.memoryMb("--memory", "1024")).isEqualTo(1024);
        assertThat(AgentMain.memoryMb("--memory", "2G")).isEqualTo(2048);
        assertThat(AgentMain.memoryMb("--memory", "1T")).isEqualTo(1_048_576);
        assertThat(AgentMain.memoryMb("--memory", "2048K")).isEqualTo(2);
        assertThat(AgentMain.memoryMb("--memory", "512MB")).isEqualTo(512);
    }

    @Test
    void run_usageError_exitsTwoWithMessage() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(err, true, StandardCharsets.UTF_8);

        int code = AgentMain.run(new String[] {"--cores", "4"}, ps, ps);

        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("bottega agent: error: --controller is required");
    }

    @Test
    void run_help_printsUsage() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);

        assertThat(AgentMain.run(new String[] {"--help"}, ps, ps)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--controller URL", "--key-file FILE");
    }
}
