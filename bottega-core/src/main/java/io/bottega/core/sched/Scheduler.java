package io.bottega.core.sched;

import io.bottega.core.model.Allocation;
import io.bottega.core.model.Cluster;
import io.bottega.core.model.Demand;
import io.bottega.core.model.NodeSet;
import io.bottega.core.model.PendingReason;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * One scheduling pass: order → filter → place → plan → decide (see DESIGN.md). The same object drives the
 * controller (real time) and the simulator (simulated time): it never reads a clock, never blocks and does
 * no I/O; {@code now} is an argument. Same ledger, queue and {@code now} → same plan.
 *
 * <ol>
 *   <li><b>order</b>: FCFS (submit time, then job id) or priority (highest first, then submit, then id). A queue
 *       that arrives already in order is not sorted again.</li>
 *   <li><b>filter</b>: a job's eligible nodes are its partition ∧ features ∧ GPU type (resolved once, in
 *       {@link Demand}) ∧ the nodes that are schedulable now (a bitmap AND per word).</li>
 *   <li><b>place</b>: {@link Placer} — best fit on one node, else fewest network groups.</li>
 *   <li><b>plan</b>: fcfs stops at the first job that does not fit. EASY gives the first job that does not fit a
 *       reservation at the shadow time (the earliest time it fits when running jobs end at start + limit);
 *       later jobs start now only where they fit now and either end by the shadow time or fit in what the
 *       reservation leaves free at the shadow time (the "extra" resources, per node). Conservative gives every
 *       job the earliest reservation that delays no earlier one, keeping each job's previous reservation in
 *       the profile while it looks for a better one, so a reservation never moves later.</li>
 *   <li><b>decide</b>: starts (allocated in the ledger before this returns), reservations, and — when
 *       asked — a forecast and a pending reason for every other pending job.</li>
 * </ol>
 * Not thread-safe: one scheduler per scheduling thread; it keeps scratch space between passes.
 */
public final class Scheduler {
    private static final Comparator<PendingJob> FCFS =
            Comparator.comparingLong((PendingJob p) -> p.spec().submitTime()).thenComparingLong(PendingJob::id);
    private static final Comparator<PendingJob> PRIORITY = Comparator.comparingLong((PendingJob p) -> -p.priority())
            .thenComparingLong(p -> p.spec().submitTime()).thenComparingLong(PendingJob::id);

    private final Cluster cluster;
    private final SchedulerConfig config;
    private final Placer placer;
    private final Profile profile;
    private final Placer.Limit extra;
    private final int words;
    // eligible-node bitmaps (static set ∧ schedulable), cached per static set while the schedulable set holds
    private final Map<NodeSet, Eligible> eligibleCache = new IdentityHashMap<>();
    private long[] schedulableSeen;

    public Scheduler(Cluster cluster, SchedulerConfig config) {
        this.cluster = cluster;
        this.config = config;
        this.placer = new Placer(cluster);
        this.profile = new Profile(cluster, placer);
        this.extra = new Placer.Limit(cluster.nodeCount());
        this.words = (cluster.nodeCount() + 63) >> 6;
        this.schedulableSeen = new long[words];
    }

    public Cluster cluster() { return cluster; }

    public SchedulerConfig config() { return config; }

    /** What a pass should compute beyond its decisions. */
    public record Options(boolean forecast) {
        public static final Options DECISIONS_ONLY = new Options(false);
        public static final Options WITH_FORECAST = new Options(true);
    }

    /**
     * Runs one pass over {@code queue} (every pending job; any order) at {@code now}. The plan's starts are
     * allocated in {@code ledger} when this returns.
     */
    public Plan schedule(long now, ResourceLedger ledger, List<PendingJob> queue, Options options) {
        if (ledger.cluster() != cluster) throw new IllegalArgumentException("ledger is for another cluster");
        refreshEligibility(ledger);
        List<PendingJob> ordered = order(queue);
        return switch (config.backfill()) {
            case FCFS -> fcfs(now, ledger, ordered, options);
            case EASY -> easy(now, ledger, ordered, options);
            case CONSERVATIVE -> conservative(now, ledger, ordered, options);
        };
    }

    // ---- order

