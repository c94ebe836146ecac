package io.bottega.api.json;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.Map;

/**
 * A small streaming JSON writer with no dependencies, for the command-line client and Slurm-shaped output.
 *
 * <pre>{@code
 * JsonWriter w = new JsonWriter(true);
 * w.beginObject().name("jobs").beginArray().beginObject().name("job_id").value(42).endObject().endArray().endObject();
 * String text = w.toString();
 * }</pre>
 *
 * <p>{@link #write(Object)} writes a tree of maps, collections, arrays, strings, numbers, booleans, enums
 * (by name), records (by component, in declaration order) and {@code null} / {@link JsonReader#NULL}.
 * Misuse (a value where a name is expected, unbalanced ends, a non-finite number) throws
 * {@link IllegalStateException} or {@link IllegalArgumentException}.
 */
public final class JsonWriter {
    private enum Scope { OBJECT_NAME, OBJECT_VALUE, ARRAY, TOP }

    private final StringBuilder out;
    private final boolean pretty;
    private final Deque<Scope> stack = new ArrayDeque<>();
    private final Deque<Boolean> empty = new ArrayDeque<>();
    private boolean done;

    /** A writer into a new buffer; {@code pretty} indents with two spaces, as Slurm's {@code --json} output. */
    public JsonWriter(boolean pretty) {
        this(new StringBuilder(), pretty);
    }

    public JsonWriter(StringBuilder out, boolean pretty) {
        this.out = out;
        this.pretty = pretty;
        stack.push(Scope.TOP);
    }

    /** One value as compact JSON text. */
    public static String toJson(Object value) {
        return new JsonWriter(false).write(value).toString();
    }

    /** One value as indented JSON text, ending with a newline. */
    public static String toPrettyJson(Object value) {
        return new JsonWriter(true).write(value) + "\n";
    }

    public JsonWriter beginObject() {
        beforeValue();
        out.append('{');
        stack.push(Scope.OBJECT_NAME);
        empty.push(true);
        return this;
    }

    public JsonWriter endObject() {
        if (stack.peek() != Scope.OBJECT_NAME) throw new IllegalStateException("endObject() outside an object or after a name");
        stack.pop();
        close('}');
        return this;
    }

    public JsonWriter beginArray() {
        beforeValue();
        out.append('[');
        stack.push(Scope.ARRAY);
        empty.push(true);
        return this;
    }

    public JsonWriter endArray() {
        if (stack.peek() != Scope.ARRAY) throw new IllegalStateException("endArray() outside an array");
        stack.pop();
        close(']');
        return this;
    }

    /** The name of the next member of the current object. */
    public JsonWriter name(String name) {
        if (name == null) throw new IllegalArgumentException("member name must not be null");
        if (stack.peek() != Scope.OBJECT_NAME) throw new IllegalStateException("name(\"" + name + "\") outside an object");
        separator();
        string(name);
        out.append(pretty ? ": " : ":");
        stack.pop();
        stack.push(Scope.OBJECT_VALUE);
        return this;
    }

    public JsonWriter value(String s) {
        if (s == null) return nullValue();
        beforeValue();
        string(s);
        return this;
    }

    public JsonWriter value(long v) {
        beforeValue();
        out.append(v);
        return this;
    }

    public JsonWriter value(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) throw new IllegalArgumentException("JSON has no " + v);
        beforeValue();
        if (v == Math.rint(v) && Math.abs(v) < 1e15) out.append((long) v).append(".0");
        else out.append(v);
        return this;
    }

    public JsonWriter value(boolean v) {
        beforeValue();
        out.append(v);
        return this;
    }

    public JsonWriter nullValue() {
        beforeValue();
        out.append("null");
        return this;
    }

    /** A member with a string value. */
    public JsonWriter field(String name, String value) { return name(name).value(value); }

    /** A member with a number value. */
    public JsonWriter field(String name, long value) { return name(name).value(value); }

    /** A member with a boolean value. */
    public JsonWriter field(String name, boolean value) { return name(name).value(value); }

    /** Writes a tree of maps, collections, arrays, strings, numbers, booleans, enums, records and nulls. */
    public JsonWriter write(Object v) {
        // instanceof tests rather than a pattern switch, whose bootstrap costs start-up time in the client
        if (v == null || v == JsonReader.NULL) {
            nullValue();
        } else if (v instanceof String s) {
            value(s);
        } else if (v instanceof Boolean b) {
            value(b.booleanValue());
        } else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            value(((Number) v).longValue());
        } else if (v instanceof Double || v instanceof Float) {
            value(((Number) v).doubleValue());
        } else if (v instanceof Number n) {
            beforeValue();
            out.append(n);
        } else if (v instanceof Character c) {
            value(c.toString());
        } else if (v instanceof Enum<?> e) {
            value(e.name());
        } else if (v instanceof Map<?, ?> m) {
            beginObject();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                name(String.valueOf(e.getKey()));
                write(e.getValue());
            }
            endObject();
        } else if (v instanceof Collection<?> c) {
            beginArray();
            for (Object o : c) write(o);
            endArray();
        } else if (v instanceof Object[] a) {
            beginArray();
            for (Object o : a) write(o);
            endArray();
        } else if (v instanceof int[] a) {
            beginArray();
            for (int o : a) value(o);
            endArray();
        } else if (v instanceof long[] a) {
            beginArray();
            for (long o : a) value(o);
            endArray();
        } else if (v instanceof Record r) {
            writeRecord(r);
        } else {
            throw new IllegalArgumentException("cannot write a " + v.getClass().getName() + " as JSON");
        }
        return this;
    }

    private void writeRecord(Record r) {
        beginObject();
        for (RecordComponent c : r.getClass().getRecordComponents()) {
            name(c.getName());
            try {
                write(c.getAccessor().invoke(r));
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalArgumentException("cannot read " + r.getClass().getSimpleName() + "." + c.getName(), e);
            }
        }
        endObject();
    }

    /** The text written so far. */
    @Override
    public String toString() {
        return out.toString();
    }

    // ---------------------------------------------------------------------------------------------------

    private void beforeValue() {
        Scope s = stack.peek();
        switch (s) {
            case TOP -> {
                if (done) throw new IllegalStateException("a JSON text holds one top-level value");
                done = true;
            }
            case ARRAY -> separator();
            case OBJECT_VALUE -> {
                stack.pop();
                stack.push(Scope.OBJECT_NAME);
            }
            case OBJECT_NAME -> throw new IllegalStateException("a value inside an object needs a name() first");
        }
    }

    private void separator() {
        boolean first = empty.pop();
        empty.push(false);
        if (!first) out.append(',');
        if (pretty) newline(stack.size() - 1);
    }

    private void close(char c) {
        boolean wasEmpty = empty.pop();
        if (pretty && !wasEmpty) newline(stack.size() - 1);
        out.append(c);
    }

    private void newline(int depth) {
        out.append('\n');
        for (int i = 0; i < depth; i++) out.append("  ");
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        out.append("\\u");
                        String h = Integer.toHexString(c);
                        for (int k = h.length(); k < 4; k++) out.append('0');
                        out.append(h);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
