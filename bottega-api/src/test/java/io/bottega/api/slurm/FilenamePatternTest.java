package io.bottega.api.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FilenamePatternTest {
    /** Job 1245, task 7 of array 1238, on lrdn0042 of Leonardo. */
    static final FilenamePattern.Values ARRAY_TASK =
            FilenamePattern.Values.batch(1245, 1238, 7, "lrdn0042.leonardo.local", "alice", "sweep");
    static final FilenamePattern.Values PLAIN = FilenamePattern.Values.batch(1234, 0, -1, "lrdn0001", "bob", "train");

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "slurm-%j.out        | slurm-1245.out",
            "slurm-%A_%a.out     | slurm-1238_7.out",
            "%x-%u.log           | sweep-alice.log",
            "%N.%j               | lrdn0042.1245",
            "out-%4a.txt         | out-0007.txt",
            "%10j                | 0000001245",
            "%99j                | 0000001245",
            "100%%-%j            | 100%-1245",
            "%J                  | 1245",
            "%s-%t-%n            | batch-0-0",
            "%3t                 | 000",
            "%q-%j               | %q-1245",
            "end%                | end%",
            "%5x                 | sweep",
    })
    void expand_arrayTask(String pattern, String expected) {
        assertThat(FilenamePattern.expand(pattern, ARRAY_TASK)).isEqualTo(expected);
    }

    @Test
    void expand_notAnArray_usesTheJobIdForA_andNoValForA() {
        assertThat(FilenamePattern.expand("slurm-%A_%a.out", PLAIN)).isEqualTo("slurm-1234_4294967294.out");
    }

    @Test
    void expand_stepValues() {
        var step = new FilenamePattern.Values(1234, 0, -1, 2, "n1", 3, 17, "bob", "train");
        assertThat(FilenamePattern.expand("%J.%s.%n.%t", step)).isEqualTo("1234.2.2.3.17");
    }

    @Test
    void expand_backslash_disablesExpansion() {
        assertThat(FilenamePattern.expand("literal\\%j.out", PLAIN)).isEqualTo("literal%j.out");
    }

    @Test
    void expand_unknownNode_keepsN() {
        var v = FilenamePattern.Values.batch(5, 0, -1, "", "u", "n");
        assertThat(FilenamePattern.expand("%N-%j", v)).isEqualTo("%N-5");
    }

    @Test
    void defaults_forJobsAndArrays() {
        assertThat(FilenamePattern.defaultOutput(false)).isEqualTo("slurm-%j.out");
        assertThat(FilenamePattern.defaultOutput(true)).isEqualTo("slurm-%A_%a.out");
        assertThat(FilenamePattern.expand(FilenamePattern.defaultOutput(true), ARRAY_TASK)).isEqualTo("slurm-1238_7.out");
    }

    @Test
    void expandAtSubmit_keepsRunTimeFields() {
        assertThat(FilenamePattern.expandAtSubmit("logs/%x.%N.%j.%t.%%.out", 77, 0, -1, "alice", "cfd_run"))
                .isEqualTo("logs/cfd_run.%N.77.%t.%.out");
        assertThat(FilenamePattern.expandAtSubmit("sweep-%A_%a.err", 80, 80, 3, "alice", "sweep")).isEqualTo("sweep-80_3.err");
    }
}
