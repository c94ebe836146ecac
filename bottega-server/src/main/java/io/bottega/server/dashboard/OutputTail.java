package io.bottega.server.dashboard;

import io.bottega.api.slurm.FilenamePattern;
import io.bottega.core.model.Hostlist;
import io.bottega.server.store.JobRow;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

/**
 * Reads a job's output file on the controller's machine, for the job page's live tail. The path is the one
 * the agent writes ({@code -o}/{@code -e} with Slurm's patterns, relative to the working directory). Only a
 * regular file, not a symbolic link, owned by the job's own uid is read: the controller may run as root, and
 * a job's owner must not read, through a crafted {@code --output}, a file that is not theirs. When the file is
 * elsewhere (the job ran on a node whose disk the controller does not share) the answer says so.
 */
public final class OutputTail {
    /** The most one read returns. */
    public static final int MAX_CHUNK = 64 * 1024;

    /**
     * A piece of the file: {@code text} from {@code offset} to {@code next} (bytes); {@code size} the file's size.
     * When {@code available} is false, {@code why} says why ({@code path} may still be known).
     */
    public record Chunk(String stream, String path, boolean available, String why, long size, long offset, long next, String text) {}

    private OutputTail() {}

    /** Where the agent writes {@code stream} ("stdout" or "stderr") of this job. */
    public static String path(JobRow r, String stream) {
        boolean array = r.arrayJobId() > 0;
        String pattern = stream.equals("stderr") && !r.stderrPath().isEmpty() ? r.stderrPath()
                : r.stdoutPath().isEmpty() ? FilenamePattern.defaultOutput(array) : r.stdoutPath();
        String first = "";
        if (!r.nodeList().isEmpty()) {
            List<String> nodes = Hostlist.expand(r.nodeList());
            if (!nodes.isEmpty()) first = nodes.get(0);
        }
        String p = FilenamePattern.expand(pattern, new FilenamePattern.Values(r.id(), array ? r.arrayJobId() : 0,
                array ? r.arrayTaskId() : -1, -1, first, 0, 0, r.user(), r.name()));
        if (p.startsWith("/") || r.workDir().isEmpty()) return p;
        return Path.of(r.workDir()).resolve(p).toString();
    }

    /**
     * Reads up to {@link #MAX_CHUNK} bytes from {@code offset}; a negative offset means "the last chunk".
     * The text ends on a whole UTF-8 character ({@code next} says where to go on from).
     */
    public static Chunk read(JobRow r, String stream, long offset) {
        String p = path(r, stream);
        if (r.state().equals("PENDING") && r.startTime() == 0) {
            return new Chunk(stream, p, false, "the job has not started: no output yet", 0, 0, 0, "");
        }
        Path file = Path.of(p);
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return new Chunk(stream, p, false, "not readable on the controller's machine (" + why(e)
                    + "): the output is on the node that ran the job; read it there", 0, 0, 0, "");
        }
        if (attrs.isSymbolicLink()) return new Chunk(stream, p, false, "the output path is a symbolic link: not followed", 0, 0, 0, "");
        if (!attrs.isRegularFile()) return new Chunk(stream, p, false, "the output path is not a regular file", 0, 0, 0, "");
        try {
            Object owner = Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            if (!(owner instanceof Integer uid) || uid != r.uid()) {
                return new Chunk(stream, p, false, "the file on the controller's machine belongs to uid " + owner
                        + ", not to the job's owner (uid " + r.uid() + "): not shown", 0, 0, 0, "");
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return new Chunk(stream, p, false, "cannot tell who owns the file (" + why(e) + "): not shown", 0, 0, 0, "");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            long size = ch.size();
            long from = offset < 0 ? Math.max(0, size - MAX_CHUNK) : Math.min(offset, size);
            int len = (int) Math.min(MAX_CHUNK, size - from);
            ByteBuffer buf = ByteBuffer.allocate(len);
            while (buf.hasRemaining()) {
                int n = ch.read(buf, from + buf.position());
                if (n < 0) break;
            }
            byte[] bytes = new byte[buf.position()];
            buf.flip();
            buf.get(bytes);
            int start = 0;
            if (offset < 0 && from > 0) {
                while (start < bytes.length && (bytes[start] & 0xC0) == 0x80) start++; // a cut character at the start
            }
            int end = wholeCharacters(bytes);
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(ByteBuffer.wrap(bytes, start, Math.max(0, end - start))).toString();
            return new Chunk(stream, p, true, "", size, from + start, from + end, text);
        } catch (IOException e) {
            return new Chunk(stream, p, false, "cannot read it (" + why(e) + ")", 0, 0, 0, "");
        }
    }

    /** The length of the longest prefix that does not end inside a UTF-8 character. */
    static int wholeCharacters(byte[] b) {
        int n = b.length;
        int i = n - 1;
        int cont = 0;
        while (i >= 0 && cont < 3 && (b[i] & 0xC0) == 0x80) {
            i--;
            cont++;
        }
        if (i < 0) return n;
        int lead = b[i] & 0xFF;
        int need = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : 0;
        return need > cont ? i : n;
    }

    private static String why(Exception e) {
        if (e instanceof java.nio.file.NoSuchFileException) return "no such file";
        if (e instanceof java.nio.file.AccessDeniedException) return "permission denied";
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
