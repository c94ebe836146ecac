package io.bottega.core.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The machine as declared, immutable: nodes with dense int ids, partitions as node bitmaps, network
 * groups as contiguous id ranges (the builder orders nodes by group, so a group is a word range of
 * every bitmap), features and GPU types as small integer codes. Per-node figures are kept in primitive
 * arrays so the scheduler never touches a {@link NodeSpec} on its hot path.
 */
public final class Cluster {
    public static final int MAX_FEATURES = 64;

    private final String name;
    private final NodeSpec[] nodes;
    private final int[] cores;
    private final long[] memoryMb;
    private final int[] gpus;
    private final int[] gpuType;
    private final long[] featureMask;
    private final int[] group;
    private final boolean[] coreBinding;
    private final String[] groupNames;
    private final int[] groupStart;
    private final int[] groupEnd;
    private final List<String> features;
    private final List<String> gpuTypes;
    private final List<Partition> partitions;
    private final Map<String, Partition> partitionsByName;
    private final Map<String, Integer> nodeIds;
    private final Partition defaultPartition;
    private final NodeSet all;
    private final int maxCores;
    private final int maxGpus;
    private final long totalCores;
    private final long totalGpus;

    private Cluster(String name, List<NodeSpec> ordered, List<PartitionDecl> decls) {
        this.name = name;
        int n = ordered.size();
        nodes = ordered.toArray(new NodeSpec[0]);
        cores = new int[n];
        memoryMb = new long[n];
        gpus = new int[n];
        gpuType = new int[n];
        featureMask = new long[n];
        group = new int[n];
        coreBinding = new boolean[n];
        Map<String, Integer> featureIds = new LinkedHashMap<>();
        Map<String, Integer> gpuTypeIds = new LinkedHashMap<>();
        gpuTypeIds.put("", 0);
        List<String> gNames = new ArrayList<>();
        List<Integer> gStart = new ArrayList<>();
        nodeIds = new HashMap<>(n * 2);
        int mc = 0, mg = 0;
        long tc = 0, tg = 0;
        for (int i = 0; i < n; i++) {
            NodeSpec s = nodes[i];
            if (nodeIds.put(s.name(), i) != null) throw new IllegalArgumentException("node " + s.name() + " declared twice");
            cores[i] = s.cores();
            memoryMb[i] = s.memoryMb();
            gpus[i] = s.gpus();
            gpuType[i] = gpuTypeIds.computeIfAbsent(s.gpuType(), k -> gpuTypeIds.size());
            long mask = 0;
            for (String f : s.features().stream().sorted().toList()) {
                int id = featureIds.computeIfAbsent(f, k -> featureIds.size());
                if (id >= MAX_FEATURES) throw new IllegalArgumentException("at most " + MAX_FEATURES + " distinct node features");
                mask |= 1L << id;
            }
            featureMask[i] = mask;
            if (gNames.isEmpty() || !gNames.get(gNames.size() - 1).equals(s.group())) {
                gNames.add(s.group());
                gStart.add(i);
            }
            group[i] = gNames.size() - 1;
            coreBinding[i] = s.coreBinding();
            mc = Math.max(mc, s.cores());
            mg = Math.max(mg, s.gpus());
            tc += s.cores();
            tg += s.gpus();
        }
        maxCores = mc;
        maxGpus = mg;
        totalCores = tc;
        totalGpus = tg;
        groupNames = gNames.toArray(new String[0]);
        groupStart = gStart.stream().mapToInt(Integer::intValue).toArray();
        groupEnd = new int[groupStart.length];
        for (int g = 0; g < groupStart.length; g++) groupEnd[g] = g + 1 < groupStart.length ? groupStart[g + 1] : n;
        features = List.copyOf(featureIds.keySet());
        gpuTypes = List.copyOf(gpuTypeIds.keySet());
        all = NodeSet.range(0, n);

        List<Partition> parts = new ArrayList<>();
        Map<String, Partition> byName = new LinkedHashMap<>();
        Partition def = null;
        for (PartitionDecl d : decls) {
            long[] w = new long[(n + 63) >> 6];
            for (String nodeName : d.nodeNames()) {
                Integer id = nodeIds.get(nodeName);
                if (id == null) throw new IllegalArgumentException("partition " + d.name() + ": unknown node " + nodeName);
                w[id >> 6] |= 1L << id;
            }
            Partition p = new Partition(d.name(), parts.size(), NodeSet.wrap(w), d.defaultTimeLimit(), d.maxTimeLimit(),
                    d.maxNodesPerJob(), d.isDefault(), d.priorityWeight());
            if (byName.put(p.name(), p) != null) throw new IllegalArgumentException("partition " + p.name() + " declared twice");
            if (p.isDefault()) {
                if (def != null) throw new IllegalArgumentException("two default partitions: " + def.name() + " and " + p.name());
                def = p;
            }
            parts.add(p);
        }
        if (parts.isEmpty()) throw new IllegalArgumentException("cluster " + name + " has no partition");
        partitions = Collections.unmodifiableList(parts);
        partitionsByName = Collections.unmodifiableMap(byName);
        defaultPartition = def != null ? def : parts.get(0);
    }

    public static Builder builder(String name) { return new Builder(name); }

