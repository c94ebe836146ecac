package io.bottega.cli.sim;

import io.bottega.core.model.Cluster;
import io.bottega.core.sched.SchedulerConfig;
import io.bottega.sim.ProgressListener;
import io.bottega.sim.SimulationResult;
import io.bottega.sim.SimOptions;
import io.bottega.sim.Simulator;
import io.bottega.sim.Workload;
import io.bottega.sim.cluster.ClusterFileException;
import io.bottega.sim.cluster.Clusters;
import io.bottega.sim.metrics.Metrics;
import io.bottega.sim.report.ReportWriter;
import io.bottega.sim.report.TraceInfo;
import io.bottega.sim.trace.LoadedTrace;
import io.bottega.sim.trace.SwfJobMapping;
import io.bottega.sim.trace.SyntheticWorkload;
import io.bottega.sim.trace.TraceFormat;
import io.bottega.sim.trace.TraceFormatException;
import io.bottega.sim.trace.Traces;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code bottega sim}: replays a workload (a trace, or a synthetic one) on a model of a machine under one or more
 * backfill policies, and writes per-job results, metrics and an HTML report. See {@code docs/simulator.md}.
 *
 * <p>Exit codes: 0 success; 1 bad input (a trace line, a cluster file, a job that can never run, an I/O error);
 * 2 bad usage (unknown option, policy, cluster name or format; missing {@code --trace}/{@code --synthetic}).
 * Errors are one line on stderr, {@code bottega sim: error: ...}, without a stack trace.
 */
@Command(name = "sim", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {"Replay a workload on a model of a machine under one or more scheduling policies.",
                "Writes jobs.csv, metrics.json and report.html (and jobs.swf with --swf-out) into --out; with several "
                        + "policies, one subfolder per policy and a report.html comparing them."},
        footer = {"", "Examples:",
                "  bottega sim --trace KTH-SP2-1996-2.1-cln.swf.gz --policy fcfs,easy,conservative --out out/kth",
                "  bottega sim --trace pods.csv --format alibaba --policy easy --out out/alibaba",
                "  bottega sim --synthetic 100000 --seed 7 --cluster leonardo --policy easy,conservative --out out/syn"})
public final class SimCommand implements Callable<Integer> {
    static final int EXIT_INPUT = 1;
    static final int EXIT_USAGE = 2;

