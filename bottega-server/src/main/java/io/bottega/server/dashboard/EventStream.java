package io.bottega.server.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bottega.server.loop.ControllerLoop;
import io.javalin.http.sse.SseClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Server-sent events for the dashboard ({@code GET /api/v1/events}): an {@code update} event with the
 * machine's counters whenever they changed, at most one per event interval (so a burst of 10,000
 * submissions is a handful of events, not 10,000), and a comment every 15 s to keep idle connections open.
 * Clients refetch what they show when an update arrives. Each client is written by its own virtual thread; a
 * client still busy with the previous event skips one (slow readers never hold others up).
 */
final class EventStream {
    private static final Logger log = LoggerFactory.getLogger(EventStream.class);
    private static final long KEEPALIVE_MILLIS = 15_000;

    private final ControllerLoop loop;
    private final ObjectMapper json;
    private final LongSupplier clockMillis;
    private final Map<SseClient, AtomicBoolean> clients = new ConcurrentHashMap<>();
    private final ExecutorService writers = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicLong seq = new AtomicLong();
    private volatile Map<String, Object> last = Map.of();
    private volatile long lastSentMillis;
    private final AtomicBoolean busy = new AtomicBoolean();

    EventStream(ControllerLoop loop, ObjectMapper json, LongSupplier clockMillis) {
        this.loop = loop;
        this.json = json;
        this.clockMillis = clockMillis;
    }

    int clientCount() { return clients.size(); }

    /** Keeps the client open and sends it the current state at once. */
    void add(SseClient client) {
        AtomicBoolean sending = new AtomicBoolean();
        client.keepAlive();
        client.onClose(() -> clients.remove(client));
        clients.put(client, sending);
        Map<String, Object> now = last;
        if (!now.isEmpty()) send(client, sending, "update", now);
        else client.sendComment("connected");
    }

    /** Called every event interval: looks at the counters and tells the clients if they moved. */
    void tick() {
        if (clients.isEmpty() || !busy.compareAndSet(false, true)) return;
        CompletableFuture<long[]> usage = loop.usage();
        CompletableFuture<Map<String, Integer>> states = loop.nodeStateCounts();
        usage.thenCombineAsync(states, (u, s) -> {
            ControllerLoop.Stats st = loop.stats();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("coresAlloc", u[0]);
            m.put("gpusAlloc", u[1]);
            m.put("nodesUp", u[2]);
            m.put("pending", u[3]);
            m.put("running", u[4]);
            m.put("submitted", st.submitted.get());
            m.put("started", st.started.get());
            m.put("ended", st.ended.get());
            m.put("nodeStates", s);
            return m;
        }, writers).whenComplete((m, err) -> {
            try {
                if (err != null) {
                    log.warn("event=dashboard_events_failed error={}", err.toString());
                    return;
                }
                long now = clockMillis.getAsLong();
                if (!m.equals(withoutSeq(last))) {
                    m.put("seq", seq.incrementAndGet());
                    m.put("time", now / 1000);
                    last = m;
                    lastSentMillis = now;
                    clients.forEach((c, sending) -> send(c, sending, "update", m));
                } else if (now - lastSentMillis >= KEEPALIVE_MILLIS) {
                    lastSentMillis = now;
                    clients.forEach((c, sending) -> {
                        if (sending.compareAndSet(false, true)) {
                            writers.execute(() -> {
                                try {
                                    c.sendComment("keepalive");
                                } finally {
                                    sending.set(false);
                                }
                                if (c.terminated()) clients.remove(c);
                            });
                        }
                    });
                }
            } finally {
                busy.set(false);
            }
        });
    }

    private static Map<String, Object> withoutSeq(Map<String, Object> m) {
        if (m.isEmpty()) return m;
        Map<String, Object> c = new LinkedHashMap<>(m);
        c.remove("seq");
        c.remove("time");
        return c;
    }

    private void send(SseClient c, AtomicBoolean sending, String event, Map<String, Object> data) {
        if (!sending.compareAndSet(false, true)) return; // still writing the previous one: it sends the latest when done
        writers.execute(() -> {
            Map<String, Object> d = data;
            try {
                while (true) {
                    c.sendEvent(event, json.writeValueAsString(d));
                    Map<String, Object> newest = last;
                    if (newest == d || c.terminated()) break;
                    d = newest; // changed while we wrote: send the newest, never a backlog
                }
            } catch (Exception e) {
                clients.remove(c);
            } finally {
                sending.set(false);
            }
            if (c.terminated()) clients.remove(c);
        });
    }

    void close() {
        for (SseClient c : Set.copyOf(clients.keySet())) {
            try {
                c.close();
            } catch (RuntimeException e) {
                // closing anyway
            }
        }
        clients.clear();
        writers.shutdownNow();
    }
}
