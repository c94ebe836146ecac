package io.bottega.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.bottega.api.agent.LaunchRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spool's job directories, recycled from one job to the next (no inode created or deleted a job). */
class SpoolTest {
    @TempDir
    Path tmp;

    private static Object inode(Path p) throws IOException {
        return Files.getAttribute(p, "unix:ino", LinkOption.NOFOLLOW_LINKS);
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private Spool spool() throws IOException {
        Spool s = new Spool(tmp.resolve("spool"), false);
        s.init();
        return s;
    }

    /** A job's entry as the agent and the native launcher leave it: launch, script, record with the result, kill. */
    private static void fill(Spool s, long id) throws IOException {
        s.createJobDir(id);
        s.writeLaunch(TestJobs.launch(id, Path.of("/tmp"), "#!/bin/sh\necho " + id + "\n", "m"));
        FileOps.writeAtomic(s.jobDir(id).resolve(Spool.SCRIPT), ("#!/bin/sh\necho " + id + "\n").getBytes(StandardCharsets.UTF_8), "rwx------");
        FileOps.writeAtomic(s.jobDir(id).resolve(Spool.PID), ("wrapper_pid=1\nlauncher=native\nstatus_recorded=1\noutcome={}\n")
                .getBytes(StandardCharsets.UTF_8), "rw-------");
        s.write(id, Spool.KILL, Map.of("state", "CANCELLED"));
    }

    @Test
    void deleteJob_keepsTheEmptiedDirectoryAndItsFilesForTheNextJob() throws IOException {
        Spool s = spool();
        fill(s, 1);
        Object dir = inode(s.jobDir(1));
        Object launch = inode(s.jobDir(1).resolve(Spool.LAUNCH));
        Object record = inode(s.jobDir(1).resolve(Spool.PID));

        s.deleteJob(1);

        assertThat(s.jobDir(1)).doesNotExist();
        assertThat(s.jobIds()).isEmpty();
        assertThat(s.spareDirs()).isEqualTo(1);

        s.createJobDir(2);

        Path d2 = s.jobDir(2);
        assertThat(inode(d2)).isEqualTo(dir);
        // nothing of job 1 that a restarted agent would read as job 2's
        assertThat(names(d2)).containsExactly(".launch.json.tmp", ".pid.tmp", ".script.tmp");
        assertThat(s.readLaunch(2)).isEmpty();
        assertThat(s.readOutcome(2)).isEmpty();
        assertThat(s.read(2, Spool.PID)).isEmpty();
        assertThat(s.read(2, Spool.KILL)).isEmpty();

        LaunchRequest r2 = TestJobs.launch(2, Path.of("/tmp"), "#!/bin/sh\necho 2\n", "m");
        s.writeLaunch(r2);
        assertThat(inode(d2.resolve(Spool.LAUNCH))).isEqualTo(launch);
        assertThat(s.readLaunch(2)).contains(r2);
        assertThat(Files.getPosixFilePermissions(d2.resolve(Spool.LAUNCH))).isEqualTo(FileOps.perms("rw-------"));
        // the launcher writes .pid.tmp with O_TRUNC and renames it: the same inode again
        assertThat(inode(d2.resolve(".pid.tmp"))).isEqualTo(record);
    }

    @Test
    void init_adoptsAndEmptiesTheSparesOfAnEarlierAgent() throws IOException {
        Spool first = spool();
        fill(first, 1);
        first.deleteJob(1);
        // an agent that died while emptying a spare: a file it had not removed yet
        Path spare;
        try (Stream<Path> st = Files.list(first.jobsDir())) {
            spare = st.filter(p -> p.getFileName().toString().startsWith(SpareDirs.PREFIX)).findFirst().orElseThrow();
        }
        Files.writeString(spare.resolve("outcome.json"), "{}");

        Spool second = spool();

        assertThat(second.spareDirs()).isEqualTo(1);
        assertThat(second.jobIds()).isEmpty();
        second.createJobDir(5);
        assertThat(names(second.jobDir(5))).doesNotContain("outcome.json");
        assertThat(second.readOutcome(5)).isEmpty();
        fill(second, 6);
        second.deleteJob(6);
        second.deleteJob(5);
        assertThat(second.spareDirs()).isEqualTo(2);
    }

    @Test
    void deleteJob_beyondTheSpares_deletesTheDirectory() throws IOException {
        Spool s = spool();
        for (long id = 1; id <= Spool.SPARES + 3; id++) fill(s, id);
        for (long id = 1; id <= Spool.SPARES + 3; id++) s.deleteJob(id);

        assertThat(s.spareDirs()).isEqualTo(Spool.SPARES);
        assertThat(names(s.jobsDir())).hasSize(Spool.SPARES);
    }

    @Test
    void writeAtomic_reusesATempFileOnlyWhenNothingElseLinksToIt() throws IOException {
        Path target = tmp.resolve("f");
        Path leftover = tmp.resolve(".f.tmp");
        Files.writeString(leftover, "old");
        Object ino = inode(leftover);

        FileOps.writeAtomic(target, "new".getBytes(StandardCharsets.UTF_8), "rw-------");

        assertThat(inode(target)).isEqualTo(ino);
        assertThat(Files.readString(target)).isEqualTo("new");

        // a longer leftover (a record with the earlier job's status and result appended) is cut to the new content
        Files.move(target, leftover);
        Files.writeString(leftover, "wrapper_pid=1\nstatus_recorded=1\noutcome={}\n", java.nio.file.StandardOpenOption.APPEND);
        FileOps.writeAtomic(target, "wrapper_pid=2\n".getBytes(StandardCharsets.UTF_8), "rw-------");
        assertThat(Files.readString(target)).isEqualTo("wrapper_pid=2\n");
        assertThat(inode(target)).isEqualTo(ino);

        // a temp file someone else holds a link to is replaced, never written through
        Files.writeString(leftover, "theirs");
        Path link = tmp.resolve("link");
        Files.createLink(link, leftover);
        FileOps.writeAtomic(target, "newer".getBytes(StandardCharsets.UTF_8), "rw-------");

        assertThat(Files.readString(link)).isEqualTo("theirs");
        assertThat(Files.readString(target)).isEqualTo("newer");
    }

    @Test
    void writeAtomic_tempFileOfAnOwnerNotAccepted_isReplaced() throws IOException {
        Path target = tmp.resolve("script");
        Path leftover = tmp.resolve(".script.tmp");
        Files.writeString(leftover, "old");

        // what an earlier job's process of another user could have kept open
        try (var kept = java.nio.channels.FileChannel.open(leftover, java.nio.file.StandardOpenOption.WRITE)) {
            FileOps.writeAtomic(target, "new".getBytes(StandardCharsets.UTF_8), "rwx------", uid -> false);
            kept.write(java.nio.ByteBuffer.wrap("evil".getBytes(StandardCharsets.UTF_8)), 0);
        }

        assertThat(Files.readString(target)).isEqualTo("new");
        assertThat(Files.isSymbolicLink(target)).isFalse();
    }
}
