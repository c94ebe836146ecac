package io.bottega.server.steps;

import io.bottega.api.StepRequest;
import io.bottega.core.model.Hostlist;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;

/**
 * Places a job step's tasks inside the job's allocation, as Slurm 22.05 does: without {@code --exact}
 * ({@code --exclusive}) a step takes all of the job's CPUs on each of its nodes, with it only
 * {@code tasks × cpus-per-task}; GPUs only as asked ({@code --gpus-per-task}, {@code --gres=gpu:N}), or all
 * of the job's on the node when the step asks for none. Steps do not share what they hold
 * ({@code busy}) unless {@code --overlap}. Tasks are laid out block-wise (ranks 0..k-1 on the first node)
 * and each gets its own {@code cpus-per-task} cores ({@code --cpu-bind=cores}). Pure: no state, no I/O.
 */
final class StepPlacer {
    private StepPlacer() {}

    /** One task: its rank, local id, and the cores and GPUs it is bound to (node ids). */
    record TaskSlot(int rank, int localId, int[] cpus, int[] gpus) {}

    /** The step on one node: the node's index in the job, what the step holds there, its tasks. */
    record NodeSlot(int jobIndex, String name, int[] cores, int[] gpus, List<TaskSlot> tasks) {}

    /**
     * Where a step runs.
     *
     * @param cpuBind what the agent does: {@code none} or {@code cores}, after {@code verbose,} when asked
     */
    record Placement(List<NodeSlot> nodes, int ntasks, int cpusPerTask, boolean overlap, String cpuBind) {
        int cpus() {
            int n = 0;
            for (NodeSlot s : nodes) n += s.cores().length;
            return n;
        }

        int gpus() {
            int n = 0;
            for (NodeSlot s : nodes) n += s.gpus().length;
            return n;
        }

        List<String> nodeNames() {
            List<String> out = new ArrayList<>();
            for (NodeSlot s : nodes) out.add(s.name());
            return out;
        }

        int[] tasksPerNode() {
            int[] t = new int[nodes.size()];
            for (int i = 0; i < t.length; i++) t[i] = nodes.get(i).tasks().size();
            return t;
        }
    }

    /** The step cannot start: {@code temporary} when other steps hold what it needs (it may start later). */
    static final class Refused extends Exception {
        private final boolean temporary;

        Refused(String message, boolean temporary) {
            super(message, null, false, false);
            this.temporary = temporary;
        }

        boolean temporary() { return temporary; }
    }

    private record Bind(String mode, boolean verbose, int[] map) {}

