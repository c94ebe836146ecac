package io.bottega.server.store;

import static io.bottega.server.store.Jobs.job;
import static io.bottega.server.store.Jobs.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bottega.server.store.Store.JobScript;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every {@link Store} database must do. Each subclass supplies a fresh, empty database per test; the
 * same tests run on SQLite and on a real PostgreSQL server.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
abstract class StoreContract {

    static {
        // the pools and Flyway say a few lines at every open, and these tests open hundreds of stores
        System.setProperty("org.slf4j.simpleLogger.log.com.zaxxer.hikari", "warn");
        System.setProperty("org.slf4j.simpleLogger.log.org.flywaydb", "warn");
    }

    /** The JDBC URL of a fresh, empty database for one test. */
    protected abstract String freshDatabaseUrl() throws Exception;

    /** Removes what {@link #freshDatabaseUrl()} made, once the store is closed. */
    protected void dropDatabase() throws Exception {}

    protected String url;
    protected JdbcStore store;

    @BeforeEach
    void openStore() throws Exception {
        url = freshDatabaseUrl();
        store = JdbcStore.open(url);
    }

    @AfterEach
    void closeStore() throws Exception {
        if (store != null) store.close();
        dropDatabase();
    }

    protected JdbcStore reopen() {
        store.close();
        store = JdbcStore.open(url);
        return store;
    }

