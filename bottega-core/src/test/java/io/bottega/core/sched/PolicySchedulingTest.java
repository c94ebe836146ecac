package io.bottega.core.sched;

import io.bottega.core.model.PendingReason;
import io.bottega.core.policy.AdvanceReservation;
import io.bottega.core.policy.Billing;
import io.bottega.core.policy.Policies;
import io.bottega.core.policy.Qos;
import io.bottega.core.model.NodeSet;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.bottega.core.sched.Mock.gpuJob;
import static org.assertj.core.api.Assertions.assertThat;

/** QOS limits, budgets, advance reservations and preemption, pass by pass. */
class PolicySchedulingTest {
    static Policies policies(Qos... qos) {
        Policies.Builder b = Policies.builder().defaultQos("normal").defaultBilling(new Billing(1, 8, 0));
        for (Qos q : qos) b.qos(q);
        return b.build();
    }

    Mock.Harness harness(int nodes, Policies p) {
        var c = Mock.gpuCluster(nodes);
        return new Mock.Harness(c, new Scheduler(c, SchedulerConfig.parse("easy"), p));
    }

    @Test
    void schedule_gpusPerUserLimitHoldsTheUsersNextJobOnly() {
        var h = harness(2, policies(Qos.builder("normal").maxGpusPerUser(4).build()));
        h.submit(gpuJob(1, 0, 600, 4, "alice", "p1", "")).submit(gpuJob(2, 0, 600, 2, "alice", "p1", ""))
                .submit(gpuJob(3, 0, 600, 2, "bob", "p2", ""));
        Plan p = h.pass(10);
        assertThat(h.running(1)).isTrue();
        assertThat(h.running(2)).isFalse();
        assertThat(h.running(3)).isTrue();
        assertThat(h.waitOf(p, 2).reason()).isEqualTo(PendingReason.QOS_MAX_GRES_PER_USER);
        h.ledger.release(1);
        h.pass(20);
        assertThat(h.running(2)).isTrue();
    }

    @Test
    void schedule_jobsPerUserLimitCountsJobsStartedInTheSamePass() {
        var h = harness(4, policies(Qos.builder("normal").maxJobsPerUser(1).build()));
        h.submit(gpuJob(1, 0, 600, 1, "alice", "p1", "")).submit(gpuJob(2, 0, 600, 1, "alice", "p1", ""));
        Plan p = h.pass(10);
        assertThat(p.starts()).extracting(Decision.Start::jobId).containsExactly(1L);
        assertThat(h.waitOf(p, 2).reason()).isEqualTo(PendingReason.QOS_MAX_JOBS_PER_USER);
    }

    @Test
    void schedule_exhaustedBudgetStopsNewStartsOfThatAccount() {
        var h = harness(2, policies(Qos.unlimited("normal")));
        // 1 GPU bills 8 units a second (2 cores bill 2): 600 s cost 4,800; p1 has 1,000 left, p2 plenty
        h.ledger.setBudgetLeft(Map.of("p1", 1000.0, "p2", 1e9));
        h.submit(gpuJob(1, 0, 600, 1, "alice", "p1", "")).submit(gpuJob(2, 0, 600, 1, "bob", "p2", ""));
        Plan p = h.pass(10);
        assertThat(h.running(1)).isFalse();
        assertThat(h.running(2)).isTrue();
        assertThat(h.waitOf(p, 1).reason()).isEqualTo(PendingReason.ASSOC_GRP_BILLING_MINUTES);
    }

    @Test
    void schedule_longJobDoesNotCrossAMaintenanceWindow() {
        var h = harness(1, Policies.NONE);
        h.ledger.setReservations(List.of(new AdvanceReservation("maint", NodeSet.of(0), 1000, 2000, Set.of(), Set.of(), true)));
        h.submit(gpuJob(1, 0, 1500, 1, "alice", "p1", "")).submit(gpuJob(2, 0, 500, 1, "bob", "p2", ""));
        Plan p = h.pass(10);
        assertThat(h.running(1)).as("10 + 1500 would cross [1000, 2000)").isFalse();
        assertThat(h.running(2)).as("10 + 500 ends before the window").isTrue();
        Decision.Reserve head = p.reservations().get(0);
        assertThat(head.jobId()).isEqualTo(1L);
        assertThat(head.reservation().start()).isEqualTo(2000L);
    }

    @Test
    void schedule_reservationForAUserRunsItsJobsInsideItOnly() {
        var h = harness(2, Policies.NONE);
        h.ledger.setReservations(List.of(new AdvanceReservation("course", NodeSet.of(1), 100, 10_000, Set.of("alice"), Set.of(), false)));
        var inRes = new io.bottega.core.model.JobSpec(1, "j1", "alice", "p1", "", "", 0, 600, 0,
                io.bottega.core.model.ResourceRequest.gpuNodes(1, 4, 8), "course");
        h.submit(inRes).submit(gpuJob(2, 0, 600, 4, "bob", "p2", "")).submit(gpuJob(3, 0, 600, 4, "bob", "p2", ""));
        Plan p = h.pass(10);
        assertThat(h.running(1)).as("before the reservation opens").isFalse();
        assertThat(h.waitOf(p, 1).reason()).isEqualTo(PendingReason.RESERVATION);
        assertThat(h.running(2)).isTrue();
        assertThat(h.ledger.running(2).orElseThrow().allocation().node(0)).isEqualTo(0);
        assertThat(h.running(3)).as("node 1 is reserved for alice from 100").isFalse();
        h.pass(100);
        assertThat(h.running(1)).isTrue();
        assertThat(h.ledger.running(1).orElseThrow().allocation().node(0)).isEqualTo(1);
    }

    @Test
    void schedule_debugQosPreemptsTheYoungestNormalJob() {
        var h = harness(1, policies(Qos.unlimited("normal"),
                Qos.builder("debug").priority(100).preempts(Set.of("normal")).preemptMode(Qos.PreemptMode.REQUEUE).build()));
        h.submit(gpuJob(1, 0, 3600, 2, "alice", "p1", "normal")).submit(gpuJob(2, 5, 3600, 2, "bob", "p2", "normal"));
        h.process(5);
        assertThat(h.running(1)).isTrue();
        assertThat(h.running(2)).isTrue();
        h.submit(gpuJob(3, 10, 600, 2, "carol", "p3", "debug"));
        Plan p = h.process(10);
        assertThat(p.preemptions()).extracting(Decision.Preempt::jobId).containsExactly(2L);
        assertThat(p.preemptions().get(0).requeue()).isTrue();
        assertThat(p.preemptions().get(0).forJob()).isEqualTo(3L);
        assertThat(h.process(11).preemptions()).as("job 2 is already stopping").isEmpty();
        h.ledger.release(2);
        h.process(12);
        assertThat(h.running(3)).isTrue();
    }
}
