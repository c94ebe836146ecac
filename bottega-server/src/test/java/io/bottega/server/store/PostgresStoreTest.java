package io.bottega.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The store contract on a real PostgreSQL server, each test in a schema of its own. The server's URL comes
 * from the system property or environment variable {@code BOTTEGA_TEST_POSTGRES_URL}
 * ({@code export "$(scripts/postgres.sh start)"} starts one and prints it). Without it these tests fail,
 * unless {@code BOTTEGA_SKIP_POSTGRES=1} says to skip them.
 */
class PostgresStoreTest extends StoreContract {

    static final String URL_VARIABLE = "BOTTEGA_TEST_POSTGRES_URL";

    static final String SKIPPED = "BOTTEGA_SKIP_POSTGRES=1: the PostgreSQL store tests are skipped";

    private static String serverUrl;
    private static boolean skip;
    private String schema;

    @BeforeAll
    static void findServer() {
        String url = System.getProperty(URL_VARIABLE, System.getenv(URL_VARIABLE));
        if (url == null || url.isBlank()) {
            if ("1".equals(System.getenv("BOTTEGA_SKIP_POSTGRES"))) {
                skip = true; // each test then reports itself skipped, with the reason
                return;
            }
            fail(URL_VARIABLE + " is not set: the store must be tested against a real PostgreSQL server."
                    + " Start one with  export \"$(scripts/postgres.sh start)\"  and run the tests again"
                    + " (or set BOTTEGA_SKIP_POSTGRES=1 to skip these tests in a quick local run)");
        }
        serverUrl = url;
    }

    @Override
    protected String freshDatabaseUrl() throws SQLException {
        if (skip) Assumptions.abort(SKIPPED);
        schema = "bottega_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT);
        execute("CREATE SCHEMA " + schema);
        return serverUrl + (serverUrl.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    @Override
    protected void dropDatabase() throws SQLException {
        if (schema != null) execute("DROP SCHEMA " + schema + " CASCADE");
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(serverUrl); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    @Test
    void describe_namesServerAndDatabaseWithoutParameters() {
        assertThat(store.describe()).startsWith("postgresql://").doesNotContain("?").doesNotContain("user=");
    }

    @Test
    void open_passwordInUrl_neverShown() {
        String withPassword = url + "&password=hunter2";
        try (JdbcStore other = JdbcStore.open(withPassword)) {
            assertThat(other.describe()).doesNotContain("hunter2");
        }
    }

    @Test
    void open_noServerThere_failsNamingTheDatabaseWithoutPassword() {
        assertThatThrownBy(() -> JdbcStore.open("jdbc:postgresql://127.0.0.1:1/bottega?user=u&password=hunter2"))
                .isInstanceOf(StoreException.class)
                .hasMessageStartingWith("cannot open store jdbc:postgresql://127.0.0.1:1/bottega?user=u&password=***: ")
                .message().doesNotContain("hunter2");
    }
}
