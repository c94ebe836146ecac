package io.bottega.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.bottega.core.model.JobState;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;
import org.jdbi.v3.core.ConnectionException;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.SqlStatement;
import org.jdbi.v3.core.statement.StatementContext;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;
import org.sqlite.SQLiteException;

/**
 * The store over JDBC: a SQLite file ({@code jdbc:sqlite:/var/lib/bottega/bottega.db}) or a PostgreSQL
 * database ({@code jdbc:postgresql://host:5432/bottega?user=...&password=...}), its schema kept by Flyway
 * (migrations under {@code db/migration/sqlite} and {@code db/migration/postgresql}).
 *
 * <p><b>Group commit.</b> Every write is queued to one writer thread. The writer takes the first write and
 * every write queued behind it, up to {@link Options#maxBatchRows()} rows, runs them in submission order in
 * one transaction, commits, and only then completes their futures, in submission order, on a separate
 * acknowledgement thread (so that a caller's callback never stalls the writer). One commit, and so one
 * disk flush, acknowledges many submissions.
 *
 * <p><b>Failures.</b> A write that fails because of what it writes (a duplicate id, an update of a job that
 * does not exist, an event of an unknown job, a value the database refuses) fails only its own future:
 * the group's transaction is rolled back, that write is taken out, and the others run again without it
 * in a fresh transaction, in the same order. A failure of the transaction itself (the database cannot be
 * reached, a lock held elsewhere past the busy timeout, a refused commit, a full disk) fails every write
 * of that group, as it would have failed each of them alone. Each write is atomic: an {@code updateJobs}
 * whose event names an unknown job changes no row. A failed future holds a {@link StoreException} that
 * names the write ({@code insertJobs(job 1) failed: ...}) and keeps the driver's exception as its cause.
 * The writer thread survives every failure and goes on with the next group. (A commit that fails because
 * the connection broke may still have been applied by the server: JDBC cannot tell.)
 *
 * <p>Reads use a small pool of their own and see every write whose future has completed.
 *
 * <p>A callback attached to a write's future without {@code ...Async} runs on the acknowledgement thread:
 * it must not wait for another write of this store ({@code join()}, {@link #reserveJobIds}), whose
 * acknowledgement would queue behind it. Reads are fine there; to wait, use {@code thenRunAsync} and the like.
 *
 * <p>The queue of writes is not bounded: a caller that must not outrun the disk waits for its futures.
 */
public final class JdbcStore implements Store {

    private static final Logger log = LoggerFactory.getLogger(JdbcStore.class);

    /**
     * @param maxBatchRows most rows (jobs, scripts, events, ...) one group commit takes; a single larger
     *                     write still runs whole, alone
     * @param readPoolSize connections for reads
     * @param busyTimeout  SQLite only: how long a connection waits for a lock held by another connection or
     *                     process (a backup, say) before its transaction fails
     */
    public record Options(int maxBatchRows, int readPoolSize, Duration busyTimeout) {
        public Options {
            if (maxBatchRows < 1) throw new IllegalArgumentException("max batch rows must be positive");
            if (readPoolSize < 1) throw new IllegalArgumentException("read pool size must be positive");
            Objects.requireNonNull(busyTimeout, "busy timeout");
            if (busyTimeout.isNegative() || busyTimeout.toMillis() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("busy timeout must be between 0 and " + Integer.MAX_VALUE + " ms");
            }
        }

        public static Options defaults() { return new Options(1000, 4, Duration.ofSeconds(10)); }
    }

    private enum Dialect {
        SQLITE("sqlite"), POSTGRESQL("postgresql");

        final String migrations;

        Dialect(String folder) { this.migrations = "classpath:db/migration/" + folder; }
    }

    private static final String SQLITE_PREFIX = "jdbc:sqlite:";
    private static final String POSTGRESQL_PREFIX = "jdbc:postgresql:";

    private static final List<String> ACTIVE_STATES = JobState.ACTIVE.stream().map(Enum::name).sorted().toList();

    private final Dialect dialect;
    private final String description;
    private final HikariDataSource writePool;
    private final HikariDataSource readPool;
    private final Jdbi writeDb;
    private final Jdbi readDb;
    private final int maxBatchRows;

    private final LinkedBlockingQueue<Write<?>> queue = new LinkedBlockingQueue<>();
    private final ReentrantLock submitLock = new ReentrantLock();
    private volatile boolean closed; // written under submitLock
    private final Thread writer;
    private final ExecutorService acknowledger;
    private volatile Thread acknowledgerThread;
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong committedWrites = new AtomicLong();
    private final AtomicLong failedWrites = new AtomicLong();
    private final WriterStatements writerStatements = new WriterStatements(); // the writer thread's only

    /** Opens the store with {@link Options#defaults()}. */
    public static JdbcStore open(String jdbcUrl) {
        return open(jdbcUrl, Options.defaults());
    }

    /**
     * Opens the database at {@code jdbcUrl}, brings its schema up to date and starts the writer.
     *
     * @throws StoreException when the URL is of an unsupported kind, the database cannot be reached or
     *                        created, or a migration fails; the message names the database (without password)
     */
    public static JdbcStore open(String jdbcUrl, Options options) {
        Objects.requireNonNull(jdbcUrl, "jdbc url");
        Objects.requireNonNull(options, "options");
        if (jdbcUrl.startsWith(SQLITE_PREFIX)) return openSqlite(jdbcUrl, options);
        if (jdbcUrl.startsWith(POSTGRESQL_PREFIX)) return openPostgresql(jdbcUrl, options);
        throw new StoreException("cannot open store " + redact(jdbcUrl) + ": unsupported database URL;"
                + " use jdbc:sqlite:/path/to/bottega.db or jdbc:postgresql://host:port/database?user=...&password=...");
    }

