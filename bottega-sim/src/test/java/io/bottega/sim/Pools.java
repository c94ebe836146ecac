package io.bottega.sim;

import io.bottega.core.model.Cluster;
import io.bottega.core.model.JobSpec;
import io.bottega.core.model.NodeSpec;
import io.bottega.core.model.Partition;
import io.bottega.core.model.PowerModel;
import io.bottega.core.model.ResourceRequest;

import java.util.List;
import java.util.Set;

/** Test helpers for the machine of an SWF replay: one pool of interchangeable processors. */
final class Pools {
    private Pools() {}

    static Cluster pool(int procs) {
        return Cluster.builder("pool" + procs)
                .node(new NodeSpec("pool", procs, 0, 0, "", Set.of(), "default", false, PowerModel.NONE))
                .partitionOfAll("all", Partition.UNLIMITED, Partition.UNLIMITED, true)
                .build();
    }

    static SimJob job(long id, long submit, int procs, long run, long estimate) {
        return new SimJob(JobSpec.of(id, submit, estimate, ResourceRequest.processors(procs)), run, 1);
    }

    static SimJob job(ReferenceReplay.Job j) {
        return job(j.id(), j.submit(), j.procs(), j.run(), j.estimate());
    }

    static Workload workload(List<SimJob> jobs) {
        return Workload.of("test", jobs);
    }
}
