package io.bottega.cli.http;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonInTest {
    private static JsonIn in(String s) {
        return new JsonIn(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void string_escapesAndUnicode_areDecoded() {
        JsonIn in = in("[\"a\\\"b\\\\c\\n\\u00e9\\u20ac\", \"na\u00efve \u4e2d\", \"\", null]");
        in.beginArray();
        assertThat(in.nextElement()).isTrue();
        assertThat(in.string()).isEqualTo("a\"b\\c\n\u00e9\u20ac");
        assertThat(in.nextElement()).isTrue();
        assertThat(in.string()).isEqualTo("na\u00efve \u4e2d");
        assertThat(in.nextElement()).isTrue();
        assertThat(in.string()).isEmpty();
        assertThat(in.nextElement()).isTrue();
        assertThat(in.string()).isEmpty();
        assertThat(in.nextElement()).isFalse();
        in.expectEnd();
    }

    @Test
    void longValue_formsOfNumbers_areRead() {
        JsonIn in = in("[0, -12, 9223372036854775807, 1.9, 2e3, \"42\", null]");
        in.beginArray();
        long[] expected = {0, -12, Long.MAX_VALUE, 1, 2000, 42, 0};
        for (long e : expected) {
            assertThat(in.nextElement()).isTrue();
            assertThat(in.longValue()).isEqualTo(e);
        }
        assertThat(in.nextElement()).isFalse();
    }

    @Test
    void skipValue_nestedUnknownMembers_areSkipped() {
        JsonIn in = in("{\"x\": {\"a\": [1, {\"b\": \"}]\"}], \"c\": null}, \"id\": 5, \"t\": true}");
        in.beginObject();
        long id = 0;
        boolean t = false;
        for (String k; (k = in.nextKey()) != null; ) {
            switch (k) {
                case "id" -> id = in.longValue();
                case "t" -> t = in.bool();
                default -> in.skipValue();
            }
        }
        in.expectEnd();
        assertThat(id).isEqualTo(5);
        assertThat(t).isTrue();
    }

    @Test
    void nextKey_repeatedNames_comeFromTheCache() {
        JsonIn in = in("[{\"partition\":1},{\"partition\":2}]");
        in.beginArray();
        in.nextElement();
        in.beginObject();
        String first = in.nextKey();
        in.skipValue();
        in.nextKey();
        in.nextElement();
        in.beginObject();
        String second = in.nextKey();
        assertThat(second).isEqualTo("partition").isSameAs(first);
    }

    @Test
    void string_shortRepeatedValues_areOneInstanceAndLongOnesAreNot() {
        JsonIn in = in("[\"RUNNING\",\"RUNNING\",\"RUNNINH\",\"" + "x".repeat(40) + "\",\"" + "x".repeat(40) + "\"]");
        in.beginArray();
        String[] got = new String[5];
        for (int i = 0; in.nextElement(); i++) got[i] = in.string();
        assertThat(got[1]).isEqualTo("RUNNING").isSameAs(got[0]);
        assertThat(got[2]).isEqualTo("RUNNINH");
        assertThat(got[4]).isEqualTo(got[3]).isNotSameAs(got[3]);
    }

    @Test
    void value_tree_hasMapsListsAndNumbers() {
        Object v = in("{\"a\": [1, 2.5, \"s\", false, null], \"b\": {}}").value();
        assertThat(v).isInstanceOf(Map.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) v;
        assertThat(m.get("a")).isEqualTo(List.of(1L, 2.5, "s", false, JsonIn.NULL));
        assertThat((Map<?, ?>) m.get("b")).isEmpty();
    }

    @Test
    void malformed_input_namesTheProblemAndOffset() {
        assertThatThrownBy(() -> {
            JsonIn in = in("{\"a\" 1}");
            in.beginObject();
            in.nextKey();
        }).isInstanceOf(JsonIn.Malformed.class).hasMessage("expected ':' after a member name at byte 5");
        assertThatThrownBy(() -> in("[1 2]").value()).isInstanceOf(JsonIn.Malformed.class).hasMessageContaining("expected ',' or ']'");
        assertThatThrownBy(() -> in("\"abc").string()).isInstanceOf(JsonIn.Malformed.class).hasMessageContaining("unterminated string");
    }

    @Test
    void expectEnd_trailingData_isAnError() {
        JsonIn in = in("[1] x");
        in.value();
        assertThatThrownBy(in::expectEnd).isInstanceOf(JsonIn.Malformed.class).hasMessageContaining("unexpected data");
    }
}
