package io.bottega.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds how this machine can confine jobs, from {@code /proc/self/mountinfo} (never assuming
 * {@code /sys/fs/cgroup}): cgroup v2 when the unified hierarchy offers the memory controller (and cpuset
 * or cpu) for delegation below {@code <base>}; else cgroup v1 when a memory hierarchy is writable; else
 * none. Each candidate is tried for real (directories created, controllers enabled), and the reason a
 * candidate was passed over is kept for the log.
 */
final class CgroupDetector {
    private static final Logger log = LoggerFactory.getLogger(CgroupDetector.class);

    /** One line of mountinfo that matters here. */
    record Mount(Path mountPoint, String fsType, Set<String> superOptions) {}

    private final List<Mount> mounts;
    private final String base;
    private final String nodeName;
    private final List<String> passedOver = new ArrayList<>();

    CgroupDetector(List<Mount> mounts, String base, String nodeName) {
        this.mounts = List.copyOf(mounts);
        this.base = base;
        this.nodeName = nodeName;
    }

    static CgroupDetector forThisMachine(String base, String nodeName) {
        List<Mount> mounts;
        try {
            mounts = parseMountinfo(Files.readAllLines(Path.of("/proc/self/mountinfo")));
        } catch (IOException e) {
            mounts = List.of();
        }
        return new CgroupDetector(mounts, base, nodeName);
    }

    /** The reasons candidates were passed over, for the start-up log. */
    List<String> passedOver() {
        return List.copyOf(passedOver);
    }

    /**
     * Picks the confinement.
     *
     * @param preference {@code auto}, {@code v2}, {@code v1} or {@code none}
     * @throws IllegalStateException when a preference other than auto cannot be had
     */
    ResourceControl detect(String preference) {
        switch (preference) {
            case "none" -> {
                return new ResourceControl.None("cgroups turned off by configuration");
            }
            case "v2" -> {
                return tryV2().orElseThrow(() -> new IllegalStateException(
                        "cgroup v2 was asked for but cannot be used: " + String.join("; ", passedOver)));
            }
            case "v1" -> {
                return tryV1().orElseThrow(() -> new IllegalStateException(
                        "cgroup v1 was asked for but cannot be used: " + String.join("; ", passedOver)));
            }
            case "auto" -> {
                Optional<ResourceControl> rc = tryV2();
                if (rc.isEmpty()) rc = tryV1();
                return rc.orElseGet(() -> new ResourceControl.None(String.join("; ", passedOver)));
            }
            default -> throw new IllegalArgumentException("cgroup mode must be auto, v2, v1 or none: " + preference);
        }
    }

    Optional<ResourceControl> tryV2() {
        Optional<Mount> m = mounts.stream().filter(x -> x.fsType().equals("cgroup2")).findFirst();
        if (m.isEmpty()) {
            passedOver.add("v2: no cgroup2 mount");
            return Optional.empty();
        }
        Path root = m.get().mountPoint();
        Set<String> available = words(Procfs.read(root.resolve("cgroup.controllers")));
        if (!available.contains("memory")) {
            passedOver.add("v2: " + root + " offers no memory controller (controllers: "
                    + (available.isEmpty() ? "none" : String.join(",", available)) + ")");
            return Optional.empty();
        }
        Set<String> wanted = new LinkedHashSet<>();
        for (String c : List.of("memory", "cpu", "cpuset")) if (available.contains(c)) wanted.add(c);
        Path baseDir = root.resolve(base);
        Path nodeDir = baseDir.resolve("node-" + nodeName);
        try {
            enable(root, wanted);
            Files.createDirectories(baseDir);
            enable(baseDir, wanted);
            Files.createDirectories(nodeDir);
            enable(nodeDir, wanted);
            Set<String> got = words(Procfs.read(nodeDir.resolve("cgroup.subtree_control")));
            if (!got.contains("memory")) throw new IOException("memory not delegated to " + nodeDir);
            got.retainAll(wanted);
            return Optional.of(new ResourceControl.V2(nodeDir, got));
        } catch (IOException | RuntimeException e) {
            passedOver.add("v2: " + describe(e));
            return Optional.empty();
        }
    }

    private static void enable(Path dir, Set<String> controllers) throws IOException {
        Set<String> on = words(Procfs.read(dir.resolve("cgroup.subtree_control")));
        for (String c : controllers) {
            if (on.contains(c)) continue;
            try {
                ResourceControl.write(dir.resolve("cgroup.subtree_control"), "+" + c);
            } catch (IOException e) {
                if (c.equals("memory")) throw e;
                log.debug("event=cgroup_controller_unavailable dir={} controller={} error=\"{}\"", dir, c, e.getMessage());
            }
        }
    }

