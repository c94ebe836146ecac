package io.bottega.api.slurm;

import io.bottega.api.JobView;
import io.bottega.api.StepView;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * sacct's output: {@code --format} field lists ({@code JobID,JobName%30,State}), the padded table with a
 * dashed rule under the header, {@code -p/--parsable} (each field followed by {@code |}),
 * {@code -P/--parsable2} ({@code |} between fields) and {@code -n/--noheader}. In the table a value wider than
 * its column is cut and ends with {@code +} ({@code OUT_OF_ME+}), as sacct prints it; a negative width
 * left-justifies. Each job may be followed by its steps ({@code 123.batch}, {@code 123.0}, ...), as sacct prints
 * them unless {@code -X}.
 */
public final class SacctFormat {
    /** sacct's default columns. */
    public static final String DEFAULT = "JobID,JobName,Partition,Account,AllocCPUS,State,ExitCode";

    /** How rows are laid out. */
    public enum Mode {
        /** Padded columns separated by a space, with a dashed rule under the header. */
        TABLE,
        /** {@code -p/--parsable}: each field followed by {@code |}. */
        PARSABLE,
        /** {@code -P/--parsable2}: fields separated by {@code |}. */
        PARSABLE2
    }

    /** @param width negative: left-justified */
    private record Spec(String name, int width) {}

    private record Column(Spec spec, int width) {}

    private static final Map<String, Spec> FIELDS = new LinkedHashMap<>();

    // A table and a switch rather than lambdas: each lambda is a class spun at start-up of the command-line client.
    private static void field(String name, int width) {
        FIELDS.put(name.toLowerCase(Locale.ROOT), new Spec(name, width));
    }

    static {
        field("Account", 10);
        field("AllocCPUS", 10);
        field("AllocNodes", 10);
        field("AllocTRES", -10);
        field("ArrayJobID", 13);
        field("ArrayTaskID", 13);
        field("Comment", 15);
        field("ConsumedEnergy", 14);
        field("Elapsed", 10);
        field("Eligible", 19);
        field("End", 19);
        field("ExitCode", 8);
        field("JobID", -12);
        field("JobIDRaw", -12);
        field("JobName", 10);
        field("NCPUS", 10);
        field("NNodes", 8);
        field("NodeList", 15);
        field("Partition", 10);
        field("Priority", 10);
        field("QOS", 10);
        field("Reason", 20);
        field("ReqCPUS", 8);
        field("ReqMem", 10);
        field("ReqNodes", 8);
        field("Reservation", 20);
        field("Start", 19);
        field("State", 10);
        field("Submit", 19);
        field("Timelimit", 10);
        field("User", 9);
        field("WorkDir", -30);
    }

    private static String value(Spec spec, JobView j, ZoneId z) {
        return switch (spec.name()) {
            case "Account" -> j.account();
            case "AllocCPUS" -> Integer.toString(j.nodeCount() > 0 ? j.cpus() : 0);
            case "AllocNodes" -> Integer.toString(j.nodeCount());
            case "AllocTRES" -> allocTres(j);
            case "ArrayJobID" -> j.arrayJobId() > 0 ? Long.toString(j.arrayJobId()) : "";
            case "ArrayTaskID" -> !j.arrayTasks().isEmpty() ? j.arrayTasks() : j.arrayTaskId() >= 0 ? Integer.toString(j.arrayTaskId()) : "";
            case "Comment" -> j.comment();
            case "ConsumedEnergy" -> Long.toString(j.energyJoules());
            case "Elapsed" -> SlurmTime.formatDuration(j.elapsed());
            case "Eligible" -> Columns.time(j.eligibleTime(), z, "Unknown");
            case "End" -> Columns.time(j.endTime(), z, "Unknown");
            case "ExitCode" -> j.exitCode() + ":" + j.exitSignal();
            case "JobID" -> Columns.jobId(j);
            case "JobIDRaw" -> Long.toString(j.id());
            case "JobName" -> j.name();
            case "NCPUS" -> Integer.toString(j.cpus());
            case "NNodes" -> Integer.toString(j.nodeCount() > 0 ? j.nodeCount() : j.nodesRequested());
            case "NodeList" -> j.nodeList().isEmpty() ? "None assigned" : j.nodeList();
            case "Partition" -> j.partition();
            case "Priority" -> Long.toString(j.priority());
            case "QOS" -> j.qos();
            case "Reason" -> j.reason().isEmpty() ? "None" : j.reason();
            case "ReqCPUS" -> Integer.toString(j.cpus());
            case "ReqMem" -> MemorySize.format(j.memMb());
            case "ReqNodes" -> Integer.toString(j.nodesRequested());
            case "Reservation" -> j.reservation();
            case "Start" -> Columns.time(j.startTime(), z, "Unknown");
            case "State" -> j.state();
            case "Submit" -> Columns.time(j.submitTime(), z, "Unknown");
            case "Timelimit" -> timelimit(j.timeLimit());
            case "User" -> j.user();
            case "WorkDir" -> j.workDir();
            default -> throw new IllegalStateException("no value for " + spec.name());
        };
    }

