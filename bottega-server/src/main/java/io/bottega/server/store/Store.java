package io.bottega.server.store;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The controller's durable state. Every write goes through one writer thread that gathers the writes
 * waiting at that moment into one transaction (group commit); a write's future completes only once its
 * transaction has committed, so a submission acknowledged after {@code insertJobs(...).join()} survives a
 * crash. Writes complete in the order they were made. Reads see every write whose future has completed.
 */
public interface Store extends AutoCloseable {

    /** Reserves {@code count} consecutive job ids and returns the first; never hands out an id twice, across restarts too. */
    long reserveJobIds(int count);

    /** Inserts new jobs with their scripts and environments (JSON). */
    CompletableFuture<Void> insertJobs(List<JobRow> jobs, List<JobScript> scripts);

    /** Replaces the rows of existing jobs (matched by id) and appends accounting events, in one transaction. */
    CompletableFuture<Void> updateJobs(List<JobRow> jobs, List<JobEvent> events);

    /** Jobs that are not finished (PENDING or RUNNING), in id order. */
    List<JobRow> activeJobs();

    Optional<JobRow> job(long id);

    /** Jobs matching the query, in id order, finished ones included. */
    List<JobRow> queryJobs(JobQuery query);

    Optional<JobScript> script(long jobId);

    List<JobEvent> events(long jobId);

    CompletableFuture<Void> saveNode(NodeRow node);

    /**
     * Inserts or replaces job steps (matched by job and step id). A step of a job that does not exist fails
     * the write.
     */
    CompletableFuture<Void> saveSteps(List<StepRow> steps);

    /** The steps of these jobs, by job id then step id (the batch step first). */
    List<StepRow> steps(List<Long> jobIds);

    List<NodeRow> nodes();

    /** A small key/value table for the controller's own settings (cluster key, token secret...). */
    Optional<String> setting(String key);

    CompletableFuture<Void> saveSetting(String key, String value);

    Map<String, String> settings();

    /** Records what job runs cost (accounting); a row per run, keyed by job and end time. */
    CompletableFuture<Void> insertUsage(List<UsageRow> rows);

    /** Usage rows of runs that ended at or after {@code fromEpochSeconds}, in end-time order. */
    List<UsageRow> usageSince(long fromEpochSeconds);

    /** Energy (joules) charged to each of these jobs, over all their runs; jobs without usage are absent. */
    Map<Long, Double> energyByJob(List<Long> jobIds);

    CompletableFuture<Void> saveReservation(ReservationRow r);

    CompletableFuture<Void> deleteReservation(String name);

    List<ReservationRow> reservations();

    /** Which database this is, e.g. {@code sqlite:/var/lib/bottega/bottega.db} or {@code postgresql://host/db}. */
    String describe();

    @Override
    void close();

    /** A job's script and environment (JSON object of strings), kept apart from the row. */
    record JobScript(long jobId, String script, String envJson) {}
}
