package io.bottega.sim.trace;

/**
 * A trace record that cannot be read or replayed, with where it is: {@code KTH.swf:1234: field 4 (run time)
 * is 'abc', not a number}. {@link #line()} is 0 when the problem is not on one line (a truncated gzip
 * stream, a missing header).
 */
public final class TraceFormatException extends IllegalArgumentException {
    private final String source;
    private final long line;
    private final String reason;

    public TraceFormatException(String source, long line, String reason) {
        super(line > 0 ? source + ":" + line + ": " + reason : source + ": " + reason);
        this.source = source;
        this.line = line;
        this.reason = reason;
    }

    /** The file (as the user named it). */
    public String source() { return source; }

    /** 1-based line number, or 0. */
    public long line() { return line; }

    /** The message without the location. */
    public String reason() { return reason; }
}
