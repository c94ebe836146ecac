package io.bottega.server.dashboard;

import io.bottega.api.NodeView;
import io.bottega.server.loop.ControllerLoop;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * Hands out {@link Snapshot}s of the loop, taking a new one only when the last is older than asked: many
 * browsers (and a Prometheus scrape) in the same second cost the loop one copy. Thread-safe.
 */
public final class Snapshots {
    private final ControllerLoop loop;
    private final LongSupplier clockMillis;
    private Snapshot last;
    private long lastVersion;
    private CompletableFuture<Snapshot> inFlight;
    private long inFlightVersion;

    public Snapshots(ControllerLoop loop, LongSupplier clockMillis) {
        this.loop = loop;
        this.clockMillis = clockMillis;
    }

    /**
     * A snapshot at most {@code maxAgeMillis} old, and taken after every job submitted, started or ended so far:
     * a client that has just been told of a change (an answer to its submission, an event) never gets an older
     * picture. A snapshot being taken counts as new if no job changed since it was asked for.
     */
    public synchronized CompletableFuture<Snapshot> get(long maxAgeMillis) {
        long now = clockMillis.getAsLong();
        long version = version();
        if (last != null && lastVersion == version && now - last.takenMillis() <= maxAgeMillis) {
            return CompletableFuture.completedFuture(last);
        }
        if (inFlight != null && inFlightVersion == version) return inFlight;
        CompletableFuture<List<NodeView>> nodes = loop.nodeViews();
        CompletableFuture<List<ControllerLoop.JobBrief>> jobs = loop.jobBriefs();
        CompletableFuture<Map<String, Long>> lag = loop.heartbeatLag();
        CompletableFuture<Snapshot> f = nodes.thenCombine(jobs, (n, j) -> new Object[] {n, j}).thenCombine(lag, (nj, l) -> {
            @SuppressWarnings("unchecked")
            List<NodeView> nv = (List<NodeView>) nj[0];
            @SuppressWarnings("unchecked")
            List<ControllerLoop.JobBrief> jv = (List<ControllerLoop.JobBrief>) nj[1];
            long[] lags = new long[nv.size()];
            for (int i = 0; i < lags.length; i++) lags[i] = l.getOrDefault(nv.get(i).name(), -1L);
            return new Snapshot(clockMillis.getAsLong(), loop.cluster().name(), nv, jv, lags);
        });
        inFlight = f;
        inFlightVersion = version;
        f.whenComplete((s, err) -> {
            synchronized (Snapshots.this) {
                if (s != null && (last == null || s.takenMillis() >= last.takenMillis())) {
                    last = s;
                    lastVersion = version;
                }
                if (inFlight == f) inFlight = null;
            }
        });
        return f;
    }

    /** Moves whenever a job is submitted, starts or ends (the loop counts those before it answers anyone). */
    private long version() {
        ControllerLoop.Stats st = loop.stats();
        return st.submitted.get() + st.started.get() + st.ended.get();
    }

    /** The last snapshot taken, if any (no loop call). */
    public synchronized Snapshot latest() { return last; }
}
