package io.bottega.agent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.IntPredicate;

/** File helpers for the spool: atomic writes with explicit modes, key=value files, race-safe deletion. */
final class FileOps {
    private FileOps() {}

    static Set<PosixFilePermission> perms(String rwx) {
        return PosixFilePermissions.fromString(rwx);
    }

    /** Writes {@code data} to {@code target} atomically (temp file + rename) with the given mode. */
    static void writeAtomic(Path target, byte[] data, String rwx) throws IOException {
        writeAtomic(target, data, rwx, uid -> uid == SELF_UID);
    }

    private static final int SELF_UID = Procfs.selfUid();

    /**
     * Writes {@code data} to {@code target} atomically (temp file + rename) with the given mode. A temp file
     * already there ({@code .NAME.tmp}: a recycled job directory keeps its files under those names, see
     * {@link Spool#deleteJob}) is truncated and written again rather than replaced by a new inode, when it is a
     * plain file with no other link and its owner is one {@code reusableOwner} accepts: only its owner (or root)
     * can have kept it open, so only a file of the agent's or of the same user may be reused.
     */
    static void writeAtomic(Path target, byte[] data, String rwx, IntPredicate reusableOwner) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        if (!reusable(tmp, reusableOwner)) {
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(perms(rwx)));
        }
        // written from the start, then cut to its length: never truncated to zero first, which makes ext4 (its
        // auto_da_alloc) write the file's blocks out when it is closed, an I/O a job for each such file
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer b = ByteBuffer.wrap(data);
            while (b.hasRemaining()) ch.write(b, b.position());
            ch.truncate(data.length);
        }
        Files.setPosixFilePermissions(tmp, perms(rwx));
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static boolean reusable(Path tmp, IntPredicate reusableOwner) {
        try {
            Map<String, Object> a = Files.readAttributes(tmp, "unix:mode,uid,nlink", LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) a.get("mode");
            return (mode & 0170000) == 0100000 && (Integer) a.get("nlink") == 1 && reusableOwner.test((Integer) a.get("uid"));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    static void writeProperties(Path target, Map<String, String> kv) throws IOException {
        writeAtomic(target, propertiesText(kv).getBytes(StandardCharsets.UTF_8), "rw-------");
    }

    /** key=value lines, as {@link #readProperties} reads them (a value's newlines become spaces). */
    static String propertiesText(Map<String, String> kv) {
        StringBuilder sb = new StringBuilder();
        kv.forEach((k, v) -> sb.append(k).append('=').append(v.replace('\n', ' ')).append('\n'));
        return sb.toString();
    }

    /** Reads a key=value file; empty when absent or unreadable. */
    static Map<String, String> readProperties(Path file) {
        Map<String, String> kv = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                int eq = line.indexOf('=');
                if (eq > 0) kv.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
        return kv;
    }

    static void chown(Path p, int uid, int gid) throws IOException {
        Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
    }

    /** Creates a directory with this mode, or checks an existing one is a real directory (not a link). */
    static void ensureDirectory(Path dir, String rwx) throws IOException {
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(perms(rwx)));
        } catch (FileAlreadyExistsException e) {
            BasicFileAttributes a = Files.readAttributes(dir, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isDirectory()) throw new IOException(dir + " exists and is not a directory");
        }
        Files.setPosixFilePermissions(dir, perms(rwx));
    }

    /**
     * Deletes a directory tree without following symbolic links, relative to open directory handles, so a
     * user who owns files inside cannot redirect the deletion elsewhere by swapping a directory for a link.
     */
    static void deleteTree(Path dir) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(dir, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return;
        }
        if (!a.isDirectory()) {
            Files.deleteIfExists(dir);
            return;
        }
        Path parent = dir.toAbsolutePath().getParent();
        try (DirectoryStream<Path> ps = Files.newDirectoryStream(parent)) {
            if (ps instanceof SecureDirectoryStream<Path> sds) {
                deleteIn(sds, dir.getFileName());
                return;
            }
        }
        deleteUnsafe(dir);
    }

    /** Deletes what {@code dir} holds (not {@code dir}), without following symbolic links, as {@link #deleteTree}. */
    static void deleteChildren(Path dir) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            if (ds instanceof SecureDirectoryStream<Path> sds) {
                for (Path entry : sds) deleteIn(sds, entry.getFileName());
                return;
            }
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) deleteTree(p);
        }
    }

    private static void deleteIn(SecureDirectoryStream<Path> parent, Path name) throws IOException {
        BasicFileAttributes a;
        try {
            a = parent.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .readAttributes();
        } catch (NoSuchFileException e) {
            return;
        }
        if (a.isDirectory()) {
            try (SecureDirectoryStream<Path> child = parent.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
                for (Path entry : child) deleteIn(child, entry.getFileName());
            } catch (NoSuchFileException e) {
                return;
            }
            try {
                parent.deleteDirectory(name);
            } catch (NoSuchFileException e) {
                // gone already
            }
        } else {
            try {
                parent.deleteFile(name);
            } catch (NoSuchFileException e) {
                // gone already
            }
        }
    }

    private static void deleteUnsafe(Path dir) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) deleteUnsafe(p);
                else Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(dir);
    }
}
