package io.bottega.sim.report;

import io.bottega.sim.trace.LoadedTrace;
import io.bottega.sim.trace.SwfHeader;

import java.util.List;
import java.util.Optional;

/** What the reports say about the input: its name and format, records read and skipped, mapping notes. */
public record TraceInfo(String name, String format, long records, int skipped, List<String> notes, double parseSeconds,
                        Optional<SwfHeader> swfHeader) {
    public TraceInfo {
        notes = List.copyOf(notes);
    }

    public static TraceInfo of(LoadedTrace t) {
        return new TraceInfo(t.name(), t.format().label(), t.records(), t.workload().skipped(), t.notes(), t.parseSeconds(),
                t.swfHeader());
    }

    public static TraceInfo named(String name) {
        return new TraceInfo(name, "", 0, 0, List.of(), 0, Optional.empty());
    }
}
