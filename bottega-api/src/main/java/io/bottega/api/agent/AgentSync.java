package io.bottega.api.agent;

import java.util.List;

/**
 * What an agent sends on every sync.
 *
 * @param node        node name
 * @param bootId      the kernel's boot id ({@code /proc/sys/kernel/random/boot_id}); a change means the
 *                    node rebooted and lost its jobs
 * @param seq         increases by one with every sync of this agent process, from 1 after each registration
 * @param running     ids of the jobs the agent is starting or running (including those being killed)
 * @param results     finished jobs whose results the controller has not acknowledged yet, re-sent with
 *                    every sync until acknowledged
 * @param steps       the job steps ({@code JOBID.STEPID}) whose tasks are starting or running here
 * @param stepResults finished steps whose outcome the controller has not acknowledged yet, re-sent with
 *                    every sync until acknowledged
 */
public record AgentSync(String node, String bootId, long seq, List<Long> running, List<JobOutcome> results,
                        List<String> steps, List<StepOutcome> stepResults) {
    public AgentSync {
        node = Wire.str(node);
        bootId = Wire.str(bootId);
        running = Wire.list(running);
        results = Wire.list(results);
        steps = Wire.list(steps);
        stepResults = Wire.list(stepResults);
    }

    /** A sync of an agent without steps. */
    public AgentSync(String node, String bootId, long seq, List<Long> running, List<JobOutcome> results) {
        this(node, bootId, seq, running, results, List.of(), List.of());
    }
}
