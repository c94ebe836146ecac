package io.bottega.api;

/**
 * One condition of {@code --dependency}: {@code afterok:123} is {@code (AFTEROK, "123", 0)}; {@code after:123+10}
 * is {@code (AFTER, "123", 600)}; {@code singleton} has no job id.
 *
 * @param jobId        a job id ({@code 123}) or an array element ({@code 123_4}); "" for {@link Type#SINGLETON}
 * @param delaySeconds {@code after:ID+minutes}: how long after the job started the condition holds
 */
public record Dependency(Type type, String jobId, long delaySeconds) {
    public enum Type {
        /** The job has started (or was cancelled), plus the delay. */
        AFTER,
        /** The job has ended, whatever the outcome. */
        AFTERANY,
        /** The job has ended successfully (exit code 0). */
        AFTEROK,
        /** The job has ended unsuccessfully (failed, timed out, cancelled, node failure). */
        AFTERNOTOK,
        /** Every earlier job of the same name and user has ended. */
        SINGLETON;

        /** The Slurm keyword ({@code afterok}). */
        public String keyword() { return name().toLowerCase(java.util.Locale.ROOT); }
    }

    public Dependency {
        if (type == null) throw new IllegalArgumentException("dependency type must be given");
        jobId = jobId == null ? "" : jobId;
        if (delaySeconds < 0) throw new IllegalArgumentException("dependency delay must not be negative");
    }

    /** As Slurm writes it: {@code afterok:123}, {@code after:123+10}, {@code singleton}. */
    @Override
    public String toString() {
        if (type == Type.SINGLETON) return "singleton";
        String s = type.keyword() + ":" + jobId;
        return delaySeconds > 0 ? s + "+" + (delaySeconds / 60) : s;
    }
}
