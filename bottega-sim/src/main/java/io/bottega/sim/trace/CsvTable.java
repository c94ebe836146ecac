package io.bottega.sim.trace;


import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The header of a CSV file and typed access to a row's cells by column name, with messages naming the column. */
final class CsvTable {
    private final Map<String, Integer> index = new HashMap<>();
    private final int width;

    CsvTable(List<String> header, String source, List<String> required, List<String> optional, boolean strict) {
        for (int i = 0; i < header.size(); i++) {
            String h = header.get(i).trim().toLowerCase(Locale.ROOT);
            if (!h.isEmpty() && index.put(h, i) != null) throw new TraceFormatException(source, 1, "column '" + h + "' appears twice");
            if (strict && !required.contains(h) && !optional.contains(h)) {
                throw new TraceFormatException(source, 1, "unknown column '" + header.get(i).trim() + "' (known: "
                        + String.join(", ", required) + (optional.isEmpty() ? "" : ", " + String.join(", ", optional)) + ")");
            }
        }
        for (String r : required) {
            if (!index.containsKey(r)) {
                throw new TraceFormatException(source, 1, "the header has no column '" + r + "' (expected: "
                        + String.join(",", required) + ")");
            }
        }
        width = header.size();
    }

    int width() { return width; }

    boolean has(String column) { return index.containsKey(column); }

    /** The raw cell, trimmed; "" when the column is absent. */
    String text(List<String> row, String column) {
        Integer i = index.get(column);
        return i == null || i >= row.size() ? "" : row.get(i).trim();
    }

    /** Whether the cell is empty or a pandas-style "nan". */
    static boolean missing(String cell) {
        return cell.isEmpty() || cell.equalsIgnoreCase("nan") || cell.equalsIgnoreCase("null");
    }

    /** A number (decimals rounded), or throws naming the column. */
    long number(List<String> row, String column) {
        String s = text(row, column);
        if (missing(s)) throw new IllegalArgumentException("column " + column + " is empty");
        return parse(s, column);
    }

    static long parse(String s, String column) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            try {
                double d = Double.parseDouble(s);
                if (Double.isFinite(d) && Math.abs(d) < 9e15) return Math.round(d);
            } catch (NumberFormatException ignored) {
                // the message below
            }
            String shown = s.length() > 40 ? s.substring(0, 40) + "..." : s;
            throw new IllegalArgumentException("column " + column + " is '" + shown + "', not a number");
        }
    }
}
