package io.bottega.cli.slurm;

import io.bottega.api.JobView;
import io.bottega.api.StepView;
import io.bottega.api.slurm.SacctFormat;
import io.bottega.api.slurm.SlurmJson;
import io.bottega.cli.http.ApiClient;
import io.bottega.cli.http.ApiException;
import io.bottega.cli.http.Response;
import io.bottega.cli.http.Wire;
import io.bottega.cli.slurm.Getopt.Arg;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code sacct}: the accounting of jobs, finished ones included. Like Slurm's, it shows the caller's jobs (all
 * users' with {@code -a}, or {@code -u}'s) that were in the queue since midnight today (since ever when
 * {@code -j} names jobs), until now; {@code -S} and {@code -E} move that window. Each job is followed by its steps
 * ({@code 123.batch}, {@code 123.0}, ...) unless {@code -X}; {@code -j 123.0} shows that step alone.
 */
final class Sacct {
    static final String PROG = "sacct";
    /** {@code sacct -l}: Slurm's long list, less the per-step usage statistics Bottega does not collect. */
    static final String LONG = "JobID,JobIDRaw,JobName,Partition,NCPUS,AllocCPUS,Elapsed,State,ExitCode,ReqMem,"
            + "ConsumedEnergy,AllocTRES";
    /** {@code sacct -b}. */
    static final String BRIEF = "JobID,State,ExitCode";

    private Sacct() {}

    private static Getopt options() {
        return new Getopt(PROG)
                .opt("accounts", 'A', Arg.REQUIRED)
                .opt("allocations", 'X', Arg.NONE)
                .opt("allusers", 'a', Arg.NONE)
                .opt("brief", 'b', Arg.NONE)
                .opt("duplicates", 'D', Arg.NONE)
                .opt("endtime", 'E', Arg.REQUIRED)
                .opt("format", 'o', Arg.REQUIRED)
                .opt("help", 'h', Arg.NONE)
                .opt("helpformat", 'e', Arg.NONE)
                .opt("jobs", 'j', Arg.REQUIRED)
                .opt("json", Arg.OPTIONAL)
                .opt("long", 'l', Arg.NONE)
                .opt("name", Arg.REQUIRED)
                .opt("noconvert", Arg.NONE)
                .opt("noheader", 'n', Arg.NONE)
                .opt("parsable", 'p', Arg.NONE)
                .opt("parsable2", 'P', Arg.NONE)
                .opt("partition", 'r', Arg.REQUIRED)
                .opt("starttime", 'S', Arg.REQUIRED)
                .opt("state", 's', Arg.REQUIRED)
                .opt("truncate", 'T', Arg.NONE)
                .opt("usage", Arg.NONE)
                .opt("user", 'u', Arg.REQUIRED)
                .opt("verbose", 'v', Arg.NONE)
                .opt("version", 'V', Arg.NONE)
                .unsupported("array", Arg.NONE)
                .unsupported("clusters", 'M', Arg.REQUIRED)
                .unsupported("completion", 'c', Arg.NONE)
                .unsupported("constraints", 'C', Arg.REQUIRED)
                .unsupported("delimiter", Arg.REQUIRED)
                .unsupported("federation", Arg.NONE)
                .unsupported("group", 'g', Arg.REQUIRED)
                .unsupported("local", Arg.NONE)
                .unsupported("nnodes", 'i', Arg.REQUIRED)
                .unsupported("ncpus", 'I', Arg.REQUIRED)
                .unsupported("nodelist", 'N', Arg.REQUIRED)
                .unsupported("qos", 'q', Arg.REQUIRED)
                .unsupported("reason", 'R', Arg.REQUIRED)
                .unsupported("timelimit-min", 'k', Arg.REQUIRED)
                .unsupported("timelimit-max", 'K', Arg.REQUIRED)
                .unsupported("uid", Arg.REQUIRED)
                .unsupported("units", Arg.REQUIRED)
                .unsupported("wckeys", 'W', Arg.REQUIRED)
                .unsupported("yaml", Arg.OPTIONAL);
    }

