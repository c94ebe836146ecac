package io.bottega.sim.trace;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Invalid records: with {@code skipInvalid} they are counted and the first few kept as notes; without,
 * the first one is an error.
 */
final class SkipLog {
    static final int MAX_NOTES = 5;

    private final String source;
    private final boolean skipInvalid;
    private final List<String> notes = new ArrayList<>();
    private final Map<String, Integer> byKind = new LinkedHashMap<>();
    private int count;

    SkipLog(String source, boolean skipInvalid) {
        this.source = source;
        this.skipInvalid = skipInvalid;
    }

    /** Records one invalid record; throws when invalid records are not to be skipped. */
    void invalid(long line, String reason) {
        invalid(line, "invalid", reason);
    }

    /** As {@link #invalid(long, String)}, counted under {@code kind} ("run time < 0", "garbled", ...). */
    void invalid(long line, String kind, String reason) {
        if (!skipInvalid) throw new TraceFormatException(source, line, reason);
        count++;
        byKind.merge(kind, 1, Integer::sum);
        if (notes.size() < MAX_NOTES) notes.add(new TraceFormatException(source, line, reason).getMessage());
    }

    int count() { return count; }

    /** "12 invalid records skipped (run time < 0: 10, garbled: 2)", or null when none was. */
    String summary() {
        if (count == 0) return null;
        StringBuilder b = new StringBuilder().append(count).append(count == 1 ? " invalid record" : " invalid records")
                .append(" skipped (");
        int i = 0;
        for (var e : byKind.entrySet()) {
            if (i++ > 0) b.append(", ");
            b.append(e.getKey()).append(": ").append(e.getValue());
        }
        return b.append(')').toString();
    }

    List<String> notes() { return List.copyOf(notes); }

    String source() { return source; }
}
