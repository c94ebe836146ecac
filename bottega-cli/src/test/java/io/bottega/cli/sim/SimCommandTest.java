package io.bottega.cli.sim;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class SimCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return SimCommand.execute(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), args);
    }

    private String stdout() { return out.toString(StandardCharsets.UTF_8); }

    private String stderr() { return err.toString(StandardCharsets.UTF_8); }

    private static Path swf(Path dir, String body) throws IOException {
        return Files.writeString(dir.resolve("t.swf"), "; MaxProcs: 8\n; UnixStartTime: 1000\n" + body);
    }

    private static String job(long id, long submit, long run, long procs, long est) {
        return id + " " + submit + " -1 " + run + " " + procs + " -1 -1 " + procs + " " + est + " -1 1 7 3 -1 -1 -1 -1 -1\n";
    }

    @Test
    void sim_swfWithThreePolicies_writesEverything(@TempDir Path dir) throws IOException {
        Path trace = swf(dir, job(1, 0, 100, 8, 100) + job(2, 0, 50, 4, 60) + job(3, 10, 10, 4, 10) + job(4, 20, 5, 2, 5));
        int code = run("--trace", trace.toString(), "--policy", "fcfs,easy,conservative", "--out", dir.resolve("out").toString(),
                "--swf-out");
        assertThat(code).as(stderr()).isZero();
        for (String p : new String[] {"fcfs", "easy", "conservative"}) {
            Path d = dir.resolve("out").resolve(p);
            assertThat(d.resolve("jobs.csv")).exists();
            assertThat(d.resolve("metrics.json")).exists();
            assertThat(d.resolve("report.html")).exists();
            assertThat(Files.readString(d.resolve("jobs.swf"))).contains("; UnixStartTime: 1000", "policy " + p);
        }
        assertThat(Files.readString(dir.resolve("out/report.html"))).contains("<svg", "easy/report.html");
        assertThat(stdout()).contains("t on t: 4 jobs (4 records, 0 skipped), machine 8 cores")
                .containsPattern("(?m)^policy +jobs +util +wait_mean +wait_med +wait_p95 +bsld +makespan +jobs/s +parse_s$")
                .containsPattern("(?m)^fcfs +4 ").containsPattern("(?m)^easy +4 ").containsPattern("(?m)^conservative +4 ");
        assertThat(stderr()).doesNotContain("error");
    }

    @Test
    void sim_onePolicy_outputsInDir(@TempDir Path dir) throws IOException {
        Path trace = swf(dir, job(1, 0, 100, 8, 100));
        assertThat(run("--trace", trace.toString(), "--out", dir.resolve("o").toString())).isZero();
        assertThat(dir.resolve("o/metrics.json")).exists();
        assertThat(Files.readString(dir.resolve("o/metrics.json"))).contains("\"policy\": \"easy\"", "\"jobs\": 1");
        assertThat(dir.resolve("o/jobs.swf")).doesNotExist();
    }

    @Test
    void sim_badTraceLine_isExit1WithFileAndLine(@TempDir Path dir) throws IOException {
        Path trace = swf(dir, job(1, 0, 100, 8, 100) + "2 0 -1 abc 4 -1 -1 4 60 -1 1 7 3 -1 -1 -1 -1 -1\n");
        assertThat(run("--trace", trace.toString(), "--out", dir.resolve("o").toString())).isEqualTo(1);
        assertThat(stderr()).isEqualTo("bottega sim: error: " + trace + ":4: field 4 (run time) is 'abc', not a number\n");
        assertThat(stdout()).isEmpty();
    }

    @Test
    void sim_skipInvalid_countsAndRuns(@TempDir Path dir) throws IOException {
        Path trace = swf(dir, job(1, 0, 100, 8, 100) + job(2, 0, -1, 4, 60) + job(3, 5, 10, 9, 60));
        assertThat(run("--trace", trace.toString(), "--out", dir.resolve("o").toString(), "--skip-invalid")).isZero();
        assertThat(stderr()).contains("bottega sim: 2 invalid records skipped (run time < 0: 1, wider than the machine: 1)");
        assertThat(stdout()).contains("1 jobs (3 records, 2 skipped)");
    }

    @Test
    void sim_unknownCluster_isExit2(@TempDir Path dir) throws IOException {
        Path trace = swf(dir, job(1, 0, 100, 8, 100));
        assertThat(run("--trace", trace.toString(), "--cluster", "frontier", "--out", dir.toString())).isEqualTo(2);
        assertThat(stderr()).startsWith("bottega sim: error: unknown cluster 'frontier' (known: leonardo, leonardo-booster, tiny, "
                + "small-gpu, small-cpu");
    }

    @Test
    void sim_unknownPolicy_isExit2(@TempDir Path dir) throws IOException {
        Path trace = swf(dir, job(1, 0, 100, 8, 100));
        assertThat(run("--trace", trace.toString(), "--policy", "easy,sjf", "--out", dir.toString())).isEqualTo(2);
        assertThat(stderr()).isEqualTo("bottega sim: error: unknown policy 'sjf' (known: fcfs, easy, conservative)\n");
    }

    @Test
    void sim_missingTraceFile_isExit1(@TempDir Path dir) {
        assertThat(run("--trace", dir.resolve("nope.swf").toString(), "--out", dir.toString())).isEqualTo(1);
        assertThat(stderr()).isEqualTo("bottega sim: error: " + dir.resolve("nope.swf") + ": no such file\n");
    }

    @Test
    void sim_usageErrors_areExit2() {
        assertThat(run("--out", "x")).isEqualTo(2);
        assertThat(stderr()).isEqualTo("bottega sim: error: give either --trace FILE or --synthetic N\n");
        err.reset();
        assertThat(run("--synthetic", "10", "--out", "x")).isEqualTo(2);
        assertThat(stderr()).isEqualTo("bottega sim: error: --synthetic needs --cluster NAME|FILE\n");
        err.reset();
        assertThat(run("--trace", "t.swf")).isEqualTo(2);
        assertThat(stderr()).startsWith("bottega sim: error: Missing required option: '--out=DIR'");
        err.reset();
        assertThat(run("--trace", "t.swf", "--out", "x", "--bogus")).isEqualTo(2);
        assertThat(stderr()).startsWith("bottega sim: error: Unknown option: '--bogus'");
        err.reset();
        assertThat(run("--trace", "t.swf", "--out", "x", "--format", "parquet")).isEqualTo(2);
        assertThat(stderr()).isEqualTo("bottega sim: error: unknown trace format 'parquet' (known: swf, alibaba, gpucsv, auto)\n");
    }

    @Test
    void sim_synthetic_onTinyWithProgress(@TempDir Path dir) {
        int code = run("--synthetic", "300", "--seed", "9", "--cluster", "tiny", "--policy", "easy", "--out", dir.toString(), "--progress");
        assertThat(code).as(stderr()).isZero();
        assertThat(stdout()).contains("synthetic-tiny-300-seed9 on tiny: 300 jobs").contains("gpu");
        assertThat(dir.resolve("report.html")).exists();
    }

    @Test
    void sim_clusterFileError_isExit1WithYamlPath(@TempDir Path dir) throws IOException {
        Path yaml = Files.writeString(dir.resolve("c.yaml"), "name: c\nnodes:\n  - names: n[1-2]\n    cores: many\npartitions:\n  - name: p\n");
        Path trace = swf(dir, job(1, 0, 100, 8, 100));
        assertThat(run("--trace", trace.toString(), "--cluster", yaml.toString(), "--out", dir.toString())).isEqualTo(1);
        assertThat(stderr()).isEqualTo("bottega sim: error: " + yaml + ": nodes[0].cores: 'many' is not an integer\n");
    }

    @Test
    void human_durations() {
        assertThat(SimCommand.human(42)).isEqualTo("42s");
        assertThat(SimCommand.human(210)).isEqualTo("3.5m");
        assertThat(SimCommand.human(7560)).isEqualTo("2.1h");
        assertThat(SimCommand.human(4 * 86400)).isEqualTo("4.0d");
    }
}
