package io.bottega.cli.slurm;

import org.junit.jupiter.api.Test;

import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SacctTimeTest {
    private static final ZoneId UTC = ZoneOffset.UTC;
    /** Friday 2026-11-27 10:00:00 UTC. */
    private static final long NOW = TestIo.NOW;

    private static long at(int y, int mo, int d, int h, int mi) {
        return LocalDateTime.of(y, mo, d, h, mi).toEpochSecond(ZoneOffset.UTC);
    }

    @Test
    void parse_timeOfDay_isTheLatestSuchTimeNotAfterNow() {
        assertThat(SacctTime.parse("08:30", NOW, UTC)).isEqualTo(at(2026, 11, 27, 8, 30));
        assertThat(SacctTime.parse("11:00", NOW, UTC)).isEqualTo(at(2026, 11, 26, 11, 0));
        assertThat(SacctTime.parse("midnight", NOW, UTC)).isEqualTo(at(2026, 11, 27, 0, 0));
        assertThat(SacctTime.parse("noon", NOW, UTC)).isEqualTo(at(2026, 11, 26, 12, 0));
    }

    @Test
    void parse_dateWithoutYear_isTheLatestSuchDate() {
        assertThat(SacctTime.parse("1126", NOW, UTC)).isEqualTo(at(2026, 11, 26, 0, 0));
        assertThat(SacctTime.parse("1201", NOW, UTC)).isEqualTo(at(2025, 12, 1, 0, 0));
        assertThat(SacctTime.parse("01/15", NOW, UTC)).isEqualTo(at(2026, 1, 15, 0, 0));
    }

    @Test
    void parse_explicitDatesAndRelativeTimes_areTakenAsWritten() {
        assertThat(SacctTime.parse("2026-11-20", NOW, UTC)).isEqualTo(at(2026, 11, 20, 0, 0));
        assertThat(SacctTime.parse("2026-12-24T18:00", NOW, UTC)).isEqualTo(at(2026, 12, 24, 18, 0));
        assertThat(SacctTime.parse("112526", NOW, UTC)).isEqualTo(at(2026, 11, 25, 0, 0));
        assertThat(SacctTime.parse("now-1hour", NOW, UTC)).isEqualTo(NOW - 3600);
        assertThat(SacctTime.parse("now-2days", NOW, UTC)).isEqualTo(NOW - 2 * 86400);
        assertThat(SacctTime.parse("today", NOW, UTC)).isEqualTo(at(2026, 11, 27, 0, 0));
    }

    @Test
    void parse_nonsense_isRefused() {
        assertThatThrownBy(() -> SacctTime.parse("last tuesday", NOW, UTC)).isInstanceOf(IllegalArgumentException.class);
    }
}
