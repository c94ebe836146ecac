package io.bottega.api.slurm;

import io.bottega.api.NodeView;
import io.bottega.api.PartitionView;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * sinfo's output: {@code -o/--format} strings ({@code %[.][#|width]X}; {@code .} right-justifies, {@code #}
 * is the widest value of the column, header included), partition-oriented by default (one line per
 * partition and group of nodes alike in every printed field) or node-oriented ({@code -N}: one line per
 * node and partition).
 *
 * <p>Specifiers: {@code %a} availability, {@code %A} nodes allocated/idle, {@code %c} CPUs per node,
 * {@code %C} CPUs allocated/idle/other/total, {@code %d} temporary disk, {@code %D} node count, {@code %E}
 * reason, {@code %f} features, {@code %F} nodes allocated/idle/other/total, {@code %g} groups, {@code %G}
 * generic resources, {@code %h} oversubscribe, {@code %l} time limit, {@code %L} default time, {@code %m}
 * memory per node (MB), {@code %n} host names, {@code %N} node list, {@code %P} partition ({@code *} marks
 * the default), {@code %r} root only, {@code %R} partition name, {@code %s} job size, {@code %t} compact
 * state, {@code %T} state, {@code %w} weight, {@code %z} sockets:cores:threads. Counts per node that differ
 * within a line print as the minimum with {@code +} ({@code 32+}), as sinfo does without {@code --exact}.
 */
public final class SinfoFormat {
    /** sinfo's default format. */
    public static final String DEFAULT = "%#P %.5a %.10l %.6D %.6t %N";
    /** {@code sinfo -N}. */
    public static final String NODE = "%#N %.6D %#P %6t";
    /** {@code sinfo -l}. */
    public static final String LONG = "%#P %.5a %.10l %.10s %.4r %.8h %.10g %.6D %.11T %N";
    /** {@code sinfo -N -l}. */
    public static final String NODE_LONG = "%#N %.6D %#P %.11T %.4c %.8z %.6m %.8d %.6w %.8f %20E";
    /** {@code sinfo -R}, without Slurm's user (%u) and time (%H) columns, which nodes do not carry yet. */
    public static final String REASONS = "%20E %N";

    private enum Kind { PARTITION, NODE, AGGREGATE }

    /** @param kind what the value depends on: the partition, each node, or the group of nodes as a whole */
    private record Spec(char letter, String header, Kind kind) {}

    private sealed interface Item permits Text, Field {}

    private record Text(String text) implements Item {}

    /** @param width -1 for '#' (the widest value) */
    private record Field(Spec spec, int width, boolean right) implements Item {}

    private static final Map<Character, Spec> SPECS = new HashMap<>();

    // A table and a switch rather than lambdas: each lambda is a class spun at start-up of the command-line client.
    private static void spec(char letter, String header, Kind kind) {
        SPECS.put(letter, new Spec(letter, header, kind));
    }

    static {
        spec('a', "AVAIL", Kind.PARTITION);
        spec('A', "NODES(A/I)", Kind.AGGREGATE);
        spec('c', "CPUS", Kind.NODE);
        spec('C', "CPUS(A/I/O/T)", Kind.AGGREGATE);
        spec('d', "TMP_DISK", Kind.NODE);
        spec('D', "NODES", Kind.AGGREGATE);
        spec('E', "REASON", Kind.NODE);
        spec('f', "AVAIL_FEATURES", Kind.NODE);
        spec('F', "NODES(A/I/O/T)", Kind.AGGREGATE);
        spec('g', "GROUPS", Kind.PARTITION);
        spec('G', "GRES", Kind.NODE);
        spec('h', "OVERSUBS", Kind.PARTITION);
        spec('l', "TIMELIMIT", Kind.PARTITION);
        spec('L', "DEFAULTTIME", Kind.PARTITION);
        spec('m', "MEMORY", Kind.NODE);
        spec('n', "HOSTNAMES", Kind.AGGREGATE);
        spec('N', "NODELIST", Kind.AGGREGATE);
        spec('P', "PARTITION", Kind.PARTITION);
        spec('r', "ROOT", Kind.PARTITION);
        spec('R', "PARTITION", Kind.PARTITION);
        spec('s', "JOB_SIZE", Kind.PARTITION);
        spec('t', "STATE", Kind.NODE);
        spec('T', "STATE", Kind.NODE);
        spec('w', "WEIGHT", Kind.NODE);
        spec('z', "S:C:T", Kind.NODE);
    }

