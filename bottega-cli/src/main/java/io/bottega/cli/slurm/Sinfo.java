package io.bottega.cli.slurm;

import io.bottega.api.NodeView;
import io.bottega.api.PartitionView;
import io.bottega.api.json.JsonWriter;
import io.bottega.api.slurm.SinfoFormat;
import io.bottega.cli.http.ApiClient;
import io.bottega.cli.http.ApiException;
import io.bottega.cli.http.Response;
import io.bottega.cli.http.Wire;
import io.bottega.cli.slurm.Getopt.Arg;
import io.bottega.core.model.Hostlist;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code sinfo}: partitions and nodes, partition-oriented by default or node-oriented ({@code -N}), in Slurm's
 * formats ({@link SinfoFormat}); {@code -s} summarizes, {@code -R} lists why nodes are down or drained.
 */
final class Sinfo {
    static final String PROG = "sinfo";
    /** {@code sinfo -s}. */
    static final String SUMMARIZE = "%#P %.5a %.10l %.16F  %N";

    private Sinfo() {}

    private static Getopt options() {
        return new Getopt(PROG)
                .opt("all", 'a', Arg.NONE)
                .opt("help", Arg.NONE)
                .opt("hide", Arg.NONE)
                .opt("iterate", 'i', Arg.REQUIRED)
                .opt("json", Arg.OPTIONAL)
                .opt("list-reasons", 'R', Arg.NONE)
                .opt("long", 'l', Arg.NONE)
                .opt("Node", 'N', Arg.NONE)
                .opt("noconvert", Arg.NONE)
                .opt("noheader", 'h', Arg.NONE)
                .opt("nodes", 'n', Arg.REQUIRED)
                .opt("format", 'o', Arg.REQUIRED)
                .opt("partition", 'p', Arg.REQUIRED)
                .opt("states", 't', Arg.REQUIRED)
                .opt("summarize", 's', Arg.NONE)
                .opt("usage", Arg.NONE)
                .opt("verbose", 'v', Arg.NONE)
                .opt("version", 'V', Arg.NONE)
                .unsupported("clusters", 'M', Arg.REQUIRED)
                .unsupported("dead", 'd', Arg.NONE)
                .unsupported("exact", 'e', Arg.NONE)
                .unsupported("federation", Arg.NONE)
                .unsupported("Format", 'O', Arg.REQUIRED)
                .unsupported("future", 'F', Arg.NONE)
                .unsupported("local", Arg.NONE)
                .unsupported("reservation", 'T', Arg.NONE)
                .unsupported("responding", 'r', Arg.NONE)
                .unsupported("sort", 'S', Arg.REQUIRED)
                .unsupported("yaml", Arg.OPTIONAL);
    }

    /** sinfo's node state names and the compact states each matches. */
    private static final Map<String, List<String>> STATE_NAMES = new LinkedHashMap<>();

    static {
        state("alloc", "alloc");
        state("allocated", "alloc");
        state("comp", "comp");
        state("completing", "comp");
        state("down", "down");
        state("drain", "drain", "drng");
        state("drained", "drain");
        state("draining", "drng");
        state("drng", "drng");
        state("fail", "fail", "failg");
        state("idle", "idle");
        state("maint", "maint");
        state("mix", "mix");
        state("mixed", "mix");
        state("resv", "resv");
        state("reserved", "resv");
        state("unk", "unk");
        state("unknown", "unk");
        state("responding", "");
        state("no_respond", "*");
    }

    private static void state(String name, String... compact) {
        STATE_NAMES.put(name, List.of(compact));
    }

