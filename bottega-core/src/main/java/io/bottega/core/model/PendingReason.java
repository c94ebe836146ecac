package io.bottega.core.model;

/** Why a pending job is not running, with the name Slurm shows in {@code squeue}'s REASON column. */
public enum PendingReason {
    NONE("None"),
    PRIORITY("Priority"),
    RESOURCES("Resources"),
    DEPENDENCY("Dependency"),
    DEPENDENCY_NEVER_SATISFIED("DependencyNeverSatisfied"),
    BEGIN_TIME("BeginTime"),
    JOB_HELD_USER("JobHeldUser"),
    JOB_HELD_ADMIN("JobHeldAdmin"),
    REQ_NODE_NOT_AVAIL("ReqNodeNotAvail"),
    PARTITION_NODE_LIMIT("PartitionNodeLimit"),
    PARTITION_TIME_LIMIT("PartitionTimeLimit"),
    PARTITION_DOWN("PartitionDown"),
    BAD_CONSTRAINTS("BadConstraints"),
    RESERVATION("Reservation"),
    QOS_MAX_GRES_PER_USER("QOSMaxGRESPerUser"),
    QOS_MAX_JOBS_PER_USER("QOSMaxJobsPerUserLimit"),
    QOS_MAX_NODES_PER_USER("QOSMaxNodePerUserLimit"),
    QOS_MAX_WALL_DURATION("QOSMaxWallDurationPerJobLimit"),
    QOS_MIN_NODES("QOSMinNode"),
    ASSOC_GRP_BILLING_MINUTES("AssocGrpBillingMinutes"),
    ASSOC_MAX_JOBS("AssocMaxJobsLimit"),
    QOS_MAX_JOBS_PER_ACCOUNT("QOSMaxJobsPerAccount"),
    QOS_MAX_NODES_PER_ACCOUNT("QOSMaxNodePerAccountLimit"),
    QOS_MAX_GRES_PER_ACCOUNT("QOSMaxGRESPerAccount"),
    NODE_DOWN("NodeDown"),
    JOB_ARRAY_TASK_LIMIT("JobArrayTaskLimit");

    private final String slurmName;

    PendingReason(String slurmName) { this.slurmName = slurmName; }

    public String slurmName() { return slurmName; }

    public static PendingReason fromSlurmName(String s) {
        for (PendingReason r : values()) if (r.slurmName.equalsIgnoreCase(s) || r.name().equalsIgnoreCase(s)) return r;
        throw new IllegalArgumentException("unknown pending reason '" + s + "'");
    }
}