    public String name() { return name; }
    public int nodeCount() { return nodes.length; }
    public NodeSpec node(int id) { return nodes[id]; }
    public String nodeName(int id) { return nodes[id].name(); }
    public Optional<Integer> nodeId(String nodeName) { return Optional.ofNullable(nodeIds.get(nodeName)); }
    public int cores(int id) { return cores[id]; }
    public long memoryMb(int id) { return memoryMb[id]; }
    public int gpus(int id) { return gpus[id]; }
    public int gpuType(int id) { return gpuType[id]; }
    public long featureMask(int id) { return featureMask[id]; }
    public boolean coreBinding(int id) { return coreBinding[id]; }
    public int group(int id) { return group[id]; }
    public int groupCount() { return groupNames.length; }
    public String groupName(int g) { return groupNames[g]; }
    public int groupStart(int g) { return groupStart[g]; }
    public int groupEnd(int g) { return groupEnd[g]; }
    public NodeSet allNodes() { return all; }
    public int maxCoresPerNode() { return maxCores; }
    public int maxGpusPerNode() { return maxGpus; }
    public long totalCores() { return totalCores; }
    public long totalGpus() { return totalGpus; }
    public List<Partition> partitions() { return partitions; }
    public Partition defaultPartition() { return defaultPartition; }
    public Optional<Partition> partition(String partitionName) { return Optional.ofNullable(partitionsByName.get(partitionName)); }
    public List<String> features() { return features; }
    public List<String> gpuTypes() { return gpuTypes; }

    /** The bit mask of the given features, or empty when one is unknown to this cluster. */
    public Optional<Long> featureMask(Iterable<String> names) {
        long m = 0;
        for (String f : names) {
            int i = features.indexOf(f);
            if (i < 0) return Optional.empty();
            m |= 1L << i;
        }
        return Optional.of(m);
    }

    /** The code of a GPU type, 0 for "any", or -1 when no node has it. */
    public int gpuTypeId(String type) {
        if (type == null || type.isEmpty()) return 0;
        return gpuTypes.indexOf(type);
    }

    /** The nodes whose features include all of {@code mask}. */
    public NodeSet nodesWithFeatures(long mask) {
        if (mask == 0) return all;
        long[] w = new long[(nodes.length + 63) >> 6];
        for (int i = 0; i < nodes.length; i++) if ((featureMask[i] & mask) == mask) w[i >> 6] |= 1L << i;
        return NodeSet.wrap(w);
    }

    /** The nodes with GPUs of the given type code (0: all nodes). */
    public NodeSet nodesWithGpuType(int type) {
        if (type == 0) return all;
        long[] w = new long[(nodes.length + 63) >> 6];
        for (int i = 0; i < nodes.length; i++) if (gpuType[i] == type) w[i >> 6] |= 1L << i;
        return NodeSet.wrap(w);
    }

    @Override
    public String toString() {
        return "Cluster[" + name + ", " + nodes.length + " nodes, " + totalCores + " cores, " + totalGpus + " GPUs, "
                + partitions.size() + " partitions]";
    }

    record PartitionDecl(String name, List<String> nodeNames, long defaultTimeLimit, long maxTimeLimit,
                         int maxNodesPerJob, boolean isDefault, int priorityWeight) {}

    /** Collects nodes and partitions; {@link #build()} orders nodes by network group, keeping declaration order within one. */
    public static final class Builder {
        private final String name;
        private final List<NodeSpec> nodes = new ArrayList<>();
        private final List<PartitionDecl> partitions = new ArrayList<>();

        private Builder(String name) {
            if (name == null || name.isBlank()) throw new IllegalArgumentException("cluster name must not be blank");
            this.name = name;
        }

        public Builder node(NodeSpec node) {
            nodes.add(node);
            return this;
        }

        public Builder nodes(Iterable<NodeSpec> more) {
            more.forEach(nodes::add);
            return this;
        }

        public Builder partition(String partitionName, List<String> nodeNames, long defaultTimeLimit, long maxTimeLimit,
                                 int maxNodesPerJob, boolean isDefault, int priorityWeight) {
            partitions.add(new PartitionDecl(partitionName, List.copyOf(nodeNames), defaultTimeLimit, maxTimeLimit,
                    maxNodesPerJob, isDefault, priorityWeight));
            return this;
        }

        /** A partition over every node declared so far and later, with no limits. */
        public Builder partitionOfAll(String partitionName, long defaultTimeLimit, long maxTimeLimit, boolean isDefault) {
            partitions.add(new PartitionDecl(partitionName, List.of("*"), defaultTimeLimit, maxTimeLimit,
                    Integer.MAX_VALUE, isDefault, 1));
            return this;
        }

        public Cluster build() {
            if (nodes.isEmpty()) throw new IllegalArgumentException("cluster " + name + " has no node");
            Map<String, List<NodeSpec>> byGroup = new LinkedHashMap<>();
            for (NodeSpec s : nodes) byGroup.computeIfAbsent(s.group(), g -> new ArrayList<>()).add(s);
            List<NodeSpec> ordered = new ArrayList<>(nodes.size());
            byGroup.values().forEach(ordered::addAll);
            List<String> allNames = ordered.stream().map(NodeSpec::name).toList();
            List<PartitionDecl> decls = partitions.stream()
                    .map(d -> d.nodeNames().equals(List.of("*"))
                            ? new PartitionDecl(d.name(), allNames, d.defaultTimeLimit(), d.maxTimeLimit(), d.maxNodesPerJob(),
                            d.isDefault(), d.priorityWeight())
                            : d)
                    .toList();
            return new Cluster(name, ordered, decls);
        }
    }
}