    private static JdbcStore openSqlite(String url, Options options) {
        String rest = url.substring(SQLITE_PREFIX.length());
        String path = rest.startsWith("file:") ? rest.substring("file:".length()) : rest;
        int query = path.indexOf('?');
        if (query >= 0) path = path.substring(0, query);
        if (path.isBlank() || path.equals(":memory:") || rest.contains("mode=memory")) {
            throw new StoreException("cannot open store " + url + ": an in-memory database would lose every job"
                    + " at exit; give a file, e.g. jdbc:sqlite:/var/lib/bottega/bottega.db");
        }
        Path file;
        try {
            file = Path.of(path).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new StoreException("cannot open store " + url + ": " + e.getMessage(), e);
        }
        Path dir = file.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new StoreException("cannot open store " + url + ": directory " + dir + " does not exist");
        }
        if (Files.isDirectory(file)) {
            throw new StoreException("cannot open store " + url + ": " + file + " is a directory");
        }

        SQLiteConfig config = new SQLiteConfig();
        // WAL: readers never block the writer nor the writer readers, and a commit appends to one file.
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        // FULL: every commit fsyncs the WAL before it returns. With NORMAL, the usual WAL setting, a commit
        // is durable only at the next checkpoint, and a power loss could take back submissions we had
        // already acknowledged. Group commit pays this one fsync for many writes.
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setBusyTimeout((int) options.busyTimeout().toMillis());
        config.enforceForeignKeys(true);
        // the writer's transactions take the write lock at BEGIN rather than fail later on upgrading it
        config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        // nothing here reads generated keys (ids are ours); with them on, the driver prepares and runs a
        // "SELECT last_insert_rowid()" after every insert, a tenth of the writer's time per submission
        config.setGetGeneratedKeys(false);
        SQLiteDataSource source = new SQLiteDataSource(config);
        source.setUrl(SQLITE_PREFIX + file);

