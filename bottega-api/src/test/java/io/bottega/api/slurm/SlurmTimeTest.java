package io.bottega.api.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDateTime;
import java.time.ZoneId;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SlurmTimeTest {
    static final ZoneId ROME = ZoneId.of("Europe/Rome");
    /** Friday 2026-11-27 09:15:00 in Rome. */
    static final long NOW = at(2026, 11, 27, 9, 15, 0);

    static long at(int y, int mo, int d, int h, int mi, int s) {
        return LocalDateTime.of(y, mo, d, h, mi, s).atZone(ROME).toEpochSecond();
    }

    @ParameterizedTest
    @CsvSource({
            "30, 1800",
            "90:00, 5400",
            "1:30:00, 5400",
            "2-0, 172800",
            "2-06, 194400",
            "1-12:00:00, 129600",
            "1-2:3, 93780",
            "0:45, 45",
            "48:00:00, 172800",
            "' 10 ', 600",
            "0, 0",
    })
    void parseDuration_slurmForms(String text, long seconds) {
        assertThat(SlurmTime.parseDuration(text)).isEqualTo(seconds);
    }

    @Test
    void parseDuration_unlimitedWords() {
        assertThat(SlurmTime.parseDuration("UNLIMITED")).isEqualTo(SlurmTime.UNLIMITED);
        assertThat(SlurmTime.parseDuration("infinite")).isEqualTo(SlurmTime.UNLIMITED);
        assertThat(SlurmTime.parseDuration("-1")).isEqualTo(SlurmTime.UNLIMITED);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "1-25:00    | hours must be 0-23",
            "1-23:60    | minutes must be 0-59",
            "1-0:0:60   | seconds must be 0-59",
            "10:60      | seconds must be 0-59",
            "1:60:00    | minutes must be 0-59",
            "1:00:60    | seconds must be 0-59",
            "1234567890 | time value 1234567890 is too large",
    })
    void parseDuration_outOfRangeFields_nameTheField(String text, String message) {
        assertThatThrownBy(() -> SlurmTime.parseDuration(text)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @ParameterizedTest
    @CsvSource({"abc", "1h", "1:2:3:4", "1-2-3", "-5", ":30", "5:", "1-", "1.5"})
    void parseDuration_malformed_listsTheForms(String text) {
        assertThatThrownBy(() -> SlurmTime.parseDuration(text))
                .hasMessage("invalid time, expected minutes, minutes:seconds, hours:minutes:seconds, days-hours, "
                        + "days-hours:minutes or days-hours:minutes:seconds");
    }

    @Test
    void parseDuration_empty_isRefused() {
        assertThatThrownBy(() -> SlurmTime.parseDuration("  ")).hasMessageStartingWith("empty time, expected minutes");
    }

    @Test
    void parseTimeLimit_roundsUpToMinutes_zeroIsUnlimited() {
        assertThat(SlurmTime.parseTimeLimit("1:30")).isEqualTo(120);
        assertThat(SlurmTime.parseTimeLimit("0:01")).isEqualTo(60);
        assertThat(SlurmTime.parseTimeLimit("1:00:01")).isEqualTo(3660);
        assertThat(SlurmTime.parseTimeLimit("90")).isEqualTo(5400);
        assertThat(SlurmTime.parseTimeLimit("0")).isEqualTo(SlurmTime.UNLIMITED);
        assertThat(SlurmTime.parseTimeLimit("0:00")).isEqualTo(SlurmTime.UNLIMITED);
        assertThat(SlurmTime.parseTimeLimit("INFINITE")).isEqualTo(SlurmTime.UNLIMITED);
    }

    @ParameterizedTest
    @CsvSource({
            "0, 00:00:00",
            "59, 00:00:59",
            "3600, 01:00:00",
            "86399, 23:59:59",
            "86400, 1-00:00:00",
            "129600, 1-12:00:00",
            "3024000, 35-00:00:00",
    })
    void formatDuration_asSacctPrintsIt(long seconds, String text) {
        assertThat(SlurmTime.formatDuration(seconds)).isEqualTo(text);
    }

    @ParameterizedTest
    @CsvSource({
            "0, 0:00",
            "5, 0:05",
            "307, 5:07",
            "3599, 59:59",
            "3600, 1:00:00",
            "3723, 1:02:03",
            "86400, 1-00:00:00",
            "1800000, 20-20:00:00",
    })
    void formatElapsed_asSqueuePrintsIt(long seconds, String text) {
        assertThat(SlurmTime.formatElapsed(seconds)).isEqualTo(text);
    }

    @Test
    void format_specialValues() {
        assertThat(SlurmTime.formatDuration(SlurmTime.UNLIMITED)).isEqualTo("UNLIMITED");
        assertThat(SlurmTime.formatElapsed(SlurmTime.UNLIMITED)).isEqualTo("UNLIMITED");
        assertThat(SlurmTime.formatDuration(-1)).isEqualTo("INVALID");
        assertThat(SlurmTime.formatElapsed(-1)).isEqualTo("INVALID");
        assertThat(SlurmTime.formatElapsed(366L * 86400)).isEqualTo("INVALID");
    }

    @Property(seed = "20261127", tries = 500)
    void parseDuration_ofFormatDuration_isIdentity(@ForAll @LongRange(min = 0, max = 100_000_000) long seconds) {
        assertThat(SlurmTime.parseDuration(SlurmTime.formatDuration(seconds))).isEqualTo(seconds);
    }

    @Property(seed = "20261127", tries = 500)
    void parseDuration_ofFormatElapsed_isIdentity(@ForAll @LongRange(min = 0, max = 365L * 86400) long seconds) {
        assertThat(SlurmTime.parseDuration(SlurmTime.formatElapsed(seconds))).isEqualTo(seconds);
    }

    @Property(seed = "7", tries = 300)
    void parseTimeLimit_ofFormatDuration_isTheNextWholeMinute(@ForAll @LongRange(min = 1, max = 10_000_000) long seconds) {
        assertThat(SlurmTime.parseTimeLimit(SlurmTime.formatDuration(seconds))).isEqualTo((seconds + 59) / 60 * 60);
    }

    // ------------------------------------------------------------------------------------- timestamps

    @Test
    void formatTimestamp_isSlurmsIsoForm() {
        assertThat(SlurmTime.formatTimestamp(NOW, ROME)).isEqualTo("2026-11-27T09:15:00");
        assertThat(SlurmTime.formatTimestamp(NOW, ZoneId.of("UTC"))).isEqualTo("2026-11-27T08:15:00");
        assertThat(SlurmTime.formatTimestamp(0, ROME, "N/A")).isEqualTo("N/A");
        assertThat(SlurmTime.formatTimestamp(NOW, ROME, "N/A")).isEqualTo("2026-11-27T09:15:00");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "now               | 0",
            "now+60            | 60",
            "now+1hour         | 3600",
            "now+2hours        | 7200",
            "now+30minutes     | 1800",
            "now+30min         | 1800",
            "now+1day          | 86400",
            "now+1week         | 604800",
            "now-2days         | -172800",
            "now + 10 seconds  | 10",
            "NOW+1HOUR         | 3600",
    })
    void parseBegin_nowRelative(String text, long offset) {
        assertThat(SlurmTime.parseBegin(text, NOW, ROME)).isEqualTo(NOW + offset);
    }

    @Test
    void parseBegin_timeOfDay_isTheNextSuchTime() {
        assertThat(SlurmTime.parseBegin("10:00", NOW, ROME)).isEqualTo(at(2026, 11, 27, 10, 0, 0));
        assertThat(SlurmTime.parseBegin("10:00:30", NOW, ROME)).isEqualTo(at(2026, 11, 27, 10, 0, 30));
        assertThat(SlurmTime.parseBegin("08:00", NOW, ROME)).isEqualTo(at(2026, 11, 28, 8, 0, 0));
        assertThat(SlurmTime.parseBegin("09:15", NOW, ROME)).isEqualTo(at(2026, 11, 28, 9, 15, 0));
        assertThat(SlurmTime.parseBegin("3:30pm", NOW, ROME)).isEqualTo(at(2026, 11, 27, 15, 30, 0));
        assertThat(SlurmTime.parseBegin("3:30 PM", NOW, ROME)).isEqualTo(at(2026, 11, 27, 15, 30, 0));
        assertThat(SlurmTime.parseBegin("12:00am", NOW, ROME)).isEqualTo(at(2026, 11, 28, 0, 0, 0));
    }

    @Test
    void parseBegin_keywords() {
        assertThat(SlurmTime.parseBegin("midnight", NOW, ROME)).isEqualTo(at(2026, 11, 28, 0, 0, 0));
        assertThat(SlurmTime.parseBegin("noon", NOW, ROME)).isEqualTo(at(2026, 11, 27, 12, 0, 0));
        assertThat(SlurmTime.parseBegin("elevenses", NOW, ROME)).isEqualTo(at(2026, 11, 27, 11, 0, 0));
        assertThat(SlurmTime.parseBegin("fika", NOW, ROME)).isEqualTo(at(2026, 11, 27, 15, 0, 0));
        assertThat(SlurmTime.parseBegin("teatime", NOW, ROME)).isEqualTo(at(2026, 11, 27, 16, 0, 0));
        assertThat(SlurmTime.parseBegin("today", NOW, ROME)).isEqualTo(at(2026, 11, 27, 0, 0, 0));
        assertThat(SlurmTime.parseBegin("tomorrow", NOW, ROME)).isEqualTo(at(2026, 11, 28, 0, 0, 0));
        assertThat(SlurmTime.parseBegin("tomorrow noon", NOW, ROME)).isEqualTo(at(2026, 11, 28, 12, 0, 0));
        assertThat(SlurmTime.parseBegin("teatime tomorrow", NOW, ROME)).isEqualTo(at(2026, 11, 28, 16, 0, 0));
        assertThat(SlurmTime.parseBegin("today 08:00", NOW, ROME)).isEqualTo(at(2026, 11, 27, 8, 0, 0));
    }

    @Test
    void parseBegin_dates() {
        assertThat(SlurmTime.parseBegin("2030-01-01", NOW, ROME)).isEqualTo(at(2030, 1, 1, 0, 0, 0));
        assertThat(SlurmTime.parseBegin("2030-01-01T10:00", NOW, ROME)).isEqualTo(at(2030, 1, 1, 10, 0, 0));
        assertThat(SlurmTime.parseBegin("2030-01-01T10:00:30", NOW, ROME)).isEqualTo(at(2030, 1, 1, 10, 0, 30));
        assertThat(SlurmTime.parseBegin("12/25", NOW, ROME)).isEqualTo(at(2026, 12, 25, 0, 0, 0));
        assertThat(SlurmTime.parseBegin("01/15", NOW, ROME)).isEqualTo(at(2027, 1, 15, 0, 0, 0));
        assertThat(SlurmTime.parseBegin("12/25/27", NOW, ROME)).isEqualTo(at(2027, 12, 25, 0, 0, 0));
        assertThat(SlurmTime.parseBegin("12.25.27", NOW, ROME)).isEqualTo(at(2027, 12, 25, 0, 0, 0));
        assertThat(SlurmTime.parseBegin("1225", NOW, ROME)).isEqualTo(at(2026, 12, 25, 0, 0, 0));
        assertThat(SlurmTime.parseBegin("122527", NOW, ROME)).isEqualTo(at(2027, 12, 25, 0, 0, 0));
        assertThat(SlurmTime.parseBegin("12/25-10:30", NOW, ROME)).isEqualTo(at(2026, 12, 25, 10, 30, 0));
        // a date in the past is simply in the past: eligible at once
        assertThat(SlurmTime.parseBegin("2020-01-01", NOW, ROME)).isEqualTo(at(2020, 1, 1, 0, 0, 0));
    }

    @Test
    void parseBegin_inADaylightSavingGap_movesForward() {
        // 2027-03-28 02:30 does not exist in Rome; the clocks jump from 02:00 to 03:00
        assertThat(SlurmTime.parseBegin("2027-03-28T02:30", NOW, ROME)).isEqualTo(at(2027, 3, 28, 3, 30, 0));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "25:00            | hour must be 0-23",
            "10:61            | minute must be 0-59",
            "10:00:61         | second must be 0-59",
            "13:00pm          | hour must be 1-12 with AM/PM",
            "2030-02-30       | invalid date 2030-2-30",
            "13/01            | month must be 1-12",
            "now+1fortnight   | unknown time unit 'fortnight', expected seconds, minutes, hours, days or weeks",
            "now+             | a count must follow 'now+'",
            "noon midnight    | more than one time given",
            "today tomorrow   | more than one date given",
            "30-01-2030       | invalid date '30-01-2030', expected YYYY-MM-DD",
    })
    void parseBegin_badValues_sayWhy(String text, String message) {
        assertThatThrownBy(() -> SlurmTime.parseBegin(text, NOW, ROME)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @Test
    void parseBegin_unknownWords_listTheForms() {
        assertThatThrownBy(() -> SlurmTime.parseBegin("soon", NOW, ROME))
                .hasMessageStartingWith("invalid time 'soon', expected now[+count[seconds|minutes|hours|days|weeks]], HH:MM[:SS] [AM|PM],");
        assertThatThrownBy(() -> SlurmTime.parseBegin("", NOW, ROME)).hasMessageStartingWith("empty time, expected now");
    }
}
