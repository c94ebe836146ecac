package io.bottega.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.bottega.api.agent.AgentProtocol;

/**
 * How the agent confines jobs: cgroup v2, cgroup v1 hierarchies, or nothing (process sessions, CPU
 * affinity, polled memory). One instance per agent; its cgroups live under
 * {@code <mount>/<base>/node-<name>/job_<id>}, so agents of several emulated nodes on one host never share
 * a cgroup.
 */
sealed interface ResourceControl permits ResourceControl.V2, ResourceControl.V1, ResourceControl.None {

    /** {@code v2}, {@code v1} or {@code none}. */
    String mode();

    /** For the start-up log: paths and controllers. */
    String describe();

    /** Whether a job's CPUs are confined by a cpuset (otherwise the launcher uses CPU affinity). */
    boolean cpuset();

    /** Whether the kernel enforces the memory limit (otherwise the supervisor polls RSS). */
    boolean memoryLimit();

    /** Creates the job's cgroups with its limits. {@code hostCpus} empty: no pinning. */
    default JobCgroup create(long jobId, List<Integer> hostCpus, long memoryBytes) throws IOException {
        return create(jobDirName(jobId), jobId, hostCpus, memoryBytes);
    }

    /** Creates cgroups named {@code name} (a job step's: {@code step_JOB.STEP}) under the node's, with limits. */
    JobCgroup create(String name, long id, List<Integer> hostCpus, long memoryBytes) throws IOException;

    /** The cgroups named {@code name} under the node's, created earlier (possibly by a previous agent process). */
    JobCgroup existing(String name, long id);

    /** The names of the node's cgroups that start with {@code prefix} (left over by an agent that died). */
    default List<String> names(String prefix) {
        return List.of();
    }

    /** The cgroups of a job created earlier (possibly by a previous agent process). */
    default JobCgroup existing(long jobId) {
        return existing(jobDirName(jobId), jobId);
    }

    /** The job's live processes; {@code sessionId} is the job's session (its first process), 0 if unknown. */
    Set<Long> pids(JobCgroup cg, long sessionId);

    /** SIGKILL to every process of the job, where the kernel can do it in one step; false if it cannot. */
    default boolean killAll(JobCgroup cg) {
        return false;
    }

    Usage usage(JobCgroup cg);

    /** Removes the job's cgroups (they must be empty). */
    void remove(JobCgroup cg);

    /** Removes the node's cgroup if it has no jobs left. */
    void close();

    /** Removes the emptied job cgroups an earlier agent kept for reuse (at start). */
    default void dropSpares() {}

    /** The prefix of the emptied job cgroups kept for the next jobs. */
    String SPARE_PREFIX = "spare_";
    /** The most emptied job cgroups kept a node. */
    int SPARES = 64;

    /**
     * The cgroup directories of one job, one per hierarchy (none without cgroups).
     *
     * @param oomBase the OOM-kill count the cgroup had before the job (a cgroup reused from an earlier job: the
     *                kernel's counter cannot be reset), subtracted from what {@link #usage} reads
     */
    record JobCgroup(long jobId, List<Path> dirs, long oomBase) {
        public JobCgroup {
            dirs = List.copyOf(dirs);
        }

        JobCgroup(long jobId, List<Path> dirs) {
            this(jobId, dirs, 0);
        }

        JobCgroup withOomBase(long base) {
            return new JobCgroup(jobId, dirs, base);
        }

        /** The files a process writes its own pid to, to join all of the job's cgroups. */
        List<Path> procsFiles() {
            return dirs.stream().map(d -> d.resolve("cgroup.procs")).toList();
        }
    }

    /**
     * What the kernel accounted for a job.
     *
     * @param oomKills    processes killed by the OOM killer in the job's cgroup; -1 unknown
     * @param memFailures times the memory limit was hit (v1 failcnt); -1 unknown
     * @param peakBytes   peak memory (page cache included); -1 unknown
     * @param cpuSeconds  CPU time; -1 unknown
     */
    record Usage(long oomKills, long memFailures, long peakBytes, double cpuSeconds) {
        static final Usage UNKNOWN = new Usage(-1, -1, -1, -1);
    }

