package io.bottega.cli.slurm;

import io.bottega.api.agent.StepIo;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * srun's side of a step's I/O: listens for one connection per node of the step, checks each node's key, writes
 * the tasks' output to srun's own stdout and stderr (each line prefixed with its task's rank under
 * {@code -l}), sends srun's stdin to the tasks that read it, forwards signals, and collects every task's exit
 * status. See {@link StepIo} for the frames.
 */
final class StepSession implements AutoCloseable {
    /** How a task ended. */
    record Exit(int code, int signal, String node) {}

    private final ServerSocket server;
    private final String key;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean label;
    private final boolean raw;
    private final List<NodeConn> nodes = new ArrayList<>();
    private final Map<Integer, Exit> exits = new ConcurrentHashMap<>();
    private final Map<String, ByteArrayOutputStream> partial = new HashMap<>();
    private volatile CountDownLatch allConnected;
    private volatile CountDownLatch allDone;
    private int width = 1;
    private volatile boolean lines;
    private volatile boolean closing;
    private volatile boolean killOnBadExit;
    private volatile boolean killed;

    /** One node's connection. */
    static final class NodeConn {
        final Socket socket;
        final DataOutputStream out;
        String name = "";
        int index;
        List<Integer> ranks = List.of();

        NodeConn(Socket socket) throws IOException {
            this.socket = socket;
            this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 8192));
        }

        synchronized boolean send(byte type, int task, byte[] data, int off, int len) {
            try {
                StepIo.write(out, type, task, data, off, len);
                out.flush();
                return true;
            } catch (IOException e) {
                return false;
            }
        }
    }

    /**
     * Listens on every interface (the agents connect to the address the controller hands them), on a port of
     * the kernel's choosing.
     */
    StepSession(PrintStream out, PrintStream err, boolean label, boolean raw) throws IOException {
        this.server = new ServerSocket(0, 1024, (InetAddress) null);
        this.key = randomKey();
        this.out = out;
        this.err = err;
        this.label = label;
        this.raw = raw;
    }

    /** {@code -K}: the first task that ends badly takes the whole step down. */
    void killOnBadExit(boolean b) {
        killOnBadExit = b;
    }

    int port() {
        return server.getLocalPort();
    }

    String key() {
        return key;
    }

    private static String randomKey() throws IOException {
        byte[] b = new byte[16];
        try (InputStream in = new java.io.FileInputStream("/dev/urandom")) {
            int n = 0;
            while (n < b.length) {
                int r = in.read(b, n, b.length - n);
                if (r < 0) throw new IOException("/dev/urandom ended");
                n += r;
            }
        }
        StringBuilder sb = new StringBuilder(32);
        for (byte x : b) {
            sb.append(Character.forDigit((x >> 4) & 15, 16)).append(Character.forDigit(x & 15, 16));
        }
        return sb.toString();
    }

    /** Starts accepting the step's {@code nodeCount} nodes, whose tasks number {@code ntasks}. */
    void expect(int nodeCount, int ntasks) {
        width = Integer.toString(Math.max(0, ntasks - 1)).length();
        // several tasks: whole lines, so that tasks' lines do not interleave; one task: as it comes (prompts)
        lines = !raw && (label || ntasks > 1);
        allConnected = new CountDownLatch(nodeCount);
        allDone = new CountDownLatch(nodeCount);
        Thread t = new Thread(() -> acceptLoop(nodeCount), "srun-accept");
        t.setDaemon(true);
        t.start();
    }

    /** Accepts until every node has presented the key (a connection without it takes no node's place). */
    private void acceptLoop(int nodeCount) {
        while (allConnected.getCount() > 0 && !closing) {
            try {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                NodeConn c = new NodeConn(s);
                Thread t = new Thread(() -> readNode(c), "srun-node");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (closing) return;
            }
        }
    }

    private void readNode(NodeConn c) {
        boolean hello = false;
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(c.socket.getInputStream(), 1 << 16))) {
            c.socket.setSoTimeout(30_000);
            StepIo.Frame f = StepIo.read(in);
            if (f == null || f.type() != StepIo.HELLO) return;
            String[] parts = f.text().split("\n", -1);
            if (parts.length < 4 || !java.security.MessageDigest.isEqual(parts[0].getBytes(StandardCharsets.UTF_8),
                    key.getBytes(StandardCharsets.UTF_8))) {
                return;   // not one of ours
            }
            c.index = Integer.parseInt(parts[1]);
            c.name = parts[2];
            List<Integer> ranks = new ArrayList<>();
            for (String r : parts[3].split(",")) if (!r.isEmpty()) ranks.add(Integer.parseInt(r));
            c.ranks = ranks;
            c.socket.setSoTimeout(0);
            synchronized (nodes) {
                nodes.add(c);
                if (killed) {
                    // the step was killed (--kill-on-bad-exit: a task elsewhere failed at once; ^C three times; the
                    // allocation revoked) before this node's tasks connected: they are killed too, or they would run on
                    byte[] b = StepIo.ints(9);
                    c.send(StepIo.SIGNAL, -1, b, 0, b.length);
                }
            }
            hello = true;
            allConnected.countDown();
            while ((f = StepIo.read(in)) != null) {
                switch (f.type()) {
                    case StepIo.STDOUT -> write(out, f.task(), f.payload(), false);
                    case StepIo.STDERR -> write(err, f.task(), f.payload(), true);
                    case StepIo.EXIT -> {
                        flushPartial(f.task());
                        exits.put(f.task(), new Exit(f.intAt(0), f.intAt(1), c.name));
                        if (killOnBadExit && !killed && (f.intAt(0) != 0 || f.intAt(1) != 0)) {
                            killed = true;
                            Thread k = new Thread(() -> signal(9), "srun-kill-on-bad-exit");
                            k.setDaemon(true);
                            k.start();
                        }
                    }
                    case StepIo.ERROR -> {
                        synchronized (this) {
                            err.print(f.text());
                            err.flush();
                        }
                    }
                    case StepIo.DONE -> {
                        return;
                    }
                    default -> { }
                }
            }
        } catch (IOException | RuntimeException e) {
            // the node's connection broke: its tasks without an exit status are reported lost
        } finally {
            for (int r : c.ranks) flushPartial(r);
            try {
                c.socket.close();
            } catch (IOException e) {
                // closed
            }
            if (hello) allDone.countDown();
        }
    }

    /**
     * Output of a task: as it comes (one task, or a terminal), else line by line, behind {@code "rank: "} with
     * {@code -l}; a line longer than 64 KiB is written in pieces.
     */
    private void write(PrintStream to, int task, byte[] data, boolean isErr) {
        synchronized (this) {
            if (!lines) {
                to.write(data, 0, data.length);
                to.flush();
                return;
            }
            String k = (isErr ? "e" : "o") + task;
            ByteArrayOutputStream buf = partial.computeIfAbsent(k, x -> new ByteArrayOutputStream());
            int start = 0;
            for (int i = 0; i < data.length; i++) {
                if (data[i] == '\n') {
                    if (label) prefix(to, task);
                    to.write(buf.toByteArray(), 0, buf.size());
                    to.write(data, start, i + 1 - start);
                    buf.reset();
                    start = i + 1;
                }
            }
            if (start < data.length) buf.write(data, start, data.length - start);
            if (buf.size() > 65536) {
                if (label) prefix(to, task);
                to.write(buf.toByteArray(), 0, buf.size());
                buf.reset();
            }
            to.flush();
        }
    }

    private void prefix(PrintStream to, int task) {
        String s = Integer.toString(task);
        for (int i = s.length(); i < width; i++) to.write(' ');
        byte[] b = (s + ": ").getBytes(StandardCharsets.US_ASCII);
        to.write(b, 0, b.length);
    }

    private void flushPartial(int task) {
        if (!lines) return;
        synchronized (this) {
            for (String k : new String[] {"o" + task, "e" + task}) {
                ByteArrayOutputStream buf = partial.remove(k);
                if (buf == null || buf.size() == 0) continue;
                PrintStream to = k.charAt(0) == 'o' ? out : err;
                if (label) prefix(to, task);
                to.write(buf.toByteArray(), 0, buf.size());
                if (label) to.write('\n');
                to.flush();
            }
        }
    }

    /** Waits until every node has connected; false when {@code millis} pass first. */
    boolean awaitConnected(long millis) throws InterruptedException {
        return allConnected.await(millis, TimeUnit.MILLISECONDS);
    }

    /** Waits until every connected node is done; false when {@code millis} pass first. */
    boolean awaitDone(long millis) throws InterruptedException {
        return allDone.await(millis, TimeUnit.MILLISECONDS);
    }

    long connectedCount() {
        synchronized (nodes) {
            return nodes.size();
        }
    }

    /** Every task's exit, by rank. */
    Map<Integer, Exit> exits() {
        return new TreeMap<>(exits);
    }

    /** Sends srun's stdin to the tasks that read it ({@code all}, or one rank); EOF at the end. Blocks. */
    void pumpStdin(InputStream in, String mode) {
        List<NodeConn> targets = new ArrayList<>();
        synchronized (nodes) {
            for (NodeConn c : nodes) {
                if (mode.equals("all") || c.ranks.contains(parseRank(mode))) targets.add(c);
            }
        }
        if (targets.isEmpty()) return;
        int task = mode.equals("all") ? -1 : parseRank(mode);
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = in.read(buf)) > 0) {
                for (NodeConn c : targets) c.send(StepIo.STDIN, task, buf, 0, n);
            }
        } catch (IOException e) {
            // stdin closed
        }
        for (NodeConn c : targets) c.send(StepIo.STDIN_EOF, task, new byte[0], 0, 0);
    }

    private static int parseRank(String mode) {
        try {
            return Integer.parseInt(mode);
        } catch (NumberFormatException e) {
            return -2;
        }
    }

    /** Sends a signal to every task of the step; SIGKILL also to the nodes that connect later. */
    void signal(int sig) {
        byte[] b = StepIo.ints(sig);
        synchronized (nodes) {
            if (sig == 9) killed = true;   // a node that connects later is killed as it comes (see readNode)
            for (NodeConn c : nodes) c.send(StepIo.SIGNAL, -1, b, 0, b.length);
        }
    }

    /** Tells the nodes (task 0's, for {@code --pty}) the terminal's size. */
    void windowSize(int rows, int cols) {
        byte[] b = StepIo.ints(rows, cols);
        synchronized (nodes) {
            for (NodeConn c : nodes) c.send(StepIo.WINSIZE, 0, b, 0, b.length);
        }
    }

    @Override
    public void close() {
        closing = true;
        try {
            server.close();
        } catch (IOException e) {
            // closed
        }
        synchronized (nodes) {
            for (NodeConn c : nodes) {
                try {
                    c.socket.close();
                } catch (IOException e) {
                    // closed
                }
            }
        }
    }
}
