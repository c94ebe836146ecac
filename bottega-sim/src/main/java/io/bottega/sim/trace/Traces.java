package io.bottega.sim.trace;

import io.bottega.core.model.Cluster;
import io.bottega.sim.util.Csv;
import io.bottega.sim.util.TextFiles;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Reads a trace of any known format, telling the format from the name and the first line when asked to. */
public final class Traces {
    private Traces() {}

    /**
     * How to read a trace.
     *
     * @param format   the format, or empty to detect it ({@link #detect})
     * @param cluster  the machine to replay on ({@code --cluster}); required for GPU CSV traces
     * @param mapping  how SWF processors map onto {@code cluster}
     * @param nodeList the Alibaba node list (default: the {@code _node_list_all_node.csv} beside the pods)
     */
    public record Options(Optional<TraceFormat> format, Optional<Cluster> cluster, boolean skipInvalid, SwfJobMapping mapping,
                          Optional<Path> nodeList) {
        public static Options defaults() {
            return new Options(Optional.empty(), Optional.empty(), false, SwfJobMapping.PACKED, Optional.empty());
        }

        public Options withFormat(TraceFormat f) { return new Options(Optional.ofNullable(f), cluster, skipInvalid, mapping, nodeList); }
        public Options withCluster(Cluster c) { return new Options(format, Optional.ofNullable(c), skipInvalid, mapping, nodeList); }
        public Options withSkipInvalid(boolean s) { return new Options(format, cluster, s, mapping, nodeList); }
        public Options withMapping(SwfJobMapping m) { return new Options(format, cluster, skipInvalid, m, nodeList); }
        public Options withNodeList(Path p) { return new Options(format, cluster, skipInvalid, mapping, Optional.ofNullable(p)); }
    }

    public static LoadedTrace load(Path file, Options o) throws IOException {
        TraceFormat f = o.format().isPresent() ? o.format().get() : detect(file);
        return switch (f) {
            case SWF -> {
                SwfReader r = new SwfReader().skipInvalid(o.skipInvalid()).mapping(o.mapping());
                if (o.cluster().isPresent()) r = r.cluster(o.cluster().get());
                yield r.read(file);
            }
            case ALIBABA -> {
                AlibabaGpuTraceReader r = new AlibabaGpuTraceReader().skipInvalid(o.skipInvalid());
                if (o.cluster().isPresent()) r = r.cluster(o.cluster().get());
                yield r.read(file, o.nodeList().orElse(null));
            }
            case GPUCSV -> {
                Cluster c = o.cluster().orElseThrow(() -> new IllegalArgumentException(
                        "a GPU CSV trace has no machine of its own: give --cluster NAME|FILE"));
                yield new GpuJobCsvReader().skipInvalid(o.skipInvalid()).read(file, c);
            }
            case SYNTHETIC -> throw new IllegalArgumentException("synthetic workloads are generated, not read");
        };
    }

    /**
     * The format of a file: {@code .swf} / {@code .swf.gz} names, a first line starting with {@code ;} or made of
     * 18 numbers are SWF; a CSV header with {@code cpu_milli} and {@code num_gpu} is an Alibaba pod list; one
     * with {@code gpus_per_node} is a GPU CSV.
     */
    public static TraceFormat detect(Path file) throws IOException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".swf") || name.endsWith(".swf.gz")) return TraceFormat.SWF;
        String first = null;
        try (BufferedReader in = TextFiles.open(file)) {
            String line;
            while ((line = in.readLine()) != null) {
                String t = line.trim();
                if (t.isEmpty() || t.startsWith("#")) continue;
                first = t;
                break;
            }
        }
        if (first != null) {
            if (first.startsWith(";")) return TraceFormat.SWF;
            List<String> cols = Csv.split(first.toLowerCase(Locale.ROOT)).stream().map(String::trim).toList();
            if (cols.contains("cpu_milli") && cols.contains("num_gpu")) return TraceFormat.ALIBABA;
            if (cols.contains("gpus_per_node")) return TraceFormat.GPUCSV;
            try {
                SwfRecord.parse(first);
                return TraceFormat.SWF;
            } catch (IllegalArgumentException e) {
                // not SWF either
            }
        }
        throw new TraceFormatException(file.toString(), 0, "cannot tell the trace format; give --format swf|alibaba|gpucsv");
    }
}
