package io.bottega.cli.slurm;

import io.bottega.api.StepRequest;
import io.bottega.api.agent.StepIo;
import io.bottega.api.json.JsonReader;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.PrintStream;
import java.lang.reflect.RecordComponent;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** srun's command line, its request to the controller, and its side of a step's I/O. */
class SrunTest {
    private static Srun.Options options(String... argv) {
        Srun.Options o = new Srun.Options();
        o.argv = List.of(argv);
        return o;
    }

    @Test
    void request_members_areTheStepRequestComponentsInOrder() {
        TestIo t = new TestIo(null);
        Srun.Options o = options("python", "train.py");
        o.ntasks = 8;
        o.nodes = 2;
        o.gpusPerTask = 1;
        o.cpuBind = "verbose,cores";
        o.pty = false;
        Map<String, String> env = new TreeMap<>(Map.of("PATH", "/usr/bin", "WEIRD", "a\"b\\c\nd"));
        Map<String, Object> written = JsonReader.parseObject(Srun.request(t.io(), o, 4321, "key", env));
        List<String> components = new ArrayList<>();
        for (RecordComponent c : StepRequest.class.getRecordComponents()) components.add(c.getName());
        assertThat(new ArrayList<>(written.keySet())).isEqualTo(components);
        assertThat(written.get("argv")).isEqualTo(List.of("python", "train.py"));
        assertThat(written.get("environment")).isEqualTo(Map.of("PATH", "/usr/bin", "WEIRD", "a\"b\\c\nd"));
        assertThat(written.get("ioPort")).isEqualTo(4321L);
        assertThat(written.get("workDir")).isEqualTo("/home/alice/work");
        assertThat(written.get("stdinMode")).isEqualTo("all");
    }

    @Test
    void run_unsupportedOption_isAnErrorNamingIt() {
        TestIo t = new TestIo(null);
        assertThat(t.run("srun", "--multi-prog", "conf")).isEqualTo(1);
        assertThat(t.err()).contains("--multi-prog is not supported by Bottega yet");
        t = new TestIo(null);
        assertThat(t.run("srun", "--mpi=pmix", "a.out")).isEqualTo(1);
        assertThat(t.err()).contains("--mpi=pmix is not supported by Bottega yet");
        t = new TestIo(null);
        assertThat(t.run("srun", "-x", "n1", "hostname")).isEqualTo(1);
        assertThat(t.err()).contains("-x/--exclude is not supported by Bottega yet");
        t = new TestIo(null);
        assertThat(t.run("srun", "-N2")).isEqualTo(1);
        assertThat(t.err()).contains("srun: error: No command given to execute.");
        t = new TestIo(null);
        assertThat(t.run("srun", "--input=file.txt", "cat")).isEqualTo(1);
        assertThat(t.err()).contains("--input=file.txt is not supported");
    }

    @Test
    void run_help_listsTheOptions() {
        TestIo t = new TestIo(null);
        assertThat(t.run("srun", "--help")).isZero();
        assertThat(t.out()).contains("--ntasks-per-node").contains("--gpus-per-task").contains("--pty").contains("Not supported");
    }

    @Test
    void report_failedTasks_groupedPerNodeAsSlurmPrintsThem() {
        TestIo t = new TestIo(null);
        Map<Integer, StepSession.Exit> exits = new TreeMap<>();
        exits.put(0, new StepSession.Exit(0, 0, "n1"));
        exits.put(1, new StepSession.Exit(2, 0, "n1"));
        exits.put(2, new StepSession.Exit(2, 0, "n1"));
        exits.put(3, new StepSession.Exit(0, 9, "n2"));
        int rc = Srun.report(t.io(), "srun", exits, 5);
        assertThat(rc).isEqualTo(137);
        assertThat(t.err()).contains("srun: error: n1: tasks 1-2: Exited with exit code 2")
                .contains("srun: error: n2: task 3: Killed")
                .contains("srun: error: task 4: no exit status");
    }

    /** A node's agent, as the test plays it: connects to srun's session and sends frames. */
    private static void node(StepSession s, String key, int index, String name, String ranks, byte[]... frames) throws Exception {
        try (Socket c = new Socket(InetAddress.getLoopbackAddress(), s.port())) {
            DataOutputStream out = new DataOutputStream(c.getOutputStream());
            StepIo.write(out, StepIo.HELLO, -1, (key + "\n" + index + "\n" + name + "\n" + ranks).getBytes(StandardCharsets.UTF_8));
            for (byte[] f : frames) out.write(f);
            out.flush();
            c.getInputStream().read();   // until srun closes
        }
    }