    private final List<Column> columns;

    private SacctFormat(List<Column> columns) {
        this.columns = List.copyOf(columns);
    }

    /** The names of the fields Bottega's sacct can print, as sacct's {@code --helpformat} lists them. */
    public static List<String> fieldNames() {
        List<String> names = new ArrayList<>();
        for (Spec s : FIELDS.values()) names.add(s.name());
        return names;
    }

    /**
     * Parses a {@code --format} list; names are case-insensitive, {@code Name%N} sets the width.
     *
     * @throws IllegalArgumentException {@code Invalid field requested: "Foo"}
     */
    public static SacctFormat parse(String format) {
        List<Column> cols = new ArrayList<>();
        for (String f : format.split(",", -1)) {
            String name = f.trim();
            Integer width = null;
            int pct = name.indexOf('%');
            if (pct >= 0) {
                String w = name.substring(pct + 1);
                name = name.substring(0, pct);
                if (!w.matches("-?[0-9]{1,4}")) throw new IllegalArgumentException("invalid field width \"" + f.trim() + "\"");
                int n = Integer.parseInt(w);
                if (n != 0) width = n;
            }
            if (name.isEmpty()) continue;
            Spec spec = FIELDS.get(name.toLowerCase(Locale.ROOT));
            if (spec == null) throw new IllegalArgumentException("Invalid field requested: \"" + name + "\"");
            cols.add(new Column(spec, width == null ? spec.width() : width));
        }
        if (cols.isEmpty()) throw new IllegalArgumentException("no fields requested");
        return new SacctFormat(cols);
    }

    /** Whether a printed field is a time of day, which needs the user's zone (see {@link SqueueFormat#needsTimeZone()}). */
    public boolean needsTimeZone() {
        for (Column c : columns) {
            switch (c.spec().name()) {
                case "Eligible", "End", "Start", "Submit" -> {
                    return true;
                }
                default -> { }
            }
        }
        return false;
    }

    /** The header (unless {@code noHeader}) and one line per job, each ending with a newline; times in {@code zone}. */
    public String render(List<JobView> jobs, Mode mode, boolean noHeader, ZoneId zone) {
        return render(jobs, Map.of(), mode, noHeader, zone);
    }

    /**
     * As {@link #render(List, Mode, boolean, ZoneId)}, each job followed by its steps ({@code steps} by job id); a
     * job whose id maps to a list holding only the steps to show, with {@code stepsOnly}, prints no line of its own.
     */
    public String render(List<JobView> jobs, Map<Long, List<StepView>> steps, Mode mode, boolean noHeader, ZoneId zone) {
        return render(jobs, steps, java.util.Set.of(), mode, noHeader, zone);
    }

    /** With {@code stepsOnly}: the ids of the jobs whose own line is left out (sacct -j 123.0). */
    public String render(List<JobView> jobs, Map<Long, List<StepView>> steps, java.util.Set<Long> stepsOnly, Mode mode,
                         boolean noHeader, ZoneId zone) {
        StringBuilder sb = new StringBuilder();
        if (!noHeader) {
            List<String> names = new ArrayList<>();
            for (Column c : columns) names.add(c.spec().name());
            line(sb, names, mode, true);
            if (mode == Mode.TABLE) {
                List<String> rule = new ArrayList<>();
                for (Column c : columns) rule.add("-".repeat(Math.abs(c.width())));
                line(sb, rule, mode, true);
            }
        }
        for (JobView j : jobs) {
            if (!stepsOnly.contains(j.id())) {
                List<String> values = new ArrayList<>(columns.size());
                for (Column c : columns) values.add(value(c.spec(), j, zone));
                line(sb, values, mode, false);
            }
            for (StepView s : steps.getOrDefault(j.id(), List.of())) {
                List<String> values = new ArrayList<>(columns.size());
                for (Column c : columns) values.add(stepValue(c.spec(), j, s, zone));
                line(sb, values, mode, false);
            }
        }
        return sb.toString();
    }

