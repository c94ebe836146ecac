package io.bottega.core.sched;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The segment tree the queue skips big jobs with, against a plain array, under random updates. */
class MinTreeTest {

    @Test
    void firstAtMostMatchesALinearScanAfterEveryUpdate() {
        SplittableRandom random = new SplittableRandom(7);
        int n = 200;
        MinTree tree = new MinTree(n);
        int[] values = new int[tree.capacity()];
        Arrays.fill(values, Integer.MAX_VALUE);
        for (int step = 0; step < 20_000; step++) {
            int pos = random.nextInt(n);
            // small values repeat often, so that a set leaves a parent's minimum unchanged (the early stop)
            int value = random.nextInt(4) == 0 ? Integer.MAX_VALUE : random.nextInt(8);
            tree.set(pos, value);
            values[pos] = value;
            int from = random.nextInt(n + 1);
            int x = random.nextInt(9);
            assertThat(tree.firstAtMost(from, x)).as("step %d: first ≥ %d at most %d", step, from, x)
                    .isEqualTo(firstAtMost(values, from, x));
            assertThat(tree.get(pos)).isEqualTo(value);
        }
    }

    @Test
    void rebuildThenSetKeepsTheMinimaRight() {
        int[] values = {5, 3, 9, 3, Integer.MAX_VALUE, 1, 7, 2};
        MinTree tree = new MinTree(values.length);
        tree.rebuild(values, values.length);
        assertThat(tree.firstAtMost(0, 1)).isEqualTo(5);
        tree.set(5, Integer.MAX_VALUE);          // the only 1 goes: the minimum above it must rise
        assertThat(tree.firstAtMost(0, 1)).isEqualTo(-1);
        assertThat(tree.firstAtMost(0, 2)).isEqualTo(7);
        tree.set(1, 3);                           // same value again: nothing above changes
        assertThat(tree.firstAtMost(0, 3)).isEqualTo(1);
        tree.set(1, Integer.MAX_VALUE);           // the other 3 still answers
        assertThat(tree.firstAtMost(0, 3)).isEqualTo(3);
    }

    private static int firstAtMost(int[] values, int from, int x) {
        for (int i = from; i < values.length; i++) if (values[i] <= x) return i;
        return -1;
    }
}