    static int run(Io io, String[] argv) {
        Getopt opts = options();
        String format = null;
        boolean node = false, longForm = false, noHeader = false, summarize = false, reasons = false, json = false;
        int iterate = 0;
        List<String> partitions = new ArrayList<>();
        Set<String> nodes = null;
        List<String> states = new ArrayList<>();
        try {
            Getopt.Result r = opts.parse(argv, false);
            for (Getopt.Option o : r.options()) {
                String v = o.value();
                switch (o.name()) {
                    case "all", "hide", "noconvert", "verbose" -> { }
                    case "help" -> {
                        io.out.print(HELP);
                        return 0;
                    }
                    case "usage" -> {
                        io.out.print(USAGE);
                        return 0;
                    }
                    case "version" -> {
                        io.out.println(Cli.versionLine());
                        return 0;
                    }
                    case "iterate" -> {
                        Integer n = Cli.positive(v);
                        if (n == null) return io.fail(PROG, "Error: --iterate=" + v);
                        iterate = n;
                    }
                    case "json" -> json = true;
                    case "list-reasons" -> reasons = true;
                    case "long" -> longForm = true;
                    case "Node" -> node = true;
                    case "noheader" -> noHeader = true;
                    case "nodes" -> {
                        try {
                            if (nodes == null) nodes = new HashSet<>();
                            nodes.addAll(Hostlist.expand(v));
                        } catch (IllegalArgumentException e) {
                            return io.fail(PROG, "Invalid node name specified: " + v);
                        }
                    }
                    case "format" -> format = v;
                    case "partition" -> Cli.addCsv(partitions, v);
                    case "states" -> {
                        for (String s : Cli.csv(v)) {
                            String key = s.toLowerCase(Locale.ROOT);
                            if (!STATE_NAMES.containsKey(key)) {
                                return io.fail(PROG, "Invalid node state specified: " + s + " (valid states: "
                                        + String.join(",", STATE_NAMES.keySet()) + ")");
                            }
                            states.add(key);
                        }
                    }
                    case "summarize" -> summarize = true;
                    default -> throw new IllegalStateException("no handler for --" + o.name());
                }
            }
            if (!r.operands().isEmpty()) throw opts.error("Unrecognized option: " + r.operands().get(0));
        } catch (Getopt.UsageError e) {
            return Getopt.report(io, e);
        }
        if (format == null) {
            String env = io.env.get("SINFO_FORMAT");
            if (env != null && !env.isEmpty()) format = env;
        }
        if (partitions.isEmpty() && io.env.get("SINFO_PARTITION") != null) Cli.addCsv(partitions, io.env.get("SINFO_PARTITION"));
        SinfoFormat fmt;
        try {
            fmt = format != null ? SinfoFormat.parse(format)
                    : reasons ? SinfoFormat.parse(SinfoFormat.REASONS)
                    : summarize ? SinfoFormat.parse(SUMMARIZE) : SinfoFormat.standard(node, longForm);
        } catch (IllegalArgumentException e) {
            return io.fail(PROG, e.getMessage());
        }
        ApiClient api;
        try {
            api = io.api();
        } catch (ApiException e) {
            return io.fail(PROG, e.getMessage());
        }
        while (true) {
            if (longForm && !json) io.out.println(Cli.dateLine(io.nowSeconds(), io.zone()));
            int rc = once(io, api, fmt, node, noHeader, reasons, json, partitions, nodes, states);
            if (iterate == 0 || rc != 0) return rc;
            io.out.println();
            io.out.flush();
            if (!io.sleeper.sleep(iterate * 1000L)) return 0;
        }
    }

    private static int once(Io io, ApiClient api, SinfoFormat fmt, boolean node, boolean noHeader, boolean reasons, boolean json,
                            List<String> partitionNames, Set<String> nodeNames, List<String> states) {
        List<PartitionView> parts;
        List<NodeView> all;
        try {
            Response p = api.get("/partitions");
            if (!p.ok()) return io.fail(PROG, p.errorMessage());
            parts = Wire.partitionViews(p.json());
            Response n = api.get("/nodes");
            if (!n.ok()) return io.fail(PROG, n.errorMessage());
            all = Wire.nodeViews(n.json());
        } catch (ApiException e) {
            return io.fail(PROG, e.getMessage());
        }
        if (!partitionNames.isEmpty()) {
            List<PartitionView> keep = new ArrayList<>();
            for (PartitionView p : parts) if (partitionNames.contains(p.name())) keep.add(p);
            parts = keep;
        }
        List<NodeView> nodes = new ArrayList<>();
        for (NodeView view : all) {
            NodeView n = NodeStates.withCompactState(view);
            if (nodeNames != null && !nodeNames.contains(n.name())) continue;
            if (!states.isEmpty() && !inStates(n, states)) continue;
            if (!partitionNames.isEmpty() && !inAny(n, parts)) continue;
            nodes.add(n);
        }
        if (nodeNames != null || !states.isEmpty()) {
            // a partition none of whose nodes is left is not shown
            List<PartitionView> keep = new ArrayList<>();
            for (PartitionView p : parts) {
                for (NodeView n : nodes) {
                    if (n.partitions().contains(p.name())) {
                        keep.add(p);
                        break;
                    }
                }
            }
            parts = keep;
        }
        if (json) {
            io.out.print(json(parts, nodes));
            return 0;
        }
        if (reasons) nodes = withReasons(nodes);
        io.out.print(fmt.render(parts, nodes, node, noHeader, COMPRESS));
        return 0;
    }

    private static final Function<List<String>, String> COMPRESS = new Function<>() {
        @Override
        public String apply(List<String> names) {
            return Hostlist.compress(names);
        }
    };

    private static boolean inAny(NodeView n, List<PartitionView> parts) {
        for (PartitionView p : parts) if (n.partitions().contains(p.name())) return true;
        return false;
    }

    static boolean inStates(NodeView n, List<String> states) {
        String b = NodeStates.base(n.state());
        for (String s : states) {
            List<String> codes = STATE_NAMES.get(s);
            if (s.equals("no_respond") && n.state().endsWith("*")) return true;
            if (s.equals("responding") && !n.state().endsWith("*")) return true;
            if (codes.contains(b)) return true;
        }
        return false;
    }

