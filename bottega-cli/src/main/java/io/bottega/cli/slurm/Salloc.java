package io.bottega.cli.slurm;

import io.bottega.api.JobSubmission;
import io.bottega.api.slurm.SbatchParser;
import io.bottega.api.slurm.SlurmOptionException;
import io.bottega.cli.http.ApiClient;
import io.bottega.cli.http.ApiException;
import io.bottega.cli.http.JsonIn;
import io.bottega.cli.http.Response;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code salloc [options] [command [args...]]}: gets an allocation (a job with no batch script), runs the command
 * here (the user's shell by default) with the job's environment ({@code SLURM_JOB_ID}, {@code SLURM_JOB_NODELIST},
 * ...; {@code srun} inside it runs steps on the allocated nodes), and gives the allocation back when the command
 * exits, with its exit status. The allocation is kept alive while salloc runs: a salloc that is killed stops
 * sending keep-alives and the controller releases its nodes. If the controller ends the allocation first (time
 * limit, {@code scancel}), the command is terminated. Resource options are sbatch's ({@link SbatchParser}).
 */
final class Salloc {
    static final String PROG = "salloc";

    private Salloc() {}

    static int run(Io io, String[] argv) {
        for (String a : argv) {
            if (a.equals("--")) break;
            if (a.equals("--wrap") || a.startsWith("--wrap=") || a.equals("-a") || a.startsWith("--array")) {
                return io.fail(PROG, (a.startsWith("--wrap") ? "--wrap" : "--array") + " is not an salloc option");
            }
            if (!a.startsWith("-")) break;
        }
        SbatchParser.Context ctx = SbatchParser.Context.of(io.cwd, io.env, io.nowSeconds(), io.zone());
        SbatchParser.Result r;
        try {
            // the first operand is the command, not a script: the "script" read is an empty one
            r = SbatchParser.parse(Arrays.asList(argv), path -> "#!/bin/sh\n", ctx);
        } catch (SlurmOptionException e) {
            return io.fail(PROG, e.getMessage());
        }
        switch (r.action()) {
            case HELP -> {
                io.out.print(HELP);
                return 0;
            }
            case USAGE -> {
                io.out.print(HELP.substring(0, HELP.indexOf('\n') + 1));
                return 0;
            }
            case VERSION -> {
                io.out.println(Cli.versionLine());
                return 0;
            }
            case SUBMIT -> {
                // below
            }
        }
        JobSubmission job = r.job();
        List<String> command = new ArrayList<>();
        if (!job.scriptPath().isEmpty()) {
            command.add(job.scriptPath());
            command.addAll(job.scriptArgs());
        } else {
            String shell = io.env.getOrDefault("SHELL", "");
            command.add(shell.isEmpty() ? "/bin/sh" : shell);
        }
        String name = job.jobName().equals("sbatch") || job.jobName().isEmpty() ? "interactive" : job.jobName();
        if (!job.scriptPath().isEmpty() && job.jobName().equals(baseName(job.scriptPath()))) name = baseName(command.get(0));
        job = job.toBuilder().jobName(name).stdoutPath("").stderrPath("").stdinPath("").environment(Map.of()).scriptPath("")
                .scriptArgs(List.of()).build();
        ApiClient api;
        Allocation a;
        try {
            api = io.api();
            a = Allocation.request(io, api, job, PROG, r.quiet(), true);
        } catch (ApiException e) {
            return io.fail(PROG, e.getMessage());
        } catch (Allocation.Failed e) {
            return io.fail(PROG, e.getMessage());
        }
        if (!r.quiet()) io.err.println(PROG + ": Granted job allocation " + a.jobId);
        int code = 1;
        int signal = 0;
        try {
            Map<String, String> env;
            try {
                env = environment(api, a.jobId);
            } catch (ApiException e) {
                io.fail(PROG, e.getMessage());
                return 1;
            }
            ProcessBuilder pb = new ProcessBuilder(command).inheritIO().directory(new File(job.workDir().isEmpty() ? io.cwd : job.workDir()));
            Map<String, String> child = pb.environment();
            child.clear();
            child.putAll(io.env);
            child.remove("BOTTEGA_ARGV0");
            child.putAll(env);
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                io.fail(PROG, "cannot run " + command.get(0) + ": " + e.getMessage());
                return 127;
            }
            // ^C belongs to the command (it is in the terminal's foreground); TERM and HUP end it
            SignalTrap.on("INT", () -> { });
            SignalTrap.on("TERM", p::destroy);
            SignalTrap.on("HUP", p::destroy);
            a.keepAlive(() -> {
                io.err.println(PROG + ": Job allocation " + a.jobId + " has been revoked.");
                p.destroy();
                try {
                    if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            try {
                code = p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroy();
            }
            if (code > 128 && code < 128 + 65) {
                signal = code - 128;
            }
            return code;
        } finally {
            if (!r.quiet()) io.err.println(PROG + ": Relinquishing job allocation " + a.jobId);
            a.release(signal != 0 ? 0 : code, signal);
        }
    }

    /** The job's environment, as a batch script of it would see it. */
    private static Map<String, String> environment(ApiClient api, long jobId) throws ApiException {
        Response resp = api.get("/jobs/" + jobId + "/environment");
        if (!resp.ok()) throw new ApiException(resp.errorMessage());
        JsonIn in = resp.json();
        return in.stringMap();
    }

    private static String baseName(String path) {
        int slash = path.lastIndexOf('/');
        return slash >= 0 ? path.substring(slash + 1) : path;
    }

    static final String HELP = """
            Usage: salloc [OPTIONS(0)...] [command(0) [args(0)...]]

            Gets an allocation, runs the command (your shell by default) with SLURM_JOB_ID, SLURM_JOB_NODELIST and
            the rest of the job's environment, and releases the allocation when the command exits. srun inside it
            runs job steps on the allocated nodes. The allocation ends with the command, at its time limit, or when
            salloc goes away (killed, disconnected: its keep-alives stop).

            Resource options are sbatch's: -N, -n, --ntasks-per-node, -c, --gpus-per-task, --gres=gpu:N,
            --gpus-per-node, --mem, --mem-per-cpu, -t, -p, -A, -q, -J, -C, --exclusive, -D, -Q, -v
            (see sbatch --help); --wrap and --array are not salloc options.
            """;
}
