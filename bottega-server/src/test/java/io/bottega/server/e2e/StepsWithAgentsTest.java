package io.bottega.server.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.bottega.api.agent.StepIo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Job steps through the REST API on a controller and two real agents in this JVM, the test playing {@code srun}:
 * it listens, asks for a step, and the nodes connect back with the tasks' output and exit statuses. Also the
 * per-job ledger (a step waits while another holds the CPUs), step cancellation, sacct's rows, and interactive
 * allocations (no batch script: alive, environment, complete).
 */
class StepsWithAgentsTest {
    @TempDir
    static Path dir;
    static LocalCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = new LocalCluster(dir, 2, 4, 2, 8000, Duration.ofSeconds(30), false);
        cluster.awaitNodesUp(Duration.ofSeconds(20));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.close();
    }

    long runningJob(Object... more) throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("script", "#!/bin/sh\nsleep 120\n");
        m.put("submitDir", dir.toString());
        m.put("environment", Map.of("PATH", "/usr/bin:/bin"));
        for (int i = 0; i < more.length; i += 2) m.put((String) more[i], more[i + 1]);
        long id = cluster.call("POST", "/api/v1/jobs", m).path("job_id").asLong();
        cluster.awaitState(id, "RUNNING", Duration.ofSeconds(20));
        return id;
    }

    static Map<String, Object> step(ServerSocket srun, List<String> argv, Object... more) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("argv", argv);
        m.put("workDir", dir.toString());
        m.put("environment", Map.of("PATH", "/usr/bin:/bin"));
        m.put("ioHost", "127.0.0.1");
        m.put("ioPort", srun.getLocalPort());
        m.put("ioKey", "secret");
        for (int i = 0; i < more.length; i += 2) m.put((String) more[i], more[i + 1]);
        return m;
    }

    /** Reads what every node of a step sent: rank → output, rank → exit status. */
    static Map<Integer, String> collect(ServerSocket srun, int nodes, Map<Integer, Integer> exits) throws IOException {
        Map<Integer, StringBuilder> out = new TreeMap<>();
        srun.setSoTimeout(20_000);
        List<Socket> conns = new ArrayList<>();
        for (int i = 0; i < nodes; i++) conns.add(srun.accept());
        for (Socket s : conns) {
            try (s; DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()))) {
                StepIo.Frame f = StepIo.read(in);
                assertThat(f.type()).isEqualTo(StepIo.HELLO);
                assertThat(f.text()).startsWith("secret\n");
                while ((f = StepIo.read(in)) != null) {
                    if (f.type() == StepIo.STDOUT) out.computeIfAbsent(f.task(), k -> new StringBuilder()).append(f.text());
                    if (f.type() == StepIo.EXIT) exits.put(f.task(), f.intAt(0));
                }
            }
        }
        Map<Integer, String> text = new TreeMap<>();
        out.forEach((k, v) -> text.put(k, v.toString().strip()));
        return text;
    }

    JsonNode steps(long id) throws Exception {
        return cluster.call("GET", "/api/v1/jobs/" + id + "/steps", null);
    }

    JsonNode awaitStep(long job, int step, String state) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            for (JsonNode s : steps(job)) if (s.path("stepId").asInt() == step) last = s;
            if (last != null && last.path("state").asText().equals(state)) return last;
            Thread.sleep(100);
        }
        throw new AssertionError("step " + job + "." + step + " not " + state + ": " + last);
    }

    @Test
    void step_twoNodes_tasksGetRanksAndTheirOutputComesToSrun() throws Exception {
        long id = runningJob("nodesMin", 2, "ntasksPerNode", 2);
        try (ServerSocket srun = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            JsonNode v = cluster.call("POST", "/api/v1/jobs/" + id + "/steps", step(srun, List.of("/bin/sh", "-c",
                    "echo $SLURM_PROCID $SLURM_LOCALID $SLURM_NODEID $SLURM_NTASKS $SLURM_STEP_ID $SLURMD_NODENAME $MASTER_PORT; "
                            + "exit $SLURM_PROCID")));
            assertThat(v.path("stepId").asInt()).isZero();
            assertThat(v.path("ntasks").asInt()).isEqualTo(4);
            assertThat(v.path("tasksPerNode").asText()).isEqualTo("2(x2)");
            Map<Integer, Integer> exits = new TreeMap<>();
            Map<Integer, String> out = collect(srun, 2, exits);
            int port = 15000 + (int) (id % 10000);
            assertThat(out).containsOnlyKeys(0, 1, 2, 3);
            for (int r = 0; r < 4; r++) {
                assertThat(out.get(r)).matches(r + " " + (r % 2) + " " + (r / 2) + " 4 0 n[12] " + port);
                assertThat(exits.get(r)).isEqualTo(r);
            }
            JsonNode s = awaitStep(id, 0, "FAILED");
            assertThat(s.path("exitCode").asInt()).isEqualTo(3);
            assertThat(steps(id).get(0).path("stepId").asInt()).as("the batch step first").isEqualTo(-2);
        } finally {
            cluster.call("DELETE", "/api/v1/jobs/" + id, null);
        }
    }

    @Test
    void step_whileAnotherHoldsTheCpus_waitsUntilItIsCancelled() throws Exception {
        long id = runningJob("nodesMin", 1, "ntasks", 2);
        try (ServerSocket a = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             ServerSocket b = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            cluster.call("POST", "/api/v1/jobs/" + id + "/steps", step(a, List.of("/bin/sleep", "60"), "ntasks", 1));
            a.setSoTimeout(20_000);
            try (Socket conn = a.accept()) {
                assertThatThrownBy(() -> cluster.call("POST", "/api/v1/jobs/" + id + "/steps",
                        step(b, List.of("/bin/true"), "ntasks", 1, "exact", true)))
                        .isInstanceOfSatisfying(LocalCluster.ApiError.class, e -> {
                            assertThat(e.status).isEqualTo(409);
                            assertThat(e.getMessage()).contains("Requested nodes are busy");
                        });
                // --overlap does not wait
                try (ServerSocket c = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
                    cluster.call("POST", "/api/v1/jobs/" + id + "/steps", step(c, List.of("/bin/true"), "ntasks", 1, "overlap", true));
                    collect(c, 1, new TreeMap<>());
                }
                cluster.call("DELETE", "/api/v1/jobs/" + id + "/steps/0", null);
                awaitStep(id, 0, "CANCELLED");
                JsonNode v = cluster.call("POST", "/api/v1/jobs/" + id + "/steps", step(b, List.of("/bin/true"), "ntasks", 1, "exact", true));
                assertThat(v.path("stepId").asInt()).isEqualTo(2);
                collect(b, 1, new TreeMap<>());
                awaitStep(id, 2, "COMPLETED");
            }
        } finally {
            cluster.call("DELETE", "/api/v1/jobs/" + id, null);
        }
    }

    @Test
    void step_ofAnotherUsersJob_isRefused_andMoreThanTheJobHoldsNeverFits() throws Exception {
        long id = runningJob("nodesMin", 1, "ntasks", 1);
        try (ServerSocket srun = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            String alice = cluster.token("alice", 60001, 60001);
            assertThatThrownBy(() -> cluster.call("POST", "/api/v1/jobs/" + id + "/steps", step(srun, List.of("/bin/true")), alice))
                    .isInstanceOfSatisfying(LocalCluster.ApiError.class, e -> assertThat(e.status).isEqualTo(403));
            assertThatThrownBy(() -> cluster.call("POST", "/api/v1/jobs/" + id + "/steps", step(srun, List.of("/bin/true"), "ntasks", 9)))
                    .isInstanceOfSatisfying(LocalCluster.ApiError.class, e -> {
                        assertThat(e.status).isEqualTo(400);
                        assertThat(e.getMessage()).contains("More processors requested than permitted");
                    });
        } finally {
            cluster.call("DELETE", "/api/v1/jobs/" + id, null);
        }
    }

    @Test
    void interactiveAllocation_runsNothing_givesItsEnvironment_andEndsWithItsCommand() throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("interactive", true);
        m.put("submitDir", dir.toString());
        m.put("nodesMin", 1);
        JsonNode sub = cluster.call("POST", "/api/v1/jobs", m);
        long id = sub.path("job_id").asLong();
        assertThat(sub.path("keepalive_seconds").asLong()).isEqualTo(10);
        cluster.awaitState(id, "RUNNING", Duration.ofSeconds(20));
        assertThat(cluster.call("POST", "/api/v1/jobs/" + id + "/alive", null).path("state").asText()).isEqualTo("RUNNING");
        JsonNode env = cluster.call("GET", "/api/v1/jobs/" + id + "/environment", null);
        assertThat(env.path("SLURM_JOB_ID").asText()).isEqualTo(Long.toString(id));
        assertThat(env.path("BOTTEGA_JOB_TOKEN").asText()).startsWith("bt1.");
        assertThat(env.path("MASTER_ADDR").asText()).isEqualTo("127.0.0.1");
        Thread.sleep(1500);   // long past a launch's confirmation: nothing was launched, nothing is judged lost
        assertThat(cluster.call("GET", "/api/v1/jobs/" + id, null).path("state").asText()).isEqualTo("RUNNING");
        JsonNode done = cluster.call("POST", "/api/v1/jobs/" + id + "/complete", Map.of("exitCode", 2));
        assertThat(done.path("state").asText()).isEqualTo("FAILED");
        assertThat(done.path("exitCode").asInt()).isEqualTo(2);
        assertThat(steps(id)).as("no batch step").isEmpty();
    }
}
