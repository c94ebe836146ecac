package io.bottega.agent;

import java.util.SplittableRandom;

/**
 * Exponential back-off with jitter for reaching the controller: 250 ms doubling up to a cap, each delay
 * drawn in [d/2, d]. Seeded from the node name, so thousands of agents restarted together spread out,
 * and one node's delays are reproducible.
 */
final class Backoff {
    private static final long BASE_MS = 250;
    private final long maxMs;
    private final SplittableRandom random;
    private int attempt;

    Backoff(String nodeName, long maxMs) {
        this.maxMs = Math.max(1, maxMs);
        this.random = new SplittableRandom(seed(nodeName));
    }

    static long seed(String s) {
        long h = 0xcbf29ce484222325L;   // FNV-1a, stable across JVMs (unlike String.hashCode spreading)
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** The delay before the next attempt. */
    long nextDelayMs() {
        long d = Math.min(maxMs, BASE_MS << Math.min(attempt, 20));
        attempt++;
        long lo = Math.max(1, d / 2);
        return lo + random.nextLong(d - lo + 1);
    }

    void reset() {
        attempt = 0;
    }

    int attempts() {
        return attempt;
    }
}
