package io.bottega.server.dashboard;

import io.bottega.api.NodeView;
import io.bottega.server.loop.ControllerLoop.JobBrief;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the controller's loop said at one instant (the node views, every active job, each agent's heartbeat
 * lag), copied off the loop thread; the dashboard and the metrics read it from their own threads.
 *
 * @param takenMillis when it was taken (controller clock)
 * @param nodes       every node in the cluster's order (index = node id)
 * @param jobs        every pending job (id order), then every running job
 * @param lagMillis   per node, milliseconds since its agent last synced; -1 for never
 */
public record Snapshot(long takenMillis, String cluster, List<NodeView> nodes, List<JobBrief> jobs, long[] lagMillis) {
    /** The running jobs on each node: {@code jobsOnNode()[nodeIndex]}, never null. */
    public List<List<JobBrief>> jobsByNode() {
        List<List<JobBrief>> out = new ArrayList<>(nodes.size());
        for (int i = 0; i < nodes.size(); i++) out.add(List.of());
        for (JobBrief j : jobs) {
            for (int n : j.nodeIds()) {
                if (n < 0 || n >= out.size()) continue;
                List<JobBrief> l = out.get(n);
                if (l.isEmpty()) {
                    l = new ArrayList<>(2);
                    out.set(n, l);
                }
                l.add(j);
            }
        }
        return out;
    }

    /** The node's index by name. */
    public Map<String, Integer> nodeIndex() {
        Map<String, Integer> m = new HashMap<>(nodes.size() * 2);
        for (int i = 0; i < nodes.size(); i++) m.put(nodes.get(i).name(), i);
        return m;
    }

    public long gpus() { return sum(NodeView::gpus); }

    public long gpusAlloc() { return sum(NodeView::gpusAlloc); }

    public long cpus() { return sum(NodeView::cpus); }

    public long cpusAlloc() { return sum(NodeView::cpusAlloc); }

    private long sum(java.util.function.ToLongFunction<NodeView> f) {
        long s = 0;
        for (NodeView n : nodes) s += f.applyAsLong(n);
        return s;
    }

    public int count(String state) {
        int c = 0;
        for (JobBrief j : jobs) if (j.row().state().equals(state)) c++;
        return c;
    }
}