    private List<PendingJob> order(List<PendingJob> queue) {
        Comparator<PendingJob> cmp = config.order() == SchedulerConfig.Order.FCFS ? FCFS : PRIORITY;
        boolean sorted = true;
        PendingJob prev = null;
        for (PendingJob p : queue) {
            if (prev != null && cmp.compare(prev, p) > 0) {
                sorted = false;
                break;
            }
            prev = p;
        }
        if (sorted) return queue;
        PendingJob[] a = queue.toArray(new PendingJob[0]);
        Arrays.sort(a, cmp);
        return Arrays.asList(a);
    }

    // ---- filter

    private void refreshEligibility(ResourceLedger ledger) {
        if (!Arrays.equals(schedulableSeen, ledger.schedulable)) {
            eligibleCache.clear();
            schedulableSeen = ledger.schedulable.clone();
        }
    }

    /** A job's eligible nodes now (its static set ∧ schedulable), with the range of words that hold any. */
    private record Eligible(long[] words, int lo, int hi) {}

    private Eligible eligible(Demand d) {
        NodeSet s = d.eligible();
        Eligible e = eligibleCache.get(s);
        if (e == null) {
            long[] w = new long[words];
            int lo = words, hi = 0;
            for (int i = 0; i < words; i++) {
                w[i] = s.word(i) & schedulableSeen[i];
                if (w[i] != 0) {
                    lo = Math.min(lo, i);
                    hi = i + 1;
                }
            }
            e = new Eligible(w, Math.min(lo, hi), hi);
            eligibleCache.put(s, e);
        }
        return e;
    }

    private static boolean eligibleNow(PendingJob p, long now) {
        return p.hold() == PendingReason.NONE && p.eligibleAt() <= now;
    }

    private static PendingReason ineligibleReason(PendingJob p, long now) {
        return p.hold() != PendingReason.NONE ? p.hold() : PendingReason.BEGIN_TIME;
    }

    private Allocation placeNow(PendingJob p, ResourceLedger ledger, Placer.Limit limit) {
        Demand d = p.demand();
        Eligible e = eligible(d);
        return placer.placeNow(d, ledger, e.words(), e.lo(), e.hi(), limit, true);
    }

    // ---- policies

    private Plan fcfs(long now, ResourceLedger ledger, List<PendingJob> ordered, Options options) {
        List<Decision.Start> starts = new ArrayList<>();
        int i = 0;
        int n = ordered.size();
        for (; i < n; i++) {
            PendingJob p = ordered.get(i);
            if (!eligibleNow(p, now)) continue;
            Allocation a = placeNow(p, ledger, null);
            if (a == null) break;
            start(p, a, now, ledger, starts);
        }
        List<Decision.Wait> waits = options.forecast() ? forecast(now, ledger, ordered, starts, null) : List.of();
        return new Plan(now, starts, List.of(), waits);
    }

    private Plan easy(long now, ResourceLedger ledger, List<PendingJob> ordered, Options options) {
        List<Decision.Start> starts = new ArrayList<>();
        List<Decision.Reserve> reserves = new ArrayList<>(1);
        long shadow = -1;
        PendingJob head = null;
        Reservation headRes = Reservation.NONE;
        int n = ordered.size();
        for (int i = 0; i < n; i++) {
            PendingJob p = ordered.get(i);
            if (!eligibleNow(p, now)) continue;
            if (head == null) {
                Allocation a = placeNow(p, ledger, null);
                if (a != null) {
                    start(p, a, now, ledger, starts);
                    continue;
                }
                headRes = shadow(p, now, ledger);
                if (headRes.isNone()) continue; // can never run on the schedulable nodes: does not block others
                head = p;
                shadow = headRes.start();
                reserves.add(new Decision.Reserve(p.id(), headRes, PendingReason.RESOURCES));
                continue;
            }
            if (ledger.freeCoresTotal == 0) break; // every job needs a core: nothing more can start
            Demand d = p.demand();
            long end = now + d.timeLimit();
            boolean pastShadow = end > shadow || end < now;
            Allocation a = placeNow(p, ledger, pastShadow ? extra : null);
            if (a == null) continue;
            start(p, a, now, ledger, starts);
            if (pastShadow) takeExtra(a);
        }
        List<Decision.Wait> waits = options.forecast()
                ? forecast(now, ledger, ordered, starts, head == null ? null : Map.of(head.id(), headRes))
                : List.of();
        return new Plan(now, starts, reserves, waits);
    }

