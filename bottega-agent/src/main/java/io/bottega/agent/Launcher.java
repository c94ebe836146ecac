package io.bottega.agent;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import io.bottega.agent.ResourceControl.JobCgroup;
import io.bottega.api.agent.GpuInfo;
import io.bottega.api.agent.LaunchRequest;
import io.bottega.api.agent.NodeResources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a job: writes its script and environment to the spool, creates its cgroups and TMPDIR, and
 * starts it through the native launcher ({@code bottega-launch.c}, one fork: see its header) when the agent
 * has one, else through the shell chain: the wrapper, whose child joins the cgroups, starts a session, drops to the job's user and execs
 * the script through the loader. The process chain, each step an exec in the same pid:
 * <pre>
 * setsid sh job-wrapper.sh JOBDIR UID GID --            (agent's user; stays outside the job)
 *   └ sh -c JOIN procs... --                           (waits for its parent to park, joins cgroups)
 *     → setsid [taskset -c CPUS] [setpriv --reuid --regid --init-groups --]
 *     → bash -c LOADER ...                             (job's user: opens files, loads environment)
 *     → env -i -- VARS... SCRIPT                       (the job)
 * </pre>
 */
final class Launcher {
    private static final Logger log = LoggerFactory.getLogger(Launcher.class);

    /** The child's first step: wait until the parking parent is `sleep`, join the cgroups, go on. */
    static final String JOIN = "n=0; while :; do c=; read -r c < /proc/$PPID/comm; [ \"$c\" = sleep ] && break; "
            + "n=$((n + 1)); if [ $n -gt 5000 ]; then echo 'bottega: the job wrapper did not start' >&2; exit 125; fi; "
            + "sleep 0.002; done; "
            + "while [ $# -gt 0 ] && [ \"$1\" != -- ]; do "
            + "echo $$ > \"$1\" || { echo \"bottega: cannot join cgroup $1\" >&2; exit 125; }; shift; done; "
            + "shift; exec \"$@\"";

    /** The key of the job's record that holds its cgroup's OOM-kill count before the job. */
    static final String OOM_BASE = "cgroup_oom_base";

    /** What a successful start leaves behind. */
    record Started(Process process, long wrapperPid, long wrapperStart, long startedAtMillis, JobCgroup cgroup,
                   Path tmpDir, int runUid, int runGid, boolean nativeLaunch) {}

    /** A start that failed; {@code nodeFault} when the node, not the job, is to blame. */
    static final class LaunchException extends Exception {
        private final boolean nodeFault;

        LaunchException(String message, boolean nodeFault, Throwable cause) {
            super(message, cause);
            this.nodeFault = nodeFault;
        }

        boolean nodeFault() {
            return nodeFault;
        }
    }

    private final AgentConfig config;
    private final NodeResources node;
    private final ResourceControl control;
    private final CpuBinding binding;
    private final Tools tools;
    private final Spool spool;
    private final boolean root;
    private final int selfUid;
    private final int selfGid;
    private final String bootId;
    private final InstantSource clock;
    private final String loader = Spool.loaderScript();
    private final Optional<LaunchServer> nativeLauncher;
    /** Emptied TMPDIRs of earlier jobs, renamed to the next job's (no inode created or deleted a job). */
    private final SpareDirs tmpSpares;

    /** @param nativeLauncher the compiled launcher's server; empty: the shell chain */
    Launcher(AgentConfig config, NodeResources node, ResourceControl control, CpuBinding binding, Tools tools,
             Spool spool, int selfUid, int selfGid, String bootId, InstantSource clock, Optional<LaunchServer> nativeLauncher) {
        this.config = config;
        this.node = node;
        this.control = control;
        this.binding = binding;
        this.tools = tools;
        this.spool = spool;
        this.root = selfUid == 0;
        this.selfUid = selfUid;
        this.selfGid = selfGid;
        this.bootId = bootId;
        this.clock = clock;
        this.nativeLauncher = nativeLauncher;
        this.tmpSpares = new SpareDirs(config.tmpBase(), Spool.SPARES);
        tmpSpares.adopt(this::emptyTmp);
    }

    /** Why this launch must not run; empty when it may. */
    String refusal(LaunchRequest r) {
        if (r.jobId() <= 0) return "job id must be positive: " + r.jobId();
        if (r.script().isBlank()) return "the batch script is empty";
        if (r.uid() < 0 || r.gid() < 0) return "uid and gid must not be negative: " + r.uid() + ":" + r.gid();
        if (r.uid() == 0 && !r.user().equals("root")) {
            return "uid 0 requested for user '" + r.user() + "': only root runs as root";
        }
        if (r.gid() == 0 && r.uid() != 0) return "gid 0 requested for user '" + r.user() + "' (uid " + r.uid() + ")";
        if (r.memoryLimitMb() < 0 || r.timeLimitSeconds() < 0 || r.killGraceSeconds() < 0) {
            return "memory, time limit and kill grace must not be negative";
        }
        for (int c : r.cpus()) {
            if (c < 0 || c >= node.cores()) return "core " + c + " does not exist on " + node.name() + " (0-" + (node.cores() - 1) + ")";
        }
        Set<Integer> gpuIds = node.gpus().stream().map(GpuInfo::index).collect(Collectors.toSet());
        for (int g : r.gpus()) {
            if (!gpuIds.contains(g)) return "GPU " + g + " does not exist on " + node.name();
        }
        if (!r.workDir().isEmpty() && !r.workDir().startsWith("/")) return "working directory must be absolute: " + r.workDir();
        return "";
    }

    /**
     * Starts the job.
     *
     * @param cancelled checked before the process starts: a job cancelled meanwhile is not started
     */
    Started start(LaunchRequest r, BooleanSupplier cancelled) throws LaunchException {
        long id = r.jobId();
        Path dir = spool.jobDir(id);
        boolean switchUser = root && r.uid() != 0;
        int runUid = root ? r.uid() : selfUid;
        int runGid = root ? r.gid() : selfGid;
        if (!root && r.uid() != selfUid) {
            log.warn("event=run_as_agent_user job={} requested_uid={} agent_uid={} reason=agent_not_root", id, r.uid(), selfUid);
        }
        Path tmp = config.tmpBase().resolve("job_" + id);
        JobCgroup cg = null;
        try {
            // script and environment, readable by the job's user only
            Path script = dir.resolve(Spool.SCRIPT);
            // a recycled job directory's script file is written again only for its own user (or the agent's)
            FileOps.writeAtomic(script, r.script().getBytes(StandardCharsets.UTF_8), "rwx------", u -> u == selfUid || u == runUid);
            if (root) FileOps.chown(script, runUid, runGid);

            prepareTmp(tmp, runUid, runGid);
            String workDir = r.workDir().isEmpty() ? "/tmp" : r.workDir();
            Map<String, String> env = JobEnvironment.build(r, node, tmp.toString(), workDir);
            Path environ = dir.resolve(Spool.ENVIRON);
            if (nativeLauncher.isEmpty()) {
                // the shell chain's loader reads it as the job's user; the native launcher gets it through its pipe
                FileOps.writeAtomic(environ, nulSeparated(env), "rw-------");
                if (root) FileOps.chown(environ, runUid, runGid);
            }

            List<Integer> hostCpus = binding.map(r.cpus());
            try {
                cg = control.create(id, control.cpuset() ? hostCpus : List.of(), r.memoryLimitMb() * 1024L * 1024L);
            } catch (IOException e) {
                throw new LaunchException("cannot create the job's cgroup: " + e.getMessage(), true, e);
            }

            if (nativeLauncher.isPresent()) {
                if (cancelled.getAsBoolean()) throw new LaunchException("cancelled before it started", false, null);
                long startedAt = clock.millis();
                // the launcher writes the job's record (pid) itself, with these lines, before the job runs
                String record = FileOps.propertiesText(pidRecord(0, 0, startedAt, runUid, runGid, tmp, cg));
                List<String> args = nativeArguments(r, dir, script, workDir, env, cg, hostCpus, switchUser, record);
                LaunchServer.Launched l = nativeLauncher.get().launch(id, args, nulSeparated(env));
                return new Started(null, l.pid(), l.startTime(), startedAt, cg, tmp, runUid, runGid, true);
            }
            List<String> cmd = command(r, dir, script, environ, workDir, env, cg, hostCpus, switchUser);
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().clear();
            pb.environment().put("PATH", Tools.SAFE_PATH);
            pb.environment().put("LC_ALL", "C");
            pb.directory(new File("/"));
            pb.redirectInput(new File("/dev/null"));
            File wlog = dir.resolve(Spool.WRAPPER_LOG).toFile();
            pb.redirectOutput(ProcessBuilder.Redirect.appendTo(wlog));
            pb.redirectError(ProcessBuilder.Redirect.appendTo(wlog));
            if (cancelled.getAsBoolean()) throw new LaunchException("cancelled before it started", false, null);
            long startedAt = clock.millis();
            Process p = pb.start();
            long pid = p.pid();
            long startTime = Procfs.stat(pid).map(Procfs.Stat::startTime).orElse(0L);
            writePid(id, pid, startTime, startedAt, runUid, runGid, tmp, cg);
            return new Started(p, pid, startTime, startedAt, cg, tmp, runUid, runGid, false);
        } catch (LaunchException e) {
            cleanupFailed(cg, tmp);
            throw e;
        } catch (IOException | RuntimeException e) {
            cleanupFailed(cg, tmp);
            throw new LaunchException("cannot start the job: " + e.getMessage(), true, e);
        }
    }

    private void writePid(long id, long pid, long startTime, long startedAt, int runUid, int runGid, Path tmp, JobCgroup cg)
            throws IOException {
        spool.write(id, Spool.PID, pidRecord(pid, startTime, startedAt, runUid, runGid, tmp, cg));
    }

    /** The lines of the job's record ({@code pid}); the native launcher writes its pid and start time itself. */
    private Map<String, String> pidRecord(long pid, long startTime, long startedAt, int runUid, int runGid, Path tmp, JobCgroup cg) {
        Map<String, String> pidFile = new LinkedHashMap<>();
        if (pid > 0) {
            pidFile.put("wrapper_pid", Long.toString(pid));
            pidFile.put("wrapper_start", Long.toString(startTime));
        }
        pidFile.put("boot_id", bootId);
        pidFile.put("started_ms", Long.toString(startedAt));
        pidFile.put("run_uid", Integer.toString(runUid));
        pidFile.put("run_gid", Integer.toString(runGid));
        pidFile.put("tmp", tmp.toString());
        pidFile.put("launcher", nativeLauncher.isPresent() ? "native" : "shell");
        // a cgroup reused from an earlier job: the OOM kills counted before this one (a restarted agent needs it)
        if (cg.oomBase() > 0) pidFile.put(OOM_BASE, Long.toString(cg.oomBase()));
        return pidFile;
    }

    private void cleanupFailed(JobCgroup cg, Path tmp) {
        if (cg != null) control.remove(cg);
        removeTmp(tmp);
    }

    /** The native launcher's arguments (described in bottega-launch.c). */
    private List<String> nativeArguments(LaunchRequest r, Path dir, Path script, String workDir, Map<String, String> env,
                                         JobCgroup cg, List<Integer> hostCpus, boolean switchUser, String record) {
        List<String> cmd = new ArrayList<>();
        cmd.add(dir.toString());
        for (Path f : cg.procsFiles()) {
            cmd.add("--cgroup");
            cmd.add(f.toString());
        }
        if (!hostCpus.isEmpty() && !control.cpuset()) {
            cmd.add("--cpus");
            cmd.add(CpuList.format(hostCpus));
        }
        if (switchUser) {
            cmd.add("--user");
            cmd.add(Integer.toString(r.uid()));
            cmd.add(Integer.toString(r.gid()));
        }
        String out = outputPath(r.stdoutPath().isEmpty() ? OutputPaths.defaultOutput(r) : r.stdoutPath(), r, workDir);
        String err = r.stderrPath().isEmpty() ? "" : outputPath(r.stderrPath(), r, workDir);
        String[] opts = {"--workdir", workDir, "--input", inputPath(r, workDir), "--output", out,
                "--error", err.equals(out) ? "" : err, "--mode", r.appendOutput() ? "append" : "truncate",
                "--umask", umask(env), "--aslimit", asLimitKb(r), "--record", record};
        cmd.addAll(List.of(opts));
        cmd.add("--");
        if (!r.script().startsWith("#!")) cmd.add(tools.sh().toString());
        cmd.add(script.toString());
        return cmd;
    }

    private static String umask(Map<String, String> env) {
        String umask = env.getOrDefault("SLURM_UMASK", "");
        return umask.matches("0?[0-7]{3}") ? umask : "0022";
    }

    /** RLIMIT_AS in KiB, "0" for none: only without a cgroup memory limit, and only when configured. */
    private String asLimitKb(LaunchRequest r) {
        boolean asLimit = config.limitAddressSpace() && !control.memoryLimit() && r.memoryLimitMb() > 0;
        return asLimit ? Long.toString(r.memoryLimitMb() * 1024L) : "0";
    }

    private List<String> command(LaunchRequest r, Path dir, Path script, Path environ, String workDir,
                                 Map<String, String> env, JobCgroup cg, List<Integer> hostCpus, boolean switchUser)
            throws LaunchException {
        List<String> cmd = new ArrayList<>();
        cmd.add(tools.setsid().toString());
        cmd.add(tools.sh().toString());
        cmd.add(spool.wrapper().toString());
        cmd.add(dir.toString());
        cmd.add(switchUser ? Integer.toString(r.uid()) : "-");
        cmd.add(switchUser ? Integer.toString(r.gid()) : "-");
        cmd.add("--");
        // the child
        cmd.add(tools.sh().toString());
        cmd.add("-c");
        cmd.add(JOIN);
        cmd.add("bottega-job-init");
        for (Path f : cg.procsFiles()) cmd.add(f.toString());
        cmd.add("--");
        cmd.add(tools.setsid().toString());
        if (!hostCpus.isEmpty() && !control.cpuset()) {
            if (tools.taskset().isPresent()) {
                cmd.add(tools.taskset().get().toString());
                cmd.add("-c");
                cmd.add(CpuList.format(hostCpus));
            } else {
                log.warn("event=cpu_binding_skipped job={} reason=\"no cpuset and no taskset\"", r.jobId());
            }
        }
        if (switchUser) {
            if (tools.setpriv().isPresent()) {
                cmd.add(tools.setpriv().get().toString());
                cmd.add("--reuid=" + r.uid());
                cmd.add("--regid=" + r.gid());
                cmd.add("--init-groups");
                cmd.add("--");
            } else if (tools.runuser().isPresent() && !r.user().isEmpty()) {
                cmd.add(tools.runuser().get().toString());
                cmd.add("-u");
                cmd.add(r.user());
                cmd.add("--");
            } else {
                throw new LaunchException("cannot switch to user " + r.user() + ": neither setpriv nor runuser found", true, null);
            }
        }
        // the loader, as the job's user
        cmd.add(tools.bash().toString());
        cmd.add("--noprofile");
        cmd.add("--norc");
        cmd.add("-c");
        cmd.add(loader);
        cmd.add("bottega-job");
        cmd.add(environ.toString());
        cmd.add(workDir);
        cmd.add(inputPath(r, workDir));
        String out = outputPath(r.stdoutPath().isEmpty() ? OutputPaths.defaultOutput(r) : r.stdoutPath(), r, workDir);
        String err = r.stderrPath().isEmpty() ? "" : outputPath(r.stderrPath(), r, workDir);
        cmd.add(out);
        cmd.add(err.equals(out) ? "" : err);
        cmd.add(r.appendOutput() ? "append" : "truncate");
        cmd.add(umask(env));
        cmd.add(asLimitKb(r));
        cmd.add(tools.env().toString());
        cmd.add(tools.envResetsSignals() ? "--default-signal" : "");
        cmd.add("--");
        if (!r.script().startsWith("#!")) cmd.add(tools.sh().toString());
        cmd.add(script.toString());
        return cmd;
    }

    private String inputPath(LaunchRequest r, String workDir) {
        return r.stdinPath().isEmpty() ? "/dev/null" : outputPath(r.stdinPath(), r, workDir);
    }

    private String outputPath(String pattern, LaunchRequest r, String workDir) {
        String p = OutputPaths.expand(pattern, r, node.name());
        return p.startsWith("/") ? p : Path.of(workDir).resolve(p).toString();
    }

    private static byte[] nulSeparated(Map<String, String> env) {
        StringBuilder sb = new StringBuilder();
        env.forEach((k, v) -> sb.append(k).append('=').append(v).append('\0'));
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The base of the per-job TMPDIRs must be a real directory of ours, not something a user prepared. */
    private void prepareTmp(Path tmp, int uid, int gid) throws IOException, LaunchException {
        Path base = config.tmpBase();
        if (base.getParent() != null) Files.createDirectories(base.getParent());
        FileOps.ensureDirectory(base, root ? "rwx--x--x" : "rwx------");
        int owner = (Integer) Files.getAttribute(base, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        if (owner != selfUid) {
            throw new LaunchException("TMPDIR base " + base + " belongs to uid " + owner + ", not to the agent", true, null);
        }
        FileOps.deleteTree(tmp);
        if (tmpSpares.take(tmp)) {
            Files.setPosixFilePermissions(tmp, FileOps.perms("rwx------"));
        } else {
            Files.createDirectory(tmp, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(FileOps.perms("rwx------")));
        }
        if (root) FileOps.chown(tmp, uid, gid);
    }

    /**
     * Removes a job's TMPDIR once the job has ended: emptied and kept for a later job when it is one of this
     * node's (its owner reset to the agent's first, so the ended job's user can no longer add anything to it),
     * else deleted.
     */
    void releaseTmp(Path tmp) {
        if (!tmp.getFileName().toString().startsWith("job_") || !config.tmpBase().equals(tmp.getParent())) {
            removeTmp(tmp);
            return;
        }
        try {
            tmpSpares.give(tmp, this::emptyTmp);
        } catch (IOException e) {
            log.warn("event=tmpdir_cleanup_failed path={} error=\"{}\"", tmp, e.getMessage());
        }
    }

    private void emptyTmp(Path spare) throws IOException {
        if (root) FileOps.chown(spare, selfUid, selfGid);
        Files.setPosixFilePermissions(spare, FileOps.perms("rwx------"));
        FileOps.deleteChildren(spare);
    }

    static void removeTmp(Path tmp) {
        try {
            FileOps.deleteTree(tmp);
        } catch (IOException e) {
            log.warn("event=tmpdir_cleanup_failed path={} error=\"{}\"", tmp, e.getMessage());
        }
    }
}