    /**
     * @param busyCores per job node, the cores other (non-overlapping) steps hold
     * @param busyGpus  per job node, the GPUs they hold
     */
    static Placement place(JobShape job, BitSet[] busyCores, BitSet[] busyGpus, StepRequest r) throws Refused {
        int c = r.cpusPerTask() > 0 ? r.cpusPerTask() : job.cpusPerTask();
        Bind cpuBind = cpuBind(r.cpuBind());
        Bind gpuBind = gpuBind(r.gpuBind());
        if (r.ntasks() < 0 || r.nodes() < 0 || r.ntasksPerNode() < 0 || r.cpusPerTask() < 0 || r.gpusPerTask() < 0) {
            throw new Refused("counts must not be negative", false);
        }

        // the candidate nodes, in the job's order
        List<Integer> candidates = new ArrayList<>();
        if (!r.nodeList().isEmpty()) {
            List<String> names;
            try {
                names = Hostlist.expand(r.nodeList());
            } catch (IllegalArgumentException e) {
                throw new Refused("Invalid node name specified: " + r.nodeList() + " (" + e.getMessage() + ")", false);
            }
            boolean[] want = new boolean[job.nodes().size()];
            for (String n : names) {
                int i = job.indexOf(n);
                if (i < 0) throw new Refused("Requested node configuration is not available: node " + n + " is not in the job's allocation ("
                        + Hostlist.compress(job.nodes().stream().map(JobShape.Node::name).toList()) + ")", false);
                want[i] = true;
            }
            for (int i = 0; i < want.length; i++) if (want[i]) candidates.add(i);
        } else {
            for (int i = 0; i < job.nodes().size(); i++) candidates.add(i);
        }

        // how many nodes and tasks
        int n = r.ntasks();
        int nodes = r.nodes();
        int tpn = r.ntasksPerNode();
        boolean listed = !r.nodeList().isEmpty();
        if (listed) {
            if (nodes > candidates.size()) {
                throw new Refused("-N " + nodes + " asks for more nodes than -w names (" + candidates.size() + ")", false);
            }
            if (nodes == 0) nodes = candidates.size();
        }
        if (nodes > job.nodes().size()) {
            throw new Refused("Requested node configuration is not available: -N " + nodes + " but the job has "
                    + job.nodes().size() + " node" + (job.nodes().size() == 1 ? "" : "s"), false);
        }
        boolean jobLayout = n == 0 && nodes == 0 && tpn == 0;
        if (jobLayout) {
            nodes = candidates.size();
            for (int k : candidates) n += Math.max(1, job.nodes().get(k).tasks());
        } else if (n == 0) {
            n = tpn > 0 ? (nodes > 0 ? nodes : candidates.size()) * tpn : Math.max(1, nodes);
        }
        if (nodes == 0) {
            if (tpn > 0) {
                nodes = (n + tpn - 1) / tpn;
            } else {
                // as few nodes as hold the tasks, each filled to the job's CPUs there
                int cap = 0;
                for (int k : candidates) {
                    if (cap >= n) break;
                    cap += job.nodes().get(k).cores().length / c;
                    nodes++;
                }
            }
        }
        if (nodes > n) nodes = n;   // Slurm: "can't run N processes on M nodes, setting nnodes to N"
        if (nodes > candidates.size()) {
            throw new Refused("Requested node configuration is not available: " + nodes + " nodes asked for, "
                    + candidates.size() + " available to the step", false);
        }
        if (tpn > 0 && (long) tpn * nodes < n) {
            throw new Refused("Requested node configuration is not available: " + n + " tasks do not fit " + nodes
                    + " node(s) at " + tpn + " per node", false);
        }

        // the nodes and how many tasks each, first counting what other steps hold, then (to tell "later" from "never") not
        NodeSlot[] placed = layout(job, busyCores, busyGpus, r, c, candidates, nodes, n, tpn, jobLayout, true);
        if (placed == null) {
            if (layout(job, busyCores, busyGpus, r, c, candidates, nodes, n, tpn, jobLayout, false) == null) {
                throw new Refused(impossible(job, r, c, candidates, nodes, n), false);
            }
            throw new Refused("Requested nodes are busy: the job's other steps hold the CPUs or GPUs this step needs", true);
        }

        // ranks block-wise, cores and GPUs per task
        List<NodeSlot> out = new ArrayList<>();
        int rank = 0;
        for (NodeSlot s : placed) {
            List<TaskSlot> tasks = new ArrayList<>();
            int t = s.tasks().size();
            int g = r.gpusPerTask();
            for (int j = 0; j < t; j++) {
                int[] cpus;
                if (cpuBind.mode().equals("none")) {
                    cpus = new int[0];
                } else if (cpuBind.mode().equals("rank")) {
                    cpus = new int[] {s.cores()[j % s.cores().length]};
                } else if (cpuBind.mode().equals("map_cpu")) {
                    int want = cpuBind.map()[j % cpuBind.map().length];
                    if (!contains(job.nodes().get(s.jobIndex()).cores(), want)) {
                        throw new Refused("--cpu-bind=map_cpu: core " + want + " is not the job's on " + s.name(), false);
                    }
                    cpus = new int[] {want};
                } else {
                    int per = Math.max(c, s.cores().length / Math.max(1, t));
                    int from = Math.min(j * per, Math.max(0, s.cores().length - c));
                    cpus = Arrays.copyOfRange(s.cores(), from, Math.min(s.cores().length, from + per));
                }
                int[] gpus;
                if (gpuBind.mode().equals("none") || (g == 0 && gpuBind.map() == null)) {
                    gpus = s.gpus().clone();
                } else if (gpuBind.map() != null) {
                    int want = gpuBind.map()[j % gpuBind.map().length];
                    if (!contains(s.gpus(), want)) {
                        throw new Refused("--gpu-bind=map_gpu: GPU " + want + " is not the step's on " + s.name()
                                + " (it holds " + Arrays.toString(s.gpus()) + ")", false);
                    }
                    gpus = new int[] {want};
                } else {
                    gpus = Arrays.copyOfRange(s.gpus(), j * g, Math.min(s.gpus().length, (j + 1) * g));
                }
                tasks.add(new TaskSlot(rank++, j, cpus, gpus));
            }
            out.add(new NodeSlot(s.jobIndex(), s.name(), s.cores(), s.gpus(), tasks));
        }
        String bind = (cpuBind.verbose() ? "verbose," : "") + (cpuBind.mode().equals("none") ? "none" : "cores");
        return new Placement(out, n, c, r.overlap(), bind);
    }

