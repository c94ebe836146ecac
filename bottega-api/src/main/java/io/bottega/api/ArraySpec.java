package io.bottega.api;

import java.util.List;

/**
 * A parsed job array ({@code --array=1-100%10}): the task ids, ascending and distinct, and how many tasks
 * may run at once (0: no limit).
 */
public record ArraySpec(List<Integer> taskIds, int maxConcurrent) {
    /** Not an array job. */
    public static final ArraySpec NONE = new ArraySpec(List.of(), 0);

    public ArraySpec {
        taskIds = taskIds == null ? List.of() : List.copyOf(taskIds);
        if (maxConcurrent < 0) throw new IllegalArgumentException("max concurrent tasks must not be negative");
    }

    /** The number of tasks (0 when not an array job). */
    public int taskCount() { return taskIds.size(); }
}
