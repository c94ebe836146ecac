package io.bottega.cli.slurm;

import io.bottega.api.json.JsonWriter;
import io.bottega.cli.http.ApiClient;
import io.bottega.cli.http.ApiException;
import io.bottega.cli.http.JsonIn;
import io.bottega.cli.http.Response;
import io.bottega.cli.slurm.Getopt.Arg;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code scancel [options] [job_id[_array_id]...]}: cancels jobs, or sends them a signal ({@code -s}). Jobs are
 * named by id or chosen by filters ({@code -u}, {@code -n}, {@code -t}, {@code -p}, {@code -A}, {@code --me});
 * with both, a job must match both. A job that cannot be cancelled is reported as Slurm does
 * ({@code scancel: error: Kill job error on job id 123: Access/permission denied}) and makes the exit code 1.
 */
final class Scancel {
    static final String PROG = "scancel";

    private Scancel() {}

    private static Getopt options() {
        return new Getopt(PROG)
                .opt("account", 'A', Arg.REQUIRED)
                .opt("batch", 'b', Arg.NONE)
                .opt("ctld", Arg.NONE)
                .opt("full", 'f', Arg.NONE)
                .opt("help", Arg.NONE)
                .opt("hurry", 'H', Arg.NONE)
                .opt("jobname", 'J', Arg.REQUIRED)
                .opt("me", Arg.NONE)
                .opt("name", 'n', Arg.REQUIRED)
                .opt("partition", 'p', Arg.REQUIRED)
                .opt("quiet", 'Q', Arg.NONE)
                .opt("signal", 's', Arg.REQUIRED)
                .opt("state", 't', Arg.REQUIRED)
                .opt("usage", Arg.NONE)
                .opt("user", 'u', Arg.REQUIRED)
                .opt("verbose", 'v', Arg.NONE)
                .opt("version", 'V', Arg.NONE)
                .unsupported("clusters", 'M', Arg.REQUIRED)
                .unsupported("cron", Arg.NONE)
                .unsupported("interactive", 'i', Arg.NONE)
                .unsupported("nodelist", 'w', Arg.REQUIRED)
                .unsupported("qos", 'q', Arg.REQUIRED)
                .unsupported("reservation", 'R', Arg.REQUIRED)
                .unsupported("sibling", Arg.REQUIRED)
                .unsupported("wckey", Arg.REQUIRED);
    }

