package io.bottega.sim.util;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CsvTest {
    @Test
    void split_quotedFields() {
        assertThat(Csv.split("a,\"b,c\",\"d\"\"e\",")).containsExactly("a", "b,c", "d\"e", "");
        assertThat(Csv.split("")).containsExactly("");
    }

    @Test
    void split_unterminatedQuote_fails() {
        assertThatThrownBy(() -> Csv.split("a,\"b")).hasMessageContaining("unterminated");
    }

    @Test
    void quote_onlyWhenNeeded() {
        assertThat(Csv.quote("lrdn0001")).isEqualTo("lrdn0001");
        assertThat(Csv.quote("lrdn[0001-0002,0005]")).isEqualTo("\"lrdn[0001-0002,0005]\"");
        assertThat(Csv.split(Csv.quote("x\"y,z"))).containsExactly("x\"y,z");
    }
}
