package io.bottega.cli.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A lean HTTP/1.1 client for the controller's REST API, for the command-line clients: one request per
 * connection, over the controller's Unix socket (the caller is known by its peer credentials) or over TCP with a
 * bearer token. It uses neither {@code java.net.http} nor a JSON library, which cost a fresh JVM hundreds of
 * milliseconds; see {@link JsonIn} for the answers.
 *
 * <p>Where the controller is, with no flags:
 * <ol>
 *   <li>{@code $BOTTEGA_URL} ({@code http://host:port}), with the token in {@code $BOTTEGA_TOKEN} or the file
 *       {@code ~/.bottega/token};</li>
 *   <li>else, inside a job, {@code $BOTTEGA_CONTROLLER} with the job's token {@code $BOTTEGA_JOB_TOKEN};</li>
 *   <li>else the socket {@code $BOTTEGA_SOCKET};</li>
 *   <li>else the socket {@value #DEFAULT_SOCKET}.</li>
 * </ol>
 * {@code $BOTTEGA_TIMEOUT} (seconds, 30 by default) bounds connecting and each wait for the answer.
 */
public final class ApiClient {
    public static final String DEFAULT_SOCKET = "/tmp/bottega/bottega.sock";
    public static final String PREFIX = "/api/v1";
    private static final int DEFAULT_TIMEOUT_MS = 30_000;
    private static final int MAX_HEADER_BYTES = 64 * 1024;
    private static final int MAX_BODY_BYTES = 1 << 30;

    private final Path socket;   // null for TCP
    private final String host;
    private final int port;
    private final String basePath;
    private final String token;
    private final int timeoutMillis;

    private ApiClient(Path socket, String host, int port, String basePath, String token, int timeoutMillis) {
        this.socket = socket;
        this.host = host;
        this.port = port;
        this.basePath = basePath;
        this.token = token;
        this.timeoutMillis = timeoutMillis;
    }

    /** A client for a Unix socket. */
    public static ApiClient unix(Path socket, int timeoutMillis) {
        return new ApiClient(socket, "localhost", 0, "", "", timeoutMillis);
    }

    /** A client for {@code http://host:port[/base]}, with a bearer token ("" for none). */
    public static ApiClient tcp(String url, String token, int timeoutMillis) throws ApiException {
        String u = url.trim();
        if (u.regionMatches(true, 0, "https://", 0, 8)) {
            throw new ApiException("BOTTEGA_URL=" + url + ": https is not supported by the command-line clients yet; "
                    + "use http:// on a trusted network, or the controller's local socket");
        }
        if (!u.regionMatches(true, 0, "http://", 0, 7)) {
            throw new ApiException("BOTTEGA_URL=" + url + ": expected http://host:port");
        }
        String rest = u.substring(7);
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        String base = slash < 0 ? "" : rest.substring(slash);
        while (base.endsWith("/")) base = base.substring(0, base.length() - 1);
        if (base.endsWith(PREFIX)) base = base.substring(0, base.length() - PREFIX.length());
        String h;
        String p;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) throw new ApiException("BOTTEGA_URL=" + url + ": unterminated [IPv6 address]");
            h = authority.substring(1, close);
            p = authority.length() > close + 1 && authority.charAt(close + 1) == ':' ? authority.substring(close + 2) : "";
        } else {
            int colon = authority.lastIndexOf(':');
            h = colon < 0 ? authority : authority.substring(0, colon);
            p = colon < 0 ? "" : authority.substring(colon + 1);
        }
        if (h.isEmpty()) throw new ApiException("BOTTEGA_URL=" + url + ": no host");
        int portNumber = 80;
        if (!p.isEmpty()) {
            try {
                portNumber = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                portNumber = -1;
            }
            if (portNumber < 1 || portNumber > 65535) throw new ApiException("BOTTEGA_URL=" + url + ": invalid port '" + p + "'");
        }
        return new ApiClient(null, h, portNumber, base, token == null ? "" : token.trim(), timeoutMillis);
    }

    /**
     * The client the environment describes (see the class comment).
     *
     * @param home the user's home directory, for {@code ~/.bottega/token}
     */
    public static ApiClient fromEnvironment(Map<String, String> env, String home) throws ApiException {
        int timeout = DEFAULT_TIMEOUT_MS;
        String t = env.get("BOTTEGA_TIMEOUT");
        if (t != null && !t.isBlank()) {
            try {
                double secs = Double.parseDouble(t.trim());
                if (!(secs > 0) || secs > 86_400) throw new NumberFormatException();
                timeout = (int) Math.max(1, Math.round(secs * 1000));
            } catch (NumberFormatException e) {
                throw new ApiException("BOTTEGA_TIMEOUT=" + t + ": expected a number of seconds");
            }
        }
        String url = env.get("BOTTEGA_URL");
        if (url != null && !url.isBlank()) {
            String token = env.get("BOTTEGA_TOKEN");
            if (token == null || token.isBlank()) token = readToken(home);
            return tcp(url, token, timeout);
        }
        // inside a job (on any node): the controller the job was started by, with the job's own token
        String jobToken = env.get("BOTTEGA_JOB_TOKEN");
        String controller = env.get("BOTTEGA_CONTROLLER");
        if (jobToken != null && !jobToken.isBlank() && controller != null && !controller.isBlank()) {
            return tcp(controller, jobToken, timeout);
        }
        String sock = env.get("BOTTEGA_SOCKET");
        return unix(Path.of(sock == null || sock.isBlank() ? DEFAULT_SOCKET : sock), timeout);
    }

    /**
     * Starts, on a background thread, what the first Unix-socket connection of the process would otherwise do on
     * the caller's: the JDK initializes its Unix-socket support with a {@code SecureRandom} (about 15 ms in a fresh
     * JVM). Call it first thing; the command parses its options meanwhile. Does nothing when {@code BOTTEGA_URL}
     * says the controller is reached over TCP.
     */
    public static void warmUp(Map<String, String> env) {
        String url = env.get("BOTTEGA_URL");
        if (url != null && !url.isBlank()) return;
        Thread t = new Thread(new WarmUp(), "bottega-cli-warmup");
        t.setDaemon(true);
        t.start();
    }

    private static final class WarmUp implements Runnable {
        @Override
        public void run() {
            try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                ch.isOpen();
            } catch (IOException | UnsupportedOperationException e) {
                // the real connection will report it
            }
        }
    }

    /** The token saved by {@code bottega token --save}, or "". */
    static String readToken(String home) {
        if (home == null || home.isEmpty()) return "";
        Path f = tokenFile(home);
        try {
            return Files.isReadable(f) ? Files.readString(f, StandardCharsets.UTF_8).trim() : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** {@code ~/.bottega/token}. */
    public static Path tokenFile(String home) {
        return Path.of(home, ".bottega", "token");
    }

    /** Where the controller is, as the user would name it: the socket path, or {@code http://host:port}. */
    public String where() {
        if (socket != null) return socket.toString();
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return "http://" + h + ":" + port + basePath;
    }

    public boolean isUnixSocket() { return socket != null; }

    // ------------------------------------------------------------------------------------------ requests

    /** {@code GET /api/v1} + {@code path} (with its query). */
    public Response get(String path) throws ApiException {
        return send("GET", path, null);
    }

    /** {@code POST} a JSON body. */
    public Response post(String path, String json) throws ApiException {
        return send("POST", path, json.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code PATCH} a JSON body. */
    public Response patch(String path, String json) throws ApiException {
        return send("PATCH", path, json.getBytes(StandardCharsets.UTF_8));
    }

    /** One request: {@code path} is below {@code /api/v1} and starts with '/'. */
    public Response send(String method, String path, byte[] body) throws ApiException {
        byte[] head = requestHead(method, path, body == null ? -1 : body.length);
        try (Conn c = connect()) {
            c.write(head, body);
            return read(c);
        } catch (SocketTimeoutException e) {
            throw timeout();
        } catch (IOException e) {
            throw new ApiException("lost the connection to the Bottega controller at " + where() + ": " + reason(e));
        }
    }

    private byte[] requestHead(String method, String path, int contentLength) {
        StringBuilder sb = new StringBuilder(256);
        sb.append(method).append(' ').append(basePath).append(PREFIX).append(path).append(" HTTP/1.1\r\n");
        sb.append("Host: ").append(socket != null ? "localhost" : host.indexOf(':') >= 0 ? "[" + host + "]" : host);
        if (socket == null && port != 80) sb.append(':').append(port);
        sb.append("\r\nUser-Agent: bottega-cli\r\nAccept: application/json\r\nConnection: close\r\n");
        if (socket == null && !token.isEmpty()) sb.append("Authorization: Bearer ").append(token).append("\r\n");
        if (contentLength >= 0) {
            sb.append("Content-Type: application/json\r\nContent-Length: ").append(contentLength).append("\r\n");
        }
        sb.append("\r\n");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private ApiException timeout() {
        return new ApiException("the Bottega controller at " + where() + " did not answer within "
                + (timeoutMillis % 1000 == 0 ? timeoutMillis / 1000 + " s" : timeoutMillis + " ms")
                + " (set BOTTEGA_TIMEOUT to wait longer)");
    }

    private ApiException unreachable(IOException e) {
        return new ApiException("cannot reach the Bottega controller at " + where() + " (is 'bottega up' running?): " + reason(e));
    }

    private static String reason(IOException e) {
        if (e instanceof UnknownHostException) return "unknown host " + e.getMessage();
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    // -------------------------------------------------------------------------------------- connections

    /** One connection; reads return -1 at the end of the stream. */
    private interface Conn extends AutoCloseable {
        void write(byte[] head, byte[] body) throws IOException;

        int read(byte[] buf, int off, int len) throws IOException;

        @Override
        void close() throws IOException;
    }

    private Conn connect() throws ApiException {
        if (socket != null) {
            SocketChannel ch = null;
            try {
                ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                ch.connect(UnixDomainSocketAddress.of(socket));
                return new UnixConn(ch, timeoutMillis);
            } catch (IOException e) {
                closeQuietly(ch);
                throw unreachable(e);
            }
        }
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(host, port), timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            return new TcpConn(s);
        } catch (SocketTimeoutException e) {
            closeQuietly(s);
            throw new ApiException("cannot reach the Bottega controller at " + where() + " (is it running?): "
                    + "no answer within " + timeoutMillis / 1000 + " s");
        } catch (IOException e) {
            closeQuietly(s);
            throw unreachable(e);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) return;
        try {
            c.close();
        } catch (Exception ignored) {
            // nothing to do
        }
    }

    private static final class TcpConn implements Conn {
        private final Socket s;
        private final InputStream in;
        private final OutputStream out;

        TcpConn(Socket s) throws IOException {
            this.s = s;
            this.in = s.getInputStream();
            this.out = s.getOutputStream();
        }

        @Override
        public void write(byte[] head, byte[] body) throws IOException {
            if (body == null || head.length + body.length <= 16 * 1024) {
                byte[] all = body == null ? head : concat(head, body);
                out.write(all);
            } else {
                out.write(head);
                out.write(body);
            }
            out.flush();
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            return in.read(buf, off, len);
        }

        @Override
        public void close() throws IOException {
            s.close();
        }
    }

    /**
     * A Unix socket channel in blocking mode. Such a channel has no read timeout, so a watchdog thread closes
     * it when the controller takes too long; the blocked read then fails and is reported as a timeout.
     */
    private static final class UnixConn implements Conn, Runnable {
        private final SocketChannel ch;
        private final long timeoutMillis;
        private final Thread watchdog;
        private volatile long deadline;
        private volatile boolean timedOut;

        UnixConn(SocketChannel ch, long timeoutMillis) {
            this.ch = ch;
            this.timeoutMillis = timeoutMillis;
            this.deadline = System.currentTimeMillis() + timeoutMillis;
            this.watchdog = new Thread(this, "bottega-cli-timeout");
            watchdog.setDaemon(true);
            watchdog.start();
        }

        @Override
        public void run() {
            try {
                while (true) {
                    long wait = deadline - System.currentTimeMillis();
                    if (wait <= 0) break;
                    Thread.sleep(wait);
                }
                timedOut = true;
                ch.close();
            } catch (InterruptedException | IOException e) {
                // closed normally
            }
        }

        @Override
        public void write(byte[] head, byte[] body) throws IOException {
            try {
                writeFully(ByteBuffer.wrap(head));
                if (body != null) writeFully(ByteBuffer.wrap(body));
            } catch (ClosedChannelException e) {
                throw timedOut ? new SocketTimeoutException() : e;
            }
        }

        private void writeFully(ByteBuffer bb) throws IOException {
            while (bb.hasRemaining()) ch.write(bb);
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            try {
                int n = ch.read(ByteBuffer.wrap(buf, off, len));
                deadline = System.currentTimeMillis() + timeoutMillis;
                return n;
            } catch (ClosedChannelException e) {
                throw timedOut ? new SocketTimeoutException() : e;
            }
        }

        @Override
        public void close() throws IOException {
            watchdog.interrupt();
            ch.close();
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    // ----------------------------------------------------------------------------------------- responses

    /** Reads one response: the status line, the headers, and a Content-Length, chunked or close-delimited body. */
    private Response read(Conn c) throws IOException, ApiException {
        byte[] buf = new byte[32 * 1024];
        int n = 0;
        int headerEnd;
        while (true) {
            headerEnd = indexOfBlankLine(buf, n);
            if (headerEnd >= 0) break;
            if (n >= MAX_HEADER_BYTES) throw protocol("response headers larger than " + MAX_HEADER_BYTES + " bytes");
            if (n == buf.length) buf = grow(buf, n, buf.length * 2);
            int r = c.read(buf, n, buf.length - n);
            if (r < 0) {
                if (n == 0) throw protocol("the connection closed without an answer");
                throw protocol("the connection closed in the middle of the response headers");
            }
            n += r;
        }
        String head = new String(buf, 0, headerEnd, StandardCharsets.ISO_8859_1);
        int bodyStart = headerEnd + 4;
        int status = statusOf(head);
        long contentLength = -1;
        boolean chunked = false;
        int lineStart = head.indexOf("\r\n");
        while (lineStart >= 0 && lineStart < head.length()) {
            int lineEnd = head.indexOf("\r\n", lineStart + 2);
            String line = head.substring(lineStart + 2, lineEnd < 0 ? head.length() : lineEnd);
            int colon = line.indexOf(':');
            if (colon > 0) {
                String name = line.substring(0, colon).trim();
                String value = line.substring(colon + 1).trim();
                if (name.equalsIgnoreCase("Content-Length")) {
                    try {
                        contentLength = Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        throw protocol("bad Content-Length '" + value + "'");
                    }
                } else if (name.equalsIgnoreCase("Transfer-Encoding") && value.toLowerCase(java.util.Locale.ROOT).contains("chunked")) {
                    chunked = true;
                }
            }
            lineStart = lineEnd;
        }
        if (status == 204 || status == 304 || (status >= 100 && status < 200)) return new Response(status, buf, bodyStart, 0);
        if (chunked) return readChunked(c, status, buf, bodyStart, n);
        if (contentLength >= 0) {
            if (contentLength > MAX_BODY_BYTES) throw protocol("answer of " + contentLength + " bytes is too large");
            int total = bodyStart + (int) contentLength;
            if (buf.length < total) buf = grow(buf, n, total);
            while (n < total) {
                int r = c.read(buf, n, total - n);
                if (r < 0) throw protocol("the connection closed after " + (n - bodyStart) + " of " + contentLength + " bytes");
                n += r;
            }
            return new Response(status, buf, bodyStart, (int) contentLength);
        }
        while (true) { // until the server closes
            if (n == buf.length) buf = grow(buf, n, newSize(buf.length));
            int r = c.read(buf, n, buf.length - n);
            if (r < 0) break;
            n += r;
        }
        return new Response(status, buf, bodyStart, n - bodyStart);
    }

    /** De-chunks in place as data arrives: {@code w} is where the body is written, {@code p} where parsing is. */
    private Response readChunked(Conn c, int status, byte[] buf, int bodyStart, int n) throws IOException, ApiException {
        int w = bodyStart;
        int p = bodyStart;
        while (true) {
            // a chunk-size line
            int lineEnd = indexOfCrlf(buf, p, n);
            while (lineEnd < 0) {
                if (n - p > 1024) throw protocol("bad chunk header");
                if (n == buf.length) buf = grow(buf, n, newSize(buf.length));
                int r = c.read(buf, n, buf.length - n);
                if (r < 0) throw protocol("the connection closed in the middle of a chunked answer");
                n += r;
                lineEnd = indexOfCrlf(buf, p, n);
            }
            long size = 0;
            int k = p;
            for (; k < lineEnd; k++) {
                int d = Character.digit((char) buf[k], 16);
                if (d < 0) break;
                size = size * 16 + d;
                if (size > MAX_BODY_BYTES) throw protocol("chunk too large");
            }
            if (k == p) throw protocol("bad chunk size");
            p = lineEnd + 2;
            if (size == 0) return new Response(status, buf, bodyStart, w - bodyStart); // trailers are not read
            long need = p + size + 2;
            if (need > MAX_BODY_BYTES) throw protocol("answer too large");
            if (buf.length < need) buf = grow(buf, n, (int) Math.max(need, newSize(buf.length)));
            while (n < need) {
                int r = c.read(buf, n, buf.length - n);
                if (r < 0) throw protocol("the connection closed in the middle of a chunk");
                n += r;
            }
            System.arraycopy(buf, p, buf, w, (int) size);
            w += (int) size;
            p += (int) size + 2;
        }
    }

    private static int newSize(int size) {
        if (size >= MAX_BODY_BYTES) throw new IllegalStateException("answer too large");
        return (int) Math.min((long) size * 2, MAX_BODY_BYTES);
    }

    private ApiException protocol(String what) {
        return new ApiException("the Bottega controller at " + where() + " answered something that is not HTTP/1.1: " + what);
    }

    private int statusOf(String head) throws ApiException {
        int eol = head.indexOf("\r\n");
        String statusLine = eol < 0 ? head : head.substring(0, eol);
        if (!statusLine.startsWith("HTTP/1.")) throw protocol("status line '" + statusLine + "'");
        int sp = statusLine.indexOf(' ');
        if (sp < 0 || statusLine.length() < sp + 4) throw protocol("status line '" + statusLine + "'");
        try {
            return Integer.parseInt(statusLine.substring(sp + 1, sp + 4));
        } catch (NumberFormatException e) {
            throw protocol("status line '" + statusLine + "'");
        }
    }

    private static byte[] grow(byte[] buf, int used, int size) {
        byte[] b = new byte[size];
        System.arraycopy(buf, 0, b, 0, used);
        return b;
    }

    private static int indexOfBlankLine(byte[] b, int n) {
        for (int i = 0; i + 3 < n; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') return i;
        }
        return -1;
    }

    private static int indexOfCrlf(byte[] b, int from, int n) {
        for (int i = from; i + 1 < n; i++) if (b[i] == '\r' && b[i + 1] == '\n') return i;
        return -1;
    }

    // -------------------------------------------------------------------------------------------- query

    /** Percent-encodes a query value (RFC 3986 unreserved characters, and ',', stay as they are). */
    public static String encode(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (!plain(s.charAt(i))) {
                byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
                StringBuilder sb = new StringBuilder(bytes.length + 16);
                for (byte b : bytes) {
                    int c = b & 0xff;
                    if (plain((char) c)) {
                        sb.append((char) c);
                    } else {
                        sb.append('%').append(HEX.charAt(c >> 4)).append(HEX.charAt(c & 15));
                    }
                }
                return sb.toString();
            }
        }
        return s;
    }

    private static final String HEX = "0123456789ABCDEF";

    private static boolean plain(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '_' || c == '.' || c == '~' || c == ',';
    }
}
