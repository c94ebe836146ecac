package io.bottega.core.model;

/** Whether a request can ever run on a cluster: the normalized {@link Demand}, or a named rejection. */
public sealed interface Verdict permits Verdict.Fits, Verdict.Rejected {

    record Fits(Demand demand) implements Verdict {}

    /** A request that can never run here, with a message a user can act on. */
    record Rejected(Reason reason, String message) implements Verdict {}

    /** Why a request was refused; each has Slurm's wording where Slurm has one. */
    enum Reason {
        INVALID_PARTITION("Invalid partition name specified"),
        INVALID_TIME_LIMIT("Requested time limit is invalid (missing or exceeds some limit)"),
        INVALID_FEATURE("Invalid feature specification"),
        INVALID_NODE_COUNT("Node count specification invalid"),
        INVALID_GRES("Invalid generic resource (gres) specification"),
        INVALID_TASKS("Requested node configuration is not available"),
        NODE_CONFIG_UNAVAILABLE("Requested node configuration is not available"),
        MEMORY_UNAVAILABLE("Memory required by task is not available");

        private final String slurmMessage;

        Reason(String slurmMessage) { this.slurmMessage = slurmMessage; }

        public String slurmMessage() { return slurmMessage; }
    }
}
