package io.bottega.cli.slurm;

import io.bottega.api.json.JsonReader;
import io.bottega.cli.http.FakeController;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenAndWhoamiTest {
    @TempDir
    Path home;

    @Test
    void token_printsTheToken() throws Exception {
        try (FakeController c = FakeController.start().on("POST", "/tokens", 200,
                "{\"token\":\"abc.def\",\"user\":\"alice\",\"expires\":1798365600}")) {
            TestIo t = new TestIo(c);
            assertThat(t.run("token")).isZero();
            assertThat(t.out()).isEqualTo("abc.def\n");
            assertThat(c.last().body()).isEqualTo("{}");
        }
    }

    @Test
    void token_userAndTtl_areSent() throws Exception {
        try (FakeController c = FakeController.start().on("POST", "/tokens", 200, "{\"token\":\"x\",\"user\":\"bob\",\"expires\":1}")) {
            TestIo t = new TestIo(c);
            assertThat(t.run("token", "--user", "bob", "--ttl", "30d")).isZero();
            assertThat(JsonReader.parseObject(c.last().body())).isEqualTo(Map.of("user", "bob", "ttlSeconds", 2_592_000L));
        }
    }

    @Test
    void token_save_writesAPrivateFile() throws Exception {
        try (FakeController c = FakeController.start().on("POST", "/tokens", 200,
                "{\"token\":\"abc.def\",\"user\":\"alice\",\"expires\":1798365600}")) {
            TestIo t = new TestIo(c);
            t.home = home.toString();
            assertThat(t.run("token", "--save")).isZero();
            Path f = home.resolve(".bottega/token");
            assertThat(Files.readString(f)).isEqualTo("abc.def\n");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f.getParent()))).isEqualTo("rwx------");
            assertThat(t.out()).isEmpty();
            assertThat(t.err()).startsWith("Token for alice saved to " + f + " (expires 2026-12-27T10:00:00)");
        }
    }

    @Test
    void token_refused_isAnError() throws Exception {
        try (FakeController c = FakeController.start().on("POST", "/tokens", 403,
                "{\"error\":\"only an operator may issue a token for another user\"}")) {
            TestIo t = new TestIo(c);
            assertThat(t.run("token", "--user=bob")).isEqualTo(1);
            assertThat(t.err()).isEqualTo("token: error: only an operator may issue a token for another user\n");
        }
    }

    @Test
    void parseTtl_unitsAndNonsense() {
        assertThat(Token.parseTtl("3600")).isEqualTo(3600);
        assertThat(Token.parseTtl("12h")).isEqualTo(43_200);
        assertThatThrownBy(() -> Token.parseTtl("soon")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Token.parseTtl("0")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void whoami_printsTheIdentity() throws Exception {
        try (FakeController c = FakeController.start().on("GET", "/whoami", 200,
                "{\"user\":\"alice\",\"uid\":1000,\"gid\":100,\"operator\":false,\"via\":\"token\"}")) {
            TestIo t = new TestIo(c);
            assertThat(t.run("whoami")).isZero();
            assertThat(t.out()).isEqualTo("alice (uid=1000, gid=100), via token at " + c.url() + "\n");
        }
    }

    @Test
    void dispatch_unknownCommand_isAnError() {
        TestIo t = new TestIo(null);
        assertThat(t.run("strigger", "--set")).isEqualTo(1);
        assertThat(t.err()).isEqualTo("bottega: error: unknown client command 'strigger'\n");
    }

    @Test
    void dispatch_malformedAnswer_isAnErrorNotAStackTrace() throws Exception {
        try (FakeController c = FakeController.start().on("GET", "/jobs", 200, "[{\"id\": 1,")) {
            TestIo t = new TestIo(c);
            assertThat(t.run("squeue")).isEqualTo(1);
            assertThat(t.err()).startsWith("squeue: error: unexpected answer from the Bottega controller: ");
        }
    }
}
