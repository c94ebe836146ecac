package io.bottega.core.policy;

import java.util.Set;

/**
 * A quality of service, as Slurm's QOS: a priority, a longest time limit, limits per user and per account
 * on what may run at once, a smallest job size, and which other QOS its jobs may preempt.
 * Zero means "no limit" for every limit.
 *
 * @param priority          added to a job's priority through the QOS factor (normalized by the highest QOS priority)
 * @param maxWallSeconds    the longest time limit a job of this QOS may ask for (submit-time check)
 * @param minNodes          the fewest nodes a job of this QOS may ask for (submit-time check; e.g. {@code boost_qos_bprod})
 * @param maxNodesPerJob    the most nodes a job of this QOS may ask for (submit-time check)
 * @param maxJobsPerUser    running jobs of one user in this QOS
 * @param maxNodesPerUser   nodes held by one user's running jobs in this QOS
 * @param maxGpusPerUser    GPUs held by one user's running jobs in this QOS
 * @param maxJobsPerAccount running jobs of one account in this QOS
 * @param maxNodesPerAccount nodes held by one account's running jobs in this QOS
 * @param maxGpusPerAccount GPUs held by one account's running jobs in this QOS
 * @param maxSubmitPerUser  jobs (pending and running) one user may have in this QOS (submit-time check)
 * @param preempts          the QOS whose running jobs this QOS's jobs may preempt
 * @param preemptMode       what happens to a preempted job
 * @param graceSeconds      between SIGTERM and SIGKILL for a preempted job
 * @param usageFactor       multiplies the billed usage of its jobs (0 for free QOS such as debug, 1 normally)
 */
public record Qos(String name, int priority, long maxWallSeconds, int minNodes, int maxNodesPerJob, int maxJobsPerUser, int maxNodesPerUser,
                  int maxGpusPerUser, int maxJobsPerAccount, int maxNodesPerAccount, int maxGpusPerAccount, int maxSubmitPerUser,
                  Set<String> preempts, PreemptMode preemptMode, long graceSeconds, double usageFactor) {

    /** What happens to a preempted job: it ends PREEMPTED, or goes back to the queue (keeping its place) to run again. */
    public enum PreemptMode { CANCEL, REQUEUE }

    public static final String NORMAL = "normal";

    public Qos {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("qos name must not be blank");
        if (maxWallSeconds < 0 || minNodes < 0 || maxNodesPerJob < 0 || maxJobsPerUser < 0 || maxNodesPerUser < 0 || maxGpusPerUser < 0
                || maxJobsPerAccount < 0 || maxNodesPerAccount < 0 || maxGpusPerAccount < 0 || maxSubmitPerUser < 0 || graceSeconds < 0) {
            throw new IllegalArgumentException("qos " + name + ": limits must not be negative");
        }
        if (usageFactor < 0) throw new IllegalArgumentException("qos " + name + ": usage factor must not be negative");
        preempts = preempts == null ? Set.of() : Set.copyOf(preempts);
        preemptMode = preemptMode == null ? PreemptMode.REQUEUE : preemptMode;
    }

    /** A QOS with no limit and priority 0. */
    public static Qos unlimited(String name) {
        return new Qos(name, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, Set.of(), PreemptMode.REQUEUE, 0, 1.0);
    }

    public boolean canPreempt(String other) { return preempts.contains(other); }

    public Builder toBuilder() { return new Builder(this); }

    public static Builder builder(String name) { return new Builder(unlimited(name)); }

    /** Sets fields one at a time (for configuration readers). */
    public static final class Builder {
        private String name;
        private int priority, minNodes, maxNodesPerJob, maxJobsPerUser, maxNodesPerUser, maxGpusPerUser, maxJobsPerAccount, maxNodesPerAccount,
                maxGpusPerAccount, maxSubmitPerUser;
        private long maxWallSeconds, graceSeconds;
        private Set<String> preempts;
        private PreemptMode preemptMode;
        private double usageFactor;

        private Builder(Qos q) {
            name = q.name;
            priority = q.priority;
            maxWallSeconds = q.maxWallSeconds;
            minNodes = q.minNodes;
            maxNodesPerJob = q.maxNodesPerJob;
            maxJobsPerUser = q.maxJobsPerUser;
            maxNodesPerUser = q.maxNodesPerUser;
            maxGpusPerUser = q.maxGpusPerUser;
            maxJobsPerAccount = q.maxJobsPerAccount;
            maxNodesPerAccount = q.maxNodesPerAccount;
            maxGpusPerAccount = q.maxGpusPerAccount;
            maxSubmitPerUser = q.maxSubmitPerUser;
            preempts = q.preempts;
            preemptMode = q.preemptMode;
            graceSeconds = q.graceSeconds;
            usageFactor = q.usageFactor;
        }

        public Builder priority(int v) { priority = v; return this; }
        public Builder maxWallSeconds(long v) { maxWallSeconds = v; return this; }
        public Builder minNodes(int v) { minNodes = v; return this; }
        public Builder maxNodesPerJob(int v) { maxNodesPerJob = v; return this; }
        public Builder maxJobsPerUser(int v) { maxJobsPerUser = v; return this; }
        public Builder maxNodesPerUser(int v) { maxNodesPerUser = v; return this; }
        public Builder maxGpusPerUser(int v) { maxGpusPerUser = v; return this; }
        public Builder maxJobsPerAccount(int v) { maxJobsPerAccount = v; return this; }
        public Builder maxNodesPerAccount(int v) { maxNodesPerAccount = v; return this; }
        public Builder maxGpusPerAccount(int v) { maxGpusPerAccount = v; return this; }
        public Builder maxSubmitPerUser(int v) { maxSubmitPerUser = v; return this; }
        public Builder preempts(Set<String> v) { preempts = v; return this; }
        public Builder preemptMode(PreemptMode v) { preemptMode = v; return this; }
        public Builder graceSeconds(long v) { graceSeconds = v; return this; }
        public Builder usageFactor(double v) { usageFactor = v; return this; }

        public Qos build() {
            return new Qos(name, priority, maxWallSeconds, minNodes, maxNodesPerJob, maxJobsPerUser, maxNodesPerUser, maxGpusPerUser, maxJobsPerAccount,
                    maxNodesPerAccount, maxGpusPerAccount, maxSubmitPerUser, preempts, preemptMode, graceSeconds, usageFactor);
        }
    }
}
