package io.bottega.agent;

import java.util.List;
import java.util.TreeSet;

/**
 * Maps the node's core ids (as the controller allocates them) to host CPUs. An emulated node may declare
 * more cores than the host has: then core {@code c} maps to host CPU {@code c mod n} ("modulo"), so
 * binding stays logical; with {@code enabled=false} jobs are not pinned at all.
 *
 * @param hostCpus      the CPUs the agent may use, ascending
 * @param declaredCores the cores the node reports
 * @param enabled       whether jobs are pinned to their cores
 */
record CpuBinding(List<Integer> hostCpus, int declaredCores, boolean enabled) {
    CpuBinding {
        hostCpus = List.copyOf(hostCpus);
    }

    /** {@code direct}, {@code modulo} or {@code off}. */
    String mode() {
        if (!enabled || hostCpus.isEmpty()) return "off";
        return declaredCores <= hostCpus.size() ? "direct" : "modulo";
    }

    /** The host CPUs for a job's cores; empty for no pinning (no cores given, or binding off). */
    List<Integer> map(List<Integer> jobCores) {
        if (jobCores.isEmpty() || mode().equals("off")) return List.of();
        TreeSet<Integer> out = new TreeSet<>();
        for (int c : jobCores) out.add(hostCpus.get(Math.floorMod(c, hostCpus.size())));
        return List.copyOf(out);
    }
}
