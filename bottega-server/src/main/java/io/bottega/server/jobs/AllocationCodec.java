package io.bottega.server.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bottega.core.model.Allocation;
import io.bottega.core.model.Cluster;

import java.util.ArrayList;
import java.util.List;

/**
 * Writes an allocation as JSON with node names (not ids, which depend on the cluster file's order) and
 * reads it back: {@code {"nodes":[{"name":"n1","tasks":2,"cores":[0,1,2,3],"cpus":4,"mem":8000,"gpus":[0,1]}]}}.
 */
public final class AllocationCodec {
    private final Cluster cluster;
    private final ObjectMapper json;

    public AllocationCodec(Cluster cluster, ObjectMapper json) {
        this.cluster = cluster;
        this.json = json;
    }

    public String write(Allocation a) {
        ObjectNode root = json.createObjectNode();
        ArrayNode nodes = root.putArray("nodes");
        for (int i = 0; i < a.nodeCount(); i++) {
            ObjectNode n = nodes.addObject();
            n.put("name", cluster.nodeName(a.node(i)));
            n.put("tasks", a.tasks(i));
            n.put("cpus", a.cores(i));
            ArrayNode cores = n.putArray("cores");
            for (int c : bits(a.coreIds(i))) cores.add(c);
            n.put("mem", a.memMb(i));
            ArrayNode gpus = n.putArray("gpus");
            for (int g : bits(new long[] {a.gpuMask(i)})) gpus.add(g);
        }
        return root.toString();
    }

    /** Reads an allocation written by {@link #write}; fails naming the node when the cluster no longer has it. */
    public Allocation read(String text) {
        try {
            JsonNode root = json.readTree(text);
            JsonNode nodes = root.path("nodes");
            int k = nodes.size();
            int[] ids = new int[k];
            int[] tasks = new int[k];
            int[] cores = new int[k];
            long[] mem = new long[k];
            long[] gpus = new long[k];
            long[][] coreIds = new long[k][];
            for (int i = 0; i < k; i++) {
                JsonNode n = nodes.get(i);
                String name = n.path("name").asText();
                ids[i] = cluster.nodeId(name).orElseThrow(() -> new IllegalArgumentException("node " + name
                        + " is not in the cluster any more"));
                tasks[i] = n.path("tasks").asInt();
                cores[i] = n.path("cpus").asInt();
                mem[i] = n.path("mem").asLong();
                long g = 0;
                for (JsonNode x : n.path("gpus")) g |= 1L << x.asInt();
                gpus[i] = g;
                if (cluster.coreBinding(ids[i]) && n.path("cores").size() > 0) {
                    long[] c = new long[(cluster.cores(ids[i]) + 63) >> 6];
                    for (JsonNode x : n.path("cores")) c[x.asInt() >> 6] |= 1L << x.asInt();
                    coreIds[i] = c;
                }
            }
            return Allocation.of(ids, tasks, cores, mem, gpus, coreIds);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("bad allocation JSON: " + e.getMessage(), e);
        }
    }

    public List<String> nodeNames(Allocation a) {
        List<String> names = new ArrayList<>(a.nodeCount());
        for (int i = 0; i < a.nodeCount(); i++) names.add(cluster.nodeName(a.node(i)));
        return names;
    }

    static List<Integer> bits(long[] words) {
        List<Integer> out = new ArrayList<>();
        for (int w = 0; w < words.length; w++) {
            long x = words[w];
            while (x != 0) {
                out.add((w << 6) + Long.numberOfTrailingZeros(x));
                x &= x - 1;
            }
        }
        return out;
    }
}