    /**
     * The value of a specifier for one group of nodes of one partition ({@code p} is null on lines that
     * name no partition); {@code compress} is null when no node list is printed.
     */
    private static String value(char letter, PartitionView p, List<NodeView> n, Function<List<String>, String> compress) {
        NodeView first = n.isEmpty() ? null : n.get(0);
        return switch (letter) {
            case 'a' -> p == null ? "n/a" : p.state();
            case 'A' -> count(n, ALLOCATED) + "/" + count(n, IDLE);
            case 'c' -> minPlus(n, false);
            case 'C' -> cpuStates(n);
            case 'd' -> "0";
            case 'D' -> Integer.toString(n.size());
            case 'E' -> first.reason().isEmpty() ? "none" : first.reason();
            case 'f' -> first.features().isEmpty() ? "(null)" : String.join(",", first.features());
            case 'F' -> count(n, ALLOCATED) + "/" + count(n, IDLE) + "/" + count(n, OTHER) + "/" + n.size();
            case 'g' -> "all";
            case 'G' -> gres(first);
            case 'h' -> "NO";
            case 'l' -> p == null ? "n/a" : limit(p.timeLimit());
            case 'L' -> p == null || p.defaultTime() <= 0 ? "n/a" : limit(p.defaultTime());
            case 'm' -> minPlus(n, true);
            case 'n', 'N' -> compress == null ? String.join(",", names(n)) : compress.apply(names(n));
            case 'P' -> p == null ? "n/a" : p.isDefault() ? p.name() + "*" : p.name();
            case 'r' -> "no";
            case 'R' -> p == null ? "n/a" : p.name();
            case 's' -> p == null ? "n/a" : jobSize(p.maxNodesPerJob());
            case 't' -> first.state();
            case 'T' -> longState(first.state());
            case 'w' -> "1";
            case 'z' -> "1:" + minPlus(n, false) + ":1";
            default -> throw new IllegalStateException("no value for %" + letter);
        };
    }

    private final List<Item> items;
    private final boolean hasPartitionField;

    private SinfoFormat(List<Item> items) {
        this.items = List.copyOf(items);
        boolean part = false;
        for (Item it : items) if (it instanceof Field f && f.spec().kind() == Kind.PARTITION) part = true;
        this.hasPartitionField = part;
    }

    /** The format sinfo uses without {@code -o}: default, {@code -l}, {@code -N}, {@code -N -l}. */
    public static SinfoFormat standard(boolean nodeOriented, boolean longForm) {
        return parse(nodeOriented ? (longForm ? NODE_LONG : NODE) : (longForm ? LONG : DEFAULT));
    }

    /**
     * Parses an {@code -o/--format} string.
     *
     * @throws IllegalArgumentException naming the bad specifier ({@code invalid node format specification: %q})
     */
    public static SinfoFormat parse(String format) {
        List<Item> items = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        int i = 0;
        while (i < format.length()) {
            char c = format.charAt(i);
            if (c != '%') {
                text.append(c);
                i++;
                continue;
            }
            i++;
            if (i < format.length() && format.charAt(i) == '%') {
                text.append('%');
                i++;
                continue;
            }
            boolean right = false;
            while (i < format.length() && (format.charAt(i) == '.' || format.charAt(i) == '-')) {
                right = format.charAt(i) == '.';
                i++;
            }
            int width = 0;
            if (i < format.length() && format.charAt(i) == '#') {
                width = -1;
                i++;
            } else {
                int w = i;
                while (i < format.length() && Character.isDigit(format.charAt(i))) i++;
                if (i - w > 4) throw new IllegalArgumentException("field width too large in sinfo format");
                if (i > w) width = Integer.parseInt(format.substring(w, i));
            }
            if (i >= format.length()) throw new IllegalArgumentException("invalid node format specification: no field letter at the end");
            char letter = format.charAt(i++);
            Spec spec = SPECS.get(letter);
            if (spec == null) throw new IllegalArgumentException("invalid node format specification: %" + letter);
            if (!text.isEmpty()) {
                items.add(new Text(text.toString()));
                text.setLength(0);
            }
            items.add(new Field(spec, width, right));
        }
        if (!text.isEmpty()) items.add(new Text(text.toString()));
        return new SinfoFormat(items);
    }

