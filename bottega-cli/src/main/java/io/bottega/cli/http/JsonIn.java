package io.bottega.cli.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pull parser for JSON in a UTF-8 byte array, for the command-line clients: it reads the controller's answers
 * (10,000 {@code JobView}s for a busy {@code squeue}) straight into records, without a tree of maps in between
 * and without a String for the whole body. Member names are interned in a small cache, so the 36 names of
 * every job are not allocated 10,000 times.
 *
 * <pre>{@code
 * in.beginObject();
 * for (String key; (key = in.nextKey()) != null; ) {
 *     switch (key) {
 *         case "id" -> id = in.longValue();
 *         default -> in.skipValue();
 *     }
 * }
 * }</pre>
 *
 * JSON {@code null} reads as {@code ""}, 0 or false from the typed readers. Malformed input throws
 * {@link Malformed} naming the byte offset.
 */
public final class JsonIn {
    /** What {@link #value()} returns for JSON's {@code null}. */
    public static final Object NULL = new Object() {
        @Override
        public String toString() { return "null"; }
    };

    /** The input is not the JSON expected. */
    public static final class Malformed extends IllegalArgumentException {
        Malformed(String message) { super(message); }
    }

    private static final int MAX_DEPTH = 256;
    private static final int CACHE = 512;
    private static final int VALUE_CACHE = 1024;
    private static final int MAX_CACHED_VALUE = 32;

    private final byte[] b;
    private final int end;
    private int pos;
    /** True right after '{' or '[': the next member or element has no ',' before it. */
    private boolean afterOpen;
    private int depth;
    private final String[] names = new String[CACHE];
    private final byte[][] nameBytes = new byte[CACHE][];
    private final int[] nextSlot = new int[CACHE];
    private final String[] values = new String[VALUE_CACHE];
    private final byte[][] valueBytes = new byte[VALUE_CACHE][];
    private int lastSlot = -1;

    public JsonIn(byte[] bytes) {
        this(bytes, 0, bytes.length);
    }

    public JsonIn(byte[] bytes, int offset, int length) {
        this.b = bytes;
        this.pos = offset;
        this.end = offset + length;
    }

    /**
     * A reader inside an array whose next element starts at {@code from} (no ',' before it), as if the array's
     * '[' and the elements before had been read; for reading the elements of a long array in slices.
     */
    public static JsonIn insideArray(byte[] bytes, int from, int to) {
        JsonIn in = new JsonIn(bytes, from, to - from);
        in.depth = 1;
        in.afterOpen = true;
        return in;
    }

    /** The offset of the next byte to read. */
    public int position() {
        return pos;
    }

    // --------------------------------------------------------------------------------------- structure

    /** Consumes '{'. */
    public void beginObject() {
        open('{');
    }

    /** Consumes '['. */
    public void beginArray() {
        open('[');
    }

    private void open(char c) {
        skipWhitespace();
        if (pos >= end || b[pos] != c) throw error("expected '" + c + "'");
        if (++depth > MAX_DEPTH) throw error("nesting deeper than " + MAX_DEPTH);
        pos++;
        afterOpen = true;
    }

    /** The next member's name (its ':' consumed), or null at the object's end (its '}' consumed). */
    public String nextKey() {
        skipWhitespace();
        if (pos >= end) throw error("unexpected end of input in an object");
        if (b[pos] == '}') {
            pos++;
            depth--;
            afterOpen = false;
            return null;
        }
        if (!afterOpen) {
            if (b[pos] != ',') throw error("expected ',' or '}'");
            pos++;
            skipWhitespace();
        }
        afterOpen = false;
        String name = name();
        skipWhitespace();
        if (pos >= end || b[pos] != ':') throw error("expected ':' after a member name");
        pos++;
        return name;
    }

