package io.bottega.core.model;

import java.util.Set;

/**
 * One compute node as declared: its resources, features (for {@code --constraint}), the network group
 * it belongs to (a Dragonfly+ cell or a leaf switch) and its power model.
 *
 * @param coreBinding whether jobs are given core ids on this node; false for an abstract pool of
 *                    processors (the machine of an SWF replay), where only counts matter
 */
public record NodeSpec(String name, int cores, long memoryMb, int gpus, String gpuType, Set<String> features,
                       String group, boolean coreBinding, PowerModel power) {
    public static final int MAX_GPUS = 64;
    public static final int MAX_BOUND_CORES = 4096;

    public NodeSpec {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("node name must not be blank");
        if (cores <= 0) throw new IllegalArgumentException("node " + name + ": cores must be positive");
        if (memoryMb < 0) throw new IllegalArgumentException("node " + name + ": memory must not be negative");
        if (gpus < 0 || gpus > MAX_GPUS) throw new IllegalArgumentException("node " + name + ": gpus must be 0-" + MAX_GPUS);
        if (coreBinding && cores > MAX_BOUND_CORES) {
            throw new IllegalArgumentException("node " + name + ": at most " + MAX_BOUND_CORES + " cores can be bound");
        }
        gpuType = gpuType == null ? "" : gpuType;
        features = features == null ? Set.of() : Set.copyOf(features);
        group = group == null || group.isBlank() ? "default" : group;
        power = power == null ? PowerModel.NONE : power;
    }

    public static NodeSpec cpuNode(String name, int cores, long memoryMb) {
        return new NodeSpec(name, cores, memoryMb, 0, "", Set.of(), "default", true, PowerModel.NONE);
    }

    public static NodeSpec gpuNode(String name, int cores, long memoryMb, int gpus, String gpuType) {
        return new NodeSpec(name, cores, memoryMb, gpus, gpuType, Set.of(), "default", true, PowerModel.NONE);
    }

    public NodeSpec withGroup(String g) { return new NodeSpec(name, cores, memoryMb, gpus, gpuType, features, g, coreBinding, power); }
    public NodeSpec withFeatures(Set<String> f) { return new NodeSpec(name, cores, memoryMb, gpus, gpuType, f, group, coreBinding, power); }
    public NodeSpec withPower(PowerModel p) { return new NodeSpec(name, cores, memoryMb, gpus, gpuType, features, group, coreBinding, p); }
}
