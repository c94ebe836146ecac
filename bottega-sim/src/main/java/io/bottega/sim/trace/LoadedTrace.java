package io.bottega.sim.trace;

import io.bottega.sim.Workload;

import java.util.List;
import java.util.Optional;

/**
 * A workload as read: the jobs ({@link Workload}, with the trace's own machine where it has one), the SWF
 * header when the input was SWF, notes on how records were mapped (GPU shares rounded up, pods never
 * scheduled, estimates cut to a partition's limit, invalid records skipped), the number of data records
 * read and the time it took.
 */
public record LoadedTrace(String name, TraceFormat format, Workload workload, Optional<SwfHeader> swfHeader,
                          List<String> notes, long records, long parseNanos) {
    public LoadedTrace {
        notes = List.copyOf(notes);
    }

    public double parseSeconds() { return parseNanos / 1e9; }
}
