package io.bottega.server.steps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bottega.api.StepRequest;
import io.bottega.api.StepView;
import io.bottega.api.agent.JobOutcome;
import io.bottega.api.agent.StepLaunch;
import io.bottega.api.agent.StepOutcome;
import io.bottega.api.agent.StepSignal;
import io.bottega.api.agent.StepTask;
import io.bottega.core.model.Hostlist;
import io.bottega.server.agents.AgentHub;
import io.bottega.server.jobs.JobEnvironment;
import io.bottega.server.jobs.ServerJob;
import io.bottega.server.jobs.SubmitException;
import io.bottega.server.store.JobRow;
import io.bottega.server.store.StepRow;
import io.bottega.server.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Job steps ({@code srun} inside an allocation) on the controller's loop thread: places a new step in its
 * job's allocation without oversubscribing what the job's other steps hold, records it, sends each of its
 * nodes a {@link StepLaunch} once the record is committed, gathers the nodes' {@link StepOutcome}s into
 * the step's end, and ends every step of a job (telling every node that ran one) when the job ends. Also
 * keeps the keep-alives of interactive allocations ({@code salloc}, {@code srun} outside a job).
 *
 * <p>Not thread-safe: called on the loop thread only ({@code onLoop} brings store callbacks back to it).
 */
public final class StepCoordinator {
    private static final Logger log = LoggerFactory.getLogger(StepCoordinator.class);

    private final Store store;
    private final AgentHub hub;
    private final ObjectMapper json;
    private final long killGraceSeconds;
    private final Consumer<Runnable> onLoop;
    private final Map<Long, JobSteps> jobs = new HashMap<>();
    private final Map<Long, Long> aliveAt = new HashMap<>();
    /**
     * Steps of jobs that have ended while some of their nodes had not reported the step's end yet. A step's
     * tasks can end (and srun, and then the batch script, with them) a moment before every node's agent has
     * told the controller: those outcomes still count until {@link Ending#deadline}, after which the step
     * ends as the job's end says (CANCELLED).
     */
    private final Map<Long, Ending> ending = new HashMap<>();
    /**
     * Steps whose end is being stored, by key: a node that reports its outcome again meanwhile is acknowledged
     * once the end is stored, not before (a crash before the write would find the step RUNNING, and the node
     * would no longer know its outcome: the step would end NODE_FAIL although its tasks ended well).
     */
    private final Map<String, CompletableFuture<Void>> unsettledEnds = new HashMap<>();

    private record Ending(JobSteps steps, String state, String why, long deadline) {}

    public StepCoordinator(Store store, AgentHub hub, ObjectMapper json, long killGraceSeconds, Consumer<Runnable> onLoop) {
        this.store = store;
        this.hub = hub;
        this.json = json;
        this.killGraceSeconds = killGraceSeconds;
        this.onLoop = onLoop;
    }

    /**
     * What a new step needs to know of its job.
     *
     * @param env     the job's environment with srun's ({@code JobEnvironment} over the request's), before the
     *                step's own variables
     * @param ioHost  where srun listens, when the request does not say
     * @param address a node's address ({@code MASTER_ADDR})
     */
    public record Context(ServerJob job, JobShape shape, Map<String, String> env, String ioHost,
                          Function<String, String> address, long now) {}

    // ------------------------------------------------------------------ new steps

