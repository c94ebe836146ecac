package io.bottega.cli.slurm;

import io.bottega.api.JobView;
import io.bottega.api.slurm.JobSort;
import io.bottega.api.slurm.SlurmJson;
import io.bottega.api.slurm.SqueueFormat;
import io.bottega.api.slurm.SqueueRows;
import io.bottega.cli.http.ApiClient;
import io.bottega.cli.http.ApiException;
import io.bottega.cli.http.Response;
import io.bottega.cli.http.Wire;
import io.bottega.cli.slurm.Getopt.Arg;
import io.bottega.core.model.Hostlist;

import java.io.PrintStream;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code squeue}: the jobs in the queue, in Slurm's formats. Without {@code -t} it shows the jobs still in the
 * queue (pending, running, ...); the pending tasks of an array share one line ({@code 120_[4-9]}) unless
 * {@code -r}. Exit codes: 0, or 1 for a bad option or when the controller cannot be asked.
 */
final class Squeue {
    static final String PROG = "squeue";

    private Squeue() {}

    private static Getopt options() {
        return new Getopt(PROG)
                .opt("accounts", 'A', Arg.REQUIRED)
                .opt("all", 'a', Arg.NONE)
                .opt("array", 'r', Arg.NONE)
                .opt("Format", 'O', Arg.REQUIRED)
                .opt("format", 'o', Arg.REQUIRED)
                .opt("help", Arg.NONE)
                .opt("helpstate", Arg.NONE)
                .opt("hide", Arg.NONE)
                .opt("iterate", 'i', Arg.REQUIRED)
                .opt("jobs", 'j', Arg.OPTIONAL)
                .opt("long", 'l', Arg.NONE)
                .opt("me", Arg.NONE)
                .opt("name", 'n', Arg.REQUIRED)
                .opt("noconvert", Arg.NONE)
                .opt("nodelist", 'w', Arg.REQUIRED)
                .opt("nodes", 'w', Arg.REQUIRED)
                .opt("noheader", 'h', Arg.NONE)
                .opt("notme", Arg.NONE)
                .opt("partition", 'p', Arg.REQUIRED)
                .opt("partitions", 'p', Arg.REQUIRED)
                .opt("qos", 'q', Arg.REQUIRED)
                .opt("reservation", 'R', Arg.REQUIRED)
                .opt("sort", 'S', Arg.REQUIRED)
                .opt("start", Arg.NONE)
                .opt("states", 't', Arg.REQUIRED)
                .opt("usage", Arg.NONE)
                .opt("user", 'u', Arg.REQUIRED)
                .opt("users", 'u', Arg.REQUIRED)
                .opt("verbose", 'v', Arg.NONE)
                .opt("version", 'V', Arg.NONE)
                .opt("json", Arg.OPTIONAL)
                .unsupported("clusters", 'M', Arg.REQUIRED)
                .unsupported("federation", Arg.NONE)
                .unsupported("licenses", 'L', Arg.REQUIRED)
                .unsupported("local", Arg.NONE)
                .unsupported("priority", 'P', Arg.NONE)
                .unsupported("sibling", Arg.NONE)
                .unsupported("steps", 's', Arg.OPTIONAL)
                .unsupported("yaml", Arg.OPTIONAL);
    }

    /** What the command line asks for. */
    static final class Request {
        String format;
        String formatLong;
        String sort;
        boolean longList, noHeader, start, array, json, notme, jobFlag, allStates;
        int iterate;
        int verbose;
        final List<String> users = new ArrayList<>();
        final List<String> states = new ArrayList<>();
        final List<String> partitions = new ArrayList<>();
        final List<String> names = new ArrayList<>();
        final List<String> accounts = new ArrayList<>();
        final List<String> qos = new ArrayList<>();
        final List<String> reservations = new ArrayList<>();
        final List<JobIds.Id> jobs = new ArrayList<>();
        Set<String> nodes;
        String nodesArg;
    }

