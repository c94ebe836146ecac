package io.bottega.server.steps;

import io.bottega.api.StepView;
import io.bottega.api.agent.AgentSync;
import io.bottega.api.agent.JobOutcome;
import io.bottega.api.agent.StepOutcome;
import io.bottega.server.Controller;
import io.bottega.server.agents.AgentHub;
import io.bottega.server.jobs.ServerJob;
import io.bottega.server.store.JdbcStore;
import io.bottega.server.store.JobRow;
import io.bottega.server.store.StepRow;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** How a job's end ends its steps, when some of their nodes have not reported yet; when nodes may forget their outcomes. */
class StepEndingTest {
    private static final long JOB = 7;
    private static final long KILL_GRACE = 2;

    @TempDir
    Path dir;
    private JdbcStore store;
    private ScheduledExecutorService timer;
    private StepCoordinator steps;
    private AgentHub hub;

    @BeforeEach
    void setUp() {
        store = JdbcStore.open("jdbc:sqlite:" + dir.resolve("steps.db"));
        timer = Executors.newSingleThreadScheduledExecutor();
        hub = new AgentHub(timer, 200, 60_000);   // a sync with nothing to say is answered after 0.2 s
        steps = new StepCoordinator(store, hub, Controller.mapper(), KILL_GRACE, Runnable::run);
        store.insertJobs(List.of(jobRow()), List.of()).join();
    }

    @AfterEach
    void tearDown() {
        timer.shutdownNow();
        store.close();
    }

    private static JobRow jobRow() {
        return new JobRow(JOB, 0, -1, "train", "alice", 1000, 1000, "proj1", "batch", "normal", "RUNNING", "", 0, 0,
                100, 100, 100, 0, 3600, 1, "", "", "{}", "{}", "n[1-2]", 0, "/tmp", "", "", "");
    }

    /** A step with one task on each of the job's two nodes, n1 and n2. */
    private StepView twoNodeStep() throws Exception {
        var ctx = new StepCoordinator.Context(new ServerJob(jobRow(), null, null, List.of(), false, null),
                StepPlacerTest.shape(2, 4, 0, 1, 1), Map.of(), "127.0.0.1", n -> n, 100);
        return steps.create(ctx, StepPlacerTest.req(2, 2, 0, 1, 0, false, false, "")).get(10, TimeUnit.SECONDS);
    }

    private static StepOutcome outcome(int stepId, String state) {
        return new StepOutcome(JOB, stepId, state, 0, 0, List.of(), 100_000, 101_000, "");
    }

    private StepRow stored(int stepId) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            for (StepRow r : store.steps(List.of(JOB))) {
                if (r.stepId() == stepId && !r.state().equals("RUNNING")) return r;
            }
            Thread.sleep(25);
        }
        return store.steps(List.of(JOB)).stream().filter(r -> r.stepId() == stepId).findFirst().orElseThrow();
    }

    @Test
    void aStepWhoseLastNodeReportsJustAfterTheJobsEnd_keepsItsOwnState() throws Exception {
        StepView s = twoNodeStep();
        String key = JOB + "." + s.stepId();
        steps.report("n1", List.of(), List.of(outcome(s.stepId(), JobOutcome.COMPLETED)), 101);
        steps.report("n2", List.of(key), List.of(), 101);
        steps.jobEnded(JOB, "COMPLETED", "", 101);
        steps.report("n2", List.of(), List.of(outcome(s.stepId(), JobOutcome.COMPLETED)), 101);

        assertThat(stored(s.stepId()).state()).isEqualTo("COMPLETED");
    }

    @Test
    void aNodeThatNeverReports_endsTheStepCancelledAfterTheKillGraceAndTenSeconds() throws Exception {
        StepView s = twoNodeStep();
        steps.report("n1", List.of(), List.of(outcome(s.stepId(), JobOutcome.COMPLETED)), 101);
        steps.jobEnded(JOB, "COMPLETED", "", 101);

        steps.expireEnded(101 + KILL_GRACE + 9);
        assertThat(store.steps(List.of(JOB))).filteredOn(r -> r.stepId() == s.stepId()).extracting(StepRow::state)
                .containsExactly("RUNNING");
        steps.expireEnded(101 + KILL_GRACE + 10);
        StepRow r = stored(s.stepId());
        assertThat(r.state()).isEqualTo("CANCELLED");
        assertThat(r.reason()).contains("the job ended (COMPLETED)");
    }

    @Test
    void aCancelledJob_endsItsRunningStepsAtOnce() throws Exception {
        StepView s = twoNodeStep();
        steps.jobEnded(JOB, "CANCELLED", "", 101);

        assertThat(stored(s.stepId()).state()).isEqualTo("CANCELLED");
    }

    /** The step acknowledgements the hub has for a node that syncs reporting {@code results}. */
    private List<String> acksFor(String node, List<StepOutcome> results) throws Exception {
        AgentSync sync = new AgentSync(node, "boot", 1, List.of(), List.of(), List.of(), results);
        return hub.poll(node, sync).get(10, TimeUnit.SECONDS).stepAcks();
    }

    @Test
    void aNodesOutcome_isAcknowledgedOnlyOnceTheStepsEndIsStored() throws Exception {
        // acknowledged before, the node forgets it; a controller restarted before the step's end would find the
        // step RUNNING, the node neither running nor reporting it, and end it NODE_FAIL although its tasks ended well
        StepView s = twoNodeStep();
        String key = JOB + "." + s.stepId();
        StepOutcome n1 = outcome(s.stepId(), JobOutcome.COMPLETED);
        steps.report("n1", List.of(), List.of(n1), 101);
        steps.report("n1", List.of(), List.of(n1), 102);   // reported again: still not stored
        assertThat(acksFor("n1", List.of(n1))).doesNotContain(key);

        steps.report("n2", List.of(), List.of(outcome(s.stepId(), JobOutcome.COMPLETED)), 103);
        assertThat(stored(s.stepId()).state()).isEqualTo("COMPLETED");
        List<String> acked = new java.util.ArrayList<>();
        for (int i = 0; i < 50 && !acked.contains(key); i++) acked.addAll(acksFor("n1", List.of(n1)));
        assertThat(acked).contains(key);
    }
}
