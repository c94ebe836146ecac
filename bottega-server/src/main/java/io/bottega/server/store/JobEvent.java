package io.bottega.server.store;

/** One accounting row: a job entered {@code state} at {@code time} (epoch seconds), with a reason or detail. */
public record JobEvent(long jobId, long time, String state, String detail) {
}
