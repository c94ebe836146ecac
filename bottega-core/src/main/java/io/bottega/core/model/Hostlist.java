package io.bottega.core.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Slurm hostlist expressions: {@code lrdn[0001-0004,0010]}, {@code n[1-3],m5}, {@code rack[1-2]-n[01-02]}.
 *
 * <p>{@link #expand} turns an expression into host names (zero padding kept, duplicates kept, in the order
 * written; several bracket groups in one name vary the last group fastest). {@link #compress} turns names
 * back into the short form Slurm prints: names grouped by prefix in order of first appearance, each
 * group's numbers sorted and de-duplicated, runs of consecutive numbers written as ranges.
 */
public final class Hostlist {
    /** The most names one expression may expand to. */
    public static final int MAX_NAMES = 1_000_000;

    private static final int MAX_DIGITS = 18;

    private Hostlist() {}

    /**
     * Expands a hostlist expression. Items are separated by commas (outside brackets) or whitespace; empty
     * items are skipped, so {@code ""} expands to no names.
     *
     * @throws IllegalArgumentException naming the bad part of {@code expr}
     */
    public static List<String> expand(String expr) {
        if (expr == null) throw new IllegalArgumentException("hostlist must not be null");
        List<String> items = splitTopLevel(expr);
        long total = 0;
        List<List<Part>> parsed = new ArrayList<>(items.size());
        for (String item : items) {
            List<Part> parts = parseItem(item);
            long n = 1;
            for (Part p : parts) {
                n = Math.min(n * p.count(), MAX_NAMES + 1L);
            }
            total += n;
            if (total > MAX_NAMES) {
                throw new IllegalArgumentException("hostlist \"" + abbreviate(expr) + "\" expands to more than "
                        + MAX_NAMES + " names");
            }
            parsed.add(parts);
        }
        List<String> out = new ArrayList<>((int) total);
        for (List<Part> parts : parsed) emit(parts, 0, new StringBuilder(), out);
        return out;
    }

    /**
     * The shortest usual Slurm form of {@code names}: {@code lrdn[0001-0004,0010]}. Names without a
     * trailing number are kept as written; a single name is written without brackets ({@code n5}).
     *
     * @throws IllegalArgumentException for an empty name or one containing {@code , [ ]} or whitespace
     */
    public static String compress(Collection<String> names) {
        if (names == null) throw new IllegalArgumentException("host names must not be null");
        // (prefix, width) -> numbers, width 0 = not zero-padded; `order` keeps groups and number-less names
        // in order of first appearance
        Map<String, Group> groups = new LinkedHashMap<>();
        Set<String> plain = new HashSet<>();
        List<Object> order = new ArrayList<>();
        // first pass: find, per prefix, the widths used by zero-padded numbers
        Map<String, TreeSet<Integer>> paddedWidths = new LinkedHashMap<>();
        for (String name : names) {
            checkName(name);
            int d = digitStart(name);
            if (d < name.length()) {
                String digits = name.substring(d);
                if (digits.length() > 1 && digits.charAt(0) == '0') {
                    String prefix = name.substring(0, d);
                    TreeSet<Integer> widths = paddedWidths.get(prefix);
                    if (widths == null) {
                        widths = new TreeSet<>();
                        paddedWidths.put(prefix, widths);
                    }
                    widths.add(digits.length());
                }
            }
        }
        for (String name : names) {
            int d = digitStart(name);
            if (d == name.length() || name.length() - d > MAX_DIGITS) {
                if (plain.add(name)) order.add(name);
                continue;
            }
            String prefix = name.substring(0, d);
            String digits = name.substring(d);
            TreeSet<Integer> widths = paddedWidths.get(prefix);
            int width = widths != null && widths.contains(digits.length()) ? digits.length() : 0;
            String key = prefix + '\u0000' + width;
            Group g = groups.get(key);
            if (g == null) {
                g = new Group(prefix, width);
                groups.put(key, g);
                order.add(g);
            }
            g.numbers.add(Long.parseLong(digits));
        }
        StringBuilder sb = new StringBuilder();
        for (Object o : order) {
            if (!sb.isEmpty()) sb.append(',');
            if (o instanceof Group g) g.appendTo(sb);
            else sb.append((String) o);
        }
        return sb.toString();
    }

    /** {@link #compress} of {@link #expand}: the canonical form of an expression. */
    public static String normalize(String expr) {
        return compress(expand(expr));
    }

    // ---------------------------------------------------------------------------------------------- expand

    /** A literal piece of a name, or a bracket group of numbers. */
    private sealed interface Part permits Literal, Ranges {
        long count();
    }

    private record Literal(String text) implements Part {
        public long count() { return 1; }
    }

    private record Ranges(long[] lo, long[] hi, int[] width) implements Part {
        /** The number of values, saturated just above {@link #MAX_NAMES} so that products cannot overflow. */
        public long count() {
            long n = 0;
            for (int i = 0; i < lo.length; i++) n = Math.min(n + (hi[i] - lo[i] + 1), MAX_NAMES + 1L);
            return n;
        }
    }

    private static List<String> splitTopLevel(String expr) {
        List<String> items = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < expr.length(); i++) {
            char c = expr.charAt(i);
            if (c == '[') depth++;
            else if (c == ']') depth--;
            else if (depth == 0 && (c == ',' || Character.isWhitespace(c))) {
                if (i > start) items.add(expr.substring(start, i));
                start = i + 1;
            }
        }
        if (start < expr.length()) items.add(expr.substring(start));
        return items;
    }

    private static List<Part> parseItem(String item) {
        List<Part> parts = new ArrayList<>();
        int i = 0;
        while (i < item.length()) {
            int open = item.indexOf('[', i);
            int close = item.indexOf(']', i);
            if (close >= 0 && (open < 0 || close < open)) {
                throw new IllegalArgumentException("unbalanced ']' in \"" + item + "\"");
            }
            if (open < 0) {
                parts.add(new Literal(item.substring(i)));
                break;
            }
            if (open > i) parts.add(new Literal(item.substring(i, open)));
            if (close < 0) throw new IllegalArgumentException("unbalanced '[' in \"" + item + "\"");
            int nested = item.indexOf('[', open + 1);
            if (nested >= 0 && nested < close) {
                throw new IllegalArgumentException("nested '[' in \"" + item + "\"");
            }
            parts.add(parseRanges(item.substring(open + 1, close), item));
            i = close + 1;
        }
        return parts;
    }

    private static Ranges parseRanges(String body, String item) {
        if (body.isEmpty()) throw new IllegalArgumentException("empty brackets in \"" + item + "\"");
        String[] pieces = body.split(",", -1);
        long[] lo = new long[pieces.length];
        long[] hi = new long[pieces.length];
        int[] width = new int[pieces.length];
        for (int k = 0; k < pieces.length; k++) {
            String p = pieces[k];
            int dash = p.indexOf('-');
            String a = dash < 0 ? p : p.substring(0, dash);
            String b = dash < 0 ? p : p.substring(dash + 1);
            if (!isNumber(a) || !isNumber(b)) {
                throw new IllegalArgumentException("invalid range '" + p + "' in \"" + item + "\"");
            }
            lo[k] = Long.parseLong(a);
            hi[k] = Long.parseLong(b);
            if (hi[k] < lo[k]) throw new IllegalArgumentException("range " + p + " is reversed in \"" + item + "\"");
            width[k] = a.length();
        }
        return new Ranges(lo, hi, width);
    }

    private static boolean isNumber(String s) {
        if (s.isEmpty() || s.length() > MAX_DIGITS) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return false;
        }
        return true;
    }

    private static void emit(List<Part> parts, int idx, StringBuilder prefix, List<String> out) {
        if (idx == parts.size()) {
            out.add(prefix.toString());
            return;
        }
        int mark = prefix.length();
        // instanceof rather than a pattern switch: the command-line client calls this and starts a JVM each time
        Part part = parts.get(idx);
        if (part instanceof Literal l) {
            prefix.append(l.text());
            emit(parts, idx + 1, prefix, out);
        } else {
            Ranges r = (Ranges) part;
            for (int k = 0; k < r.lo().length; k++) {
                for (long v = r.lo()[k]; v <= r.hi()[k]; v++) {
                    appendPadded(prefix, v, r.width()[k]);
                    emit(parts, idx + 1, prefix, out);
                    prefix.setLength(mark);
                }
            }
        }
        prefix.setLength(mark);
    }

    // -------------------------------------------------------------------------------------------- compress

    private static final class Group {
        final String prefix;
        final int width;
        final TreeSet<Long> numbers = new TreeSet<>();

        Group(String prefix, int width) {
            this.prefix = prefix;
            this.width = width;
        }

        void appendTo(StringBuilder sb) {
            sb.append(prefix);
            if (numbers.size() == 1) {
                appendPadded(sb, numbers.first(), width);
                return;
            }
            sb.append('[');
            long start = -1;
            long prev = -1;
            boolean first = true;
            for (long n : numbers) {
                if (start < 0) {
                    start = n;
                } else if (n != prev + 1) {
                    first = appendRange(sb, start, prev, first);
                    start = n;
                }
                prev = n;
            }
            appendRange(sb, start, prev, first);
            sb.append(']');
        }

        private boolean appendRange(StringBuilder sb, long a, long b, boolean first) {
            if (!first) sb.append(',');
            appendPadded(sb, a, width);
            if (b != a) {
                sb.append('-');
                appendPadded(sb, b, width);
            }
            return false;
        }
    }

    private static void checkName(String name) {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("host name must not be empty");
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == ',' || c == '[' || c == ']' || Character.isWhitespace(c)) {
                throw new IllegalArgumentException("host name \"" + name + "\" must not contain ',', '[', ']' or spaces");
            }
        }
    }

    /** Index of the first digit of the name's trailing run of digits (the length if there is none). */
    private static int digitStart(String name) {
        int i = name.length();
        while (i > 0 && name.charAt(i - 1) >= '0' && name.charAt(i - 1) <= '9') i--;
        return i;
    }

    private static void appendPadded(StringBuilder sb, long v, int width) {
        String s = Long.toString(v);
        for (int i = s.length(); i < width; i++) sb.append('0');
        sb.append(s);
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
