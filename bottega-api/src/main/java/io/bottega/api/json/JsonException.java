package io.bottega.api.json;

/** Malformed JSON text: the message starts with {@code line:column}, 1-based ({@code 3:14: expected ':' ...}). */
public final class JsonException extends IllegalArgumentException {
    private final int line;
    private final int column;

    public JsonException(String message, int line, int column) {
        super(line + ":" + column + ": " + message);
        this.line = line;
        this.column = column;
    }

    public int line() { return line; }

    public int column() { return column; }
}
