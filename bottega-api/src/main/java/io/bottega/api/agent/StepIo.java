package io.bottega.api.agent;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The frames a node's agent and {@code srun} exchange over the connection the agent opens to srun for one
 * step ({@link StepLaunch#ioHost()}:{@link StepLaunch#ioPort()}): {@code type} (1 byte), {@code task}
 * (4 bytes, the task's rank; -1 for the whole node), {@code length} (4 bytes), then {@code length} bytes.
 * Big-endian, as {@link DataOutputStream} writes.
 *
 * <p>Agent to srun: first {@link #HELLO} (payload {@code KEY\nNODE_INDEX\nNODE_NAME\nRANK,RANK,...}); then
 * {@link #STDOUT}, {@link #STDERR}, {@link #EXIT} (payload: exit status and signal, 4 bytes each) per task,
 * {@link #ERROR} (a message about the node, e.g. the tasks could not start) and at last {@link #DONE}, after
 * which the agent closes the connection. srun to agent: {@link #STDIN} (data for a task, or -1 for every
 * task that reads srun's input), {@link #STDIN_EOF}, {@link #SIGNAL} (4 bytes: a signal number for every
 * task of the node) and {@link #WINSIZE} (rows and columns of srun's terminal, 4 bytes each, for
 * {@code --pty}). Closing the connection from srun's side ends the step's tasks on the node.
 */
public final class StepIo {
    public static final byte HELLO = 1;
    public static final byte STDOUT = 2;
    public static final byte STDERR = 3;
    public static final byte EXIT = 4;
    public static final byte ERROR = 5;
    public static final byte DONE = 6;
    public static final byte STDIN = 10;
    public static final byte STDIN_EOF = 11;
    public static final byte SIGNAL = 12;
    public static final byte WINSIZE = 13;

    /** The largest payload either side sends or accepts. */
    public static final int MAX_PAYLOAD = 1 << 20;

    private StepIo() {}

    /** One frame as read. */
    public record Frame(byte type, int task, byte[] payload) {
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** The {@code i}-th 4-byte integer of the payload. */
        public int intAt(int i) {
            int o = i * 4;
            if (payload.length < o + 4) return 0;
            return ((payload[o] & 0xff) << 24) | ((payload[o + 1] & 0xff) << 16) | ((payload[o + 2] & 0xff) << 8) | (payload[o + 3] & 0xff);
        }
    }

    /** Writes one frame (the caller serialises writers and flushes). */
    public static void write(DataOutputStream out, byte type, int task, byte[] data, int off, int len) throws IOException {
        out.writeByte(type);
        out.writeInt(task);
        out.writeInt(len);
        out.write(data, off, len);
    }

    public static void write(DataOutputStream out, byte type, int task, byte[] data) throws IOException {
        write(out, type, task, data, 0, data.length);
    }

    /** A frame whose payload is integers. */
    public static byte[] ints(int... values) {
        byte[] b = new byte[values.length * 4];
        for (int i = 0; i < values.length; i++) {
            int v = values[i];
            b[i * 4] = (byte) (v >>> 24);
            b[i * 4 + 1] = (byte) (v >>> 16);
            b[i * 4 + 2] = (byte) (v >>> 8);
            b[i * 4 + 3] = (byte) v;
        }
        return b;
    }

    /** Reads one frame; null at a clean end of the stream. */
    public static Frame read(DataInputStream in) throws IOException {
        int type = in.read();
        if (type < 0) return null;
        int task;
        int len;
        try {
            task = in.readInt();
            len = in.readInt();
        } catch (EOFException e) {
            throw new IOException("the connection ended inside a frame header", e);
        }
        if (len < 0 || len > MAX_PAYLOAD) throw new IOException("frame of " + len + " bytes (at most " + MAX_PAYLOAD + ")");
        byte[] payload = new byte[len];
        in.readFully(payload);
        return new Frame((byte) type, task, payload);
    }
}
