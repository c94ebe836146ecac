package io.bottega.agent;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Sends signals to processes and process groups with the system {@code kill} (Java can send only TERM/KILL). */
final class Signals {
    static final int SIGKILL = 9;
    static final int SIGTERM = 15;
    static final int SIGCONT = 18;

    private static final Logger log = LoggerFactory.getLogger(Signals.class);
    private final Path kill;

    Signals(Path kill) {
        this.kill = kill;
    }

    /**
     * Sends {@code signal} to each pid, and to each process group in {@code groups}. Missing processes are
     * not an error.
     */
    void send(int signal, Collection<Long> pids, Collection<Long> groups) {
        if (signal <= 0 || (pids.isEmpty() && groups.isEmpty())) return;
        List<String> cmd = new ArrayList<>();
        cmd.add(kill.toString());
        cmd.add("-" + signal);
        cmd.add("--");
        for (long p : pids) if (p > 1) cmd.add(Long.toString(p));
        for (long g : groups) if (g > 1) cmd.add("-" + g);
        if (cmd.size() == 3) return;
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                log.warn("event=kill_slow signal={} targets={}", signal, cmd.size() - 3);
            }
        } catch (IOException e) {
            log.warn("event=kill_failed signal={} error=\"{}\"", signal, e.getMessage());
            if (signal == SIGKILL || signal == SIGTERM) {
                for (long p : pids) ProcessHandle.of(p).ifPresent(h -> {
                    if (signal == SIGKILL) h.destroyForcibly(); else h.destroy();
                });
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
