package io.bottega.core.sched;

import java.util.Arrays;

/**
 * A promise that a pending job can start at {@code start} on these nodes with these task counts (no unit is
 * picked before the job starts). {@link #NONE} when a job has none.
 */
public record Reservation(long start, int[] nodes, int[] tasks) {
    public static final Reservation NONE = new Reservation(Long.MAX_VALUE, new int[0], new int[0]);

    public Reservation {
        if (nodes.length != tasks.length) throw new IllegalArgumentException("reservation needs tasks for every node");
    }

    public boolean isNone() { return nodes.length == 0; }

    @Override
    public boolean equals(Object o) {
        return o instanceof Reservation r && r.start == start && Arrays.equals(r.nodes, nodes) && Arrays.equals(r.tasks, tasks);
    }

    @Override
    public int hashCode() { return Long.hashCode(start) * 31 + Arrays.hashCode(nodes); }

    @Override
    public String toString() {
        return isNone() ? "Reservation[none]" : "Reservation[start=" + start + ", nodes=" + Arrays.toString(nodes)
                + ", tasks=" + Arrays.toString(tasks) + "]";
    }
}