    Optional<ResourceControl> tryV1() {
        Optional<Path> memory = v1Hierarchy("memory");
        if (memory.isEmpty()) {
            passedOver.add("v1: no memory hierarchy mounted");
            return Optional.empty();
        }
        try {
            Path memNode = memory.get().resolve(base).resolve("node-" + nodeName);
            Files.createDirectories(memNode);
            if (!Files.exists(memNode.resolve("memory.limit_in_bytes"))) {
                throw new IOException(memNode + " has no memory.limit_in_bytes");
            }
            Path cpusetNode = null;
            Optional<Path> cpuset = v1Hierarchy("cpuset");
            if (cpuset.isPresent()) {
                try {
                    cpusetNode = prepareCpuset(cpuset.get());
                } catch (IOException e) {
                    passedOver.add("v1 cpuset: " + describe(e));
                }
            }
            Path cpuacctNode = null;
            Optional<Path> cpuacct = v1Hierarchy("cpuacct");
            if (cpuacct.isPresent()) {
                try {
                    cpuacctNode = cpuacct.get().resolve(base).resolve("node-" + nodeName);
                    Files.createDirectories(cpuacctNode);
                } catch (IOException e) {
                    cpuacctNode = null;
                    passedOver.add("v1 cpuacct: " + describe(e));
                }
            }
            return Optional.of(new ResourceControl.V1(memNode, cpusetNode, cpuacctNode));
        } catch (IOException | RuntimeException e) {
            passedOver.add("v1: " + describe(e));
            return Optional.empty();
        }
    }

    /** Creates base and node directories in the cpuset hierarchy, each inheriting its parent's CPUs and nodes. */
    private Path prepareCpuset(Path root) throws IOException {
        Path parent = root;
        for (Path dir : List.of(root.resolve(base), root.resolve(base).resolve("node-" + nodeName))) {
            Files.createDirectories(dir);
            if (Procfs.read(dir.resolve("cpuset.cpus")).isEmpty()) {
                ResourceControl.write(dir.resolve("cpuset.cpus"), Procfs.read(parent.resolve("cpuset.cpus")));
            }
            if (Procfs.read(dir.resolve("cpuset.mems")).isEmpty()) {
                ResourceControl.write(dir.resolve("cpuset.mems"), Procfs.read(parent.resolve("cpuset.mems")));
            }
            parent = dir;
        }
        return parent;
    }

    private Optional<Path> v1Hierarchy(String controller) {
        return mounts.stream()
                .filter(x -> x.fsType().equals("cgroup") && x.superOptions().contains(controller))
                .map(Mount::mountPoint).findFirst();
    }

    /** "permission denied: PATH" rather than a bare path (what file-system exceptions carry as message). */
    static String describe(Exception e) {
        if (e instanceof java.nio.file.AccessDeniedException) return "permission denied: " + e.getMessage();
        if (e instanceof java.nio.file.FileSystemException fse && fse.getReason() == null) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        return String.valueOf(e.getMessage());
    }

    private static Set<String> words(String s) {
        Set<String> out = new LinkedHashSet<>();
        for (String w : s.trim().split("\\s+")) if (!w.isEmpty()) out.add(w);
        return out;
    }

    /** Parses the cgroup mounts out of mountinfo lines. */
    static List<Mount> parseMountinfo(List<String> lines) {
        List<Mount> out = new ArrayList<>();
        for (String line : lines) {
            int sep = line.indexOf(" - ");
            if (sep < 0) continue;
            String[] left = line.substring(0, sep).split(" ");
            String[] right = line.substring(sep + 3).split(" ");
            if (left.length < 5 || right.length < 3) continue;
            String fs = right[0];
            if (!fs.equals("cgroup") && !fs.equals("cgroup2")) continue;
            Set<String> opts = new LinkedHashSet<>(Arrays.asList(right[2].split(",")));
            out.add(new Mount(Path.of(unescape(left[4])), fs, opts));
        }
        return out;
    }

    /** mountinfo escapes space, tab, newline and backslash as {@code \ooo}. */
    static String unescape(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()
                    && s.substring(i + 1, i + 4).chars().allMatch(d -> d >= '0' && d <= '7')) {
                sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
