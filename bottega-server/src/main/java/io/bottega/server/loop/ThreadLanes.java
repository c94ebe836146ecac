package io.bottega.server.loop;

import io.bottega.core.sched.LaneRunner;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a scheduling pass's lanes side by side: the calling thread runs the first, a pool of daemon threads the
 * others (one thread a lane beyond the first). Shared by every scheduler of a process: a pass waits for its own
 * lanes only, and lanes never wait on one another.
 */
public final class ThreadLanes implements LaneRunner, AutoCloseable {
    private final ExecutorService pool;
    private final int lanes;

    /** Threads for {@code lanes} lanes (at least 2), named {@code name-N}. */
    public ThreadLanes(int lanes, String name) {
        if (lanes < 2) throw new IllegalArgumentException("lanes side by side must be at least 2");
        this.lanes = lanes;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(lanes - 1, r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** How many lanes run side by side. */
    public int lanes() { return lanes; }

    @Override
    public void runAll(List<Runnable> tasks) {
        List<FutureTask<Void>> others = new ArrayList<>();
        for (int i = 1; i < tasks.size(); i++) {
            FutureTask<Void> task = new FutureTask<>(tasks.get(i), null);
            others.add(task);
            try {
                pool.execute(task);
            } catch (RejectedExecutionException e) {
                task.run(); // closing: this thread runs the lane
            }
        }
        Throwable failed = null;
        try {
            if (!tasks.isEmpty()) tasks.get(0).run();
        } catch (RuntimeException | Error e) {
            failed = e;
        }
        // every lane is waited for, even after a failure or an interrupt: the scheduler reuses their profiles
        boolean interrupted = false;
        for (FutureTask<Void> task : others) {
            while (true) {
                try {
                    task.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    if (failed == null) failed = e.getCause();
                    break;
                }
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        if (failed instanceof RuntimeException re) throw re;
        if (failed instanceof Error err) throw err;
        if (failed != null) throw new IllegalStateException("a lane failed", failed);
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