    static int run(Io io, String[] argv) {
        Getopt opts = options();
        Request q = new Request();
        try {
            Getopt.Result r = opts.parse(argv, false);
            Integer done = parse(io, opts, r, q);
            if (done != null) return done;
        } catch (Getopt.UsageError e) {
            return Getopt.report(io, e);
        }
        SqueueFormat fmt;
        String sortSpec = q.sort != null ? q.sort : q.start ? JobSort.START : JobSort.DEFAULT;
        try {
            fmt = q.formatLong != null ? SqueueFormat.parseFields(q.formatLong)
                    : q.format != null ? SqueueFormat.parse(q.format) : SqueueFormat.standard(q.longList, q.start);
            JobSort.parse(sortSpec, 0);
        } catch (IllegalArgumentException e) {
            return io.fail(PROG, e.getMessage());
        }
        ApiClient api;
        String me;
        try {
            api = io.api();
            io.resolveMe(q.users, api);
            me = q.notme ? io.me(api) : io.user;
        } catch (ApiException e) {
            return io.fail(PROG, e.getMessage());
        }
        String path = "/jobs" + query(q);
        // the controller prints the rows (GET /squeue), unless the full JSON is asked for, or one job (whose absence
        // is an error); BOTTEGA_SQUEUE_RENDER=client formats them here, from GET /jobs, as a controller without /squeue
        String rowsPath = q.json || q.jobs.size() == 1 || "client".equals(io.env.get("BOTTEGA_SQUEUE_RENDER")) ? null
                : "/squeue" + rowsQuery(io, q, sortSpec, me);
        boolean first = true;
        boolean dated = !q.json && (q.longList || (q.iterate > 0 && q.verbose > 0));
        while (true) {
            if (dated) io.out.println(Cli.dateLine(io.nowSeconds(), io.zone()));
            int rc = SERVED_HERE;
            if (rowsPath != null) {
                rc = printRows(io, api, rowsPath);
                if (rc == SERVED_HERE) rowsPath = null; // a controller without /squeue
            }
            if (rc == SERVED_HERE) rc = once(io, api, path, q, fmt, JobSort.parse(sortSpec, io.nowSeconds()), first, me);
            first = false;
            if (q.iterate == 0 || rc != 0) return rc;
            io.out.println();
            io.out.flush();
            if (!io.sleeper.sleep(q.iterate * 1000L)) return 0;
        }
    }

