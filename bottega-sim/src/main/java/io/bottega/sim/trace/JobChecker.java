package io.bottega.sim.trace;

import io.bottega.core.model.Cluster;
import io.bottega.core.model.Demand;
import io.bottega.core.model.JobSpec;
import io.bottega.core.model.Partition;
import io.bottega.core.model.ResourceRequest;
import io.bottega.core.model.Verdict;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a job could ever run on a cluster, as the scheduler's own {@link Demand.Resolver} decides
 * (partition, features, GPU type, node counts, a job wider than any set of nodes it may use), plus the
 * partition's time limit. Verdicts are cached per (request, partition), so a trace of a million jobs with a
 * few hundred distinct shapes costs a few hundred resolutions.
 */
public final class JobChecker {
    private record Key(ResourceRequest request, String partition) {}

    private final Cluster cluster;
    private final Demand.Resolver resolver;
    private final Map<Key, Optional<String>> cache = new HashMap<>();

    public JobChecker(Cluster cluster) {
        this.cluster = cluster;
        this.resolver = new Demand.Resolver(cluster);
    }

    public Cluster cluster() { return cluster; }

    /** The partition a job goes to: its own, or the cluster's default; empty when it names an unknown one. */
    public Optional<Partition> partitionOf(JobSpec spec) {
        return spec.partition().isEmpty() ? Optional.of(cluster.defaultPartition()) : cluster.partition(spec.partition());
    }

    /** Why the job can never run here, or empty when it can. */
    public Optional<String> check(JobSpec spec) {
        Optional<Partition> p = partitionOf(spec);
        if (p.isEmpty()) return Optional.of("partition '" + spec.partition() + "' is not in cluster " + cluster.name());
        if (spec.timeLimit() > p.get().maxTimeLimit()) {
            return Optional.of("time limit " + spec.timeLimit() + " s exceeds the " + p.get().maxTimeLimit()
                    + " s allowed in partition " + p.get().name());
        }
        Key key = new Key(spec.resources(), spec.partition());
        Optional<String> cached = cache.get(key);
        if (cached != null) return cached;
        Verdict v = resolver.resolve(spec.withTimeLimit(1));
        Optional<String> why = switch (v) {
            case Verdict.Fits f -> Optional.empty();
            case Verdict.Rejected r -> Optional.of(r.message());
        };
        cache.put(key, why);
        return why;
    }
}
