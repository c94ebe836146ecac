package io.bottega.api.slurm;

import io.bottega.api.JobView;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * squeue's output formats: {@code -o/--format} ({@code %[.][width]X} specifiers between literal text;
 * {@code .} right-justifies, {@code -} left-justifies (the default); a value longer than its width is cut, as
 * squeue does, except times) and {@code -O/--Format} (comma-separated {@code Name[:[.][width][suffix]]}, 20
 * characters wide unless given). Immutable; build once, print many rows.
 *
 * <p>Specifiers: {@code %a} account, {@code %A} job id, {@code %b} TRES per node, {@code %C} CPUs, {@code %D}
 * nodes, {@code %e} end time, {@code %E} dependency, {@code %F} array job id, {@code %i} job id (array form
 * {@code 120_3}), {@code %j} name, {@code %k} comment, {@code %K} array task id, {@code %l} time limit,
 * {@code %L} time left, {@code %m} memory, {@code %M} time used, {@code %N} nodes, {@code %o} command,
 * {@code %p} priority (0..1), {@code %P} partition, {@code %q} QOS, {@code %Q} priority, {@code %r} reason,
 * {@code %R} reason for pending (and failed) jobs in parentheses, else nodes, {@code %S} start time (the
 * predicted start of a pending job), {@code %t} compact state, {@code %T} state, {@code %u} user,
 * {@code %v} reservation, {@code %V} submit time, {@code %Y} scheduled nodes, {@code %Z} working directory.
 */
public final class SqueueFormat {
    /** squeue's default format. */
    public static final String DEFAULT = "%.18i %.9P %.8j %.8u %.2t %.10M %.6D %R";
    /** {@code squeue -l}. */
    public static final String LONG = "%.18i %.9P %.8j %.8u %.8T %.10M %.9l %.6D %R";
    /** {@code squeue --start}. */
    public static final String START = "%.18i %.9P %.8j %.8u %.2t %.19S %.6D %20Y %R";

    private record Spec(char letter, String fieldName, String header, boolean cut) {}

    private sealed interface Item permits Text, Field {}

    private record Text(String text) implements Item {}

    private record Field(Spec spec, int width, boolean right, String suffix) implements Item {}

    private static final Map<Character, Spec> BY_LETTER = new HashMap<>();
    private static final Map<String, Spec> BY_NAME = new HashMap<>();

    // A table and a switch rather than lambdas: each lambda is a class spun at start-up of the command-line client.
    private static void spec(char letter, String fieldName, String header, boolean cut) {
        Spec s = new Spec(letter, fieldName, header, cut);
        if (letter != 0) BY_LETTER.put(letter, s);
        BY_NAME.put(fieldName.toLowerCase(Locale.ROOT), s);
    }

    static {
        spec('a', "Account", "ACCOUNT", true);
        spec('A', "JobID", "JOBID", true);
        spec('b', "tres-per-node", "TRES_PER_NODE", true);
        spec('C', "NumCPUs", "CPUS", true);
        spec('D', "NumNodes", "NODES", true);
        spec('e', "EndTime", "END_TIME", true);
        spec('E', "Dependency", "DEPENDENCY", true);
        spec('F', "ArrayJobID", "ARRAY_JOB_ID", true);
        spec('i', "JobArrayID", "JOBID", true);
        spec('j', "Name", "NAME", true);
        spec('k', "Comment", "COMMENT", true);
        spec('K', "ArrayTaskID", "ARRAY_TASK_ID", true);
        spec('l', "TimeLimit", "TIME_LIMIT", false);
        spec('L', "TimeLeft", "TIME_LEFT", false);
        spec('m', "MinMemory", "MIN_MEMORY", true);
        spec('M', "TimeUsed", "TIME", false);
        spec('N', "NodeList", "NODELIST", true);
        spec('o', "Command", "COMMAND", true);
        spec('p', "Priority", "PRIORITY", true);
        spec('P', "Partition", "PARTITION", true);
        spec('q', "QOS", "QOS", true);
        spec('Q', "PriorityLong", "PRIORITY", true);
        spec('r', "Reason", "REASON", true);
        spec('R', "ReasonList", "NODELIST(REASON)", true);
        spec('S', "StartTime", "START_TIME", true);
        spec('t', "StateCompact", "ST", true);
        spec('T', "State", "STATE", true);
        spec('u', "UserName", "USER", true);
        spec('v', "Reservation", "RESERVATION", true);
        spec('V', "SubmitTime", "SUBMIT_TIME", true);
        spec('Y', "SchedNodes", "SCHEDNODES", true);
        spec('Z', "WorkDir", "WORK_DIR", true);
        // -O only
        spec((char) 0, "EligibleTime", "ELIGIBLE_TIME", true);
        spec((char) 0, "STDOUT", "STDOUT", true);
        spec((char) 0, "STDERR", "STDERR", true);
        spec((char) 0, "exit_code", "EXIT_CODE", true);
    }

