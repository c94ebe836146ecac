package io.bottega.cli.slurm;

import io.bottega.api.JobSubmission;
import io.bottega.api.JobView;
import io.bottega.api.json.JsonWriter;
import io.bottega.cli.http.ApiClient;
import io.bottega.cli.http.ApiException;
import io.bottega.cli.http.JsonIn;
import io.bottega.cli.http.Response;
import io.bottega.cli.http.Wire;

import java.util.List;

/**
 * An interactive allocation ({@code salloc}, {@code srun} outside a job): a job without a batch script that the
 * controller keeps while this client sends keep-alives, and releases when the client says it is done or goes
 * silent (killed, disconnected): so a client that dies does not leak its nodes.
 */
final class Allocation {
    /** Why an allocation could not be had or kept; the message is for the user. */
    static final class Failed extends Exception {
        Failed(String message) {
            super(message, null, false, false);
        }
    }

    final long jobId;
    private final ApiClient api;
    private final long keepAliveMillis;
    private volatile boolean stopped;
    private volatile String state = "RUNNING";
    private volatile JobView view;

    private Allocation(ApiClient api, long jobId, long keepAliveMillis) {
        this.api = api;
        this.jobId = jobId;
        this.keepAliveMillis = keepAliveMillis;
    }

    /**
     * Asks for an allocation and waits until it runs. {@code onQueued} is called once if it has to wait
     * ({@code salloc: job 12 queued and waiting for resources}).
     */
    static Allocation request(Io io, ApiClient api, JobSubmission sub, String prog, boolean quiet, boolean announcePending)
            throws ApiException, Failed {
        JobSubmission s = sub.toBuilder().interactive(true).script("").build();
        Response resp = api.post("/jobs", Wire.submission(s));
        if (!resp.ok()) {
            String m = resp.errorMessage();
            if (m.startsWith("Batch job submission failed: ")) m = m.substring("Batch job submission failed: ".length());
            throw new Failed("Job submit/allocate failed: " + m);
        }
        long id = 0;
        long keepAlive = 10;
        JsonIn in = resp.json();
        in.beginObject();
        for (String k; (k = in.nextKey()) != null; ) {
            switch (k) {
                case "job_id" -> id = in.longValue();
                case "keepalive_seconds" -> keepAlive = Math.max(1, in.longValue());
                default -> in.skipValue();
            }
        }
        if (id <= 0) throw new Failed("the controller granted no job id: " + resp.text());
        Allocation a = new Allocation(api, id, keepAlive * 1000);
        if (announcePending && !quiet) io.err.println(prog + ": Pending job allocation " + id);
        Thread cancelOnInterrupt = new Thread(() -> a.cancelQuietly());
        Runtime.getRuntime().addShutdownHook(cancelOnInterrupt);   // ^C while waiting: give the job back
        try {
            long sleep = 50;
            boolean told = false;
            while (true) {
                JobView j = a.poll();
                String st = j.state();
                if (st.equals("RUNNING")) break;
                if (!st.equals("PENDING") && !st.isEmpty()) {
                    throw new Failed("Job allocation " + id + " has been revoked." + (j.reason().isEmpty() || j.reason().equals("None")
                            ? "" : " (" + j.reason() + ")"));
                }
                if (!told && !quiet) {
                    io.err.println(prog + ": job " + id + " queued and waiting for resources");
                    told = true;
                }
                if (!io.sleeper.sleep(sleep)) throw new Failed("interrupted while waiting for job " + id);
                sleep = Math.min(1000, sleep * 2);
                if (told) a.ping();
            }
            if (told && !quiet) io.err.println(prog + ": job " + id + " has been allocated resources");
        } catch (ApiException | Failed e) {
            a.cancelQuietly();
            throw e;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(cancelOnInterrupt);
            } catch (IllegalStateException e) {
                // shutting down
            }
        }
        return a;
    }

    private JobView poll() throws ApiException {
        Response r = api.get("/jobs/" + jobId);
        if (!r.ok()) throw new ApiException(r.errorMessage());
        List<JobView> v = Wire.jobViews(r.json());
        if (v.isEmpty()) throw new ApiException("job " + jobId + " is not known to the controller");
        view = v.get(0);
        return view;
    }

    /** The job as last seen. */
    JobView view() {
        return view;
    }

    private void ping() throws ApiException {
        Response r = api.post("/jobs/" + jobId + "/alive", "{}");
        if (!r.ok()) throw new ApiException(r.errorMessage());
        List<JobView> v = Wire.jobViews(r.json());
        if (!v.isEmpty()) {
            view = v.get(0);
            state = view.state();
        }
    }

    /**
     * Keeps the allocation alive on a daemon thread; runs {@code onRevoked} once if the controller ends it
     * (cancelled, time limit).
     */
    void keepAlive(Runnable onRevoked) {
        Thread t = new Thread(() -> {
            int failures = 0;
            while (!stopped) {
                try {
                    Thread.sleep(keepAliveMillis);
                } catch (InterruptedException e) {
                    return;
                }
                if (stopped) return;
                try {
                    ping();
                    failures = 0;
                    if (!state.equals("RUNNING") && !stopped) {
                        stopped = true;
                        onRevoked.run();
                        return;
                    }
                } catch (ApiException e) {
                    failures++;   // the controller may be restarting: it gives a silent client a heartbeat timeout
                }
            }
        }, "bottega-keepalive");
        t.setDaemon(true);
        t.start();
    }

    /** The state the controller gave the job when it stopped the allocation. */
    String state() {
        return state;
    }

    /** Gives the allocation back, recording how its command ended. */
    void release(int exitCode, int signal) {
        stopped = true;
        try {
            api.post("/jobs/" + jobId + "/complete", new JsonWriter(false).beginObject().field("exitCode", exitCode)
                    .field("signal", signal).endObject().toString());
        } catch (ApiException e) {
            // the controller will find the client silent and release it
        }
    }

    private void cancelQuietly() {
        stopped = true;
        try {
            api.send("DELETE", "/jobs/" + jobId, null);
        } catch (ApiException e) {
            // it goes away with the missing keep-alives
        }
    }
}
