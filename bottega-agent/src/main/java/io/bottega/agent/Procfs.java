package io.bottega.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads what the agent needs from {@code /proc}. Linux only; every read tolerates vanished processes. */
final class Procfs {
    static final Path PROC = Path.of("/proc");

    private Procfs() {}

    /**
     * The fields of {@code /proc/PID/stat} the agent uses.
     *
     * @param startTime start time in clock ticks after boot (field 22): with the pid, identifies a process
     * @param rssPages  resident set in pages (field 24)
     */
    record Stat(long pid, String comm, char state, long ppid, long pgrp, long session, long startTime,
                long rssPages) {
        boolean zombie() {
            return state == 'Z' || state == 'X' || state == 'x';
        }
    }

    static Optional<Stat> stat(long pid) {
        try {
            return Optional.ofNullable(parseStat(Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"))));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Parses one {@code /proc/PID/stat} line; the command name may hold spaces and parentheses. */
    static Stat parseStat(String line) {
        int open = line.indexOf('(');
        int close = line.lastIndexOf(')');
        if (open < 0 || close < open) return null;
        long pid = Long.parseLong(line.substring(0, open).trim());
        String comm = line.substring(open + 1, close);
        String[] f = line.substring(close + 1).trim().split("\\s+");
        // f[0] is field 3 (state)
        if (f.length < 22) return null;
        return new Stat(pid, comm, f[0].charAt(0), Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]),
                Long.parseLong(f[19]), Long.parseLong(f[21]));
    }

    /** Whether the process with this pid and start time is alive (neither gone, reused nor a zombie). */
    static boolean alive(long pid, long startTime) {
        if (pid <= 0) return false;
        return stat(pid).map(s -> !s.zombie() && (startTime <= 0 || s.startTime() == startTime)).orElse(false);
    }

    static List<Long> allPids() {
        List<Long> pids = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(PROC)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (!n.isEmpty() && Character.isDigit(n.charAt(0))) {
                    try {
                        pids.add(Long.parseLong(n));
                    } catch (NumberFormatException ignored) {
                        // not a process
                    }
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        return pids;
    }

    /** Live processes whose session or process group is {@code sid} (a job started with setsid). */
    static List<Stat> inSession(long sid) {
        List<Stat> out = new ArrayList<>();
        if (sid <= 1) return out;
        for (long pid : allPids()) {
            stat(pid).ifPresent(s -> {
                if (!s.zombie() && (s.session() == sid || s.pgrp() == sid)) out.add(s);
            });
        }
        return out;
    }

    /** The kernel's host name, short (up to the first dot); "" when unknown. */
    static String hostName() {
        String h = read(PROC.resolve("sys/kernel/hostname")).strip();
        int dot = h.indexOf('.');
        return dot > 0 ? h.substring(0, dot) : h;
    }

    static String bootId() {
        try {
            return Files.readString(PROC.resolve("sys/kernel/random/boot_id"), StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            return "";
        }
    }

    /** The effective uid of this process, from {@code /proc/self/status}; -1 when unknown. */
    static int selfUid() {
        return selfId("Uid:");
    }

    /** The effective gid of this process; -1 when unknown. */
    static int selfGid() {
        return selfId("Gid:");
    }

    private static int selfId(String key) {
        try {
            for (String line : Files.readAllLines(PROC.resolve("self/status"))) {
                if (line.startsWith(key)) return Integer.parseInt(line.substring(key.length()).trim().split("\\s+")[1]);
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return -1;
    }

    /** The CPUs this process may run on ({@code Cpus_allowed_list}), empty when unknown. */
    static List<Integer> allowedCpus() {
        try {
            for (String line : Files.readAllLines(PROC.resolve("self/status"))) {
                if (line.startsWith("Cpus_allowed_list:")) return CpuList.parse(line.substring(18).trim());
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return List.of();
    }

    /** Reads a file under /proc or /sys, trimmed; empty when unreadable. */
    static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8).trim();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** The value of {@code key} in a "key value" file such as memory.events or cpu.stat; -1 when absent. */
    static long keyed(String text, String key) {
        for (String line : text.split("\n")) {
            String[] kv = line.trim().split("\\s+");
            if (kv.length == 2 && kv[0].equals(key)) {
                try {
                    return Long.parseLong(kv[1]);
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    static long parseLongOr(String s, long otherwise) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }
}
