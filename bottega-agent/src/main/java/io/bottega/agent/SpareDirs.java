package io.bottega.agent;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Emptied directories kept for the next job instead of being deleted, named {@code .spare-N} in one parent:
 * taking one is a rename, giving one back a rename, so a job costs the file system no new inode there. On an
 * ext4 file system without a journal, creating an inode scans past every inode deleted in the last minute or
 * more, so creating and deleting a few inodes a job was most of the agent's cost at hundreds of jobs a second.
 * The names start with a dot: nothing that reads the parent (the spool's job ids, a node's TMPDIRs) takes them
 * for a job's. Thread-safe.
 */
final class SpareDirs {
    static final String PREFIX = ".spare-";

    /** What is done to a directory once it is a spare, before it is offered again (empty it, reset its owner). */
    interface Cleaner {
        void clean(Path spare) throws IOException;
    }

    private final Path parent;
    private final int max;
    private final ConcurrentLinkedDeque<Path> free = new ConcurrentLinkedDeque<>();
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicLong next = new AtomicLong();

    /** @param max the most spares kept; a directory given back beyond that is deleted */
    SpareDirs(Path parent, int max) {
        if (max < 0) throw new IllegalArgumentException("max must not be negative");
        this.parent = parent;
        this.max = max;
    }

    /** Takes over the spares an earlier agent left in the parent, cleaning each again (it may have died while cleaning). */
    void adopt(Cleaner cleaner) {
        long highest = -1;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(parent, PREFIX + "*")) {
            for (Path p : ds) {
                long n = Procfs.parseLongOr(p.getFileName().toString().substring(PREFIX.length()), -1);
                if (n < 0 || !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) continue;
                highest = Math.max(highest, n);
                if (size.get() >= max || !cleaned(p, cleaner)) {
                    FileOps.deleteTree(p);
                    continue;
                }
                free.add(p);
                size.incrementAndGet();
            }
        } catch (IOException e) {
            // none to adopt
        }
        final long h = highest;
        next.updateAndGet(v -> Math.max(v, h + 1));
    }

    /** How many spares are kept now. */
    int size() {
        return size.get();
    }

    /**
     * Renames a spare to {@code target}, which must not exist; false when there is no spare (the caller creates
     * the directory then).
     */
    boolean take(Path target) {
        for (Path p; (p = free.poll()) != null; ) {
            size.decrementAndGet();
            try {
                Files.move(p, target, StandardCopyOption.ATOMIC_MOVE);
                return true;
            } catch (IOException e) {
                try {
                    FileOps.deleteTree(p);
                } catch (IOException ignored) {
                    // left for the next agent's adopt
                }
            }
        }
        return false;
    }

    /**
     * Gives {@code dir} back: renamed to a spare name first (so it is no longer where it was, at once), then
     * cleaned; deleted instead when enough spares are kept or when it cannot be renamed or cleaned.
     */
    void give(Path dir, Cleaner cleaner) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            FileOps.deleteTree(dir);
            return;
        }
        if (size.incrementAndGet() > max) {
            size.decrementAndGet();
            FileOps.deleteTree(dir);
            return;
        }
        Path spare = parent.resolve(PREFIX + next.getAndIncrement());
        try {
            Files.move(dir, spare, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            size.decrementAndGet();
            FileOps.deleteTree(dir);
            return;
        }
        if (!cleaned(spare, cleaner)) {
            size.decrementAndGet();
            FileOps.deleteTree(spare);
            return;
        }
        free.add(spare);
    }

    private static boolean cleaned(Path spare, Cleaner cleaner) {
        try {
            cleaner.clean(spare);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
