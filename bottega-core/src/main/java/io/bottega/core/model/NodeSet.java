package io.bottega.core.model;

import java.util.Arrays;
import java.util.function.IntConsumer;

/**
 * An immutable set of dense node ids, stored as a bitmap. The scheduler intersects these word by word
 * (partition ∧ features ∧ schedulable) instead of walking node objects.
 */
public final class NodeSet {
    public static final NodeSet EMPTY = new NodeSet(new long[0], 0);

    private final long[] words;
    private final int size;

    private NodeSet(long[] words, int size) {
        this.words = words;
        this.size = size;
    }

    public static NodeSet of(int... ids) {
        int max = -1;
        for (int id : ids) {
            if (id < 0) throw new IllegalArgumentException("node id must not be negative");
            max = Math.max(max, id);
        }
        long[] w = new long[(max >> 6) + 1];
        for (int id : ids) w[id >> 6] |= 1L << id;
        return wrap(w);
    }

    /** All ids in [from, to). */
    public static NodeSet range(int from, int to) {
        if (from < 0 || to < from) throw new IllegalArgumentException("bad node range " + from + ".." + to);
        long[] w = new long[(to + 63) >> 6];
        for (int i = from; i < to; i++) w[i >> 6] |= 1L << i;
        return wrap(w);
    }

    /** Takes ownership of {@code words}. */
    public static NodeSet wrap(long[] words) {
        int len = words.length;
        while (len > 0 && words[len - 1] == 0) len--;
        long[] w = len == words.length ? words : Arrays.copyOf(words, len);
        int size = 0;
        for (long x : w) size += Long.bitCount(x);
        return size == 0 ? EMPTY : new NodeSet(w, size);
    }

    public int size() { return size; }
    public boolean isEmpty() { return size == 0; }
    public int wordCount() { return words.length; }
    public long word(int i) { return i < words.length ? words[i] : 0L; }

    public boolean contains(int id) {
        int w = id >> 6;
        return id >= 0 && w < words.length && (words[w] & (1L << id)) != 0;
    }

    /** The first id ≥ {@code from} in the set, or -1. */
    public int nextSetBit(int from) {
        if (from < 0) from = 0;
        int w = from >> 6;
        if (w >= words.length) return -1;
        long x = words[w] & (-1L << from);
        while (true) {
            if (x != 0) return (w << 6) + Long.numberOfTrailingZeros(x);
            if (++w >= words.length) return -1;
            x = words[w];
        }
    }

    public void forEach(IntConsumer action) {
        for (int w = 0; w < words.length; w++) {
            long x = words[w];
            while (x != 0) {
                action.accept((w << 6) + Long.numberOfTrailingZeros(x));
                x &= x - 1;
            }
        }
    }

    public int[] toArray() {
        int[] out = new int[size];
        int[] i = {0};
        forEach(id -> out[i[0]++] = id);
        return out;
    }

    public NodeSet and(NodeSet o) {
        long[] w = new long[Math.min(words.length, o.words.length)];
        for (int i = 0; i < w.length; i++) w[i] = words[i] & o.words[i];
        return wrap(w);
    }

    public NodeSet or(NodeSet o) {
        long[] w = Arrays.copyOf(words, Math.max(words.length, o.words.length));
        for (int i = 0; i < o.words.length; i++) w[i] |= o.words[i];
        return wrap(w);
    }

    public NodeSet andNot(NodeSet o) {
        long[] w = words.clone();
        for (int i = 0; i < Math.min(w.length, o.words.length); i++) w[i] &= ~o.words[i];
        return wrap(w);
    }

    public boolean intersects(NodeSet o) {
        for (int i = 0; i < Math.min(words.length, o.words.length); i++) if ((words[i] & o.words[i]) != 0) return true;
        return false;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NodeSet s && Arrays.equals(words, s.words);
    }

    @Override
    public int hashCode() { return Arrays.hashCode(words); }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("{");
        forEach(id -> b.append(b.length() > 1 ? "," : "").append(id));
        return b.append('}').toString();
    }
}