    static int run(Io io, String[] argv) {
        Getopt opts = options();
        List<String> users = new ArrayList<>();
        List<String> accounts = new ArrayList<>();
        List<String> states = new ArrayList<>();
        List<String> partitions = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<JobIds.Id> ids = new ArrayList<>();
        String format = null, start = null, end = null;
        boolean allUsers = false, noHeader = false, json = false, allocations = false;
        java.util.Map<Long, java.util.Set<String>> stepFilter = new java.util.HashMap<>();
        java.util.Set<String> wholeJobs = new java.util.HashSet<>();
        SacctFormat.Mode mode = SacctFormat.Mode.TABLE;
        try {
            Getopt.Result r = opts.parse(argv, false);
            for (Getopt.Option o : r.options()) {
                String v = o.value();
                switch (o.name()) {
                    case "accounts" -> Cli.addCsv(accounts, v);
                    case "allocations" -> allocations = true;
                    case "duplicates", "noconvert", "truncate", "verbose" -> { }
                    case "allusers" -> allUsers = true;
                    case "brief" -> format = BRIEF;
                    case "endtime" -> end = v;
                    case "format" -> format = format == null || format.equals(BRIEF) || format.equals(LONG) ? v : format + "," + v;
                    case "help" -> {
                        io.out.print(HELP);
                        return 0;
                    }
                    case "helpformat" -> {
                        io.out.print(helpFormat());
                        return 0;
                    }
                    case "usage" -> {
                        io.out.print(USAGE);
                        return 0;
                    }
                    case "version" -> {
                        io.out.println(Cli.versionLine());
                        return 0;
                    }
                    case "jobs" -> {
                        try {
                            List<String> plain = new ArrayList<>();
                            for (String t : Cli.csv(v)) {
                                int dot = t.indexOf('.');
                                if (dot > 0 && JobIds.isDigits(t.substring(0, dot)) && t.length() < 40) {
                                    stepFilter.computeIfAbsent(Long.parseLong(t.substring(0, dot)), k -> new java.util.HashSet<>())
                                            .add(t.substring(dot + 1));
                                    plain.add(t.substring(0, dot));
                                } else {
                                    plain.add(t);
                                    wholeJobs.add(t);
                                }
                            }
                            ids.addAll(JobIds.parseAll(plain));
                        } catch (IllegalArgumentException e) {
                            return io.fail(PROG, e.getMessage());
                        }
                    }
                    case "json" -> json = true;
                    case "long" -> format = LONG;
                    case "name" -> Cli.addCsv(names, v);
                    case "noheader" -> noHeader = true;
                    case "parsable" -> mode = SacctFormat.Mode.PARSABLE;
                    case "parsable2" -> mode = SacctFormat.Mode.PARSABLE2;
                    case "partition" -> Cli.addCsv(partitions, v);
                    case "starttime" -> start = v;
                    case "state" -> {
                        for (String s : Cli.csv(v)) {
                            String l = JobStates.longName(s);
                            if (l == null) return io.fail(PROG, "Invalid state: " + s + " (valid states: " + JobStates.validList() + ")");
                            if (!states.contains(l)) states.add(l);
                        }
                    }
                    case "user" -> {
                        users.clear();
                        Cli.addCsv(users, v);
                    }
                    default -> throw new IllegalStateException("no handler for --" + o.name());
                }
            }
            if (!r.operands().isEmpty()) throw opts.error("Unrecognized option: " + r.operands().get(0));
        } catch (Getopt.UsageError e) {
            return Getopt.report(io, e);
        }
        if (format == null) {
            String env = io.env.get("SACCT_FORMAT");
            format = env != null && !env.isBlank() ? env : SacctFormat.DEFAULT;
        }
        SacctFormat fmt;
        try {
            fmt = SacctFormat.parse(format);
        } catch (IllegalArgumentException e) {
            return io.fail(PROG, e.getMessage());
        }
        long now = io.nowSeconds();
        ZoneId zone = io.zone();
        long from;
        long to = 0;
        try {
            from = start != null ? SacctTime.parse(start, now, zone)
                    : ids.isEmpty() ? LocalDate.ofInstant(Instant.ofEpochSecond(now), zone).atStartOfDay(zone).toEpochSecond() : 0;
        } catch (IllegalArgumentException e) {
            return io.fail(PROG, "--starttime=" + start + ": " + e.getMessage());
        }
        try {
            if (end != null) to = SacctTime.parse(end, now, zone);
        } catch (IllegalArgumentException e) {
            return io.fail(PROG, "--endtime=" + end + ": " + e.getMessage());
        }
        if (to > 0 && from > to) {
            return io.fail(PROG, "start time (" + start + ") is after end time (" + end + ")");
        }
        ApiClient api;
        try {
            api = io.api();
            if (users.isEmpty() && !allUsers) {
                String me = io.me(api);
                if (!me.equals("root")) users.add(me);
            }
        } catch (ApiException e) {
            return io.fail(PROG, e.getMessage());
        }
        if (allUsers) users.clear();
        String path = "/accounting/jobs" + new Query().add("ids", JobIds.forController(ids)).add("users", users)
                .add("accounts", accounts).add("states", states).add("partitions", partitions)
                .add("start", from > 0 ? Long.toString(from) : "").add("end", to > 0 ? Long.toString(to) : "");
        List<JobView> jobs;
        try {
            Response resp = api.get(path);
            if (!resp.ok()) return io.fail(PROG, resp.errorMessage());
            jobs = Wire.jobViews(resp, true);
        } catch (ApiException e) {
            return io.fail(PROG, e.getMessage());
        }
        List<JobView> shown = new ArrayList<>(jobs.size());
        for (JobView j : jobs) {
            if (!ids.isEmpty() && !JobIds.anyMatch(ids, j)) continue;
            if (!names.isEmpty() && !names.contains(j.name())) continue;
            shown.add(j);
        }
        if (json) {
            io.out.print(SlurmJson.sacct(shown));
            return 0;
        }
        java.util.Map<Long, List<StepView>> steps = new java.util.HashMap<>();
        if (!allocations && !shown.isEmpty()) {
            try {
                for (int at = 0; at < shown.size(); at += 200) {
                    List<String> chunk = new ArrayList<>();
                    for (JobView j : shown.subList(at, Math.min(shown.size(), at + 200))) chunk.add(Long.toString(j.id()));
                    Response resp = api.get("/accounting/steps?ids=" + String.join(",", chunk));
                    if (resp.status() == 404) break;   // a controller without steps
                    if (!resp.ok()) return io.fail(PROG, resp.errorMessage());
                    for (StepView sv : Wire.stepViews(resp.json())) steps.computeIfAbsent(sv.jobId(), k -> new ArrayList<>()).add(sv);
                }
            } catch (ApiException e) {
                return io.fail(PROG, e.getMessage());
            }
        }
        java.util.Set<Long> stepsOnly = new java.util.HashSet<>();
        for (java.util.Map.Entry<Long, java.util.Set<String>> f : stepFilter.entrySet()) {
            if (wholeJobs.contains(Long.toString(f.getKey()))) continue;
            stepsOnly.add(f.getKey());
            List<StepView> keep = new ArrayList<>();
            for (StepView sv : steps.getOrDefault(f.getKey(), List.of())) {
                String name = sv.stepId() == StepView.BATCH ? "batch" : Integer.toString(sv.stepId());
                if (f.getValue().contains(name)) keep.add(sv);
            }
            steps.put(f.getKey(), keep);
        }
        io.out.print(fmt.render(shown, steps, stepsOnly, mode, noHeader, zone));
        return 0;
    }

