package io.bottega.cli.slurm;

import io.bottega.api.JobSubmission;
import io.bottega.api.JobView;
import io.bottega.api.slurm.SbatchParser;
import io.bottega.api.slurm.SlurmOptionException;
import io.bottega.api.slurm.SlurmTime;
import io.bottega.cli.http.ApiClient;
import io.bottega.cli.http.ApiException;
import io.bottega.cli.http.JsonIn;
import io.bottega.cli.http.Response;
import io.bottega.cli.http.Wire;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code sbatch [options] [script [args...]]}: submits a batch script (a file, standard input when none is named,
 * or {@code --wrap}); options come from the command line, {@code SBATCH_*} variables and {@code #SBATCH} lines
 * ({@link SbatchParser}). Prints {@code Submitted batch job N} ({@code N} with {@code --parsable}); with
 * {@code -W/--wait}, returns when the job has ended, with its exit code. Errors: {@code sbatch: error: ...},
 * exit code 1, nothing queued.
 */
final class Sbatch {
    static final String PROG = "sbatch";
    private static final long FIRST_POLL_MS = 500;
    private static final long MAX_POLL_MS = 10_000;

    private Sbatch() {}

    static int run(Io io, String[] argv) {
        SbatchParser.Context ctx = SbatchParser.Context.of(io.cwd, io.env, io.nowSeconds(), io.zone());
        SbatchParser.Result r;
        try {
            r = SbatchParser.parse(Arrays.asList(argv), new Loader(io), ctx);
        } catch (SlurmOptionException e) {
            return io.fail(PROG, e.getMessage());
        }
        switch (r.action()) {
            case HELP -> {
                io.out.print(SbatchParser.help());
                return 0;
            }
            case USAGE -> {
                io.out.print(SbatchParser.usage());
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
        try {
            ApiClient api = io.api();
            if (r.verbose() > 0) io.err.println(PROG + ": controller at " + api.where());
            if (r.testOnly()) return testOnly(io, api, job);
            Response resp = api.post("/jobs", Wire.submission(job));
            if (!resp.ok()) return io.fail(PROG, submissionFailed(resp.errorMessage()));
            long id = 0;
            String warning = "";
            JsonIn in = resp.json();
            in.beginObject();
            for (String k; (k = in.nextKey()) != null; ) {
                if (k.equals("job_id")) id = in.longValue();
                else if (k.equals("warning")) warning = in.string();
                else in.skipValue();
            }
            if (id <= 0) return io.fail(PROG, "the controller accepted the job but sent no job id: " + resp.text());
            if (!warning.isEmpty()) io.err.println(PROG + ": warning: " + warning);
            if (r.parsable()) io.out.println(id);
            else if (!r.quiet()) io.out.println("Submitted batch job " + id);
            io.out.flush();
            return r.waitForEnd() ? waitForEnd(io, api, id) : 0;
        } catch (ApiException e) {
            return io.fail(PROG, e.getMessage());
        }
    }

    /** Reads the script: a file (relative to the current directory), or standard input for "". */
    private record Loader(Io io) implements SbatchParser.ScriptLoader {
        @Override
        public String load(String path) throws IOException {
            if (path.isEmpty()) return new String(io.in.readAllBytes(), StandardCharsets.UTF_8);
            Path p = Path.of(io.cwd).resolve(path);
            if (!Files.isRegularFile(p)) throw new IOException("not a file: " + p);
            return Files.readString(p, StandardCharsets.UTF_8);
        }
    }

    /** Slurm's wording, without saying it twice when the controller already did. */
    static String submissionFailed(String message) {
        return message.startsWith("Batch job submission failed") ? message : "Batch job submission failed: " + message;
    }

    /**
     * {@code --test-only}: the controller checks the job and queues nothing. Like Slurm, the answer goes to
     * standard error; when the controller predicts no start time, this says so rather than inventing one.
     */
    private static int testOnly(Io io, ApiClient api, JobSubmission job) throws ApiException {
        Response resp = api.post("/jobs?test_only=true", Wire.submission(job));
        if (!resp.ok()) return io.fail(PROG, submissionFailed(resp.errorMessage()));
        Map<String, Object> m = resp.object();
        String partition = String.valueOf(m.getOrDefault("partition", ""));
        long cpus = m.get("cpus") instanceof Number n ? n.longValue() : 0;
        long start = m.get("start_time") instanceof Number n ? n.longValue() : 0;
        Object nodes = m.get("nodes");
        if (start > 0 && nodes instanceof String s && !s.isEmpty()) {
            io.err.println(PROG + ": Job 0 to start at " + SlurmTime.formatTimestamp(start, io.zone()) + " using " + cpus
                    + " processors on nodes " + s + " in partition " + partition);
        } else {
            io.err.println(PROG + ": Job 0 is valid: it would use " + cpus + " processors in partition " + partition
                    + " (the controller predicts start times only for queued jobs: see squeue --start)");
        }
        return 0;
    }

    /**
     * {@code -W/--wait}: polls the job (and, once the controller has forgotten it, the accounting) until it has
     * ended. Returns its exit code; the largest of an array's; 128 + the signal for a job killed by a signal; 1
     * for a job that ended without success and without an exit code (cancelled before it ran, node failure).
     */
    static int waitForEnd(Io io, ApiClient api, long id) throws ApiException {
        long sleep = FIRST_POLL_MS;
        while (true) {
            Response resp = api.get("/jobs/" + id);
            List<JobView> jobs;
            if (resp.status() == 404) {
                Response acct = api.get("/accounting/jobs?ids=" + id);
                if (!acct.ok()) return io.fail(PROG, acct.errorMessage());
                jobs = Wire.jobViews(acct.json());
                if (jobs.isEmpty()) return io.fail(PROG, "job " + id + " is known neither to the queue nor to the accounting");
            } else if (!resp.ok()) {
                return io.fail(PROG, resp.errorMessage());
            } else {
                jobs = Wire.jobViews(resp.json());
            }
            boolean ended = !jobs.isEmpty();
            for (JobView j : jobs) if (JobStates.active(j.state()) || j.state().isEmpty()) ended = false;
            if (ended) return exitCode(jobs);
            if (!io.sleeper.sleep(sleep)) return 1;
            sleep = Math.min(MAX_POLL_MS, sleep * 3 / 2);
        }
    }

    static int exitCode(List<JobView> jobs) {
        int rc = 0;
        for (JobView j : jobs) {
            int c;
            if (j.exitSignal() > 0) c = 128 + j.exitSignal();
            else if (j.exitCode() != 0) c = j.exitCode() & 0xff;
            else c = "COMPLETED".equals(j.state()) ? 0 : 1;
            rc = Math.max(rc, c);
        }
        return rc;
    }
}
