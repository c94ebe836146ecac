package io.bottega.server.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.bottega.core.policy.Billing;
import io.bottega.core.policy.Policies;
import io.bottega.core.policy.Qos;
import io.bottega.core.policy.Site;
import io.bottega.server.store.JdbcStore;
import io.bottega.server.store.UsageRow;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Accounts, budgets, QOS limits, reservations and preemption through the real controller and agents: every
 * Slurm-named pending reason a job can show, a budget that stops jobs from starting (without killing the running
 * one), a debug QOS that preempts and requeues a job that later completes, and a maintenance window a long job
 * does not cross. One node of 4 cores and 4 GPUs, so that the tests control what fits.
 */
class AccountingWithAgentsTest {
    @TempDir
    static Path dir;
    static LocalCluster cluster;

    /** Billed units (core-seconds) in this month already charged to {@code spent} before the controller starts. */
    static final double SPENT_BEFORE = 40;
    /** Billed units already charged to {@code proj}: 20 of its 36. */
    static final double PROJ_BEFORE = 20;

    static Site site() {
        Qos normal = Qos.builder("normal").preemptMode(Qos.PreemptMode.REQUEUE).graceSeconds(2).build();
        Qos debug = Qos.builder("debug").priority(100).maxWallSeconds(600).preempts(Set.of("normal")).build();
        Qos gpu = Qos.builder("gpu").maxGpusPerUser(2).build();
        Qos high = Qos.builder("high").priority(50).maxSubmitPerUser(3).build();
        Policies p = Policies.builder().qos(normal).qos(debug).qos(gpu).qos(high).defaultQos("normal").defaultBilling(Billing.CORES).build();
        double budget = 36 / 3600.0;
        return new Site(p, List.of(
                new Site.Account("proj", "root", 1, budget, Map.of("root", 1.0)),
                new Site.Account("spent", "root", 1, budget, Map.of("root", 1.0)),
                new Site.Account("free", "root", 1, 0, Map.of("root", 1.0))), 7 * 86400, Site.Period.MONTH);
    }

    @BeforeAll
    static void start() throws Exception {
        // usage from earlier this month, as a controller that ran before would have stored it
        Files.createDirectories(dir.resolve("ctl"));
        long now = System.currentTimeMillis() / 1000;
        ZonedDateTime t = ZonedDateTime.now(ZoneOffset.UTC);
        String period = String.format("%04d-%02d", t.getYear(), t.getMonthValue());
        try (JdbcStore store = JdbcStore.open("jdbc:sqlite:" + dir.resolve("ctl").resolve("bottega.db").toAbsolutePath())) {
            store.insertUsage(List.of(
                    new UsageRow(1, now - 5, "spent", "root", "normal", "batch", period, SPENT_BEFORE, SPENT_BEFORE, 0, 1000),
                    new UsageRow(2, now - 5, "proj", "root", "normal", "batch", period, PROJ_BEFORE, PROJ_BEFORE, 0, 1000))).join();
        }
        cluster = new LocalCluster(dir, 1, 4, 4, 8000, Duration.ofSeconds(30), false, site(), "easy+multifactor");
        cluster.awaitNodesUp(Duration.ofSeconds(20));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.close();
    }

    @AfterEach
    void cancelLeftovers() throws Exception {
        cluster.call("POST", "/api/v1/jobs/cancel", Map.of("users", List.of("root")));
        for (JsonNode r : cluster.call("GET", "/api/v1/reservations", null)) {
            cluster.call("DELETE", "/api/v1/reservations/" + r.path("name").asText(), null);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline && cluster.call("GET", "/api/v1/jobs", null).size() > 0) Thread.sleep(100);
        assertThat(cluster.call("GET", "/api/v1/jobs", null)).as("jobs left after the test").isEmpty();
    }

