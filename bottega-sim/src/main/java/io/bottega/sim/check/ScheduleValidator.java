package io.bottega.sim.check;

import io.bottega.core.model.Allocation;
import io.bottega.core.model.Cluster;
import io.bottega.core.model.Demand;
import io.bottega.core.model.JobSpec;
import io.bottega.core.model.JobState;
import io.bottega.core.model.Verdict;
import io.bottega.core.sched.SchedulerConfig;
import io.bottega.sim.JobResult;
import io.bottega.sim.SimJob;
import io.bottega.sim.Simulator;
import io.bottega.sim.Workload;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a simulated schedule from the outside, knowing nothing of how the scheduler works: every job ran,
 * no earlier than it was submitted (or its {@code --begin}), for exactly min(run time, time limit); its
 * allocation is what it asked for on nodes it may use; no core, GPU index, core id or byte of memory is
 * held by two jobs at any instant; and — when jobs are taken in submission order — no job started later
 * than the first reservation it was given (EASY: the head job's shadow time; conservative: every job's).
 */
public final class ScheduleValidator {

    /** One broken rule: the job and what is wrong, in words. */
    public record Violation(long jobId, String what) {
        @Override
        public String toString() { return "job " + jobId + ": " + what; }
    }

    private ScheduleValidator() {}

    public static List<Violation> check(Cluster cluster, Workload workload, SchedulerConfig config, Simulator.Replay replay) {
        List<Violation> out = new ArrayList<>();
        Map<Long, JobResult> results = new HashMap<>();
        for (JobResult r : replay.result().jobs()) results.put(r.jobId(), r);
        Demand.Resolver resolver = new Demand.Resolver(cluster);
        List<long[]> events = new ArrayList<>(); // time, kind (0 end, 1 start), job id
        Map<Long, Allocation> allocs = replay.allocations();
        Map<Long, SimJob> byId = new HashMap<>();

        for (SimJob j : workload.jobs()) {
            JobSpec s = j.spec();
            byId.put(s.id(), j);
            JobResult r = results.get(s.id());
            if (r == null) {
                out.add(new Violation(s.id(), "has no result"));
                continue;
            }
            if (r.start() < s.submitTime()) out.add(new Violation(s.id(), "starts at " + r.start() + " before its submission at " + s.submitTime()));
            if (r.start() < s.beginTime()) out.add(new Violation(s.id(), "starts at " + r.start() + " before its begin time " + s.beginTime()));
            long expected = Math.min(j.runTime(), s.timeLimit());
            if (r.end() - r.start() != expected) {
                out.add(new Violation(s.id(), "ran " + (r.end() - r.start()) + " s, expected min(run " + j.runTime()
                        + ", limit " + s.timeLimit() + ") = " + expected));
            }
            JobState want = j.runTime() > s.timeLimit() ? JobState.TIMEOUT : JobState.COMPLETED;
            if (r.state() != want) out.add(new Violation(s.id(), "ended " + r.state() + ", expected " + want));
            Allocation a = allocs.get(s.id());
            if (a == null) {
                out.add(new Violation(s.id(), "has no allocation"));
                continue;
            }
            Verdict v = resolver.resolve(s);
            if (!(v instanceof Verdict.Fits fits)) {
                out.add(new Violation(s.id(), "ran although its request is refused: " + v));
                continue;
            }
            checkShape(cluster, s.id(), fits.demand(), a, out);
            Long reserved = replay.firstReservation().get(s.id());
            if (reserved != null && config.order() == SchedulerConfig.Order.FCFS
                    && config.backfill() != SchedulerConfig.Backfill.FCFS && r.start() > reserved) {
                out.add(new Violation(s.id(), "started at " + r.start() + ", later than its reservation at " + reserved));
            }
            if (r.end() > r.start()) { // a job that runs 0 s holds nothing over any stretch of time
                events.add(new long[] {r.start(), 1, s.id()});
                events.add(new long[] {r.end(), 0, s.id()});
            }
        }
        checkCapacity(cluster, events, allocs, out);
        return out;
    }

