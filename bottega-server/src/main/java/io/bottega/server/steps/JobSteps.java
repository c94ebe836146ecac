package io.bottega.server.steps;

import java.util.BitSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One running job's steps: the job's shape, what its running steps hold on each node (the per-job
 * ledger that keeps steps from oversubscribing cores and GPUs), the next step id, and every node that has
 * run a step of the job (all of them are told when the job ends).
 */
final class JobSteps {
    final JobShape shape;
    final String user;
    final BitSet[] busyCores;
    final BitSet[] busyGpus;
    final Map<Integer, ServerStep> active = new TreeMap<>();
    final Set<String> nodesUsed = new LinkedHashSet<>();
    int nextId;

    JobSteps(JobShape shape, String user) {
        this.shape = shape;
        this.user = user;
        int n = shape.nodes().size();
        busyCores = new BitSet[n];
        busyGpus = new BitSet[n];
        for (int i = 0; i < n; i++) {
            busyCores[i] = new BitSet();
            busyGpus[i] = new BitSet();
        }
    }

    void hold(StepPlacer.Placement p) {
        if (p.overlap()) return;
        for (StepPlacer.NodeSlot s : p.nodes()) {
            for (int c : s.cores()) busyCores[s.jobIndex()].set(c);
            for (int g : s.gpus()) busyGpus[s.jobIndex()].set(g);
        }
    }

    void release(StepPlacer.Placement p) {
        if (p.overlap()) return;
        for (StepPlacer.NodeSlot s : p.nodes()) {
            for (int c : s.cores()) busyCores[s.jobIndex()].clear(c);
            for (int g : s.gpus()) busyGpus[s.jobIndex()].clear(g);
        }
    }
}
