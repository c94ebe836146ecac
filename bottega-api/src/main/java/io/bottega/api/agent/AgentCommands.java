package io.bottega.api.agent;

import java.util.List;

/**
 * The controller's answer to a sync.
 *
 * @param launch     jobs to start on this node (repeated until confirmed, see the package doc)
 * @param cancel     jobs to signal or terminate
 * @param ackResults ids of the results the controller has stored; the agent forgets them
 * @param waitMillis how long the controller will hold the next sync when it has nothing to say; 0 keeps
 *                   the value from registration
 * @param reregister the controller does not know this agent (it restarted, or the boot id changed):
 *                   register again before the next sync
 * @param stepLaunch job steps to start on this node (repeated until the agent lists them)
 * @param stepSignal steps (or all steps of a job) to signal or terminate (repeated until gone)
 * @param stepAcks   the steps ({@code JOBID.STEPID}) whose outcomes the controller has stored
 */
public record AgentCommands(List<LaunchRequest> launch, List<CancelRequest> cancel, List<Long> ackResults,
                            long waitMillis, boolean reregister, List<StepLaunch> stepLaunch,
                            List<StepSignal> stepSignal, List<String> stepAcks) {
    public static final AgentCommands NONE = new AgentCommands(List.of(), List.of(), List.of(), 0, false);

    public AgentCommands {
        launch = Wire.list(launch);
        cancel = Wire.list(cancel);
        ackResults = Wire.list(ackResults);
        stepLaunch = Wire.list(stepLaunch);
        stepSignal = Wire.list(stepSignal);
        stepAcks = Wire.list(stepAcks);
    }

    /** An answer about batch jobs only. */
    public AgentCommands(List<LaunchRequest> launch, List<CancelRequest> cancel, List<Long> ackResults,
                         long waitMillis, boolean reregister) {
        this(launch, cancel, ackResults, waitMillis, reregister, List.of(), List.of(), List.of());
    }

    /** Whether this answer asks nothing of the agent (not a bean getter, so JSON mappers skip it). */
    public boolean nothingToDo() {
        return launch.isEmpty() && cancel.isEmpty() && ackResults.isEmpty() && !reregister && stepLaunch.isEmpty()
                && stepSignal.isEmpty() && stepAcks.isEmpty();
    }
}
