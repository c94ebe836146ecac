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
 * Not thread-safe: one scheduler per scheduling thread; it keeps scratch space between passes. It starts no thread:
 * given a {@link LaneRunner} that does ({@link #lanes}), a conservative pass plans node-disjoint parts of the
 * machine side by side.
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
     * A job's eligible nodes from the cache alone, which {@link #eligible} filled for every queued job before the
     * lanes began: lanes running side by side read it, none writes it.
     */
    private Eligible cachedEligible(Demand d) {
        Eligible e = eligibleCache.get(d.eligible());
        if (e == null) throw new IllegalStateException("no eligible nodes cached for partition " + d.partition());
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
        return eligibleAt(p, eligible(p.demand()), t, l);
    }

    /** The same from the job's eligible set {@code base} (a lane's searches look it up without changing the cache). */
    private Eligible eligibleAt(PendingJob p, Eligible base, long t, ResourceLedger l) {
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
        int n = q.end();
        Lane[] lanesNow = lanesFor(q::at, n, ledger, true);
        if (lanesNow.length == 1) {
            // one lane, each decision applied at once (a start can change what a later job's gate says)
            Outcomes out = new Outcomes(now, ledger, q, options, 0);
            conservativeLane(lanesNow[0], now, ledger, q, out, true);
            return new Plan(now, out.starts, out.reserves, out.waits, List.of());
        }
        Outcomes out = new Outcomes(now, ledger, q, options, n);
        runLanes(lanesNow, lane -> conservativeLane(lane, now, ledger, q, out, false));
        for (int i = 0; i < n; i++) out.commit(i);
        return new Plan(now, out.starts, out.reserves, out.waits, List.of());
    }

    /**
     * The conservative plan of one lane's jobs (in queue order) on the lane's profile: each job gets the earliest
     * reservation that delays no earlier one. Touches nothing shared unless {@code alone} (the only lane, on the
     * calling thread): what it decides goes into {@code out}, applied at once when alone, else by the caller
     * afterwards, in queue order.
     */
    private void conservativeLane(Lane lane, long now, ResourceLedger ledger, PendingQueue q, Outcomes out, boolean alone) {
        Profile prof = lane.profile;
        resetProfile(prof, ledger, now);
        int[] jobs = lane.jobs;
        int count = lane.count;
        // every reservation made before stays in the profile while its job looks for a better one
        boolean[] kept = new boolean[count];
        for (int k = 0; k < count; k++) {
            PendingJob p = q.at(jobs[k]);
            Reservation r = p.reservation();
            if (r.isNone() || p.hold() != PendingReason.NONE || r.start() < now || !stillSchedulable(r)) continue;
            prof.reserve(p.demand(), r.nodes(), r.tasks(), r.start(), p.demand().timeLimit());
            kept[k] = true;
        }
        for (int k = 0; k < count; k++) {
            int i = jobs[k];
            PendingJob p = q.at(i);
            Demand d = p.demand();
            PendingReason gate = gate(p, now, ledger);
            Reservation old = p.reservation();
            if (gate != PendingReason.NONE && gate != PendingReason.BEGIN_TIME && gate != PendingReason.RESERVATION) {
                if (kept[k]) prof.unreserve(d, old.nodes(), old.tasks(), old.start(), d.timeLimit());
                out.decide(i, Outcomes.DROP, null, gate, alone);
                continue;
            }
            if (kept[k]) prof.unreserveOwn(d, old.nodes(), old.tasks(), old.start(), d.timeLimit());
            // a job that holds a reservation keeps it unless it can start earlier: later slots need not be searched
            Eligible e = alone ? eligible(d) : cachedEligible(d); // (lanes side by side must not write the cache)
            Profile.Slot s = slotFor(prof, p, e, Math.max(now, p.eligibleAt()), kept[k] ? old.start() : Profile.INF, ledger);
            if (s == null || (kept[k] && s.start() > old.start())) {
                if (!kept[k]) {
                    out.decide(i, Outcomes.DROP, null, gate != PendingReason.NONE ? gate : PendingReason.REQ_NODE_NOT_AVAIL, alone);
                    continue;
                }
                s = new Profile.Slot(old.start(), old.nodes(), old.tasks());
            }
            prof.reserve(d, s.nodes(), s.tasks(), s.start(), d.timeLimit());
            if (kept[k]) prof.ownReservationDone(s.start() == old.start() && Arrays.equals(s.nodes(), old.nodes())
                    && Arrays.equals(s.tasks(), old.tasks()));
            out.decide(i, s.start() == now && gate == PendingReason.NONE ? Outcomes.START : Outcomes.RESERVE, s, gate, alone);
        }
    }

    // ---- lanes: node-disjoint parts of a pass, side by side

    /** Jobs of one lane (queue positions, in order) and the profile its searches use. */
    private static final class Lane {
        final Profile profile;
        int[] jobs = new int[64];
        int count;
        long work;

        Lane(Profile profile) {
            this.profile = profile;
        }

        void add(int pos) {
            if (count == jobs.length) jobs = Arrays.copyOf(jobs, count * 2);
            jobs[count++] = pos;
        }
    }

    /** A lane must have at least this many jobs for a pass to be split: below, the hand-over costs more than it saves. */
    static final int MIN_JOBS_PER_LANE = 2_000;
    /** Passes whose jobs have more distinct eligible node sets than this are not split (comparing them costs too much). */
    private static final int MAX_SPLIT_SETS = 256;
    private LaneRunner laneRunner = LaneRunner.IN_TURN;
    private Lane[] lanes = new Lane[0];
    private int laneThreshold = MIN_JOBS_PER_LANE;

    /**
     * Lets a conservative pass plan the jobs of node-disjoint parts of the machine side by side, on up to
     * {@code count} lanes run by {@code runner}. Jobs whose eligible nodes
     * overlap (directly or through other jobs) stay in one lane, so each lane's plan is the one the whole pass would
     * make for its jobs, and the pass's plan is the same as on one lane, decision for decision. A pass is split only
     * when at least two lanes get {@value #MIN_JOBS_PER_LANE} jobs, and never when QOS limits or budgets are set
     * (a start in one part changes what a job of another may do). The scheduler starts no thread of its own.
     */
    public Scheduler lanes(int count, LaneRunner runner) {
        if (count < 1) throw new IllegalArgumentException("lanes must be at least 1");
        if (runner == null) throw new IllegalArgumentException("lanes need a runner");
        this.laneRunner = runner;
        Lane[] l = new Lane[count];
        // each lane its own profile and placer (scratch space); the first, the scheduler's own
        for (int i = 0; i < count; i++) l[i] = new Lane(i == 0 ? profile : new Profile(cluster, new Placer(cluster)));
        this.lanes = l;
        return this;
    }

    /** Tests: split passes whose lanes have this many jobs or more (default {@value #MIN_JOBS_PER_LANE}). */
    void laneThreshold(int jobs) { this.laneThreshold = jobs; }

    private long splitPasses;

    /** Passes split into lanes so far (for tests and benchmarks). */
    public long splitPasses() { return splitPasses; }

    /**
     * The lanes of a pass over positions 0..n-1 of a sequence of jobs ({@code q}: position → job, null for none):
     * the lanes it splits into when {@code maySplit} and it is worth it (two or more), else the scheduler's own lane
     * with every job, which runs alone on the calling thread.
     */
    private Lane[] lanesFor(java.util.function.IntFunction<PendingJob> q, int n, ResourceLedger ledger, boolean maySplit) {
        Lane[] split = maySplit ? splitIntoLanes(q, n, ledger) : null;
        if (split != null) {
            splitPasses++;
            return split;
        }
        if (lanes.length == 0) lanes = new Lane[] {new Lane(profile)};
        Lane only = lanes[0];
        only.count = 0;
        for (int i = 0; i < n; i++) if (q.apply(i) != null) only.add(i);
        return new Lane[] {only};
    }

    /**
     * Splits the jobs into two or more lanes whose eligible nodes do not overlap (positions in queue order); null
     * when the pass runs on one lane. Fills the eligible-set cache for every job, which the lanes then only read.
     */
    private Lane[] splitIntoLanes(java.util.function.IntFunction<PendingJob> q, int n, ResourceLedger ledger) {
        if (lanes.length < 2 || limitsConfigured || !ledger.budgetLeft().isEmpty() || n < 2L * laneThreshold) return null;
        IdentityHashMap<Eligible, Integer> ids = new IdentityHashMap<>();
        List<Eligible> sets = new ArrayList<>();
        int[] setOf = new int[n];
        for (int i = 0; i < n; i++) {
            PendingJob p = q.apply(i);
            if (p == null) continue;
            Eligible e = eligible(p.demand());
            Integer id = ids.get(e);
            if (id == null) {
                if (sets.size() == MAX_SPLIT_SETS) return null;
                id = sets.size();
                ids.put(e, id);
                sets.add(e);
            }
            setOf[i] = id;
        }
        // parts: sets joined when they share a node
        int k = sets.size();
        int[] parent = new int[k];
        for (int a = 0; a < k; a++) parent[a] = a;
        for (int a = 0; a < k; a++) {
            for (int b = a + 1; b < k; b++) if (overlap(sets.get(a), sets.get(b))) parent[root(parent, a)] = root(parent, b);
        }
        long[] jobsOfPart = new long[k];
        for (int i = 0; i < n; i++) if (q.apply(i) != null) jobsOfPart[root(parent, setOf[i])]++;
        // biggest parts first, each to the lane with the fewest jobs so far
        Integer[] parts = new Integer[k];
        int np = 0;
        for (int a = 0; a < k; a++) if (jobsOfPart[a] > 0) parts[np++] = a;
        if (np < 2) return null;
        Arrays.sort(parts, 0, np, (x, y) -> Long.compare(jobsOfPart[y], jobsOfPart[x]));
        int nl = Math.min(lanes.length, np);
        Lane[] used = Arrays.copyOf(lanes, nl);
        int[] laneOfPart = new int[k];
        for (Lane l : used) {
            l.count = 0;
            l.work = 0;
        }
        for (int j = 0; j < np; j++) {
            int best = 0;
            for (int l = 1; l < nl; l++) if (used[l].work < used[best].work) best = l;
            laneOfPart[parts[j]] = best;
            used[best].work += jobsOfPart[parts[j]];
        }
        int busy = 0;
        for (Lane l : used) if (l.work >= laneThreshold) busy++;
        if (busy < 2) return null;
        for (int i = 0; i < n; i++) if (q.apply(i) != null) used[laneOfPart[root(parent, setOf[i])]].add(i);
        return used;
    }

    private static int root(int[] parent, int a) {
        while (parent[a] != a) {
            parent[a] = parent[parent[a]];
            a = parent[a];
        }
        return a;
    }

    private static boolean overlap(Eligible a, Eligible b) {
        int lo = Math.max(a.lo(), b.lo()), hi = Math.min(a.hi(), b.hi());
        for (int w = lo; w < hi; w++) if ((a.words()[w] & b.words()[w]) != 0) return true;
        return false;
    }

    /** Runs {@code work} on every lane through the runner; returns when all are done. */
    private void runLanes(Lane[] split, java.util.function.Consumer<Lane> work) {
        List<Runnable> tasks = new ArrayList<>(split.length);
        for (Lane lane : split) tasks.add(() -> work.accept(lane));
        laneRunner.runAll(tasks);
    }

    /**
     * What a pass decided for each queue position, applied to the queue, the ledger and the plan's lists in queue
     * order: at once (one lane), or after every lane is done.
     */
    private final class Outcomes {
        static final byte DROP = 1, START = 2, RESERVE = 3;
        private final long now;
        private final ResourceLedger ledger;
        private final PendingQueue q;
        private final Options options;
        private final byte[] kind;
        private final Profile.Slot[] slot;
        private final PendingReason[] reason;
        final List<Decision.Start> starts = new ArrayList<>();
        final List<Decision.Reserve> reserves = new ArrayList<>();
        final List<Decision.Wait> waits = new ArrayList<>();

        /** @param n positions to record decisions for, to apply later; 0 when each is applied as it is made */
        Outcomes(long now, ResourceLedger ledger, PendingQueue q, Options options, int n) {
            this.now = now;
            this.ledger = ledger;
            this.q = q;
            this.options = options;
            kind = new byte[n];
            slot = new Profile.Slot[n];
            reason = new PendingReason[n];
        }

        /**
         * What was decided for position i (DROP: no slot, and the reason it waits for ever; RESERVE: its gate):
         * applied now when {@code apply}, else recorded for {@link #commit}.
         */
        void decide(int i, byte k, Profile.Slot s, PendingReason why, boolean apply) {
            if (apply) {
                apply(i, k, s, why);
                return;
            }
            kind[i] = k;
            slot[i] = s;
            reason[i] = why;
        }

        /** Applies what was recorded for position i (nothing if nothing was). */
        void commit(int i) {
            byte k = kind[i];
            if (k == 0) return;
            apply(i, k, slot[i], reason[i]);
            kind[i] = 0;
            slot[i] = null;
        }

        private void apply(int i, byte k, Profile.Slot s, PendingReason why) {
            PendingJob p = q.at(i);
            switch (k) {
                case DROP -> {
                    if (!p.reservation().isNone()) q.reserve(i, Reservation.NONE);
                    if (options.forecast()) waits.add(new Decision.Wait(p.id(), why, Plan.NEVER));
                }
                case START -> {
                    start(p, placer.allocate(p.demand(), ledger, s.nodes(), s.tasks()), now, ledger, starts);
                    q.removeStarted(i);
                }
                default -> {
                    Reservation r = new Reservation(Math.max(s.start(), now + 1), s.nodes(), s.tasks());
                    q.reserve(i, r);
                    PendingReason shown = why != PendingReason.NONE ? why : reserves.isEmpty() ? PendingReason.RESOURCES : PendingReason.PRIORITY;
                    reserves.add(new Decision.Reserve(p.id(), r, shown));
                }
            }
        }
    }

    /** The profile of the ledger's running jobs, with every advance reservation blocking its nodes over its window. */
    private static void resetProfile(Profile profile, ResourceLedger ledger, long now) {
        profile.reset(ledger, now);
        for (AdvanceReservation r : ledger.reservations()) profile.block(r, true);
    }

    /**
     * The earliest slot for a job from {@code from}: among its eligible nodes, or — for a job of an advance
     * reservation — among the reservation's nodes inside its window; null when there is none by {@code until}.
     */
    private Profile.Slot slotFor(Profile profile, PendingJob p, Eligible base, long from, long until, ResourceLedger ledger) {
        Demand d = p.demand();
        String mine = p.spec().reservation();
        if (mine.isEmpty()) return profile.earliest(d, base.words(), base.lo(), base.hi(), from, d.timeLimit(), until);
        AdvanceReservation r = reservation(ledger, mine);
        if (r == null || !r.admits(p.spec().user(), p.spec().account())) return null;
        Eligible e = eligibleAt(p, base, Math.max(from, r.start()), ledger);
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
     * Under easy, split into lanes like a conservative pass (under fcfs no job starts before the jobs ahead of
     * it, in any part of the machine: one lane).
     */
    private List<Decision.Wait> forecast(long now, ResourceLedger ledger, List<PendingJob> ordered,
                                         Map<Long, Reservation> reserved) {
        int n = ordered.size();
        // under fcfs no job starts before the jobs ahead of it
        boolean inOrder = config.backfill() == SchedulerConfig.Backfill.FCFS;
        Lane[] lanesNow = lanesFor(ordered::get, n, ledger, !inOrder);
        PendingReason[] reason = new PendingReason[n];
        long[] start = new long[n];
        if (lanesNow.length == 1) {
            forecastLane(lanesNow[0], now, ledger, ordered, reserved, inOrder, true, reason, start);
        } else {
            runLanes(lanesNow, lane -> forecastLane(lane, now, ledger, ordered, reserved, false, false, reason, start));
        }
        List<Decision.Wait> waits = new ArrayList<>();
        boolean blockedAhead = reserved != null && !reserved.isEmpty();
        for (int i = 0; i < n; i++) {
            PendingReason gate = reason[i];
            if (gate == null) continue; // a job holding a reservation: not forecast
            if (start[i] == Plan.NEVER) {
                waits.add(new Decision.Wait(ordered.get(i).id(), gate, Plan.NEVER));
                continue;
            }
            PendingReason why = gate != PendingReason.NONE ? gate : blockedAhead ? PendingReason.PRIORITY : PendingReason.RESOURCES;
            waits.add(new Decision.Wait(ordered.get(i).id(), why, start[i]));
            if (gate == PendingReason.NONE) blockedAhead = true;
        }
        return waits;
    }

    /**
     * The forecast of one lane's jobs on its profile: for each, {@code start} (NEVER when it never can) and in
     * {@code reason} its gate (or why it never can); null for a job not forecast.
     */
    private void forecastLane(Lane lane, long now, ResourceLedger ledger, List<PendingJob> ordered, Map<Long, Reservation> reserved,
                              boolean inOrder, boolean alone, PendingReason[] reason, long[] start) {
        Profile prof = lane.profile;
        resetProfile(prof, ledger, now);
        int[] jobs = lane.jobs;
        int count = lane.count;
        if (reserved != null) {
            for (int k = 0; k < count; k++) {
                PendingJob p = ordered.get(jobs[k]);
                Reservation r = reserved.get(p.id());
                if (r != null) prof.reserve(p.demand(), r.nodes(), r.tasks(), r.start(), p.demand().timeLimit());
            }
        }
        long notBefore = now;
        for (int k = 0; k < count; k++) {
            int i = jobs[k];
            PendingJob p = ordered.get(i);
            if (reserved != null && reserved.containsKey(p.id())) continue;
            PendingReason gate = gate(p, now, ledger);
            Demand d = p.demand();
            start[i] = Plan.NEVER;
            if (gate != PendingReason.NONE && gate != PendingReason.BEGIN_TIME && gate != PendingReason.RESERVATION) {
                reason[i] = gate;
                continue;
            }
            long from = Math.max(inOrder ? notBefore : now, p.eligibleAt());
            Eligible e = alone ? eligible(d) : cachedEligible(d); // (lanes side by side must not write the cache)
            Profile.Slot s = slotFor(prof, p, e, from, Profile.INF, ledger);
            if (s == null) {
                reason[i] = gate != PendingReason.NONE ? gate : PendingReason.REQ_NODE_NOT_AVAIL;
                continue;
            }
            notBefore = Math.max(notBefore, s.start());
            prof.reserve(d, s.nodes(), s.tasks(), s.start(), d.timeLimit());
            reason[i] = gate;
            start[i] = s.start() <= now ? now + 1 : s.start();
        }
    }
}
