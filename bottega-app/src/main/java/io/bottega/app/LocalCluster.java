package io.bottega.app;

import io.bottega.core.model.Cluster;
import io.bottega.core.model.NodeSpec;
import io.bottega.core.model.Partition;
import io.bottega.core.model.PowerModel;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The machine of {@code bottega up}: N identical emulated nodes in one partition. */
final class LocalCluster {
    private LocalCluster() {}

    static List<String> nodeNames(int nodes) {
        List<String> names = new ArrayList<>();
        int width = Math.max(2, Integer.toString(nodes).length());
        for (int i = 1; i <= nodes; i++) names.add("node" + String.format("%0" + width + "d", i));
        return names;
    }

    static Cluster build(String name, int nodes, int cores, long memoryMb, int gpus, String gpuType, long maxTime) {
        Cluster.Builder b = Cluster.builder(name);
        List<String> names = nodeNames(nodes);
        PowerModel power = new PowerModel(200, 250, 50, 400);
        for (String n : names) {
            b.node(new NodeSpec(n, cores, memoryMb, gpus, gpus > 0 ? gpuType : "", Set.of(), "local", true, power));
        }
        b.partition("batch", names, Math.min(3600, maxTime), maxTime, Integer.MAX_VALUE, true, 1);
        return b.build();
    }

    static long unlimited() { return Partition.UNLIMITED; }
}
