package io.bottega.sim.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;

/** Number and text formatting shared by the writers (locale-independent). */
final class Fmt {
    private Fmt() {}

    /** A JSON number: integers as such, others to 9 significant digits; null for NaN and infinities. */
    static String json(double x) {
        if (!Double.isFinite(x)) return "null";
        if (x == Math.rint(x) && Math.abs(x) < 1e15) return Long.toString((long) x);
        return new BigDecimal(x).round(new MathContext(9)).stripTrailingZeros().toPlainString();
    }

    static String jsonString(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }

    static String html(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** A duration for people: {@code 42 s}, {@code 3.5 min}, {@code 2.1 h}, {@code 4.0 d}. */
    static String duration(double seconds) {
        if (!Double.isFinite(seconds)) return "–";
        double a = Math.abs(seconds);
        if (a < 60) return String.format(Locale.ROOT, "%.0f s", seconds);
        if (a < 3600) return String.format(Locale.ROOT, "%.1f min", seconds / 60);
        if (a < 86400) return String.format(Locale.ROOT, "%.1f h", seconds / 3600);
        return String.format(Locale.ROOT, "%.1f d", seconds / 86400);
    }

    static String percent(double x) {
        return Double.isFinite(x) ? String.format(Locale.ROOT, "%.1f%%", x * 100) : "–";
    }

    static String fixed(double x, int decimals) {
        return Double.isFinite(x) ? String.format(Locale.ROOT, "%." + decimals + "f", x) : "–";
    }

    /** kWh with thousands separators and one decimal: 3,028,184.9. */
    static String kwh(double x) {
        return Double.isFinite(x) ? String.format(Locale.ROOT, "%,.1f", x) : "–";
    }

    /** Thousands separators: 1,234,567. */
    static String count(long x) {
        return String.format(Locale.ROOT, "%,d", x);
    }
}