    /**
     * Prints the header (unless {@code noHeader}) and the lines, each ending with a newline. Only nodes in at
     * least one of {@code partitions} are printed, so passing fewer partitions is {@code sinfo -p}.
     *
     * @param partitions   in the order to print
     * @param nodes        in the order to print; a node's {@link NodeView#partitions()} places it
     * @param nodeOriented {@code -N}: one line per node (and partition, when a partition field is printed)
     * @param compress     turns node names into a hostlist expression (the core's {@code Hostlist::compress})
     */
    public String render(List<PartitionView> partitions, List<NodeView> nodes, boolean nodeOriented, boolean noHeader,
                         Function<List<String>, String> compress) {
        List<List<String>> rows = new ArrayList<>();
        if (nodeOriented) {
            for (NodeView n : inAny(nodes, partitions)) {
                if (!hasPartitionField) {
                    rows.add(values(null, List.of(n), compress));
                    continue;
                }
                for (PartitionView p : partitions) {
                    if (n.partitions().contains(p.name())) rows.add(values(p, List.of(n), compress));
                }
            }
        } else if (hasPartitionField) {
            for (PartitionView p : partitions) {
                List<NodeView> members = new ArrayList<>();
                for (NodeView n : nodes) if (n.partitions().contains(p.name())) members.add(n);
                if (members.isEmpty()) rows.add(values(p, List.of(), compress));
                for (List<NodeView> group : group(members)) rows.add(values(p, group, compress));
            }
        } else {
            for (List<NodeView> group : group(inAny(nodes, partitions))) rows.add(values(null, group, compress));
        }
        return layout(rows, noHeader);
    }

    /** The nodes that belong to at least one of the partitions, each once, in their order. */
    private static List<NodeView> inAny(List<NodeView> nodes, List<PartitionView> partitions) {
        List<NodeView> out = new ArrayList<>();
        for (NodeView n : nodes) {
            for (PartitionView p : partitions) {
                if (n.partitions().contains(p.name())) {
                    out.add(n);
                    break;
                }
            }
        }
        return out;
    }

    /** Nodes alike in every printed per-node field, in order of first appearance. */
    private List<List<NodeView>> group(List<NodeView> nodes) {
        Map<List<String>, List<NodeView>> groups = new LinkedHashMap<>();
        for (NodeView n : nodes) {
            List<String> key = new ArrayList<>();
            for (Item it : items) {
                if (it instanceof Field f && f.spec().kind() == Kind.NODE && "tTEfG".indexOf(f.spec().letter()) >= 0) {
                    key.add(value(f.spec().letter(), null, List.of(n), null));
                }
            }
            List<NodeView> g = groups.get(key);
            if (g == null) {
                g = new ArrayList<>();
                groups.put(key, g);
            }
            g.add(n);
        }
        return new ArrayList<>(groups.values());
    }

    private List<String> values(PartitionView p, List<NodeView> nodes, Function<List<String>, String> compress) {
        List<String> out = new ArrayList<>();
        for (Item it : items) {
            if (!(it instanceof Field f)) continue;
            if (nodes.isEmpty() && f.spec().kind() == Kind.NODE) {
                out.add("n/a");
            } else {
                out.add(value(f.spec().letter(), p, nodes, compress));
            }
        }
        return out;
    }

    private String layout(List<List<String>> rows, boolean noHeader) {
        // widths of '#' columns: the widest value, header included
        List<Integer> widths = new ArrayList<>();
        int col = 0;
        for (Item it : items) {
            if (!(it instanceof Field f)) continue;
            int w = f.width();
            if (w < 0) {
                w = f.spec().header().length();
                for (List<String> r : rows) w = Math.max(w, r.get(col).length());
            }
            widths.add(w);
            col++;
        }
        StringBuilder sb = new StringBuilder();
        if (!noHeader) {
            List<String> header = new ArrayList<>();
            for (Item it : items) if (it instanceof Field f) header.add(f.spec().header());
            line(sb, header, widths);
        }
        for (List<String> r : rows) line(sb, r, widths);
        return sb.toString();
    }