    @Option(names = "--trace", paramLabel = "FILE", description = "The workload: SWF (.swf, .swf.gz), Alibaba GPU pod list, or GPU job CSV.")
    Path trace;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "auto",
            description = "swf, alibaba, gpucsv or auto (default: ${DEFAULT-VALUE}: from the name and the first line).")
    String format;

    @Option(names = "--cluster", paramLabel = "NAME|FILE",
            description = "The machine: leonardo, leonardo-booster, tiny, small-gpu, small-cpu, or a cluster .yaml file. "
                    + "Default: the trace's own machine (SWF MaxProcs, Alibaba node list).")
    String cluster;

    @Option(names = "--policy", paramLabel = "POLICY[,POLICY...]", split = ",", defaultValue = "easy",
            description = "fcfs, easy, conservative, each optionally with +multifactor (the queue ordered by multifactor "
                    + "priority with fair share instead of first come, first served); several separated by commas "
                    + "(default: ${DEFAULT-VALUE}).")
    List<String> policies;

    @Option(names = "--fairshare-halflife", paramLabel = "TIME", defaultValue = "7-00:00:00",
            description = "Half-life of usage in the fair-share tree, Slurm time syntax (default: ${DEFAULT-VALUE}).")
    String halfLife;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Where the outputs go (created when missing).")
    Path out;

    @Option(names = "--skip-invalid", description = "Skip and count invalid trace records instead of stopping at the first.")
    boolean skipInvalid;

    @Option(names = "--swf-out", description = "Also write the simulated schedule as jobs.swf.")
    boolean swfOut;

    @Option(names = "--swf-mapping", paramLabel = "MAPPING", defaultValue = "packed",
            description = "How SWF processors map onto --cluster: packed (n single-core tasks), nodes:K (K processors per "
                    + "whole node), gpus (one GPU per processor). Default: ${DEFAULT-VALUE}.")
    String swfMapping;

    @Option(names = "--nodes", paramLabel = "FILE", description = "The Alibaba node list (default: the _node_list_all_node.csv beside the pods).")
    Path nodes;

    @Option(names = "--synthetic", paramLabel = "N", description = "Generate N jobs for --cluster instead of reading a trace.")
    Integer synthetic;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Seed of --synthetic (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--load", paramLabel = "L", defaultValue = "0.85",
            description = "Offered load of --synthetic per partition (default: ${DEFAULT-VALUE}).")
    double load;

    @Option(names = "--progress", description = "Show a progress bar on stderr even when it is not a terminal.")
    boolean progress;

    private final PrintStream stdout;
    private final PrintStream stderr;

    public SimCommand() {
        this(System.out, System.err);
    }

    public SimCommand(PrintStream stdout, PrintStream stderr) {
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** Parses and runs {@code args} with this module's error handling; returns the exit code. */
    public static int execute(PrintStream stdout, PrintStream stderr, String... args) {
        CommandLine cl = new CommandLine(new SimCommand(stdout, stderr));
        cl.setOut(new java.io.PrintWriter(stdout, true));
        cl.setErr(new java.io.PrintWriter(stderr, true));
        cl.setParameterExceptionHandler(parameterExceptionHandler());
        return cl.execute(args);
    }

    /** Picocli's parse errors as {@code bottega sim: error: ...} and exit code 2. */
    public static CommandLine.IParameterExceptionHandler parameterExceptionHandler() {
        return (ex, args) -> {
            java.io.PrintWriter err = ex.getCommandLine().getErr();
            err.println("bottega sim: error: " + ex.getMessage() + " (see bottega sim --help)");
            err.flush();
            return EXIT_USAGE;
        };
    }

    /** A usage error: exit code 2. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) { super(message, null, false, false); }
    }

    @Override
    public Integer call() {
        try {
            return run();
        } catch (UsageException e) {
            return fail(EXIT_USAGE, e.getMessage());
        } catch (TraceFormatException | ClusterFileException e) {
            return fail(EXIT_INPUT, e.getMessage());
        } catch (NoSuchFileException e) {
            return fail(EXIT_INPUT, e.getFile() + ": no such file");
        } catch (AccessDeniedException e) {
            return fail(EXIT_INPUT, e.getFile() + ": permission denied");
        } catch (IOException | java.io.UncheckedIOException e) {
            return fail(EXIT_INPUT, String.valueOf(e.getMessage()));
        } catch (IllegalArgumentException e) {
            return fail(EXIT_INPUT, e.getMessage());
        }
    }

    private int fail(int code, String message) {
        stderr.println("bottega sim: error: " + message);
        return code;
    }

    private int run() throws IOException {
        if ((trace == null) == (synthetic == null)) throw new UsageException("give either --trace FILE or --synthetic N");
        List<SchedulerConfig> configs = policies();
        Optional<TraceFormat> fmt = format();
        SwfJobMapping mapping;
        try {
            mapping = SwfJobMapping.parse(swfMapping);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        Cluster target = null;
        if (cluster != null) {
            try {
                target = Clusters.load(cluster);
            } catch (ClusterFileException e) {
                throw e;
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
        }

        long t0 = System.nanoTime();
        LoadedTrace loaded;
        if (synthetic != null) {
            if (target == null) throw new UsageException("--synthetic needs --cluster NAME|FILE");
            if (synthetic <= 0) throw new UsageException("--synthetic must be a positive number of jobs");
            if (!(load > 0)) throw new UsageException("--load must be positive");
            loaded = SyntheticWorkload.builder(target).jobs(synthetic).seed(seed).load(load).generate();
        } else {
            Traces.Options o = Traces.Options.defaults().withSkipInvalid(skipInvalid).withMapping(mapping).withNodeList(nodes)
                    .withCluster(target);
            if (fmt.isPresent()) o = o.withFormat(fmt.get());
            loaded = Traces.load(trace, o);
        }
        double parseSeconds = (System.nanoTime() - t0) / 1e9;
        Workload w = loaded.workload();
        Cluster machine = target != null ? target : w.machine().orElseThrow(() ->
                new UsageException("the trace has no machine of its own: give --cluster NAME|FILE"));
        for (String n : loaded.notes()) stderr.println("bottega sim: " + n);
        for (String n : w.skipNotes()) stderr.println("bottega sim: skipped " + n);

        boolean bar = progress || ProgressBar.stderrIsTerminal();
        long origin = w.jobs().isEmpty() ? 0 : w.jobs().get(0).spec().submitTime();
        List<SimulationResult> results = new ArrayList<>();
        List<Metrics> metrics = new ArrayList<>();
        long hl;
        try {
            hl = io.bottega.sim.util.SlurmTime.parse(halfLife);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--fairshare-halflife: " + e.getMessage());
        }
        for (int k = 0; k < configs.size(); k++) {
            SchedulerConfig c = configs.get(k);
            boolean mf = multifactor.get(k);
            ProgressBar pb = bar ? new ProgressBar(stderr, c.backfill().label() + (mf ? "+multifactor" : ""), origin) : null;
            SimOptions so = mf ? io.bottega.sim.SimOptions.multifactor(hl) : io.bottega.sim.SimOptions.DEFAULT;
            SimulationResult r = Simulator.run(machine, w, c, so, pb != null ? pb : ProgressListener.NONE);
            if (pb != null) pb.done();
            results.add(r);
            metrics.add(Metrics.of(r, loaded.name()));
        }
        TraceInfo info = TraceInfo.of(loaded);
        info = new TraceInfo(info.name(), info.format(), info.records(), info.skipped(), info.notes(), parseSeconds, info.swfHeader());
        ReportWriter.writeAll(out, results, metrics, info, Optional.of(w), swfOut);
        summary(metrics, machine, loaded, parseSeconds);
        return 0;
    }

    private final List<Boolean> multifactor = new ArrayList<>();

    private List<SchedulerConfig> policies() {
        Set<String> seen = new LinkedHashSet<>();
        List<SchedulerConfig> out = new ArrayList<>();
        multifactor.clear();
        for (String p : policies) {
            String k = p.trim().toLowerCase(Locale.ROOT);
            if (k.isEmpty()) throw new UsageException("empty policy name in --policy");
            if (!seen.add(k)) continue;
            boolean mf = k.endsWith("+multifactor");
            if (mf) k = k.substring(0, k.length() - "+multifactor".length());
            else if (k.contains("+")) throw new UsageException("unknown policy modifier in '" + p + "' (known: +multifactor)");
            try {
                out.add(SchedulerConfig.parse(k));
                multifactor.add(mf);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
        }
        return out;
    }

    private Optional<TraceFormat> format() {
        if (format == null || format.equalsIgnoreCase("auto")) return Optional.empty();
        try {
            return Optional.of(TraceFormat.parse(format));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private void summary(List<Metrics> ms, Cluster machine, LoadedTrace t, double parseSeconds) {
        boolean gpu = machine.totalGpus() > 0;
        stdout.printf(Locale.ROOT, "%s on %s: %,d jobs (%,d records, %,d skipped), machine %,d cores%s%n", t.name(), machine.name(),
                t.workload().jobs().size(), t.records(), t.workload().skipped(), machine.totalCores(),
                gpu ? String.format(Locale.ROOT, ", %,d GPUs", machine.totalGpus()) : "");
        String h = String.format(Locale.ROOT, "%-13s %9s %7s%s %10s %10s %10s %9s %10s %11s %8s", "policy", "jobs", "util",
                gpu ? String.format(Locale.ROOT, " %7s", "gpu") : "", "wait_mean", "wait_med", "wait_p95", "bsld", "makespan",
                "jobs/s", "parse_s");
        stdout.println(h);
        for (Metrics m : ms) {
            stdout.println(String.format(Locale.ROOT, "%-13s %9d %6.1f%%%s %10s %10s %10s %9.2f %10s %11.0f %8.2f", m.policy(), m.jobs(),
                    m.utilization() * 100, gpu ? String.format(Locale.ROOT, " %6.1f%%", m.gpuUtilization() * 100) : "",
                    human(m.waitMean()), human(m.waitMedian()), human(m.waitP95()), m.boundedSlowdownMean(), human(m.makespan()),
                    m.jobsPerSecond(), parseSeconds));
        }
        stdout.println("outputs in " + out + (ms.size() > 1 ? " (one folder per policy; report.html compares them)" : ""));
    }

    /** {@code 42s}, {@code 3.5m}, {@code 2.1h}, {@code 4.0d}. */
    static String human(double seconds) {
        if (!Double.isFinite(seconds)) return "-";
        if (seconds < 60) return String.format(Locale.ROOT, "%.0fs", seconds);
        if (seconds < 3600) return String.format(Locale.ROOT, "%.1fm", seconds / 60);
        if (seconds < 86400) return String.format(Locale.ROOT, "%.1fh", seconds / 3600);
        return String.format(Locale.ROOT, "%.1fd", seconds / 86400);
    }
}