    /** Places and records a step; completes with its view once recorded and sent to its nodes. */
    public CompletableFuture<StepView> create(Context ctx, StepRequest r) {
        ServerJob job = ctx.job();
        JobRow row = job.row();
        if (r.argv().isEmpty()) throw SubmitException.invalid("argv", "No command given to execute.");
        if (!r.workDir().isEmpty() && !r.workDir().startsWith("/")) {
            throw SubmitException.invalid("workDir", "the working directory must be absolute: " + r.workDir());
        }
        if (r.ioPort() < 0 || r.ioPort() > 65535) throw SubmitException.invalid("ioPort", "ioPort must be 0-65535");
        JobSteps js = jobs.computeIfAbsent(job.id(), k -> new JobSteps(ctx.shape(), row.user()));
        StepPlacer.Placement p;
        try {
            p = StepPlacer.place(js.shape, js.busyCores, js.busyGpus, r);
        } catch (StepPlacer.Refused e) {
            throw new SubmitException(e.temporary() ? 409 : 400, "", e.getMessage());
        }
        int id = js.nextId++;
        String name = !r.name().isEmpty() ? r.name() : baseName(r.argv().get(0));
        ServerStep step = new ServerStep(job.id(), id, name, row.user(), p, ctx.now(), layout(p));
        js.active.put(id, step);
        js.hold(p);
        js.nodesUsed.addAll(step.nodes());

        String ioHost = !r.ioHost().isEmpty() ? r.ioHost() : ctx.ioHost();
        Map<String, String> env = stepEnv(ctx, r, p, id, ioHost);
        String workDir = !r.workDir().isEmpty() ? r.workDir() : row.workDir();
        String stdin = r.pty() ? "0" : r.stdinMode();
        List<Map.Entry<String, StepLaunch>> launches = new ArrayList<>();
        for (int k = 0; k < p.nodes().size(); k++) {
            StepPlacer.NodeSlot s = p.nodes().get(k);
            List<StepTask> tasks = new ArrayList<>();
            boolean bound = js.shape.nodes().get(s.jobIndex()).bound();
            for (StepPlacer.TaskSlot t : s.tasks()) {
                tasks.add(new StepTask(t.rank(), t.localId(), bound ? ints(t.cpus()) : List.of(), ints(t.gpus())));
            }
            long mem = js.shape.nodes().get(s.jobIndex()).memMb();
            launches.add(Map.entry(s.name(), new StepLaunch(job.id(), id, row.user(), row.uid(), row.gid(), r.argv(), workDir, env,
                    tasks, k, Hostlist.compress(step.nodes()), bound ? ints(s.cores()) : List.of(), mem, p.cpuBind(), ioHost, r.ioPort(), r.ioKey(),
                    r.stdoutPath(), r.stderrPath(), stdin, r.pty(), r.killOnBadExit(), r.timeLimit(), killGraceSeconds,
                    row.name())));
        }
        log.info("event=step_created step={} nodes={} tasks={} cpus={} gpus={} argv0={}", step.key(), Hostlist.compress(step.nodes()),
                p.ntasks(), p.cpus(), p.gpus(), r.argv().get(0));
        StepView view = step.view("RUNNING", 0, ctx.now());
        return store.saveSteps(List.of(step.row("RUNNING", 0))).handle((v, err) -> {
            if (err != null) {
                onLoop.accept(() -> drop(job.id(), id));
                throw new SubmitException(500, "", "the store did not record the step: " + err.getMessage());
            }
            onLoop.accept(() -> {
                if (js.active.get(id) != step || !step.endState.isEmpty()) return;   // ended meanwhile
                for (Map.Entry<String, StepLaunch> e : launches) hub.stepLaunch(e.getKey(), e.getValue());
            });
            return view;
        });
    }

    private void drop(long jobId, int stepId) {
        JobSteps js = jobs.get(jobId);
        if (js == null) return;
        ServerStep s = js.active.remove(stepId);
        if (s != null) js.release(s.placement);
    }

