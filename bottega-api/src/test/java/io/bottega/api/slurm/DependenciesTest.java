package io.bottega.api.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bottega.api.Dependency;
import io.bottega.api.Dependency.Type;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DependenciesTest {

    @Test
    void parse_severalIdsOfOneType() {
        Dependencies.Parsed p = Dependencies.parse("afterok:1:2");
        assertThat(p.dependencies()).containsExactly(new Dependency(Type.AFTEROK, "1", 0), new Dependency(Type.AFTEROK, "2", 0));
        assertThat(p.anyOf()).isFalse();
    }

    @Test
    void parse_commaIsAllOf_questionMarkIsAnyOf() {
        assertThat(Dependencies.parse("afterany:1,afternotok:2").anyOf()).isFalse();
        Dependencies.Parsed any = Dependencies.parse("afterany:1?afternotok:2");
        assertThat(any.anyOf()).isTrue();
        assertThat(any.dependencies()).extracting(Dependency::type).containsExactly(Type.AFTERANY, Type.AFTERNOTOK);
    }

    @Test
    void parse_afterWithDelay_arrayElementsAndSingleton() {
        assertThat(Dependencies.parse("after:12+10:13").dependencies())
                .containsExactly(new Dependency(Type.AFTER, "12", 600), new Dependency(Type.AFTER, "13", 0));
        assertThat(Dependencies.parse("afterok:123_4").dependencies()).containsExactly(new Dependency(Type.AFTEROK, "123_4", 0));
        assertThat(Dependencies.parse("singleton").dependencies()).containsExactly(new Dependency(Type.SINGLETON, "", 0));
        assertThat(Dependencies.parse("AfterOK:5").dependencies()).containsExactly(new Dependency(Type.AFTEROK, "5", 0));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "afterok:1,afterany:2?after:3 | ',' (all of) and '?' (any of) cannot be mixed",
            "afterok                      | afterok needs at least one job id, as in afterok:123",
            "afterok:                     | invalid job id ''",
            "afterok:abc                  | invalid job id 'abc'",
            "afterok:0                    | invalid job id '0'",
            "afterok:1_x                  | invalid job id '1_x'",
            "afterok:5+3                  | only 'after' takes a delay (+minutes), not 'afterok'",
            "after:5+x                    | invalid delay '+x', expected minutes",
            "singleton:4                  | singleton takes no job id",
            "aftercorr:4                  | dependency type 'aftercorr' is not supported yet",
            "expand:4                     | dependency type 'expand' is not supported yet",
            "before:4                     | invalid dependency type 'before', expected after, afterany, afterok, afternotok or singleton",
            "afterok:1,                   | empty dependency condition",
    })
    void parse_badSpecs_sayWhy(String spec, String message) {
        assertThatThrownBy(() -> Dependencies.parse(spec)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @Test
    void format_joinsConsecutiveConditionsOfOneType() {
        List<Dependency> deps = List.of(new Dependency(Type.AFTEROK, "1", 0), new Dependency(Type.AFTEROK, "2", 0),
                new Dependency(Type.AFTER, "3", 300), new Dependency(Type.SINGLETON, "", 0));
        assertThat(Dependencies.format(deps, false)).isEqualTo("afterok:1:2,after:3+5,singleton");
        assertThat(Dependencies.format(deps, true)).isEqualTo("afterok:1:2?after:3+5?singleton");
    }

    @ParameterizedTest
    @CsvSource({"afterok:1:2,afterany:3_4", "after:12+10:13?singleton", "afternotok:9"})
    void parse_ofFormat_roundTrips(String spec) {
        Dependencies.Parsed p = Dependencies.parse(spec);
        assertThat(Dependencies.format(p.dependencies(), p.anyOf())).isEqualTo(spec);
    }

    @Test
    void dependency_rejectsBadValues() {
        assertThatThrownBy(() -> new Dependency(null, "1", 0)).hasMessage("dependency type must be given");
        assertThatThrownBy(() -> new Dependency(Type.AFTER, "1", -1)).hasMessage("dependency delay must not be negative");
        assertThat(new Dependency(Type.AFTEROK, null, 0).jobId()).isEmpty();
    }
}