    /** True if the array has another element (its ',' consumed); false at its end (its ']' consumed). */
    public boolean nextElement() {
        skipWhitespace();
        if (pos >= end) throw error("unexpected end of input in an array");
        if (b[pos] == ']') {
            pos++;
            depth--;
            afterOpen = false;
            return false;
        }
        if (!afterOpen) {
            if (b[pos] != ',') throw error("expected ',' or ']'");
            pos++;
        }
        afterOpen = false;
        return true;
    }

    /** The next token is the start of an object. */
    public boolean peekObject() {
        skipWhitespace();
        return pos < end && b[pos] == '{';
    }

    /** The next token is the start of an array. */
    public boolean peekArray() {
        skipWhitespace();
        return pos < end && b[pos] == '[';
    }

    /** Nothing but whitespace is left. */
    public void expectEnd() {
        skipWhitespace();
        if (pos < end) throw error("unexpected data after the JSON value");
    }

    // ------------------------------------------------------------------------------------------ values

    /** A string value ("" for null); a number or boolean is returned as written. */
    public String string() {
        skipWhitespace();
        if (pos >= end) throw error("unexpected end of input, expected a string");
        byte c = b[pos];
        if (c == '"') return quoted();
        if (c == 'n') {
            literal("null");
            return "";
        }
        if (c == 't' || c == 'f' || c == '-' || (c >= '0' && c <= '9')) {
            int start = pos;
            skipValue();
            return new String(b, start, pos - start, StandardCharsets.ISO_8859_1);
        }
        throw error("expected a string");
    }