    private static Map<String, String> stepEnv(Context ctx, StepRequest r, StepPlacer.Placement p, int id, String ioHost) {
        Map<String, String> env = new LinkedHashMap<>(ctx.env());
        String nodeList = Hostlist.compress(p.nodeNames());
        String tasksPerNode = JobEnvironment.repeated(p.tasksPerNode());
        env.put("SLURM_STEP_ID", Integer.toString(id));
        env.put("SLURM_STEPID", Integer.toString(id));
        env.put("SLURM_STEP_NUM_TASKS", Integer.toString(p.ntasks()));
        env.put("SLURM_STEP_NUM_NODES", Integer.toString(p.nodes().size()));
        env.put("SLURM_STEP_NODELIST", nodeList);
        env.put("SLURM_STEP_TASKS_PER_NODE", tasksPerNode);
        env.put("SLURM_NTASKS", Integer.toString(p.ntasks()));
        env.put("SLURM_NPROCS", Integer.toString(p.ntasks()));
        env.put("SLURM_NNODES", Integer.toString(p.nodes().size()));
        env.put("SLURM_NODELIST", nodeList);
        env.put("SLURM_TASKS_PER_NODE", tasksPerNode);
        env.put("SLURM_CPUS_PER_TASK", Integer.toString(p.cpusPerTask()));
        env.put("SLURM_DISTRIBUTION", "block");
        if (r.gpusPerTask() > 0) env.put("SLURM_GPUS_PER_TASK", Integer.toString(r.gpusPerTask()));
        if (!ioHost.isEmpty()) {
            env.put("SLURM_LAUNCH_NODE_IPADDR", ioHost);
            env.put("SLURM_SRUN_COMM_HOST", ioHost);
        }
        if (r.ioPort() > 0) {
            env.put("SLURM_SRUN_COMM_PORT", Integer.toString(r.ioPort()));
            env.put("SLURM_STEP_LAUNCHER_PORT", Integer.toString(r.ioPort()));
        }
        env.put("BOTTEGA_STEP_ID", Integer.toString(id));
        // torchrun-style rendezvous: the node of rank 0, unless the user chose another address
        String master = ctx.address().apply(p.nodes().get(0).name());
        String given = env.get("MASTER_ADDR");
        if (given == null || given.isEmpty() || given.equals(env.get("BOTTEGA_MASTER_ADDR"))) env.put("MASTER_ADDR", master);
        env.put("BOTTEGA_MASTER_ADDR", master);
        env.putIfAbsent("MASTER_PORT", Integer.toString(masterPort(ctx.job().id())));
        return env;
    }

    /** The rendezvous port of a job: 15000 + its id's last four digits, as PyTorch Lightning derives it under Slurm. */
    public static int masterPort(long jobId) {
        return 15000 + (int) (jobId % 10000);
    }

    private static String baseName(String path) {
        int slash = path.lastIndexOf('/');
        return slash >= 0 ? path.substring(slash + 1) : path;
    }

    private static List<Integer> ints(int[] a) {
        List<Integer> out = new ArrayList<>(a.length);
        for (int x : a) out.add(x);
        return out;
    }

    // ------------------------------------------------------------------ the agents' reports

    /** Applies a node's step report: outcomes, and the steps it runs (confirms launches, stops strays, finds lost steps). */
    public void report(String node, List<String> running, List<StepOutcome> results, long nowSeconds) {
        Set<String> listed = new HashSet<>(running);
        Set<String> reported = new HashSet<>();
        for (StepOutcome o : results) {
            reported.add(o.key());
            ServerStep s = find(o.jobId(), o.stepId());
            if (s == null || !s.nodes().contains(node)) {
                // ended (its ack lost or on its way) or not this node's: forget it, once an end under way is stored
                CompletableFuture<Void> end = unsettledEnds.get(o.key());
                if (end == null) hub.stepAck(node, o.key());
                else end.whenComplete((v, err) -> hub.stepAck(node, o.key()));
                continue;
            }
            // an outcome is acknowledged only when the step's end is stored (below, or in end()): until then the
            // node keeps it and reports it again, so a controller restarted meanwhile still learns it
            if (s.outcomes.containsKey(node)) continue;
            s.outcomes.put(node, o);
            hub.stepConfirmed(node, o.key());
            if (s.allReported()) end(s, "", "", nowSeconds);
        }
        for (String key : running) {
            int dot = key.indexOf('.');
            ServerStep s = null;
            long jobId = -1;
            int stepId = -1;
            try {
                jobId = Long.parseLong(key.substring(0, dot));
                stepId = Integer.parseInt(key.substring(dot + 1));
                s = find(jobId, stepId);
            } catch (RuntimeException e) {
                continue;
            }
            if (s != null && s.nodes().contains(node)) {
                if (s.confirmed.add(node)) hub.stepConfirmed(node, key);
            } else {
                hub.stepSignal(node, new StepSignal(jobId, stepId, 0, "the controller does not know this step as running here"));
            }
        }
        hub.stepsListed(node, listed);
        for (ServerStep s : activeSteps()) {
            if (!s.nodes().contains(node) || !s.confirmed.contains(node) || s.outcomes.containsKey(node)) continue;
            if (listed.contains(s.key()) || reported.contains(s.key())) continue;
            log.warn("event=step_lost step={} node={}", s.key(), node);
            s.outcomes.put(node, new StepOutcome(s.jobId, s.stepId, JobOutcome.NODE_FAIL, 0, 0, List.of(), 0, nowSeconds * 1000,
                    "the step's tasks were lost by the agent of " + node));
            if (s.allReported()) end(s, "", "", nowSeconds);
        }
    }

