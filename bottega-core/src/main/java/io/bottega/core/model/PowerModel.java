package io.bottega.core.model;

/**
 * A simple linear power model of one node: {@code idleWatts} when nothing runs, plus a share of
 * {@code cpuBusyWatts} in proportion to allocated cores, plus {@code gpuBusyWatts - gpuIdleWatts}
 * for each allocated GPU. GPU idle draw is counted in {@code idleWatts}.
 */
public record PowerModel(double idleWatts, double cpuBusyWatts, double gpuIdleWatts, double gpuBusyWatts) {
    public static final PowerModel NONE = new PowerModel(0, 0, 0, 0);

    public PowerModel {
        if (idleWatts < 0 || cpuBusyWatts < 0 || gpuIdleWatts < 0 || gpuBusyWatts < 0) {
            throw new IllegalArgumentException("power figures must not be negative");
        }
    }

    /** Extra watts, above idle, drawn by a job holding {@code cores} of {@code totalCores} and {@code gpus} GPUs. */
    public double dynamicWatts(int cores, int totalCores, int gpus) {
        double cpu = totalCores == 0 ? 0 : cpuBusyWatts * cores / totalCores;
        return cpu + gpus * Math.max(0, gpuBusyWatts - gpuIdleWatts);
    }
}