    /** A whole number (a fraction is cut; 0 for null; a numeric string is read too). */
    public long longValue() {
        skipWhitespace();
        if (pos >= end) throw error("unexpected end of input, expected a number");
        byte c = b[pos];
        if (c == 'n') {
            literal("null");
            return 0;
        }
        if (c == '"') {
            String s = quoted();
            try {
                return s.isEmpty() ? 0 : Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                throw error("expected a number, found \"" + s + "\"");
            }
        }
        int start = pos;
        boolean neg = false;
        int i = start;
        if (c == '-') {
            neg = true;
            i++;
        }
        long v = 0;
        int firstDigit = i;
        byte[] b = this.b;
        int end = this.end;
        while (i < end) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) break;
            v = v * 10 + d;
            i++;
        }
        pos = i;
        int digits = i - firstDigit;
        if (digits == 0) throw errorAt(start, "expected a number");
        if (pos < end && (b[pos] == '.' || b[pos] == 'e' || b[pos] == 'E') || digits > 18) {
            while (pos < end && isNumberChar(b[pos])) pos++;
            String s = new String(b, start, pos - start, StandardCharsets.ISO_8859_1);
            try {
                return (long) Double.parseDouble(s);
            } catch (NumberFormatException e) {
                throw errorAt(start, "malformed number " + s);
            }
        }
        return neg ? -v : v;
    }

    public int intValue() {
        long v = longValue();
        if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) throw error("number " + v + " is out of range");
        return (int) v;
    }

    /** true or false (false for null). */
    public boolean bool() {
        skipWhitespace();
        if (pos < end && b[pos] == 't') {
            literal("true");
            return true;
        }
        if (pos < end && b[pos] == 'f') {
            literal("false");
            return false;
        }
        if (pos < end && b[pos] == 'n') {
            literal("null");
            return false;
        }
        throw error("expected true or false");
    }

    /** An array of strings ([] for null). */
    public List<String> stringList() {
        skipWhitespace();
        if (pos < end && b[pos] == 'n') {
            literal("null");
            return List.of();
        }
        beginArray();
        List<String> out = new ArrayList<>();
        while (nextElement()) out.add(string());
        return out;
    }

    /** An object of strings ({} for null). */
    public Map<String, String> stringMap() {
        skipWhitespace();
        if (pos < end && b[pos] == 'n') {
            literal("null");
            return Map.of();
        }
        beginObject();
        Map<String, String> out = new LinkedHashMap<>();
        for (String k; (k = nextKey()) != null; ) out.put(k, string());
        return out;
    }

    /**
     * Any value as a tree: objects as {@link LinkedHashMap}s, arrays as {@link ArrayList}s, strings, whole numbers
     * as {@link Long}s, other numbers as {@link Double}s, booleans, and {@link #NULL}.
     */
    public Object value() {
        skipWhitespace();
        if (pos >= end) throw error("unexpected end of input, expected a value");
        byte c = b[pos];
        switch (c) {
            case '{' -> {
                beginObject();
                Map<String, Object> m = new LinkedHashMap<>();
                for (String k; (k = nextKey()) != null; ) m.put(k, value());
                return m;
            }
            case '[' -> {
                beginArray();
                List<Object> l = new ArrayList<>();
                while (nextElement()) l.add(value());
                return l;
            }
            case '"' -> {
                return quoted();
            }
            case 't', 'f' -> {
                return bool();
            }
            case 'n' -> {
                literal("null");
                return NULL;
            }
            default -> {
                int start = pos;
                skipValue();
                String s = new String(b, start, pos - start, StandardCharsets.ISO_8859_1);
                boolean integral = s.indexOf('.') < 0 && s.indexOf('e') < 0 && s.indexOf('E') < 0;
                try {
                    if (integral && s.length() <= 18) return Long.parseLong(s);
                    return Double.parseDouble(s);
                } catch (NumberFormatException e) {
                    throw errorAt(start, "malformed value " + s);
                }
            }
        }
    }

    /** Skips one value of any kind. */
    public void skipValue() {
        skipWhitespace();
        if (pos >= end) throw error("unexpected end of input, expected a value");
        byte c = b[pos];
        switch (c) {
            case '{' -> {
                beginObject();
                while (nextKey() != null) skipValue();
            }
            case '[' -> {
                beginArray();
                while (nextElement()) skipValue();
            }
            case '"' -> skipString();
            case 't' -> literal("true");
            case 'f' -> literal("false");
            case 'n' -> literal("null");
            default -> {
                int start = pos;
                while (pos < end && isNumberChar(b[pos])) pos++;
                if (pos == start) throw error("unexpected character, expected a value");
            }
        }
    }

    // ---------------------------------------------------------------------------------------- internals

    private static boolean isNumberChar(byte c) {
        return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
    }

    private void literal(String word) {
        int n = word.length();
        if (pos + n > end) throw error("expected " + word);
        for (int i = 0; i < n; i++) if (b[pos + i] != word.charAt(i)) throw error("expected " + word);
        pos += n;
    }

    // The loops below work on locals, not on the field pos: C1, which compiles the clients' code, keeps fields
    // in memory and locals in registers.

    private void skipWhitespace() {
        byte[] b = this.b;
        int i = pos;
        int end = this.end;
        while (i < end) {
            byte c = b[i];
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') break;
            i++;
        }
        pos = i;
    }

    private void skipString() {
        byte[] b = this.b;
        int end = this.end;
        int start = pos;
        int i = start + 1;
        while (i < end) {
            byte c = b[i];
            if (c == '"') {
                pos = i + 1;
                return;
            }
            i += c == '\\' ? 2 : 1;
        }
        throw errorAt(start, "unterminated string");
    }

    /**
     * A member name, from the cache when seen before. Objects of one kind list their members in one order, so the
     * name that followed this one last time is tried first, with one comparison of bytes.
     */
    private String name() {
        if (pos >= end || b[pos] != '"') throw error("expected a member name in double quotes");
        int start = pos + 1;
        int guess = lastSlot >= 0 ? nextSlot[lastSlot] : -1;
        if (guess >= 0) {
            byte[] kb = nameBytes[guess];
            int close = start + kb.length;
            if (close < end && b[close] == '"' && Arrays.equals(b, start, close, kb, 0, kb.length)) {
                pos = close + 1;
                lastSlot = guess;
                return names[guess];
            }
        }
        int h = 0;
        int i = start;
        while (i < end) {
            byte c = b[i];
            if (c == '"') break;
            if (c == '\\' || c < 0) {
                lastSlot = -1;
                return quoted(); // rare: not cached
            }
            h = 31 * h + c;
            i++;
        }
        if (i >= end) throw errorAt(pos, "unterminated string");
        int len = i - start;
        int slot = (h ^ (h >>> 9)) & (CACHE - 1);
        byte[] kb = nameBytes[slot];
        String s;
        if (kb != null && kb.length == len && Arrays.equals(b, start, i, kb, 0, len)) {
            s = names[slot];
        } else {
            s = new String(b, start, len, StandardCharsets.ISO_8859_1);
            names[slot] = s;
            nameBytes[slot] = Arrays.copyOfRange(b, start, i);
            nextSlot[slot] = -1;
        }
        if (lastSlot >= 0) nextSlot[lastSlot] = slot;
        lastSlot = slot;
        pos = i + 1;
        return s;
    }

    /**
     * A string at '"'; ASCII without escapes is copied straight, anything else decoded. Short ASCII values come
     * from a cache: a queue repeats its states, users, partitions and reasons thousands of times.
     */
    private String quoted() {
        int open = pos;
        int start = pos + 1;
        int i = start;
        int bits = 0;
        int h = 0;
        byte[] b = this.b;
        int end = this.end;
        while (i < end) {
            byte c = b[i];
            if (c == '"') {
                int len = i - start;
                pos = i + 1;
                if (len == 0) return "";
                if (bits < 0) return new String(b, start, len, StandardCharsets.UTF_8);
                if (len > MAX_CACHED_VALUE) return new String(b, start, len, StandardCharsets.ISO_8859_1);
                int slot = (h ^ (h >>> 11)) & (VALUE_CACHE - 1);
                byte[] vb = valueBytes[slot];
                if (vb != null && vb.length == len && Arrays.equals(b, start, i, vb, 0, len)) return values[slot];
                String v = new String(b, start, len, StandardCharsets.ISO_8859_1);
                values[slot] = v;
                valueBytes[slot] = Arrays.copyOfRange(b, start, i);
                return v;
            }
            if (c == '\\') {
                pos = start;
                return escaped(open, start);
            }
            bits |= c;
            h = 31 * h + c;
            i++;
        }
        throw errorAt(open, "unterminated string");
    }

    private String escaped(int open, int start) {
        StringBuilder sb = new StringBuilder();
        int run = start;
        while (pos < end) {
            byte c = b[pos];
            if (c == '"') {
                sb.append(new String(b, run, pos - run, StandardCharsets.UTF_8));
                pos++;
                return sb.toString();
            }
            if (c != '\\') {
                pos++;
                continue;
            }
            sb.append(new String(b, run, pos - run, StandardCharsets.UTF_8));
            if (pos + 1 >= end) break;
            byte e = b[pos + 1];
            switch (e) {
                case '"' -> sb.append('"');
                case '\\' -> sb.append('\\');
                case '/' -> sb.append('/');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    if (pos + 6 > end) throw error("incomplete \\u escape");
                    int code = 0;
                    for (int k = pos + 2; k < pos + 6; k++) {
                        int d = Character.digit((char) b[k], 16);
                        if (d < 0) throw errorAt(k, "invalid hex digit in \\u escape");
                        code = code * 16 + d;
                    }
                    sb.append((char) code);
                    pos += 4;
                }
                default -> throw errorAt(pos + 1, "invalid escape");
            }
            pos += 2;
            run = pos;
        }
        throw errorAt(open, "unterminated string");
    }

    private Malformed error(String message) {
        return errorAt(pos, message);
    }

    private Malformed errorAt(int at, String message) {
        return new Malformed(message + " at byte " + at);
    }
}