    private void line(StringBuilder sb, List<String> values, List<Integer> widths) {
        int col = 0;
        for (Item it : items) {
            if (it instanceof Field f) {
                Columns.append(sb, values.get(col), widths.get(col), f.right(), true);
                col++;
            } else {
                sb.append(((Text) it).text());
            }
        }
        sb.append('\n');
    }

    // ---------------------------------------------------------------------------------------------------

    private static List<String> names(List<NodeView> nodes) {
        List<String> out = new ArrayList<>(nodes.size());
        for (NodeView n : nodes) out.add(n.name());
        return out;
    }

    private static String limit(long seconds) {
        if (Columns.unlimited(seconds) || seconds <= 0) return "infinite";
        return SlurmTime.formatElapsed(seconds);
    }

    private static String jobSize(int maxNodes) {
        return maxNodes <= 0 || maxNodes == Integer.MAX_VALUE ? "1-infinite" : "1-" + maxNodes;
    }

    private static String gres(NodeView n) {
        if (n.gpus() <= 0) return "(null)";
        return n.gpuType().isEmpty() ? "gpu:" + n.gpus() : "gpu:" + n.gpuType() + ":" + n.gpus();
    }

    /** CPUs (or memory) per node: the value, or the minimum with {@code +} when the nodes differ. */
    private static String minPlus(List<NodeView> nodes, boolean memory) {
        long min = Long.MAX_VALUE, max = Long.MIN_VALUE;
        for (NodeView n : nodes) {
            long v = memory ? n.memMb() : n.cpus();
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        return min == max ? Long.toString(min) : min + "+";
    }

    private static String base(String state) {
        String s = state;
        while (!s.isEmpty() && "*~#!%$@^-".indexOf(s.charAt(s.length() - 1)) >= 0) s = s.substring(0, s.length() - 1);
        return s;
    }

    private static boolean unavailable(NodeView n) {
        return switch (base(n.state())) {
            case "down", "drain", "drained", "drng", "draining", "fail", "failg", "maint", "inval", "futr", "future",
                 "unk", "unknown", "boot", "pow_dn", "npc", "plnd" -> true;
            default -> n.state().endsWith("*");
        };
    }

    private static final int ALLOCATED = 0, IDLE = 1, OTHER = 2;

    /** Nodes allocated (some CPU or GPU in use), idle, or other (down, drained, not responding). */
    private static int count(List<NodeView> nodes, int which) {
        int c = 0;
        for (NodeView n : nodes) {
            int kind = unavailable(n) ? OTHER : n.cpusAlloc() + n.gpusAlloc() > 0 ? ALLOCATED : IDLE;
            if (kind == which) c++;
        }
        return c;
    }

    private static String cpuStates(List<NodeView> nodes) {
        long a = 0, i = 0, o = 0, t = 0;
        for (NodeView n : nodes) {
            a += n.cpusAlloc();
            if (unavailable(n)) o += n.cpus() - n.cpusAlloc();
            else i += n.cpus() - n.cpusAlloc();
            t += n.cpus();
        }
        return a + "/" + i + "/" + o + "/" + t;
    }

    /** sinfo's %T name of a %t state code. */
    static String longState(String compact) {
        String b = base(compact);
        String suffix = compact.substring(b.length());
        String l = switch (b) {
            case "alloc" -> "allocated";
            case "mix" -> "mixed";
            case "drain" -> "drained";
            case "drng" -> "draining";
            case "comp" -> "completing";
            case "resv" -> "reserved";
            case "maint" -> "maintenance";
            case "unk" -> "unknown";
            case "plnd" -> "planned";
            case "futr" -> "future";
            case "inval" -> "invalid";
            case "npc" -> "perfctrs";
            case "failg" -> "failing";
            case "blocked" -> "blocked";
            default -> b;
        };
        return l + suffix;
    }
}