    /**
     * The head job's reservation: walks running jobs in order of expected end, giving their resources back,
     * until the job fits; records in {@link #extra} what each node then has beyond the reservation.
     */
    private Reservation shadow(PendingJob p, long now, ResourceLedger ledger) {
        extra.clear();
        Demand d = p.demand();
        Eligible el = eligible(d);
        long[] e = el.words();
        int lo = el.lo(), hi = el.hi();
        if (hi <= lo) return Reservation.NONE;
        List<ResourceLedger.Running> suspended = new ArrayList<>();
        Reservation found = Reservation.NONE;
        var it = ledger.runningByEnd().iterator();
        ResourceLedger.Running next = it.hasNext() ? it.next() : null;
        while (next != null) {
            long t = next.expectedEnd();
            while (next != null && next.expectedEnd() == t) {
                ledger.suspend(next);
                suspended.add(next);
                next = it.hasNext() ? it.next() : null;
            }
            Allocation a = placer.placeNow(d, ledger, e, lo, hi, null, false);
            if (a == null) continue;
            long start = Math.max(t, now + 1);
            int k = a.nodeCount();
            int[] nodes = new int[k];
            int[] tasks = new int[k];
            for (int i = 0; i < k; i++) {
                nodes[i] = a.node(i);
                tasks[i] = a.tasks(i);
            }
            found = new Reservation(start, nodes, tasks);
            // what each touched node has at the shadow time beyond the reservation
            for (ResourceLedger.Running r : suspended) {
                Allocation ra = r.allocation();
                for (int i = 0; i < ra.nodeCount(); i++) limitAtShadow(ra.node(i), ledger, 0, 0, 0);
            }
            for (int i = 0; i < k; i++) {
                int node = a.node(i);
                extra.stamp[node] = 0; // recompute with the reservation's share
                limitAtShadow(node, ledger, a.cores(i), a.gpus(i), a.memMb(i));
            }
            break;
        }
        for (ResourceLedger.Running r : suspended) ledger.resume(r);
        return found;
    }

    private void limitAtShadow(int node, ResourceLedger l, int cores, int gpus, long mem) {
        if (extra.has(node)) return;
        extra.set(node, l.freeCores[node] - cores, Long.bitCount(l.freeGpus[node]) - gpus, l.freeMem[node] - mem);
    }

    private void takeExtra(Allocation a) {
        for (int i = 0; i < a.nodeCount(); i++) {
            int node = a.node(i);
            if (!extra.has(node)) continue;
            extra.cores[node] -= a.cores(i);
            extra.gpus[node] -= a.gpus(i);
            extra.mem[node] -= a.memMb(i);
        }
    }

    private Plan conservative(long now, ResourceLedger ledger, List<PendingJob> ordered, Options options) {
        List<Decision.Start> starts = new ArrayList<>();
        List<Decision.Reserve> reserves = new ArrayList<>();
        List<Decision.Wait> waits = new ArrayList<>();
        profile.reset(ledger, now);
        // every reservation made before stays in the profile while its job looks for a better one
        int n = ordered.size();
        boolean[] kept = new boolean[n];
        for (int i = 0; i < n; i++) {
            PendingJob p = ordered.get(i);
            Reservation r = p.reservation();
            if (r.isNone() || !eligibleNow(p, now) || r.start() < now || !stillSchedulable(r)) continue;
            profile.reserve(p.demand(), r.nodes(), r.tasks(), r.start(), p.demand().timeLimit());
            kept[i] = true;
        }
        for (int i = 0; i < n; i++) {
            PendingJob p = ordered.get(i);
            Demand d = p.demand();
            if (!eligibleNow(p, now)) {
                if (options.forecast()) waits.add(new Decision.Wait(p.id(), ineligibleReason(p, now), Plan.NEVER));
                continue;
            }
            Reservation old = p.reservation();
            if (kept[i]) profile.unreserve(d, old.nodes(), old.tasks(), old.start(), d.timeLimit());
            Eligible e = eligible(d);
            Profile.Slot s = profile.earliest(d, e.words(), e.lo(), e.hi(), now, d.timeLimit());
            if (s == null || (kept[i] && s.start() > old.start())) {
                if (kept[i]) {
                    s = new Profile.Slot(old.start(), old.nodes(), old.tasks());
                } else {
                    if (options.forecast()) waits.add(new Decision.Wait(p.id(), PendingReason.REQ_NODE_NOT_AVAIL, Plan.NEVER));
                    continue;
                }
            }
            profile.reserve(d, s.nodes(), s.tasks(), s.start(), d.timeLimit());
            if (s.start() == now) {
                start(p, placer.allocate(d, ledger, s.nodes(), s.tasks()), now, ledger, starts);
            } else {
                reserves.add(new Decision.Reserve(p.id(), new Reservation(s.start(), s.nodes(), s.tasks()),
                        reserves.isEmpty() ? PendingReason.RESOURCES : PendingReason.PRIORITY));
            }
        }
        return new Plan(now, starts, reserves, waits);
    }

