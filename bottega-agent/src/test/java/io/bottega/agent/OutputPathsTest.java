package io.bottega.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import io.bottega.api.agent.LaunchRequest;
import org.junit.jupiter.api.Test;

class OutputPathsTest {
    static LaunchRequest job(long id, long arrayJobId, int task) {
        return new LaunchRequest(id, "alice", 1000, 1000, "#!/bin/sh\n", "/home/alice", Map.of(), "", "", "", false,
                List.of(), 0, List.of(), 0, 0, "train", arrayJobId, task, "lrdn[0001-0002]", 0);
    }

    @Test
    void expand_plainJob() {
        LaunchRequest r = job(1234, 0, 0);

        assertThat(OutputPaths.expand("%x-%j-%u-%N.out", r, "lrdn0001")).isEqualTo("train-1234-alice-lrdn0001.out");
        assertThat(OutputPaths.expand(OutputPaths.defaultOutput(r), r, "n")).isEqualTo("slurm-1234.out");
        assertThat(OutputPaths.expand("%A_%a", r, "n")).isEqualTo("1234_4294967294");
    }

    @Test
    void expand_arrayTask() {
        LaunchRequest r = job(1245, 1238, 7);

        assertThat(OutputPaths.expand(OutputPaths.defaultOutput(r), r, "n")).isEqualTo("slurm-1238_7.out");
        assertThat(OutputPaths.expand("log-%4a-%%.txt", r, "n")).isEqualTo("log-0007-%.txt");
    }

    @Test
    void expand_taskZeroOfAnArray_isTaskZero() {
        assertThat(OutputPaths.expand("%a", job(1238, 1238, 0), "n")).isEqualTo("0");
    }
}
