package io.bottega.server.loop;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ThreadLanesTest {

    @Test
    void runAll_runsTheLanesSideBySide() {
        // each task waits for the other: they finish only if they run at the same time
        CyclicBarrier both = new CyclicBarrier(2);
        Runnable meet = () -> {
            try {
                both.await(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("the other lane did not run beside this one", e);
            }
        };
        try (ThreadLanes lanes = new ThreadLanes(2, "test-lane")) {
            lanes.runAll(List.of(meet, meet));
        }
    }

    @Test
    void runAll_waitsForEveryLaneBeforeThrowingTheFirstFailure() {
        AtomicBoolean slowDone = new AtomicBoolean();
        Runnable fails = () -> {
            throw new IllegalArgumentException("lane 0 failed");
        };
        Runnable slow = () -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            slowDone.set(true);
        };
        try (ThreadLanes lanes = new ThreadLanes(2, "test-lane")) {
            assertThatThrownBy(() -> lanes.runAll(List.of(fails, slow))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("lane 0 failed");
            // the scheduler reuses the lanes' profiles in its next pass: no lane may still be running
            assertThat(slowDone).isTrue();
        }
    }

    @Test
    void runAll_afterCloseRunsTheLanesOnTheCallingThread() {
        ThreadLanes lanes = new ThreadLanes(3, "test-lane");
        lanes.close();
        Thread caller = Thread.currentThread();
        AtomicBoolean allHere = new AtomicBoolean(true);
        Runnable here = () -> allHere.compareAndSet(true, Thread.currentThread() == caller);
        lanes.runAll(List.of(here, here, here));
        assertThat(allHere).isTrue();
    }

    @Test
    void aLaneBesideTheFirstIsNeeded() {
        assertThatThrownBy(() -> new ThreadLanes(1, "x")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 2");
    }
}
