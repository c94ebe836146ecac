package io.bottega.api.agent;

/** Constants of the controller ↔ agent protocol (routes, header, defaults). */
public final class AgentProtocol {
    /** Registration route: {@link NodeResources} in, {@link Registered} out. */
    public static final String REGISTER_PATH = "/api/v1/agent/register";
    /** Sync (long poll) route: {@link AgentSync} in, {@link AgentCommands} out. */
    public static final String SYNC_PATH = "/api/v1/agent/sync";
    /** The header that carries the cluster key, as {@code Bearer <key>}. */
    public static final String AUTHORIZATION_HEADER = "Authorization";
    /** Prefix of the {@link #AUTHORIZATION_HEADER} value. */
    public static final String BEARER_PREFIX = "Bearer ";
    /** Cgroup modes an agent reports in {@link NodeResources#cgroupMode()}. */
    public static final String CGROUP_V2 = "v2";
    /** Cgroup v1 hierarchies (memory, cpuset, cpuacct). */
    public static final String CGROUP_V1 = "v1";
    /** No cgroups: limits by rlimits, CPU binding by affinity, memory watched by polling. */
    public static final String CGROUP_NONE = "none";

    private AgentProtocol() {}
}
