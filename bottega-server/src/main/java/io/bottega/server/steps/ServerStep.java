package io.bottega.server.steps;

import io.bottega.api.StepView;
import io.bottega.api.agent.JobOutcome;
import io.bottega.api.agent.StepOutcome;
import io.bottega.core.model.Hostlist;
import io.bottega.server.jobs.JobEnvironment;
import io.bottega.server.store.StepRow;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A running job step as the controller holds it: where it runs, which nodes confirmed it, how each ended. */
final class ServerStep {
    final long jobId;
    final int stepId;
    final String name;
    final String user;
    final StepPlacer.Placement placement;
    final long startTime;
    final String layoutJson;
    final Map<String, StepOutcome> outcomes = new LinkedHashMap<>();
    final Set<String> confirmed = new HashSet<>();
    String endState = "";
    String endReason = "";

    ServerStep(long jobId, int stepId, String name, String user, StepPlacer.Placement placement, long startTime, String layoutJson) {
        this.jobId = jobId;
        this.stepId = stepId;
        this.name = name;
        this.user = user;
        this.placement = placement;
        this.startTime = startTime;
        this.layoutJson = layoutJson;
    }

    String key() {
        return jobId + "." + stepId;
    }

    List<String> nodes() {
        return placement.nodeNames();
    }

    boolean allReported() {
        return outcomes.keySet().containsAll(nodes());
    }

    /** The step's state from its nodes' outcomes (or why the controller ended it). */
    String state() {
        if (!endState.isEmpty()) return endState;
        String worst = JobOutcome.COMPLETED;
        for (StepOutcome o : outcomes.values()) worst = worse(worst, o.state());
        return worst;
    }

    private static int rank(String s) {
        return switch (s) {
            case JobOutcome.COMPLETED -> 0;
            case JobOutcome.FAILED -> 1;
            case JobOutcome.OUT_OF_MEMORY -> 2;
            case JobOutcome.TIMEOUT -> 3;
            case JobOutcome.CANCELLED -> 4;
            case JobOutcome.NODE_FAIL -> 5;
            default -> 1;
        };
    }

    static String worse(String a, String b) {
        return rank(b) > rank(a) ? b : a;
    }

    int exitCode() {
        int c = 0;
        for (StepOutcome o : outcomes.values()) c = Math.max(c, o.exitCode());
        return c;
    }

    int signal() {
        for (StepOutcome o : outcomes.values()) if (o.signal() != 0) return o.signal();
        return 0;
    }

    String reason() {
        if (!endReason.isEmpty()) return endReason;
        for (StepOutcome o : outcomes.values()) if (!o.message().isEmpty()) return o.message();
        return "";
    }

    StepRow row(String state, long endTime) {
        return new StepRow(jobId, stepId, name, state, Hostlist.compress(nodes()), nodes().size(), placement.ntasks(),
                JobEnvironment.repeated(placement.tasksPerNode()), placement.cpus(), placement.gpus(), startTime, endTime,
                exitCode(), signal(), state.equals("RUNNING") ? "" : reason(), layoutJson);
    }

    StepView view(String state, long endTime, long now) {
        return StepCoordinator.view(row(state, endTime), user, now);
    }
}
