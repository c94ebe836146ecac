package io.bottega.api.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonReaderTest {

    @Test
    void parse_allValueKinds() {
        Object v = JsonReader.parse(" {\"a\": [1, -2, 3.5, 1e3, true, false, null, \"s\"], \"b\": {}, \"c\": []} ");
        assertThat(v).isInstanceOf(LinkedHashMap.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) v;
        assertThat(m).containsOnlyKeys("a", "b", "c");
        assertThat(m.get("a")).isEqualTo(List.of(1L, -2L, 3.5, 1000.0, true, false, JsonReader.NULL, "s"));
        assertThat((Map<?, ?>) m.get("b")).isEmpty();
        assertThat((List<?>) m.get("c")).isEmpty();
    }

    @Test
    void parse_keepsMemberOrder() {
        assertThat(JsonReader.parseObject("{\"z\":1,\"a\":2,\"m\":3}").keySet()).containsExactly("z", "a", "m");
    }

    @Test
    void parse_escapesAndUnicode() {
        assertThat(JsonReader.parse("\"q\\\" b\\\\ s\\/ n\\n r\\r t\\t b\\b f\\f \\u00e9 \\ud83d\\ude00 é\""))
                .isEqualTo("q\" b\\ s/ n\n r\r t\t b\b f\f é 😀 é");
    }

    @Test
    void parse_numbers() {
        assertThat(JsonReader.parse("0")).isEqualTo(0L);
        assertThat(JsonReader.parse("-0")).isEqualTo(0L);
        assertThat(JsonReader.parse("9223372036854775807")).isEqualTo(Long.MAX_VALUE);
        assertThat(JsonReader.parse("9223372036854775808")).isEqualTo(9.223372036854775808E18);
        assertThat(JsonReader.parse("1.25E-2")).isEqualTo(0.0125);
        assertThat(JsonReader.parse("2e+2")).isEqualTo(200.0);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''                     | 1:1: unexpected end of input, expected a value",
            "{                      | 1:2: unexpected end of input, expected a member name in double quotes",
            "{\"a\" 1}              | 1:6: unexpected '1', expected ':' after member name",
            "{\"a\":1,}             | 1:8: unexpected '}', expected a member name in double quotes",
            "{\"a\":1 \"b\":2}      | 1:8: unexpected '\"', expected ',' or '}' in object",
            "[1,]                   | 1:4: unexpected ']', expected a value",
            "[1 2]                  | 1:4: unexpected '2', expected ',' or ']' in array",
            "[1,2                   | 1:5: unexpected end of input, expected ',' or ']' in array",
            "01                     | 1:2: leading zeros are not allowed in numbers",
            "1.                     | 1:3: unexpected end of input, expected a digit after '.'",
            "1e                     | 1:3: unexpected end of input, expected a digit in the exponent",
            "-x                     | 1:2: unexpected 'x', expected a digit",
            "tru                    | 1:1: unexpected 't', expected a value",
            "nul                    | 1:1: unexpected 'n', expected a value",
            "'\"abc'                | 1:1: unterminated string",
            "'\"a\\x\"'             | 1:4: invalid escape '\\x'",
            "'\"\\u12g4\"'          | 1:6: invalid hex digit 'g' in \\u escape",
            "'\"\\u12'              | 1:2: incomplete \\u escape",
            "{\"a\":1,\"a\":2}      | 1:8: duplicate member name \"a\"",
            "1 2                    | 1:3: unexpected '2' after the JSON value",
            "@                      | 1:1: unexpected '@', expected a value",
    })
    void parse_errors_nameLineAndColumn(String text, String message) {
        assertThatThrownBy(() -> JsonReader.parse(text)).isInstanceOf(JsonException.class).hasMessage(message);
    }

    @Test
    void parse_errorOnALaterLine_countsLines() {
        JsonException e = (JsonException) org.assertj.core.api.Assertions.catchThrowable(
                () -> JsonReader.parse("{\n  \"jobs\": [\n    {\"id\" 1}\n  ]\n}"));
        assertThat(e.line()).isEqualTo(3);
        assertThat(e.column()).isEqualTo(11);
        assertThat(e).hasMessage("3:11: unexpected '1', expected ':' after member name");
    }

    @Test
    void parse_rawControlCharacterInString_isRefused() {
        assertThatThrownBy(() -> JsonReader.parse("\"a\nb\"")).hasMessage("1:3: control character character U+000A in string, it must be escaped");
    }

    @Test
    void parse_tooDeep_isRefused() {
        String deep = "[".repeat(JsonReader.MAX_DEPTH + 1) + "]".repeat(JsonReader.MAX_DEPTH + 1);
        assertThatThrownBy(() -> JsonReader.parse(deep)).hasMessage("1:513: nesting deeper than 512");
        String ok = "[".repeat(JsonReader.MAX_DEPTH) + "]".repeat(JsonReader.MAX_DEPTH);
        assertThat(JsonReader.parse(ok)).isInstanceOf(List.class);
    }

    @Test
    void parseObject_refusesOtherValues() {
        assertThatThrownBy(() -> JsonReader.parseObject("[1]")).hasMessage("1:1: expected a JSON object, found array");
        assertThat(JsonReader.typeName(JsonReader.NULL)).isEqualTo("null");
        assertThat(JsonReader.typeName("s")).isEqualTo("string");
        assertThat(JsonReader.typeName(1L)).isEqualTo("number");
        assertThat(JsonReader.typeName(true)).isEqualTo("boolean");
        assertThat(JsonReader.typeName(Map.of())).isEqualTo("object");
    }

    @Property(seed = "20261127", tries = 300)
    void parse_ofWrite_isTheSameTree(@ForAll long seed) {
        Object tree = randomTree(new Random(seed), 0);
        assertThat(JsonReader.parse(JsonWriter.toJson(tree))).isEqualTo(tree);
        assertThat(JsonReader.parse(JsonWriter.toPrettyJson(tree))).isEqualTo(tree);
    }

    /** A random tree of the types the reader produces. */
    static Object randomTree(Random r, int depth) {
        int kind = r.nextInt(depth > 4 ? 5 : 7);
        return switch (kind) {
            case 0 -> r.nextLong();
            case 1 -> r.nextDouble() * Math.pow(10, r.nextInt(40) - 20);
            case 2 -> randomString(r);
            case 3 -> r.nextBoolean();
            case 4 -> JsonReader.NULL;
            case 5 -> {
                List<Object> l = new ArrayList<>();
                for (int i = r.nextInt(5); i > 0; i--) l.add(randomTree(r, depth + 1));
                yield l;
            }
            default -> {
                Map<String, Object> m = new LinkedHashMap<>();
                for (int i = r.nextInt(5); i > 0; i--) m.put(randomString(r), randomTree(r, depth + 1));
                yield m;
            }
        };
    }

    static String randomString(Random r) {
        StringBuilder sb = new StringBuilder();
        for (int i = r.nextInt(8); i > 0; i--) {
            int pick = r.nextInt(10);
            sb.append(pick < 6 ? (char) ('a' + r.nextInt(26)) : pick < 8 ? (char) r.nextInt(0x20) : "\"\\/é😀\u2028".charAt(r.nextInt(7)));
        }
        return sb.toString();
    }
}