    /** Reads the options into {@code q}; returns an exit code when the command is already done (help, errors). */
    private static Integer parse(Io io, Getopt opts, Getopt.Result r, Request q) throws Getopt.UsageError {
        boolean overrideFormatEnv = false;
        String statesArg = null;
        String jobsArg = null;
        q.array = io.env.containsKey("SQUEUE_ARRAY");
        q.sort = io.env.get("SQUEUE_SORT");
        for (Getopt.Option o : r.options()) {
            String v = o.value();
            switch (o.name()) {
                case "accounts" -> Cli.addCsv(q.accounts, v);
                case "all", "hide", "noconvert" -> { }
                case "array" -> q.array = true;
                case "Format" -> {
                    if (q.format != null) throw opts.error("-O (--Format) is incompatible with -o (--format)");
                    q.formatLong = v;
                    overrideFormatEnv = true;
                }
                case "format" -> {
                    if (q.formatLong != null) throw opts.error("-o (--format) is incompatible with -O (--Format)");
                    q.format = v;
                    overrideFormatEnv = true;
                }
                case "help" -> {
                    io.out.print(HELP);
                    return 0;
                }
                case "usage" -> {
                    io.out.print(USAGE);
                    return 0;
                }
                case "helpstate" -> {
                    io.out.println(JobStates.validList().replace(',', '\n'));
                    return 0;
                }
                case "version" -> {
                    io.out.println(Cli.versionLine());
                    return 0;
                }
                case "iterate" -> {
                    Integer n = Cli.positive(v);
                    if (n == null) throw new Getopt.UsageError(PROG, PROG + ": error: --iterate=" + v, false);
                    q.iterate = n;
                }
                case "jobs" -> {
                    q.jobFlag = true;
                    if (v != null) jobsArg = jobsArg == null ? v : jobsArg + "," + v;
                }
                case "long" -> {
                    q.longList = true;
                    overrideFormatEnv = true;
                }
                case "me" -> {
                    q.users.clear();
                    q.users.add(Io.ME);
                }
                case "name" -> Cli.addCsv(q.names, v);
                case "nodelist", "nodes" -> {
                    try {
                        q.nodes = new HashSet<>(Hostlist.expand(v));
                        q.nodesArg = v;
                    } catch (IllegalArgumentException e) {
                        throw new Getopt.UsageError(PROG, PROG + ": error: '" + v + "' invalid entry for --nodelist", false);
                    }
                }
                case "noheader" -> q.noHeader = true;
                case "notme" -> q.notme = true;
                case "partition", "partitions" -> Cli.addCsv(q.partitions, v);
                case "qos" -> Cli.addCsv(q.qos, v);
                case "reservation" -> Cli.addCsv(q.reservations, v);
                case "sort" -> q.sort = v;
                case "start" -> {
                    q.start = true;
                    overrideFormatEnv = true;
                }
                case "states" -> statesArg = v;
                case "user", "users" -> {
                    q.users.clear();
                    Cli.addCsv(q.users, v);
                }
                case "verbose" -> q.verbose++;
                case "json" -> q.json = true;
                default -> throw new IllegalStateException("no handler for --" + o.name());
            }
        }
        if (q.longList && q.format != null) {
            throw new Getopt.UsageError(PROG, PROG + ": fatal: Options -o(--format) and -l(--long) are mutually exclusive. "
                    + "Please remove one and retry.", false);
        }
        List<String> operands = new ArrayList<>(r.operands());
        if (q.jobFlag && jobsArg == null && !operands.isEmpty()) jobsArg = operands.remove(0);
        if (!operands.isEmpty()) throw opts.error("Unrecognized option: " + operands.get(0));
        if (jobsArg != null) {
            try {
                q.jobs.addAll(JobIds.parseAll(List.of(jobsArg)));
            } catch (IllegalArgumentException e) {
                throw new Getopt.UsageError(PROG, PROG + ": error: " + e.getMessage(), false);
            }
        }
        if (!overrideFormatEnv) {
            String f = io.env.get("SQUEUE_FORMAT");
            String f2 = io.env.get("SQUEUE_FORMAT2");
            if (f != null && !f.isEmpty()) q.format = f;
            else if (f2 != null && !f2.isEmpty()) q.formatLong = f2;
        }
        if (q.accounts.isEmpty()) envList(io, "SQUEUE_ACCOUNT", q.accounts);
        if (q.names.isEmpty()) envList(io, "SQUEUE_NAMES", q.names);
        if (q.partitions.isEmpty()) envList(io, "SQUEUE_PARTITION", q.partitions);
        if (q.qos.isEmpty()) envList(io, "SQUEUE_QOS", q.qos);
        if (q.users.isEmpty()) envList(io, "SQUEUE_USERS", q.users);
        if (statesArg == null) statesArg = io.env.get("SQUEUE_STATES");
        if (statesArg == null && q.start) statesArg = "PD";
        if (statesArg != null) {
            boolean[] all = new boolean[1];
            try {
                q.states.addAll(JobStates.parseList(statesArg, all));
            } catch (IllegalArgumentException e) {
                io.err.println(PROG + ": error: " + e.getMessage());
                io.err.println(PROG + ": error: Valid job states include: " + JobStates.validList());
                return 1;
            }
            q.allStates = all[0];
            if (q.allStates) q.states.clear();
        }
        return null;
    }

    private static void envList(Io io, String name, List<String> into) {
        String v = io.env.get(name);
        if (v != null) Cli.addCsv(into, v);
    }

    /** The controller's query: it filters by ids, users, states, partitions, names and accounts. */
    static String query(Request q) {
        boolean finished = q.allStates || !q.jobs.isEmpty();
        for (String s : q.states) if (!JobStates.active(s)) finished = true;
        return new Query().add("ids", JobIds.forController(q.jobs)).add("users", q.users).add("states", q.states)
                .add("partitions", q.partitions).add("names", q.names).add("accounts", q.accounts)
                .add("finished", finished ? "true" : "").toString();
    }

    /** {@link #printRows} when the controller has no {@code /squeue}: the rows are formatted here instead. */
    private static final int SERVED_HERE = -1;

    /** Prints the controller's rows as they come; {@link #SERVED_HERE} when it does not know the route. */
    private static int printRows(Io io, ApiClient api, String path) {
        try {
            Response resp = api.get(path);
            if (resp.status() == 404) return SERVED_HERE;
            if (!resp.ok()) return io.fail(PROG, resp.errorMessage());
            resp.writeTo(io.out);
            return 0;
        } catch (ApiException e) {
            return io.fail(PROG, e.getMessage());
        }
    }