    private static String helpFormat() {
        StringBuilder sb = new StringBuilder();
        List<String> names = SacctFormat.fieldNames();
        for (int i = 0; i < names.size(); i++) {
            String n = names.get(i);
            sb.append(n);
            boolean last = (i + 1) % 4 == 0 || i + 1 == names.size();
            if (last) sb.append('\n');
            else for (int k = n.length(); k < 20; k++) sb.append(' ');
        }
        return sb.toString();
    }

    static final String USAGE = """
            Usage: sacct [-S time] [-E time] [-j jobs] [-u users | -a] [-A accounts] [-s states]
                         [-r partitions] [--name names] [-o fields] [-p | -P] [-n] [-X] [-l] [-b]
                         [--json] [-e] [-V]
            """;

    static final String HELP = """
            Usage: sacct [OPTIONS]
                 -A, --accounts:
                               Use this comma separated list of accounts to select jobs to display.
                 -a, --allusers:
                               Display jobs for all users (the default shows yours only).
                 -b, --brief:
                               Equivalent to '--format=jobid,state,exitcode'.
                 -E, --endtime:
                               Select jobs eligible before this time (default: now).
                 -e, --helpformat:
                               Print a list of fields that can be specified with the '--format' option.
                 -h, --help:   Print this description of use.
                 -j, --jobs:
                               Display information about this job or comma-separated list of jobs
                               (123, 123_4, 123_[1-3]).
                     --json:
                               Produce JSON output.
                 -l, --long:
                               Equivalent to specifying '--format=%s'.
                     --name:
                               Display jobs that have any of these name(s).
                 -n, --noheader:
                               No header will be added to the beginning of the output.
                 -o, --format:
                               Comma separated list of fields (use "--helpformat" for a list of
                               available fields); Name%%N sets a field's width.
                 -p, --parsable: output will be '|' delimited with a '|' at the end
                 -P, --parsable2: output will be '|' delimited without a '|' at the end
                 -r, --partition:
                               Comma separated list of partitions to select jobs and job steps from.
                 -S, --starttime:
                               Select jobs eligible after this time (default: 00:00:00 of the
                               current day, or the beginning of time with -j). Formats:
                               HH:MM[:SS][AM|PM], MMDD[YY], MM/DD[/YY], YYYY-MM-DD[THH:MM[:SS]],
                               today, midnight, noon, now[{+|-}count[seconds|minutes|hours|days|weeks]].
                 -s, --state:
                               Select jobs based on their state (e.g. CD,F,TO or COMPLETED,FAILED).
                 -u, --user:
                               Use this comma separated list of users to select jobs to display.
                 -V, --version: Print version.
                 -X, --allocations:
                               Only show statistics relevant to the job allocation (no step lines).

            Not supported by Bottega yet: -c, -C, -g, -i, -I, -k, -K, -M, -N, -q, -R, -W, --uid, --units,
            --delimiter, --array, --yaml, --federation, --local.
            """.replace("%s", LONG).replace("%%", "%");
}