    /** How many tasks node {@code i} can take for this step (counting what other steps hold when {@code busy} is given). */
    private static int capacity(JobShape job, int i, StepRequest r, int c, BitSet busyCores, BitSet busyGpus) {
        JobShape.Node node = job.nodes().get(i);
        int cores = node.cores().length;
        if (busyCores != null) {
            int free = 0;
            for (int x : node.cores()) if (!busyCores.get(x)) free++;
            if (!r.exact() && free < cores) return 0;   // a step without --exact takes all of the job's CPUs there
            cores = free;
        }
        int cap = cores / c;
        int gpus = node.gpus().length;
        if (busyGpus != null) {
            int free = 0;
            for (int x : node.gpus()) if (!busyGpus.get(x)) free++;
            if (r.gpusPerTask() == 0 && r.gpusPerNode() == 0 && free < gpus) return 0;   // all of the job's GPUs there
            gpus = free;
        }
        if (r.gpusPerTask() > 0) cap = Math.min(cap, gpus / r.gpusPerTask());
        else if (r.gpusPerNode() > 0 && gpus < r.gpusPerNode()) cap = 0;
        return cap;
    }

    /**
     * Chooses the step's nodes (the first {@code nodes} candidates that can take a task) and lays {@code n} tasks on
     * them block-wise: with {@code tpn}, that many per node; else spread evenly, as far as each node holds, the rest
     * on the first nodes with room; the job's own layout when nothing was asked for. Null when they do not fit.
     */
    private static NodeSlot[] layout(JobShape job, BitSet[] busyCores, BitSet[] busyGpus, StepRequest r, int c,
                                     List<Integer> candidates, int nodes, int n, int tpn, boolean jobLayout, boolean busy) {
        boolean respect = busy && !r.overlap();
        List<Integer> chosen = new ArrayList<>();
        List<Integer> caps = new ArrayList<>();
        boolean all = !r.nodeList().isEmpty() && nodes == candidates.size();
        for (int i : candidates) {
            if (chosen.size() == nodes) break;
            int cap = capacity(job, i, r, c, respect ? busyCores[i] : null, respect ? busyGpus[i] : null);
            if (jobLayout && cap < Math.max(1, job.nodes().get(i).tasks())) return null;
            if (cap < 1) {
                if (all || jobLayout) return null;   // each named node must take part
                continue;
            }
            chosen.add(i);
            caps.add(cap);
        }
        if (chosen.size() < nodes) return null;
        int[] t = new int[nodes];
        if (jobLayout) {
            for (int k = 0; k < nodes; k++) t[k] = Math.max(1, job.nodes().get(chosen.get(k)).tasks());
        } else if (tpn > 0) {
            int left = n;
            for (int k = 0; k < nodes; k++) {
                t[k] = Math.min(Math.min(tpn, caps.get(k)), left - (nodes - k - 1));
                if (t[k] < 1) return null;
                left -= t[k];
            }
            if (left != 0) return null;
        } else {
            int left = n;
            for (int k = 0; k < nodes; k++) {
                t[k] = Math.min(caps.get(k), Math.max(1, n / nodes));
                left -= t[k];
            }
            for (int k = 0; k < nodes && left > 0; k++) {
                int more = Math.min(left, caps.get(k) - t[k]);
                t[k] += more;
                left -= more;
            }
            if (left != 0) return null;
        }
        NodeSlot[] out = new NodeSlot[nodes];
        for (int k = 0; k < nodes; k++) {
            out[k] = fit(job, chosen.get(k), t[k], c, r, respect ? busyCores : null, respect ? busyGpus : null);
            if (out[k] == null) return null;
        }
        return out;
    }

    /** The step's share of job node {@code i} for {@code tasks} tasks; null when it does not fit ({@code busy*}: other steps'). */
    private static NodeSlot fit(JobShape job, int i, int tasks, int c, StepRequest r, BitSet[] busyCores, BitSet[] busyGpus) {
        JobShape.Node node = job.nodes().get(i);
        long needCores = (long) tasks * c;
        if (needCores > node.cores().length) return null;
        BitSet bc = busyCores == null ? new BitSet() : busyCores[i];
        int[] cores;
        if (r.exact()) {
            cores = first(node.cores(), bc, (int) needCores, busyCores == null);
            if (cores == null) return null;
        } else {
            for (int x : node.cores()) if (bc.get(x)) return null;
            cores = node.cores().clone();
        }
        int needGpus;
        if (r.gpusPerTask() > 0) needGpus = tasks * r.gpusPerTask();
        else if (r.gpusPerNode() > 0) needGpus = r.gpusPerNode();
        else if (r.gpusPerNode() < 0) needGpus = 0;
        else needGpus = node.gpus().length;   // none asked for: all of the job's GPUs on the node
        if (needGpus > node.gpus().length) return null;
        BitSet bg = busyGpus == null ? new BitSet() : busyGpus[i];
        int[] gpus = first(node.gpus(), bg, needGpus, busyGpus == null);
        if (gpus == null) return null;
        List<TaskSlot> placeholder = new ArrayList<>();
        for (int t = 0; t < tasks; t++) placeholder.add(null);
        return new NodeSlot(i, node.name(), cores, gpus, placeholder);
    }