    private static void checkShape(Cluster c, long id, Demand d, Allocation a, List<Violation> out) {
        if (a.nodeCount() < d.nodesMin() || a.nodeCount() > d.nodesMax()) {
            out.add(new Violation(id, "runs on " + a.nodeCount() + " nodes, asked for " + d.nodesMin() + "-" + d.nodesMax()));
        }
        if (a.totalTasks() != d.tasks()) out.add(new Violation(id, "runs " + a.totalTasks() + " tasks, asked for " + d.tasks()));
        for (int i = 0; i < a.nodeCount(); i++) {
            int node = a.node(i);
            int t = a.tasks(i);
            if (!d.eligible().contains(node)) out.add(new Violation(id, "runs on node " + c.nodeName(node) + " outside its partition or features"));
            if (t <= 0) out.add(new Violation(id, "has no task on node " + c.nodeName(node)));
            if (d.tasksPerNode() > 0 && t > d.tasksPerNode()) out.add(new Violation(id, t + " tasks on node " + c.nodeName(node) + " > tasks per node"));
            if (a.cores(i) != d.coresFor(c, node, t)) out.add(new Violation(id, a.cores(i) + " cores on " + c.nodeName(node) + ", expected " + d.coresFor(c, node, t)));
            if (a.gpus(i) != d.gpusFor(c, node, t)) out.add(new Violation(id, a.gpus(i) + " GPUs on " + c.nodeName(node) + ", expected " + d.gpusFor(c, node, t)));
            if (a.memMb(i) != d.memFor(c, node, t)) out.add(new Violation(id, a.memMb(i) + " MB on " + c.nodeName(node) + ", expected " + d.memFor(c, node, t)));
            if (c.coreBinding(node)) {
                int bound = 0;
                for (long w : a.coreIds(i)) bound += Long.bitCount(w);
                if (bound != a.cores(i)) out.add(new Violation(id, bound + " core ids for " + a.cores(i) + " cores on " + c.nodeName(node)));
            }
        }
    }

    private static void checkCapacity(Cluster c, List<long[]> events, Map<Long, Allocation> allocs, List<Violation> out) {
        events.sort((x, y) -> x[0] != y[0] ? Long.compare(x[0], y[0]) : x[1] != y[1] ? Long.compare(x[1], y[1]) : Long.compare(x[2], y[2]));
        int n = c.nodeCount();
        long[] cores = new long[n];
        long[] mem = new long[n];
        long[] gpus = new long[n];
        long[][] coreIds = new long[n][];
        for (int i = 0; i < n; i++) coreIds[i] = new long[(c.cores(i) + 63) >> 6];
        for (long[] e : events) {
            long id = e[2];
            Allocation a = allocs.get(id);
            boolean start = e[1] == 1;
            for (int i = 0; i < a.nodeCount(); i++) {
                int node = a.node(i);
                long[] ids = a.coreIds(i);
                if (start) {
                    cores[node] += a.cores(i);
                    mem[node] += a.memMb(i);
                    if (cores[node] > c.cores(node)) out.add(new Violation(id, "node " + c.nodeName(node) + " has " + cores[node] + " of " + c.cores(node) + " cores taken at " + e[0]));
                    if (mem[node] > c.memoryMb(node)) out.add(new Violation(id, "node " + c.nodeName(node) + " has " + mem[node] + " of " + c.memoryMb(node) + " MB taken at " + e[0]));
                    long gm = a.gpuMask(i);
                    if ((gpus[node] & gm) != 0) out.add(new Violation(id, "GPUs " + Long.toBinaryString(gpus[node] & gm) + " of node " + c.nodeName(node) + " are already taken at " + e[0]));
                    if (c.gpus(node) < 64 && (gm >>> c.gpus(node)) != 0) out.add(new Violation(id, "GPU index beyond node " + c.nodeName(node) + "'s " + c.gpus(node)));
                    gpus[node] |= gm;
                    for (int w = 0; w < ids.length; w++) {
                        if (w >= coreIds[node].length || (coreIds[node][w] & ids[w]) != 0) {
                            out.add(new Violation(id, "core ids of node " + c.nodeName(node) + " already taken at " + e[0]));
                        } else {
                            coreIds[node][w] |= ids[w];
                        }
                    }
                } else {
                    cores[node] -= a.cores(i);
                    mem[node] -= a.memMb(i);
                    gpus[node] &= ~a.gpuMask(i);
                    for (int w = 0; w < ids.length && w < coreIds[node].length; w++) coreIds[node][w] &= ~ids[w];
                }
            }
        }
        for (int i = 0; i < n; i++) {
            if (cores[i] != 0 || mem[i] != 0 || gpus[i] != 0 || Arrays.stream(coreIds[i]).anyMatch(w -> w != 0)) {
                out.add(new Violation(-1, "node " + c.nodeName(i) + " still has resources taken after the last job"));
            }
        }
    }
}
