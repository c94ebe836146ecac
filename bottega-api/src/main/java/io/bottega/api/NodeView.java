package io.bottega.api;

import java.util.List;

/**
 * One node as the controller shows it to {@code sinfo}, the CLI and the dashboard.
 *
 * @param state      Slurm's compact state as {@code sinfo %t} prints it: {@code idle}, {@code mix}, {@code alloc},
 *                   {@code drain}, {@code drng}, {@code down}, ... with Slurm's suffixes ({@code *} not responding)
 * @param reason     why the node is down or drained; "" if none
 * @param partitions the partitions the node belongs to
 * @param gpuType    the GPUs' type ({@code a100}); "" if untyped or none
 * @param group      the network group (Dragonfly+ cell, switch); "" if unknown
 */
public record NodeView(String name, String state, String reason, List<String> partitions, int cpus, int cpusAlloc,
                       long memMb, long memAllocMb, int gpus, int gpusAlloc, String gpuType, List<String> features,
                       String group) {
    public NodeView {
        name = name == null ? "" : name;
        state = state == null ? "" : state;
        reason = reason == null ? "" : reason;
        partitions = partitions == null ? List.of() : List.copyOf(partitions);
        gpuType = gpuType == null ? "" : gpuType;
        features = features == null ? List.of() : List.copyOf(features);
        group = group == null ? "" : group;
    }
}
