package io.bottega.server.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A strict reader of Prometheus' text exposition format 0.0.4, for tests: every line is a {@code # HELP}, a
 * {@code # TYPE}, a comment or a sample; a sample belongs to a family whose TYPE came first (histogram and
 * summary samples by their {@code _bucket}/{@code _sum}/{@code _count} suffixes); names and label names are
 * valid; label values use only the three escapes; values are floats (or NaN, +Inf, -Inf); no series twice;
 * histogram buckets are cumulative and end with {@code le="+Inf"} equal to {@code _count}. Anything else
 * throws, naming the line.
 */
final class PrometheusText {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    record Sample(String name, Map<String, String> labels, double value) {}

    record Family(String name, String type, String help, List<Sample> samples) {}

    private PrometheusText() {}

    static Map<String, Family> parse(String text) {
        Map<String, Family> families = new LinkedHashMap<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        if (!text.isEmpty() && !text.endsWith("\n")) throw new IllegalArgumentException("the text must end with a newline");
        String[] lines = text.split("\n", -1);
        for (int n = 0; n < lines.length - 1; n++) {
            String line = lines[n];
            String where = "line " + (n + 1) + ": '" + line + "': ";
            if (line.isEmpty()) continue;
            if (line.startsWith("#")) {
                String[] p = line.split(" ", 4);
                if (p.length >= 3 && (p[1].equals("HELP") || p[1].equals("TYPE"))) {
                    if (!NAME.matcher(p[2]).matches()) throw new IllegalArgumentException(where + "bad metric name");
                    String rest = p.length == 4 ? p[3] : "";
                    Family old = families.get(p[2]);
                    if (p[1].equals("TYPE")) {
                        if (!List.of("counter", "gauge", "histogram", "summary", "untyped").contains(rest)) {
                            throw new IllegalArgumentException(where + "unknown type");
                        }
                        if (old != null && old.type() != null) throw new IllegalArgumentException(where + "second TYPE");
                        if (old != null && !old.samples().isEmpty()) throw new IllegalArgumentException(where + "TYPE after samples");
                        families.put(p[2], new Family(p[2], rest, old == null ? null : old.help(), new ArrayList<>()));
                    } else {
                        if (old != null && old.help() != null) throw new IllegalArgumentException(where + "second HELP");
                        families.put(p[2], new Family(p[2], old == null ? null : old.type(), rest, old == null ? new ArrayList<>() : old.samples()));
                    }
                }
                continue;
            }
            Sample s = sample(line, where);
            Family f = familyOf(families, s.name());
            if (f == null || f.type() == null) throw new IllegalArgumentException(where + "sample before its # TYPE");
            if (!seen.add(s.name() + s.labels())) throw new IllegalArgumentException(where + "series given twice");
            f.samples().add(s);
        }
        for (Family f : families.values()) if (f.type().equals("histogram")) checkHistogram(f);
        return families;
    }

    private static Family familyOf(Map<String, Family> families, String name) {
        Family f = families.get(name);
        if (f != null) return f;
        for (String suffix : List.of("_bucket", "_sum", "_count")) {
            if (name.endsWith(suffix)) {
                Family g = families.get(name.substring(0, name.length() - suffix.length()));
                if (g != null && (g.type().equals("histogram") || g.type().equals("summary"))) return g;
            }
        }
        return null;
    }

    private static Sample sample(String line, String where) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') i++;
        String name = line.substring(0, i);
        if (!NAME.matcher(name).matches()) throw new IllegalArgumentException(where + "bad metric name");
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (line.charAt(i) != '}') {
                int eq = line.indexOf('=', i);
                if (eq < 0) throw new IllegalArgumentException(where + "label without '='");
                String ln = line.substring(i, eq);
                if (!LABEL.matcher(ln).matches()) throw new IllegalArgumentException(where + "bad label name " + ln);
                if (line.charAt(eq + 1) != '"') throw new IllegalArgumentException(where + "label value must be quoted");
                StringBuilder v = new StringBuilder();
                int k = eq + 2;
                while (line.charAt(k) != '"') {
                    char c = line.charAt(k);
                    if (c == '\\') {
                        char e = line.charAt(++k);
                        if (e == 'n') v.append('\n');
                        else if (e == '\\' || e == '"') v.append(e);
                        else throw new IllegalArgumentException(where + "bad escape \\" + e);
                    } else {
                        v.append(c);
                    }
                    k++;
                }
                if (labels.put(ln, v.toString()) != null) throw new IllegalArgumentException(where + "label " + ln + " twice");
                i = k + 1;
                if (line.charAt(i) == ',') i++;
                else if (line.charAt(i) != '}') throw new IllegalArgumentException(where + "expected ',' or '}'");
            }
            i++;
        }
        if (i >= line.length() || line.charAt(i) != ' ') throw new IllegalArgumentException(where + "expected a space before the value");
        String[] rest = line.substring(i + 1).split(" ");
        if (rest.length > 2) throw new IllegalArgumentException(where + "too many fields");
        double value = switch (rest[0]) {
            case "NaN" -> Double.NaN;
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> {
                try {
                    yield Double.parseDouble(rest[0]);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(where + "bad value");
                }
            }
        };
        if (rest.length == 2 && !rest[1].matches("-?[0-9]+")) throw new IllegalArgumentException(where + "bad timestamp");
        return new Sample(name, labels, value);
    }

    private static void checkHistogram(Family f) {
        Map<Map<String, String>, List<Sample>> buckets = new LinkedHashMap<>();
        Map<Map<String, String>, Double> counts = new LinkedHashMap<>();
        for (Sample s : f.samples()) {
            Map<String, String> key = new LinkedHashMap<>(s.labels());
            key.remove("le");
            if (s.name().equals(f.name() + "_bucket")) {
                if (!s.labels().containsKey("le")) throw new IllegalArgumentException(f.name() + ": a bucket without le");
                buckets.computeIfAbsent(key, k -> new ArrayList<>()).add(s);
            } else if (s.name().equals(f.name() + "_count")) {
                counts.put(key, s.value());
            }
        }
        if (buckets.isEmpty()) throw new IllegalArgumentException(f.name() + ": a histogram without buckets");
        buckets.forEach((key, bs) -> {
            double prevLe = Double.NEGATIVE_INFINITY;
            double prev = 0;
            for (Sample b : bs) {
                String le = b.labels().get("le");
                double bound = le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
                if (bound <= prevLe) throw new IllegalArgumentException(f.name() + ": buckets out of order at le=" + le);
                if (b.value() < prev) throw new IllegalArgumentException(f.name() + ": buckets not cumulative at le=" + le);
                prevLe = bound;
                prev = b.value();
            }
            Sample last = bs.get(bs.size() - 1);
            if (!last.labels().get("le").equals("+Inf")) throw new IllegalArgumentException(f.name() + ": no le=\"+Inf\" bucket");
            Double count = counts.get(key);
            if (count == null || count != last.value()) throw new IllegalArgumentException(f.name() + ": +Inf bucket " + last.value()
                    + " differs from _count " + count);
        });
    }

    /** The value of the one sample of {@code name} with these labels (a subset must match); fails when absent. */
    static double value(Map<String, Family> families, String name, Map<String, String> labels) {
        Family f = familyOf(families, name);
        if (f == null) throw new AssertionError("no metric " + name + " in " + families.keySet());
        for (Sample s : f.samples()) {
            if (s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet())) return s.value();
        }
        throw new AssertionError("no sample " + name + labels + " among " + f.samples());
    }
}
