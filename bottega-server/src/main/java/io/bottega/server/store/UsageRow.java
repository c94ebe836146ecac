package io.bottega.server.store;

/**
 * What one run of a job cost: billed units (core-hours × 3600 for the period's budget), core-, GPU-seconds and
 * energy, charged to its account in an allocation period ({@code 2026-11}, {@code 2026-Q4}, {@code 2026},
 * {@code total}).
 */
public record UsageRow(long jobId, long endTime, String account, String user, String qos, String partition, String period,
                       double billed, double coreSeconds, double gpuSeconds, double energyJoules) {
}