    /** {@code sinfo -R}: the nodes that are down, drained, failing or not responding, or that have a reason. */
    static List<NodeView> withReasons(List<NodeView> nodes) {
        List<NodeView> out = new ArrayList<>();
        for (NodeView n : nodes) {
            String b = NodeStates.base(n.state());
            boolean unavailable = b.equals("down") || b.equals("drain") || b.equals("drng") || b.equals("fail")
                    || b.equals("failg") || n.state().endsWith("*");
            if (unavailable || !n.reason().isEmpty()) out.add(n);
        }
        return out;
    }

    /**
     * {@code sinfo --json}: the nodes and partitions, with Slurm's snake_case names (data parser v0.0.38 style).
     */
    static String json(List<PartitionView> parts, List<NodeView> nodes) {
        JsonWriter w = new JsonWriter(true);
        w.beginObject();
        w.name("meta").beginObject().name("plugin").beginObject().field("type", "openapi/v0.0.38").field("name", "Bottega")
                .endObject().endObject();
        w.name("errors").beginArray().endArray();
        w.name("nodes").beginArray();
        for (NodeView n : nodes) {
            w.beginObject();
            w.field("name", n.name());
            w.field("hostname", n.name());
            w.field("state", NodeStates.scontrol(n));
            w.field("reason", n.reason());
            w.field("cpus", n.cpus());
            w.field("alloc_cpus", n.cpusAlloc());
            w.field("idle_cpus", n.cpus() - n.cpusAlloc());
            w.field("real_memory", n.memMb());
            w.field("alloc_memory", n.memAllocMb());
            w.field("free_memory", n.memMb() - n.memAllocMb());
            w.field("gres", n.gpus() <= 0 ? "" : n.gpuType().isEmpty() ? "gpu:" + n.gpus() : "gpu:" + n.gpuType() + ":" + n.gpus());
            w.field("gres_used", n.gpus() <= 0 ? "" : "gpu:" + n.gpusAlloc());
            w.name("features").beginArray();
            for (String f : n.features()) w.value(f);
            w.endArray();
            w.name("partitions").beginArray();
            for (String p : n.partitions()) w.value(p);
            w.endArray();
            w.field("group", n.group());
            w.endObject();
        }
        w.endArray();
        w.name("partitions").beginArray();
        for (PartitionView p : parts) {
            w.beginObject();
            w.field("name", p.name());
            w.field("default", p.isDefault());
            w.field("state", p.state().toUpperCase(Locale.ROOT));
            w.field("nodes", p.nodeList());
            w.field("total_nodes", p.nodes());
            w.field("total_cpus", p.cpus());
            w.field("total_gpus", p.gpus());
            w.field("max_time", p.timeLimit() >= io.bottega.api.slurm.SlurmTime.UNLIMITED ? -1 : p.timeLimit() / 60);
            w.field("default_time", p.defaultTime() <= 0 ? -1 : p.defaultTime() / 60);
            w.field("max_nodes", p.maxNodesPerJob() <= 0 || p.maxNodesPerJob() == Integer.MAX_VALUE ? -1 : p.maxNodesPerJob());
            w.field("nodes_idle", p.nodesIdle());
            w.field("nodes_allocated", p.nodesAlloc());
            w.field("nodes_mixed", p.nodesMix());
            w.field("nodes_other", p.nodesOther());
            w.endObject();
        }
        w.endArray();
        w.endObject();
        return w + "\n";
    }

    static final String USAGE = """
            Usage: sinfo [-i seconds] [-t states] [-p partition] [-n nodes] [-o format] [--json]
                         [--usage] [-hlNRsvV]
            """;

    static final String HELP = """
            Usage: sinfo [OPTIONS]
              -a, --all                  (accepted; Bottega has no hidden partitions)
              -h, --noheader             no headers on output
              -i, --iterate=seconds      specify an iteration period
                  --json                 produce JSON output
              -l, --long                 long output - displays more information
              -n, --nodes=NODES          report on specific node(s)
              -N, --Node                 Node-centric format
              -o, --format=format        format specification
              -p, --partition=PARTITION  report on specific partition
              -R, --list-reasons         list reason nodes are down or drained
              -s, --summarize            report state summary only
              -t, --states=node_state    specify what states of nodes to view
              -v, --verbose              verbosity level
              -V, --version              output version information and exit

            Help options:
                  --help                 show this help message
                  --usage                display brief usage message

            Not supported by Bottega yet: -d/--dead, -e/--exact, -F/--future, -M/--clusters, -O/--Format,
            -r/--responding, -S/--sort, -T/--reservation, --yaml, --federation, --local.
            """;
}
