package io.bottega.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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

    /** The cgroup directories of one job, one per hierarchy (none without cgroups). */
    record JobCgroup(long jobId, List<Path> dirs) {
        public JobCgroup {
            dirs = List.copyOf(dirs);
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
                String cpus = hostCpus.isEmpty() ? Procfs.read(cpusetNode.resolve("cpuset.cpus"))
                        : CpuList.format(hostCpus);
                write(cs.resolve("cpuset.cpus"), cpus);
                write(cs.resolve("cpuset.mems"), Procfs.read(cpusetNode.resolve("cpuset.mems")));
            }
            return new JobCgroup(jobId, dirs);
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

        @Override public void remove(JobCgroup cg) {
            for (Path d : cg.dirs()) rmdir(d);
        }

        @Override public void close() {
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
