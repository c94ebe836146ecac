package io.bottega.app;

import io.bottega.core.model.Cluster;
import io.bottega.core.model.Demand;
import io.bottega.core.model.JobSpec;
import io.bottega.core.policy.FairShare;
import io.bottega.core.policy.Policies;
import io.bottega.core.policy.Site;
import io.bottega.core.model.Verdict;
import io.bottega.core.sched.PendingJob;
import io.bottega.core.sched.PendingQueue;
import io.bottega.core.sched.Plan;
import io.bottega.core.sched.ResourceLedger;
import io.bottega.core.sched.Scheduler;
import io.bottega.core.sched.SchedulerConfig;
import io.bottega.sim.ProgressListener;
import io.bottega.sim.SimJob;
import io.bottega.sim.SimulationResult;
import io.bottega.sim.Simulator;
import io.bottega.sim.Workload;
import io.bottega.sim.cluster.ClusterFile;
import io.bottega.sim.cluster.Clusters;
import io.bottega.sim.trace.LoadedTrace;
import io.bottega.sim.trace.SyntheticWorkload;
import io.bottega.sim.trace.Traces;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code bottega bench}: whole-pass and whole-system scenarios, each printing its figures as medians over
 * repeated runs after warm-up runs (these machines are shared and noisy). The commands that produced the
 * figures in docs/benchmarks.md.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmark scenarios (figures for docs/benchmarks.md).",
        subcommands = {BenchCommand.Replay.class, BenchCommand.Pass.class, BenchCommand.Submit.class, BenchCommand.Throughput.class})
public final class BenchCommand implements Callable<Integer> {

