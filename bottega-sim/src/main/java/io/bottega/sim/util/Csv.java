package io.bottega.sim.util;

import java.util.ArrayList;
import java.util.List;

/** Minimal RFC 4180 CSV: splitting one line (quoted fields, doubled quotes) and quoting a field for output. */
public final class Csv {
    private Csv() {}

    /** The fields of one line; a quoted field may contain commas and doubled quotes, not newlines. */
    public static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder b = new StringBuilder();
        int i = 0, n = line.length();
        while (true) {
            b.setLength(0);
            if (i < n && line.charAt(i) == '"') {
                i++;
                while (true) {
                    if (i >= n) throw new IllegalArgumentException("unterminated quoted field");
                    char c = line.charAt(i++);
                    if (c == '"') {
                        if (i < n && line.charAt(i) == '"') { b.append('"'); i++; }
                        else break;
                    } else {
                        b.append(c);
                    }
                }
                if (i < n && line.charAt(i) != ',') throw new IllegalArgumentException("text after a closing quote");
            } else {
                while (i < n && line.charAt(i) != ',') b.append(line.charAt(i++));
            }
            out.add(b.toString());
            if (i >= n) return out;
            i++; // the comma
        }
    }

    /** The field as it must be written: quoted when it holds a comma, quote or line break. */
    public static String quote(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) return s;
        return '"' + s.replace("\"", "\"\"") + '"';
    }
}
