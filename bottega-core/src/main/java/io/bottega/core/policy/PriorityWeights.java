package io.bottega.core.policy;

/**
 * Weights of the multifactor priority (Slurm's PriorityWeight*): a job's priority is the sum of each factor,
 * a number in [0, 1], times its weight. {@code maxAgeSeconds} is the wait after which the age factor is full
 * (PriorityMaxAge).
 */
public record PriorityWeights(long age, long fairShare, long jobSize, long qos, long partition, long maxAgeSeconds) {
    /** Slurm-like defaults with fair share dominant: 10,000 fair share, 1,000 age (over 7 days), 1,000 QOS, 500 size, 100 partition. */
    public static final PriorityWeights DEFAULT = new PriorityWeights(1000, 10_000, 500, 1000, 100, 7 * 86400);

    public PriorityWeights {
        if (age < 0 || fairShare < 0 || jobSize < 0 || qos < 0 || partition < 0) {
            throw new IllegalArgumentException("priority weights must not be negative");
        }
        if (maxAgeSeconds <= 0) throw new IllegalArgumentException("max age must be positive");
    }
}
