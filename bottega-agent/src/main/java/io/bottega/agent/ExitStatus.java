package io.bottega.agent;

import java.util.Map;

/**
 * How the job's first process ended, as the wrapper recorded it in the spool's {@code status} file.
 *
 * @param known      the exact wait status was read (otherwise exitCode and signal are 0)
 * @param exitCode   exit status, 0 when killed by a signal
 * @param signal     the signal that killed it, 0 when it exited
 * @param endedMs    when the wrapper saw it end (epoch millis), 0 when unknown
 * @param cpuSeconds user + system time of the process and the children it waited for; -1 unknown
 * @param lost       no status was recorded at all (the wrapper died, or the node rebooted)
 */
record ExitStatus(boolean known, int exitCode, int signal, long endedMs, double cpuSeconds, boolean lost) {
    /** Clock ticks per second of /proc/PID/stat times: USER_HZ, 100 on every Linux architecture in use. */
    static final double USER_HZ = 100.0;
    static final ExitStatus LOST = new ExitStatus(false, 0, 0, 0, -1, true);

    static ExitStatus parse(Map<String, String> kv, long fileMtimeMs) {
        boolean known = "1".equals(kv.get("known"));
        int code = (int) Procfs.parseLongOr(kv.getOrDefault("exit_code", "0"), 0);
        int sig = (int) Procfs.parseLongOr(kv.getOrDefault("signal", "0"), 0);
        long ended = Procfs.parseLongOr(kv.getOrDefault("ended_ms", ""), -1);
        if (ended < 1_000_000_000_000L) ended = fileMtimeMs;   // date without %N: use the file's time
        double cpu = -1;
        String[] t = kv.getOrDefault("ticks", "").trim().split("\\s+");
        if (t.length == 4) {
            long sum = 0;
            boolean ok = true;
            for (String x : t) {
                long v = Procfs.parseLongOr(x, -1);
                if (v < 0) ok = false;
                sum += v;
            }
            if (ok) cpu = sum / USER_HZ;
        }
        return new ExitStatus(known, known ? code : 0, known ? sig : 0, ended, cpu, false);
    }
}