    /** One number from a query run outside the store, over a connection of its own. */
    protected long queryLong(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            assertThat(rs.next()).as("a row from %s", sql).isTrue();
            return rs.getLong(1);
        }
    }

    private static JobScript script(long jobId) {
        return new JobScript(jobId, "#!/bin/bash\n#SBATCH --gres=gpu:4\nsrun python train.py --id " + jobId + "\n",
                "{\"PATH\":\"/usr/bin\",\"JOB\":\"" + jobId + "\"}");
    }

    private List<Long> ids(List<JobRow> rows) {
        return rows.stream().map(JobRow::id).toList();
    }

    private List<Long> query(JobQuery q) {
        return ids(store.queryJobs(q));
    }

    private static JobQuery ids(Long... ids) {
        return new JobQuery(List.of(ids), List.of(), List.of(), List.of(), List.of(), 0, 0, 0);
    }

    private static Throwable failureOf(CompletableFuture<?> f) {
        assertThatThrownBy(f::join).isInstanceOf(CompletionException.class);
        return f.handle((v, e) -> e instanceof CompletionException ce ? ce.getCause() : e).join();
    }

    // ------------------------------------------------------------------------------------------- steps

    private static StepRow step(long job, int step, String state, long end) {
        return new StepRow(job, step, step == io.bottega.api.StepView.BATCH ? "batch" : "train", state, "lrdn[0001-0002]", 2, 8,
                "4(x2)", 64, 8, 1_000, end, end > 0 ? 1 : 0, 0, end > 0 ? "a reason" : "",
                "{\"nodes\":[{\"name\":\"lrdn0001\",\"cores\":[0,1]}]}");
    }

    @Test
    void saveSteps_thenReplaced_readsBackInJobAndStepOrder() {
        store.insertJobs(List.of(Jobs.row(1), Jobs.row(2)), List.of(script(1), script(2))).join();
        store.saveSteps(List.of(step(2, 0, "RUNNING", 0), step(1, 1, "RUNNING", 0), step(1, 0, "RUNNING", 0))).join();
        store.saveSteps(List.of(step(1, io.bottega.api.StepView.BATCH, "RUNNING", 0))).join();
        store.saveSteps(List.of(step(1, 0, "FAILED", 2_000))).join();

        assertThat(store.steps(List.of(1L, 2L))).containsExactly(step(1, io.bottega.api.StepView.BATCH, "RUNNING", 0),
                step(1, 0, "FAILED", 2_000), step(1, 1, "RUNNING", 0), step(2, 0, "RUNNING", 0));
        assertThat(store.steps(List.of(2L))).containsExactly(step(2, 0, "RUNNING", 0));
        assertThat(store.steps(List.of(3L))).isEmpty();
        assertThat(store.steps(List.of())).isEmpty();
        assertThat(reopen().steps(List.of(1L))).hasSize(3);
    }

    @Test
    void saveSteps_ofAnUnknownJob_failsOnlyThatWrite() {
        store.insertJobs(List.of(Jobs.row(1)), List.of(script(1))).join();
        CompletableFuture<Void> bad = store.saveSteps(List.of(step(99, 0, "RUNNING", 0)));
        CompletableFuture<Void> good = store.saveSteps(List.of(step(1, 0, "RUNNING", 0)));

        assertThat(failureOf(bad)).isInstanceOf(StoreException.class).hasMessageContaining("saveSteps(99.0)");
        good.join();
        assertThat(store.steps(List.of(1L, 99L))).containsExactly(step(1, 0, "RUNNING", 0));
    }

    // ------------------------------------------------------------------------------------------- jobs

    @Test
    void insertJobs_everyField_readsBackEqual() {
        JobRow row = Jobs.everyField(42);
        store.insertJobs(List.of(row), List.of(script(42))).join();

        assertThat(store.job(42)).contains(row);
        assertThat(store.queryJobs(JobQuery.all())).containsExactly(row);
    }

    @Test
    void job_unknownId_isEmpty() {
        assertThat(store.job(1)).isEmpty();
        assertThat(store.script(1)).isEmpty();
        assertThat(store.events(1)).isEmpty();
    }

    @Test
    void insertJobs_manyJobsInOneWrite_allPresent() {
        List<JobRow> rows = LongStream.rangeClosed(1, 250).mapToObj(Jobs::row).toList();
        store.insertJobs(rows, rows.stream().map(r -> script(r.id())).toList()).join();

        assertThat(store.queryJobs(JobQuery.all())).isEqualTo(rows);
        assertThat(store.script(250)).contains(script(250));
    }

    @Test
    void updateJobs_replacesRowAndAppendsEventsInOrder() {
        store.insertJobs(List.of(row(1), row(2)), List.of()).join();
        JobRow running = job(1).state("RUNNING").started(1_700_000_100L).build();
        store.updateJobs(List.of(running), List.of(new JobEvent(1, 1_700_000_100L, "RUNNING", "lrdn0001"))).join();
        JobRow done = Jobs.everyField(1);
        store.updateJobs(List.of(done), List.of(new JobEvent(1, 1_700_000_200L, "COMPLETED", "exit 0"),
                new JobEvent(1, 1_700_000_200L, "ACCOUNTED", "gpu-seconds=400"))).join();

        assertThat(store.job(1)).contains(done);
        assertThat(store.job(2)).contains(row(2));
        assertThat(store.events(1)).containsExactly(
                new JobEvent(1, 1_700_000_100L, "RUNNING", "lrdn0001"),
                new JobEvent(1, 1_700_000_200L, "COMPLETED", "exit 0"),
                new JobEvent(1, 1_700_000_200L, "ACCOUNTED", "gpu-seconds=400"));
        assertThat(store.events(2)).isEmpty();
    }

    @Test
    void updateJobs_unknownJob_failsAndChangesNothing() {
        store.insertJobs(List.of(row(1)), List.of()).join();
        CompletableFuture<Void> update = store.updateJobs(List.of(job(1).state("RUNNING").build(), row(999)),
                List.of(new JobEvent(1, 5, "RUNNING", "")));

        assertThat(failureOf(update)).isInstanceOf(StoreException.class).hasMessageContaining("job 999 does not exist");
        assertThat(store.job(1)).contains(row(1));
        assertThat(store.events(1)).isEmpty();
    }

    @Test
    void updateJobs_eventOfUnknownJob_failsAndChangesNothing() {
        store.insertJobs(List.of(row(1)), List.of()).join();
        CompletableFuture<Void> update = store.updateJobs(List.of(job(1).state("RUNNING").build()),
                List.of(new JobEvent(1, 5, "RUNNING", ""), new JobEvent(777, 5, "RUNNING", "")));

        assertThat(failureOf(update)).isInstanceOf(StoreException.class).hasMessageStartingWith("updateJobs(job 1) failed: ");
        assertThat(store.job(1)).contains(row(1));
        assertThat(store.events(1)).isEmpty();
    }

    @Test
    void activeJobs_pendingAndRunningOnly_inIdOrder() {
        store.insertJobs(List.of(job(5).state("RUNNING").build(), job(2).state("COMPLETED").build(),
                job(9).state("PENDING").build(), job(1).state("PENDING").build(), job(7).state("CANCELLED").build(),
                job(3).state("FAILED").build(), job(4).state("RUNNING").build()), List.of()).join();

        assertThat(ids(store.activeJobs())).containsExactly(1L, 4L, 5L, 9L);
    }

    // ------------------------------------------------------------------------------------------- queries

    /** An array whose master is job 10 (elements 10, 11, 12), job 20 alone, and job 30 of array 30. */
    private void insertArrays() {
        store.insertJobs(List.of(job(10).array(10, 0).build(), job(11).array(10, 1).build(),
                job(12).array(10, 2).state("COMPLETED").ended(5).build(), row(20),
                job(30).array(30, 0).build()), List.of()).join();
    }

    @Test
    void queryJobs_noFilter_returnsFinishedJobsToo() {
        insertArrays();
        assertThat(query(JobQuery.all())).containsExactly(10L, 11L, 12L, 20L, 30L);
    }

    @Test
    void queryJobs_arrayMasterId_selectsEveryElement() {
        insertArrays();
        assertThat(query(ids(10L))).containsExactly(10L, 11L, 12L);
    }

    @Test
    void queryJobs_elementAndPlainIds_selectOnlyThose() {
        insertArrays();
        assertThat(query(ids(11L, 20L))).containsExactly(11L, 20L);
        assertThat(query(ids(999L))).isEmpty();
    }

    @Test
    void queryJobs_usersAccountsPartitionsStates_filterEach() {
        store.insertJobs(List.of(
                job(1).user("alice").account("a1").partition("p1").state("PENDING").build(),
                job(2).user("bob").account("a1").partition("p2").state("RUNNING").build(),
                job(3).user("carol").account("a2").partition("p1").state("COMPLETED").build(),
                job(4).user("alice").account("a2").partition("p2").state("FAILED").build()), List.of()).join();

        assertThat(query(new JobQuery(List.of(), List.of("alice", "carol"), List.of(), List.of(), List.of(), 0, 0, 0)))
                .containsExactly(1L, 3L, 4L);
        assertThat(query(new JobQuery(List.of(), List.of(), List.of("a2"), List.of(), List.of(), 0, 0, 0)))
                .containsExactly(3L, 4L);
        assertThat(query(new JobQuery(List.of(), List.of(), List.of(), List.of(), List.of("p2"), 0, 0, 0)))
                .containsExactly(2L, 4L);
        assertThat(query(new JobQuery(List.of(), List.of(), List.of(), List.of("COMPLETED", "FAILED"), List.of(), 0, 0, 0)))
                .containsExactly(3L, 4L);
        // filters combine with AND
        assertThat(query(new JobQuery(List.of(1L, 2L, 4L), List.of("alice"), List.of(), List.of("FAILED", "PENDING"),
                List.of("p2"), 0, 0, 0))).containsExactly(4L);
    }

    @Test
    void queryJobs_timeWindow_keepsJobsOverlappingIt() {
        store.insertJobs(List.of(
                job(1).submitted(50).state("COMPLETED").ended(100).build(),
                job(2).submitted(150).state("COMPLETED").ended(200).build(),
                job(3).submitted(250).state("RUNNING").started(260).build(),
                job(4).submitted(300).state("PENDING").build()), List.of()).join();

        // not finished before 150: ended at or after it, or not ended at all
        assertThat(query(new JobQuery(List.of(), List.of(), List.of(), List.of(), List.of(), 150, 0, 0)))
                .containsExactly(2L, 3L, 4L);
        assertThat(query(new JobQuery(List.of(), List.of(), List.of(), List.of(), List.of(), 200, 0, 0)))
                .containsExactly(2L, 3L, 4L);
        // submitted at or before 250
        assertThat(query(new JobQuery(List.of(), List.of(), List.of(), List.of(), List.of(), 0, 250, 0)))
                .containsExactly(1L, 2L, 3L);
        // both: the window [150, 250]
        assertThat(query(new JobQuery(List.of(), List.of(), List.of(), List.of(), List.of(), 150, 250, 0)))
                .containsExactly(2L, 3L);
    }

    @Test
    void queryJobs_limit_returnsLowestIdsFirst() {
        store.insertJobs(LongStream.of(8, 3, 5, 1, 9).mapToObj(Jobs::row).toList(), List.of()).join();

        assertThat(query(new JobQuery(List.of(), List.of(), List.of(), List.of(), List.of(), 0, 0, 3)))
                .containsExactly(1L, 3L, 5L);
    }

    @Test
    void queryJobs_negativeLimit_isRejected() {
        assertThatThrownBy(() -> store.queryJobs(new JobQuery(List.of(), List.of(), List.of(), List.of(), List.of(), 0, 0, -1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("limit must not be negative");
    }

    @Test
    void queryJobs_valuesLookingLikeSql_areBoundNotInterpreted() {
        store.insertJobs(List.of(job(1).user("o'brien").build(), row(2)), List.of()).join();

        assertThat(query(new JobQuery(List.of(), List.of("x' OR '1'='1"), List.of(), List.of(), List.of(), 0, 0, 0)))
                .isEmpty();
        assertThat(query(new JobQuery(List.of(), List.of("o'brien"), List.of(), List.of(), List.of(), 0, 0, 0)))
                .containsExactly(1L);
    }

    // ------------------------------------------------------------------------------------------- ids

    @Test
    void reserveJobIds_startAtOneAndNeverRepeatAcrossReopen() {
        assertThat(store.reserveJobIds(5)).isEqualTo(1);
        assertThat(store.reserveJobIds(1)).isEqualTo(6);
        assertThat(store.reserveJobIds(3)).isEqualTo(7);
        reopen();
        assertThat(store.reserveJobIds(1)).isEqualTo(10);
        reopen();
        assertThat(store.reserveJobIds(100)).isEqualTo(11);
        assertThat(store.reserveJobIds(1)).isEqualTo(111);
    }

    @Test
    void reserveJobIds_concurrentCallers_getDisjointConsecutiveBlocks() throws Exception {
        int threads = 8;
        int perThread = 50;
        int block = 3;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<Long>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    List<Long> firsts = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) firsts.add(store.reserveJobIds(block));
                    return firsts;
                }));
            }
            TreeSet<Long> handedOut = new TreeSet<>();
            for (Future<List<Long>> r : results) {
                for (long first : r.get()) {
                    for (long id = first; id < first + block; id++) assertThat(handedOut.add(id)).as("id %d twice", id).isTrue();
                }
            }
            assertThat(handedOut).hasSize(threads * perThread * block);
            assertThat(handedOut.first()).isEqualTo(1);
            assertThat(handedOut.last()).isEqualTo((long) threads * perThread * block);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void reserveJobIds_nonPositiveCount_isRejected() {
        assertThatThrownBy(() -> store.reserveJobIds(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("count must be positive");
    }

    // ------------------------------------------------------------------------------------------- the rest

    @Test
    void script_readsBackScriptAndEnvironment() {
        store.insertJobs(List.of(row(3), row(4)), List.of(script(3))).join();

        assertThat(store.script(3)).contains(script(3));
        assertThat(store.script(4)).isEmpty();
    }

    @Test
    void insertJobs_scriptOfUnknownJob_failsAndInsertsNothing() {
        CompletableFuture<Void> insert = store.insertJobs(List.of(row(1)), List.of(script(1), script(2)));

        assertThat(failureOf(insert)).isInstanceOf(StoreException.class).hasMessageStartingWith("insertJobs(job 1) failed: ");
        assertThat(store.job(1)).isEmpty();
    }

    @Test
    void saveNode_insertsThenReplaces_listedByName() {
        NodeRow b = new NodeRow("lrdn0002", "", "", 0, "", "{\"gpus\":4}", 1_700_000_000L);
        NodeRow a = new NodeRow("lrdn0001", "drain", "bad GPU 2", 1_700_000_001L, "root", "{\"gpus\":4}", 1_700_000_002L);
        store.saveNode(b).join();
        store.saveNode(a).join();
        NodeRow aResumed = new NodeRow("lrdn0001", "", "", 0, "", "{\"gpus\":3}", 1_700_000_100L);
        store.saveNode(aResumed).join();

        assertThat(store.nodes()).containsExactly(aResumed, b);
    }

    @Test
    void saveSetting_insertsThenReplaces() {
        assertThat(store.setting("cluster.key")).isEmpty();
        store.saveSetting("cluster.key", "k1").join();
        store.saveSetting("token.secret", "s").join();
        store.saveSetting("cluster.key", "k2").join();

        assertThat(store.setting("cluster.key")).contains("k2");
        assertThat(store.settings()).containsExactly(Map.entry("cluster.key", "k2"), Map.entry("token.secret", "s"));
    }

    // ------------------------------------------------------------------------------------------- durability

    @Test
    void reopen_everythingAcknowledgedIsThere() {
        long first = store.reserveJobIds(3);
        List<JobRow> rows = List.of(Jobs.everyField(first), row(first + 1), row(first + 2));
        store.insertJobs(rows, List.of(script(first))).join();
        store.updateJobs(List.of(job(first + 1).state("RUNNING").build()),
                List.of(new JobEvent(first + 1, 9, "RUNNING", "lrdn0001"))).join();
        NodeRow node = new NodeRow("lrdn0001", "down", "not responding", 7, "bottega", "{}", 6);
        store.saveNode(node).join();
        store.saveSetting("cluster.key", "secret").join();

        reopen();

        assertThat(store.queryJobs(JobQuery.all())).containsExactly(rows.get(0), job(first + 1).state("RUNNING").build(),
                rows.get(2));
        assertThat(store.script(first)).contains(script(first));
        assertThat(store.events(first + 1)).containsExactly(new JobEvent(first + 1, 9, "RUNNING", "lrdn0001"));
        assertThat(store.nodes()).containsExactly(node);
        assertThat(store.settings()).containsExactly(Map.entry("cluster.key", "secret"));
        assertThat(store.reserveJobIds(1)).isEqualTo(first + 3);
    }

    @Test
    void close_commitsEveryQueuedWriteBeforeReturning() {
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        for (long id = 1; id <= 2_000; id++) futures.add(store.insertJobs(List.of(row(id)), List.of()));
        store.close();

        assertThat(futures).allSatisfy(f -> assertThat(f).isCompleted());
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
        store = JdbcStore.open(url);
        assertThat(store.queryJobs(JobQuery.all())).hasSize(2_000);
    }

    @Test
    void writeAfterClose_failsWithStoreClosed() {
        store.close();

        assertThat(failureOf(store.saveSetting("k", "v"))).isInstanceOf(StoreException.class)
                .hasMessageContaining("is closed");
        assertThatThrownBy(() -> store.job(1)).isInstanceOf(StoreException.class).hasMessageContaining("is closed");
        store.close(); // twice is fine
    }

    @Test
    void open_twice_runsMigrationsOnce() throws Exception {
        long applied = queryLong("SELECT COUNT(*) FROM flyway_schema_history");
        assertThat(queryLong("SELECT COUNT(*) FROM flyway_schema_history WHERE version = '1'")).isEqualTo(1);
        store.saveSetting("k", "v").join();

        reopen();
        reopen();

        assertThat(queryLong("SELECT COUNT(*) FROM flyway_schema_history")).isEqualTo(applied);
        assertThat(store.setting("k")).contains("v");
    }

    // ------------------------------------------------------------------------------------------- group commit

    @Test
    void groupCommit_twentyThreads_everyWriteCommittedInFarFewerTransactions() throws Exception {
        int threads = 20;
        int perThread = 500;
        long commitsBefore = store.commitCount();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long started = System.nanoTime();
        try {
            List<Future<List<CompletableFuture<Void>>>> submitted = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long base = 1 + (long) t * perThread;
                // each thread submits its inserts one by one, as request threads would, then waits for them all
                submitted.add(pool.submit(() -> {
                    List<CompletableFuture<Void>> mine = new ArrayList<>();
                    for (long id = base; id < base + perThread; id++) {
                        mine.add(store.insertJobs(List.of(row(id)), List.of(script(id))));
                    }
                    CompletableFuture.allOf(mine.toArray(CompletableFuture[]::new)).join();
                    return mine;
                }));
            }
            for (Future<List<CompletableFuture<Void>>> s : submitted) {
                assertThat(s.get()).allSatisfy(f -> assertThat(f).isCompleted().isNotCompletedExceptionally());
            }
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        long writes = (long) threads * perThread;
        long commits = store.commitCount() - commitsBefore;
        System.out.printf("group commit on %s: %d writes in %d commits, %.2f s: %.0f rows/s, %.0f commits/s%n",
                store.describe(), writes, commits, seconds, writes / seconds, commits / seconds);

        assertThat(store.queryJobs(JobQuery.all())).hasSize((int) writes);
        assertThat(queryLong("SELECT COUNT(*) FROM job_scripts")).isEqualTo(writes);
        assertThat(commits).isPositive().isLessThanOrEqualTo(writes / 10);
    }

    @Test
    void writes_applyAndCompleteInSubmissionOrder_failedOnesToo() {
        store.insertJobs(List.of(row(1)), List.of()).join();
        List<Integer> completed = Collections.synchronizedList(new ArrayList<>());
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            int n = i;
            CompletableFuture<Void> write = i % 250 == 100
                    ? store.insertJobs(List.of(row(1)), List.of()) // a duplicate: fails
                    : store.saveSetting("counter", Integer.toString(i));
            futures.add(write.whenComplete((v, e) -> completed.add(n)));
        }
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).exceptionally(e -> null).join();

        assertThat(store.setting("counter")).contains("999");
        assertThat(completed).isSorted().hasSize(1_000);
        assertThat(futures.stream().filter(CompletableFuture::isCompletedExceptionally)).hasSize(4);
    }

    @Test
    void duplicateId_failsOnlyItsOwnWrite_andWriterKeepsWorking() {
        store.insertJobs(List.of(row(1)), List.of()).join();
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        for (long id = 2; id <= 201; id++) {
            // submitted back to back, so the duplicate shares its group commit with others
            futures.add(store.insertJobs(List.of(row(id == 100 ? 1 : id)), List.of()));
        }

        for (int i = 0; i < futures.size(); i++) {
            CompletableFuture<Void> f = futures.get(i);
            if (i + 2 == 100) {
                assertThat(failureOf(f)).isInstanceOf(StoreException.class)
                        .hasMessageStartingWith("insertJobs(job 1) failed: ")
                        .hasCauseInstanceOf(RuntimeException.class);
            } else {
                assertThat(f.join()).as("write %d", i).isNull();
            }
        }
        assertThat(store.queryJobs(JobQuery.all())).hasSize(200);
        assertThat(store.failedWriteCount()).isEqualTo(1);

        store.insertJobs(List.of(row(300)), List.of()).join();
        assertThat(store.job(300)).contains(row(300));
    }

    @Test
    void usage_isReadBackSinceATimeAndChargedOncePerRun() {
        UsageRow a = new UsageRow(1, 1000, "p1", "alice", "normal", "batch", "2026-11", 3600.5, 3600, 0, 1.5e6);
        UsageRow b = new UsageRow(1, 2000, "p1", "alice", "normal", "batch", "2026-11", 10, 10, 1, 2);
        UsageRow c = new UsageRow(2, 3000, "p2", "bob", "debug", "gpu", "2026-12", 80, 10, 10, 5);
        store.insertUsage(List.of(a, b)).join();
        store.insertUsage(List.of(c, a)).join(); // the same run charged twice counts once
        assertThat(store.usageSince(0)).containsExactly(a, b, c);
        assertThat(store.usageSince(1500)).containsExactly(b, c);
        assertThat(reopen().usageSince(2500)).containsExactly(c);
    }

    @Test
    void reservations_areSavedReplacedAndDeleted() {
        ReservationRow r = new ReservationRow("maint", "n[1-4]", 100, 200, "", "", true);
        store.saveReservation(r).join();
        store.saveReservation(new ReservationRow("course", "n5", 50, 500, "alice,bob", "p1", false)).join();
        ReservationRow moved = new ReservationRow("maint", "n[1-8]", 150, 250, "", "", true);
        store.saveReservation(moved).join();
        assertThat(store.reservations()).extracting(ReservationRow::name).containsExactly("course", "maint");
        assertThat(store.reservations()).contains(moved);
        store.deleteReservation("course").join();
        assertThat(reopen().reservations()).containsExactly(moved);
    }
}
