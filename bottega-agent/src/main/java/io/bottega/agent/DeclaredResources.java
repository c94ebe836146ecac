package io.bottega.agent;

import java.util.List;

/**
 * Resources declared for a node instead of (or on top of) those found on the machine: what an operator
 * writes for an emulated node, e.g. 8 cores and 4 GPUs that do not physically exist. Binding of declared
 * resources is logical: the job still gets {@code CUDA_VISIBLE_DEVICES} and its core ids.
 *
 * @param cores       cores; 0 to detect
 * @param memoryMb    memory in MiB; 0 to detect
 * @param gpus        GPUs; -1 to detect with {@code nvidia-smi}
 * @param gpuType     GPU model for declared GPUs; empty for {@code "emulated"}
 * @param gpuMemoryMb memory of each declared GPU in MiB; 0 when unknown
 * @param features    node features
 * @param group       network group
 */
public record DeclaredResources(int cores, long memoryMb, int gpus, String gpuType, long gpuMemoryMb,
                                List<String> features, String group) {
    /** Detect everything, declare nothing. */
    public static final DeclaredResources DETECT = new DeclaredResources(0, 0, -1, "", 0, List.of(), "");

    public DeclaredResources {
        if (cores < 0) throw new IllegalArgumentException("declared cores must not be negative");
        if (memoryMb < 0) throw new IllegalArgumentException("declared memory must not be negative");
        if (gpus < -1) throw new IllegalArgumentException("declared gpus must not be negative");
        if (gpuMemoryMb < 0) throw new IllegalArgumentException("declared gpu memory must not be negative");
        gpuType = gpuType == null ? "" : gpuType;
        features = features == null ? List.of() : List.copyOf(features);
        group = group == null ? "" : group;
    }

    public DeclaredResources withCores(int c) {
        return new DeclaredResources(c, memoryMb, gpus, gpuType, gpuMemoryMb, features, group);
    }

    public DeclaredResources withMemoryMb(long m) {
        return new DeclaredResources(cores, m, gpus, gpuType, gpuMemoryMb, features, group);
    }

    public DeclaredResources withGpus(int n, String type) {
        return new DeclaredResources(cores, memoryMb, n, type, gpuMemoryMb, features, group);
    }

    public DeclaredResources withFeatures(List<String> f) {
        return new DeclaredResources(cores, memoryMb, gpus, gpuType, gpuMemoryMb, f, group);
    }

    public DeclaredResources withGroup(String g) {
        return new DeclaredResources(cores, memoryMb, gpus, gpuType, gpuMemoryMb, features, g);
    }
}