    public static int run(String[] args) {
        CommandLine cl = new CommandLine(new BenchCommand());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            System.err.println("bottega bench: error: " + e.getMessage());
            return 1;
        });
        return cl.execute(args);
    }

    @Override
    public Integer call() {
        CommandLine.usage(this, System.out);
        return 0;
    }

    static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a.length == 0 ? Double.NaN : a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    /** Replays a trace (or a synthetic workload) with one policy, several times; cold and warm replay rates. */
    @Command(name = "replay", mixinStandardHelpOptions = true, description = "Replay time of a trace, cold (first run) and warm (median of the rest).")
    static final class Replay implements Callable<Integer> {
        @Option(names = "--trace", paramLabel = "FILE", description = "SWF, Alibaba or GPU-CSV trace")
        Path trace;
        @Option(names = "--synthetic", paramLabel = "N", description = "a synthetic workload of N jobs instead of a trace")
        int synthetic;
        @Option(names = "--seed", description = "seed of the synthetic workload (default 1)")
        long seed = 1;
        @Option(names = "--cluster", paramLabel = "NAME|FILE", description = "machine (default: the trace's own; leonardo for --synthetic)")
        String cluster;
        @Option(names = "--policy", description = "easy (default), conservative or fcfs")
        String policy = "easy";
        @Option(names = "--runs", description = "replays (default 5; the first is the cold one)")
        int runs = 5;
        @Option(names = "--warmup", paramLabel = "SECONDS", description = "after the cold run, replay untimed for this long before the "
                + "warm runs, so that the JIT has compiled the hot code, as JMH's warm-up iterations do (default 0)")
        double warmupSeconds;

        @Override
        public Integer call() throws Exception {
            long t0 = System.nanoTime();
            Workload w;
            Cluster c;
            if (synthetic > 0) {
                c = Clusters.load(cluster == null ? "leonardo" : cluster);
                LoadedTrace t = SyntheticWorkload.builder(c).jobs(synthetic).seed(seed).generate();
                w = t.workload();
            } else {
                if (trace == null) throw new IllegalArgumentException("give --trace FILE or --synthetic N");
                Cluster target = cluster == null ? null : Clusters.load(cluster);
                Traces.Options o = Traces.Options.defaults().withSkipInvalid(true);
                if (target != null) o = o.withCluster(target);
                LoadedTrace t = Traces.load(trace, o);
                w = t.workload();
                c = target != null ? target : w.machine().orElseThrow(() -> new IllegalArgumentException("the trace names no machine: give --cluster"));
            }
            double parse = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "workload: %d jobs on %s (%d nodes), read in %.2f s (%.0f jobs/s)%n", w.jobs().size(), c.name(),
                    c.nodeCount(), parse, w.jobs().size() / parse);
            List<Double> warm = new ArrayList<>();
            double cold = 0;
            for (int r = 0; r < runs; r++) {
                SimulationResult res = Simulator.run(c, w, SchedulerConfig.parse(policy), ProgressListener.NONE);
                double s = res.simNanos() / 1e9;
                if (r == 0) cold = s;
                else warm.add(s);
                System.out.printf(Locale.ROOT, "  run %d: %.3f s replay, %.0f jobs/s, %d passes%n", r + 1, s, w.jobs().size() / s, res.passes());
                if (r == 0 && warmupSeconds > 0) {
                    long until = System.nanoTime() + (long) (warmupSeconds * 1e9);
                    int n = 0;
                    while (System.nanoTime() < until) {
                        Simulator.run(c, w, SchedulerConfig.parse(policy), ProgressListener.NONE);
                        n++;
                    }
                    System.out.printf(Locale.ROOT, "  warm-up: %d untimed replays in %.1f s%n", n, warmupSeconds);
                }
            }
            double m = warm.isEmpty() ? cold : median(warm);
            System.out.printf(Locale.ROOT, "%s %s: cold %.3f s (%.0f jobs/s); warm median %.3f s (%.0f jobs/s); heap used %d MB%n",
                    policy, synthetic > 0 ? "synthetic-" + synthetic : trace.getFileName(), cold, w.jobs().size() / cold, m,
                    w.jobs().size() / m, (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20);
            return 0;
        }
    }

    /** One scheduling pass with a forecast for every pending job, on a machine filled with running jobs. */
    @Command(name = "pass", mixinStandardHelpOptions = true, description = "One pass over a deep queue on a busy machine, forecasting every job.")
    static final class Pass implements Callable<Integer> {
        @Option(names = "--cluster", description = "machine (default leonardo)")
        String cluster = "leonardo";
        @Option(names = "--running", description = "jobs running (default 5000)")
        int running = 5000;
        @Option(names = "--pending", description = "jobs pending (default 100000)")
        int pending = 100_000;
        @Option(names = "--policy", description = "conservative (default), easy or fcfs")
        String policy = "conservative";
        @Option(names = "--runs", description = "passes (default 3)")
        int runs = 3;
        @Option(names = "--seed", description = "seed of the workload (default 7)")
        long seed = 7;
        @Option(names = "--site", paramLabel = "FILE", description = "also time the same pass with this site's QOS limits, budgets and "
                + "multifactor priority (a cluster file's site sections, e.g. examples/leonardo/leonardo.yaml), and print the ratio")
        Path site;
        @Option(names = "--projects", description = "with --site: spread the jobs' users over this many projects (default 500)")
        int projects = 500;
        @Option(names = "--steady", description = "after each pass, also time the next one, a second later, every job holding the "
                + "reservation the pass gave it (the controller's passes after the first)")
        boolean steady;
        @Option(names = "--forecast", negatable = true, defaultValue = "true", fallbackValue = "true", description = "forecast every pending job's start, as a forecast pass does "
                + "(default); --no-forecast: only the decisions, as the controller's loop does between forecasts")
        boolean forecast = true;
        @Option(names = "--lanes", description = "lanes a conservative pass (or an EASY forecast) may split into, one thread each "
                + "(default: the machine's cores, at most 4; 1: one thread)")
        int lanes = Math.min(4, Runtime.getRuntime().availableProcessors());

        @Override
        public Integer call() throws Exception {
            Cluster c = Clusters.load(cluster);
            List<SimJob> jobs = SyntheticWorkload.builder(c).jobs(running * 3 + pending).seed(seed).generate().workload().jobs();
            Demand.Resolver res = new Demand.Resolver(c);
            ResourceLedger ledger = new ResourceLedger(c);
            Scheduler filler = new Scheduler(c, SchedulerConfig.parse("easy"));
            List<PendingJob> queue = new ArrayList<>();
            for (SimJob j : jobs) {
                JobSpec spec = j.spec().withBeginTime(0);
                // a user works in one to three projects
                if (site != null) spec = spec.withUser(spec.user(), "p" + Math.floorMod((spec.user() + "/" + spec.id() % 3).hashCode(), projects));
                if (!(res.resolve(spec) instanceof Verdict.Fits f)) continue;
                PendingJob p = PendingJob.of(spec, f.demand());
                if (ledger.runningCount() < running && f.demand().nodesMax() <= 2) {
                    filler.schedule(0, ledger, List.of(p), Scheduler.Options.DECISIONS_ONLY);
                } else if (queue.size() < pending) {
                    queue.add(p);
                }
            }
            System.out.printf(Locale.ROOT, "%s: %d nodes, %d jobs running, %d pending; free %d cores, %d GPUs%n", c.name(), c.nodeCount(),
                    ledger.runningCount(), queue.size(), ledger.freeCoresTotal(), ledger.freeGpusTotal());
            double plain = time("without site policies", c, ledger, queue, SchedulerConfig.parse(policy), Policies.NONE, null);
            if (site == null) return 0;
            Site s = ClusterFile.loadSiteSections(site);
            // every project a budget, fair-share shares and usage; each job's priority by the multifactor formula
            List<Site.Account> accounts = new ArrayList<>();
            java.util.Map<String, java.util.Map<String, Double>> members = new java.util.HashMap<>();
            for (PendingJob p : queue) members.computeIfAbsent(p.spec().account(), k -> new java.util.HashMap<>()).put(p.spec().user(), 1.0);
            for (var r : ledger.running()) members.computeIfAbsent(r.account(), k -> new java.util.HashMap<>()).put(r.user(), 1.0);
            java.util.Random rnd = new java.util.Random(seed);
            for (var e : members.entrySet()) accounts.add(new Site.Account(e.getKey(), "root", 1 + rnd.nextInt(100), 1e6 + rnd.nextInt(5_000_000),
                    e.getValue()));
            s = new Site(s.policies(), accounts, s.fairShareHalfLife(), s.period());
            FairShare fs = s.newFairShareTree();
            for (PendingJob p : queue) fs.addUsage(p.spec().user(), p.spec().account(), rnd.nextDouble() * 1e7, -rnd.nextInt(30 * 86400));
            java.util.Map<String, Double> budgetLeft = new java.util.HashMap<>();
            for (Site.Account a : accounts) budgetLeft.put(a.name(), (a.budgetHours() - rnd.nextDouble() * a.budgetHours()) * 3600);
            String[] qosNames = s.policies().qos().keySet().stream().sorted().toArray(String[]::new);
            long t0 = System.nanoTime();
            java.util.Map<String, Double> factors = fs.factorsByUser(0);
            List<PendingJob> prioritised = new ArrayList<>(queue.size());
            for (PendingJob p : queue) {
                // most jobs in the default QOS, some in the others (those whose limits they can meet)
                JobSpec spec = p.spec();
                if (qosNames.length > 0 && rnd.nextInt(10) == 0) {
                    String q = qosNames[rnd.nextInt(qosNames.length)];
                    if (s.policies().qosOf(q).minNodes() <= p.demand().nodesMin()) spec = spec.withQos(q);
                }
                double f = factors.getOrDefault(spec.account() + "/" + spec.user(), 1.0);
                long prio = s.policies().priority(c, spec, p.demand(), -rnd.nextInt(86400), f, 0).priority();
                prioritised.add(new PendingJob(spec, p.demand(), prio, p.hold(), p.eligibleAt(), p.reservation()));
            }
            double prioritySeconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "  multifactor priorities of %d jobs (%d projects, fair-share tree of %d users): %.3f s%n",
                    prioritised.size(), accounts.size(), factors.size(), prioritySeconds);
            double withSite = time("with QOS limits, budgets and multifactor order", c, ledger, prioritised,
                    new SchedulerConfig(SchedulerConfig.parse(policy).backfill(), SchedulerConfig.Order.PRIORITY), s.policies(), budgetLeft);
            System.out.printf(Locale.ROOT, "ratio with/without site policies: pass %.2f, pass + priorities %.2f%n", withSite / plain,
                    (withSite + prioritySeconds) / plain);
            return 0;
        }

        private io.bottega.server.loop.ThreadLanes laneThreads;

        /** CPU time of the lanes' threads so far, in ns (the threads named scheduler-lane-N). */
        private long laneCpu(java.lang.management.ThreadMXBean threads) {
            long sum = 0;
            for (long id : threads.getAllThreadIds()) {
                java.lang.management.ThreadInfo info = threads.getThreadInfo(id);
                if (info != null && info.getThreadName().startsWith("scheduler-lane-")) sum += Math.max(0, threads.getThreadCpuTime(id));
            }
            return sum;
        }

        /** The threads of the lanes beyond the first (daemons: the bench exits when its main thread is done). */
        private io.bottega.server.loop.ThreadLanes laneThreads() {
            if (laneThreads == null) laneThreads = new io.bottega.server.loop.ThreadLanes(lanes, "scheduler-lane");
            return laneThreads;
        }

        /**
         * One pass at {@code now}, printed with the CPU time of its thread (what a busy machine's share of the cores
         * hides in the wall time); returns its wall time in seconds.
         */
        private double timedPass(String label, Scheduler s, long now, ResourceLedger l, PendingQueue q) {
            var threads = java.lang.management.ManagementFactory.getThreadMXBean();
            long c0 = threads.getCurrentThreadCpuTime();
            long l0 = laneCpu(threads);
            long t0 = System.nanoTime();
            Plan plan = s.schedule(now, l, q, forecast ? Scheduler.Options.WITH_FORECAST : Scheduler.Options.DECISIONS_ONLY);
            double sec = (System.nanoTime() - t0) / 1e9;
            double cpu = (threads.getCurrentThreadCpuTime() - c0) / 1e9;
            double laneCpu = (laneCpu(threads) - l0) / 1e9;
            System.out.printf(Locale.ROOT, "  %s: %.3f s (CPU %.3f s%s); started %d, reserved %d, forecast %d%n", label, sec, cpu,
                    lanes > 1 ? String.format(Locale.ROOT, ", other lanes %.3f s", laneCpu) : "",
                    plan.starts().size(), plan.reservations().size(), plan.waits().size());
            return sec;
        }

        private double time(String what, Cluster c, ResourceLedger ledger, List<PendingJob> queue, SchedulerConfig config, Policies policies,
                            java.util.Map<String, Double> budgetLeft) {
            List<Double> times = new ArrayList<>();
            for (int r = 0; r < runs; r++) {
                ResourceLedger l = new ResourceLedger(c);
                for (var x : ledger.running()) {
                    l.allocate(x.jobId(), x.allocation(), x.start(), x.expectedEnd(), x.user(), x.account(), policies.qosOf("").name());
                }
                if (budgetLeft != null) l.setBudgetLeft(budgetLeft);
                PendingQueue q = PendingQueue.of(config.order(), queue);
                Scheduler s = new Scheduler(c, config, policies);
                if (lanes > 1) s.lanes(lanes, laneThreads());
                times.add(timedPass(String.format(Locale.ROOT, "%s, pass %d", what, r + 1), s, 0, l, q));
                if (steady) timedPass(what + ", the next pass, reservations held", s, 1, l, q);
            }
            double m = median(times);
            System.out.printf(Locale.ROOT, "%s %s pass over %d pending on %s %s: median %.3f s%n", config.label(),
                    forecast ? "forecast" : "decisions-only", queue.size(), c.name(), what, m);
            return m;
        }
    }

    /** Submissions per second through the REST API with concurrent clients (each submission committed before its answer). */
    @Command(name = "submit", mixinStandardHelpOptions = true, description = "Submissions/s through the API with concurrent clients, against a running controller.")
    static final class Submit implements Callable<Integer> {
        @Option(names = "--url", description = "controller (default http://127.0.0.1:$BOTTEGA_PORT or 6860)")
        String url;
        @Option(names = "--token", required = true, description = "a token (bottega token)")
        String token;
        @Option(names = "--clients", description = "concurrent clients (default 16)")
        int clients = 16;
        @Option(names = "--jobs", description = "submissions in all (default 5000)")
        int jobs = 5000;
        @Option(names = "--hold", negatable = true, defaultValue = "true", fallbackValue = "true", description = "submit held jobs, so nothing runs (default true)")
        boolean hold = true;

        @Override
        public Integer call() throws Exception {
            String base = url != null ? url : "http://127.0.0.1:" + DataDir.defaultPort();
            URI target = URI.create(base + "/api/v1/jobs");
            String body = "{\"script\":\"#!/bin/sh\\ntrue\\n\",\"submitDir\":\"/tmp\",\"hold\":" + hold + "}";
            byte[] request = ("POST " + target.getRawPath() + " HTTP/1.1\r\nHost: " + target.getHost() + ":" + target.getPort()
                    + "\r\nAuthorization: Bearer " + token + "\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8);
            AtomicInteger left = new AtomicInteger(jobs);
            ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
            AtomicInteger failures = new AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int i = 0; i < clients; i++) {
                Thread t = new Thread(() -> {
                    KeepAlive conn = new KeepAlive(target.getHost(), target.getPort());
                    while (left.getAndDecrement() > 0) {
                        long s = System.nanoTime();
                        try {
                            if (conn.exchange(request) != 201) failures.incrementAndGet();
                        } catch (IOException e) {
                            failures.incrementAndGet();
                            conn.close();
                        }
                        latencies.add(System.nanoTime() - s);
                    }
                    conn.close();
                });
                t.start();
                threads.add(t);
            }
            for (Thread t : threads) t.join();
            double sec = (System.nanoTime() - t0) / 1e9;
            long[] l = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
            System.out.printf(Locale.ROOT, "%d submissions with %d clients in %.2f s: %.0f/s; latency median %.1f ms, p99 %.1f ms; %d failed%n",
                    jobs, clients, sec, jobs / sec, l[l.length / 2] / 1e6, l[(int) (l.length * 0.99)] / 1e6, failures.get());
            return failures.get() == 0 ? 0 : 1;
        }
    }

    /**
     * One client's HTTP/1.1 connection, kept open between requests: the bench shares the machine with the controller
     * it measures, and the JDK's HttpClient spent as much CPU per submission as the controller did.
     */
    static final class KeepAlive {
        private final String host;
        private final int port;
        private java.net.Socket socket;
        private java.io.InputStream in;
        private final byte[] buf = new byte[16 * 1024];
        private int start, end;

        KeepAlive(String host, int port) {
            this.host = host;
            this.port = port;
        }

        /** Sends a whole request, reads the whole answer; returns its status. */
        int exchange(byte[] request) throws IOException {
            return exchange(request, null);
        }

        /** Sends a whole request, reads the whole answer into {@code body} (null: skipped); returns its status. */
        int exchange(byte[] request, java.io.ByteArrayOutputStream body) throws IOException {
            if (body != null) body.reset();
            if (socket == null) {
                socket = new java.net.Socket(host, port);
                socket.setTcpNoDelay(true);
                socket.setSoTimeout(60_000);
                in = socket.getInputStream();
                start = end = 0;
            }
            socket.getOutputStream().write(request);
            String status = line();
            if (!status.startsWith("HTTP/1.1 ") || status.length() < 12) throw new IOException("bad status line: " + status);
            int code = Integer.parseInt(status.substring(9, 12));
            long length = -1;
            boolean chunked = false, close = false;
            for (String h; !(h = line()).isEmpty(); ) {
                String l = h.toLowerCase(Locale.ROOT);
                if (l.startsWith("content-length:")) length = Long.parseLong(l.substring(15).trim());
                else if (l.startsWith("transfer-encoding:") && l.contains("chunked")) chunked = true;
                else if (l.startsWith("connection:") && l.contains("close")) close = true;
            }
            if (chunked) {
                for (long n; (n = Long.parseLong(line().split(";")[0].trim(), 16)) > 0; ) {
                    skip(n, body);
                    line();
                }
                while (!line().isEmpty()) { } // trailers
            } else if (length >= 0) {
                skip(length, body);
            } else {
                close = true; // read to the end
                skip(start, end, body);
                start = end;
                while (fill()) {
                    skip(start, end, body);
                    start = end;
                }
            }
            if (close) close();
            return code;
        }

        private boolean fill() throws IOException {
            if (start == end) start = end = 0;
            if (end == buf.length) {
                System.arraycopy(buf, start, buf, 0, end - start);
                end -= start;
                start = 0;
            }
            int n = in.read(buf, end, buf.length - end);
            if (n < 0) return false;
            end += n;
            return true;
        }

        private String line() throws IOException {
            while (true) {
                for (int i = start; i < end; i++) {
                    if (buf[i] == '\n') {
                        int e = i > start && buf[i - 1] == '\r' ? i - 1 : i;
                        String l = new String(buf, start, e - start, StandardCharsets.ISO_8859_1);
                        start = i + 1;
                        return l;
                    }
                }
                if (!fill()) throw new IOException("connection closed");
            }
        }

        private void skip(long n, java.io.ByteArrayOutputStream body) throws IOException {
            while (n > 0) {
                if (start == end && !fill()) throw new IOException("connection closed");
                int k = (int) Math.min(n, end - start);
                skip(start, start + k, body);
                start += k;
                n -= k;
            }
        }

        private void skip(int from, int to, java.io.ByteArrayOutputStream body) {
            if (body != null) body.write(buf, from, to - from);
        }

        void close() {
            if (socket == null) return;
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
            socket = null;
        }
    }

    /** Trivial jobs completed per second end to end: submitted through the API, run by the agents, recorded. */
    @Command(name = "throughput", mixinStandardHelpOptions = true, description = "Trivial jobs completed/s end to end, against a running cluster.")
    static final class Throughput implements Callable<Integer> {
        @Option(names = "--url", description = "controller (default http://127.0.0.1:$BOTTEGA_PORT or 6860)")
        String url;
        @Option(names = "--token", required = true, description = "a token (bottega token)")
        String token;
        @Option(names = "--jobs", description = "jobs (default 2000)")
        int jobs = 2000;
        @Option(names = "--clients", description = "concurrent submitters (default 8)")
        int clients = 8;
        @Option(names = "--poll-ms", description = "how often the bench asks which of its jobs are still active (default 100)")
        int pollMs = 100;
        @Parameters(arity = "0..1", description = "the command each job runs (default: true)")
        String command = "true";

        @Override
        public Integer call() throws Exception {
            String base = url != null ? url : "http://127.0.0.1:" + DataDir.defaultPort();
            URI target = URI.create(base + "/api/v1/jobs");
            String body = "{\"script\":\"#!/bin/sh\\n" + command.replace("\\", "\\\\").replace("\"", "\\\"")
                    + "\\n\",\"submitDir\":\"/tmp\",\"stdoutPath\":\"/dev/null\"}";
            String head = " HTTP/1.1\r\nHost: " + target.getHost() + ":" + target.getPort() + "\r\nAuthorization: Bearer " + token + "\r\n";
            byte[] submit = ("POST " + target.getRawPath() + head + "Content-Type: application/json\r\nContent-Length: "
                    + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8);
            // the ids of the pending and running jobs, one a line: what the bench needs, and little for the controller to write
            byte[] active = ("GET " + target.getRawPath().replace("/jobs", "/squeue") + "?states=PENDING,RUNNING&format=%25i&noheader=true"
                    + head + "\r\n").getBytes(StandardCharsets.UTF_8);
            AtomicInteger left = new AtomicInteger(jobs);
            ConcurrentLinkedQueue<Long> ids = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            List<Thread> threads = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int i = 0; i < clients; i++) {
                Thread t = new Thread(() -> {
                    // one kept-alive connection a client, as bench submit: the JDK's HttpClient cost the shared CPU as much as
                    // a request cost the controller
                    KeepAlive conn = new KeepAlive(target.getHost(), target.getPort());
                    java.io.ByteArrayOutputStream answer = new java.io.ByteArrayOutputStream();
                    while (left.getAndDecrement() > 0) {
                        try {
                            int status = conn.exchange(submit, answer);
                            String r = answer.toString(StandardCharsets.UTF_8);
                            if (status != 201) throw new IOException("status " + status + ": " + r);
                            int k = r.indexOf("\"job_id\":");
                            ids.add(Long.parseLong(r.substring(k + 9, r.indexOf(',', k)).trim()));
                        } catch (IOException | RuntimeException e) {
                            failures.add(String.valueOf(e.getMessage()));
                            conn.close();
                        }
                    }
                    conn.close();
                });
                t.start();
                threads.add(t);
            }
            for (Thread t : threads) t.join();
            if (!failures.isEmpty()) {
                System.err.println("bench throughput: " + failures.size() + " submissions failed, the first: " + failures.peek());
                return 1;
            }
            double submitSec = (System.nanoTime() - t0) / 1e9;
            long min = ids.stream().mapToLong(Long::longValue).min().orElse(0);
            long max = ids.stream().mapToLong(Long::longValue).max().orElse(0);
            KeepAlive conn = new KeepAlive(target.getHost(), target.getPort());
            java.io.ByteArrayOutputStream answer = new java.io.ByteArrayOutputStream();
            while (true) {
                int status = conn.exchange(active, answer);
                if (status != 200) throw new IOException("squeue: status " + status + ": " + answer.toString(StandardCharsets.UTF_8));
                long activeJobs = answer.toString(StandardCharsets.UTF_8).lines().map(String::strip).filter(x -> !x.isEmpty())
                        .mapToLong(Long::parseLong).filter(id -> id >= min && id <= max).count();
                if (activeJobs == 0) break;
                Thread.sleep(pollMs);
            }
            conn.close();
            double sec = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "%d jobs ('%s') submitted in %.2f s, all finished after %.2f s: %.0f jobs/s end to end%n", jobs,
                    command, submitSec, sec, jobs / sec);
            return 0;
        }
    }
}