    /**
     * The query of {@code GET /squeue}: the controller's job filter ({@link #query}), then what squeue does with
     * the jobs: the format, the sort, the other filters, one row per array task or not, the header, the time zone.
     */
    static String rowsQuery(Io io, Request q, String sortSpec, String me) {
        StringBuilder sb = new StringBuilder(query(q));
        Query more = new Query();
        if (q.formatLong != null) more.add("fields", q.formatLong);
        else more.add("format", q.format != null ? q.format : q.start ? SqueueFormat.START : q.longList ? SqueueFormat.LONG : SqueueFormat.DEFAULT);
        more.add("sort", sortSpec).add("qos", q.qos).add("reservations", q.reservations).add("nodes", q.nodesArg)
                .add("notme", q.notme ? me : "").add("all_states", q.allStates ? "true" : "")
                .add("array", q.array ? "true" : "").add("noheader", q.noHeader ? "true" : "")
                .add("tz", needsTimeZone(q) ? io.zone().getId() : "");
        String m = more.toString();
        if (!m.isEmpty()) sb.append(sb.isEmpty() ? m : "&" + m.substring(1));
        return sb.toString();
    }

    private static int once(Io io, ApiClient api, String path, Request q, SqueueFormat fmt, JobSort sort, boolean first,
                            String me) {
        List<JobView> jobs;
        try {
            Response resp = api.get(path);
            if (!resp.ok()) return io.fail(PROG, resp.errorMessage());
            jobs = Wire.jobViews(resp, needsPaths(q));
        } catch (ApiException e) {
            return io.fail(PROG, e.getMessage());
        }
        if (first && q.jobs.size() == 1 && jobs.isEmpty()) {
            io.err.println("slurm_load_jobs error: Invalid job id specified");
            return 1;
        }
        jobs = SqueueRows.filter(jobs, options(q, me), q.nodes == null ? null : Hostlist::expand);
        if (!q.array) jobs = SqueueRows.collapseArrays(jobs);
        jobs.sort(sort);
        PrintStream out = io.out;
        if (q.json) {
            out.print(SlurmJson.squeue(jobs));
            return 0;
        }
        if (!q.noHeader) out.println(fmt.header());
        // the time zone costs milliseconds to look up: only when a column shows a time
        ZoneId zone = needsTimeZone(q) ? io.zone() : ZoneOffset.UTC;
        for (CharSequence part : rows(fmt, jobs, zone)) out.append(part);
        return 0;
    }

    /** Below this many rows, one thread formats them all. */
    private static final int PARALLEL_ROWS = 2000;

    /**
     * The rows, each ending with a newline, in parts to print in order. A long queue is formatted by several
     * threads, each a slice ({@link SqueueFormat} is immutable): formatting 10,000 rows takes tens of milliseconds
     * in a fresh JVM, which a user waiting for squeue sees.
     */
    static List<CharSequence> rows(SqueueFormat fmt, List<JobView> jobs, ZoneId zone) {
        int threads = Math.min(4, Math.min(Runtime.getRuntime().availableProcessors(), jobs.size() / PARALLEL_ROWS));
        if (threads <= 1) return List.of(new RowWriter(fmt, jobs, zone).call());
        RowWriter[] parts = new RowWriter[threads];
        Thread[] workers = new Thread[threads];
        int n = jobs.size();
        for (int k = 0; k < threads; k++) {
            parts[k] = new RowWriter(fmt, jobs.subList(n * k / threads, n * (k + 1) / threads), zone);
            if (k > 0) {
                workers[k] = new Thread(parts[k], "squeue-rows-" + k);
                workers[k].start();
            }
        }
        parts[0].run();
        List<CharSequence> out = new ArrayList<>(threads);
        for (int k = 0; k < threads; k++) {
            if (k > 0) {
                try {
                    workers[k].join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while formatting", e);
                }
            }
            out.add(parts[k].call());
        }
        return out;
    }

    /** Formats a slice of the rows into its own buffer. */
    private static final class RowWriter implements Runnable {
        private final SqueueFormat fmt;
        private final List<JobView> jobs;
        private final ZoneId zone;
        private StringBuilder text;

