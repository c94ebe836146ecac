package io.bottega.sim.metrics;

import io.bottega.core.model.Allocation;
import io.bottega.core.model.Cluster;
import io.bottega.core.model.PowerModel;

/**
 * The energy model of a replay. Every node draws its {@link PowerModel#idleWatts() idle power} for the whole
 * makespan (first submit to last end), busy or not; a running job adds, on each of its nodes, its share of the
 * CPU's busy power (in proportion to the cores it holds) and {@code gpuBusy - gpuIdle} per GPU it holds
 * ({@link PowerModel#dynamicWatts}), for its run time. Total = idle + Σ jobs' dynamic energy.
 */
public final class Energy {
    private Energy() {}

    /** A job's dynamic energy in joules: Σ over its nodes of the node's dynamic watts × {@code seconds}. */
    public static double jobJoules(Cluster cluster, Allocation a, long seconds) {
        double w = 0;
        for (int i = 0; i < a.nodeCount(); i++) {
            int n = a.node(i);
            w += cluster.node(n).power().dynamicWatts(a.cores(i), cluster.cores(n), a.gpus(i));
        }
        return w * seconds;
    }

    /** Σ idle watts of all nodes. */
    public static double idleWatts(Cluster cluster) {
        double w = 0;
        for (int n = 0; n < cluster.nodeCount(); n++) w += cluster.node(n).power().idleWatts();
        return w;
    }
}