    private boolean stillSchedulable(Reservation r) {
        for (int node : r.nodes()) if ((schedulableSeen[node >> 6] & (1L << node)) == 0) return false;
        return true;
    }

    private static void start(PendingJob p, Allocation a, long now, ResourceLedger ledger, List<Decision.Start> starts) {
        long end = now + p.demand().timeLimit();
        ledger.allocate(p.id(), a, now, end < now ? Long.MAX_VALUE : end);
        starts.add(new Decision.Start(p.id(), a));
    }

    /**
     * When each job that neither started nor holds a reservation would start if every job ahead kept its
     * place: the conservative plan over the rest of the queue, made on a scratch profile; and why it waits.
     */
    private List<Decision.Wait> forecast(long now, ResourceLedger ledger, List<PendingJob> ordered,
                                         List<Decision.Start> starts, Map<Long, Reservation> reserved) {
        profile.reset(ledger, now);
        if (reserved != null) {
            for (PendingJob p : ordered) {
                Reservation r = reserved.get(p.id());
                if (r != null) profile.reserve(p.demand(), r.nodes(), r.tasks(), r.start(), p.demand().timeLimit());
            }
        }
        java.util.Set<Long> started = new java.util.HashSet<>();
        for (Decision.Start s : starts) started.add(s.jobId());
        List<Decision.Wait> waits = new ArrayList<>();
        boolean blockedAhead = reserved != null && !reserved.isEmpty();
        // under fcfs no job starts before the jobs ahead of it
        boolean inOrder = config.backfill() == SchedulerConfig.Backfill.FCFS;
        long notBefore = now;
        for (PendingJob p : ordered) {
            if (started.contains(p.id()) || (reserved != null && reserved.containsKey(p.id()))) continue;
            if (!eligibleNow(p, now)) {
                long from = p.hold() == PendingReason.NONE ? p.eligibleAt() : -1;
                long predicted = Plan.NEVER;
                if (from >= 0) {
                    Demand d = p.demand();
                    Eligible e = eligible(d);
                    Profile.Slot s = profile.earliest(d, e.words(), e.lo(), e.hi(), from, d.timeLimit());
                    if (s != null) {
                        profile.reserve(d, s.nodes(), s.tasks(), s.start(), d.timeLimit());
                        predicted = s.start();
                    }
                }
                waits.add(new Decision.Wait(p.id(), ineligibleReason(p, now), predicted));
                continue;
            }
            Demand d = p.demand();
            Eligible e = eligible(d);
            Profile.Slot s = profile.earliest(d, e.words(), e.lo(), e.hi(), inOrder ? notBefore : now, d.timeLimit());
            if (s == null) {
                waits.add(new Decision.Wait(p.id(), PendingReason.REQ_NODE_NOT_AVAIL, Plan.NEVER));
                continue;
            }
            notBefore = Math.max(notBefore, s.start());
            profile.reserve(d, s.nodes(), s.tasks(), s.start(), d.timeLimit());
            PendingReason why = blockedAhead ? PendingReason.PRIORITY : PendingReason.RESOURCES;
            waits.add(new Decision.Wait(p.id(), why, s.start() <= now ? now + 1 : s.start()));
            blockedAhead = true;
        }
        return waits;
    }
}
