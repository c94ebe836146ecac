package io.bottega.app;

import io.bottega.agent.Agent;
import io.bottega.agent.AgentConfig;
import io.bottega.agent.DeclaredResources;
import io.bottega.core.model.Cluster;
import io.bottega.core.policy.Site;
import io.bottega.sim.cluster.ClusterFile;
import io.bottega.core.model.Hostlist;
import io.bottega.core.sched.SchedulerConfig;
import io.bottega.server.Controller;
import io.bottega.server.ControllerConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code bottega up}: the controller and N emulated nodes in one process, state in a SQLite file under the
 * data directory. Started again on the same data directory, it resumes: the same nodes (the shape is saved
 * in {@code up.properties}), the same jobs, running jobs re-adopted by their agents.
 */
@Command(name = "up", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Start a local cluster: a controller and emulated nodes in one process.")
public final class UpCommand implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--data-dir", paramLabel = "DIR", description = "state directory (default: $BOTTEGA_DATA_DIR or ~/.bottega)")
    Path dataDir;
    @Option(names = "--nodes", paramLabel = "N", description = "emulated nodes (default 4)")
    Integer nodes;
    @Option(names = "--cores", paramLabel = "N", description = "cores per node (default 8)")
    Integer cores;
    @Option(names = "--gpus", paramLabel = "N", description = "GPUs per node (default 4; emulated: jobs see CUDA_VISIBLE_DEVICES)")
    Integer gpus;
    @Option(names = "--memory", paramLabel = "MB", description = "memory per node in MB (default 65536)")
    Long memory;
    @Option(names = "--gpu-type", paramLabel = "TYPE", description = "GPU model name (default a100)")
    String gpuType;
    @Option(names = "--host", paramLabel = "ADDR", description = "address of the API (default 127.0.0.1)")
    String host = "127.0.0.1";
    @Option(names = "--port", paramLabel = "PORT", description = "port of the API (default $BOTTEGA_PORT or 6860)")
    Integer port;
    @Option(names = "--socket", paramLabel = "PATH", description = "local socket for clients (default $BOTTEGA_SOCKET or /tmp/bottega/bottega.sock)")
    Path socket;
    @Option(names = "--policy", paramLabel = "NAME", description = "easy, conservative or fcfs, optionally +multifactor (default: "
            + "easy+multifactor with a site that declares accounts or QOS, else easy)")
    String policy;
    @Option(names = "--site", paramLabel = "FILE", description = "site policies: qos, billing, priority, fairshare, accounts "
            + "(a cluster file's site sections; see docs/accounting.md); remembered")
    Path site;
    @Option(names = "--kill-grace", paramLabel = "S", description = "seconds between SIGTERM and SIGKILL at the time limit (default 30)")
    Long killGrace;
    @Option(names = "--heartbeat-timeout", paramLabel = "S", description = "a node silent this long goes DOWN (default 30)")
    Long heartbeatTimeout;
    @Option(names = "--cgroup", paramLabel = "MODE", description = "auto (default), v2, v1 or none")
    String cgroup;
    @Option(names = "--launcher", paramLabel = "MODE", description = "how the agents start jobs: auto (default: native when "
            + "a C compiler builds it, else shell), native or shell")
    String launcher;
    @Option(names = "--scheduler-lanes", paramLabel = "N", description = "threads a conservative pass or an EASY forecast may use, one per node-disjoint "
            + "part of the machine (default: the cores, at most 4)")
    int lanes;
    @Option(names = "--requeue", description = "requeue the jobs of a failed node (default: they end NODE_FAIL)")
    Boolean requeue;
    @Option(names = "--db", paramLabel = "JDBC_URL", description = "store (default: SQLite file in the data directory)")
    String db;

    /** easy+multifactor when the site declares accounts or QOS (priorities and fair share then matter), else easy. */
    static String defaultPolicy(Site s) {
        return s.accounts().isEmpty() && s.policies().qos().isEmpty() ? "easy" : "easy+multifactor";
    }

    public static int run(String[] args) {
        return new CommandLine(new UpCommand()).setExecutionExceptionHandler((e, cmd, parsed) -> {
            System.err.println("bottega up: error: " + e.getMessage());
            return 1;
        }).execute(args);
    }

    @Override
    public Integer call() throws Exception {
        Path dir = (dataDir != null ? dataDir : DataDir.defaultDir()).toAbsolutePath();
        Files.createDirectories(dir);
        Properties saved = new Properties();
        Path shape = dir.resolve("up.properties");
        if (Files.exists(shape)) {
            try (InputStream in = Files.newInputStream(shape)) {
                saved.load(in);
            }
        }
        int n = pick(nodes, saved, "nodes", 4);
        int c = pick(cores, saved, "cores", 8);
        int g = pick(gpus, saved, "gpus", 4);
        long mem = pickLong(memory, saved, "memory", 65536);
        String type = gpuType != null ? gpuType : saved.getProperty("gpu_type", "a100");
        String sitePath = site != null ? site.toAbsolutePath().toString() : saved.getProperty("site", "");
        Site siteConfig = sitePath.isEmpty() ? Site.NONE : ClusterFile.loadSiteSections(Path.of(sitePath));
        String pol = policy != null ? policy : saved.getProperty("policy", defaultPolicy(siteConfig));
        SchedulerConfig.parse(pol); // a bad --policy is refused before anything is saved
        if (n < 1 || n > 1024) throw new IllegalArgumentException("--nodes must be 1-1024");
        if (c < 1 || g < 0 || mem < 1) throw new IllegalArgumentException("--cores and --memory must be positive, --gpus not negative");
        saved.setProperty("nodes", Integer.toString(n));
        saved.setProperty("cores", Integer.toString(c));
        saved.setProperty("gpus", Integer.toString(g));
        saved.setProperty("memory", Long.toString(mem));
        saved.setProperty("gpu_type", type);
        saved.setProperty("policy", pol);
        saved.setProperty("site", sitePath);
        try (OutputStream out = Files.newOutputStream(shape)) {
            saved.store(out, "bottega up: the shape of this local cluster");
        }

        Cluster cluster = LocalCluster.build("local", n, c, mem, g, type, LocalCluster.unlimited());
        String key = DataDir.clusterKey(dir.resolve("cluster.key"));
        int p = port != null ? port : DataDir.defaultPort();
        Path sock = socket != null ? socket : DataDir.defaultSocket();
        long grace = killGrace != null ? killGrace : 30;
        Duration hb = Duration.ofSeconds(heartbeatTimeout != null ? heartbeatTimeout : 30);
        ControllerConfig config = new ControllerConfig(dir, db, host, p, sock, cluster, SchedulerConfig.parse(pol), key, hb,
                Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(5), grace, requeue != null && requeue, Set.of(), siteConfig, lanes);
        Controller controller = Controller.start(config);
        String url = "http://" + host + ":" + controller.port();
        // each local cluster's agents get their own cgroup subtree: two clusters on one host never share a node's cgroup
        String cgroupBase = "bottega.slice/up-" + Integer.toHexString(dir.toString().hashCode());
        List<Agent> agents = new ArrayList<>();
        for (String name : LocalCluster.nodeNames(n)) {
            AgentConfig ac = AgentConfig.of(url, key, name, dir.resolve("spool").resolve(name))
                    .withDeclared(new DeclaredResources(c, mem, g, g > 0 ? type : "", 0, List.of(), "local"))
                    .withKillGrace(Duration.ofSeconds(grace)).withSyncWait(Duration.ofSeconds(10))
                    .withTmpBase(dir.resolve("tmp").resolve(name)).withCgroupBase(cgroupBase);
            if (cgroup != null) ac = ac.withCgroupMode(cgroup);
            if (launcher != null) ac = ac.withLauncher(launcher);
            Agent a = Agent.create(ac);
            a.start();
            agents.add(a);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean closing = new AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (!closing.compareAndSet(false, true)) return;
            controller.close(); // first: a controller still running would judge the stopping agents lost
            agents.parallelStream().forEach(Agent::close);
            stopped.countDown();
        }, "bottega-up-shutdown"));
        printBanner(cluster, n, c, g, mem, url, sock, dir, pol, agents.isEmpty() ? "" : agents.get(0).cgroupMode());
        stopped.await();
        return 0;
    }

    private static void printBanner(Cluster cluster, int n, int c, int g, long mem, String url, Path sock, Path dir, String pol,
                                    String cgroup) {
        String launcher = launcherPath();
        System.out.printf("""
                Bottega is up: cluster "%s", %d nodes %s, each %d cores, %d GPUs, %d MB; policy %s; limits: cgroup %s.
                  API:        %s/api/v1  (local socket %s)
                  Dashboard:  %s/
                  Data:       %s
                Next, in another terminal:
                  export PATH=%s:$PATH
                  sbatch --wrap 'hostname; echo GPUs: $CUDA_VISIBLE_DEVICES'
                  squeue
                  sacct
                  sinfo
                Ctrl-C stops it; running jobs keep running, and 'bottega up' on the same data directory resumes.
                """, cluster.name(), n, Hostlist.compress(LocalCluster.nodeNames(n)), c, g, mem, pol, cgroup, url, sock, url,
                dir, launcher);
        System.out.flush();
    }

    private static String launcherPath() {
        String home = System.getenv("BOTTEGA_HOME");
        return home != null && !home.isEmpty() ? Path.of(home, "bin").toString() : "<bottega checkout>/bin";
    }

    private static int pick(Integer given, Properties saved, String key, int def) {
        if (given != null) return given;
        String s = saved.getProperty(key);
        return s == null ? def : Integer.parseInt(s);
    }

    private static long pickLong(Long given, Properties saved, String key, long def) {
        if (given != null) return given;
        String s = saved.getProperty(key);
        return s == null ? def : Long.parseLong(s);
    }

}
