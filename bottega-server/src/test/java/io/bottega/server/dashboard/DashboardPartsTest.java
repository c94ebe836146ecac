package io.bottega.server.dashboard;

import io.bottega.server.store.JobRow;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The dashboard's small parts: the history ring, output paths and UTF-8 cuts, allocation counting, settings. */
class DashboardPartsTest {
    @Test
    void history_keepsTheLastSamplesOldestFirst() {
        History h = new History(3);
        for (int i = 1; i <= 5; i++) h.add(new History.Sample(i * 1000L, i, 2L * i, i, 10 * i, 100 * i));
        History.Columns all = h.since(0);
        assertThat(all.time()).containsExactly(3000, 4000, 5000);
        assertThat(all.gpusAlloc()).containsExactly(6, 8, 10);
        assertThat(all.running()).containsExactly(300, 400, 500);
        assertThat(h.since(4000).time()).containsExactly(4000, 5000);
        assertThat(h.since(9000).size()).isZero();
        assertThat(new History(5).since(0).size()).isZero();
    }

    @Test
    void settings_readPrivateDataAndSampling() {
        Properties p = new Properties();
        assertThat(DashboardSettings.from(p, Map.of())).isEqualTo(DashboardSettings.DEFAULT);
        assertThat(DashboardSettings.from(p, Map.of("BOTTEGA_PRIVATE_DATA", "true")).privateData()).isTrue();
        p.setProperty(DashboardSettings.PRIVATE_DATA, "false");
        assertThat(DashboardSettings.from(p, Map.of("BOTTEGA_PRIVATE_DATA", "true")).privateData()).isFalse();
        p.setProperty(DashboardSettings.SAMPLE_SECONDS, "2");
        p.setProperty(DashboardSettings.HISTORY_HOURS, "1");
        DashboardSettings s = DashboardSettings.from(p, Map.of());
        assertThat(s.sampleInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.historySamples()).isEqualTo(1800);
        assertThat(DashboardSettings.DEFAULT.historySamples()).isEqualTo(2160);
        p.setProperty(DashboardSettings.PRIVATE_DATA, "maybe");
        assertThatThrownBy(() -> DashboardSettings.from(p, Map.of())).hasMessage("privateData must be true or false, got 'maybe'");
    }

    @Test
    void usage_countsCoresAndGpusOfAnAllocation() {
        String json = "{\"nodes\":[{\"name\":\"n1\",\"tasks\":2,\"cpus\":4,\"cores\":[0,1,2,3],\"mem\":8000,\"gpus\":[0,1]},"
                + "{\"name\":\"n2\",\"tasks\":1,\"cpus\":12,\"cores\":[],\"mem\":8000,\"gpus\":[]},"
                + "{\"name\":\"n3\",\"tasks\":1,\"cpus\":1,\"cores\":[5],\"mem\":1,\"gpus\":[3]}]}";
        assertThat(Usage.coresAndGpus(json)).containsExactly(17, 3);
        assertThat(Usage.coresAndGpus("{\"nodes\":[]}")).containsExactly(0, 0);
    }

    @Test
    void outputTail_expandsSlurmPatternsAgainstTheWorkingDirectory() {
        JobRow r = row(42, 0, -1, "train", "/home/ada", "", "", "n[3-4]");
        assertThat(OutputTail.path(r, "stdout")).isEqualTo("/home/ada/slurm-42.out");
        assertThat(OutputTail.path(r, "stderr")).isEqualTo("/home/ada/slurm-42.out");
        JobRow named = row(42, 0, -1, "train", "/home/ada", "logs/%x-%j-%N.out", "/scratch/%u/%j.err", "n[3-4]");
        assertThat(OutputTail.path(named, "stdout")).isEqualTo("/home/ada/logs/train-42-n3.out");
        assertThat(OutputTail.path(named, "stderr")).isEqualTo("/scratch/ada/42.err");
        JobRow task = row(45, 40, 5, "sweep", "/w", "", "", "");
        assertThat(OutputTail.path(task, "stdout")).isEqualTo("/w/slurm-40_5.out");
    }

    @Test
    void outputTail_neverEndsInsideACharacter() {
        byte[] euro = "a€".getBytes(StandardCharsets.UTF_8); // 1 + 3 bytes
        assertThat(OutputTail.wholeCharacters(euro)).isEqualTo(4);
        assertThat(OutputTail.wholeCharacters(java.util.Arrays.copyOf(euro, 3))).isEqualTo(1);
        assertThat(OutputTail.wholeCharacters(java.util.Arrays.copyOf(euro, 2))).isEqualTo(1);
        assertThat(OutputTail.wholeCharacters("ab".getBytes(StandardCharsets.UTF_8))).isEqualTo(2);
        assertThat(OutputTail.wholeCharacters(new byte[0])).isZero();
    }

    @Test
    void outputTail_saysWhyWhenThereIsNothingToRead() {
        JobRow pending = new JobRow(7, 0, -1, "x", "ada", 1000, 1000, "", "batch", "", "PENDING", "", 0, 0, 1, 1, 0, 0, 60, 0, "", "",
                "{}", "", "", 0, "/w", "", "", "");
        assertThat(OutputTail.read(pending, "stdout", 0).why()).contains("has not started");
        JobRow gone = row(8, 0, -1, "x", "/nonexistent-dir", "", "", "n1");
        OutputTail.Chunk c = OutputTail.read(gone, "stdout", -1);
        assertThat(c.available()).isFalse();
        assertThat(c.why()).contains("not readable on the controller's machine", "no such file");
    }

    static JobRow row(long id, long array, int task, String name, String workDir, String out, String err, String nodes) {
        return new JobRow(id, array, task, name, "ada", 1000, 1000, "", "batch", "", "RUNNING", "", 0, 0, 1, 1, 2, 0, 60, 0, "", "",
                "{}", "", nodes, 0, workDir, out, err, "");
    }
}