    /** A step's line: its own id, name, state, exit code, times, nodes and CPUs; the job's account; blank where sacct is. */
    private static String stepValue(Spec spec, JobView j, StepView s, ZoneId z) {
        String suffix = "." + (s.stepId() == StepView.BATCH ? "batch" : Integer.toString(s.stepId()));
        return switch (spec.name()) {
            case "Account" -> j.account();
            case "AllocCPUS", "NCPUS", "ReqCPUS" -> Integer.toString(s.cpus());
            case "AllocNodes", "NNodes", "ReqNodes" -> Integer.toString(s.nodeCount());
            case "AllocTRES" -> s.nodeCount() <= 0 ? "" : "cpu=" + s.cpus() + (s.gpus() > 0 ? ",gres/gpu=" + s.gpus() : "")
                    + ",node=" + s.nodeCount();
            case "ArrayJobID" -> j.arrayJobId() > 0 ? Long.toString(j.arrayJobId()) : "";
            case "ArrayTaskID" -> j.arrayTaskId() >= 0 ? Integer.toString(j.arrayTaskId()) : "";
            case "ConsumedEnergy" -> "0";
            case "Elapsed" -> SlurmTime.formatDuration(s.elapsed());
            case "Eligible", "Start", "Submit" -> Columns.time(s.startTime(), z, "Unknown");
            case "End" -> Columns.time(s.endTime(), z, "Unknown");
            case "ExitCode" -> s.exitCode() + ":" + s.exitSignal();
            case "JobID" -> Columns.jobId(j) + suffix;
            case "JobIDRaw" -> j.id() + suffix;
            case "JobName" -> s.name();
            case "NodeList" -> s.nodeList().isEmpty() ? "None assigned" : s.nodeList();
            case "Reason" -> s.reason().isEmpty() ? "None" : s.reason();
            case "State" -> s.state();
            case "WorkDir" -> j.workDir();
            default -> "";
        };
    }

    /** Header names are cut plainly; values too wide end with {@code +}. */
    private void line(StringBuilder sb, List<String> values, Mode mode, boolean header) {
        for (int k = 0; k < values.size(); k++) {
            String v = values.get(k);
            switch (mode) {
                case TABLE -> {
                    int w = columns.get(k).width();
                    int abs = Math.abs(w);
                    if (v.length() > abs) v = header ? v.substring(0, abs) : v.substring(0, abs - 1) + "+";
                    Columns.append(sb, v, abs, w > 0, false);
                    sb.append(' ');
                }
                case PARSABLE -> sb.append(v).append('|');
                case PARSABLE2 -> {
                    if (k > 0) sb.append('|');
                    sb.append(v);
                }
            }
        }
        sb.append('\n');
    }

    static String timelimit(long limit) {
        if (Columns.unlimited(limit)) return "UNLIMITED";
        if (limit <= 0) return "Partition_Limit";
        return SlurmTime.formatDuration(limit);
    }

    /** sacct's AllocTRES of a job that has nodes: {@code billing=64,cpu=64,gres/gpu=8,mem=960G,node=2}. */
    static String allocTres(JobView j) {
        if (j.nodeCount() <= 0) return "";
        StringBuilder sb = new StringBuilder();
        sb.append("billing=").append(j.cpus()).append(",cpu=").append(j.cpus());
        if (j.gpus() > 0) sb.append(",gres/gpu=").append(j.gpus());
        if (j.memMb() > 0 && j.memMb() != MemorySize.ALL) sb.append(",mem=").append(MemorySize.format(j.memMb() * j.nodeCount()));
        sb.append(",node=").append(j.nodeCount());
        return sb.toString();
    }
}
