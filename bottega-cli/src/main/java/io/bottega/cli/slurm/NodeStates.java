package io.bottega.cli.slurm;

import io.bottega.api.NodeView;

/** A node's state as scontrol prints it ({@code IDLE}, {@code MIXED+DRAIN}, {@code DOWN+NOT_RESPONDING}). */
final class NodeStates {
    private NodeStates() {}

    /** sinfo's compact state without its suffix flags ({@code drain*} → {@code drain}). */
    static String base(String state) {
        int end = state.length();
        while (end > 0 && "*~#!%$@^-+".indexOf(state.charAt(end - 1)) >= 0) end--;
        return state.substring(0, end);
    }

    /**
     * The compact state ({@code mix}) of a state given compact or long ({@code mixed}), suffix flags kept:
     * {@link NodeView#state()} is documented compact, and a controller that sends the long name is read alike.
     */
    static String compact(String state) {
        String b = base(state);
        String c = switch (b) {
            case "allocated" -> "alloc";
            case "mixed" -> "mix";
            case "drained" -> "drain";
            case "draining" -> "drng";
            case "completing" -> "comp";
            case "reserved" -> "resv";
            case "maintenance" -> "maint";
            case "unknown" -> "unk";
            case "failing" -> "failg";
            case "planned" -> "plnd";
            case "future" -> "futr";
            case "invalid" -> "inval";
            default -> b;
        };
        return c.equals(b) ? state : c + state.substring(b.length());
    }

    /** {@code n} with its state compact (see {@link #compact}). */
    static NodeView withCompactState(NodeView n) {
        String c = compact(n.state());
        if (c.equals(n.state())) return n;
        return new NodeView(n.name(), c, n.reason(), n.partitions(), n.cpus(), n.cpusAlloc(), n.memMb(), n.memAllocMb(), n.gpus(),
                n.gpusAlloc(), n.gpuType(), n.features(), n.group());
    }

    static String scontrol(NodeView n) {
        String b = base(compact(n.state()));
        String busy = n.cpusAlloc() <= 0 && n.gpusAlloc() <= 0 ? "IDLE"
                : n.cpusAlloc() >= n.cpus() && n.gpusAlloc() >= n.gpus() ? "ALLOCATED" : "MIXED";
        String s = switch (b) {
            case "idle" -> "IDLE";
            case "alloc" -> "ALLOCATED";
            case "mix" -> "MIXED";
            case "down" -> "DOWN";
            case "drain", "drained" -> "IDLE+DRAIN";
            case "drng", "draining" -> busy + "+DRAIN";
            case "comp" -> busy + "+COMPLETING";
            case "fail" -> "IDLE+FAIL";
            case "failg" -> busy + "+FAIL";
            case "maint" -> busy + "+MAINTENANCE";
            case "resv" -> busy + "+RESERVED";
            case "unk" -> "UNKNOWN";
            default -> b.toUpperCase(java.util.Locale.ROOT);
        };
        return n.state().endsWith("*") ? s + "+NOT_RESPONDING" : s;
    }
}
