package io.bottega.sim;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A plain, slow reference of {@code specs/swf-replay.md} for a machine of {@code procs} interchangeable
 * processors, written from the spec's text alone (no code shared with the scheduler): what any other
 * simulator following the same rules must produce, start time for start time.
 */
final class ReferenceReplay {
    record Job(long id, long submit, int procs, long run, long estimate) {
        long held() { return Math.min(run, estimate); }
    }

    private record Running(Job job, long start) {
        long expectedEnd() { return start + job.estimate(); }
        long end() { return start + job.held(); }
    }

    private record Slot(long start, long end, int procs) {}

    private ReferenceReplay() {}

    /** Start time of every job, in the order of {@code jobs}. */
    static long[] run(int procs, List<Job> jobs, String policy) {
        List<Job> order = new ArrayList<>(jobs);
        order.sort(Comparator.comparingLong(Job::submit).thenComparingLong(Job::id));
        List<Job> queue = new ArrayList<>();
        List<Running> running = new ArrayList<>();
        java.util.Map<Long, Long> starts = new java.util.HashMap<>();
        java.util.Map<Long, Slot> reservations = new java.util.HashMap<>();
        int next = 0;
        while (next < order.size() || !running.isEmpty() || !queue.isEmpty()) {
            long now = Long.MAX_VALUE;
            if (next < order.size()) now = order.get(next).submit();
            for (Running r : running) now = Math.min(now, r.end());
            for (Slot s : reservations.values()) if (s.start() > 0) now = Math.min(now, Math.max(s.start(), 0));
            final long t = now;
            running.removeIf(r -> r.end() == t);
            while (next < order.size() && order.get(next).submit() == t) queue.add(order.get(next++));
            int free = procs;
            for (Running r : running) free -= r.job().procs();
            switch (policy) {
                case "fcfs" -> {
                    while (!queue.isEmpty() && queue.get(0).procs() <= free) {
                        Job j = queue.remove(0);
                        running.add(new Running(j, t));
                        starts.put(j.id(), t);
                        free -= j.procs();
                    }
                }
                case "easy" -> {
                    while (!queue.isEmpty() && queue.get(0).procs() <= free) {
                        Job j = queue.remove(0);
                        running.add(new Running(j, t));
                        starts.put(j.id(), t);
                        free -= j.procs();
                    }
                    if (!queue.isEmpty()) {
                        Job head = queue.get(0);
                        List<Running> byEnd = new ArrayList<>(running);
                        byEnd.sort(Comparator.comparingLong(Running::expectedEnd));
                        int avail = free;
                        long shadow = -1;
                        for (Running r : byEnd) {
                            avail += r.job().procs();
                            if (avail >= head.procs()) {
                                shadow = r.expectedEnd();
                                // all jobs ending at that same instant free their processors too
                                for (Running o : byEnd) if (o != r && o.expectedEnd() == shadow && byEnd.indexOf(o) > byEnd.indexOf(r)) avail += o.job().procs();
                                break;
                            }
                        }
                        int extra = avail - head.procs();
                        for (int i = 1; i < queue.size(); i++) {
                            Job j = queue.get(i);
                            if (j.procs() > free) continue;
                            boolean endsBefore = t + j.estimate() <= shadow;
                            if (endsBefore || j.procs() <= extra) {
                                if (!endsBefore) extra -= j.procs();
                                queue.remove(i--);
                                running.add(new Running(j, t));
                                starts.put(j.id(), t);
                                free -= j.procs();
                            }
                        }
                    }
                }
                case "conservative" -> {
                    // every queued job, in order, takes the earliest slot that delays no reservation already made
                    for (Job j : new ArrayList<>(queue)) {
                        Slot old = reservations.remove(j.id());
                        long best = earliest(procs, running, reservations, j, t);
                        if (old != null && best > old.start()) best = old.start();
                        if (best == t) {
                            queue.remove(j);
                            running.add(new Running(j, t));
                            starts.put(j.id(), t);
                        } else {
                            reservations.put(j.id(), new Slot(best, best + j.estimate(), j.procs()));
                        }
                    }
                }
                default -> throw new IllegalArgumentException(policy);
            }
        }
        long[] out = new long[jobs.size()];
        for (int i = 0; i < jobs.size(); i++) out[i] = starts.get(jobs.get(i).id());
        return out;
    }

    /** Earliest s ≥ now with procs free over [s, s + estimate) given running jobs and reservations. */
    private static long earliest(int procs, List<Running> running, java.util.Map<Long, Slot> reservations, Job j, long now) {
        List<Long> candidates = new ArrayList<>();
        candidates.add(now);
        for (Running r : running) candidates.add(r.expectedEnd());
        for (Slot s : reservations.values()) candidates.add(s.end());
        candidates.sort(null);
        for (long s : candidates) {
            if (s < now) continue;
            long e = s + j.estimate();
            // free is piecewise constant; check at s and every change inside [s, e)
            List<Long> points = new ArrayList<>();
            points.add(s);
            for (Running r : running) if (r.expectedEnd() > s && r.expectedEnd() < e) points.add(r.expectedEnd());
            for (Slot r : reservations.values()) {
                if (r.start() > s && r.start() < e) points.add(r.start());
                if (r.end() > s && r.end() < e) points.add(r.end());
            }
            boolean ok = true;
            for (long p : points) {
                int used = 0;
                for (Running r : running) if (r.expectedEnd() > p) used += r.job().procs();
                for (Slot r : reservations.values()) if (r.start() <= p && p < r.end()) used += r.procs();
                if (procs - used < j.procs()) { ok = false; break; }
            }
            if (ok) return s;
        }
        throw new IllegalStateException("no slot for job " + j.id());
    }
}