    static int run(Io io, String[] argv) {
        Getopt opts = options();
        List<String> users = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<String> states = new ArrayList<>();
        List<String> partitions = new ArrayList<>();
        List<String> accounts = new ArrayList<>();
        List<JobIds.Id> ids;
        List<String> steps = new ArrayList<>();
        int signal = 0;
        int verbose = 0;
        boolean quiet = false;
        try {
            Getopt.Result r = opts.parse(argv, false);
            for (Getopt.Option o : r.options()) {
                String v = o.value();
                switch (o.name()) {
                    case "account" -> Cli.addCsv(accounts, v);
                    case "batch", "ctld", "full", "hurry" -> { }
                    case "help" -> {
                        io.out.print(HELP);
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
                    case "jobname", "name" -> Cli.addCsv(names, v);
                    case "me" -> {
                        users.clear();
                        users.add(Io.ME);
                    }
                    case "partition" -> Cli.addCsv(partitions, v);
                    case "quiet" -> quiet = true;
                    case "signal" -> {
                        try {
                            signal = Signals.parse(v);
                        } catch (IllegalArgumentException e) {
                            return io.fail(PROG, e.getMessage());
                        }
                    }
                    case "state" -> {
                        for (String s : Cli.csv(v)) {
                            String l = JobStates.longName(s);
                            if (l == null || !(l.equals("PENDING") || l.equals("RUNNING") || l.equals("SUSPENDED"))) {
                                return io.fail(PROG, "Invalid job state specified: " + s
                                        + " (valid job states are PENDING, RUNNING and SUSPENDED)");
                            }
                            if (!states.contains(l)) states.add(l);
                        }
                    }
                    case "user" -> {
                        users.clear();
                        Cli.addCsv(users, v);
                    }
                    case "verbose" -> verbose++;
                    default -> throw new IllegalStateException("no handler for --" + o.name());
                }
            }
            try {
                List<String> jobs = new ArrayList<>();
                for (String op : r.operands()) {
                    for (String t : Cli.csv(op)) {
                        int dot = t.indexOf('.');
                        if (dot > 0 && JobIds.isDigits(t.substring(0, dot)) && JobIds.isDigits(t.substring(dot + 1))
                                && t.length() < 30) {
                            steps.add(t);   // JOB.STEP: one step
                        } else {
                            jobs.add(t);
                        }
                    }
                }
                ids = JobIds.parseAll(jobs);
            } catch (IllegalArgumentException e) {
                return io.fail(PROG, e.getMessage());
            }
        } catch (Getopt.UsageError e) {
            return Getopt.report(io, e);
        }
        if (!steps.isEmpty()) {
            int rc = cancelSteps(io, steps, signal, quiet, verbose);
            if (ids.isEmpty() && users.isEmpty() && names.isEmpty() && states.isEmpty() && partitions.isEmpty() && accounts.isEmpty()) {
                return rc;
            }
        }
        if (ids.isEmpty() && users.isEmpty() && names.isEmpty() && states.isEmpty() && partitions.isEmpty() && accounts.isEmpty()) {
            return io.fail(PROG, "No job identification provided");
        }
        // SIGKILL is a cancel, as in Slurm (pending jobs too)
        int sig = signal == 9 ? 0 : signal;
        ApiClient api;
        try {
            api = io.api();
            io.resolveMe(users, api);
        } catch (ApiException e) {
            return io.fail(PROG, e.getMessage());
        }
        JsonWriter w = new JsonWriter(false);
        w.beginObject();
        strings(w, "ids", JobIds.forController(ids));
        strings(w, "users", users);
        strings(w, "states", states);
        strings(w, "partitions", partitions);
        strings(w, "names", names);
        strings(w, "accounts", accounts);
        w.field("signal", sig);
        w.endObject();
        List<Long> done = new ArrayList<>();
        Map<String, String> refused = new LinkedHashMap<>();
        try {
            Response resp = api.post("/jobs/cancel", w.toString());
            if (!resp.ok()) return io.fail(PROG, resp.errorMessage());
            JsonIn in = resp.json();
            in.beginObject();
            for (String k; (k = in.nextKey()) != null; ) {
                switch (k) {
                    case "cancelled" -> {
                        in.beginArray();
                        while (in.nextElement()) done.add(in.longValue());
                    }
                    case "refused" -> refused.putAll(in.stringMap());
                    default -> in.skipValue();
                }
            }
        } catch (ApiException e) {
            return io.fail(PROG, e.getMessage());
        }
        if (verbose > 0) {
            for (long id : done) {
                io.err.println(sig == 0 ? PROG + ": Terminating job " + id : PROG + ": Signal " + sig + " to job " + id);
            }
        }
        if (!quiet) {
            for (Map.Entry<String, String> e : refused.entrySet()) {
                io.err.println(PROG + ": error: Kill job error on job id " + e.getKey() + ": " + e.getValue());
            }
        }
        return refused.isEmpty() ? 0 : 1;
    }

    /** {@code scancel 123.4}: terminates (or signals) each step of a running job. */
    private static int cancelSteps(Io io, List<String> steps, int signal, boolean quiet, int verbose) {
        ApiClient api;
        try {
            api = io.api();
        } catch (ApiException e) {
            return io.fail(PROG, e.getMessage());
        }
        int rc = 0;
        for (String s : steps) {
            int dot = s.indexOf('.');
            String path = "/jobs/" + s.substring(0, dot) + "/steps/" + s.substring(dot + 1) + (signal != 0 && signal != 9 ? "?signal=" + signal : "");
            try {
                Response resp = api.send("DELETE", path, null);
                if (!resp.ok()) {
                    rc = 1;
                    if (!quiet) io.err.println(PROG + ": error: Kill job error on job step id " + s + ": " + resp.errorMessage());
                } else if (verbose > 0) {
                    io.err.println(signal == 0 || signal == 9 ? PROG + ": Terminating step " + s : PROG + ": Signal " + signal + " to step " + s);
                }
            } catch (ApiException e) {
                return io.fail(PROG, e.getMessage());
            }
        }
        return rc;
    }

    private static void strings(JsonWriter w, String name, List<String> values) {
        if (values.isEmpty()) return;
        w.name(name).beginArray();
        for (String v : values) w.value(v);
        w.endArray();
    }

    static final String USAGE = """
            Usage: scancel [-A account] [--batch] [--full] [--hurry] [-n job_name] [-p partition]
                           [-Q] [-s signal | integer] [-t PENDING | RUNNING | SUSPENDED]
                           [--usage] [-u user_name] [--me] [-V] [-v] [job_id[_array_id]]
            """;

    static final String HELP = """
            Usage: scancel [OPTIONS] [job_id[_array_id]...]
              -A, --account=account           act only on jobs charging this account
              -b, --batch                     signal batch shell for specified job
              -f, --full                      signal batch shell and all steps for specified job
              -H, --hurry                     avoid burst buffer stage out
              -n, --name=job_name             act only on jobs with this name
                  --me                        act only on the current user's jobs
              -p, --partition=partition       act only on jobs in this partition
              -Q, --quiet                     disable warnings
              -s, --signal=name | integer     signal to send to job, default is SIGKILL
              -t, --state=states              act only on jobs in this state.  Valid job
                                              states are PENDING, RUNNING and SUSPENDED
              -u, --user=user_name            act only on jobs of this user
              -V, --version                   output version information and exit
              -v, --verbose                   verbosity level

            Help options:
                  --help                      show this help message
                  --usage                     display brief usage message

            Job ids: 123, 123_4 (an array task), 123_[1-3,7] (several tasks), 123_* (all tasks), 123.4 (a step).
            Not supported by Bottega yet: -i/--interactive, -M/--clusters, -q/--qos, -R/--reservation,
            -w/--nodelist, --wckey, --sibling, --cron.
            """;
}
