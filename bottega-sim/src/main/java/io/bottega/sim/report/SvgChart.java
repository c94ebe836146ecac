package io.bottega.sim.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A line chart as inline SVG, for self-contained reports: axes with round ticks, an optional log-scaled x axis
 * with duration labels, step or straight lines, a legend. No script, no external file.
 */
final class SvgChart {
    static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"};

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<Series> series = new ArrayList<>();
    private boolean logX;
    private boolean step;
    private boolean percentY;
    private Double yMax;

    SvgChart(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    SvgChart logX() { logX = true; return this; }
    SvgChart step() { step = true; return this; }
    SvgChart percentY() { percentY = true; return this; }
    SvgChart yMax(double v) { yMax = v; return this; }
    SvgChart add(Series s) { series.add(s); return this; }

    String render(int width, int height) {
        int left = 64, right = 16, top = 34, bottom = 46;
        double pw = width - left - right, ph = height - top - bottom;
        double x0 = Double.POSITIVE_INFINITY, x1 = Double.NEGATIVE_INFINITY, y1 = 0;
        for (Series s : series) {
            for (int i = 0; i < s.x().length; i++) {
                double x = s.x()[i];
                if (logX && x <= 0) continue;
                x0 = Math.min(x0, x);
                x1 = Math.max(x1, x);
                if (Double.isFinite(s.y()[i])) y1 = Math.max(y1, s.y()[i]);
            }
        }
        boolean empty = !(x1 >= x0);
        if (empty) { x0 = logX ? 1 : 0; x1 = logX ? 10 : 1; }
        if (logX) {
            x0 = Math.pow(10, Math.floor(Math.log10(Math.max(x0, 1e-9))));
            x1 = Math.max(x1, x0 * 10);
        } else {
            x0 = Math.min(x0, 0);
            if (x1 <= x0) x1 = x0 + 1;
        }
        if (yMax != null) y1 = yMax;
        double[] yTicks = ticks(0, y1 <= 0 ? 1 : y1);
        y1 = Math.max(y1 <= 0 ? 1 : y1, yTicks[yTicks.length - 1]);
        final double lx0 = x0, lx1 = x1, ly1 = y1;
        java.util.function.DoubleUnaryOperator sx = logX
                ? x -> left + pw * (Math.log10(Math.max(x, lx0)) - Math.log10(lx0)) / (Math.log10(lx1) - Math.log10(lx0))
                : x -> left + pw * (x - lx0) / (lx1 - lx0);
        java.util.function.DoubleUnaryOperator sy = y -> top + ph - ph * Math.min(y, ly1) / ly1;

        StringBuilder b = new StringBuilder(8192);
        b.append("<svg class=\"chart\" viewBox=\"0 0 ").append(width).append(' ').append(height).append("\" width=\"").append(width)
                .append("\" height=\"").append(height).append("\" role=\"img\" aria-label=\"").append(Fmt.html(title)).append("\">\n");
        b.append("<text x=\"").append(left).append("\" y=\"20\" class=\"t\">").append(Fmt.html(title)).append("</text>\n");
        // grid and y ticks
        for (double t : yTicks) {
            double y = sy.applyAsDouble(t);
            b.append(line(left, y, left + pw, y, "g"));
            b.append("<text x=\"").append(left - 6).append("\" y=\"").append(f(y + 4)).append("\" class=\"yl\">")
                    .append(percentY ? tickLabel(Math.round(t * 1000) / 10.0) + "%" : tickLabel(t)).append("</text>\n");
        }
        // x ticks
        double[] xTicks = logX ? durationTicks(x0, x1) : ticks(x0, x1);
        for (double t : xTicks) {
            if (t < x0 || t > x1) continue;
            double x = sx.applyAsDouble(t);
            b.append(line(x, top + ph, x, top + ph + 4, "a"));
            b.append("<text x=\"").append(f(x)).append("\" y=\"").append(f(top + ph + 17)).append("\" class=\"xl\">")
                    .append(logX ? durationLabel(t) : tickLabel(t)).append("</text>\n");
        }
        b.append(line(left, top + ph, left + pw, top + ph, "a"));
        b.append(line(left, top, left, top + ph, "a"));
        b.append("<text x=\"").append(f(left + pw / 2)).append("\" y=\"").append(height - 8).append("\" class=\"xl\">")
                .append(Fmt.html(xLabel)).append("</text>\n");
        b.append("<text x=\"14\" y=\"").append(f(top + ph / 2)).append("\" class=\"xl\" transform=\"rotate(-90 14 ")
                .append(f(top + ph / 2)).append(")\">").append(Fmt.html(yLabel)).append("</text>\n");
        // lines
        for (int k = 0; k < series.size(); k++) {
            Series s = series.get(k);
            if (s.x().length == 0) continue;
            b.append("<path fill=\"none\" stroke=\"").append(COLORS[k % COLORS.length]).append("\" stroke-width=\"1.5\" d=\"");
            double px = 0, py = 0;
            for (int i = 0; i < s.x().length; i++) {
                double x = sx.applyAsDouble(s.x()[i]), y = sy.applyAsDouble(s.y()[i]);
                if (i == 0) b.append('M').append(f(x)).append(',').append(f(y));
                else if (step) b.append('H').append(f(x)).append('V').append(f(y));
                else if (x != px || y != py) b.append('L').append(f(x)).append(',').append(f(y));
                px = x;
                py = y;
            }
            b.append("\"/>\n");
        }
        if (empty) {
            b.append("<text x=\"").append(f(left + pw / 2)).append("\" y=\"").append(f(top + ph / 2)).append("\" class=\"xl\">no data</text>\n");
        }
        // legend: in the top margin, right-aligned, one row
        if (series.size() > 1 || (series.size() == 1 && !series.get(0).name().isEmpty())) {
            double x = left + pw;
            for (int k = series.size() - 1; k >= 0; k--) {
                String name = series.get(k).name();
                x -= 24 + 7 * name.length();
                b.append("<rect x=\"").append(f(x)).append("\" y=\"13\" width=\"12\" height=\"3\" fill=\"")
                        .append(COLORS[k % COLORS.length]).append("\"/>");
                b.append("<text x=\"").append(f(x + 16)).append("\" y=\"19\" class=\"lg\">").append(Fmt.html(name)).append("</text>\n");
            }
        }
        return b.append("</svg>\n").toString();
    }

    private static String line(double x0, double y0, double x1, double y1, String cls) {
        return "<line x1=\"" + f(x0) + "\" y1=\"" + f(y0) + "\" x2=\"" + f(x1) + "\" y2=\"" + f(y1) + "\" class=\"" + cls + "\"/>\n";
    }

    private static String f(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** About five round ticks from lo to at least hi. */
    static double[] ticks(double lo, double hi) {
        double range = hi - lo;
        if (!(range > 0)) return new double[] {lo};
        double raw = range / 5, mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double norm = raw / mag;
        double step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10) * mag;
        double start = Math.ceil(lo / step - 1e-9) * step;
        int n = (int) Math.ceil((hi - start) / step - 1e-9) + 1;
        double[] out = new double[Math.max(1, n)];
        for (int i = 0; i < out.length; i++) out[i] = start + i * step;
        return out;
    }

    private static String tickLabel(double t) {
        if (Math.abs(t) >= 1e6) return String.format(Locale.ROOT, "%.3gM", t / 1e6);
        if (Math.abs(t) >= 1e4) return String.format(Locale.ROOT, "%.0fk", t / 1e3);
        if (t == Math.rint(t)) return Long.toString((long) t);
        return String.format(Locale.ROOT, "%.2f", t).replaceAll("0+$", "");
    }

    private static final double[] DURATIONS = {1, 10, 60, 600, 3600, 6 * 3600, 86400, 7 * 86400, 30 * 86400, 365 * 86400};
    private static final String[] DURATION_LABELS = {"1s", "10s", "1m", "10m", "1h", "6h", "1d", "1w", "30d", "1y"};

    private static double[] durationTicks(double lo, double hi) {
        return java.util.Arrays.stream(DURATIONS).filter(d -> d >= lo && d <= hi).toArray();
    }

    private static String durationLabel(double t) {
        for (int i = 0; i < DURATIONS.length; i++) if (DURATIONS[i] == t) return DURATION_LABELS[i];
        return tickLabel(t);
    }
}
