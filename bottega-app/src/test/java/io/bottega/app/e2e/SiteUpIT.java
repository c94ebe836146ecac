package io.bottega.app.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;

import static io.bottega.app.e2e.Bottega.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code bottega up --site examples/sites/demo.yaml}: accounts, QOS and budgets used through the Slurm clients —
 * sbatch's refusals, sprio, sshare (and --explain), bottega budget and saldo, scontrol's reservations, sacct's
 * energy. Each client a real process.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SiteUpIT {
    Path dir;
    Process up;
    Map<String, String> env;

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory(Path.of("/tmp"), "bottega-site-it");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        int port = Bottega.freePort();
        env = Bottega.env(dir.resolve("bottega.sock"), port);
        Path log = dir.resolve("up.log");
        Path site = Path.of("..", "examples", "sites", "demo.yaml").toAbsolutePath().normalize();
        assertThat(site).exists();
        up = Bottega.start(env, log, "up", "--data-dir", dir.resolve("data").toString(), "--nodes", "2", "--cores", "4", "--gpus", "2",
                "--memory", "8000", "--port", Integer.toString(port), "--socket", env.get("BOTTEGA_SOCKET"), "--kill-grace", "2",
                "--site", site.toString());
        // the whole block "Bottega is up ..." is written, the line naming the policy with it (not in one write)
        Bottega.awaitLog(log, "Next, in another terminal", Duration.ofSeconds(90), up);
        assertThat(Files.readString(log)).contains("policy easy+multifactor");
        await(Duration.ofSeconds(60), () -> cli("sinfo", "-h", "-o", "%t %D"), r -> r.out().strip().equals("idle 2"), "2 idle nodes");
    }

    @AfterAll
    void stop() throws Exception {
        Bottega.stop(up, false);
    }

    Bottega.Result cli(String... args) throws Exception {
        return Bottega.run(env, dir, null, args);
    }

    @Test
    void accountsQosBudgetsAndReservations_throughTheClients() throws Exception {
        // refusals name what is wrong; nothing is queued
        Bottega.Result r = cli("sbatch", "-A", "nowhere", "--wrap", "true");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("Invalid account or account/partition combination specified (no account nowhere)");
        r = cli("sbatch", "-q", "debug", "-t", "60", "--wrap", "true");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("QOSMaxWallDurationPerJobLimit");
        r = Bottega.run(env, dir, "nobody", "sbatch", "--wrap", "true");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("user nobody belongs to no account");
        assertThat(cli("squeue", "-h").ok().out()).isBlank();

        // a job charging proj_b runs; its energy and usage are accounted
        String id = cli("sbatch", "--parsable", "-A", "proj_b", "-n", "2", "--gpus-per-node=2", "-t", "5",
                "--wrap", "sleep 3").ok().out().strip();
        await(Duration.ofSeconds(60), () -> cli("sacct", "-X", "-j", id, "-n", "-P", "--format=State,Account,QOS,ConsumedEnergy").ok().out().strip(),
                s -> s.startsWith("COMPLETED|proj_b|normal|") && !s.endsWith("|0"), "job " + id + " completed with its energy");
        String budget = await(Duration.ofSeconds(10), () -> cli("budget", "-a").ok().out(),
                s -> s.lines().anyMatch(l -> l.startsWith("proj_b") && !l.contains(" 0.00 ")), "proj_b's use in bottega budget");
        assertThat(budget).contains("proj_a").contains("lab");
        assertThat(cli("saldo", "-A", "proj_b").ok().out()).contains("proj_b").doesNotContain("proj_a");

        // sshare: the tree, the factor, and why in words
        String share = cli("sshare", "-a").ok().out();
        assertThat(share).contains("proj_a").contains("proj_b").contains("carol");
        String why = cli("sshare", "--explain", "-A", "proj_b").ok().out();
        assertThat(why).contains("Account proj_b holds 40% of the shares").contains("fair-share factor");

        // sprio: the factors of a pending job (the nodes are full)
        String big = cli("sbatch", "--parsable", "-A", "proj_a", "-N", "2", "-n", "8", "-t", "5", "--wrap", "sleep 30").ok().out().strip();
        String waiting = cli("sbatch", "--parsable", "-A", "proj_a", "-n", "1", "-t", "5", "--wrap", "true").ok().out().strip();
        String prio = await(Duration.ofSeconds(20), () -> cli("sprio", "-l", "-h").ok().out(), s -> s.contains(waiting), "job in sprio");
        assertThat(prio).contains("proj_a");
        assertThat(cli("sprio", "-w").ok().out()).contains("Weights").contains("10000");

        // a maintenance reservation: shown, then deleted
        r = cli("scontrol", "create", "reservation", "ReservationName=maint", "Nodes=node01", "StartTime=now+1hour", "Duration=1:00:00",
                "Flags=MAINT");
        assertThat(r.ok().out()).contains("Reservation created: maint");
        assertThat(cli("scontrol", "show", "reservation").ok().out()).contains("ReservationName=maint").contains("Flags=MAINT")
                .contains("NodeCnt=1");
        r = cli("scontrol", "create", "reservation", "ReservationName=bad", "Nodes=node99", "StartTime=now", "Duration=10", "Flags=MAINT");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("no node node99");
        cli("scontrol", "delete", "ReservationName=maint").ok();
        assertThat(cli("scontrol", "show", "reservation").ok().out()).contains("No reservations");
        cli("scancel", big, waiting).ok();
    }
}
