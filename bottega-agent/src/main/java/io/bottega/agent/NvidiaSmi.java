package io.bottega.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.bottega.api.agent.GpuInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** GPU discovery with {@code nvidia-smi --query-gpu=index,name,memory.total,uuid --format=csv,noheader,nounits}. */
final class NvidiaSmi {
    private static final Logger log = LoggerFactory.getLogger(NvidiaSmi.class);
    static final List<String> ARGS = List.of("--query-gpu=index,name,memory.total,uuid", "--format=csv,noheader,nounits");

    private NvidiaSmi() {}

    /** The GPUs nvidia-smi reports; empty when it is not installed, fails, or finds none. */
    static List<GpuInfo> query() {
        Optional<Path> smi = Tools.which("nvidia-smi");
        if (smi.isEmpty()) return List.of();
        List<String> cmd = new ArrayList<>();
        cmd.add(smi.get().toString());
        cmd.addAll(ARGS);
        try {
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                log.warn("event=gpu_discovery_failed tool=nvidia-smi reason=timeout");
                return List.of();
            }
            if (p.exitValue() != 0) {
                log.warn("event=gpu_discovery_failed tool=nvidia-smi exit={}", p.exitValue());
                return List.of();
            }
            return parse(new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            log.warn("event=gpu_discovery_failed tool=nvidia-smi error=\"{}\"", e.getMessage());
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    /**
     * Parses the CSV: one GPU per line, {@code index, name, memory MiB, uuid}. A name that itself holds
     * commas is kept whole; a memory of {@code [N/A]} reads as 0; lines that do not parse are skipped and
     * logged.
     */
    static List<GpuInfo> parse(String csv) {
        List<GpuInfo> gpus = new ArrayList<>();
        for (String raw : csv.split("\\R")) {
            String line = raw.strip();
            if (line.isEmpty()) continue;
            String[] f = line.split(",");
            if (f.length < 4) {
                log.warn("event=gpu_line_skipped line=\"{}\"", line);
                continue;
            }
            try {
                int index = Integer.parseInt(f[0].strip());
                String uuid = f[f.length - 1].strip();
                long mem = parseMemory(f[f.length - 2].strip());
                StringBuilder name = new StringBuilder();
                for (int i = 1; i < f.length - 2; i++) {
                    if (i > 1) name.append(',');
                    name.append(f[i]);
                }
                gpus.add(new GpuInfo(index, name.toString().strip(), mem, uuid));
            } catch (NumberFormatException e) {
                log.warn("event=gpu_line_skipped line=\"{}\"", line);
            }
        }
        gpus.sort(Comparator.comparingInt(GpuInfo::index));
        return List.copyOf(gpus);
    }

    private static long parseMemory(String s) {
        String digits = s.replaceAll("(?i)\\s*mib$", "");
        try {
            return Math.max(0, Long.parseLong(digits));
        } catch (NumberFormatException e) {
            return 0;   // [N/A], [Not Supported]
        }
    }
}