    /** A node is gone: the steps it ran end NODE_FAIL there (the job itself is handled by the loop). */
    public void nodeLost(String node, long nowSeconds) {
        for (ServerStep s : activeSteps()) {
            if (!s.nodes().contains(node) || s.outcomes.containsKey(node)) continue;
            s.outcomes.put(node, new StepOutcome(s.jobId, s.stepId, JobOutcome.NODE_FAIL, 0, 0, List.of(), 0, nowSeconds * 1000,
                    "node " + node + " stopped answering"));
            for (String n : s.nodes()) {
                if (!n.equals(node)) hub.stepSignal(n, new StepSignal(s.jobId, s.stepId, 0, "node " + node + " failed"));
            }
            if (s.allReported()) end(s, "", "", nowSeconds);
        }
    }

    private ServerStep find(long jobId, int stepId) {
        JobSteps js = jobs.get(jobId);
        if (js == null) {
            Ending e = ending.get(jobId);
            js = e == null ? null : e.steps();
        }
        return js == null ? null : js.active.get(stepId);
    }

    /** The active steps of running jobs and of ended jobs whose nodes have not all reported. */
    private List<ServerStep> activeSteps() {
        List<ServerStep> all = new ArrayList<>();
        for (JobSteps js : jobs.values()) all.addAll(js.active.values());
        for (Ending e : ending.values()) all.addAll(e.steps().active.values());
        return all;
    }

    /** Ends a step: frees what it held, records its end, then lets its nodes forget their outcomes. */
    private void end(ServerStep s, String state, String reason, long nowSeconds) {
        JobSteps js = jobs.get(s.jobId);
        if (js != null && js.active.remove(s.stepId) == s) js.release(s.placement);
        Ending e = ending.get(s.jobId);
        if (e != null && e.steps().active.remove(s.stepId) == s && e.steps().active.isEmpty()) ending.remove(s.jobId);
        if (!state.isEmpty() && s.endState.isEmpty()) s.endState = state;
        if (!reason.isEmpty() && s.endReason.isEmpty()) s.endReason = reason;
        long end = 0;
        for (StepOutcome o : s.outcomes.values()) end = Math.max(end, o.endedAtMillis() / 1000);
        if (end == 0 || end > nowSeconds) end = nowSeconds;
        String finalState = s.state();
        log.info("event=step_ended step={} state={} exit_code={}:{} reason=\"{}\"", s.key(), finalState, s.exitCode(), s.signal(), s.reason());
        Map<String, String> acks = new LinkedHashMap<>();
        for (String n : s.outcomes.keySet()) acks.put(n, s.key());
        for (String n : s.nodes()) hub.stepLaunchDone(n, s.key());
        CompletableFuture<Void> stored = store.saveSteps(List.of(s.row(finalState, Math.max(end, s.startTime))));
        String key = s.key();
        unsettledEnds.put(key, stored);
        stored.whenComplete((v, err) -> {
            if (err != null) log.error("event=step_store_failed step={} error={}", key, err.toString());
            acks.forEach(hub::stepAck);
            onLoop.accept(() -> unsettledEnds.remove(key, stored));
        });
    }

    // ------------------------------------------------------------------ user actions