    /** The first {@code count} ids not busy (free ones first, busy ones after when {@code anyway}). */
    private static int[] first(int[] ids, BitSet busy, int count, boolean anyway) {
        int[] out = new int[count];
        int k = 0;
        for (int x : ids) if (k < count && !busy.get(x)) out[k++] = x;
        if (anyway) for (int x : ids) if (k < count && busy.get(x)) out[k++] = x;
        if (k < count) return null;
        Arrays.sort(out);
        return out;
    }

    private static boolean contains(int[] a, int x) {
        for (int v : a) if (v == x) return true;
        return false;
    }

    private static String impossible(JobShape job, StepRequest r, int c, List<Integer> candidates, int nodes, int n) {
        int maxCores = 0, maxGpus = 0, cap = 0;
        for (int i : candidates) {
            maxCores = Math.max(maxCores, job.nodes().get(i).cores().length);
            maxGpus = Math.max(maxGpus, job.nodes().get(i).gpus().length);
            cap += capacity(job, i, r, c, null, null);
        }
        if (c > maxCores) {
            return "More processors requested than permitted: " + c + " CPU(s) per task, the job has at most " + maxCores
                    + " CPU(s) on a node";
        }
        if (r.gpusPerTask() > maxGpus || r.gpusPerNode() > maxGpus) {
            return "Requested node configuration is not available: " + Math.max(r.gpusPerTask(), r.gpusPerNode())
                    + " GPU(s) on a node, the job has at most " + maxGpus;
        }
        return "More processors requested than permitted: " + n + " task(s) of " + c + " CPU(s)" + (r.gpusPerTask() > 0 ? " and "
                + r.gpusPerTask() + " GPU(s)" : "") + " on " + nodes + " node(s); the job's nodes hold " + cap + " such task(s)";
    }

    private static Bind cpuBind(String spec) throws Refused {
        boolean verbose = false;
        String mode = "cores";
        int[] map = null;
        String s = spec.toLowerCase(Locale.ROOT);
        int m = s.indexOf("map_cpu:");
        if (m >= 0) {
            map = ints(s.substring(m + 8), "--cpu-bind=map_cpu");
            mode = "map_cpu";
            s = s.substring(0, m);
        }
        for (String part : s.split(",")) {
            String p = part.strip();
            if (p.isEmpty()) continue;
            switch (p) {
                case "verbose", "v" -> verbose = true;
                case "quiet", "q" -> verbose = false;
                case "none", "no" -> mode = "none";
                case "cores", "threads" -> mode = "cores";
                case "rank" -> mode = "rank";
                default -> throw new Refused("--cpu-bind=" + p + " is not supported by Bottega yet (use none, cores, threads, "
                        + "rank or map_cpu:LIST, optionally with verbose)", false);
            }
        }
        return new Bind(mode, verbose, map);
    }

    private static Bind gpuBind(String spec) throws Refused {
        boolean verbose = false;
        String mode = "";
        int[] map = null;
        String s = spec.toLowerCase(Locale.ROOT);
        int m = s.indexOf("map_gpu:");
        if (m >= 0) {
            map = ints(s.substring(m + 8), "--gpu-bind=map_gpu");
            mode = "map_gpu";
            s = s.substring(0, m);
        }
        for (String part : s.split(",")) {
            String p = part.strip();
            if (p.isEmpty()) continue;
            switch (p) {
                case "verbose" -> verbose = true;
                case "none" -> mode = "none";
                case "closest" -> mode = "closest";
                default -> throw new Refused("--gpu-bind=" + p + " is not supported by Bottega yet (use none, closest or "
                        + "map_gpu:LIST)", false);
            }
        }
        return new Bind(mode, verbose, map);
    }

    private static int[] ints(String list, String what) throws Refused {
        String[] parts = list.split("[,:]");
        int[] out = new int[parts.length];
        try {
            for (int i = 0; i < parts.length; i++) out[i] = Integer.parseInt(parts[i].strip());
        } catch (NumberFormatException e) {
            throw new Refused(what + ":" + list + ": expected numbers", false);
        }
        if (out.length == 0) throw new Refused(what + ": empty list", false);
        return out;
    }
}
