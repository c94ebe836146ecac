package io.bottega.sim;

/** Told how far a replay has got, every few thousand jobs; must be cheap. */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = (done, total, simTime) -> { };

    void progress(long jobsDone, long jobsTotal, long simTime);
}
