package io.bottega.core.sched;

import io.bottega.core.model.Allocation;
import io.bottega.core.model.Cluster;
import io.bottega.core.model.Demand;
import io.bottega.core.model.NodeSet;
import io.bottega.core.model.PendingReason;

import java.util.ArrayList;
import java.util.Arrays;
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
    private final Cluster cluster;
    private final SchedulerConfig config;
    private final Placer placer;
    private final Profile profile;
    private final Placer.Limit extra;
    private final int words;
    // eligible-node bitmaps (static set ∧ schedulable), cached per static set while the schedulable set holds
    private final Map<NodeSet, Eligible> eligibleCache = new IdentityHashMap<>();
    private long[] schedulableSeen;
    // what the previous pass left, for a pass after submissions alone
    private PendingQueue lastQueue;
    private long lastLedgerVersion = -1;
    private long nextEligibleAt = Long.MAX_VALUE;
    private PendingJob head;
    private Reservation headReservation = Reservation.NONE;
    private int blockedAt = -1;

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
        return schedule(now, ledger, PendingQueue.of(config.order(), queue), options);
    }

    /**
     * Runs one pass over {@code queue} at {@code now}. When this returns, the plan's starts are allocated in
     * {@code ledger} and gone from {@code queue}, and the reservations it made are recorded on the queued jobs.
     * A pass that follows only submissions (same queue object, the ledger unchanged since the previous pass,
     * nothing but appends to the queue, no begin time reached) looks at the new jobs only: its plan is the one
     * a full pass would make.
     */
    public Plan schedule(long now, ResourceLedger ledger, PendingQueue queue, Options options) {
        if (ledger.cluster() != cluster) throw new IllegalArgumentException("ledger is for another cluster");
        if (queue.order() != config.order()) throw new IllegalArgumentException("queue order differs from the scheduler's");
        refreshEligibility(ledger);
        int appended = queue.takeChanges();
        boolean incremental = appended >= 0 && queue == lastQueue && ledger.version() == lastLedgerVersion
                && now < nextEligibleAt && !options.forecast() && config.backfill() != SchedulerConfig.Backfill.CONSERVATIVE;
        Plan plan = switch (config.backfill()) {
            case FCFS -> fcfs(now, ledger, queue, options, incremental ? appended : -1);
            case EASY -> easy(now, ledger, queue, options, incremental ? appended : -1);
            case CONSERVATIVE -> conservative(now, ledger, queue, options);
        };
        lastQueue = queue;
        lastLedgerVersion = ledger.version();
        return plan;
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

    /** Notes a job that is not eligible yet only because of its begin time, for the incremental pass. */
    private void noteIneligible(PendingJob p, long now) {
        if (p.hold() == PendingReason.NONE && p.eligibleAt() > now) nextEligibleAt = Math.min(nextEligibleAt, p.eligibleAt());
    }

    private Plan fcfs(long now, ResourceLedger ledger, PendingQueue q, Options options, int from) {
        List<Decision.Start> starts = new ArrayList<>();
        if (from < 0) {
            nextEligibleAt = Long.MAX_VALUE;
            blockedAt = -1;
            from = 0;
        } else if (blockedAt >= 0) {
            return new Plan(now, starts, List.of(), List.of()); // the first job still waits: nothing behind it may go
        }
        for (int i = from; i < q.end(); i++) {
            PendingJob p = q.at(i);
            if (p == null) continue;
            if (!eligibleNow(p, now)) {
                noteIneligible(p, now);
                continue;
            }
            Allocation a = placeNow(p, ledger, null);
            if (a == null) {
                blockedAt = i;
                break;
            }
            start(p, a, now, ledger, starts);
            q.removeStarted(i);
        }
        List<Decision.Wait> waits = options.forecast() ? forecast(now, ledger, q.toList(), null) : List.of();
        return new Plan(now, starts, List.of(), waits);
    }

    private Plan easy(long now, ResourceLedger ledger, PendingQueue q, Options options, int from) {
        List<Decision.Start> starts = new ArrayList<>();
        List<Decision.Reserve> reserves = new ArrayList<>(1);
        if (from < 0) {
            nextEligibleAt = Long.MAX_VALUE;
            head = null;
            from = 0;
        }
        int i = from;
        if (head == null) {
            for (; i < q.end(); i++) {
                PendingJob p = q.at(i);
                if (p == null) continue;
                if (!eligibleNow(p, now)) {
                    noteIneligible(p, now);
                    continue;
                }
                Allocation a = placeNow(p, ledger, null);
                if (a != null) {
                    start(p, a, now, ledger, starts);
                    q.removeStarted(i);
                    continue;
                }
                Reservation r = shadow(p, now, ledger);
                if (r.isNone()) continue; // can never run on the schedulable nodes: does not block others
                head = p;
                headReservation = r;
                i++;
                break;
            }
        }
        if (head != null) {
            reserves.add(new Decision.Reserve(head.id(), headReservation, PendingReason.RESOURCES));
            long shadowTime = headReservation.start();
            while ((i = q.nextFitting(i, ledger.freeCoresTotal, ledger.freeGpusTotal)) >= 0) {
                PendingJob p = q.at(i);
                if (!eligibleNow(p, now)) {
                    noteIneligible(p, now);
                    i++;
                    continue;
                }
                Demand d = p.demand();
                long end = now + d.timeLimit();
                boolean pastShadow = end > shadowTime || end < now;
                Allocation a = placeNow(p, ledger, pastShadow ? extra : null);
                if (a != null) {
                    start(p, a, now, ledger, starts);
                    q.removeStarted(i);
                    if (pastShadow) takeExtra(a);
                }
                i++;
            }
        }
        List<Decision.Wait> waits = options.forecast()
                ? forecast(now, ledger, q.toList(), head == null ? null : Map.of(head.id(), headReservation))
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
        long needCores = d.totalCores(), needGpus = d.totalGpus();
        while (next != null) {
            long t = next.expectedEnd();
            while (next != null && next.expectedEnd() == t) {
                ledger.suspend(next);
                suspended.add(next);
                next = it.hasNext() ? it.next() : null;
            }
            if (needCores > ledger.freeCoresTotal || needGpus > ledger.freeGpusTotal) continue;
            Allocation a = placer.placeNow(d, ledger, e, lo, hi, null, false);
            if (a == null) continue;
            long start = Math.max(t, now + 1);
            int k = a.nodeCount();
            int[] nodes = new int[k];
            int[] tasks = new int[k];
            for (int j = 0; j < k; j++) {
                nodes[j] = a.node(j);
                tasks[j] = a.tasks(j);
            }
            found = new Reservation(start, nodes, tasks);
            // what each touched node has at the shadow time beyond the reservation
            for (ResourceLedger.Running r : suspended) {
                Allocation ra = r.allocation();
                for (int j = 0; j < ra.nodeCount(); j++) limitAtShadow(ra.node(j), ledger, 0, 0, 0);
            }
            for (int j = 0; j < k; j++) {
                int node = a.node(j);
                extra.stamp[node] = 0; // recompute with the reservation's share
                limitAtShadow(node, ledger, a.cores(j), a.gpus(j), a.memMb(j));
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

    private Plan conservative(long now, ResourceLedger ledger, PendingQueue q, Options options) {
        List<Decision.Start> starts = new ArrayList<>();
        List<Decision.Reserve> reserves = new ArrayList<>();
        List<Decision.Wait> waits = new ArrayList<>();
        profile.reset(ledger, now);
        // every reservation made before stays in the profile while its job looks for a better one
        int n = q.end();
        boolean[] kept = new boolean[n];
        for (int i = 0; i < n; i++) {
            PendingJob p = q.at(i);
            if (p == null) continue;
            Reservation r = p.reservation();
            if (r.isNone() || !eligibleNow(p, now) || r.start() < now || !stillSchedulable(r)) continue;
            profile.reserve(p.demand(), r.nodes(), r.tasks(), r.start(), p.demand().timeLimit());
            kept[i] = true;
        }
        for (int i = 0; i < n; i++) {
            PendingJob p = q.at(i);
            if (p == null) continue;
            Demand d = p.demand();
            if (!eligibleNow(p, now)) {
                if (!p.reservation().isNone()) q.reserve(i, Reservation.NONE);
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
                    if (!old.isNone()) q.reserve(i, Reservation.NONE);
                    if (options.forecast()) waits.add(new Decision.Wait(p.id(), PendingReason.REQ_NODE_NOT_AVAIL, Plan.NEVER));
                    continue;
                }
            }
            profile.reserve(d, s.nodes(), s.tasks(), s.start(), d.timeLimit());
            if (s.start() == now) {
                start(p, placer.allocate(d, ledger, s.nodes(), s.tasks()), now, ledger, starts);
                q.removeStarted(i);
            } else {
                Reservation r = new Reservation(s.start(), s.nodes(), s.tasks());
                q.reserve(i, r);
                reserves.add(new Decision.Reserve(p.id(), r, reserves.isEmpty() ? PendingReason.RESOURCES : PendingReason.PRIORITY));
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
                                         Map<Long, Reservation> reserved) {
        profile.reset(ledger, now);
        if (reserved != null) {
            for (PendingJob p : ordered) {
                Reservation r = reserved.get(p.id());
                if (r != null) profile.reserve(p.demand(), r.nodes(), r.tasks(), r.start(), p.demand().timeLimit());
            }
        }
        List<Decision.Wait> waits = new ArrayList<>();
        boolean blockedAhead = reserved != null && !reserved.isEmpty();
        // under fcfs no job starts before the jobs ahead of it
        boolean inOrder = config.backfill() == SchedulerConfig.Backfill.FCFS;
        long notBefore = now;
        for (PendingJob p : ordered) {
            if (reserved != null && reserved.containsKey(p.id())) continue;
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
