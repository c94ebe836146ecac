package io.bottega.server;

import io.bottega.core.model.Cluster;
import io.bottega.core.policy.Site;
import io.bottega.core.sched.SchedulerConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * Everything the controller is started with.
 *
 * @param dataDir            where the SQLite file, the token secret and the local socket live
 * @param dbUrl              JDBC URL of the store; empty for {@code jdbc:sqlite:<dataDir>/bottega.db}
 * @param httpHost           address the REST API listens on ({@code 127.0.0.1} by default)
 * @param httpPort           its port (0: any free port)
 * @param socketPath         the local Unix socket for clients on this machine (peer credentials give the
 *                           caller's identity); null for none
 * @param clusterKey         the secret agents present
 * @param heartbeatTimeout   a node whose agent has not synced for this long goes DOWN
 * @param syncWait           how long an agent's sync is held when there is nothing to say (at most a third of
 *                           the heartbeat timeout)
 * @param passInterval       a scheduling pass runs at least this often
 * @param forecastInterval   how often every pending job's start time is forecast (EASY and fcfs)
 * @param killGraceSeconds   SIGTERM → SIGKILL grace at the time limit and on cancel
 * @param requeueOnNodeFail  requeue the jobs of a failed node unless they said {@code --no-requeue}
 * @param operators          user names allowed to act on any job and node (root always is)
 * @param site               accounts, budgets, QOS, billing and priority weights ({@link Site#NONE}: none)
 */
public record ControllerConfig(Path dataDir, String dbUrl, String httpHost, int httpPort, Path socketPath,
                               Cluster cluster, SchedulerConfig scheduler, String clusterKey, Duration heartbeatTimeout,
                               Duration syncWait, Duration passInterval, Duration forecastInterval,
                               long killGraceSeconds, boolean requeueOnNodeFail, Set<String> operators, Site site,
                               int schedulerLanes) {
    public static final int DEFAULT_PORT = 6860;

    public ControllerConfig {
        if (dataDir == null) throw new IllegalArgumentException("data directory must be given");
        if (cluster == null) throw new IllegalArgumentException("cluster must be given");
        if (clusterKey == null || clusterKey.length() < 16) throw new IllegalArgumentException("cluster key must have at least 16 characters");
        dbUrl = dbUrl == null ? "" : dbUrl;
        httpHost = httpHost == null || httpHost.isBlank() ? "127.0.0.1" : httpHost;
        scheduler = scheduler == null ? SchedulerConfig.of(SchedulerConfig.Backfill.EASY) : scheduler;
        heartbeatTimeout = heartbeatTimeout == null ? Duration.ofSeconds(30) : heartbeatTimeout;
        syncWait = syncWait == null ? Duration.ofSeconds(10) : syncWait;
        // an agent is heard from once per sync: a held sync must end well inside the heartbeat timeout
        if (syncWait.compareTo(heartbeatTimeout.dividedBy(3)) > 0) syncWait = heartbeatTimeout.dividedBy(3);
        passInterval = passInterval == null ? Duration.ofSeconds(1) : passInterval;
        forecastInterval = forecastInterval == null ? Duration.ofSeconds(5) : forecastInterval;
        operators = operators == null ? Set.of() : Set.copyOf(operators);
        site = site == null ? Site.NONE : site;
        if (schedulerLanes < 0) throw new IllegalArgumentException("scheduler lanes must not be negative");
        // 0: one lane a core, up to 4 (a split pass has rarely more node-disjoint parts worth a thread)
        schedulerLanes = schedulerLanes == 0 ? Math.min(4, Runtime.getRuntime().availableProcessors()) : schedulerLanes;
    }

    /** The same configuration with these site policies. */
    public ControllerConfig withSite(Site s) {
        return new ControllerConfig(dataDir, dbUrl, httpHost, httpPort, socketPath, cluster, scheduler, clusterKey, heartbeatTimeout,
                syncWait, passInterval, forecastInterval, killGraceSeconds, requeueOnNodeFail, operators, s, schedulerLanes);
    }

    public String effectiveDbUrl() {
        return dbUrl.isEmpty() ? "jdbc:sqlite:" + dataDir.resolve("bottega.db").toAbsolutePath() : dbUrl;
    }
}
