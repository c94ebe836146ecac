package io.bottega.agent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.bottega.api.agent.JobOutcome;
import io.bottega.api.agent.LaunchRequest;

/**
 * The agent's spool. Layout:
 * <pre>
 * SPOOL/bin/job-wrapper.sh            the shell chain's wrapper (rewritten at every start)
 *          bottega-launch-HASH        the native launcher, compiled from bottega-launch.c (HASH: of its source)
 * SPOOL/jobs/ID/launch.json           the launch as received (0600)
 *              script                 the batch script (0700, owned by the job's user)
 *              environ                the job's environment, NUL-separated (0600, owned by the user; the shell
 *                                     chain only: the native launcher gets it through its pipe)
 *              pid                    the job's record: wrapper_pid, wrapper_start, boot_id, started_ms, run_uid,
 *                                     run_gid, tmp, launcher. The shell chain: written by the agent once the
 *                                     wrapper runs. The native launcher (launcher=native, the wrapper being its
 *                                     process): written by the launcher before the job runs, with job_pid and
 *                                     park_pid (its own pid) too, and the lines of `status` appended in one
 *                                     write when the job has ended, the last being status_recorded=1
 *              jobpid                 "JOB_PID PARK_PID", written by the wrapper (shell chain only)
 *              kill                   why and since when the agent is stopping the job
 *              status                 how the script ended, written by the wrapper (shell chain only)
 *              outcome.json           the result, kept until the controller acknowledges it; where the native
 *                                     launcher recorded the status in `pid`, the agent appends the result there
 *                                     instead, in one write, as an outcome=JSON line (no file created)
 *              wrapper.log            what the wrapper and the launch tools printed (launch errors); the native
 *                                     launcher creates it only when it has something to say
 * SPOOL/jobs/.spare-N/                an acknowledged job's directory, emptied, kept for a later job (see
 *                                     {@link #deleteJob}): .launch.json.tmp, .pid.tmp, .script.tmp
 * </pre>
 * The spool and job directories are 0711 when the agent is root, so a job's user can reach (only) its
 * own script and environment.
 */
final class Spool {
    static final String LAUNCH = "launch.json";
    static final String SCRIPT = "script";
    static final String ENVIRON = "environ";
    static final String PID = "pid";
    static final String JOBPID = "jobpid";
    static final String KILL = "kill";
    static final String STATUS = "status";
    /** The last line of the status the native launcher appends to the job's record ({@code pid}). */
    static final String STATUS_RECORDED = "status_recorded";
    static final String OUTCOME = "outcome.json";
    /** The key of the result appended to the job's record ({@code pid}). */
    static final String OUTCOME_KEY = "outcome";
    static final String WRAPPER_LOG = "wrapper.log";

    /** The most emptied job directories kept for the next jobs (see {@link #deleteJob}). */
    static final int SPARES = 64;
    /** The files an emptied job directory keeps, renamed to their temp names, for the next job to write again. */
    private static final List<String> KEPT = List.of(LAUNCH, PID, SCRIPT);

    private final Path root;
    private final String dirMode;
    private final SpareDirs spares;

    Spool(Path root, boolean asRoot) {
        this.root = root;
        this.dirMode = asRoot ? "rwx--x--x" : "rwx------";
        this.spares = new SpareDirs(jobsDir(), SPARES);
    }

    Path root() {
        return root;
    }

    Path jobsDir() {
        return root.resolve("jobs");
    }

    Path wrapper() {
        return root.resolve("bin").resolve("job-wrapper.sh");
    }

    Path jobDir(long jobId) {
        return jobsDir().resolve(Long.toString(jobId));
    }

    String dirMode() {
        return dirMode;
    }

    /** Creates the layout and writes the wrapper. */
    void init() throws IOException {
        Files.createDirectories(root);
        Files.setPosixFilePermissions(root, FileOps.perms(dirMode));
        FileOps.ensureDirectory(jobsDir(), dirMode);
        FileOps.ensureDirectory(root.resolve("bin"), "rwx------");
        try (InputStream in = Spool.class.getResourceAsStream("job-wrapper.sh")) {
            if (in == null) throw new IOException("job-wrapper.sh missing from the agent's jar");
            FileOps.writeAtomic(wrapper(), in.readAllBytes(), "rwx------");
        }
        spares.adopt(Spool::empty);
    }

    static String loaderScript() {
        try (InputStream in = Spool.class.getResourceAsStream("job-loader.bash")) {
            if (in == null) throw new IllegalStateException("job-loader.bash missing from the agent's jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read job-loader.bash", e);
        }
    }

