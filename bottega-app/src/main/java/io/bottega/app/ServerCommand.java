package io.bottega.app;

import io.bottega.core.model.Cluster;
import io.bottega.core.sched.SchedulerConfig;
import io.bottega.server.Controller;
import io.bottega.server.ControllerConfig;
import io.bottega.core.policy.Site;
import io.bottega.sim.cluster.ClusterFile;
import io.bottega.sim.cluster.Clusters;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/** {@code bottega server}: the controller alone, for a cluster of agents started with {@code bottega agent}. */
@Command(name = "server", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Run the controller. Agents join with: bottega agent --controller URL --key-file FILE --name NODE")
public final class ServerCommand implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--cluster", required = true, paramLabel = "NAME|FILE",
            description = "the machine: a cluster file (YAML, see docs/operators.md) or a preset (tiny, small-gpu, ...)")
    String cluster;
    @Option(names = "--data-dir", paramLabel = "DIR", description = "state directory (default: $BOTTEGA_DATA_DIR or ~/.bottega)")
    Path dataDir;
    @Option(names = "--db", paramLabel = "JDBC_URL", description = "store: jdbc:postgresql://host:port/db?user=... (default: SQLite in the data directory)")
    String db;
    @Option(names = "--host", paramLabel = "ADDR", description = "address of the API (default 127.0.0.1; 0.0.0.0 for agents on other machines)")
    String host = "127.0.0.1";
    @Option(names = "--port", paramLabel = "PORT", description = "port of the API (default $BOTTEGA_PORT or 6860)")
    Integer port;
    @Option(names = "--socket", paramLabel = "PATH", description = "local socket for clients (default $BOTTEGA_SOCKET or /tmp/bottega/bottega.sock)")
    Path socket;
    @Option(names = "--key-file", paramLabel = "FILE", description = "cluster key agents present (default DATA_DIR/cluster.key, created if missing)")
    Path keyFile;
    @Option(names = "--site", paramLabel = "FILE", description = "site policies (qos, billing, priority, fairshare, accounts) from this "
            + "file instead of the cluster file's (see docs/accounting.md)")
    Path site;
    @Option(names = "--policy", paramLabel = "NAME", description = "easy, conservative or fcfs, optionally +multifactor (default: "
            + "easy+multifactor when the site declares accounts or QOS, else easy)")
    String policy;
    @Option(names = "--operators", split = ",", paramLabel = "USER", description = "users who may act on any job and node (root always may)")
    List<String> operators = List.of();
    @Option(names = "--heartbeat-timeout", paramLabel = "S", description = "a node silent this long goes DOWN (default 30)")
    long heartbeatTimeout = 30;
    @Option(names = "--kill-grace", paramLabel = "S", description = "seconds between SIGTERM and SIGKILL (default 30)")
    long killGrace = 30;
    @Option(names = "--scheduler-lanes", paramLabel = "N", description = "threads a conservative pass or an EASY forecast may use, one per node-disjoint "
            + "part of the machine (default: the cores, at most 4)")
    int lanes;
    @Option(names = "--requeue", description = "requeue the jobs of a failed node unless they asked --no-requeue (default: NODE_FAIL)")
    boolean requeue;

    public static int run(String[] args) {
        return new CommandLine(new ServerCommand()).setExecutionExceptionHandler((e, cmd, parsed) -> {
            System.err.println("bottega server: error: " + e.getMessage());
            return 1;
        }).execute(args);
    }

    @Override
    public Integer call() throws Exception {
        Cluster c;
        Site s = Site.NONE;
        if (Files.isRegularFile(Path.of(cluster)) && io.bottega.sim.cluster.ClusterPresets.find(cluster).isEmpty()) {
            ClusterFile.SiteConfig sc = ClusterFile.loadSite(Path.of(cluster));
            c = sc.cluster();
            s = sc.site();
        } else {
            c = Clusters.load(cluster);
        }
        if (site != null) s = ClusterFile.loadSiteSections(site);
        String pol = policy != null ? policy : UpCommand.defaultPolicy(s);
        Path dir = (dataDir != null ? dataDir : DataDir.defaultDir()).toAbsolutePath();
        String key = DataDir.clusterKey(keyFile != null ? keyFile : dir.resolve("cluster.key"));
        ControllerConfig config = new ControllerConfig(dir, db, host, port != null ? port : DataDir.defaultPort(),
                socket != null ? socket : DataDir.defaultSocket(), c, SchedulerConfig.parse(pol), key,
                Duration.ofSeconds(heartbeatTimeout), Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(5),
                killGrace, requeue, Set.copyOf(operators), s, lanes);
        Controller controller = Controller.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            controller.close();
            stopped.countDown();
        }, "bottega-server-shutdown"));
        System.out.printf("bottega server: cluster %s (%d nodes) on %s, socket %s, data %s, policy %s, %d accounts, %d QOS%n", c.name(),
                c.nodeCount(), controller.url(), config.socketPath(), dir, config.scheduler().label(), s.accounts().size(),
                s.policies().qos().size());
        System.out.flush();
        stopped.await();
        return 0;
    }
}
