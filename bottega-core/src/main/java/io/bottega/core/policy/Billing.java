package io.bottega.core.policy;

/**
 * How a job's resources turn into billed units (Slurm's TRESBillingWeights with MAX_TRES): per second, a job
 * bills the largest of its cores × {@code perCore}, its GPUs × {@code perGpu}, and its memory in GB ×
 * {@code perGbMemory}. On Leonardo's Booster one GPU bills as 8 cores, and memory beyond the cores' share
 * (512 GB / 32 cores = 16 GB a core) bills too: {@code new Billing(1, 8, 1.0 / 16)}. A project's budget is in
 * billed hours ("core-hours").
 */
public record Billing(double perCore, double perGpu, double perGbMemory) {
    public static final Billing CORES = new Billing(1, 0, 0);

    public Billing {
        if (perCore < 0 || perGpu < 0 || perGbMemory < 0) throw new IllegalArgumentException("billing weights must not be negative");
    }

    /** Billed units a second for the given resources. */
    public double rate(long cores, long gpus, long memMb) {
        return Math.max(cores * perCore, Math.max(gpus * perGpu, memMb / 1024.0 * perGbMemory));
    }

    /** Billed unit-seconds for holding the resources for {@code seconds}. */
    public double charge(long cores, long gpus, long memMb, long seconds) {
        return rate(cores, gpus, memMb) * seconds;
    }
}
