package io.bottega.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.bottega.api.agent.GpuInfo;
import io.bottega.api.agent.NodeResources;

/** Finds the node's resources: CPUs, memory, GPUs, each overridable by declaration. */
final class ResourceDiscovery {
    private ResourceDiscovery() {}

    static NodeResources discover(String nodeName, DeclaredResources declared, List<Integer> hostCpus,
                                  String cgroupMode, String version) {
        int cores = declared.cores() > 0 ? declared.cores() : detectCores(hostCpus);
        long memMb = declared.memoryMb() > 0 ? declared.memoryMb() : detectMemoryMb();
        List<GpuInfo> gpus = declared.gpus() >= 0 ? declaredGpus(nodeName, declared) : NvidiaSmi.query();
        return new NodeResources(nodeName, cores, memMb, gpus, declared.features(), declared.group(), cgroupMode, version);
    }

    static int detectCores(List<Integer> hostCpus) {
        return hostCpus.isEmpty() ? Runtime.getRuntime().availableProcessors() : hostCpus.size();
    }

    static long detectMemoryMb() {
        try {
            return parseMemTotalMb(Files.readString(Path.of("/proc/meminfo")));
        } catch (IOException e) {
            return Runtime.getRuntime().maxMemory() / (1024 * 1024);
        }
    }

    /** MemTotal of /proc/meminfo in MiB; 0 when absent. */
    static long parseMemTotalMb(String meminfo) {
        for (String line : meminfo.split("\n")) {
            if (line.startsWith("MemTotal:")) {
                String[] f = line.substring(9).trim().split("\\s+");
                return Long.parseLong(f[0]) / 1024;
            }
        }
        return 0;
    }

    static List<GpuInfo> declaredGpus(String nodeName, DeclaredResources d) {
        List<GpuInfo> gpus = new ArrayList<>();
        String model = d.gpuType().isEmpty() ? "emulated" : d.gpuType();
        for (int i = 0; i < d.gpus(); i++) {
            gpus.add(new GpuInfo(i, model, d.gpuMemoryMb(), "EMU-" + nodeName + "-" + i));
        }
        return List.copyOf(gpus);
    }
}
