package io.bottega.api.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bottega.api.ArraySpec;

import java.util.List;
import java.util.stream.IntStream;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.UniqueElements;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JobArraysTest {
    static final int MAX = JobArrays.DEFAULT_MAX_ARRAY_SIZE;

    @Test
    void parse_rangeWithLimit() {
        ArraySpec s = JobArrays.parse("1-100%10", MAX);
        assertThat(s.taskIds()).containsExactlyElementsOf(IntStream.rangeClosed(1, 100).boxed().toList());
        assertThat(s.maxConcurrent()).isEqualTo(10);
        assertThat(s.taskCount()).isEqualTo(100);
    }

    @Test
    void parse_listStepAndCombinations_areSortedAndDistinct() {
        assertThat(JobArrays.parse("1,3,5", MAX).taskIds()).containsExactly(1, 3, 5);
        assertThat(JobArrays.parse("0-15:4", MAX).taskIds()).containsExactly(0, 4, 8, 12);
        assertThat(JobArrays.parse("20,0-6:3,4,1-2%3", MAX).taskIds()).containsExactly(0, 1, 2, 3, 4, 6, 20);
        assertThat(JobArrays.parse("7", MAX).taskIds()).containsExactly(7);
        assertThat(JobArrays.parse("1,3,5", MAX).maxConcurrent()).isZero();
        assertThat(JobArrays.parse("0-1000", MAX).taskCount()).isEqualTo(1001);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "0-1001      | task id 1001 exceeds the maximum 1000 (MaxArraySize=1001)",
            "5-2         | range 5-2 is reversed",
            "1-10:0      | step must be positive in '1-10:0'",
            "3:2         | a step needs a range, as in 0-15:4, not '3:2'",
            "1-10:x      | invalid step 'x' in '1-10:x'",
            "a-3         | invalid array element 'a-3'",
            "1,,2        | empty element in array specification",
            "1-3%0       | the number of tasks to run at once ('%0') must be a positive number",
            "1-3%        | the number of tasks to run at once ('%') must be a positive number",
            "-1          | invalid array element '-1'",
    })
    void parse_badSpecs_sayWhy(String spec, String message) {
        assertThatThrownBy(() -> JobArrays.parse(spec, MAX)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @Test
    void parse_empty_isRefused() {
        assertThatThrownBy(() -> JobArrays.parse(" ", MAX)).hasMessage("empty array specification");
    }

    @Test
    void parse_respectsTheClustersMaxArraySize() {
        assertThat(JobArrays.parse("0-3999", 4000).taskCount()).isEqualTo(4000);
        assertThatThrownBy(() -> JobArrays.parse("10", 10)).hasMessage("task id 10 exceeds the maximum 9 (MaxArraySize=10)");
    }

    @Test
    void format_compressesRuns() {
        assertThat(JobArrays.format(new ArraySpec(List.of(1, 2, 3, 7, 9, 10), 2))).isEqualTo("1-3,7,9-10%2");
        assertThat(JobArrays.format(new ArraySpec(List.of(5), 0))).isEqualTo("5");
        assertThat(JobArrays.format(ArraySpec.NONE)).isEmpty();
    }

    @Property(seed = "20261127", tries = 300)
    void parse_ofFormat_isIdentity(@ForAll @Size(min = 1, max = 60) @UniqueElements List<@IntRange(min = 0, max = 1000) Integer> ids,
                                   @ForAll @IntRange(min = 0, max = 50) int limit) {
        ArraySpec spec = new ArraySpec(ids.stream().sorted().toList(), limit);
        assertThat(JobArrays.parse(JobArrays.format(spec), MAX)).isEqualTo(spec);
    }
}