    private static String value(Spec spec, JobView j, ZoneId z) {
        return switch (spec.fieldName()) {
            case "Account" -> Columns.orNull(j.account());
            case "JobID" -> Long.toString(j.id());
            case "tres-per-node" -> j.tresPerNode().isEmpty() ? "N/A" : j.tresPerNode();
            case "NumCPUs" -> Integer.toString(j.cpus());
            case "NumNodes" -> Integer.toString(j.nodeCount() > 0 ? j.nodeCount() : j.nodesRequested());
            case "EndTime" -> endTime(j, z);
            case "Dependency" -> Columns.orNull(j.dependency());
            case "ArrayJobID" -> Long.toString(j.arrayJobId() > 0 ? j.arrayJobId() : j.id());
            case "JobArrayID" -> Columns.jobId(j);
            case "Name" -> j.name();
            case "Comment" -> Columns.orNull(j.comment());
            case "ArrayTaskID" -> !j.arrayTasks().isEmpty() ? j.arrayTasks()
                    : j.arrayTaskId() >= 0 ? Integer.toString(j.arrayTaskId()) : "N/A";
            case "TimeLimit" -> timeLimit(j.timeLimit());
            case "TimeLeft" -> timeLeft(j);
            case "MinMemory" -> MemorySize.format(j.memMb());
            case "TimeUsed" -> SlurmTime.formatElapsed(j.elapsed());
            case "NodeList" -> j.nodeList();
            case "Command" -> j.command();
            case "Priority" -> String.format(Locale.ROOT, "%.8f", j.priority() / 4294967295.0);
            case "Partition" -> j.partition();
            case "QOS" -> Columns.orNull(j.qos());
            case "PriorityLong" -> Long.toString(j.priority());
            case "Reason" -> j.reason();
            case "ReasonList" -> reasonList(j, z);
            case "StartTime" -> Columns.time(j.startTime() > 0 ? j.startTime()
                    : "PENDING".equals(j.state()) ? j.predictedStart() : 0, z, "N/A");
            case "StateCompact" -> Columns.compactState(j.state());
            case "State" -> j.state();
            case "UserName" -> j.user();
            case "Reservation" -> Columns.orNull(j.reservation());
            case "SubmitTime" -> Columns.time(j.submitTime(), z, "N/A");
            case "SchedNodes" -> Columns.orNull(j.schedNodes());
            case "WorkDir" -> j.workDir();
            case "EligibleTime" -> Columns.time(j.eligibleTime(), z, "N/A");
            case "STDOUT" -> j.stdoutPath();
            case "STDERR" -> j.stderrPath();
            case "exit_code" -> j.exitCode() + ":" + j.exitSignal();
            default -> throw new IllegalStateException("no value for " + spec.fieldName());
        };
    }

    private static final int DEFAULT_FIELD_WIDTH = 20;
    private static final int MAX_WIDTH = 4096;

    private final List<Item> items;

    private SqueueFormat(List<Item> items) {
        this.items = List.copyOf(items);
    }

    /** The default format, {@code -l} or {@code --start}, as squeue picks when no format is given. */
    public static SqueueFormat standard(boolean longForm, boolean start) {
        return parse(start ? START : longForm ? LONG : DEFAULT);
    }

    /**
     * Parses a {@code -o/--format} string.
     *
     * @throws IllegalArgumentException naming the bad specifier ({@code invalid job format specification: %z})
     */
    public static SqueueFormat parse(String format) {
        List<Item> items = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        int i = 0;
        while (i < format.length()) {
            char c = format.charAt(i);
            if (c != '%') {
                text.append(c);
                i++;
                continue;
            }
            int start = i++;
            if (i < format.length() && format.charAt(i) == '%') {
                text.append('%');
                i++;
                continue;
            }
            boolean right = false;
            while (i < format.length() && (format.charAt(i) == '.' || format.charAt(i) == '-')) {
                right = format.charAt(i) == '.';
                i++;
            }
            int w = i;
            while (i < format.length() && Character.isDigit(format.charAt(i))) i++;
            int width = parseWidth(format.substring(w, i), format.substring(start, Math.min(i + 1, format.length())));
            if (i >= format.length()) throw new IllegalArgumentException("invalid job format specification: " + format.substring(start) + " (no field letter)");
            char letter = format.charAt(i++);
            Spec spec = BY_LETTER.get(letter);
            if (spec == null) throw new IllegalArgumentException("invalid job format specification: %" + letter);
            if (!text.isEmpty()) {
                items.add(new Text(text.toString()));
                text.setLength(0);
            }
            items.add(new Field(spec, width, right, ""));
        }
        if (!text.isEmpty()) items.add(new Text(text.toString()));
        return new SqueueFormat(items);
    }