    private static byte[] frame(byte type, int task, String text) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        StepIo.write(new DataOutputStream(b), type, task, text.getBytes(StandardCharsets.UTF_8));
        return b.toByteArray();
    }

    private static byte[] exit(int task, int code) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        StepIo.write(new DataOutputStream(b), StepIo.EXIT, task, StepIo.ints(code, 0));
        return b.toByteArray();
    }

    @Test
    void session_labels_prefixWholeLinesWithPaddedRanks_andCollectExits() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (StepSession s = new StepSession(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), true, false)) {
            s.expect(1, 11);
            node(s, s.key(), 0, "n1", "0,10", frame(StepIo.STDOUT, 0, "hel"), frame(StepIo.STDOUT, 10, "ten\n"),
                    frame(StepIo.STDOUT, 0, "lo\nwor"), frame(StepIo.STDERR, 10, "oops\n"), exit(10, 0), frame(StepIo.STDOUT, 0, "ld"),
                    exit(0, 3), frame(StepIo.DONE, -1, ""));
            assertThat(s.awaitDone(5000)).isTrue();
            assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("10: ten\n 0: hello\n 0: world\n");
            assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("10: oops\n");
            assertThat(s.exits()).containsOnlyKeys(0, 10);
            assertThat(s.exits().get(0).code()).isEqualTo(3);
        }
    }

    @Test
    void session_wrongKey_isIgnored() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (StepSession s = new StepSession(new PrintStream(out, true, StandardCharsets.UTF_8), System.err, false, false)) {
            s.expect(1, 1);
            node(s, "not-the-key", 0, "evil", "0", frame(StepIo.STDOUT, 0, "injected\n"), exit(0, 0));
            assertThat(s.awaitConnected(300)).isFalse();
            assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
        }
    }

    @Test
    void session_killOnBadExit_killsANodeThatConnectsAfterTheFailure() throws Exception {
        // a task that fails at once on one node can end before another node's tasks have connected: those must be
        // killed when they do, or they run on to their end (ParallelJobsIT saw `sleep 60` survive so under load)
        try (StepSession s = new StepSession(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false, false)) {
            s.expect(2, 2);
            s.killOnBadExit(true);
            try (Socket first = new Socket(InetAddress.getLoopbackAddress(), s.port())) {
                DataOutputStream out = new DataOutputStream(first.getOutputStream());
                StepIo.write(out, StepIo.HELLO, -1, (s.key() + "\n0\nn1\n0").getBytes(StandardCharsets.UTF_8));
                out.write(exit(0, 3));
                out.flush();
                DataInputStream in = new DataInputStream(first.getInputStream());
                StepIo.Frame kill = StepIo.read(in);   // the failing node is told to kill what is left of its tasks
                assertThat(kill.type()).isEqualTo(StepIo.SIGNAL);

                assertKilledOnConnect(s, 1, "n2", "1");
            }
        }
    }

    @Test
    void session_killedBeforeANodeConnects_killsItWhenItDoes() throws Exception {
        // ^C three times, or the allocation revoked, while a node's tasks are still starting
        try (StepSession s = new StepSession(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false, false)) {
            s.expect(1, 1);
            s.signal(9);
            assertKilledOnConnect(s, 0, "n1", "0");
        }
    }

    /** A node that connects to the session now is told at once to kill its tasks (a SIGNAL 9 frame). */
    private static void assertKilledOnConnect(StepSession s, int index, String name, String ranks) throws Exception {
        try (Socket late = new Socket(InetAddress.getLoopbackAddress(), s.port())) {
            DataOutputStream out = new DataOutputStream(late.getOutputStream());
            StepIo.write(out, StepIo.HELLO, -1, (s.key() + "\n" + index + "\n" + name + "\n" + ranks).getBytes(StandardCharsets.UTF_8));
            out.flush();
            late.setSoTimeout(5_000);
            StepIo.Frame f = StepIo.read(new DataInputStream(late.getInputStream()));
            assertThat(f).as("a frame for node %s", name).isNotNull();
            assertThat(f.type()).isEqualTo(StepIo.SIGNAL);
            assertThat(f.intAt(0)).isEqualTo(9);
        }
    }
}
