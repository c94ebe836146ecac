package io.bottega.core.sched;

import java.util.Arrays;

/**
 * A segment tree of ints over positions 0..capacity-1 answering "the first position ≥ i whose value is
 * ≤ x" in O(log n): how a pass skips over queued jobs too big for what is free, instead of looking at
 * each one. Empty positions hold {@link Integer#MAX_VALUE}.
 */
final class MinTree {
    private int leaves;
    private int[] tree;

    MinTree(int capacity) {
        leaves = Integer.highestOneBit(Math.max(1, capacity - 1)) << 1;
        tree = new int[2 * leaves];
        Arrays.fill(tree, Integer.MAX_VALUE);
    }

    int capacity() { return leaves; }

    void set(int pos, int value) {
        int i = pos + leaves;
        tree[i] = value;
        for (i >>= 1; i > 0; i >>= 1) {
            int min = Math.min(tree[2 * i], tree[2 * i + 1]);
            if (tree[i] == min) break; // the ancestors depend on this node's value only: none changes
            tree[i] = min;
        }
    }

    int get(int pos) { return tree[pos + leaves]; }

    /** Sets all values at once (positions beyond {@code values.length} empty) in O(n). */
    void rebuild(int[] values, int count) {
        if (count > leaves) {
            leaves = Integer.highestOneBit(Math.max(1, count - 1)) << 1;
            tree = new int[2 * leaves];
        }
        Arrays.fill(tree, Integer.MAX_VALUE);
        System.arraycopy(values, 0, tree, leaves, count);
        for (int i = leaves - 1; i > 0; i--) tree[i] = Math.min(tree[2 * i], tree[2 * i + 1]);
    }

    /** The first position ≥ from whose value is ≤ x, or -1. */
    int firstAtMost(int from, int x) {
        if (from >= leaves) return -1;
        int i = from + leaves;
        if (tree[i] <= x) return from;
        // climb while we are a right child or our right sibling cannot help
        while (true) {
            if ((i & 1) == 0 && tree[i + 1] <= x) {
                i = i + 1;
                break;
            }
            i >>= 1;
            if (i <= 1) return -1;
        }
        while (i < leaves) {
            i = tree[2 * i] <= x ? 2 * i : 2 * i + 1;
        }
        return i - leaves;
    }
}