    /** {@code scancel JOB.STEP}: terminates (signal 0) or signals one step. False if the step is not running. */
    public boolean cancel(long jobId, int stepId, int signal, String reason) {
        ServerStep s = find(jobId, stepId);
        if (s == null) return false;
        if (signal == 0 || signal == 9) {
            if (s.endState.isEmpty()) s.endState = JobOutcome.CANCELLED;
            if (s.endReason.isEmpty()) s.endReason = reason;
        }
        for (String n : s.nodes()) hub.stepSignal(n, new StepSignal(jobId, stepId, signal, reason));
        return true;
    }

    /** Delivers a signal to every step of a job ({@code scancel --signal}), or terminates them all (0). */
    public void signalAll(long jobId, int signal, String reason) {
        JobSteps js = jobs.get(jobId);
        if (js == null) return;
        if (signal == 0) {
            for (ServerStep s : js.active.values()) {
                if (s.endState.isEmpty()) s.endState = JobOutcome.CANCELLED;
                if (s.endReason.isEmpty()) s.endReason = reason;
            }
        }
        for (String n : js.nodesUsed) hub.stepSignal(n, new StepSignal(jobId, StepSignal.ALL_STEPS, signal, reason));
    }

    /**
     * The job has ended: every node that ran one of its steps is told to stop whatever is left of the job. When
     * its batch script ended by itself (COMPLETED, FAILED), each running step ends with its nodes' outcomes —
     * a step whose tasks ended a moment before the script keeps its own state, one the stop ends is CANCELLED —
     * or CANCELLED when a node has not reported within the kill grace and ten seconds ({@link #expireEnded}).
     * Otherwise (cancelled, timed out, preempted, node failure) its running steps end at once as CANCELLED, or
     * NODE_FAIL with the job.
     */
    public void jobEnded(long jobId, String jobState, String reason, long nowSeconds) {
        aliveAt.remove(jobId);
        JobSteps js = jobs.remove(jobId);
        if (js == null) return;
        String state = jobState.equals(JobOutcome.NODE_FAIL) ? JobOutcome.NODE_FAIL : JobOutcome.CANCELLED;
        String why = reason.isEmpty() ? "the job ended (" + jobState + ")" : reason;
        for (String n : js.nodesUsed) hub.stepSignal(n, new StepSignal(jobId, StepSignal.ALL_STEPS, 0, why));
        if (js.active.isEmpty()) return;
        if (jobState.equals(JobOutcome.COMPLETED) || jobState.equals(JobOutcome.FAILED)) {
            ending.put(jobId, new Ending(js, state, why, nowSeconds + killGraceSeconds + 10));
            return;
        }
        endAll(js, state, why, nowSeconds);
    }

    /** Ends, as their job's end says, the steps of ended jobs whose nodes have not all reported in time. */
    public void expireEnded(long nowSeconds) {
        for (var it = ending.entrySet().iterator(); it.hasNext(); ) {
            Ending e = it.next().getValue();
            if (nowSeconds < e.deadline()) continue;
            it.remove();
            endAll(e.steps(), e.state(), e.why(), nowSeconds);
        }
    }

    private void endAll(JobSteps js, String state, String why, long nowSeconds) {
        List<StepRow> rows = new ArrayList<>();
        for (ServerStep s : js.active.values()) {
            if (s.endState.isEmpty()) s.endState = state;
            if (s.endReason.isEmpty()) s.endReason = why;
            rows.add(s.row(s.state(), Math.max(nowSeconds, s.startTime)));
            for (String n : s.nodes()) hub.stepLaunchDone(n, s.key());
        }
        js.active.clear();
        if (!rows.isEmpty()) store.saveSteps(rows);
    }

    /** The nodes that have run steps of a job (for tests and the cancel path). */
    public Set<String> nodesUsed(long jobId) {
        JobSteps js = jobs.get(jobId);
        return js == null ? Set.of() : Set.copyOf(js.nodesUsed);
    }

    // ------------------------------------------------------------------ interactive allocations

    /** An interactive allocation's client is alive (or the allocation just started). */
    public void alive(long jobId, long nowMillis) {
        aliveAt.put(jobId, nowMillis);
    }

    /** Interactive allocations whose client has not been heard from since {@code limitMillis} before now. */
    public List<Long> silent(long nowMillis, long limitMillis) {
        List<Long> out = new ArrayList<>();
        aliveAt.forEach((id, at) -> {
            if (nowMillis - at > limitMillis) out.add(id);
        });
        return out;
    }