    static Map<String, Object> job(String script, Object... more) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("script", script);
        m.put("submitDir", dir.toString());
        m.put("environment", Map.of("PATH", "/usr/bin:/bin"));
        m.put("account", "free");
        m.put("timeLimit", 120);
        for (int i = 0; i < more.length; i += 2) m.put((String) more[i], more[i + 1]);
        return m;
    }

    static long submit(Map<String, Object> body) throws Exception {
        return cluster.call("POST", "/api/v1/jobs", body).path("job_id").asLong();
    }

    static JsonNode awaitReason(long id, String reason) throws Exception {
        return cluster.awaitJob(id, j -> j.path("state").asText().equals("PENDING") && j.path("reason").asText().equals(reason),
                Duration.ofSeconds(20));
    }

    static final String SLEEP = "#!/bin/bash\nsleep 60\n";

    @Test
    void pendingReasons_eachNamedAsSlurmNamesIt() throws Exception {
        // Resources and Priority: the node is full; the first waiting job waits for resources, the next behind it
        long big = submit(job(SLEEP, "ntasks", 4));
        cluster.awaitState(big, "RUNNING", Duration.ofSeconds(20));
        long resources = submit(job(SLEEP, "ntasks", 4));
        long priority = submit(job(SLEEP, "ntasks", 4));
        awaitReason(resources, "Resources");
        awaitReason(priority, "Priority");
        // Dependency and BeginTime
        long dependent = submit(job(SLEEP, "dependency", "afterok:" + big));
        awaitReason(dependent, "Dependency");
        long later = submit(job(SLEEP, "beginTime", System.currentTimeMillis() / 1000 + 3600));
        awaitReason(later, "BeginTime");
        // Reservation (its window has not begun) and ReqNodeNotAvail (a reservation the job may not use)
        long now = System.currentTimeMillis() / 1000;
        cluster.call("POST", "/api/v1/reservations", Map.of("name", "mine", "nodes", "n1", "start", now + 3600, "end", now + 7200,
                "users", List.of("root")));
        cluster.call("POST", "/api/v1/reservations", Map.of("name", "theirs", "nodes", "n1", "start", now, "end", now + 7200,
                "users", List.of("bob")));
        long reserved = submit(job(SLEEP, "reservation", "mine"));
        awaitReason(reserved, "Reservation");
        long denied = submit(job(SLEEP, "reservation", "theirs"));
        awaitReason(denied, "ReqNodeNotAvail");
        // AssocGrpBillingMinutes: 36 core-seconds a month, 40 used already
        long broke = submit(job(SLEEP, "account", "spent", "timeLimit", 5));
        awaitReason(broke, "AssocGrpBillingMinutes");
        // QOSMaxGRESPerUser: two GPUs a user in QOS gpu
        cluster.call("DELETE", "/api/v1/reservations/theirs", null);
        cluster.call("DELETE", "/api/v1/reservations/mine", null);
        cluster.call("DELETE", "/api/v1/jobs/" + big, null);
        cluster.call("POST", "/api/v1/jobs/cancel", Map.of("ids", List.of(String.valueOf(resources), String.valueOf(priority),
                String.valueOf(dependent), String.valueOf(reserved), String.valueOf(denied), String.valueOf(later))));
        long g1 = submit(job(SLEEP, "qos", "gpu", "gpusPerNode", 2));
        cluster.awaitState(g1, "RUNNING", Duration.ofSeconds(20));
        long g2 = submit(job(SLEEP, "qos", "gpu", "gpusPerNode", 1));
        awaitReason(g2, "QOSMaxGRESPerUser");
        assertThat(cluster.call("GET", "/api/v1/jobs/" + g1, null).path("qos").asText()).isEqualTo("gpu");
    }

    @Test
    void budget_exhaustedStopsStartsButNotTheRunningJob_andTheUserSeesWhy() throws Exception {
        // proj: 36 core-seconds this month, 20 used; a 1-core job of 15 s may start (it commits 15), a second may not
        long running = submit(job("#!/bin/bash\nsleep 4\necho done\n", "account", "proj", "timeLimit", 15,
                "stdoutPath", dir.resolve("budget-%j.out").toString()));
        cluster.awaitState(running, "RUNNING", Duration.ofSeconds(20));
        long waiting = submit(job(SLEEP, "account", "proj", "timeLimit", 15));
        awaitReason(waiting, "AssocGrpBillingMinutes");
        // the running job is not killed: it completes
        JsonNode done = cluster.awaitState(running, "COMPLETED", Duration.ofSeconds(30));
        assertThat(done.path("exitCode").asInt()).isZero();
        assertThat(Files.readString(dir.resolve("budget-" + running + ".out"))).contains("done");
        // what it used is charged: 20 + about 4 of 36; the waiting job (15) still does not fit in what is left
        JsonNode proj = account("proj");
        assertThat(proj.path("usedHours").asDouble() * 3600).isBetween(PROJ_BEFORE + 3, PROJ_BEFORE + 8);
        Thread.sleep(1500);
        JsonNode w = cluster.call("GET", "/api/v1/jobs/" + waiting, null);
        assertThat(w.path("reason").asText()).as("%s; accounts: %s", w, cluster.call("GET", "/api/v1/accounts", null))
                .isEqualTo("AssocGrpBillingMinutes");
        // an account past its budget: the submission is accepted, with a warning that says why it will wait
        JsonNode answer = cluster.call("POST", "/api/v1/jobs", job(SLEEP, "account", "spent", "timeLimit", 5));
        assertThat(answer.path("warning").asText()).contains("account spent has used").contains("AssocGrpBillingMinutes");
        awaitReason(answer.path("job_id").asLong(), "AssocGrpBillingMinutes");
        JsonNode spent = account("spent");
        assertThat(spent.path("percent").asDouble()).isGreaterThanOrEqualTo(100);
        // sacct's energy: the node's power model over the run
        JsonNode acct = cluster.call("GET", "/api/v1/accounting/jobs?ids=" + running, null);
        assertThat(acct.get(0).path("energyJoules").asLong()).isPositive();
    }

    static JsonNode account(String name) throws Exception {
        for (JsonNode a : cluster.call("GET", "/api/v1/accounts", null)) if (a.path("account").asText().equals(name)) return a;
        throw new AssertionError("no account " + name);
    }

    @Test
    void submit_refusesWhatCanNeverRun_namingTheLimit() {
        assertThatThrownBy(() -> submit(job(SLEEP, "qos", "nope"))).hasMessageContaining("Invalid qos specification (nope");
        assertThatThrownBy(() -> submit(job(SLEEP, "qos", "debug", "timeLimit", 3600)))
                .hasMessageContaining("QOSMaxWallDurationPerJobLimit");
        assertThatThrownBy(() -> submit(job(SLEEP, "account", "elsewhere")))
                .hasMessageContaining("Invalid account or account/partition combination specified (no account elsewhere)");
    }

    @Test
    void submit_qosSubmitLimitCountsPendingAndRunningJobs() throws Exception {
        submit(job(SLEEP, "qos", "high", "ntasks", 4));
        submit(job(SLEEP, "qos", "high", "ntasks", 4));
        submit(job(SLEEP, "qos", "high", "ntasks", 4));
        assertThatThrownBy(() -> submit(job(SLEEP, "qos", "high"))).hasMessageContaining("QOSMaxSubmitJobPerUserLimit")
                .hasMessageContaining("has 3 jobs in QOS high");
        submit(job(SLEEP, "qos", "normal"));
    }

    @Test
    void submit_qosSubmitLimitFreesASlotWhenAJobEndsOrMovesToAnotherQos() throws Exception {
        long first = submit(job(SLEEP, "qos", "high", "ntasks", 4));
        submit(job(SLEEP, "qos", "high", "ntasks", 4));
        submit(job(SLEEP, "qos", "high", "ntasks", 4));
        assertThatThrownBy(() -> submit(job(SLEEP, "qos", "high"))).hasMessageContaining("has 3 jobs in QOS high");

        cluster.call("DELETE", "/api/v1/jobs/" + first, null);
        cluster.awaitState(first, "CANCELLED", Duration.ofSeconds(20));
        long fourth = submit(job(SLEEP, "qos", "high", "ntasks", 4)); // pending: the node's 4 cores are taken
        assertThatThrownBy(() -> submit(job(SLEEP, "qos", "high"))).hasMessageContaining("has 3 jobs in QOS high");

        cluster.call("PATCH", "/api/v1/jobs/" + fourth, Map.of("qos", "normal"));
        submit(job(SLEEP, "qos", "high"));
        assertThatThrownBy(() -> submit(job(SLEEP, "qos", "high"))).hasMessageContaining("has 3 jobs in QOS high");
    }

    @Test
    void preemption_debugQosPreemptsAndTheRequeuedJobLaterCompletes() throws Exception {
        Path runs = dir.resolve("runs.txt");
        String victimScript = "#!/bin/bash\ntrap 'echo term >> " + runs + "; exit 143' TERM\necho run >> " + runs + "\nsleep 6 & wait\n"
                + "echo finished >> " + runs + "\n";
        long victim = submit(job(victimScript, "ntasks", 4));
        cluster.awaitState(victim, "RUNNING", Duration.ofSeconds(20));
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!(Files.exists(runs) && Files.readString(runs).contains("run")) && System.nanoTime() < deadline) Thread.sleep(50);
        long urgent = submit(job("#!/bin/bash\nsleep 1\n", "ntasks", 4, "qos", "debug", "timeLimit", 60));
        // the victim gets SIGTERM, goes back to the queue; the debug job runs and completes
        JsonNode u = cluster.awaitState(urgent, "COMPLETED", Duration.ofSeconds(30));
        JsonNode v = cluster.awaitState(victim, "COMPLETED", Duration.ofSeconds(40));
        assertThat(v.path("startTime").asLong()).isGreaterThanOrEqualTo(u.path("endTime").asLong());
        assertThat(Files.readAllLines(runs)).containsExactly("run", "term", "run", "finished");
        // the job's state is the controller's at once; its events and usage reach the store with the writer's next
        // commit, so they are read until the last of them is there (or the deadline)
        List<String> states = new ArrayList<>();
        long billed = 0;
        long stored = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        do {
            if (!states.isEmpty()) Thread.sleep(50);
            states.clear();
            for (JsonNode e : cluster.call("GET", "/api/v1/jobs/" + victim + "/events", null)) states.add(e.path("state").asText());
            billed = cluster.controller.store().usageSince(0).stream().filter(r -> r.jobId() == victim).count();
        } while ((!states.contains("COMPLETED") || billed < 2) && System.nanoTime() < stored);
        assertThat(states).containsSubsequence("RUNNING", "PREEMPTED", "PENDING", "RUNNING", "COMPLETED");
        // both runs of the victim are billed
        assertThat(billed).isEqualTo(2);
    }

    @Test
    void maintenanceReservation_aLongJobDoesNotCrossIt_aShortOneRunsBefore() throws Exception {
        long now = System.currentTimeMillis() / 1000;
        JsonNode r = cluster.call("POST", "/api/v1/reservations", Map.of("name", "maint", "nodes", "ALL", "start", now + 60,
                "end", now + 3600, "maintenance", true));
        assertThat(r.path("nodeCount").asInt()).isEqualTo(1);
        long longJob = submit(job(SLEEP, "timeLimit", 600));
        long shortJob = submit(job("#!/bin/bash\nsleep 1\n", "timeLimit", 30));
        cluster.awaitState(shortJob, "COMPLETED", Duration.ofSeconds(20));
        JsonNode l = cluster.call("GET", "/api/v1/jobs/" + longJob, null);
        assertThat(l.path("state").asText()).isEqualTo("PENDING");
        assertThat(l.path("predictedStart").asLong()).isGreaterThanOrEqualTo(now + 3600);
        // the window is called off: the long job starts
        cluster.call("DELETE", "/api/v1/reservations/maint", null);
        cluster.awaitState(longJob, "RUNNING", Duration.ofSeconds(20));
        // and an operator-only action stays so
        String alice = cluster.token("alice", 1000, 1000);
        assertThatThrownBy(() -> cluster.call("POST", "/api/v1/reservations", Map.of("name", "x", "nodes", "n1", "start", now,
                "end", now + 60, "maintenance", true), alice)).hasMessageContaining("only an operator");
    }

    @Test
    void views_priorityFactorsFairShareAndExplanation() throws Exception {
        long big = submit(job(SLEEP, "ntasks", 4));
        cluster.awaitState(big, "RUNNING", Duration.ofSeconds(20));
        long a = submit(job(SLEEP, "ntasks", 4, "account", "proj"));
        long b = submit(job(SLEEP, "ntasks", 4, "account", "free", "qos", "high"));
        JsonNode prio = cluster.awaitJob(a, j -> j.path("priority").asLong() > 0, Duration.ofSeconds(10));
        assertThat(prio.path("priority").asLong()).isPositive();
        JsonNode rows = cluster.call("GET", "/api/v1/priority", null);
        assertThat(rows).hasSizeGreaterThanOrEqualTo(2);
        // the high QOS's priority puts its job first
        assertThat(rows.get(0).path("jobId").asLong()).isEqualTo(b);
        assertThat(rows.get(0).path("qosWeighted").asLong()).isPositive();
        JsonNode fs = cluster.call("GET", "/api/v1/fairshare", null);
        assertThat(fs.findValuesAsText("account")).contains("proj", "spent", "free");
        String text = cluster.call("GET", "/api/v1/fairshare/explain?user=root&account=proj", null).path("text").asText();
        assertThat(text).contains("proj");
    }
}
