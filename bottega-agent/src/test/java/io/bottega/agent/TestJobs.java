package io.bottega.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import io.bottega.api.agent.LaunchRequest;

/** Builders and probes shared by the agent's process tests. */
final class TestJobs {
    private static final AtomicLong NEXT_ID = new AtomicLong(1000 + (ProcessHandle.current().pid() % 1000) * 1000);

    static final boolean ROOT = Procfs.selfUid() == 0;
    /** The user jobs run as: nobody when the tests run as root, else the current user. */
    static final String USER = ROOT ? "nobody" : System.getProperty("user.name");
    static final int UID = ROOT ? 65534 : Procfs.selfUid();
    static final int GID = ROOT ? 65534 : Procfs.selfGid();

    private TestJobs() {}

    static long nextId() {
        return NEXT_ID.incrementAndGet();
    }

    /** A directory every user may write into, with searchable parents. */
    static Path sharedDir(Path tmp, String name) throws IOException {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path d = Files.createDirectories(tmp.resolve(name));
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxrwxrwx"));
        return d;
    }

    /** A launch of {@code script} as the test user, output to {@code work/%j.out}, marked for /proc scans. */
    static LaunchRequest launch(long id, Path work, String script, String mark) {
        return new LaunchRequest(id, USER, UID, GID, script, work.toString(),
                Map.of("SLURM_JOB_ID", Long.toString(id), "BOTTEGA_TEST_MARK", mark, "HOME", work.toString()),
                work.resolve("%j.out").toString(), "", "", false, List.of(), 0, List.of(), 0, 1, "test-" + id, 0, 0,
                "n1", 0);
    }

    static LaunchRequest withTimeLimit(LaunchRequest r, long seconds) {
        return new LaunchRequest(r.jobId(), r.user(), r.uid(), r.gid(), r.script(), r.workDir(), r.env(), r.stdoutPath(),
                r.stderrPath(), r.stdinPath(), r.appendOutput(), r.cpus(), r.memoryLimitMb(), r.gpus(), seconds,
                r.killGraceSeconds(), r.jobName(), r.arrayJobId(), r.arrayTaskId(), r.nodeList(), r.nodeIndex());
    }

    static LaunchRequest withMemory(LaunchRequest r, long mb) {
        return new LaunchRequest(r.jobId(), r.user(), r.uid(), r.gid(), r.script(), r.workDir(), r.env(), r.stdoutPath(),
                r.stderrPath(), r.stdinPath(), r.appendOutput(), r.cpus(), mb, r.gpus(), r.timeLimitSeconds(),
                r.killGraceSeconds(), r.jobName(), r.arrayJobId(), r.arrayTaskId(), r.nodeList(), r.nodeIndex());
    }

    static LaunchRequest withResources(LaunchRequest r, List<Integer> cpus, List<Integer> gpus) {
        return new LaunchRequest(r.jobId(), r.user(), r.uid(), r.gid(), r.script(), r.workDir(), r.env(), r.stdoutPath(),
                r.stderrPath(), r.stdinPath(), r.appendOutput(), cpus, r.memoryLimitMb(), gpus, r.timeLimitSeconds(),
                r.killGraceSeconds(), r.jobName(), r.arrayJobId(), r.arrayTaskId(), r.nodeList(), r.nodeIndex());
    }

    static LaunchRequest withUser(LaunchRequest r, String user, int uid, int gid) {
        return new LaunchRequest(r.jobId(), user, uid, gid, r.script(), r.workDir(), r.env(), r.stdoutPath(),
                r.stderrPath(), r.stdinPath(), r.appendOutput(), r.cpus(), r.memoryLimitMb(), r.gpus(), r.timeLimitSeconds(),
                r.killGraceSeconds(), r.jobName(), r.arrayJobId(), r.arrayTaskId(), r.nodeList(), r.nodeIndex());
    }

    /** Processes whose environment holds BOTTEGA_TEST_MARK=mark: the job's, wherever they went. */
    static List<Long> processesMarked(String mark) {
        byte[] needle = ("BOTTEGA_TEST_MARK=" + mark).getBytes(StandardCharsets.UTF_8);
        List<Long> found = new ArrayList<>();
        for (long pid : Procfs.allPids()) {
            try {
                byte[] env = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ"));
                if (indexOf(env, needle) >= 0 && Procfs.stat(pid).map(s -> !s.zombie()).orElse(false)) found.add(pid);
            } catch (IOException e) {
                // gone, or not ours to read
            }
        }
        return found;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            if (i + needle.length == hay.length || hay[i + needle.length] == 0) return i;
        }
        return -1;
    }

    static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8);
    }
}