        String description = "sqlite:" + file;
        migrate(url, source, Dialect.SQLITE);
        return create(url, Dialect.SQLITE, description, source, options);
    }

    private static JdbcStore openPostgresql(String url, Options options) {
        PGSimpleDataSource source = new PGSimpleDataSource();
        try {
            source.setUrl(url);
        } catch (IllegalArgumentException e) {
            throw new StoreException("cannot open store " + redact(url) + ": " + e.getMessage(), e);
        }
        migrate(url, source, Dialect.POSTGRESQL);
        return create(url, Dialect.POSTGRESQL, describePostgresql(url), source, options);
    }

    private static void migrate(String url, DataSource source, Dialect dialect) {
        try {
            MigrateResult result = Flyway.configure(JdbcStore.class.getClassLoader())
                    .dataSource(source)
                    .locations(dialect.migrations)
                    .failOnMissingLocations(true)
                    .load()
                    .migrate();
            if (result.migrationsExecuted > 0) {
                log.info("store schema migrated: db={} from={} to={} migrations={}", redact(url),
                        result.initialSchemaVersion, result.targetSchemaVersion, result.migrationsExecuted);
            }
        } catch (FlywayException e) {
            throw new StoreException("cannot open store " + redact(url) + ": " + rootMessage(e), e);
        }
    }

    private static JdbcStore create(String url, Dialect dialect, String description, DataSource source,
                                    Options options) {
        HikariDataSource writePool = null;
        try {
            // one connection: only the writer thread writes
            writePool = pool(source, "bottega-store-write", 1);
            HikariDataSource readPool = pool(source, "bottega-store-read", options.readPoolSize());
            return new JdbcStore(dialect, description, writePool, readPool, options);
        } catch (RuntimeException e) {
            if (writePool != null) writePool.close();
            throw new StoreException("cannot open store " + redact(url) + ": " + rootMessage(e), e);
        }
    }

    private static HikariDataSource pool(DataSource source, String name, int size) {
        HikariConfig config = new HikariConfig();
        config.setDataSource(source);
        config.setPoolName(name);
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(Math.min(size, 1));
        return new HikariDataSource(config);
    }

    private JdbcStore(Dialect dialect, String description, HikariDataSource writePool, HikariDataSource readPool,
                      Options options) {
        this.dialect = dialect;
        this.description = description;
        this.writePool = writePool;
        this.readPool = readPool;
        this.writeDb = Jdbi.create(writePool);
        this.readDb = Jdbi.create(readPool);
        this.maxBatchRows = options.maxBatchRows();
        this.acknowledger = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "bottega-store-ack");
            t.setDaemon(true);
            acknowledgerThread = t;
            return t;
        });
        this.writer = new Thread(this::writeLoop, "bottega-store-writer");
        // daemon: a write not yet committed at exit was never acknowledged, so nothing promised is lost
        writer.setDaemon(true);
        writer.start();
        log.info("store opened: db={} maxBatchRows={} readPoolSize={}", description, maxBatchRows,
                options.readPoolSize());
    }

    // ---------------------------------------------------------------------------------------------- writes

    @Override
    public long reserveJobIds(int count) {
        if (count < 1) throw new IllegalArgumentException("count must be positive");
        // RETURNING gives the counter after the update; the block reserved ends just before it
        CompletableFuture<Long> next = submit("reserveJobIds(" + count + ")", 1, h -> h.createQuery(
                        "UPDATE id_counters SET next_id = next_id + :count WHERE name = 'job' RETURNING next_id")
                .bind("count", count)
                .mapTo(Long.class)
                .one());
        try {
            return next.join() - count;
        } catch (CompletionException e) {
            throw e.getCause() instanceof StoreException se ? se : e;
        }
    }

    @Override
    public CompletableFuture<Void> insertJobs(List<JobRow> jobs, List<JobScript> scripts) {
        List<JobRow> rows = List.copyOf(jobs);
        List<JobScript> texts = List.copyOf(scripts);
        // plain JDBC with positional parameters and statements prepared once: a submission is one of these, and
        // Jdbi's named binding (a statement context and an argument lookup per value), like parsing the 30-column
        // INSERT again for each, cost more than SQLite's insert itself
        return submit("insertJobs(" + jobIds(rows) + ")", rows.size() + texts.size(), h -> {
            try {
                if (!rows.isEmpty()) {
                    PreparedStatement st = writerStatements.get(h, INSERT_JOB_POSITIONAL);
                    for (JobRow row : rows) {
                        bindJob(st, row);
                        if (rows.size() > 1) st.addBatch();
                    }
                    if (rows.size() > 1) st.executeBatch();
                    else st.executeUpdate();
                }
                if (!texts.isEmpty()) {
                    PreparedStatement st = writerStatements.get(h, INSERT_SCRIPT);
                    for (JobScript t : texts) {
                        st.setLong(1, t.jobId());
                        st.setString(2, t.script());
                        st.setString(3, t.envJson());
                        if (texts.size() > 1) st.addBatch();
                    }
                    if (texts.size() > 1) st.executeBatch();
                    else st.executeUpdate();
                }
            } catch (SQLException e) {
                throw new JdbcFailure(e);
            }
            return null;
        });
    }

    /** A JDBC failure inside a write, unchecked; its cause is what {@link #isWritesOwnFault} judges. */
    private static final class JdbcFailure extends RuntimeException {
        JdbcFailure(SQLException cause) { super(cause.getMessage(), cause); }
    }

    @Override
    public CompletableFuture<Void> updateJobs(List<JobRow> jobs, List<JobEvent> events) {
        List<JobRow> rows = List.copyOf(jobs);
        List<JobEvent> appended = List.copyOf(events);
        return submit("updateJobs(" + jobIds(rows) + ")", rows.size() + appended.size(), h -> {
            if (!rows.isEmpty()) {
                try (PreparedBatch batch = h.prepareBatch(UPDATE_JOB)) {
                    for (JobRow row : rows) bindJob(batch, row).add();
                    int[] updated = batch.execute();
                    for (int i = 0; i < updated.length; i++) {
                        if (updated[i] == 0) throw new StoreException("job " + rows.get(i).id() + " does not exist");
                    }
                }
            }
            if (!appended.isEmpty()) {
                try (PreparedBatch batch = h.prepareBatch("INSERT INTO job_events (job_id, event_time, state, detail)"
                        + " VALUES (:jobId, :time, :state, :detail)")) {
                    for (JobEvent e : appended) {
                        batch.bind("jobId", e.jobId()).bind("time", e.time()).bind("state", e.state())
                                .bind("detail", e.detail()).add();
                    }
                    batch.execute();
                }
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> saveNode(NodeRow node) {
        Objects.requireNonNull(node, "node");
        return submit("saveNode(" + node.name() + ")", 1, h -> {
            h.createUpdate("INSERT INTO nodes (name, admin_state, reason, reason_time, reason_user, resources_json,"
                            + " last_seen) VALUES (:name, :adminState, :reason, :reasonTime, :reasonUser,"
                            + " :resourcesJson, :lastSeen) ON CONFLICT (name) DO UPDATE SET"
                            + " admin_state = excluded.admin_state, reason = excluded.reason,"
                            + " reason_time = excluded.reason_time, reason_user = excluded.reason_user,"
                            + " resources_json = excluded.resources_json, last_seen = excluded.last_seen")
                    .bind("name", node.name())
                    .bind("adminState", node.adminState())
                    .bind("reason", node.reason())
                    .bind("reasonTime", node.reasonTime())
                    .bind("reasonUser", node.reasonUser())
                    .bind("resourcesJson", node.resourcesJson())
                    .bind("lastSeen", node.lastSeen())
                    .execute();
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> saveSteps(List<StepRow> steps) {
        List<StepRow> rows = List.copyOf(steps);
        if (rows.isEmpty()) return CompletableFuture.completedFuture(null);
        return submit("saveSteps(" + rows.get(0).jobId() + "." + rows.get(0).stepId()
                + (rows.size() > 1 ? " and " + (rows.size() - 1) + " more" : "") + ")", rows.size(), h -> {
            try (PreparedBatch batch = h.prepareBatch("INSERT INTO job_steps (job_id, step_id, name, state, node_list,"
                    + " node_count, ntasks, tasks_per_node, cpus, gpus, start_time, end_time, exit_code, exit_signal, reason,"
                    + " layout_json) VALUES (:jobId, :stepId, :name, :state, :nodeList, :nodeCount, :ntasks, :tasksPerNode, :cpus, :gpus,"
                    + " :startTime, :endTime, :exitCode, :exitSignal, :reason, :layoutJson) ON CONFLICT (job_id, step_id) DO UPDATE SET"
                    + " name = excluded.name, state = excluded.state, node_list = excluded.node_list,"
                    + " node_count = excluded.node_count, ntasks = excluded.ntasks, tasks_per_node = excluded.tasks_per_node,"
                    + " cpus = excluded.cpus, gpus = excluded.gpus, start_time = excluded.start_time,"
                    + " end_time = excluded.end_time, exit_code = excluded.exit_code, exit_signal = excluded.exit_signal,"
                    + " reason = excluded.reason, layout_json = excluded.layout_json")) {
                for (StepRow r : rows) {
                    batch.bind("jobId", r.jobId()).bind("stepId", r.stepId()).bind("name", r.name()).bind("state", r.state())
                            .bind("nodeList", r.nodeList()).bind("nodeCount", r.nodeCount()).bind("ntasks", r.ntasks())
                            .bind("tasksPerNode", r.tasksPerNode()).bind("cpus", r.cpus()).bind("gpus", r.gpus())
                            .bind("startTime", r.startTime()).bind("endTime", r.endTime()).bind("exitCode", r.exitCode())
                            .bind("exitSignal", r.exitSignal()).bind("reason", r.reason())
                            .bind("layoutJson", r.layoutJson()).add();
                }
                batch.execute();
            }
            return null;
        });
    }

    @Override
    public List<StepRow> steps(List<Long> jobIds) {
        if (jobIds.isEmpty()) return List.of();
        List<Long> ids = List.copyOf(jobIds);
        return read("steps", h -> h.createQuery("SELECT job_id, step_id, name, state, node_list, node_count, ntasks,"
                        + " tasks_per_node, cpus, gpus, start_time, end_time, exit_code, exit_signal, reason, layout_json FROM job_steps"
                        + " WHERE job_id IN (<ids>) ORDER BY job_id, step_id")
                .bindList("ids", ids)
                .map((rs, ctx) -> new StepRow(rs.getLong("job_id"), rs.getInt("step_id"), rs.getString("name"),
                        rs.getString("state"), rs.getString("node_list"), rs.getInt("node_count"), rs.getInt("ntasks"),
                        rs.getString("tasks_per_node"), rs.getInt("cpus"), rs.getInt("gpus"), rs.getLong("start_time"),
                        rs.getLong("end_time"), rs.getInt("exit_code"), rs.getInt("exit_signal"), rs.getString("reason"),
                        rs.getString("layout_json")))
                .list());
    }

    @Override
    public CompletableFuture<Void> insertUsage(List<UsageRow> usage) {
        List<UsageRow> rows = List.copyOf(usage);
        if (rows.isEmpty()) return CompletableFuture.completedFuture(null);
        return submit("insertUsage(" + rows.get(0).jobId() + (rows.size() > 1 ? " and " + (rows.size() - 1) + " more" : "") + ")",
                rows.size(), h -> {
            try (PreparedBatch batch = h.prepareBatch("INSERT INTO usage (job_id, end_time, account, user_name, qos, partition_name,"
                    + " period, billed, core_seconds, gpu_seconds, energy_j) VALUES (:jobId, :endTime, :account, :user, :qos, :partition,"
                    + " :period, :billed, :coreSeconds, :gpuSeconds, :energy) ON CONFLICT (job_id, end_time) DO NOTHING")) {
                for (UsageRow r : rows) {
                    batch.bind("jobId", r.jobId()).bind("endTime", r.endTime()).bind("account", r.account()).bind("user", r.user())
                            .bind("qos", r.qos()).bind("partition", r.partition()).bind("period", r.period()).bind("billed", r.billed())
                            .bind("coreSeconds", r.coreSeconds()).bind("gpuSeconds", r.gpuSeconds()).bind("energy", r.energyJoules())
                            .add();
                }
                batch.execute();
            }
            return null;
        });
    }

    @Override
    public List<UsageRow> usageSince(long fromEpochSeconds) {
        return read("usageSince", h -> h.createQuery("SELECT job_id, end_time, account, user_name, qos, partition_name, period, billed,"
                        + " core_seconds, gpu_seconds, energy_j FROM usage WHERE end_time >= :from ORDER BY end_time, job_id")
                .bind("from", fromEpochSeconds)
                .map((rs, ctx) -> new UsageRow(rs.getLong("job_id"), rs.getLong("end_time"), rs.getString("account"),
                        rs.getString("user_name"), rs.getString("qos"), rs.getString("partition_name"), rs.getString("period"),
                        rs.getDouble("billed"), rs.getDouble("core_seconds"), rs.getDouble("gpu_seconds"), rs.getDouble("energy_j")))
                .list());
    }

    @Override
    public Map<Long, Double> energyByJob(List<Long> jobIds) {
        Map<Long, Double> out = new HashMap<>();
        for (int from = 0; from < jobIds.size(); from += 500) {
            List<Long> part = jobIds.subList(from, Math.min(jobIds.size(), from + 500));
            read("energyByJob", h -> h.createQuery("SELECT job_id, SUM(energy_j) AS e FROM usage WHERE job_id IN (<ids>) GROUP BY job_id")
                    .bindList("ids", part)
                    .map((rs, ctx) -> out.put(rs.getLong("job_id"), rs.getDouble("e"))).list());
        }
        return out;
    }

    @Override
    public CompletableFuture<Void> saveReservation(ReservationRow r) {
        Objects.requireNonNull(r, "reservation");
        return submit("saveReservation(" + r.name() + ")", 1, h -> {
            h.createUpdate("INSERT INTO reservations (name, nodes, start_time, end_time, users, accounts, maintenance)"
                            + " VALUES (:name, :nodes, :start, :end, :users, :accounts, :maintenance) ON CONFLICT (name) DO UPDATE SET"
                            + " nodes = excluded.nodes, start_time = excluded.start_time, end_time = excluded.end_time,"
                            + " users = excluded.users, accounts = excluded.accounts, maintenance = excluded.maintenance")
                    .bind("name", r.name()).bind("nodes", r.nodes()).bind("start", r.start()).bind("end", r.end())
                    .bind("users", r.users()).bind("accounts", r.accounts()).bind("maintenance", r.maintenance())
                    .execute();
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> deleteReservation(String name) {
        Objects.requireNonNull(name, "name");
        return submit("deleteReservation(" + name + ")", 1, h -> {
            h.createUpdate("DELETE FROM reservations WHERE name = :name").bind("name", name).execute();
            return null;
        });
    }

    @Override
    public List<ReservationRow> reservations() {
        return read("reservations", h -> h.createQuery("SELECT name, nodes, start_time, end_time, users, accounts, maintenance"
                        + " FROM reservations ORDER BY start_time, name")
                .map((rs, ctx) -> new ReservationRow(rs.getString("name"), rs.getString("nodes"), rs.getLong("start_time"),
                        rs.getLong("end_time"), rs.getString("users"), rs.getString("accounts"), rs.getBoolean("maintenance")))
                .list());
    }

    @Override
    public CompletableFuture<Void> saveSetting(String key, String value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        return submit("saveSetting(" + key + ")", 1, h -> {
            h.createUpdate("INSERT INTO settings (name, value) VALUES (:name, :value)"
                            + " ON CONFLICT (name) DO UPDATE SET value = excluded.value")
                    .bind("name", key)
                    .bind("value", value)
                    .execute();
            return null;
        });
    }

    // ----------------------------------------------------------------------------------------------- reads

    @Override
    public List<JobRow> activeJobs() {
        return read("activeJobs", h -> h.createQuery(SELECT_JOB + " WHERE state IN (<states>) ORDER BY id")
                .bindList("states", ACTIVE_STATES)
                .map(JdbcStore::job)
                .list());
    }

    @Override
    public Optional<JobRow> job(long id) {
        return read("job(" + id + ")", h -> h.createQuery(SELECT_JOB + " WHERE id = :id")
                .bind("id", id)
                .map(JdbcStore::job)
                .findOne());
    }

    /**
     * Builds one parameterized statement from the filter: only fixed SQL fragments are appended, every
     * value is bound. {@code endedAfter} keeps jobs not finished (end time 0) or finished at or after it;
     * {@code startedBefore} keeps jobs submitted at or before it.
     */
    @Override
    public List<JobRow> queryJobs(JobQuery q) {
        Objects.requireNonNull(q, "query");
        if (q.limit() < 0) throw new IllegalArgumentException("limit must not be negative");
        StringBuilder sql = new StringBuilder(SELECT_JOB).append(" WHERE 1 = 1");
        if (!q.ids().isEmpty()) sql.append(" AND (id IN (<ids>) OR array_job_id IN (<ids>))");
        if (!q.users().isEmpty()) sql.append(" AND user_name IN (<users>)");
        if (!q.accounts().isEmpty()) sql.append(" AND account IN (<accounts>)");
        if (!q.states().isEmpty()) sql.append(" AND state IN (<states>)");
        if (!q.partitions().isEmpty()) sql.append(" AND partition_name IN (<partitions>)");
        if (q.endedAfter() > 0) sql.append(" AND (end_time = 0 OR end_time >= :endedAfter)");
        if (q.startedBefore() > 0) sql.append(" AND submit_time <= :startedBefore");
        sql.append(" ORDER BY id");
        if (q.limit() > 0) sql.append(" LIMIT :limit");
        return read("queryJobs", h -> {
            Query query = h.createQuery(sql.toString());
            if (!q.ids().isEmpty()) query.bindList("ids", q.ids());
            if (!q.users().isEmpty()) query.bindList("users", q.users());
            if (!q.accounts().isEmpty()) query.bindList("accounts", q.accounts());
            if (!q.states().isEmpty()) query.bindList("states", q.states());
            if (!q.partitions().isEmpty()) query.bindList("partitions", q.partitions());
            if (q.endedAfter() > 0) query.bind("endedAfter", q.endedAfter());
            if (q.startedBefore() > 0) query.bind("startedBefore", q.startedBefore());
            if (q.limit() > 0) query.bind("limit", q.limit());
            return query.map(JdbcStore::job).list();
        });
    }

    @Override
    public Optional<JobScript> script(long jobId) {
        return read("script(" + jobId + ")", h -> h.createQuery(
                        "SELECT job_id, script, env_json FROM job_scripts WHERE job_id = :id")
                .bind("id", jobId)
                .map((rs, ctx) -> new JobScript(rs.getLong("job_id"), rs.getString("script"), rs.getString("env_json")))
                .findOne());
    }

    @Override
    public List<JobEvent> events(long jobId) {
        return read("events(" + jobId + ")", h -> h.createQuery(
                        "SELECT job_id, event_time, state, detail FROM job_events WHERE job_id = :id ORDER BY seq")
                .bind("id", jobId)
                .map((rs, ctx) -> new JobEvent(rs.getLong("job_id"), rs.getLong("event_time"),
                        rs.getString("state"), rs.getString("detail")))
                .list());
    }

    @Override
    public List<NodeRow> nodes() {
        return read("nodes", h -> h.createQuery("SELECT name, admin_state, reason, reason_time, reason_user,"
                        + " resources_json, last_seen FROM nodes ORDER BY name")
                .map((rs, ctx) -> new NodeRow(rs.getString("name"), rs.getString("admin_state"),
                        rs.getString("reason"), rs.getLong("reason_time"), rs.getString("reason_user"),
                        rs.getString("resources_json"), rs.getLong("last_seen")))
                .list());
    }

    @Override
    public Optional<String> setting(String key) {
        Objects.requireNonNull(key, "key");
        return read("setting(" + key + ")", h -> h.createQuery("SELECT value FROM settings WHERE name = :name")
                .bind("name", key)
                .mapTo(String.class)
                .findOne());
    }

    @Override
    public Map<String, String> settings() {
        return read("settings", h -> {
            Map<String, String> all = new LinkedHashMap<>();
            h.createQuery("SELECT name, value FROM settings ORDER BY name")
                    .map((rs, ctx) -> Map.entry(rs.getString("name"), rs.getString("value")))
                    .forEach(e -> all.put(e.getKey(), e.getValue()));
            return Collections.unmodifiableMap(all);
        });
    }

    @Override
    public String describe() {
        return description;
    }

    /**
     * The value of a SQLite pragma on the writer's connection ({@code synchronous}, {@code journal_mode},
     * {@code foreign_keys}, {@code busy_timeout}), to check the settings the store relies on.
     *
     * @throws IllegalStateException on PostgreSQL
     */
    public String sqlitePragma(String name) {
        if (dialect != Dialect.SQLITE) throw new IllegalStateException("not a SQLite store: " + description);
        if (!name.matches("[a-z_]+")) throw new IllegalArgumentException("not a pragma name: " + name);
        if (closed) throw new StoreException("pragma " + name + " failed: store " + description + " is closed");
        return writeDb.withHandle(h -> h.createQuery("PRAGMA " + name).mapTo(String.class).one());
    }

    /** Transactions committed by the writer since open: with group commit, far fewer than writes. */
    public long commitCount() {
        return commits.get();
    }

    /** Writes committed since open. */
    public long committedWriteCount() {
        return committedWrites.get();
    }

    /** Writes whose future completed exceptionally since open. */
    public long failedWriteCount() {
        return failedWrites.get();
    }

    /** Stops taking writes, commits every write already queued, completes their futures, then closes. */
    @Override
    public void close() {
        submitLock.lock();
        try {
            if (closed) return;
            closed = true;
            queue.add(STOP);
        } finally {
            submitLock.unlock();
        }
        joinUninterruptibly(writer);
        acknowledger.shutdown();
        boolean interrupted = false;
        // a callback of a write's future may close the store: it runs on the acknowledger, which cannot wait for itself
        while (Thread.currentThread() != acknowledgerThread) {
            try {
                if (acknowledger.awaitTermination(1, TimeUnit.MINUTES)) break;
                log.warn("store close: still waiting for write acknowledgements to finish: db={}", description);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        readPool.close();
        writePool.close();
        if (interrupted) Thread.currentThread().interrupt();
        log.info("store closed: db={} writes={} failedWrites={} commits={}", description, committedWrites.get(),
                failedWrites.get(), commits.get());
    }

    // ------------------------------------------------------------------------------------- the writer

    /** One queued write: what it does, in words for errors and logs, how many rows it touches, its future. */
    private static final class Write<T> {
        final String what;
        final int rows;
        final Function<Handle, T> action;
        final CompletableFuture<T> future = new CompletableFuture<>();
        // set on the writer thread, read on the acknowledger's after the hand-over
        T result;
        StoreException failure;

        Write(String what, int rows, Function<Handle, T> action) {
            this.what = what;
            this.rows = Math.max(1, rows);
            this.action = action;
        }

        void run(Handle h) { result = action.apply(h); }

        void complete() {
            if (failure == null) future.complete(result);
            else future.completeExceptionally(failure);
        }
    }

    /**
     * Statements the writer prepares once and runs again in every group, on the pool's physical connection: one
     * prepared through the pool's proxy would be closed each time the transaction gives the connection back.
     * Prepared again when the pool has replaced that connection. Used by the writer thread only.
     */
    private static final class WriterStatements {
        private Connection connection;
        private final Map<String, PreparedStatement> prepared = new HashMap<>();

        PreparedStatement get(Handle h, String sql) throws SQLException {
            Connection physical = h.getConnection().unwrap(Connection.class);
            if (physical != connection) {
                close();
                connection = physical;
            }
            PreparedStatement st = prepared.get(sql);
            if (st == null || st.isClosed()) {
                st = physical.prepareStatement(sql);
                prepared.put(sql, st);
            }
            st.clearBatch(); // a batch that failed halfway may have been left behind
            return st;
        }

        void close() {
            for (PreparedStatement st : prepared.values()) {
                try {
                    st.close();
                } catch (SQLException e) {
                    log.debug("store writer: closing a prepared statement failed: {}", e.toString());
                }
            }
            prepared.clear();
            connection = null;
        }
    }

    /** Queued by close() behind every accepted write; never run. */
    private static final Write<Void> STOP = new Write<>("stop", 1, h -> null);

    private <T> CompletableFuture<T> submit(String what, int rows, Function<Handle, T> action) {
        Write<T> write = new Write<>(what, rows, action);
        submitLock.lock();
        try {
            if (closed) {
                return CompletableFuture.failedFuture(new StoreException(what + " failed: store " + description
                        + " is closed"));
            }
            queue.add(write);
        } finally {
            submitLock.unlock();
        }
        return write.future;
    }

    private void writeLoop() {
        List<Write<?>> group = new ArrayList<>();
        while (true) {
            Write<?> first;
            try {
                first = queue.take();
            } catch (InterruptedException e) {
                continue; // only close() stops the writer, so that no accepted write is left behind
            }
            if (first == STOP) {
                writerStatements.close();
                return;
            }
            group.add(first);
            int rows = first.rows;
            for (Write<?> next = queue.peek(); next != null && next != STOP && rows + next.rows <= maxBatchRows;
                 next = queue.peek()) {
                group.add(queue.remove());
                rows += next.rows;
            }
            List<Write<?>> taken = List.copyOf(group);
            group.clear();
            try {
                commitGroup(taken);
            } catch (Throwable t) {
                // commitGroup settles every write itself; should it ever break, no future is left hanging
                log.error("store writer: unexpected failure, writer continues: db={}", description, t);
                for (Write<?> w : taken) {
                    w.future.completeExceptionally(new StoreException(w.what + " failed: " + rootMessage(t), t));
                }
            }
        }
    }

    /**
     * Runs the writes in one transaction, in order, and commits. A write that fails because of what it
     * writes (a duplicate id, a missing job, a value the database refuses) is taken out and the others run
     * again without it, in a fresh transaction; a failure of the transaction itself (no connection, a lock
     * held too long, a failed commit) fails every write still in the group. Then every future is completed
     * in submission order.
     */
    private void commitGroup(List<Write<?>> group) {
        List<Write<?>> remaining = new ArrayList<>(group);
        while (!remaining.isEmpty()) {
            int[] running = {-1};
            try {
                writeDb.useTransaction(h -> {
                    for (int i = 0; i < remaining.size(); i++) {
                        running[0] = i;
                        remaining.get(i).run(h);
                    }
                    running[0] = -1;
                });
                commits.incrementAndGet();
                committedWrites.addAndGet(remaining.size());
                break;
            } catch (Throwable t) {
                if (running[0] >= 0 && isWritesOwnFault(t)) {
                    Write<?> culprit = remaining.remove(running[0]);
                    fail(culprit, t);
                    log.debug("store write failed, its group runs again without it: db={} write={} cause=\"{}\"",
                            description, culprit.what, rootMessage(t));
                } else {
                    log.warn("store transaction failed, failing its writes: db={} writes={} cause=\"{}\"",
                            description, remaining.size(), rootMessage(t));
                    for (Write<?> w : remaining) fail(w, t);
                    break;
                }
            }
        }
        acknowledger.execute(() -> group.forEach(Write::complete));
    }

    private void fail(Write<?> w, Throwable cause) {
        failedWrites.incrementAndGet();
        w.failure = new StoreException(w.what + " failed: " + rootMessage(cause), cause);
    }

    /**
     * Whether a failure comes from the data of the write that was running (SQL state class 22 "data
     * exception" or 23 "integrity constraint violation"; SQLite's CONSTRAINT, MISMATCH, TOOBIG, RANGE; or
     * the write's own check, such as an unknown job), rather than from the database or the connection.
     */
    private static boolean isWritesOwnFault(Throwable t) {
        int depth = 0;
        for (Throwable c = t; c != null && depth < 32; c = c.getCause(), depth++) {
            if (c instanceof StoreException) return true;
            if (c instanceof SQLiteException e) {
                int primary = e.getResultCode().code & 0xff;
                return primary == 18 || primary == 19 || primary == 20 || primary == 25;
            }
            if (c instanceof SQLException e) {
                String state = e.getSQLState();
                return state != null && (state.startsWith("22") || state.startsWith("23"));
            }
            if (c instanceof ConnectionException) return false;
        }
        return true; // not the database's: the write's own code failed
    }

    private <T> T read(String what, Function<Handle, T> query) {
        if (closed) throw new StoreException(what + " failed: store " + description + " is closed");
        try {
            return readDb.withHandle(query::apply);
        } catch (JdbiException e) {
            throw new StoreException(what + " failed on " + description + ": " + rootMessage(e), e);
        }
    }

    // ------------------------------------------------------------------------------------------ SQL

    private static final String JOB_COLUMNS = "id, array_job_id, array_task_id, name, user_name, uid, gid, account,"
            + " partition_name, qos, state, reason, exit_code, exit_signal, submit_time, eligible_time, start_time,"
            + " end_time, time_limit, priority, hold, dependency, request_json, allocation_json, node_list,"
            + " requeue_count, work_dir, stdout_path, stderr_path, comment";

    private static final String JOB_PARAMETERS = ":id, :arrayJobId, :arrayTaskId, :name, :user, :uid, :gid, :account,"
            + " :partition, :qos, :state, :reason, :exitCode, :exitSignal, :submitTime, :eligibleTime, :startTime,"
            + " :endTime, :timeLimit, :priority, :hold, :dependency, :requestJson, :allocationJson, :nodeList,"
            + " :requeueCount, :workDir, :stdoutPath, :stderrPath, :comment";

    private static final String SELECT_JOB = "SELECT " + JOB_COLUMNS + " FROM jobs";

    private static final String INSERT_JOB = "INSERT INTO jobs (" + JOB_COLUMNS + ") VALUES (" + JOB_PARAMETERS + ")";

    private static final String INSERT_JOB_POSITIONAL = "INSERT INTO jobs (" + JOB_COLUMNS + ") VALUES ("
            + String.join(", ", Collections.nCopies(JOB_COLUMNS.split(",").length, "?")) + ")";

    private static final String INSERT_SCRIPT = "INSERT INTO job_scripts (job_id, script, env_json) VALUES (?, ?, ?)";

    private static final String UPDATE_JOB = "UPDATE jobs SET array_job_id = :arrayJobId,"
            + " array_task_id = :arrayTaskId, name = :name, user_name = :user, uid = :uid, gid = :gid,"
            + " account = :account, partition_name = :partition, qos = :qos, state = :state, reason = :reason,"
            + " exit_code = :exitCode, exit_signal = :exitSignal, submit_time = :submitTime,"
            + " eligible_time = :eligibleTime, start_time = :startTime, end_time = :endTime,"
            + " time_limit = :timeLimit, priority = :priority, hold = :hold, dependency = :dependency,"
            + " request_json = :requestJson, allocation_json = :allocationJson, node_list = :nodeList,"
            + " requeue_count = :requeueCount, work_dir = :workDir, stdout_path = :stdoutPath,"
            + " stderr_path = :stderrPath, comment = :comment WHERE id = :id";

    private static <S extends SqlStatement<S>> S bindJob(S s, JobRow j) {
        return s.bind("id", j.id())
                .bind("arrayJobId", j.arrayJobId())
                .bind("arrayTaskId", j.arrayTaskId())
                .bind("name", j.name())
                .bind("user", j.user())
                .bind("uid", j.uid())
                .bind("gid", j.gid())
                .bind("account", j.account())
                .bind("partition", j.partition())
                .bind("qos", j.qos())
                .bind("state", j.state())
                .bind("reason", j.reason())
                .bind("exitCode", j.exitCode())
                .bind("exitSignal", j.exitSignal())
                .bind("submitTime", j.submitTime())
                .bind("eligibleTime", j.eligibleTime())
                .bind("startTime", j.startTime())
                .bind("endTime", j.endTime())
                .bind("timeLimit", j.timeLimit())
                .bind("priority", j.priority())
                .bind("hold", j.hold())
                .bind("dependency", j.dependency())
                .bind("requestJson", j.requestJson())
                .bind("allocationJson", j.allocationJson())
                .bind("nodeList", j.nodeList())
                .bind("requeueCount", j.requeueCount())
                .bind("workDir", j.workDir())
                .bind("stdoutPath", j.stdoutPath())
                .bind("stderrPath", j.stderrPath())
                .bind("comment", j.comment());
    }

    /** {@link #bindJob(SqlStatement, JobRow)} by position, in {@link #JOB_COLUMNS}' order. */
    private static void bindJob(java.sql.PreparedStatement s, JobRow j) throws SQLException {
        int i = 1;
        s.setLong(i++, j.id());
        s.setLong(i++, j.arrayJobId());
        s.setInt(i++, j.arrayTaskId());
        s.setString(i++, j.name());
        s.setString(i++, j.user());
        s.setInt(i++, j.uid());
        s.setInt(i++, j.gid());
        s.setString(i++, j.account());
        s.setString(i++, j.partition());
        s.setString(i++, j.qos());
        s.setString(i++, j.state());
        s.setString(i++, j.reason());
        s.setInt(i++, j.exitCode());
        s.setInt(i++, j.exitSignal());
        s.setLong(i++, j.submitTime());
        s.setLong(i++, j.eligibleTime());
        s.setLong(i++, j.startTime());
        s.setLong(i++, j.endTime());
        s.setLong(i++, j.timeLimit());
        s.setLong(i++, j.priority());
        s.setString(i++, j.hold());
        s.setString(i++, j.dependency());
        s.setString(i++, j.requestJson());
        s.setString(i++, j.allocationJson());
        s.setString(i++, j.nodeList());
        s.setInt(i++, j.requeueCount());
        s.setString(i++, j.workDir());
        s.setString(i++, j.stdoutPath());
        s.setString(i++, j.stderrPath());
        s.setString(i, j.comment());
    }

    private static JobRow job(ResultSet rs, StatementContext ctx) throws SQLException {
        return new JobRow(rs.getLong("id"), rs.getLong("array_job_id"), rs.getInt("array_task_id"),
                rs.getString("name"), rs.getString("user_name"), rs.getInt("uid"), rs.getInt("gid"),
                rs.getString("account"), rs.getString("partition_name"), rs.getString("qos"), rs.getString("state"),
                rs.getString("reason"), rs.getInt("exit_code"), rs.getInt("exit_signal"), rs.getLong("submit_time"),
                rs.getLong("eligible_time"), rs.getLong("start_time"), rs.getLong("end_time"),
                rs.getLong("time_limit"), rs.getLong("priority"), rs.getString("hold"), rs.getString("dependency"),
                rs.getString("request_json"), rs.getString("allocation_json"), rs.getString("node_list"),
                rs.getInt("requeue_count"), rs.getString("work_dir"), rs.getString("stdout_path"),
                rs.getString("stderr_path"), rs.getString("comment"));
    }

    // ------------------------------------------------------------------------------------------ helpers

    /** "jobs 1, 2, 3 and 97 more", for messages. */
    private static String jobIds(List<JobRow> rows) {
        if (rows.isEmpty()) return "no jobs";
        StringBuilder s = new StringBuilder(rows.size() == 1 ? "job " : "jobs ");
        int shown = Math.min(rows.size(), 3);
        for (int i = 0; i < shown; i++) s.append(i == 0 ? "" : ", ").append(rows.get(i).id());
        if (rows.size() > shown) s.append(" and ").append(rows.size() - shown).append(" more");
        return s.toString();
    }

    /** The innermost message of a cause chain: the driver's own words, without JDBI's statement dump. */
    static String rootMessage(Throwable t) {
        Throwable deepest = t;
        String message = null;
        int depth = 0;
        for (Throwable c = t; c != null && depth < 32; c = c.getCause(), depth++) {
            deepest = c;
            if (c instanceof SQLException || c instanceof StoreException) message = c.getMessage();
        }
        if (message == null) message = deepest.getMessage();
        // one line: PostgreSQL adds "Detail:" lines, and messages end up in key=value logs
        return message == null ? deepest.getClass().getSimpleName() : message.strip().replaceAll("\\s*\n\\s*", " ");
    }

    /** The URL with any password replaced, for messages and logs. */
    static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }

    /** {@code postgresql://host:port/db}: the URL without its parameters, which may hold a password. */
    private static String describePostgresql(String url) {
        String s = url.substring("jdbc:".length());
        int query = s.indexOf('?');
        return query >= 0 ? s.substring(0, query) : s;
    }

    private static void joinUninterruptibly(Thread t) {
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    @Override
    public String toString() {
        return "JdbcStore[" + description + ", " + dialect.name().toLowerCase(java.util.Locale.ROOT) + "]";
    }
}
