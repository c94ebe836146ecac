package io.bottega.api.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class JsonWriterTest {
    enum Colour { RED }

    record Inner(String name, List<Integer> ids) {}

    record Outer(long id, boolean ok, Inner inner, Map<String, String> env, Colour colour) {}

    @Test
    void streaming_compact() {
        JsonWriter w = new JsonWriter(false);
        w.beginObject().name("jobs").beginArray()
                .beginObject().field("job_id", 42).field("name", "a\"b").field("held", false).name("x").nullValue().endObject()
                .beginObject().endObject()
                .endArray().name("empty").beginArray().endArray().endObject();
        assertThat(w.toString()).isEqualTo("{\"jobs\":[{\"job_id\":42,\"name\":\"a\\\"b\",\"held\":false,\"x\":null},{}],\"empty\":[]}");
    }

    @Test
    void streaming_pretty_indentsTwoSpaces() {
        JsonWriter w = new JsonWriter(true);
        w.beginObject().name("jobs").beginArray().beginObject().field("job_id", 1).endObject().endArray()
                .name("errors").beginArray().endArray().endObject();
        assertThat(w.toString()).isEqualTo("""
                {
                  "jobs": [
                    {
                      "job_id": 1
                    }
                  ],
                  "errors": []
                }""");
    }

    @Test
    void strings_areEscaped() {
        assertThat(JsonWriter.toJson("q\" b\\ n\n r\r t\t b\b f\f \u0001 \u2028 é 😀"))
                .isEqualTo("\"q\\\" b\\\\ n\\n r\\r t\\t b\\b f\\f \\u0001 \\u2028 é 😀\"");
    }

    @Test
    void numbers() {
        assertThat(JsonWriter.toJson(List.of(1, -2L, 3.5, 1.0, 1e20, (short) 7, (byte) 8, 2.5f))).isEqualTo("[1,-2,3.5,1.0,1.0E20,7,8,2.5]");
        assertThat(JsonWriter.toJson(new java.math.BigInteger("123456789012345678901234567890"))).isEqualTo("123456789012345678901234567890");
        assertThatThrownBy(() -> JsonWriter.toJson(Double.NaN)).hasMessage("JSON has no NaN");
        assertThatThrownBy(() -> JsonWriter.toJson(Double.POSITIVE_INFINITY)).hasMessage("JSON has no Infinity");
    }

    @Test
    void write_recordsByComponent_enumsByName_mapsInOrder() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("B", "2");
        env.put("A", "1");
        Outer o = new Outer(7, true, new Inner("n", List.of(1, 2)), env, Colour.RED);
        assertThat(JsonWriter.toJson(o)).isEqualTo(
                "{\"id\":7,\"ok\":true,\"inner\":{\"name\":\"n\",\"ids\":[1,2]},\"env\":{\"B\":\"2\",\"A\":\"1\"},\"colour\":\"RED\"}");
    }

    @Test
    void write_arraysNullsAndTheReadersNull() {
        assertThat(JsonWriter.toJson(new Object[] {null, JsonReader.NULL, 'c'})).isEqualTo("[null,null,\"c\"]");
        assertThat(JsonWriter.toJson(new int[] {1, 2})).isEqualTo("[1,2]");
        assertThat(JsonWriter.toJson(new long[] {3})).isEqualTo("[3]");
        assertThat(JsonWriter.toPrettyJson(List.of())).isEqualTo("[]\n");
    }

    @Test
    void write_unknownType_isRefused() {
        assertThatThrownBy(() -> JsonWriter.toJson(new StringBuilder("x")))
                .hasMessage("cannot write a java.lang.StringBuilder as JSON");
    }

    @Test
    void misuse_isRefused() {
        assertThatThrownBy(() -> new JsonWriter(false).beginObject().value(1))
                .isInstanceOf(IllegalStateException.class).hasMessage("a value inside an object needs a name() first");
        assertThatThrownBy(() -> new JsonWriter(false).beginArray().name("x"))
                .hasMessage("name(\"x\") outside an object");
        assertThatThrownBy(() -> new JsonWriter(false).beginArray().endObject())
                .hasMessage("endObject() outside an object or after a name");
        assertThatThrownBy(() -> new JsonWriter(false).beginObject().endArray()).hasMessage("endArray() outside an array");
        assertThatThrownBy(() -> new JsonWriter(false).value(1).value(2)).hasMessage("a JSON text holds one top-level value");
        assertThatThrownBy(() -> new JsonWriter(false).beginObject().name("a").endObject())
                .hasMessage("endObject() outside an object or after a name");
    }
}
