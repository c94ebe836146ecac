package io.bottega.api.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MemorySizeTest {

    @ParameterizedTest
    @CsvSource({
            "4000, 4000",
            "4000M, 4000",
            "4000m, 4000",
            "16G, 16384",
            "16g, 16384",
            "480G, 491520",
            "2T, 2097152",
            "1024K, 1",
            "1025K, 2",
            "1k, 1",
            "' 8G ', 8192",
    })
    void parseMb_unitsDefaultToMegabytes(String text, long mb) {
        assertThat(MemorySize.parseMb(text)).isEqualTo(mb);
    }

    @Test
    void parseMb_zero_isAllMemory() {
        assertThat(MemorySize.parseMb("0")).isEqualTo(MemorySize.ALL).isEqualTo(Long.MAX_VALUE);
        assertThat(MemorySize.parseMb("0G")).isEqualTo(MemorySize.ALL);
    }

    @ParameterizedTest
    @CsvSource({"''", "G", "16GB", "1.5G", "-1", "abc", "16 G", "4000X"})
    void parseMb_malformed_isRefused(String text) {
        assertThatThrownBy(() -> MemorySize.parseMb(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid memory size, expected a whole number with an optional K, M, G or T suffix");
    }

    @Test
    void parseMb_tooLarge_isRefused() {
        assertThatThrownBy(() -> MemorySize.parseMb("999999999999999T")).hasMessage("memory size is too large");
        assertThatThrownBy(() -> MemorySize.parseMb("9999999999999999")).hasMessageStartingWith("invalid memory size");
    }

    @ParameterizedTest
    @CsvSource({
            "4000, 4000M",
            "1024, 1G",
            "16384, 16G",
            "491520, 480G",
            "1536, 1536M",
            "2097152, 2T",
            "1073741824, 1024T",
            "1, 1M",
    })
    void format_usesTheLargestExactUnit(long mb, String text) {
        assertThat(MemorySize.format(mb)).isEqualTo(text);
    }

    @Test
    void format_zeroAndAll_printZero() {
        assertThat(MemorySize.format(0)).isEqualTo("0");
        assertThat(MemorySize.format(MemorySize.ALL)).isEqualTo("0");
        assertThatThrownBy(() -> MemorySize.format(-5)).hasMessage("memory size must not be negative");
    }

    @Property(seed = "20261127", tries = 500)
    void parseMb_ofFormat_isIdentity(@ForAll @LongRange(min = 1, max = 1L << 40) long mb) {
        assertThat(MemorySize.parseMb(MemorySize.format(mb))).isEqualTo(mb);
    }
}
