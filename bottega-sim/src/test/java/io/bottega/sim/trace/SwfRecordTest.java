package io.bottega.sim.trace;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SwfRecordTest {
    @Test
    void parse_allEighteenFields() {
        SwfRecord r = SwfRecord.parse("   13   440070     22     43   32   0.03    -1   32  64800    -1  1  96  -1  -1  3 -1 -1 -1");
        assertThat(r.jobNumber()).isEqualTo(13);
        assertThat(r.submitTime()).isEqualTo(440070);
        assertThat(r.waitTime()).isEqualTo(22);
        assertThat(r.runTime()).isEqualTo(43);
        assertThat(r.allocatedProcessors()).isEqualTo(32);
        assertThat(r.averageCpuTime()).isEqualTo(0.03);
        assertThat(r.requestedProcessors()).isEqualTo(32);
        assertThat(r.requestedTime()).isEqualTo(64800);
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.userId()).isEqualTo(96);
        assertThat(r.groupId()).isEqualTo(-1);
        assertThat(r.queue()).isEqualTo(3);
        assertThat(r.thinkTime()).isEqualTo(-1);
    }

    @Test
    void processorsAndEstimate_followTheSpec() {
        SwfRecord allocated = SwfRecord.parse("1 0 -1 100 472 -1 -1 156 -1 -1 0 16 -1 64 -1 1 -1 -1");
        assertThat(allocated.processors()).isEqualTo(472);
        assertThat(allocated.estimate()).isEqualTo(100);
        SwfRecord requested = SwfRecord.parse("1 0 -1 100 -1 -1 -1 8 3600 -1 1 16 -1 64 -1 1 -1 -1");
        assertThat(requested.processors()).isEqualTo(8);
        assertThat(requested.estimate()).isEqualTo(3600);
    }

    @Test
    void parse_garbledField_namesIt() {
        assertThatThrownBy(() -> SwfRecord.parse("1 0 -1 abc 4 -1 -1 4 60 -1 1 1 1 -1 -1 -1 -1 -1"))
                .hasMessage("field 4 (run time) is 'abc', not a number");
        assertThatThrownBy(() -> SwfRecord.parse("1 0 -1 10 4 -1 -1 4 6x0 -1 1 1 1 -1 -1 -1 -1 -1"))
                .hasMessage("field 9 (requested time) is '6x0', not a number");
    }

    @Test
    void parse_truncatedLine_countsFields() {
        assertThatThrownBy(() -> SwfRecord.parse("1 0 -1 10 4 -1 -1 4 60 -1 1 1"))
                .hasMessage("expected 18 fields, found 12 (truncated line?)");
        assertThatThrownBy(() -> SwfRecord.parse("1 0 -1 10 4 -1 -1 4 60 -1 1 1 1 -1 -1 -1 -1 -1 7"))
                .hasMessage("expected 18 fields, found 19");
    }

    @Test
    void format_roundTrips() {
        String line = "13 440070 22 43 32 0.03 -1 32 64800 -1 1 96 -1 -1 3 -1 -1 -1";
        assertThat(SwfRecord.parse(line).format()).isEqualTo(line);
    }
}