    // ------------------------------------------------------------------ recovery and views

    /** After a controller restart: the running steps of a running job, from their stored rows. */
    public void recover(ServerJob job, JobShape shape, List<StepRow> rows) {
        JobSteps js = jobs.computeIfAbsent(job.id(), k -> new JobSteps(shape, job.user()));
        for (StepRow r : rows) {
            if (r.stepId() == StepView.BATCH) continue;
            js.nextId = Math.max(js.nextId, r.stepId() + 1);
            if (!r.state().equals("RUNNING")) continue;
            try {
                StepPlacer.Placement p = readLayout(r.layoutJson(), shape);
                ServerStep s = new ServerStep(r.jobId(), r.stepId(), r.name(), job.user(), p, r.startTime(), r.layoutJson());
                s.confirmed.addAll(s.nodes());   // its launch cannot be repeated: a node that does not list it has lost it
                js.active.put(r.stepId(), s);
                js.hold(p);
                js.nodesUsed.addAll(s.nodes());
            } catch (IOException | RuntimeException e) {
                log.error("event=recover_step_failed step={}.{} error={}", r.jobId(), r.stepId(), e.toString());
            }
        }
    }

    private String layout(StepPlacer.Placement p) {
        ObjectNode root = json.createObjectNode();
        root.put("ntasks", p.ntasks());
        root.put("cpusPerTask", p.cpusPerTask());
        root.put("overlap", p.overlap());
        root.put("cpuBind", p.cpuBind());
        ArrayNode nodes = root.putArray("nodes");
        for (StepPlacer.NodeSlot s : p.nodes()) {
            ObjectNode n = nodes.addObject();
            n.put("name", s.name());
            n.put("tasks", s.tasks().size());
            ArrayNode c = n.putArray("cores");
            for (int x : s.cores()) c.add(x);
            ArrayNode g = n.putArray("gpus");
            for (int x : s.gpus()) g.add(x);
        }
        return root.toString();
    }

    private StepPlacer.Placement readLayout(String text, JobShape shape) throws IOException {
        JsonNode root = json.readTree(text);
        List<StepPlacer.NodeSlot> nodes = new ArrayList<>();
        int rank = 0;
        for (JsonNode n : root.path("nodes")) {
            String name = n.path("name").asText();
            int idx = shape.indexOf(name);
            if (idx < 0) throw new IOException("node " + name + " is not in the job");
            int[] cores = new int[n.path("cores").size()];
            for (int i = 0; i < cores.length; i++) cores[i] = n.path("cores").get(i).asInt();
            int[] gpus = new int[n.path("gpus").size()];
            for (int i = 0; i < gpus.length; i++) gpus[i] = n.path("gpus").get(i).asInt();
            List<StepPlacer.TaskSlot> tasks = new ArrayList<>();
            for (int t = 0; t < n.path("tasks").asInt(); t++) tasks.add(new StepPlacer.TaskSlot(rank++, t, new int[0], new int[0]));
            nodes.add(new StepPlacer.NodeSlot(idx, name, cores, gpus, tasks));
        }
        return new StepPlacer.Placement(nodes, root.path("ntasks").asInt(rank), root.path("cpusPerTask").asInt(1),
                root.path("overlap").asBoolean(false), root.path("cpuBind").asText("cores"));
    }

    /** The view of a stored step; {@code elapsed} counts to {@code now} while it runs. */
    public static StepView view(StepRow r, String user, long now) {
        long elapsed = r.endTime() > 0 ? r.endTime() - r.startTime() : r.state().equals("RUNNING") ? Math.max(0, now - r.startTime()) : 0;
        return new StepView(r.jobId(), r.stepId(), r.name(), r.state(), user, r.nodeList(), r.nodeCount(), r.ntasks(), r.tasksPerNode(),
                r.cpus(), r.gpus(), r.startTime(), r.endTime(), elapsed, r.exitCode(), r.exitSignal(), r.reason());
    }
}
