package io.bottega.server.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Measures group commit: THREADS threads each insert PER_THREAD single-job submissions (a job row and its
 * script), either waiting for each acknowledgement before the next ({@code wait}: a request thread per
 * submission) or submitting all, then waiting ({@code pipeline}). Prints jobs/s and commits/s; asserts
 * nothing. A MAX_BATCH_ROWS of 1 commits every write alone: the baseline without group commit.
 *
 * <pre>java -cp ... io.bottega.server.store.StoreThroughput jdbc:sqlite:/tmp/t.db [threads] [perThread] [wait|pipeline] [maxBatchRows]</pre>
 */
public final class StoreThroughput {

    private StoreThroughput() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: StoreThroughput JDBC_URL [threads=20] [perThread=500] [wait|pipeline]"
                    + " [maxBatchRows=1000]");
            System.exit(2);
        }
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int perThread = args.length > 2 ? Integer.parseInt(args[2]) : 500;
        boolean pipeline = args.length > 3 && args[3].equals("pipeline");
        int maxBatchRows = args.length > 4 ? Integer.parseInt(args[4]) : JdbcStore.Options.defaults().maxBatchRows();
        JdbcStore.Options options = new JdbcStore.Options(maxBatchRows, 4, JdbcStore.Options.defaults().busyTimeout());
        try (JdbcStore store = JdbcStore.open(args[0], options)) {
            long first = store.reserveJobIds(threads * perThread);
            long commitsBefore = store.commitCount();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            long started = System.nanoTime();
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long base = first + (long) t * perThread;
                done.add(pool.submit(() -> {
                    List<CompletableFuture<Void>> mine = new ArrayList<>();
                    for (long id = base; id < base + perThread; id++) {
                        CompletableFuture<Void> f = store.insertJobs(List.of(Jobs.row(id)),
                                List.of(new Store.JobScript(id, "#!/bin/bash\nsrun hostname\n", "{}")));
                        if (pipeline) mine.add(f);
                        else f.join();
                    }
                    CompletableFuture.allOf(mine.toArray(CompletableFuture[]::new)).join();
                    return null;
                }));
            }
            for (Future<?> f : done) f.get();
            double seconds = (System.nanoTime() - started) / 1e9;
            pool.shutdown();
            long writes = (long) threads * perThread;
            long commits = store.commitCount() - commitsBefore;
            System.out.printf(Locale.ROOT, "%s %s maxBatchRows=%d: %d threads x %d single-job inserts in %.2f s:"
                            + " %.0f jobs/s, %d commits, %.0f commits/s, %.1f jobs/commit%n", store.describe(),
                    pipeline ? "pipeline" : "wait", maxBatchRows, threads, perThread, seconds, writes / seconds, commits,
                    commits / seconds, (double) writes / commits);
        }
    }
}
