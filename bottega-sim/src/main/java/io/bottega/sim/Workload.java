package io.bottega.sim;

import io.bottega.core.model.Cluster;

import java.util.List;
import java.util.Optional;

/**
 * A workload read from a trace or generated: its jobs in submission order (submit time, then job id),
 * the machine it came from when the trace says (an SWF header's {@code MaxProcs}; the Alibaba node list),
 * and how many input records were skipped as invalid (only with {@code --skip-invalid}).
 */
public record Workload(String name, List<SimJob> jobs, Optional<Cluster> machine, int skipped, List<String> skipNotes) {
    public Workload {
        jobs = List.copyOf(jobs);
        skipNotes = List.copyOf(skipNotes);
    }

    public static Workload of(String name, List<SimJob> jobs) {
        return new Workload(name, jobs, Optional.empty(), 0, List.of());
    }
}
