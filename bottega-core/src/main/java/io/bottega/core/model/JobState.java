package io.bottega.core.model;

import java.util.EnumSet;
import java.util.Set;

/** Slurm's job states, with the transitions a job may take between them. */
public enum JobState {
    PENDING("PD"),
    RUNNING("R"),
    COMPLETED("CD"),
    FAILED("F"),
    CANCELLED("CA"),
    TIMEOUT("TO"),
    NODE_FAIL("NF"),
    PREEMPTED("PR"),
    OUT_OF_MEMORY("OOM");

    private final String shortName;

    JobState(String shortName) { this.shortName = shortName; }

    /** The compact code {@code squeue} prints ({@code %t}). */
    public String shortName() { return shortName; }

    public boolean isFinal() { return this != PENDING && this != RUNNING; }

    /**
     * Whether a job may go from this state to {@code next}. A final state is final, except that a
     * requeue (after NODE_FAIL or PREEMPTED) returns a job to PENDING, as Slurm's requeue does.
     */
    public boolean canTransitionTo(JobState next) {
        return switch (this) {
            case PENDING -> next == RUNNING || next == CANCELLED || next == FAILED;
            case RUNNING -> next != RUNNING;
            case NODE_FAIL, PREEMPTED -> next == PENDING;
            default -> false;
        };
    }

    public static final Set<JobState> ACTIVE = EnumSet.of(PENDING, RUNNING);

    /** Parses a long name or a short code, case-insensitively ({@code "pd"}, {@code "Running"}, {@code "OOM"}). */
    public static JobState parse(String s) {
        String u = s.trim().toUpperCase(java.util.Locale.ROOT);
        for (JobState st : values()) if (st.name().equals(u) || st.shortName.equals(u)) return st;
        if (u.equals("CANCELED")) return CANCELLED;
        if (u.equals("OUT_OF_ME+") || u.equals("OUTOFMEMORY")) return OUT_OF_MEMORY;
        throw new IllegalArgumentException("unknown job state '" + s + "'");
    }
}
