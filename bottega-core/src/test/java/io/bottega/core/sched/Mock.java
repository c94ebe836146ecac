package io.bottega.core.sched;

import io.bottega.core.model.Cluster;
import io.bottega.core.model.Demand;
import io.bottega.core.model.JobSpec;
import io.bottega.core.model.NodeSpec;
import io.bottega.core.model.PowerModel;
import io.bottega.core.model.ResourceRequest;
import io.bottega.core.model.Verdict;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Test factories: GPU clusters, jobs, and a harness that runs passes and keeps the state between them. */
public final class Mock {
    private Mock() {}

    /** {@code nodes} nodes of 8 cores, 4 GPUs and 64 GB in one group, partition "batch" (default), 1 day max. */
    public static Cluster gpuCluster(int nodes) {
        Cluster.Builder b = Cluster.builder("mock");
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= nodes; i++) {
            names.add("n" + i);
            b.node(new NodeSpec("n" + i, 8, 64_000, 4, "a100", Set.of(), "g1", true, PowerModel.NONE));
        }
        b.partition("batch", names, 3600, 86_400, Integer.MAX_VALUE, true, 1);
        return b.build();
    }

    public static JobSpec gpuJob(long id, long submit, long limit, int gpus, String user, String account, String qos) {
        ResourceRequest r = ResourceRequest.builder().nodes(1, 1).gpusPerNode(gpus).cpusPerTask(2 * gpus).build();
        return new JobSpec(id, "j" + id, user, account, "", qos, submit, limit, 0, r, "");
    }

    /** Runs passes over a ledger and queue it keeps, as a controller or the simulator would. */
    public static final class Harness {
        public final Cluster cluster;
        public final ResourceLedger ledger;
        public final PendingQueue queue;
        public final Scheduler scheduler;
        private final Demand.Resolver resolver;

        public Harness(Cluster cluster, Scheduler scheduler) {
            this.cluster = cluster;
            this.scheduler = scheduler;
            this.ledger = new ResourceLedger(cluster);
            this.queue = new PendingQueue(scheduler.config().order());
            this.resolver = new Demand.Resolver(cluster);
        }

        public Harness submit(JobSpec spec) {
            Verdict v = resolver.resolve(spec);
            if (!(v instanceof Verdict.Fits f)) throw new IllegalArgumentException("job " + spec.id() + " refused: " + v);
            queue.add(PendingJob.of(spec, f.demand()));
            return this;
        }

        public Plan pass(long now) { return scheduler.schedule(now, ledger, queue, Scheduler.Options.WITH_FORECAST); }

        public Plan process(long now) { return scheduler.schedule(now, ledger, queue, Scheduler.Options.DECISIONS_ONLY); }

        public boolean running(long id) { return ledger.running(id).isPresent(); }

        public Decision.Wait waitOf(Plan p, long id) {
            return p.waits().stream().filter(w -> w.jobId() == id).findFirst().orElseThrow(() -> new AssertionError("no wait for job " + id + " in " + p));
        }
    }
}
