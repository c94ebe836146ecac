package io.bottega.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on a SQLite file, plus what is SQLite's own: its settings and its URL checks. */
class SqliteStoreTest extends StoreContract {

    @TempDir
    Path dir;

    @Override
    protected String freshDatabaseUrl() {
        return "jdbc:sqlite:" + dir.resolve("bottega.db");
    }

    @Test
    void open_setsWalFullSyncForeignKeysAndBusyTimeout() throws Exception {
        assertThat(store.sqlitePragma("journal_mode")).isEqualTo("wal");
        assertThat(store.sqlitePragma("synchronous")).isEqualTo("2"); // FULL
        assertThat(store.sqlitePragma("foreign_keys")).isEqualTo("1");
        assertThat(store.sqlitePragma("busy_timeout")).isEqualTo("10000");
        assertThat(queryLong("SELECT COUNT(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'")).isEqualTo(1);
        assertThat(store.describe()).isEqualTo("sqlite:" + dir.resolve("bottega.db"));
    }

    @Test
    void lockHeldElsewhere_failsTheWholeGroup_andWriterRecovers() throws Exception {
        store.close();
        store = JdbcStore.open(url, new JdbcStore.Options(1000, 2, Duration.ofMillis(200)));
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        try (Connection other = DriverManager.getConnection(url); Statement s = other.createStatement()) {
            s.execute("BEGIN IMMEDIATE"); // as a backup or a sqlite3 shell might
            for (int i = 0; i < 20; i++) futures.add(store.saveSetting("k" + i, "v"));
            for (CompletableFuture<Void> f : futures) {
                assertThatThrownBy(f::join).hasCauseInstanceOf(StoreException.class)
                        .hasMessageContaining("SQLITE_BUSY");
            }
            s.execute("ROLLBACK");
        }

        store.saveSetting("after", "ok").join();
        assertThat(store.settings()).containsOnlyKeys("after");
        assertThat(store.failedWriteCount()).isEqualTo(20);
    }

    @Test
    void open_missingDirectory_failsNamingIt() {
        assertThatThrownBy(() -> JdbcStore.open("jdbc:sqlite:/nonexistent-bottega/sub/y.db"))
                .isInstanceOf(StoreException.class)
                .hasMessage("cannot open store jdbc:sqlite:/nonexistent-bottega/sub/y.db:"
                        + " directory /nonexistent-bottega/sub does not exist");
    }

    @Test
    void open_inMemory_isRejected() {
        assertThatThrownBy(() -> JdbcStore.open("jdbc:sqlite::memory:"))
                .isInstanceOf(StoreException.class)
                .hasMessageStartingWith("cannot open store jdbc:sqlite::memory:: an in-memory database would lose every job");
    }

    @Test
    void open_directoryAsFile_failsNamingIt() {
        assertThatThrownBy(() -> JdbcStore.open("jdbc:sqlite:" + dir))
                .isInstanceOf(StoreException.class)
                .hasMessage("cannot open store jdbc:sqlite:" + dir + ": " + dir + " is a directory");
    }

    @Test
    void open_unsupportedUrl_failsSayingWhatIsSupported() {
        assertThatThrownBy(() -> JdbcStore.open("jdbc:mysql://db/bottega?user=u&password=hunter2"))
                .isInstanceOf(StoreException.class)
                .hasMessageStartingWith("cannot open store jdbc:mysql://db/bottega?user=u&password=***: unsupported database URL")
                .hasMessageContaining("jdbc:sqlite:")
                .hasMessageContaining("jdbc:postgresql:");
    }

    @Test
    void open_notADatabase_failsWithCause() throws Exception {
        Path junk = dir.resolve("junk.db");
        Files.writeString(junk, "this is not a database, just text long enough to fill a header ".repeat(10));

        assertThatThrownBy(() -> JdbcStore.open("jdbc:sqlite:" + junk))
                .isInstanceOf(StoreException.class)
                .hasMessageStartingWith("cannot open store jdbc:sqlite:" + junk + ": ");
    }

    @Test
    void foreignKeys_areEnforcedOnTheStoresConnections() {
        // a script for a job that does not exist fails only if foreign keys are on
        assertThat(store.insertJobs(List.of(), List.of(new Store.JobScript(5, "#!/bin/sh", "{}"))))
                .failsWithin(Duration.ofSeconds(30));
    }
}