    /** Ids of the job directories present. */
    List<Long> jobIds() throws IOException {
        List<Long> ids = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(jobsDir())) {
            for (Path p : ds) {
                try {
                    long id = Long.parseLong(p.getFileName().toString());
                    if (id > 0 && Files.isDirectory(p)) ids.add(id);
                } catch (NumberFormatException e) {
                    // not ours
                }
            }
        }
        ids.sort(null);
        return ids;
    }

    /** Creates the job's directory: an emptied one of an earlier job renamed, when there is one. */
    void createJobDir(long jobId) throws IOException {
        Path dir = jobDir(jobId);
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS) && spares.take(dir)) {
            Files.setPosixFilePermissions(dir, FileOps.perms(dirMode));
            return;
        }
        FileOps.ensureDirectory(dir, dirMode);
    }

    void writeLaunch(LaunchRequest r) throws IOException {
        FileOps.writeAtomic(jobDir(r.jobId()).resolve(LAUNCH), AgentJson.write(r), "rw-------");
    }

    Optional<LaunchRequest> readLaunch(long jobId) {
        try {
            return Optional.of(AgentJson.read(Files.readAllBytes(jobDir(jobId).resolve(LAUNCH)), LaunchRequest.class));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    void writeOutcome(JobOutcome o) throws IOException {
        FileOps.writeAtomic(jobDir(o.jobId()).resolve(OUTCOME), AgentJson.write(o), "rw-------");
    }

    /**
     * Appends the result to the job's record ({@code pid}, which must exist) in one write, as an
     * {@code outcome=JSON} line: the job's files get no new inode for it.
     */
    void appendOutcome(JobOutcome o) throws IOException {
        byte[] line = (OUTCOME_KEY + "=" + new String(AgentJson.write(o), StandardCharsets.UTF_8) + "\n").getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(jobDir(o.jobId()).resolve(PID), StandardOpenOption.WRITE, StandardOpenOption.APPEND,
                LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer b = ByteBuffer.wrap(line);
            while (b.hasRemaining()) ch.write(b);
        }
    }

    /**
     * The result kept for the controller: the one appended to the job's record (the record is the current
     * run's: its launcher replaced any earlier one), else outcome.json.
     */
    Optional<JobOutcome> readOutcome(long jobId) {
        Path p = jobDir(jobId).resolve(OUTCOME);
        try {
            String appended = read(jobId, PID).get(OUTCOME_KEY);
            if (appended != null) return Optional.of(AgentJson.read(appended.getBytes(StandardCharsets.UTF_8), JobOutcome.class));
            if (!Files.exists(p)) return Optional.empty();
            return Optional.of(AgentJson.read(Files.readAllBytes(p), JobOutcome.class));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    Map<String, String> read(long jobId, String file) {
        return FileOps.readProperties(jobDir(jobId).resolve(file));
    }

    void write(long jobId, String file, Map<String, String> kv) throws IOException {
        FileOps.writeProperties(jobDir(jobId).resolve(file), kv);
    }

    boolean exists(long jobId, String file) {
        return Files.exists(jobDir(jobId).resolve(file));
    }

    /** The last lines of the wrapper's log (launch errors), at most {@code max} characters. */
    String wrapperLogTail(long jobId, int max) {
        String s = Procfs.read(jobDir(jobId).resolve(WRAPPER_LOG));
        if (s.length() > max) s = "..." + s.substring(s.length() - max);
        return s.replace('\n', ' ').strip();
    }

    /**
     * Removes the job's entry: its directory is renamed away at once (the job is no longer in the spool), then
     * emptied and kept for a later job, with its launch, record and script renamed to their temp names
     * ({@code .launch.json.tmp}, ...), which the next job's writes truncate and fill again
     * ({@link FileOps#writeAtomic}; the launcher does the same with {@code .pid.tmp}): no inode is created or
     * deleted for a job once the spool has spares. Beyond {@link #SPARES} spares, the directory is deleted.
     */
    void deleteJob(long jobId) throws IOException {
        spares.give(jobDir(jobId), Spool::empty);
    }

    /** How many emptied job directories are kept. */
    int spareDirs() {
        return spares.size();
    }

    /** Empties a job directory that is a spare now, keeping {@link #KEPT} under their temp names. */
    private static void empty(Path dir) throws IOException {
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) entries.add(p);
        }
        for (Path p : entries) {
            String name = p.getFileName().toString();
            if (KEPT.contains(name) && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                Files.move(p, p.resolveSibling("." + name + ".tmp"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } else if (!(name.startsWith(".") && name.endsWith(".tmp") && KEPT.contains(name.substring(1, name.length() - 4)))) {
                FileOps.deleteTree(p);
            }
        }
    }
}