    /**
     * Parses a {@code -O/--Format} list: {@code JobID,Name:30,State:.10}. Names are case-insensitive.
     *
     * @throws IllegalArgumentException naming the bad field ({@code invalid job format field: Foo})
     */
    public static SqueueFormat parseFields(String fields) {
        List<Item> items = new ArrayList<>();
        for (String f : fields.split(",", -1)) {
            String name = f;
            int width = DEFAULT_FIELD_WIDTH;
            boolean right = false;
            String suffix = "";
            int colon = f.indexOf(':');
            if (colon >= 0) {
                name = f.substring(0, colon);
                String opt = f.substring(colon + 1);
                int k = 0;
                if (k < opt.length() && opt.charAt(k) == '.') {
                    right = true;
                    k++;
                }
                int w = k;
                while (k < opt.length() && Character.isDigit(opt.charAt(k))) k++;
                if (k > w) width = parseWidth(opt.substring(w, k), f);
                suffix = opt.substring(k);
            }
            Spec spec = BY_NAME.get(name.trim().toLowerCase(Locale.ROOT));
            if (spec == null) throw new IllegalArgumentException("invalid job format field: " + name.trim());
            items.add(new Field(spec, width, right, suffix));
        }
        return new SqueueFormat(items);
    }

    private static int parseWidth(String digits, String where) {
        if (digits.isEmpty()) return 0;
        if (digits.length() > 4 || Integer.parseInt(digits) > MAX_WIDTH) {
            throw new IllegalArgumentException("field width in '" + where + "' is larger than " + MAX_WIDTH);
        }
        return Integer.parseInt(digits);
    }

    /**
     * Whether a printed field is a time of day, which needs the user's zone. When not, a caller may pass any
     * zone ({@code ZoneOffset.UTC}) and spare the tens of milliseconds {@code ZoneId.systemDefault()} costs at
     * JVM start-up.
     */
    public boolean needsTimeZone() {
        for (Item it : items) {
            if (it instanceof Field f) {
                switch (f.spec().fieldName()) {
                    case "EndTime", "StartTime", "SubmitTime", "EligibleTime" -> {
                        return true;
                    }
                    default -> { }
                }
            }
        }
        return false;
    }

    /** The header line, without a newline. */
    public String header() {
        StringBuilder sb = new StringBuilder();
        for (Item it : items) {
            if (it instanceof Field f) {
                Columns.append(sb, f.spec().header(), f.width(), f.right(), true);
                sb.append(f.suffix());
            } else {
                sb.append(((Text) it).text());
            }
        }
        return sb.toString();
    }

    /** One job's line, without a newline; times in {@code zone}. */
    public String row(JobView job, ZoneId zone) {
        StringBuilder sb = new StringBuilder();
        appendRow(sb, job, zone);
        return sb.toString();
    }

    /** Appends one job's line, without a newline, to {@code sb}; times in {@code zone}. */
    public void appendRow(StringBuilder sb, JobView job, ZoneId zone) {
        for (Item it : items) {
            if (it instanceof Field f) {
                Columns.append(sb, value(f.spec(), job, zone), f.width(), f.right(), f.spec().cut());
                sb.append(f.suffix());
            } else {
                sb.append(((Text) it).text());
            }
        }
    }

    /** The header (unless {@code noHeader}) and one line per job, each ending with a newline. */
    public String render(List<JobView> jobs, boolean noHeader, ZoneId zone) {
        StringBuilder sb = new StringBuilder();
        if (!noHeader) sb.append(header()).append('\n');
        for (JobView j : jobs) sb.append(row(j, zone)).append('\n');
        return sb.toString();
    }

    // ---------------------------------------------------------------------------------------------------

    static String timeLimit(long limit) {
        if (Columns.unlimited(limit)) return "UNLIMITED";
        if (limit <= 0) return "Partition_Limit";
        return SlurmTime.formatElapsed(limit);
    }

    private static String timeLeft(JobView j) {
        if (Columns.unlimited(j.timeLimit())) return "UNLIMITED";
        if (j.timeLimit() <= 0) return "NOT_SET";
        return SlurmTime.formatElapsed(j.timeLimit() - j.elapsed());
    }

    private static String endTime(JobView j, ZoneId zone) {
        if (j.endTime() > 0) return Columns.time(j.endTime(), zone, "N/A");
        boolean finite = j.timeLimit() > 0 && !Columns.unlimited(j.timeLimit());
        if ("RUNNING".equals(j.state()) && j.startTime() > 0 && finite) return Columns.time(j.startTime() + j.timeLimit(), zone, "N/A");
        if ("PENDING".equals(j.state()) && j.predictedStart() > 0 && finite) {
            return Columns.time(j.predictedStart() + j.timeLimit(), zone, "N/A");
        }
        return "N/A";
    }

    /** Pending jobs (and failed ones with a reason) show the reason in parentheses, the others their nodes. */
    private static String reasonList(JobView j, ZoneId zone) {
        boolean showReason = switch (j.state()) {
            case "PENDING" -> true;
            case "FAILED", "TIMEOUT", "OUT_OF_MEMORY", "DEADLINE", "BOOT_FAIL", "NODE_FAIL" ->
                    !j.reason().isEmpty() && !j.reason().equals("None");
            default -> false;
        };
        if (showReason) return "(" + (j.reason().isEmpty() ? "None" : j.reason()) + ")";
        return j.nodeList();
    }
}
