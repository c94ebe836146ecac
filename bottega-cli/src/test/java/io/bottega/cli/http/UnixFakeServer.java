package io.bottega.cli.http;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tiny HTTP server on a Unix socket that answers every request with the same raw bytes (status line, headers
 * and body as given), records the raw requests, and can stay silent to test timeouts. Enough for the client's
 * Unix-socket path; the real controller is Jetty.
 */
public final class UnixFakeServer implements AutoCloseable {
    private final Path path;
    private final ServerSocketChannel server;
    private final Thread thread;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private volatile byte[] answer;
    private volatile boolean silent;

    private UnixFakeServer(Path path, ServerSocketChannel server) {
        this.path = path;
        this.server = server;
        this.thread = new Thread(this::serve, "unix-fake-server");
        thread.setDaemon(true);
    }

    public static UnixFakeServer start(Path path) throws IOException {
        Files.deleteIfExists(path);
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(path));
        UnixFakeServer f = new UnixFakeServer(path, s);
        f.answerJson(200, "{}");
        f.thread.start();
        return f;
    }

    /** Answers with exactly these bytes. */
    public UnixFakeServer answerRaw(String raw) {
        this.answer = raw.getBytes(StandardCharsets.UTF_8);
        return this;
    }

    /** Answers {@code status} with a JSON body and a Content-Length. */
    public UnixFakeServer answerJson(int status, String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        return answerRaw("HTTP/1.1 " + status + " X\r\nContent-Type: application/json\r\nContent-Length: " + b.length
                + "\r\n\r\n" + body);
    }

    /** Reads requests but never answers. */
    public UnixFakeServer silent() {
        this.silent = true;
        return this;
    }

    public Path path() {
        return path;
    }

    public List<String> requests() {
        return List.copyOf(requests);
    }

    private void serve() {
        while (server.isOpen()) {
            try (SocketChannel c = server.accept()) {
                String req = readRequest(c);
                requests.add(req);
                if (silent) {
                    Thread.sleep(60_000);
                    continue;
                }
                ByteBuffer bb = ByteBuffer.wrap(answer);
                while (bb.hasRemaining()) c.write(bb);
            } catch (IOException | InterruptedException e) {
                return;
            }
        }
    }

    /** The head, and a body of Content-Length bytes. */
    private static String readRequest(SocketChannel c) throws IOException {
        ByteBuffer bb = ByteBuffer.allocate(1 << 20);
        while (true) {
            String s = new String(bb.array(), 0, bb.position(), StandardCharsets.UTF_8);
            int end = s.indexOf("\r\n\r\n");
            if (end >= 0) {
                int cl = 0;
                for (String line : s.substring(0, end).split("\r\n")) {
                    if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) cl = Integer.parseInt(line.substring(15).trim());
                }
                if (bb.position() >= end + 4 + cl) return s;
            }
            if (c.read(bb) < 0) return s;
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        thread.interrupt();
        Files.deleteIfExists(path);
    }
}
