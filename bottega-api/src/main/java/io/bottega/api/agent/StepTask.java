package io.bottega.api.agent;

import java.util.List;

/**
 * One task of a job step on a node.
 *
 * @param rank    the task's rank in the step ({@code SLURM_PROCID}, {@code %t})
 * @param localId its rank among the step's tasks on this node ({@code SLURM_LOCALID})
 * @param cpus    the node's core ids the task is bound to; empty: not bound (bound to the step's cores only)
 * @param gpus    the GPU indices the task sees ({@code CUDA_VISIBLE_DEVICES}); empty: none
 */
public record StepTask(int rank, int localId, List<Integer> cpus, List<Integer> gpus) {
    public StepTask {
        cpus = Wire.list(cpus);
        gpus = Wire.list(gpus);
    }
}
