package io.bottega.core.sched;

import java.util.List;

/**
 * How a pass's lanes are run ({@link Scheduler#lanes}): the core hands over the work of each lane and starts no
 * thread itself; the caller decides whether the lanes run side by side (the controller and the bench lend
 * threads) or one after the other.
 */
@FunctionalInterface
public interface LaneRunner {
    /**
     * Runs every task, possibly side by side, and returns once all of them have finished — even when one failed;
     * then throws the first failure. The tasks touch nothing in common.
     */
    void runAll(List<Runnable> tasks);

    /** One task after the other on the calling thread (the plan is the same; nothing is gained). */
    LaneRunner IN_TURN = tasks -> {
        RuntimeException failed = null;
        for (Runnable task : tasks) {
            try {
                task.run();
            } catch (RuntimeException e) {
                if (failed == null) failed = e;
            }
        }
        if (failed != null) throw failed;
    };
}
