package io.bottega.core.sched;

import io.bottega.core.model.Allocation;
import io.bottega.core.model.Cluster;
import io.bottega.core.model.Demand;
import io.bottega.core.model.JobSpec;
import io.bottega.core.model.NodeSet;
import io.bottega.core.model.PendingReason;

import io.bottega.core.policy.AdvanceReservation;
import io.bottega.core.policy.Policies;
import io.bottega.core.policy.Qos;

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
    private final Policies policies;
    private final boolean limitsConfigured;
    private final boolean preemptionConfigured;
    private final java.util.HashMap<String, Double> budgetSpent = new java.util.HashMap<>();
    private final Placer placer;
    private final Profile profile;
    private final Placer.Limit extra;
    private final int words;
    // eligible-node bitmaps (static set ∧ schedulable), cached per static set while the schedulable set holds
    private final Map<NodeSet, Eligible> eligibleCache = new IdentityHashMap<>();
    private long[] schedulableSeen;
    // the last set looked up there, and its entry: most passes look at jobs of one set after another
    private NodeSet lastEligibleSet;
    private Eligible lastEligible;
    // what the previous pass left, for a pass after submissions alone
    private PendingQueue lastQueue;
    private long lastLedgerVersion = -1;
    private long nextEligibleAt = Long.MAX_VALUE;
    private PendingJob head;
    private Reservation headReservation = Reservation.NONE;
    private List<Decision.Reserve> headReserves; // the head's reservation as a plan lists it, made once per head
    // at most the cores and GPUs a job running past the head's shadow time can be given (within the extra limits)
    private long extraCoresBound;
    private long extraGpusBound;
    private int blockedAt = -1;

    public Scheduler(Cluster cluster, SchedulerConfig config) {
        this(cluster, config, Policies.NONE);
    }

    /** A scheduler that also enforces the site's QOS limits, budgets and preemption. */
    public Scheduler(Cluster cluster, SchedulerConfig config, Policies policies) {
        this.cluster = cluster;
        this.config = config;
        this.policies = policies;
        boolean limits = false, preempt = false;
        for (Qos q : policies.qos().values()) {
            limits |= q.maxJobsPerUser() > 0 || q.maxNodesPerUser() > 0 || q.maxGpusPerUser() > 0 || q.maxJobsPerAccount() > 0
                    || q.maxNodesPerAccount() > 0 || q.maxGpusPerAccount() > 0;
            preempt |= !q.preempts().isEmpty();
        }
        this.limitsConfigured = limits;
        this.preemptionConfigured = preempt;
        this.placer = new Placer(cluster);
        this.profile = new Profile(cluster, placer);
        this.extra = new Placer.Limit(cluster.nodeCount());
        this.words = (cluster.nodeCount() + 63) >> 6;
        this.schedulableSeen = new long[words];
    }

    public Cluster cluster() { return cluster; }

    /** Tests: whether the profile's searches use its {@link StartIndex} (the slots must be the same either way). */
    void profileIndex(Profile.IndexUse use) { profile.indexUse(use); }

    /** Tests: how many of the profile's searches its index has answered. */
    long indexedSearches() { return profile.indexedSearches(); }

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
        ledger.trackUsage(limitsConfigured);
        budgetSpent.clear();
        int appended = queue.takeChanges();
        boolean incremental = appended >= 0 && queue == lastQueue && ledger.version() == lastLedgerVersion
                && now < nextEligibleAt && !options.forecast() && config.backfill() != SchedulerConfig.Backfill.CONSERVATIVE;
        Plan plan = switch (config.backfill()) {
            case FCFS -> fcfs(now, ledger, queue, options, incremental ? appended : -1);
            case EASY -> easy(now, ledger, queue, options, incremental ? appended : -1);
            case CONSERVATIVE -> conservative(now, ledger, queue, options);
        };
        if (preemptionConfigured) {
            List<Decision.Preempt> pre = preempt(now, ledger, queue);
            if (!pre.isEmpty()) plan = new Plan(plan.now(), plan.starts(), plan.reservations(), plan.waits(), pre);
        }
        lastQueue = queue;
        lastLedgerVersion = ledger.version();
        return plan;
    }

    // ---- filter

    private void refreshEligibility(ResourceLedger ledger) {
        if (!Arrays.equals(schedulableSeen, ledger.schedulable)) {
            eligibleCache.clear();
            lastEligibleSet = null;
            lastEligible = null;
            schedulableSeen = ledger.schedulable.clone();
        }
    }

    /** A job's eligible nodes now (its static set ∧ schedulable), with the range of words that hold any. */
    private record Eligible(long[] words, int lo, int hi) {}

    private Eligible eligible(Demand d) {
        NodeSet s = d.eligible();
        if (s == lastEligibleSet) return lastEligible;
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
        lastEligibleSet = s;
        lastEligible = e;
        return e;
    }

    /**
     * Why a job may not start now whatever the resources ({@link PendingReason#NONE} when it may): what a pass
     * checks before placing it. For callers that want a job's reason between forecasts.
     */
    public PendingReason gateReason(PendingJob p, long now, ResourceLedger l) { return gate(p, now, l); }

    /**
     * Why a job may not be looked at now ({@link PendingReason#NONE} when it may): a hold or dependency the caller
     * decided, its begin time, its advance reservation not open now, a QOS limit it would pass, or its account's
     * budget. A job stopped here does not block the jobs behind it.
     */
    private PendingReason gate(PendingJob p, long now, ResourceLedger l) {
        if (p.hold() != PendingReason.NONE) return p.hold();
        if (p.eligibleAt() > now) return PendingReason.BEGIN_TIME;
        JobSpec spec = p.spec();
        if (!spec.reservation().isEmpty()) {
            AdvanceReservation r = reservation(l, spec.reservation());
            if (r == null || !r.admits(spec.user(), spec.account())) return PendingReason.REQ_NODE_NOT_AVAIL;
            if (now < r.start() || now + p.demand().timeLimit() > r.end()) return PendingReason.RESERVATION;
        }
        if (limitsConfigured) {
            PendingReason r = limitReason(p, l);
            if (r != PendingReason.NONE) return r;
        }
        if (!l.budgetLeft().isEmpty()) {
            Double left = l.budgetLeft().get(spec.account());
            if (left != null) {
                double need = policies.billingRate(cluster, spec, p.demand()) * p.demand().timeLimit();
                if (need > left - budgetSpent.getOrDefault(spec.account(), 0.0)) return PendingReason.ASSOC_GRP_BILLING_MINUTES;
            }
        }
        return PendingReason.NONE;
    }

    private PendingReason limitReason(PendingJob p, ResourceLedger l) {
        Qos q = policies.qosOf(p.spec().qos());
        Demand d = p.demand();
        long gpus = d.totalGpus();
        ResourceLedger.Usage u = l.userUsage(q.name(), p.spec().user());
        if (q.maxJobsPerUser() > 0 && u.jobs() + 1 > q.maxJobsPerUser()) return PendingReason.QOS_MAX_JOBS_PER_USER;
        if (q.maxNodesPerUser() > 0 && u.nodes() + d.nodesMin() > q.maxNodesPerUser()) return PendingReason.QOS_MAX_NODES_PER_USER;
        if (q.maxGpusPerUser() > 0 && u.gpus() + gpus > q.maxGpusPerUser()) return PendingReason.QOS_MAX_GRES_PER_USER;
        ResourceLedger.Usage a = l.accountUsage(q.name(), p.spec().account());
        if (q.maxJobsPerAccount() > 0 && a.jobs() + 1 > q.maxJobsPerAccount()) return PendingReason.QOS_MAX_JOBS_PER_ACCOUNT;
        if (q.maxNodesPerAccount() > 0 && a.nodes() + d.nodesMin() > q.maxNodesPerAccount()) return PendingReason.QOS_MAX_NODES_PER_ACCOUNT;
        if (q.maxGpusPerAccount() > 0 && a.gpus() + gpus > q.maxGpusPerAccount()) return PendingReason.QOS_MAX_GRES_PER_ACCOUNT;
        return PendingReason.NONE;
    }

    private static AdvanceReservation reservation(ResourceLedger l, String name) {
        for (AdvanceReservation r : l.reservations()) if (r.name().equals(name)) return r;
        return null;
    }

    /**
     * A job's eligible nodes for a start at {@code t}: the cached set, less the nodes of advance reservations
     * whose window its run would cross, or only its own reservation's nodes.
     */
    private Eligible eligibleAt(PendingJob p, long t, ResourceLedger l) {
        Eligible base = eligible(p.demand());
        List<AdvanceReservation> rs = l.reservations();
        if (rs.isEmpty()) return base;
        long end = t + p.demand().timeLimit();
        if (end < t) end = Long.MAX_VALUE;
        long[] w = null;
        String mine = p.spec().reservation();
        boolean found = mine.isEmpty();
        for (AdvanceReservation r : rs) {
            boolean member = r.name().equals(mine) && r.admits(p.spec().user(), p.spec().account());
            if (member) {
                found = true;
                if (w == null) w = base.words().clone();
                for (int i = 0; i < w.length; i++) w[i] &= r.nodes().word(i);
            } else if (r.overlaps(t, end)) {
                if (w == null) w = base.words().clone();
                for (int i = 0; i < w.length; i++) w[i] &= ~r.nodes().word(i);
            }
        }
        if (!found) return new Eligible(new long[words], 0, 0);
        if (w == null) return base;
        int lo = words, hi = 0;
        for (int i = 0; i < w.length; i++) {
            if (w[i] != 0) {
                lo = Math.min(lo, i);
                hi = i + 1;
            }
        }
        return new Eligible(w, Math.min(lo, hi), hi);
    }

    private Allocation placeNow(PendingJob p, ResourceLedger ledger, Placer.Limit limit, long now) {
        Demand d = p.demand();
        Eligible e = eligibleAt(p, now, ledger);
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
            return new Plan(now, starts, List.of(), List.of(), List.of()); // the first job still waits: nothing behind it may go
        }
        for (int i = from; i < q.end(); i++) {
            PendingJob p = q.at(i);
            if (p == null) continue;
            if (gate(p, now, ledger) != PendingReason.NONE) {
                noteIneligible(p, now);
                continue;
            }
            Allocation a = placeNow(p, ledger, null, now);
            if (a == null) {
                blockedAt = i;
                break;
            }
            start(p, a, now, ledger, starts);
            q.removeStarted(i);
        }
        List<Decision.Wait> waits = options.forecast() ? forecast(now, ledger, q.toList(), null) : List.of();
        return new Plan(now, starts, List.of(), waits, List.of());
    }

    private Plan easy(long now, ResourceLedger ledger, PendingQueue q, Options options, int from) {
        List<Decision.Start> starts = new ArrayList<>(4);
        List<Decision.Reserve> reserves = List.of();
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
                if (gate(p, now, ledger) != PendingReason.NONE) {
                    noteIneligible(p, now);
                    continue;
                }
                Allocation a = placeNow(p, ledger, null, now);
                if (a != null) {
                    start(p, a, now, ledger, starts);
                    q.removeStarted(i);
                    continue;
                }
                Reservation r = shadow(p, now, ledger);
                if (r.isNone()) continue; // can never run on the schedulable nodes: does not block others
                head = p;
                headReservation = r;
                headReserves = null;
                boundExtra(ledger);
                i++;
                break;
            }
        }
        if (head != null) {
            if (headReserves == null) headReserves = List.of(new Decision.Reserve(head.id(), headReservation, PendingReason.RESOURCES));
            reserves = headReserves;
            long shadowTime = headReservation.start();
            // a job whose time limit is at most this ends by the shadow time; any other one must fit in the extra
            long window = shadowTime - now;
            while ((i = q.nextBackfill(i, ledger.freeCoresTotal, ledger.freeGpusTotal, extraCoresBound, extraGpusBound,
                    window)) >= 0) {
                PendingJob p = q.at(i);
                if (gate(p, now, ledger) != PendingReason.NONE) {
                    noteIneligible(p, now);
                    i++;
                    continue;
                }
                Demand d = p.demand();
                long end = now + d.timeLimit();
                boolean pastShadow = end > shadowTime || end < now;
                Allocation a = placeNow(p, ledger, pastShadow ? extra : null, now);
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
        return new Plan(now, starts, reserves, waits, List.of());
    }

    /**
     * The head job's reservation: walks running jobs in order of expected end, giving their resources back,
     * until the job fits; records in {@link #extra} what each node then has beyond the reservation.
     */
    private Reservation shadow(PendingJob p, long now, ResourceLedger ledger) {
        extra.clear();
        Demand d = p.demand();
        if (eligible(d).hi() <= eligible(d).lo()) return Reservation.NONE;
        int only = onlyNode(eligibleAt(p, now, ledger));
        if (only >= 0 && ledger.reservations().isEmpty()) return shadowOnOneNode(p, only, now, ledger);
        List<ResourceLedger.Running> suspended = new ArrayList<>();
        Reservation found = Reservation.NONE;
        var it = ledger.runningByEnd().iterator();
        ResourceLedger.Running next = it.hasNext() ? it.next() : null;
        long[] windows = reservationEnds(ledger, now);
        int wi = 0;
        long needCores = d.totalCores(), needGpus = d.totalGpus();
        // Without advance reservations, only jobs on the head's eligible nodes are given back: the others change
        // no eligible node, and the free totals they leave out only stop placements that would fail anyway (a
        // placement on the eligible nodes needs no more than those nodes hold).
        long[] relevant = ledger.reservations().isEmpty() ? eligible(d).words() : null;
        while (next != null || wi < windows.length) {
            long t = next == null ? windows[wi] : wi < windows.length ? Math.min(next.expectedEnd(), windows[wi]) : next.expectedEnd();
            while (next != null && next.expectedEnd() == t) {
                if (relevant == null || touches(next.allocation(), relevant)) {
                    ledger.suspend(next);
                    suspended.add(next);
                }
                next = it.hasNext() ? it.next() : null;
            }
            while (wi < windows.length && windows[wi] <= t) wi++;
            if (needCores > ledger.freeCoresTotal || needGpus > ledger.freeGpusTotal) continue;
            long start = Math.max(t, now + 1);
            Eligible el = eligibleAt(p, start, ledger);
            if (el.hi() <= el.lo()) continue;
            Allocation a = placer.placeNow(d, ledger, el.words(), el.lo(), el.hi(), null, false);
            if (a == null) continue;
            int k = a.nodeCount();
            int[] nodes = new int[k];
            int[] tasks = new int[k];
            for (int j = 0; j < k; j++) {
                nodes[j] = a.node(j);
                tasks[j] = a.tasks(j);
            }
            found = new Reservation(start, nodes, tasks);
            // what each node of the reservation has at the shadow time beyond it. Any other node has at the
            // shadow time at least what it has free now, and keeps that margin through the pass (a job past the
            // shadow time takes from both alike): a limit there would never bind, so none is set.
            for (int j = 0; j < k; j++) limitAtShadow(a.node(j), ledger, a.cores(j), a.gpus(j), a.memMb(j));
            break;
        }
        for (ResourceLedger.Running r : suspended) ledger.resume(r);
        return found;
    }

    /** Whether an allocation uses any node of a node bitmap. */
    private static boolean touches(Allocation a, long[] nodes) {
        for (int j = 0; j < a.nodeCount(); j++) {
            int node = a.node(j);
            if ((nodes[node >> 6] & (1L << node)) != 0) return true;
        }
        return false;
    }

    /** The single node of an eligible set, or -1 when it has none or several. */
    private static int onlyNode(Eligible e) {
        int node = -1;
        for (int w = e.lo(); w < e.hi(); w++) {
            long x = e.words()[w];
            if (x == 0) continue;
            if (node >= 0 || Long.bitCount(x) > 1) return -1;
            node = (w << 6) + Long.numberOfTrailingZeros(x);
        }
        return node;
    }

    /**
     * The shadow time of a job that can only run on one node (the pool of an SWF machine, or a node-bound job):
     * counts what running jobs give back on that node, in order of expected end, without touching the ledger.
     */
    private Reservation shadowOnOneNode(PendingJob p, int node, long now, ResourceLedger ledger) {
        Demand d = p.demand();
        int cores = ledger.freeCores[node];
        int gpus = Long.bitCount(ledger.freeGpus[node]);
        long mem = ledger.freeMem[node];
        var it = ledger.runningByEnd().iterator();
        ResourceLedger.Running next = it.hasNext() ? it.next() : null;
        while (next != null) {
            long t = next.expectedEnd();
            while (next != null && next.expectedEnd() == t) {
                Allocation a = next.allocation();
                for (int i = 0; i < a.nodeCount(); i++) {
                    if (a.node(i) != node) continue;
                    cores += a.cores(i);
                    gpus += a.gpus(i);
                    mem += a.memMb(i);
                }
                next = it.hasNext() ? it.next() : null;
            }
            if (!d.exclusive() && cores < d.totalCores()) continue; // too few cores for its tasks, without dividing
            if (d.capacity(cluster, node, cores, gpus, mem) < d.tasks()) continue;
            int t0 = d.tasks();
            extra.set(node, cores - d.coresFor(cluster, node, t0), gpus - d.gpusFor(cluster, node, t0), mem - d.memFor(cluster, node, t0));
            return new Reservation(Math.max(t, now + 1), new int[] {node}, new int[] {t0});
        }
        return Reservation.NONE;
    }

    /** The ends (after now) of advance reservations, sorted: times at which nodes come back. */
    private static long[] reservationEnds(ResourceLedger l, long now) {
        if (l.reservations().isEmpty()) return new long[0];
        return l.reservations().stream().mapToLong(AdvanceReservation::end).filter(e -> e > now).sorted().distinct().toArray();
    }

    /**
     * Bounds what a job running past the shadow time can be given now: on each node with an extra limit, the lesser
     * of its free resources and the limit; on every other node, its free resources. Starts and {@link #takeExtra}
     * only lower both, so the bound holds for the rest of the pass and for passes that follow only submissions.
     */
    private void boundExtra(ResourceLedger l) {
        long c = l.freeCoresTotal, g = l.freeGpusTotal;
        for (int k = 0; k < extra.listedCount; k++) {
            int node = extra.listed[k];
            if (!extra.has(node)) continue;
            int fc = l.freeCores[node], fg = Long.bitCount(l.freeGpus[node]);
            c -= fc - Math.min(fc, Math.max(0, extra.cores[node]));
            g -= fg - Math.min(fg, Math.max(0, extra.gpus[node]));
        }
        extraCoresBound = c;
        extraGpusBound = g;
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
        resetProfile(ledger, now);
        // every reservation made before stays in the profile while its job looks for a better one
        int n = q.end();
        boolean[] kept = new boolean[n];
        for (int i = 0; i < n; i++) {
            PendingJob p = q.at(i);
            if (p == null) continue;
            Reservation r = p.reservation();
            if (r.isNone() || p.hold() != PendingReason.NONE || r.start() < now || !stillSchedulable(r)) continue;
            profile.reserve(p.demand(), r.nodes(), r.tasks(), r.start(), p.demand().timeLimit());
            kept[i] = true;
        }
        for (int i = 0; i < n; i++) {
            PendingJob p = q.at(i);
            if (p == null) continue;
            Demand d = p.demand();
            PendingReason gate = gate(p, now, ledger);
            Reservation old = p.reservation();
            if (gate != PendingReason.NONE && gate != PendingReason.BEGIN_TIME && gate != PendingReason.RESERVATION) {
                if (kept[i]) profile.unreserve(d, old.nodes(), old.tasks(), old.start(), d.timeLimit());
                if (!old.isNone()) q.reserve(i, Reservation.NONE);
                if (options.forecast()) waits.add(new Decision.Wait(p.id(), gate, Plan.NEVER));
                continue;
            }
            if (kept[i]) profile.unreserveOwn(d, old.nodes(), old.tasks(), old.start(), d.timeLimit());
            // a job that holds a reservation keeps it unless it can start earlier: later slots need not be searched
            Profile.Slot s = slotFor(p, Math.max(now, p.eligibleAt()), kept[i] ? old.start() : Profile.INF, ledger);
            if (s == null || (kept[i] && s.start() > old.start())) {
                if (kept[i]) {
                    s = new Profile.Slot(old.start(), old.nodes(), old.tasks());
                } else {
                    if (!old.isNone()) q.reserve(i, Reservation.NONE);
                    if (options.forecast()) waits.add(new Decision.Wait(p.id(), gate != PendingReason.NONE ? gate
                            : PendingReason.REQ_NODE_NOT_AVAIL, Plan.NEVER));
                    continue;
                }
            }
            profile.reserve(d, s.nodes(), s.tasks(), s.start(), d.timeLimit());
            if (kept[i]) profile.ownReservationDone(s.start() == old.start() && Arrays.equals(s.nodes(), old.nodes())
                    && Arrays.equals(s.tasks(), old.tasks()));
            if (s.start() == now && gate == PendingReason.NONE) {
                start(p, placer.allocate(d, ledger, s.nodes(), s.tasks()), now, ledger, starts);
                q.removeStarted(i);
            } else {
                Reservation r = new Reservation(Math.max(s.start(), now + 1), s.nodes(), s.tasks());
                q.reserve(i, r);
                PendingReason why = gate != PendingReason.NONE ? gate : reserves.isEmpty() ? PendingReason.RESOURCES : PendingReason.PRIORITY;
                reserves.add(new Decision.Reserve(p.id(), r, why));
            }
        }
        return new Plan(now, starts, reserves, waits, List.of());
    }

    /** The profile of the ledger's running jobs, with every advance reservation blocking its nodes over its window. */
    private void resetProfile(ResourceLedger ledger, long now) {
        profile.reset(ledger, now);
        for (AdvanceReservation r : ledger.reservations()) profile.block(r, true);
    }

    /**
     * The earliest slot for a job from {@code from}: among its eligible nodes, or — for a job of an advance
     * reservation — among the reservation's nodes inside its window; null when there is none by {@code until}.
     */
    private Profile.Slot slotFor(PendingJob p, long from, long until, ResourceLedger ledger) {
        Demand d = p.demand();
        String mine = p.spec().reservation();
        if (mine.isEmpty()) {
            Eligible e = eligible(d);
            return profile.earliest(d, e.words(), e.lo(), e.hi(), from, d.timeLimit(), until);
        }
        AdvanceReservation r = reservation(ledger, mine);
        if (r == null || !r.admits(p.spec().user(), p.spec().account())) return null;
        Eligible e = eligibleAt(p, Math.max(from, r.start()), ledger);
        profile.block(r, false);
        try {
            Profile.Slot s = profile.earliest(d, e.words(), e.lo(), e.hi(), Math.max(from, r.start()), d.timeLimit(), until);
            return s != null && s.start() + d.timeLimit() <= r.end() ? s : null;
        } finally {
            profile.block(r, true);
        }
    }

    private boolean stillSchedulable(Reservation r) {
        for (int node : r.nodes()) if ((schedulableSeen[node >> 6] & (1L << node)) == 0) return false;
        return true;
    }

    private void start(PendingJob p, Allocation a, long now, ResourceLedger ledger, List<Decision.Start> starts) {
        long end = now + p.demand().timeLimit();
        JobSpec spec = p.spec();
        ledger.allocate(p.id(), a, now, end < now ? Long.MAX_VALUE : end, spec.user(), spec.account(),
                policies.qosOf(spec.qos()).name());
        if (!ledger.budgetLeft().isEmpty() && ledger.budgetLeft().containsKey(spec.account())) {
            budgetSpent.merge(spec.account(), policies.billingRate(cluster, spec, p.demand()) * p.demand().timeLimit(), Double::sum);
        }
        starts.add(new Decision.Start(p.id(), a));
    }

    /** Preemptors looked at in one pass at most: each costs a placement over the candidates' nodes. */
    private static final int MAX_PREEMPTORS_PER_PASS = 16;

    /**
     * Preemption: the first waiting job (in order) whose QOS may preempt others and that does not fit now gets
     * running jobs of those QOS stopped — lowest QOS priority first, then the youngest (latest start, then highest
     * id) — as few as let it fit.
     * One preemptor a pass (of the first 16 that have candidates); the victims are marked in the ledger so that no later pass picks them again.
     */
    private List<Decision.Preempt> preempt(long now, ResourceLedger ledger, PendingQueue q) {
        int preemptorsTried = 0;
        for (int i = 0; i < q.end(); i++) {
            PendingJob p = q.at(i);
            if (p == null) continue;
            Qos pq = policies.qosOf(p.spec().qos());
            if (pq.preempts().isEmpty() || gate(p, now, ledger) != PendingReason.NONE) continue;
            List<ResourceLedger.Running> candidates = new ArrayList<>();
            boolean stopping = false;
            for (ResourceLedger.Running r : ledger.running()) {
                if (ledger.isPreempting(r.jobId())) stopping |= pq.canPreempt(r.qos());
                else if (pq.canPreempt(r.qos())) candidates.add(r);
            }
            if (stopping) return List.of(); // jobs are already stopping for a preemptor: let them go first
            if (candidates.isEmpty()) continue;
            candidates.sort(java.util.Comparator.comparingInt((ResourceLedger.Running r) -> policies.qosOf(r.qos()).priority())
                    .thenComparing(java.util.Comparator.comparingLong(ResourceLedger.Running::start).reversed())
                    .thenComparing(java.util.Comparator.comparingLong(ResourceLedger.Running::jobId).reversed()));
            Demand d = p.demand();
            Eligible e = eligibleAt(p, now, ledger);
            if (++preemptorsTried > MAX_PREEMPTORS_PER_PASS) return List.of();
            // first: would it fit with every candidate gone? If not, no choice of victims helps
            for (ResourceLedger.Running c : candidates) ledger.suspend(c);
            boolean possible = d.totalCores() <= ledger.freeCoresTotal && d.totalGpus() <= ledger.freeGpusTotal
                    && placer.placeNow(d, ledger, e.words(), e.lo(), e.hi(), null, false) != null;
            for (ResourceLedger.Running c : candidates) ledger.resume(c);
            if (!possible) continue;
            List<ResourceLedger.Running> suspended = new ArrayList<>();
            Allocation fit = null;
            for (ResourceLedger.Running c : candidates) {
                ledger.suspend(c);
                suspended.add(c);
                if (d.totalCores() > ledger.freeCoresTotal || d.totalGpus() > ledger.freeGpusTotal) continue;
                fit = placer.placeNow(d, ledger, e.words(), e.lo(), e.hi(), null, false);
                if (fit != null) break;
            }
            for (ResourceLedger.Running c : suspended) ledger.resume(c);
            if (fit == null) continue;
            java.util.Set<Integer> used = new java.util.HashSet<>();
            for (int k = 0; k < fit.nodeCount(); k++) used.add(fit.node(k));
            List<Decision.Preempt> out = new ArrayList<>();
            for (ResourceLedger.Running v : suspended) {
                boolean touches = false;
                for (int k = 0; k < v.allocation().nodeCount() && !touches; k++) touches = used.contains(v.allocation().node(k));
                if (!touches) continue;
                Qos vq = policies.qosOf(v.qos());
                out.add(new Decision.Preempt(v.jobId(), p.id(), vq.preemptMode() == Qos.PreemptMode.REQUEUE, vq.graceSeconds()));
                ledger.markPreempting(v.jobId());
            }
            return out;
        }
        return List.of();
    }

    /**
     * When each job that neither started nor holds a reservation would start if every job ahead kept its
     * place: the conservative plan over the rest of the queue, made on a scratch profile; and why it waits.
     */
    private List<Decision.Wait> forecast(long now, ResourceLedger ledger, List<PendingJob> ordered,
                                         Map<Long, Reservation> reserved) {
        resetProfile(ledger, now);
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
            PendingReason gate = gate(p, now, ledger);
            Demand d = p.demand();
            if (gate != PendingReason.NONE && gate != PendingReason.BEGIN_TIME && gate != PendingReason.RESERVATION) {
                waits.add(new Decision.Wait(p.id(), gate, Plan.NEVER));
                continue;
            }
            long from = Math.max(inOrder ? notBefore : now, p.eligibleAt());
            Profile.Slot s = slotFor(p, from, Profile.INF, ledger);
            if (s == null) {
                waits.add(new Decision.Wait(p.id(), gate != PendingReason.NONE ? gate : PendingReason.REQ_NODE_NOT_AVAIL, Plan.NEVER));
                continue;
            }
            notBefore = Math.max(notBefore, s.start());
            profile.reserve(d, s.nodes(), s.tasks(), s.start(), d.timeLimit());
            PendingReason why = gate != PendingReason.NONE ? gate : blockedAhead ? PendingReason.PRIORITY : PendingReason.RESOURCES;
            waits.add(new Decision.Wait(p.id(), why, s.start() <= now ? now + 1 : s.start()));
            if (gate == PendingReason.NONE) blockedAhead = true;
        }
        return waits;
    }
}