        RowWriter(SqueueFormat fmt, List<JobView> jobs, ZoneId zone) {
            this.fmt = fmt;
            this.jobs = jobs;
            this.zone = zone;
        }

        @Override
        public void run() {
            StringBuilder sb = new StringBuilder(jobs.size() * 96);
            for (JobView j : jobs) sb.append(fmt.row(j, zone)).append('\n');
            text = sb;
        }

        StringBuilder call() {
            if (text == null) run();
            return text;
        }
    }

    /**
     * Whether the output shows a job's working directory, command or output paths: if not, they are not even read
     * from the answer (with 10,000 jobs they are megabytes).
     */
    static boolean needsPaths(Request q) {
        if (q.json) return true;
        if (q.formatLong != null) {
            String f = q.formatLong.toLowerCase(Locale.ROOT);
            return f.contains("workdir") || f.contains("command") || f.contains("stdout") || f.contains("stderr");
        }
        return q.format != null && usesLetter(q.format, "Zo");
    }

    /** Whether a column shows a point in time (start, end, submit, eligible). */
    static boolean needsTimeZone(Request q) {
        if (q.formatLong != null) return q.formatLong.toLowerCase(Locale.ROOT).contains("time");
        if (q.format != null) return usesLetter(q.format, "eSV");
        return q.start;
    }

    /** Whether an {@code -o} format has a specifier with one of {@code letters}. */
    private static boolean usesLetter(String f, String letters) {
        for (int i = 0; i < f.length(); i++) {
            if (f.charAt(i) != '%') continue;
            int k = i + 1;
            while (k < f.length() && (f.charAt(k) == '.' || f.charAt(k) == '-' || Character.isDigit(f.charAt(k)))) k++;
            if (k < f.length() && letters.indexOf(f.charAt(k)) >= 0) return true;
            i = k;
        }
        return false;
    }

    /** The selection of {@link SqueueRows} the options ask for (the sort is applied by the caller). */
    static SqueueRows.Options options(Request q, String me) {
        return new SqueueRows.Options(q.states, q.allStates, q.qos, q.reservations, q.notme ? me : null, q.nodes, q.array,
                q.sort != null ? q.sort : q.start ? JobSort.START : JobSort.DEFAULT);
    }

    static final String USAGE = """
            Usage: squeue [-A accounts] [-i seconds] [-j jobids] [-n names] [-o format | -O fields]
                          [-p partitions] [-q qos] [-R reservation] [-S fields] [--start] [-t states]
                          [-u users] [-w nodes] [--me] [--notme] [--json] [--usage] [-ahlrvV]
            """;

    static final String HELP = """
            Usage: squeue [OPTIONS]
              -A, --account=account(s)        accounts to view, default is all accounts
              -a, --all                       (accepted; Bottega has no hidden partitions)
              -h, --noheader                  no headers on output
              -i, --iterate=seconds           specify an interation period
              -j, --job=job(s)                comma separated list of jobs IDs
                                              to view, default is all
                  --json                      produce JSON output
              -l, --long                      long report
                  --me                        equivalent to --user=<my name>
              -n, --name=job_name(s)          comma separated list of job names to view
                  --notme                     display all jobs except for the current user's
              -o, --format=format             format specification
              -O, --Format=format             format specification (Name[:[.]size],...)
              -p, --partition=partition(s)    comma separated list of partitions
                                              to view, default is all partitions
              -q, --qos=qos(s)                comma separated list of qos's
                                              to view, default is all qos's
              -R, --reservation=name          reservation to view, default is all
              -r, --array                     display one job array element per line
              -S, --sort=fields               comma separated list of fields to sort on
                  --start                     print expected start times of pending jobs
              -t, --states=states             comma separated list of states to view,
                                              default is pending and running,
                                              'all' reports all states
              -u, --user=user_name(s)         comma separated list of users to view
              -w, --nodelist=hostlist         list of nodes to view, default is all nodes
              -v, --verbose                   verbosity level
              -V, --version                   output version information and exit

            Help options:
                  --help                      show this help message
                  --helpstate                 list the job states
                  --usage                     display a brief summary of squeue options

            Not supported by Bottega yet: -L/--licenses, -M/--clusters, -P/--priority, -s/--steps, --yaml,
            --federation, --local, --sibling.
            """;
}
