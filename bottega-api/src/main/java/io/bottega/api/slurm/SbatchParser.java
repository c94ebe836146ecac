package io.bottega.api.slurm;

import io.bottega.api.JobSubmission;

import java.io.IOException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The {@code sbatch} front end: reads a command line and a batch script into a {@link JobSubmission}, as
 * Slurm's sbatch does.
 *
 * <ul>
 *   <li>{@code #SBATCH} directives are read from the top of the script, after the {@code #!} line, up to the
 *       first line that is neither blank nor a comment (a line starting with {@code #} in its first column);
 *       a directive line may end with a comment ({@code #SBATCH -N 2  # two nodes}) and quote values
 *       ({@code --comment="two words"}).</li>
 *   <li>Input environment variables ({@code SBATCH_PARTITION}, {@code SBATCH_TIMELIMIT}, ...) override the
 *       directives; command-line options override both. Among {@code --mem}, {@code --mem-per-cpu} and
 *       {@code --mem-per-gpu} the one given at the highest of those levels wins; two at one level are an error.</li>
 *   <li>Options follow getopt: short options may be glued ({@code -n4}, {@code -Hv}), long ones take
 *       {@code --opt=value} or {@code --opt value}, and an unambiguous prefix of a long option is accepted
 *       ({@code --part=x}). On the command line, options end at the script name.</li>
 *   <li>Every error is a {@link SlurmOptionException} naming the option and value, with the script line or
 *       environment variable it came from.</li>
 * </ul>
 */
public final class SbatchParser {

    /** What the command line asks sbatch to do. */
    public enum Action { SUBMIT, HELP, USAGE, VERSION }

    /**
     * Where and when sbatch runs.
     *
     * @param submitDir    the current directory, absolute
     * @param environment  the user's environment (for {@code --export} and the {@code SBATCH_*} input variables)
     * @param now          epoch seconds, for {@code --begin} and {@code --deadline}
     * @param zone         the user's time zone, asked for only when a {@code --begin} or {@code --deadline} names a
     *                     date or a time of day ({@code ZoneId.systemDefault()} costs tens of ms at JVM start-up)
     * @param maxArraySize the cluster's MaxArraySize (task ids must be below it)
     */
    public record Context(String submitDir, Map<String, String> environment, long now, Supplier<ZoneId> zone,
                          int maxArraySize) {
        public Context {
            if (submitDir == null || submitDir.isEmpty()) throw new IllegalArgumentException("submit directory must be given");
            environment = environment == null ? Map.of() : Map.copyOf(environment);
            if (zone == null) throw new IllegalArgumentException("time zone must be given");
            if (maxArraySize < 1) throw new IllegalArgumentException("MaxArraySize must be positive");
        }

        /** A context with a known zone and Slurm's default MaxArraySize. */
        public static Context of(String submitDir, Map<String, String> environment, long now, ZoneId zone) {
            if (zone == null) throw new IllegalArgumentException("time zone must be given");
            return new Context(submitDir, environment, now, new Fixed(zone), JobArrays.DEFAULT_MAX_ARRAY_SIZE);
        }
    }

    /** A supplier of a zone already at hand (a class, not a lambda: see the note on the option table). */
    private record Fixed(ZoneId zone) implements Supplier<ZoneId> {
        @Override
        public ZoneId get() { return zone; }
    }

    /** Reads the batch script named on the command line; {@code ""} means standard input. */
    @FunctionalInterface
    public interface ScriptLoader {
        String load(String path) throws IOException;
    }

    /**
     * A parsed command.
     *
     * @param job      the submission ({@link JobSubmission#EMPTY} unless the action is SUBMIT)
     * @param parsable {@code --parsable}: print only the job id
     * @param testOnly {@code --test-only}: ask when the job would start, submit nothing
     * @param waitForEnd {@code -W/--wait}: return when the job ends, with its exit code
     * @param verbose  how many {@code -v} were given
     * @param quiet    {@code -Q/--quiet}
     */
    public record Result(Action action, JobSubmission job, boolean parsable, boolean testOnly, boolean waitForEnd,
                         int verbose, boolean quiet) {}

    /** The first lines Slurm prints for a script that does not start with {@code #!}. */
    public static final String NOT_A_BATCH_SCRIPT = "This does not look like a batch script.  The first line must start "
            + "with #! followed by the path to an interpreter.\nFor instance: #!/bin/sh";

    /** Option levels, lowest first: a later level overrides an earlier one. */
    private static final int SCRIPT = 0, ENV = 1, CLI = 2;
    private static final int MEM = 0, MEM_PER_CPU = 1, MEM_PER_GPU = 2;

    private SbatchParser() {}

    /**
     * Parses {@code args} (without the program name). Loads the script with {@code loader} unless the
     * command asks for help, usage or version, or gives {@code --wrap}.
     */
    public static Result parse(List<String> args, ScriptLoader loader, Context ctx) throws SlurmOptionException {
        // first pass: only the structure of the command line, for --help/--usage/--version and the script name
        State probe = new State(ctx);
        int scriptIndex = parseOptions(args, 0, CLI, "", probe, true);
        if (probe.action != Action.SUBMIT) {
            return new Result(probe.action, JobSubmission.EMPTY, false, false, false, probe.verbose, probe.quiet);
        }
        List<String> rest = args.subList(scriptIndex, args.size());
        if (!rest.isEmpty() && rest.get(0).equals(":")) {
            throw new SlurmOptionException("heterogeneous jobs (':' between option sets) are not supported yet");
        }
        State st = new State(ctx);
        String script;
        String scriptPath = "";
        if (!probe.wrap.isEmpty()) {
            if (!rest.isEmpty()) throw new SlurmOptionException("script argument not permitted with --wrap option");
            script = "#!/bin/sh\n" + probe.wrap + "\n";
        } else {
            scriptPath = rest.isEmpty() ? "" : rest.get(0);
            try {
                script = loader.load(scriptPath);
            } catch (IOException e) {
                throw new SlurmOptionException(scriptPath.isEmpty() ? "unable to read the batch script from standard input"
                        : "Unable to open file " + scriptPath);
            }
            if (script == null) throw new SlurmOptionException("Unable to open file " + scriptPath);
        }
        checkScript(script);
        readDirectives(script, st);
        readEnvironment(ctx.environment(), st);
        parseOptions(args, 0, CLI, "", st, false);
        JobSubmission job = finish(st, script, scriptPath, rest.isEmpty() ? List.of() : rest.subList(1, rest.size()));
        return new Result(Action.SUBMIT, job, st.parsable, st.testOnly, st.waitForEnd, st.verbose, st.quiet);
    }

    // ------------------------------------------------------------------------------------------- script

    static void checkScript(String script) throws SlurmOptionException {
        if (script.isEmpty()) throw new SlurmOptionException("Batch script is empty!");
        if (script.isBlank()) throw new SlurmOptionException("Batch script contains only whitespace!");
        if (!script.startsWith("#!")) throw new SlurmOptionException(NOT_A_BATCH_SCRIPT);
        if (script.indexOf('\0') >= 0) {
            throw new SlurmOptionException("The Slurm controller does not allow scripts that contain a NULL character '\\0'.");
        }
        if (script.contains("\r\n")) {
            throw new SlurmOptionException("Batch script contains DOS line breaks (\\r\\n)\n"
                    + "instead of expected UNIX line breaks (\\n).");
        }
    }

    private static void readDirectives(String script, State st) throws SlurmOptionException {
        int start = script.indexOf('\n') + 1; // after the #! line
        int lineNo = 1;
        while (start > 0 && start < script.length()) {
            int end = script.indexOf('\n', start);
            if (end < 0) end = script.length();
            String line = script.substring(start, end);
            start = end + 1;
            lineNo++;
            if (line.startsWith("#SBATCH")) {
                String where = "script line " + lineNo + ": ";
                List<String> tokens = tokenize(line.substring(7), where);
                if (!tokens.isEmpty() && (tokens.get(0).equals("hetjob") || tokens.get(0).equals("packjob"))) {
                    throw new SlurmOptionException(where + "heterogeneous jobs (#SBATCH " + tokens.get(0) + ") are not supported yet");
                }
                int stop = parseOptions(tokens, 0, SCRIPT, where, st, false);
                if (stop < tokens.size()) {
                    throw new SlurmOptionException(where + "invalid directive found in batch script: " + tokens.get(stop));
                }
            } else if (!line.startsWith("#") && !line.isBlank()) {
                return;
            }
        }
    }

    /** Splits a directive into words: whitespace separates, quotes group, a word starting with '#' ends the line. */
    static List<String> tokenize(String s, String where) throws SlurmOptionException {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean in = false;
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == quote) quote = 0;
                else cur.append(c);
            } else if (Character.isWhitespace(c)) {
                if (in) {
                    out.add(cur.toString());
                    cur.setLength(0);
                    in = false;
                }
            } else if (c == '#' && !in) {
                break;
            } else if (c == '"' || c == '\'') {
                quote = c;
                in = true;
            } else if (c == '\\' && i + 1 < s.length()) {
                cur.append(s.charAt(++i));
                in = true;
            } else {
                cur.append(c);
                in = true;
            }
        }
        if (quote != 0) throw new SlurmOptionException(where + "unterminated " + quote + " quote");
        if (in) out.add(cur.toString());
        return out;
    }

    // ------------------------------------------------------------------------------ environment variables

    /** The {@code SBATCH_*} input variables sbatch reads, and the option each stands for. */
    private static final Map<String, String> INPUT_VARIABLES = new TreeMap<>(Map.ofEntries(
            Map.entry("SBATCH_ACCOUNT", "account"),
            Map.entry("SBATCH_ARRAY_INX", "array"),
            Map.entry("SBATCH_CONSTRAINT", "constraint"),
            Map.entry("SBATCH_CPUS_PER_GPU", "cpus-per-gpu"),
            Map.entry("SBATCH_DISTRIBUTION", "distribution"),
            Map.entry("SBATCH_EXCLUSIVE", "exclusive"),
            Map.entry("SBATCH_EXPORT", "export"),
            Map.entry("SBATCH_GET_USER_ENV", "get-user-env"),
            Map.entry("SBATCH_GPUS", "gpus"),
            Map.entry("SBATCH_GPUS_PER_NODE", "gpus-per-node"),
            Map.entry("SBATCH_GPUS_PER_TASK", "gpus-per-task"),
            Map.entry("SBATCH_GRES", "gres"),
            Map.entry("SBATCH_HINT", "hint"),
            Map.entry("SBATCH_JOB_NAME", "job-name"),
            Map.entry("SBATCH_MEM_PER_CPU", "mem-per-cpu"),
            Map.entry("SBATCH_MEM_PER_GPU", "mem-per-gpu"),
            Map.entry("SBATCH_MEM_PER_NODE", "mem"),
            Map.entry("SBATCH_NO_REQUEUE", "no-requeue"),
            Map.entry("SBATCH_OPEN_MODE", "open-mode"),
            Map.entry("SBATCH_PARTITION", "partition"),
            Map.entry("SBATCH_QOS", "qos"),
            Map.entry("SBATCH_REQUEUE", "requeue"),
            Map.entry("SBATCH_RESERVATION", "reservation"),
            Map.entry("SBATCH_SIGNAL", "signal"),
            Map.entry("SBATCH_TIMELIMIT", "time"),
            Map.entry("SBATCH_WAIT", "wait")));

    private static void readEnvironment(Map<String, String> env, State st) throws SlurmOptionException {
        for (var e : INPUT_VARIABLES.entrySet()) {
            String value = env.get(e.getKey());
            if (value == null) continue;
            Opt opt = OPTIONS.get(e.getValue());
            String where = "environment variable " + e.getKey() + ": ";
            apply(opt, opt.arg == Arg.NONE || (opt.arg == Arg.OPTIONAL && value.isEmpty()) ? null : value, ENV, where, st);
        }
    }

    // ------------------------------------------------------------------------------------------- options

    private enum Arg { NONE, REQUIRED, OPTIONAL }

    /** @param supported false for an option Slurm has and Bottega does not support yet */
    private record Opt(String name, char shortName, Arg arg, boolean supported) {}

    /** An error whose message is complete: not prefixed with {@code --opt=value: }. */
    private static final class Complete extends IllegalArgumentException {
        Complete(String message) { super(message); }
    }

    private static final Map<String, Opt> OPTIONS = new LinkedHashMap<>();
    private static final Map<Character, Opt> SHORT = new LinkedHashMap<>();

    // The option table is plain data and handle() a switch, not lambdas: the command-line client starts a fresh
    // JVM for every sbatch, and each lambda costs a class spun at start-up.
    private static void opt(String name, char shortName, Arg arg) {
        add(new Opt(name, shortName, arg, true));
    }

    private static void unsupported(String name, char shortName, Arg arg) {
        add(new Opt(name, shortName, arg, false));
    }

    private static void add(Opt o) {
        OPTIONS.put(o.name, o);
        if (o.shortName != 0) SHORT.put(o.shortName, o);
    }

    static {
        opt("account", 'A', Arg.REQUIRED);
        opt("array", 'a', Arg.REQUIRED);
        opt("begin", 'b', Arg.REQUIRED);
        opt("chdir", 'D', Arg.REQUIRED);
        opt("comment", (char) 0, Arg.REQUIRED);
        opt("constraint", 'C', Arg.REQUIRED);
        opt("cpus-per-gpu", (char) 0, Arg.REQUIRED);
        opt("cpus-per-task", 'c', Arg.REQUIRED);
        opt("deadline", (char) 0, Arg.REQUIRED);
        opt("dependency", 'd', Arg.REQUIRED);
        opt("distribution", 'm', Arg.REQUIRED);
        opt("error", 'e', Arg.REQUIRED);
        opt("exclude", 'x', Arg.REQUIRED);
        opt("exclusive", (char) 0, Arg.OPTIONAL);
        opt("export", (char) 0, Arg.REQUIRED);
        opt("get-user-env", (char) 0, Arg.OPTIONAL);
        opt("gid", (char) 0, Arg.REQUIRED);
        opt("gpus", 'G', Arg.REQUIRED);
        opt("gpus-per-node", (char) 0, Arg.REQUIRED);
        opt("gpus-per-task", (char) 0, Arg.REQUIRED);
        opt("gres", (char) 0, Arg.REQUIRED);
        opt("help", 'h', Arg.NONE);
        opt("hint", (char) 0, Arg.REQUIRED);
        opt("hold", 'H', Arg.NONE);
        opt("input", 'i', Arg.REQUIRED);
        opt("job-name", 'J', Arg.REQUIRED);
        opt("kill-on-invalid-dep", (char) 0, Arg.REQUIRED);
        opt("mail-type", (char) 0, Arg.REQUIRED);
        opt("mail-user", (char) 0, Arg.REQUIRED);
        opt("mem", (char) 0, Arg.REQUIRED);
        opt("mem-per-cpu", (char) 0, Arg.REQUIRED);
        opt("mem-per-gpu", (char) 0, Arg.REQUIRED);
        opt("nice", (char) 0, Arg.OPTIONAL);
        opt("no-requeue", (char) 0, Arg.NONE);
        opt("nodelist", 'w', Arg.REQUIRED);
        opt("nodes", 'N', Arg.REQUIRED);
        opt("ntasks", 'n', Arg.REQUIRED);
        opt("ntasks-per-gpu", (char) 0, Arg.REQUIRED);
        opt("ntasks-per-node", (char) 0, Arg.REQUIRED);
        opt("open-mode", (char) 0, Arg.REQUIRED);
        opt("output", 'o', Arg.REQUIRED);
        opt("parsable", (char) 0, Arg.NONE);
        opt("partition", 'p', Arg.REQUIRED);
        opt("priority", (char) 0, Arg.REQUIRED);
        opt("propagate", (char) 0, Arg.OPTIONAL);
        opt("qos", 'q', Arg.REQUIRED);
        opt("quiet", 'Q', Arg.NONE);
        opt("requeue", (char) 0, Arg.NONE);
        opt("reservation", (char) 0, Arg.REQUIRED);
        opt("signal", (char) 0, Arg.REQUIRED);
        opt("switches", (char) 0, Arg.REQUIRED);
        opt("test-only", (char) 0, Arg.NONE);
        opt("threads-per-core", (char) 0, Arg.REQUIRED);
        opt("time", 't', Arg.REQUIRED);
        opt("time-min", (char) 0, Arg.REQUIRED);
        opt("uid", (char) 0, Arg.REQUIRED);
        opt("usage", (char) 0, Arg.NONE);
        opt("verbose", 'v', Arg.NONE);
        opt("version", 'V', Arg.NONE);
        opt("wait", 'W', Arg.NONE);
        opt("wrap", (char) 0, Arg.REQUIRED);

        unsupported("acctg-freq", (char) 0, Arg.REQUIRED);
        unsupported("batch", (char) 0, Arg.REQUIRED);
        unsupported("bb", (char) 0, Arg.REQUIRED);
        unsupported("bbf", (char) 0, Arg.REQUIRED);
        unsupported("cluster-constraint", (char) 0, Arg.REQUIRED);
        unsupported("clusters", 'M', Arg.REQUIRED);
        unsupported("container", (char) 0, Arg.REQUIRED);
        unsupported("core-spec", 'S', Arg.REQUIRED);
        unsupported("cores-per-socket", (char) 0, Arg.REQUIRED);
        unsupported("cpu-freq", (char) 0, Arg.REQUIRED);
        unsupported("delay-boot", (char) 0, Arg.REQUIRED);
        unsupported("export-file", (char) 0, Arg.REQUIRED);
        unsupported("extra-node-info", 'B', Arg.REQUIRED);
        unsupported("gpu-bind", (char) 0, Arg.REQUIRED);
        unsupported("gpu-freq", (char) 0, Arg.REQUIRED);
        unsupported("gpus-per-socket", (char) 0, Arg.REQUIRED);
        unsupported("gres-flags", (char) 0, Arg.REQUIRED);
        unsupported("ignore-pbs", (char) 0, Arg.NONE);
        unsupported("licenses", 'L', Arg.REQUIRED);
        unsupported("mcs-label", (char) 0, Arg.REQUIRED);
        unsupported("mem-bind", (char) 0, Arg.REQUIRED);
        unsupported("mincpus", (char) 0, Arg.REQUIRED);
        unsupported("network", (char) 0, Arg.REQUIRED);
        unsupported("no-kill", 'k', Arg.OPTIONAL);
        unsupported("nodefile", 'F', Arg.REQUIRED);
        unsupported("ntasks-per-core", (char) 0, Arg.REQUIRED);
        unsupported("ntasks-per-socket", (char) 0, Arg.REQUIRED);
        unsupported("overcommit", 'O', Arg.NONE);
        unsupported("oversubscribe", 's', Arg.NONE);
        unsupported("power", (char) 0, Arg.REQUIRED);
        unsupported("prefer", (char) 0, Arg.REQUIRED);
        unsupported("profile", (char) 0, Arg.REQUIRED);
        unsupported("reboot", (char) 0, Arg.NONE);
        unsupported("sockets-per-node", (char) 0, Arg.REQUIRED);
        unsupported("spread-job", (char) 0, Arg.NONE);
        unsupported("thread-spec", (char) 0, Arg.REQUIRED);
        unsupported("tmp", (char) 0, Arg.REQUIRED);
        unsupported("tres-per-task", (char) 0, Arg.REQUIRED);
        unsupported("use-min-nodes", (char) 0, Arg.NONE);
        unsupported("wckey", (char) 0, Arg.REQUIRED);
    }

    /** Applies one option's value ({@code null} when none was given); throws IllegalArgumentException with the reason. */
    private static void handle(State st, String name, String v, int l) {
        switch (name) {
            case "account" -> st.b.account(v);
            case "array" -> st.b.array(v).arraySpec(JobArrays.parse(v, st.ctx.maxArraySize()));
            case "begin" -> st.b.beginTime(SlurmTime.parseBegin(v, st.ctx.now(), st.ctx.zone()));
            case "chdir" -> st.chdir = nonEmpty(v);
            case "comment" -> st.b.comment(v);
            case "constraint" -> st.b.constraints(constraints(v));
            case "cpus-per-gpu" -> st.b.cpusPerGpu(count(st, v, 1));
            case "cpus-per-task" -> st.b.cpusPerTask(count(st, v, 1));
            case "deadline" -> st.b.deadline(SlurmTime.parseBegin(v, st.ctx.now(), st.ctx.zone()));
            case "dependency" -> {
                Dependencies.Parsed p = Dependencies.parse(v);
                st.b.dependency(v).dependencies(p.dependencies()).dependencyAnyOf(p.anyOf());
            }
            case "distribution" -> st.b.distribution(distribution(v));
            case "error" -> st.b.stderrPath(nonEmpty(v));
            case "exclude" -> st.b.excludeNodes(nodeNames(v));
            case "exclusive" -> {
                if (v != null && !v.isEmpty()) throw new Complete("--exclusive=" + v + " is not supported yet, only --exclusive");
                st.b.exclusive(true);
            }
            case "export" -> st.b.export(nonEmpty(v));
            case "get-user-env" -> {
                if (v != null && !getUserEnvValue(v)) throw new IllegalArgumentException("expected [timeout][S|L]");
                st.b.getUserEnv(true);
            }
            case "gid" -> st.b.gid(nonEmpty(v));
            case "gpus" -> st.b.gpus(st.gpuCount(GpuSlot.JOB, v));
            case "gpus-per-node" -> st.b.gpusPerNode(st.gpuCount(GpuSlot.NODE, v));
            case "gpus-per-task" -> st.b.gpusPerTask(st.gpuCount(GpuSlot.TASK, v));
            case "gres" -> st.b.gpusPerNode(st.gres(v));
            case "help" -> st.action = Action.HELP;
            case "hint" -> st.b.hint(oneOf(v, "nomultithread", "multithread", "compute_bound", "memory_bound"));
            case "hold" -> st.b.hold(true);
            case "input" -> st.b.stdinPath(nonEmpty(v));
            case "job-name" -> st.b.jobName(v);
            case "kill-on-invalid-dep" -> st.b.killOnInvalidDep(oneOf(v, "yes", "no"));
            case "mail-type" -> st.b.mailType(mailTypes(v));
            case "mail-user" -> st.b.mailUser(v);
            case "mem" -> st.memory(MEM, MemorySize.parseMb(v), l);
            case "mem-per-cpu" -> st.memory(MEM_PER_CPU, MemorySize.parseMb(v), l);
            case "mem-per-gpu" -> st.memory(MEM_PER_GPU, MemorySize.parseMb(v), l);
            case "nice" -> st.b.nice(nice(v));
            case "no-requeue" -> st.b.requeue("no");
            case "nodelist" -> st.b.nodeList(nodeNames(v));
            case "nodes" -> st.nodes(v);
            case "ntasks" -> st.b.ntasks(count(st, v, 1));
            case "ntasks-per-gpu" -> st.b.ntasksPerGpu(count(st, v, 1));
            case "ntasks-per-node" -> st.b.ntasksPerNode(count(st, v, 1));
            case "open-mode" -> st.b.openMode(openMode(v));
            case "output" -> st.b.stdoutPath(nonEmpty(v));
            case "parsable" -> st.parsable = true;
            case "partition" -> st.b.partition(v);
            case "priority" -> st.b.priority(priority(v));
            case "propagate" -> st.b.propagate(propagate(v));
            case "qos" -> st.b.qos(v);
            case "quiet" -> st.quiet = true;
            case "requeue" -> st.b.requeue("yes");
            case "reservation" -> st.b.reservation(v);
            case "signal" -> st.signal(v);
            case "switches" -> st.switches(v);
            case "test-only" -> st.testOnly = true;
            case "threads-per-core" -> st.b.threadsPerCore(count(st, v, 1));
            case "time" -> st.b.timeLimit(SlurmTime.parseTimeLimit(v));
            case "time-min" -> st.b.timeMin(SlurmTime.parseTimeLimit(v));
            case "uid" -> st.b.uid(nonEmpty(v));
            case "usage" -> st.action = Action.USAGE;
            case "verbose" -> st.verbose++;
            case "version" -> st.action = Action.VERSION;
            case "wait" -> st.waitForEnd = true;
            case "wrap" -> {
                if (l != CLI) throw new Complete("--wrap is only allowed on the command line");
                st.wrap = nonEmpty(v);
            }
            default -> throw new IllegalStateException("no handler for --" + name);
        }
    }

    /** The long options Bottega's sbatch accepts (for help and tests). */
    public static Set<String> supportedOptions() {
        Set<String> s = new LinkedHashSet<>();
        for (Opt o : OPTIONS.values()) if (o.supported) s.add(o.name);
        return s;
    }

    /** Whether a long option takes a value: none, required or optional (for tests). */
    static String argumentOf(String name) {
        return OPTIONS.get(name).arg.name().toLowerCase(Locale.ROOT);
    }

    /**
     * getopt-style parsing from {@code start}; returns the index of the first argument that is not an option
     * (the script name on the command line). With {@code probeOnly}, applies only --help, --usage, --version,
     * -v, -Q and --wrap, and validates nothing else.
     */
    private static int parseOptions(List<String> args, int start, int level, String where, State st, boolean probeOnly)
            throws SlurmOptionException {
        int i = start;
        while (i < args.size()) {
            String a = args.get(i);
            if (a.equals("--")) return i + 1;
            if (a.startsWith("--")) {
                int eq = a.indexOf('=');
                String name = eq < 0 ? a.substring(2) : a.substring(2, eq);
                Opt o = lookupLong(name, where);
                String value = eq < 0 ? null : a.substring(eq + 1);
                if (o.arg == Arg.NONE && value != null) {
                    throw new SlurmOptionException(where + "option '--" + o.name + "' doesn't allow an argument");
                }
                if (o.arg == Arg.REQUIRED && value == null) {
                    if (i + 1 >= args.size()) throw new SlurmOptionException(where + "option '--" + o.name + "' requires an argument");
                    value = args.get(++i);
                }
                applyOrProbe(o, value, level, where, st, probeOnly);
                i++;
            } else if (a.startsWith("-") && a.length() > 1) {
                int k = 1;
                while (k < a.length()) {
                    char c = a.charAt(k);
                    Opt o = SHORT.get(c);
                    if (o == null) throw new SlurmOptionException(where + "invalid option -- '" + c + "'");
                    String value = null;
                    if (o.arg != Arg.NONE) {
                        if (k + 1 < a.length()) {
                            value = a.substring(k + 1);
                        } else if (o.arg == Arg.REQUIRED) {
                            if (i + 1 >= args.size()) throw new SlurmOptionException(where + "option requires an argument -- '" + c + "'");
                            value = args.get(++i);
                        }
                        k = a.length();
                    } else {
                        k++;
                    }
                    applyOrProbe(o, value, level, where, st, probeOnly);
                }
                i++;
            } else {
                return i;
            }
        }
        return i;
    }

    private static Opt lookupLong(String name, String where) throws SlurmOptionException {
        Opt exact = OPTIONS.get(name);
        if (exact != null) return exact;
        List<Opt> candidates = new ArrayList<>();
        if (!name.isEmpty()) for (Opt o : OPTIONS.values()) if (o.name.startsWith(name)) candidates.add(o);
        if (candidates.size() == 1) return candidates.get(0);
        if (candidates.isEmpty()) throw new SlurmOptionException(where + "unrecognized option '--" + name + "'");
        StringBuilder sb = new StringBuilder(where + "option '--" + name + "' is ambiguous; possibilities:");
        for (Opt o : candidates) sb.append(" '--").append(o.name).append('\'');
        throw new SlurmOptionException(sb.toString());
    }

    private static void applyOrProbe(Opt o, String value, int level, String where, State st, boolean probeOnly)
            throws SlurmOptionException {
        if (!probeOnly) {
            apply(o, value, level, where, st);
            return;
        }
        switch (o.name) {
            case "help", "usage", "version", "verbose", "quiet" -> apply(o, value, level, where, st);
            case "wrap" -> st.wrap = value;
            default -> { }
        }
    }

    private static void apply(Opt o, String value, int level, String where, State st) throws SlurmOptionException {
        if (!o.supported) throw new SlurmOptionException(where + "--" + o.name + " is not supported yet");
        st.option = o.name;
        try {
            handle(st, o.name, value, level);
        } catch (Complete e) {
            throw new SlurmOptionException(where + e.getMessage());
        } catch (IllegalArgumentException e) {
            String shown = value == null ? "--" + o.name : "--" + o.name + "=" + value;
            throw new SlurmOptionException(where + shown + ": " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------------------------ value parsers

    /** 1 to {@code max} ASCII digits. */
    static boolean digits(String s, int max) {
        if (s.isEmpty() || s.length() > max) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return false;
        }
        return true;
    }

    /** A non-empty name of ASCII letters, digits and the {@code extra} characters. */
    static boolean name(String s, String extra) {
        if (s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || extra.indexOf(c) >= 0;
            if (!ok) return false;
        }
        return true;
    }

    /** {@code --get-user-env=[timeout][S|L]}. */
    private static boolean getUserEnvValue(String v) {
        String d = v.endsWith("S") || v.endsWith("s") || v.endsWith("L") || v.endsWith("l") ? v.substring(0, v.length() - 1) : v;
        return d.isEmpty() || digits(d, 6);
    }

    private static String nonEmpty(String v) {
        if (v.isEmpty()) throw new IllegalArgumentException("must not be empty");
        return v;
    }

    private static int count(State st, String v, int min) {
        String name = st.option;
        String t = v.trim();
        if (!digits(t, 9)) throw new Complete("invalid --" + name + " value '" + v + "'");
        int n = Integer.parseInt(t);
        if (n < min) throw new Complete("invalid --" + name + " value '" + v + "': must be at least " + min);
        return n;
    }

    private static List<String> constraints(String v) {
        if (v.indexOf('|') >= 0) throw new IllegalArgumentException("OR-lists ('|') are not supported yet, only features joined with '&' or ','");
        for (char c : new char[] {'[', ']', '(', ')', '*'}) {
            if (v.indexOf(c) >= 0) throw new IllegalArgumentException("'" + c + "' is not supported yet, only features joined with '&' or ','");
        }
        List<String> out = new ArrayList<>();
        for (String f : v.replace('&', ',').split(",", -1)) {
            String t = f.trim();
            if (t.isEmpty()) throw new IllegalArgumentException("empty feature name");
            if (!name(t, "_.:+-")) throw new IllegalArgumentException("invalid feature name '" + t + "'");
            if (!out.contains(t)) out.add(t);
        }
        return out;
    }

    private static String nodeNames(String v) {
        String t = v.trim();
        if (t.isEmpty()) throw new IllegalArgumentException("no node names given");
        if (t.indexOf('/') >= 0) throw new IllegalArgumentException("reading node names from a file is not supported yet");
        return t;
    }

    private static String oneOf(String v, String... allowed) {
        String t = v.trim().toLowerCase(Locale.ROOT);
        for (String a : allowed) if (a.equals(t)) return a;
        throw new IllegalArgumentException("expected " + String.join(", ", allowed));
    }

    private static final List<String> MAIL_TYPES = List.of("NONE", "BEGIN", "END", "FAIL", "REQUEUE", "ALL",
            "INVALID_DEPEND", "STAGE_OUT", "TIME_LIMIT", "TIME_LIMIT_90", "TIME_LIMIT_80", "TIME_LIMIT_50", "ARRAY_TASKS");

    private static List<String> mailTypes(String v) {
        List<String> out = new ArrayList<>();
        for (String t : v.split(",", -1)) {
            String u = t.trim().toUpperCase(Locale.ROOT);
            if (!MAIL_TYPES.contains(u)) {
                throw new IllegalArgumentException("invalid mail type '" + t + "', expected " + String.join(", ", MAIL_TYPES));
            }
            if (!out.contains(u)) out.add(u);
        }
        return out;
    }

    private static String openMode(String v) {
        String t = v.trim().toLowerCase(Locale.ROOT);
        if (t.equals("a") || t.equals("append")) return "append";
        if (t.equals("t") || t.equals("truncate")) return "truncate";
        throw new IllegalArgumentException("expected append or truncate");
    }

    private static int nice(String v) {
        if (v == null || v.isEmpty()) return 100;
        String d = v.startsWith("+") || v.startsWith("-") ? v.substring(1) : v;
        if (!digits(d, 10)) throw new IllegalArgumentException("expected a number");
        long n = Long.parseLong(v);
        if (Math.abs(n) > 2147483645L) throw new IllegalArgumentException("nice value must be between -2147483645 and 2147483645");
        return (int) n;
    }

    private static long priority(String v) {
        if (v.equalsIgnoreCase("TOP")) throw new IllegalArgumentException("TOP is not supported yet");
        if (!digits(v, 10)) throw new IllegalArgumentException("expected a non-negative number");
        long n = Long.parseLong(v);
        if (n >= 4294967294L) throw new IllegalArgumentException("priority must be below 4294967294");
        return n;
    }

    private static final List<String> RLIMITS = List.of("ALL", "NONE", "AS", "CORE", "CPU", "DATA", "FSIZE", "MEMLOCK",
            "NOFILE", "NPROC", "RSS", "STACK");

    private static String propagate(String v) {
        if (v == null || v.isEmpty()) return "ALL";
        List<String> out = new ArrayList<>();
        for (String t : v.split(",", -1)) {
            String u = t.trim().toUpperCase(Locale.ROOT);
            if (!RLIMITS.contains(u)) throw new IllegalArgumentException("invalid rlimit '" + t + "', expected " + String.join(", ", RLIMITS));
            out.add(u);
        }
        return String.join(",", out);
    }

    private static String distribution(String v) {
        String t = v.trim();
        int end = 0;
        while (end < t.length() && t.charAt(end) != ':' && t.charAt(end) != ',') end++;
        String first = t.substring(0, end).toLowerCase(Locale.ROOT);
        boolean ok = first.equals("*") || first.equals("block") || first.equals("cyclic") || first.equals("arbitrary")
                || (first.startsWith("plane=") && digits(first.substring(6), 9));
        if (!ok) throw new IllegalArgumentException("expected block, cyclic, arbitrary, plane=<size> or *, then optional :levels and ,Pack|NoPack");
        return t;
    }

    private static final List<String> SIGNALS = List.of("", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE",
            "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN",
            "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS");

    /** A signal name ({@code USR1}, {@code SIGUSR1}) or number, as its Linux number. */
    static int signalNumber(String s) {
        String u = s.trim().toUpperCase(Locale.ROOT);
        if (digits(u, 2)) {
            int n = Integer.parseInt(u);
            if (n >= 1 && n < SIGNALS.size()) return n;
        } else {
            if (u.startsWith("SIG")) u = u.substring(3);
            int n = SIGNALS.indexOf(u);
            if (n > 0) return n;
        }
        throw new IllegalArgumentException("unknown signal '" + s + "'");
    }

    // ------------------------------------------------------------------------------------ parser state

    private static final String[] MEM_NAMES = {"--mem", "--mem-per-cpu", "--mem-per-gpu"};

    private enum GpuSlot { JOB, NODE, TASK }

    private static final class State {
        final Context ctx;
        final JobSubmission.Builder b = JobSubmission.builder();
        Action action = Action.SUBMIT;
        boolean parsable, testOnly, waitForEnd, quiet;
        int verbose;
        String wrap = "";
        String chdir = "";
        /** the option being applied, for the messages of shared value parsers */
        String option = "";
        final long[] mem = {0, 0, 0};
        final int[] memLevel = {-1, -1, -1};
        final String[] gpuType = {"", "", ""};

        State(Context ctx) {
            this.ctx = ctx;
        }

        void memory(int which, long mb, int level) {
            mem[which] = mb;
            memLevel[which] = level;
        }

        int gpuCount(GpuSlot slot, String v) {
            String t = v.trim();
            int colon = t.lastIndexOf(':');
            String type = colon < 0 ? "" : t.substring(0, colon);
            String n = colon < 0 ? t : t.substring(colon + 1);
            if (type.startsWith("gpu:")) type = type.substring(4);
            else if (type.equals("gpu")) type = "";
            if ((colon >= 0 && !type.isEmpty() && !name(type, "_.-")) || (colon >= 0 && t.substring(0, colon).isEmpty())
                    || !digits(n, 6)) throw new IllegalArgumentException("expected [type:]count");
            gpuType[slot.ordinal()] = type;
            return Integer.parseInt(n);
        }

        int gres(String v) {
            String t = v.trim();
            if (t.equalsIgnoreCase("none")) {
                gpuType[GpuSlot.NODE.ordinal()] = "";
                return 0;
            }
            int count = -1;
            for (String item : t.split(",", -1)) {
                String g = item.trim();
                if (g.startsWith("gres/") || g.startsWith("gres:")) g = g.substring(5);
                String[] f = g.split(":", -1);
                if (!f[0].equals("gpu")) {
                    throw new IllegalArgumentException(f[0].isEmpty() ? "empty generic resource"
                            : "generic resource '" + f[0] + "' is not supported yet, only gpu[:type][:count]");
                }
                if (count >= 0) throw new IllegalArgumentException("gpu is given more than once");
                String type = "";
                String n = "1";
                if (f.length == 2) {
                    if (digits(f[1], 6)) n = f[1];
                    else type = f[1];
                } else if (f.length == 3) {
                    type = f[1];
                    n = f[2];
                } else if (f.length > 3) {
                    throw new IllegalArgumentException("expected gpu[:type][:count]");
                }
                if (!digits(n, 6) || (f.length >= 2 && f[1].isEmpty()) || (!type.isEmpty() && !name(type, "_.-"))) {
                    throw new IllegalArgumentException("expected gpu[:type][:count]");
                }
                count = Integer.parseInt(n);
                gpuType[GpuSlot.NODE.ordinal()] = type;
            }
            return count;
        }

        void nodes(String v) {
            String t = v.trim();
            int dash = t.indexOf('-');
            String a = dash < 0 ? t : t.substring(0, dash);
            String z = dash < 0 ? "" : t.substring(dash + 1);
            if (!digits(a, 9) || (dash >= 0 && !digits(z, 9))) {
                throw new Complete("invalid --nodes value '" + v + "'");
            }
            int min = Integer.parseInt(a);
            int max = dash < 0 ? 0 : Integer.parseInt(z);
            if (min < 1) throw new Complete("invalid --nodes value '" + v + "': must be at least 1");
            if (dash >= 0 && max < min) throw new Complete("invalid --nodes value '" + v + "': the maximum is below the minimum");
            b.nodesMin(min).nodesMax(max);
        }

        void signal(String v) {
            String t = v.trim();
            String flags = "";
            int colon = t.indexOf(':');
            if (colon >= 0) {
                flags = t.substring(0, colon).toUpperCase(Locale.ROOT);
                if (!flags.equals("B") && !flags.equals("R") && !flags.equals("BR") && !flags.equals("RB")) throw new IllegalArgumentException("expected [{R|B}:]signal[@seconds]");
                t = t.substring(colon + 1);
            }
            int secs = 60;
            int at = t.indexOf('@');
            if (at >= 0) {
                String s = t.substring(at + 1);
                if (!digits(s, 5) || Integer.parseInt(s) > 65535) {
                    throw new IllegalArgumentException("the time before the limit must be 0-65535 seconds");
                }
                secs = Integer.parseInt(s);
                t = t.substring(0, at);
            }
            b.signal(signalNumber(t)).signalSeconds(secs).signalFlags(flags);
        }

        void switches(String v) {
            String t = v.trim();
            int at = t.indexOf('@');
            String n = at < 0 ? t : t.substring(0, at);
            if (!digits(n, 6)) throw new IllegalArgumentException("expected count[@max-time]");
            b.switches(Integer.parseInt(n));
            b.switchesMaxWait(at < 0 ? 0 : SlurmTime.parseDuration(t.substring(at + 1)));
        }
    }

    // ------------------------------------------------------------------------------------------ finishing

    private static JobSubmission finish(State st, String script, String scriptPath, List<String> scriptArgs)
            throws SlurmOptionException {
        JobSubmission.Builder b = st.b;
        Context ctx = st.ctx;
        // --mem, --mem-per-cpu, --mem-per-gpu: the highest level wins; two at that level are an error
        int top = Math.max(st.memLevel[MEM], Math.max(st.memLevel[MEM_PER_CPU], st.memLevel[MEM_PER_GPU]));
        if (top >= 0) {
            List<String> atTop = new ArrayList<>();
            for (int k = 0; k < 3; k++) if (st.memLevel[k] == top) atTop.add(MEM_NAMES[k]);
            if (atTop.size() > 1) {
                String where = top == SCRIPT ? "the script's #SBATCH lines" : top == ENV ? "the environment" : "the command line";
                throw new SlurmOptionException("--mem, --mem-per-cpu, and --mem-per-gpu are mutually exclusive ("
                        + String.join(" and ", atTop) + " in " + where + ")");
            }
            b.memPerNodeMb(st.memLevel[MEM] == top ? st.mem[MEM] : 0);
            b.memPerCpuMb(st.memLevel[MEM_PER_CPU] == top ? st.mem[MEM_PER_CPU] : 0);
            b.memPerGpuMb(st.memLevel[MEM_PER_GPU] == top ? st.mem[MEM_PER_GPU] : 0);
        }
        // one GPU type per job
        String type = "";
        int[] counts = {b.gpus(), b.gpusPerNode(), b.gpusPerTask()};
        for (int k = 0; k < 3; k++) {
            String t = st.gpuType[k];
            if (t.isEmpty() || counts[k] == 0) continue;
            if (!type.isEmpty() && !type.equals(t)) {
                throw new SlurmOptionException("GPU options ask for different GPU types: " + type + " and " + t);
            }
            type = t;
        }
        b.gpuType(type);

        b.script(script).scriptPath(scriptPath).scriptArgs(scriptArgs).wrap(st.wrap).submitDir(ctx.submitDir());
        b.workDir(st.chdir.isEmpty() ? ctx.submitDir() : resolve(ctx.submitDir(), st.chdir));
        if (b.jobName().isEmpty()) {
            b.jobName(!st.wrap.isEmpty() ? "wrap" : scriptPath.isEmpty() ? "sbatch" : baseName(scriptPath));
        }
        if (b.stdoutPath().isEmpty()) b.stdoutPath(FilenamePattern.defaultOutput(b.arraySpec().taskCount() > 0));
        if (b.stderrPath().isEmpty()) b.stderrPath(b.stdoutPath());
        if (b.stdinPath().isEmpty()) b.stdinPath("/dev/null");
        if (b.signal() == 0) b.signalSeconds(0);
        try {
            b.environment(exportEnvironment(b.export(), ctx.environment()));
        } catch (IllegalArgumentException e) {
            throw new SlurmOptionException("--export=" + b.export() + ": " + e.getMessage());
        }
        return b.build();
    }

    /**
     * The job's environment for an {@code --export} value: {@code ALL} (the default) is the user's whole
     * environment, where a {@code VAR=value} given beside ALL applies only if the user has no VAR (as
     * Slurm documents); {@code NONE} and a bare list ({@code VAR1,VAR2=x}) keep only the user's
     * {@code SLURM_*} variables plus those listed.
     */
    public static Map<String, String> exportEnvironment(String export, Map<String, String> user) {
        Map<String, String> env = new TreeMap<>();
        if (export.isEmpty()) {
            env.putAll(user);
            return env;
        }
        List<String> items = splitExport(export);
        String first = items.get(0).toUpperCase(Locale.ROOT);
        boolean all = first.equals("ALL");
        if (all || first.equals("NONE")) items = items.subList(1, items.size());
        if (all) env.putAll(user);
        else for (Map.Entry<String, String> e : user.entrySet()) if (e.getKey().startsWith("SLURM_")) env.put(e.getKey(), e.getValue());
        for (String item : items) {
            int eq = item.indexOf('=');
            String name = eq < 0 ? item : item.substring(0, eq);
            if (!name(name, "_") || (name.charAt(0) >= '0' && name.charAt(0) <= '9')) throw new IllegalArgumentException("invalid variable name '" + name + "'");
            if (eq < 0) {
                String v = user.get(name);
                if (v != null) env.put(name, v);
            } else if (!all || !user.containsKey(name)) {
                env.put(name, item.substring(eq + 1));
            }
        }
        return env;
    }

    private static List<String> splitExport(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == quote) quote = 0;
                else cur.append(c);
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        for (String item : out) if (item.isEmpty()) throw new IllegalArgumentException("empty item");
        return out;
    }

    /** {@code path} against {@code dir}, with {@code .} and {@code ..} removed (no file system access). */
    static String resolve(String dir, String path) {
        String joined = path.startsWith("/") ? path : dir + "/" + path;
        List<String> parts = new ArrayList<>();
        for (String p : joined.split("/", -1)) {
            if (p.isEmpty() || p.equals(".")) continue;
            if (p.equals("..")) {
                if (!parts.isEmpty()) parts.remove(parts.size() - 1);
            } else {
                parts.add(p);
            }
        }
        return "/" + String.join("/", parts);
    }

    private static String baseName(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? path : path.substring(slash + 1);
    }

    // --------------------------------------------------------------------------------------------- help

    /** What {@code sbatch --usage} prints. */
    public static String usage() {
        return """
                Usage: sbatch [-N nnodes] [-n ntasks] [-c ncpus] [-t minutes] [-p partition] [-A account]
                              [-q qos] [-J jobname] [-o out] [-e err] [-i in] [-D dir] [-a array] [-d type:jobid]
                              [-G [type:]gpus] [--gres=gpu[:type]:N] [--gpus-per-node=N] [--gpus-per-task=N]
                              [--mem=MB] [--mem-per-cpu=MB] [--mem-per-gpu=MB] [-C features] [--exclusive]
                              [-w hosts] [-x hosts] [--begin=time] [--export=ALL|NONE|VARS] [-H] [-W]
                              [--parsable] [--test-only] [--wrap=command] executable [args...]
                """;
    }

    /** What {@code sbatch --help} prints. */
    public static String help() {
        return """
                Usage: sbatch [OPTIONS...] executable [args...]

                Parallel run options:
                  -a, --array=indexes         job array index values (1-100%10, 1,3,5, 0-15:4)
                  -A, --account=name          charge job to specified account
                  -b, --begin=time            defer job until HH:MM, YYYY-MM-DD[THH:MM[:SS]] or now+count[unit]
                      --comment=name          arbitrary comment
                  -c, --cpus-per-task=ncpus   number of cpus required per task
                  -d, --dependency=type:jobid defer job until condition on jobid is satisfied
                      --deadline=time         remove the job if no ending possible before this deadline
                  -D, --chdir=directory       set working directory for batch script
                  -e, --error=err             file for batch script's standard error
                      --export=names          specify environment variables to export
                      --get-user-env          load environment from local cluster
                  -H, --hold                  submit job in held state
                  -i, --input=in              file for batch script's standard input
                  -J, --job-name=jobname      name of job
                      --kill-on-invalid-dep=yes|no  cancel the job if its dependency can never be met
                      --mail-type=type        notify on state change: BEGIN, END, FAIL or ALL
                      --mail-user=user        who to send email notification for job state changes
                  -N, --nodes=N               number of nodes on which to run (N = min[-max])
                      --nice[=value]          decrease scheduling priority by value
                  -n, --ntasks=ntasks         number of tasks to run
                      --ntasks-per-node=n     number of tasks to invoke on each node
                  -o, --output=out            file for batch script's standard output
                      --open-mode=append|truncate  how to open the output and error files
                  -p, --partition=partition   partition requested
                      --parsable              outputs only the jobid
                      --priority=value        set the priority of the job to value
                      --propagate[=rlimits]   propagate all [or specific list of] rlimits
                  -q, --qos=qos               quality of service
                  -Q, --quiet                 quiet mode (suppress informational messages)
                      --requeue, --no-requeue whether the job may be requeued
                      --reservation=name      allocate resources from named reservation
                      --signal=[B:]num[@time] send signal when time limit within time seconds
                      --switches=max-switches{@max-time-to-wait}  optimum switches and max time to wait
                  -t, --time=minutes          time limit (minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS)
                      --time-min=minutes      minimum time limit (if distinct)
                      --test-only             report when the job would start, submit nothing
                  -v, --verbose               verbose mode (multiple -v's increase verbosity)
                  -W, --wait                  wait for completion of submitted job
                      --wrap[=command string] wrap command string in a sh script and submit

                Constraint options:
                  -C, --constraint=list       specify a list of constraints (joined with & or ,)
                      --mem=MB                minimum amount of real memory (0: all of each node)
                      --mem-per-cpu=MB        maximum amount of real memory per allocated cpu
                      --hint=                 nomultithread, multithread, compute_bound or memory_bound
                  -w, --nodelist=hosts...     request a specific list of hosts
                  -x, --exclude=hosts...      exclude a specific list of hosts
                      --exclusive             allocate nodes in exclusive mode
                      --threads-per-core=n    number of threads per core to allocate
                  -m, --distribution=type     distribution method for processes to nodes

                GPU scheduling options:
                      --cpus-per-gpu=n        number of CPUs required per allocated GPU
                  -G, --gpus=n                count of GPUs required for the job ([type:]n)
                      --gpus-per-node=n       number of GPUs required per allocated node
                      --gpus-per-task=n       number of GPUs required per spawned task
                      --gres=gpu[:type][:n]   GPUs required per node
                      --mem-per-gpu=n         real memory required per allocated GPU
                      --ntasks-per-gpu=n      number of tasks to invoke for each GPU

                Help options:
                  -h, --help                  show this help message
                      --usage                 display brief usage message
                  -V, --version               output version information and exit
                """;
    }

}