    // ------------------------------------------------------------------------------------------------

    static Set<Long> readPids(Path procs) {
        Set<Long> pids = new LinkedHashSet<>();
        String text = Procfs.read(procs);
        if (text.isEmpty()) return pids;
        for (String line : text.split("\n")) {
            long p = Procfs.parseLongOr(line, -1);
            if (p > 0) pids.add(p);
        }
        return pids;
    }

    static void write(Path file, String value) throws IOException {
        try {
            Files.writeString(file, value, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IOException("cannot write '" + value + "' to " + file + ": " + e.getMessage(), e);
        }
    }

    static void rmdir(Path dir) {
        rmdir(dir, 20);
    }

    /** Removes an empty cgroup directory, retrying while the kernel still counts exiting processes. */
    static void rmdir(Path dir, int attempts) {
        for (int i = 0; i < attempts; i++) {
            try {
                Files.deleteIfExists(dir);
                return;
            } catch (NoSuchFileException e) {
                return;
            } catch (IOException e) {
                // EBUSY while the last processes are being reaped: try again shortly
                try {
                    Thread.sleep(10);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    static String jobDirName(long jobId) {
        return "job_" + jobId;
    }

    /** Subdirectories of {@code dir} whose names start with {@code prefix}. */
    static List<String> childNames(Path dir, String prefix) {
        List<String> out = new ArrayList<>();
        if (dir == null) return out;
        try (var ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (n.startsWith(prefix) && Files.isDirectory(p)) out.add(n);
            }
        } catch (IOException e) {
            // none
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------

    /** The unified hierarchy: {@code <mount>/<base>/node-<name>} with memory, cpu and cpuset delegated. */
    final class V2 implements ResourceControl {
        private final Path nodeDir;
        private final Set<String> controllers;

        V2(Path nodeDir, Set<String> controllers) {
            this.nodeDir = nodeDir;
            this.controllers = Set.copyOf(controllers);
        }

        Path nodeDir() {
            return nodeDir;
        }

        @Override public String mode() {
            return AgentProtocol.CGROUP_V2;
        }

        @Override public String describe() {
            return "path=" + nodeDir + " controllers=" + String.join(",", new java.util.TreeSet<>(controllers));
        }

        @Override public boolean cpuset() {
            return controllers.contains("cpuset");
        }

        @Override public boolean memoryLimit() {
            return true;
        }

        @Override public JobCgroup create(String name, long jobId, List<Integer> hostCpus, long memoryBytes) throws IOException {
            Path dir = nodeDir.resolve(name);
            Files.createDirectories(dir);
            if (memoryBytes > 0) {
                write(dir.resolve("memory.max"), Long.toString(memoryBytes));
                if (Files.exists(dir.resolve("memory.swap.max"))) write(dir.resolve("memory.swap.max"), "0");
            }
            if (!hostCpus.isEmpty() && cpuset()) write(dir.resolve("cpuset.cpus"), CpuList.format(hostCpus));
            return new JobCgroup(jobId, List.of(dir));
        }

        @Override public JobCgroup existing(String name, long jobId) {
            return new JobCgroup(jobId, List.of(nodeDir.resolve(name)));
        }

        @Override public List<String> names(String prefix) {
            return childNames(nodeDir, prefix);
        }

        @Override public Set<Long> pids(JobCgroup cg, long sessionId) {
            Set<Long> pids = new LinkedHashSet<>();
            for (Path d : cg.dirs()) pids.addAll(readPids(d.resolve("cgroup.procs")));
            return pids;
        }

        @Override public boolean killAll(JobCgroup cg) {
            boolean done = false;
            for (Path d : cg.dirs()) {
                Path kill = d.resolve("cgroup.kill");
                if (Files.exists(kill)) {
                    try {
                        write(kill, "1");
                        done = true;
                    } catch (IOException e) {
                        return false;
                    }
                }
            }
            return done;
        }

        @Override public Usage usage(JobCgroup cg) {
            if (cg.dirs().isEmpty()) return Usage.UNKNOWN;
            Path d = cg.dirs().getFirst();
            long oom = Procfs.keyed(Procfs.read(d.resolve("memory.events")), "oom_kill");
            long max = Procfs.keyed(Procfs.read(d.resolve("memory.events")), "max");
            long peak = Procfs.parseLongOr(Procfs.read(d.resolve("memory.peak")), -1);
            long usec = Procfs.keyed(Procfs.read(d.resolve("cpu.stat")), "usage_usec");
            return new Usage(oom, max, peak, usec < 0 ? -1 : usec / 1e6);
        }

        @Override public void remove(JobCgroup cg) {
            for (Path d : cg.dirs()) rmdir(d);
        }

        @Override public void close() {
            rmdir(nodeDir, 1);
        }
    }

    /** Cgroup v1: a job directory in each of the memory (required), cpuset and cpuacct hierarchies. */
    final class V1 implements ResourceControl {
        private final Path memoryNode;
        private final Path cpusetNode;   // null: no cpuset hierarchy
        private final Path cpuacctNode;  // null: no cpuacct hierarchy
        private volatile Boolean parentBalances;
        private final java.util.concurrent.ConcurrentLinkedDeque<String> spares = new java.util.concurrent.ConcurrentLinkedDeque<>();
        private final java.util.concurrent.atomic.AtomicLong nextSpare = new java.util.concurrent.atomic.AtomicLong();

        V1(Path memoryNode, Path cpusetNode, Path cpuacctNode) {
            this.memoryNode = memoryNode;
            this.cpusetNode = cpusetNode;
            this.cpuacctNode = cpuacctNode;
        }

        @Override public String mode() {
            return AgentProtocol.CGROUP_V1;
        }

        @Override public String describe() {
            return "path=" + memoryNode + " cpuset=" + (cpusetNode == null ? "none" : cpusetNode)
                    + " cpuacct=" + (cpuacctNode == null ? "none" : cpuacctNode);
        }

        @Override public boolean cpuset() {
            return cpusetNode != null;
        }

        @Override public boolean memoryLimit() {
            return true;
        }

        private List<Path> dirs(String name) {
            List<Path> dirs = new ArrayList<>();
            dirs.add(memoryNode.resolve(name));
            if (cpusetNode != null) dirs.add(cpusetNode.resolve(name));
            if (cpuacctNode != null && !cpuacctNode.equals(cpusetNode) && !cpuacctNode.equals(memoryNode)) {
                dirs.add(cpuacctNode.resolve(name));
            }
            return dirs;
        }

        /**
         * A job's cgroups: an emptied job's renamed (one rename a hierarchy instead of a mkdir, and later no rmdir,
         * which is most of what cgroups cost a job), with its counters reset (the CPU time, the memory peak and
         * failure counts; the OOM-kill count, which cannot be reset, becomes the job's baseline), else new ones.
         * Limits are written either way.
         */
        @Override public JobCgroup create(long jobId, List<Integer> hostCpus, long memoryBytes) throws IOException {
            String name = jobDirName(jobId);
            for (String spare; (spare = spares.poll()) != null; ) {
                List<Path> from = dirs(spare);
                List<Path> to = dirs(name);
                try {
                    for (int i = 0; i < from.size(); i++) Files.move(from.get(i), to.get(i), StandardCopyOption.ATOMIC_MOVE);
                    Path mem = to.getFirst();
                    write(mem.resolve("memory.max_usage_in_bytes"), "0");
                    write(mem.resolve("memory.failcnt"), "0");
                    resetIfPresent(mem.resolve("memory.memsw.max_usage_in_bytes"));
                    resetIfPresent(mem.resolve("memory.memsw.failcnt"));
                    if (cpuacctDir(mem) != null) write(cpuacctDir(mem).resolve("cpuacct.usage"), "0");
                    long oomBase = Math.max(0, Procfs.keyed(Procfs.read(mem.resolve("memory.oom_control")), "oom_kill"));
                    // a larger limit than the last job's must not fall below memsw's
                    Path memsw = mem.resolve("memory.memsw.limit_in_bytes");
                    if (Files.exists(memsw)) write(memsw, "-1");
                    write(mem.resolve("memory.limit_in_bytes"), "-1");
                    return create(name, jobId, hostCpus, memoryBytes).withOomBase(oomBase);
                } catch (IOException e) {
                    // not usable (an earlier agent's, half renamed?): remove what is there and try the next
                    for (Path d : from) rmdir(d, 1);
                    for (Path d : to) rmdir(d, 1);
                }
            }
            return create(name, jobId, hostCpus, memoryBytes);
        }

        private static void resetIfPresent(Path counter) throws IOException {
            if (Files.exists(counter)) write(counter, "0");
        }

        /** The cpuacct directory of the cgroup whose memory directory is {@code mem}, null without cpuacct. */
        private Path cpuacctDir(Path mem) {
            return cpuacctNode == null ? null : cpuacctNode.resolve(mem.getFileName().toString());
        }

        @Override public JobCgroup create(String name, long jobId, List<Integer> hostCpus, long memoryBytes) throws IOException {
            List<Path> dirs = dirs(name);
            for (Path d : dirs) Files.createDirectories(d);
            Path mem = dirs.getFirst();
            if (memoryBytes > 0) {
                write(mem.resolve("memory.limit_in_bytes"), Long.toString(memoryBytes));
                Path memsw = mem.resolve("memory.memsw.limit_in_bytes");
                if (Files.exists(memsw)) write(memsw, Long.toString(memoryBytes));   // no swap for the job
                else if (Files.exists(mem.resolve("memory.swappiness"))) {
                    try {
                        write(mem.resolve("memory.swappiness"), "0");
                    } catch (IOException e) {
                        // best effort where swap accounting is off
                    }
                }
            }
            if (cpusetNode != null) {
                Path cs = cpusetNode.resolve(name);
                if (parentBalances()) {
                    // the node's cpuset already balances over all its CPUs (the kernel skips the descendants of a
                    // balancing cpuset when it builds scheduling domains), so the job's own flag changes nothing but
                    // makes the kernel rebuild every scheduling domain when its CPUs are set and when it is removed;
                    // set before its CPUs are, it costs no rebuild
                    Path flag = cs.resolve("cpuset.sched_load_balance");
                    if (Files.exists(flag)) write(flag, "0");
                }
                String cpus = hostCpus.isEmpty() ? Procfs.read(cpusetNode.resolve("cpuset.cpus"))
                        : CpuList.format(hostCpus);
                write(cs.resolve("cpuset.cpus"), cpus);
                write(cs.resolve("cpuset.mems"), Procfs.read(cpusetNode.resolve("cpuset.mems")));
            }
            return new JobCgroup(jobId, dirs);
        }

        /** Whether the node's cpuset has {@code cpuset.sched_load_balance} set (read once). */
        private boolean parentBalances() {
            Boolean b = parentBalances;
            if (b == null) {
                b = Procfs.read(cpusetNode.resolve("cpuset.sched_load_balance")).strip().equals("1");
                parentBalances = b;
            }
            return b;
        }

        @Override public JobCgroup existing(String name, long jobId) {
            return new JobCgroup(jobId, dirs(name));
        }

        @Override public List<String> names(String prefix) {
            return childNames(memoryNode, prefix);
        }

        @Override public Set<Long> pids(JobCgroup cg, long sessionId) {
            Set<Long> pids = new LinkedHashSet<>();
            for (Path d : cg.dirs()) pids.addAll(readPids(d.resolve("cgroup.procs")));
            return pids;
        }

        @Override public Usage usage(JobCgroup cg) {
            if (cg.dirs().isEmpty()) return Usage.UNKNOWN;
            Path mem = cg.dirs().getFirst();
            long oom = Procfs.keyed(Procfs.read(mem.resolve("memory.oom_control")), "oom_kill");
            if (oom >= 0) oom = Math.max(0, oom - cg.oomBase());
            long fail = Procfs.parseLongOr(Procfs.read(mem.resolve("memory.failcnt")), -1);
            long failSw = Procfs.parseLongOr(Procfs.read(mem.resolve("memory.memsw.failcnt")), -1);
            long peak = Procfs.parseLongOr(Procfs.read(mem.resolve("memory.max_usage_in_bytes")), -1);
            double cpu = -1;
            if (cpuacctNode != null) {
                long ns = Procfs.parseLongOr(Procfs.read(cpuacctNode.resolve(mem.getFileName().toString())
                        .resolve("cpuacct.usage")), -1);
                if (ns >= 0) cpu = ns / 1e9;
            }
            return new Usage(oom, Math.max(fail, failSw), peak, cpu);
        }

        /** An emptied job's cgroups are kept for the next job (renamed {@code spare_N}) while fewer than {@link #SPARES} are. */
        @Override public void remove(JobCgroup cg) {
            List<Path> dirs = cg.dirs();
            if (!dirs.isEmpty() && dirs.getFirst().getFileName().toString().startsWith("job_") && spares.size() < SPARES
                    && dirs.stream().allMatch(d -> readPids(d.resolve("cgroup.procs")).isEmpty())) {
                String spare = SPARE_PREFIX + nextSpare.getAndIncrement();
                List<Path> to = dirs(spare);
                int moved = 0;
                try {
                    for (; moved < dirs.size(); moved++) Files.move(dirs.get(moved), to.get(moved), StandardCopyOption.ATOMIC_MOVE);
                    spares.add(spare);
                    return;
                } catch (IOException e) {
                    for (int i = 0; i < moved; i++) rmdir(to.get(i));
                }
            }
            for (Path d : dirs) rmdir(d);
        }

        @Override public void dropSpares() {
            spares.clear();
            for (String n : childNames(memoryNode, SPARE_PREFIX)) {
                for (Path d : dirs(n)) rmdir(d, 1);
            }
            // a spare half renamed when an agent died may be in the other hierarchies only
            for (Path node : java.util.Arrays.asList(cpusetNode, cpuacctNode)) {
                for (String n : childNames(node, SPARE_PREFIX)) rmdir(node.resolve(n), 1);
            }
        }

        @Override public void close() {
            dropSpares();
            rmdir(memoryNode, 1);
            if (cpusetNode != null) rmdir(cpusetNode, 1);
            if (cpuacctNode != null) rmdir(cpuacctNode, 1);
        }
    }

    /** No usable cgroups: jobs are tracked by session, pinned with CPU affinity, memory polled. */
    final class None implements ResourceControl {
        private final String reason;

        None(String reason) {
            this.reason = reason;
        }

        @Override public String mode() {
            return AgentProtocol.CGROUP_NONE;
        }

        @Override public String describe() {
            return "reason=\"" + reason + "\" tracking=session memory=polled-rss cpus=affinity";
        }

        @Override public boolean cpuset() {
            return false;
        }

        @Override public boolean memoryLimit() {
            return false;
        }

        @Override public JobCgroup create(String name, long jobId, List<Integer> hostCpus, long memoryBytes) {
            return new JobCgroup(jobId, List.of());
        }

        @Override public JobCgroup existing(String name, long jobId) {
            return new JobCgroup(jobId, List.of());
        }

        @Override public Set<Long> pids(JobCgroup cg, long sessionId) {
            Set<Long> pids = new LinkedHashSet<>();
            for (Procfs.Stat s : Procfs.inSession(sessionId)) pids.add(s.pid());
            return pids;
        }

        @Override public Usage usage(JobCgroup cg) {
            return Usage.UNKNOWN;
        }

        @Override public void remove(JobCgroup cg) {}

        @Override public void close() {}
    }
}
