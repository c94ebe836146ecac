package io.bottega.core.policy;

import io.bottega.core.model.Cluster;
import io.bottega.core.model.Demand;
import io.bottega.core.model.JobSpec;
import io.bottega.core.model.Partition;

import java.util.HashMap;
import java.util.Map;

/**
 * The site's policy: its QOS, how each partition bills, and the weights of multifactor priority. The
 * scheduler enforces the QOS limits, preemption and budgets with it; the caller computes priorities with
 * {@link #priority}.
 */
public record Policies(Map<String, Qos> qos, String defaultQos, Map<String, Billing> billingByPartition, Billing defaultBilling,
                       PriorityWeights weights) {
    public static final Policies NONE = new Policies(Map.of(), Qos.NORMAL, Map.of(), Billing.CORES, PriorityWeights.DEFAULT);

    public Policies {
        qos = Map.copyOf(qos);
        defaultQos = defaultQos == null || defaultQos.isBlank() ? Qos.NORMAL : defaultQos;
        billingByPartition = Map.copyOf(billingByPartition);
        defaultBilling = defaultBilling == null ? Billing.CORES : defaultBilling;
        weights = weights == null ? PriorityWeights.DEFAULT : weights;
    }

    /** The QOS a job runs in: the one it names, else the default; an unknown name is a QOS without limits. */
    public Qos qosOf(String name) {
        String n = name == null || name.isEmpty() ? defaultQos : name;
        Qos q = qos.get(n);
        return q != null ? q : Qos.unlimited(n);
    }

    public boolean hasQos(String name) { return name == null || name.isEmpty() || qos.isEmpty() || qos.containsKey(name); }

    public Billing billingOf(String partition) {
        return billingByPartition.getOrDefault(partition, defaultBilling);
    }

    /** Billed units a second of a job's request (its least allocation), for budget checks. */
    public double billingRate(Cluster c, JobSpec spec, Demand d) {
        Partition p = c.partitions().get(d.partition());
        int anyNode = d.eligible().nextSetBit(0);
        long mem = anyNode < 0 ? 0 : (long) d.nodesMin() * d.memFor(c, anyNode, Math.max(1, d.tasks() / Math.max(1, d.nodesMin())));
        long cores = d.exclusive() && anyNode >= 0 ? (long) d.nodesMin() * c.cores(anyNode) : d.totalCores();
        long gpus = d.exclusive() && anyNode >= 0 ? (long) d.nodesMin() * c.gpus(anyNode) : d.totalGpus();
        return billingOf(p.name()).rate(cores, gpus, mem) * qosOf(spec.qos()).usageFactor();
    }

    /** The multifactor priority of a pending job and its factors. */
    public PriorityFactors priority(Cluster c, JobSpec spec, Demand d, long eligibleSince, double fairShareFactor, long now) {
        PriorityWeights w = weights;
        double age = Math.min(1.0, Math.max(0, now - eligibleSince) / (double) w.maxAgeSeconds());
        double size = c.totalCores() == 0 ? 0 : Math.min(1.0, (double) d.totalCores() / c.totalCores());
        int maxQos = 0;
        for (Qos q : qos.values()) maxQos = Math.max(maxQos, q.priority());
        double qf = maxQos == 0 ? 0 : Math.max(0, qosOf(spec.qos()).priority()) / (double) maxQos;
        int maxPart = 0;
        for (Partition p : c.partitions()) maxPart = Math.max(maxPart, p.priorityWeight());
        double pf = maxPart == 0 ? 0 : c.partitions().get(d.partition()).priorityWeight() / (double) maxPart;
        long a = Math.round(w.age() * age), f = Math.round(w.fairShare() * fairShareFactor), s = Math.round(w.jobSize() * size),
                q = Math.round(w.qos() * qf), p = Math.round(w.partition() * pf);
        return new PriorityFactors(spec.id(), spec.user(), spec.account(), a + f + s + q + p, age, fairShareFactor, size, qf, pf, a, f, s,
                q, p);
    }

    /** A mutable builder for configuration readers. */
    public static Builder builder() { return new Builder(); }

    public static final class Builder {
        private final Map<String, Qos> qos = new HashMap<>();
        private String defaultQos = Qos.NORMAL;
        private final Map<String, Billing> billing = new HashMap<>();
        private Billing defaultBilling = Billing.CORES;
        private PriorityWeights weights = PriorityWeights.DEFAULT;

        public Builder qos(Qos q) { qos.put(q.name(), q); return this; }
        public Builder defaultQos(String n) { defaultQos = n; return this; }
        public Builder billing(String partition, Billing b) { billing.put(partition, b); return this; }
        public Builder defaultBilling(Billing b) { defaultBilling = b; return this; }
        public Builder weights(PriorityWeights w) { weights = w; return this; }

        public Policies build() {
            if (!qos.isEmpty() && !qos.containsKey(defaultQos)) qos.put(defaultQos, Qos.unlimited(defaultQos));
            return new Policies(qos, defaultQos, billing, defaultBilling, weights);
        }
    }
}
