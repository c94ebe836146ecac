package io.bottega.cli.http;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One HTTP answer: the status and the body bytes ({@code body[offset, offset + length)}; the array may be larger,
 * as it is the receive buffer).
 */
public final class Response {
    private final int status;
    private final byte[] body;
    private final int offset;
    private final int length;

    public Response(int status, byte[] body, int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > body.length) throw new IllegalArgumentException("body range out of bounds");
        this.status = status;
        this.body = body;
        this.offset = offset;
        this.length = length;
    }

    public static Response of(int status, String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        return new Response(status, b, 0, b.length);
    }

    public int status() { return status; }

    /** 2xx. */
    public boolean ok() { return status >= 200 && status < 300; }

    byte[] bytes() { return body; }

    int offset() { return offset; }

    int length() { return length; }

    /** A JSON reader over the body. */
    public JsonIn json() { return new JsonIn(body, offset, length); }

    /** Writes the body as it came (bytes, no decoding). */
    public void writeTo(java.io.PrintStream out) { out.write(body, offset, length); }

    /** The body as text. */
    public String text() { return new String(body, offset, length, StandardCharsets.UTF_8); }

    /** The body as a JSON object; malformed or not an object: {@link JsonIn.Malformed}. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> object() {
        JsonIn in = json();
        if (!in.peekObject()) throw new JsonIn.Malformed("expected a JSON object from the controller, got: " + excerpt());
        Map<String, Object> m = (Map<String, Object>) in.value();
        in.expectEnd();
        return m;
    }

    /**
     * The message of an error answer: the controller's {@code {"error": "..."}}, else the start of the body,
     * else the status.
     */
    public String errorMessage() {
        try {
            JsonIn in = json();
            if (in.peekObject()) {
                in.beginObject();
                for (String k; (k = in.nextKey()) != null; ) {
                    if (k.equals("error")) {
                        String m = in.string();
                        if (!m.isEmpty()) return m;
                    } else {
                        in.skipValue();
                    }
                }
            }
        } catch (JsonIn.Malformed e) {
            // not JSON: fall through to the text
        }
        String t = excerpt();
        return t.isEmpty() ? "HTTP status " + status : "HTTP status " + status + ": " + t;
    }

    private String excerpt() {
        String t = new String(body, offset, Math.min(length, 200), StandardCharsets.UTF_8).strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl);
    }
}
