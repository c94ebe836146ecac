package io.bottega.sim.trace;

import io.bottega.core.model.Cluster;
import io.bottega.core.model.Partition;
import io.bottega.core.model.ResourceRequest;

import java.util.List;
import java.util.Locale;

/**
 * How an SWF job's processors become a request on a cluster given with {@code --cluster} (on the trace's own
 * machine every job simply asks for {@code n} processors of one pool).
 *
 * <ul>
 *   <li>{@code packed} (default): {@code n} processors are {@code n} single-core tasks anywhere, packed by the
 *       placer ({@link ResourceRequest#processors(int)}); no GPUs.</li>
 *   <li>{@code nodes:K}: the trace's machine had {@code K} processors per node; a job of {@code n} processors
 *       takes {@code ceil(n / K)} whole nodes ({@code --exclusive}).</li>
 *   <li>{@code gpus}: each processor is one GPU with one core ({@code n} tasks of 1 core and 1 GPU each).</li>
 * </ul>
 * A job that can never fit the cluster (wider than its cores, more nodes than the partition allows) is
 * invalid, exactly as a job wider than the SWF machine is.
 */
public sealed interface SwfJobMapping {
    ResourceRequest map(int processors);

    /** The text {@link #parse} accepts for this mapping. */
    String describe();

    /** What the cluster can hold at most under this mapping in partition {@code p}, for the width check. */
    long capacity(Cluster cluster, Partition p);

    /** The unit {@link #capacity} counts ("cores", "nodes", "GPUs"). */
    String unit();

    SwfJobMapping PACKED = new Packed();

    /** {@code packed}, {@code nodes:K}, {@code gpus}. */
    static SwfJobMapping parse(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        if (s.equals("packed")) return PACKED;
        if (s.equals("gpus")) return new Gpus();
        if (s.startsWith("nodes:")) {
            try {
                int k = Integer.parseInt(s.substring(6));
                if (k > 0) return new WholeNodes(k);
            } catch (NumberFormatException e) {
                // fall through to the error
            }
            throw new IllegalArgumentException("SWF mapping '" + text + "': K in nodes:K must be a positive integer");
        }
        throw new IllegalArgumentException("unknown SWF mapping '" + text + "' (known: packed, nodes:K, gpus)");
    }

    List<String> KNOWN = List.of("packed", "nodes:K", "gpus");

    record Packed() implements SwfJobMapping {
        @Override public ResourceRequest map(int n) { return ResourceRequest.processors(n); }
        @Override public String describe() { return "packed"; }
        @Override public long capacity(Cluster c, Partition p) { return sum(c, p, 0); }
        @Override public String unit() { return "cores"; }
    }

    record WholeNodes(int processorsPerNode) implements SwfJobMapping {
        public WholeNodes {
            if (processorsPerNode <= 0) throw new IllegalArgumentException("processors per node must be positive");
        }

        @Override public ResourceRequest map(int n) {
            int nodes = (n + processorsPerNode - 1) / processorsPerNode;
            return ResourceRequest.builder().nodes(nodes, nodes).tasksPerNode(1).exclusive(true).build();
        }
        @Override public String describe() { return "nodes:" + processorsPerNode; }
        @Override public long capacity(Cluster c, Partition p) {
            return (long) Math.min(p.nodes().size(), p.maxNodesPerJob()) * processorsPerNode;
        }
        @Override public String unit() { return "processors (" + processorsPerNode + " per whole node)"; }
    }

    record Gpus() implements SwfJobMapping {
        @Override public ResourceRequest map(int n) {
            return ResourceRequest.builder().tasks(n).cpusPerTask(1).gpusPerTask(1).build();
        }
        @Override public String describe() { return "gpus"; }
        @Override public long capacity(Cluster c, Partition p) { return sum(c, p, 1); }
        @Override public String unit() { return "GPUs"; }
    }

    private static long sum(Cluster c, Partition p, int what) {
        long[] s = {0};
        p.nodes().forEach(n -> s[0] += what == 0 ? c.cores(n) : c.gpus(n));
        return s[0];
    }
}
