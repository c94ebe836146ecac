package io.bottega.sim.util;

import io.bottega.core.model.Partition;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SlurmTimeTest {
    @Test
    void parse_slurmForms() {
        assertThat(SlurmTime.parse("30")).isEqualTo(1800);
        assertThat(SlurmTime.parse("30:15")).isEqualTo(1815);
        assertThat(SlurmTime.parse("2:00:00")).isEqualTo(7200);
        assertThat(SlurmTime.parse("1-00:00:00")).isEqualTo(86400);
        assertThat(SlurmTime.parse("1-2")).isEqualTo(93600);
        assertThat(SlurmTime.parse("1-2:30")).isEqualTo(95400);
        assertThat(SlurmTime.parse("UNLIMITED")).isEqualTo(Partition.UNLIMITED);
        assertThat(SlurmTime.parse("infinite")).isEqualTo(Partition.UNLIMITED);
    }

    @Test
    void parse_badInput_saysWhy() {
        assertThatThrownBy(() -> SlurmTime.parse("25:00:00:00")).hasMessageContaining("'25:00:00:00' is not a Slurm time");
        assertThatThrownBy(() -> SlurmTime.parse("1-25:00")).hasMessageContaining("hours must be 0-23");
        assertThatThrownBy(() -> SlurmTime.parse("1:61:00")).hasMessageContaining("minutes and seconds must be 0-59");
        assertThatThrownBy(() -> SlurmTime.parse("abc")).hasMessageContaining("not a Slurm time");
        assertThatThrownBy(() -> SlurmTime.parse("")).hasMessageContaining("empty time");
    }

    @Test
    void format_roundTrips() {
        assertThat(SlurmTime.format(86400 + 3661)).isEqualTo("1-01:01:01");
        assertThat(SlurmTime.format(1800)).isEqualTo("00:30:00");
        assertThat(SlurmTime.format(Partition.UNLIMITED)).isEqualTo("UNLIMITED");
        assertThat(SlurmTime.parse(SlurmTime.format(123456))).isEqualTo(123456);
    }
}
