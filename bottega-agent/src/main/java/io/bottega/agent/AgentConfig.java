package io.bottega.agent;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Configuration of one node agent.
 *
 * @param controllerUrl     base URL of the controller, e.g. {@code http://ctl:6820}; may be empty when the
 *                          agent is given a {@link ControllerLink} directly (all-in-one)
 * @param clusterKey        the cluster key sent as {@code Authorization: Bearer} on every request
 * @param nodeName          the node's name ({@code [A-Za-z0-9][A-Za-z0-9._-]*}); it is also part of cgroup
 *                          and temporary paths, so several agents can share a host
 * @param spoolDir          the agent's spool (absolute): job scripts, state that survives a restart
 * @param declared          resources declared instead of detected ({@link DeclaredResources#DETECT})
 * @param killGrace         time between SIGTERM and SIGKILL when a job reaches its limit or is cancelled,
 *                          unless the launch says otherwise
 * @param syncWait          how long a sync may be held by the controller before it has told us its own
 *                          wait; bounds the request timeout
 * @param cgroupMode        {@code auto}, {@code v2}, {@code v1} or {@code none}
 * @param cgroupBase        directory under each cgroup mount that holds the agents' node cgroups
 * @param tmpBase           parent of the per-job {@code TMPDIR}s
 * @param cpuBinding        pin jobs to their cores (cpuset, or CPU affinity without cgroups)
 * @param limitAddressSpace without cgroups, also set RLIMIT_AS ({@code ulimit -v}) to the memory limit;
 *                          off by default because GPU runtimes and JVMs reserve far more address space than
 *                          they use (the memory limit is then enforced by polling RSS)
 * @param tick              supervision period (time limits, kill escalation)
 * @param retryMax          the longest back-off between attempts to reach the controller
 * @param address           the address other nodes reach this node's jobs at (a job step's rendezvous,
 *                          {@code MASTER_ADDR}); empty: the controller takes the address the agent connects from
 * @param launcher          how jobs are started: {@code native} (the compiled launcher, {@code bottega-launch.c}; the
 *                          agent does not start without it), {@code shell} (the shell chain, {@code job-wrapper.sh})
 *                          or {@code auto} (native when a C compiler builds it, else shell)
 */
public record AgentConfig(String controllerUrl, String clusterKey, String nodeName, Path spoolDir,
                          DeclaredResources declared, Duration killGrace, Duration syncWait, String cgroupMode,
                          String cgroupBase, Path tmpBase, boolean cpuBinding, boolean limitAddressSpace,
                          Duration tick, Duration retryMax, String address, String launcher) {
    private static final Pattern NODE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Pattern CGROUP_BASE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*");

    public AgentConfig {
        controllerUrl = controllerUrl == null ? "" : controllerUrl.strip();
        clusterKey = clusterKey == null ? "" : clusterKey.strip();
        Objects.requireNonNull(nodeName, "node name must not be null");
        if (!NODE_NAME.matcher(nodeName).matches()) {
            throw new IllegalArgumentException("node name must be letters, digits, '.', '_' or '-': " + nodeName);
        }
        Objects.requireNonNull(spoolDir, "spool dir must not be null");
        if (!spoolDir.isAbsolute()) throw new IllegalArgumentException("spool dir must be absolute: " + spoolDir);
        if (spoolDir.toString().contains("=") || spoolDir.toString().contains("\n")) {
            throw new IllegalArgumentException("spool dir must not contain '=' or a newline: " + spoolDir);
        }
        declared = declared == null ? DeclaredResources.DETECT : declared;
        killGrace = positiveOr(killGrace, Duration.ofSeconds(30), "kill grace", true);
        syncWait = positiveOr(syncWait, Duration.ofSeconds(30), "sync wait", true);
        cgroupMode = cgroupMode == null || cgroupMode.isBlank() ? "auto" : cgroupMode.strip();
        if (!cgroupMode.matches("auto|v2|v1|none")) {
            throw new IllegalArgumentException("cgroup mode must be auto, v2, v1 or none: " + cgroupMode);
        }
        cgroupBase = cgroupBase == null || cgroupBase.isBlank() ? "bottega.slice" : cgroupBase.strip();
        if (!CGROUP_BASE.matcher(cgroupBase).matches() || cgroupBase.contains("..")) {
            throw new IllegalArgumentException("cgroup base must be a relative path of plain names: " + cgroupBase);
        }
        tmpBase = tmpBase == null ? Path.of(System.getProperty("java.io.tmpdir"), "bottega-" + nodeName) : tmpBase;
        if (!tmpBase.isAbsolute()) throw new IllegalArgumentException("tmp base must be absolute: " + tmpBase);
        tick = positiveOr(tick, Duration.ofMillis(250), "tick", false);
        retryMax = positiveOr(retryMax, Duration.ofSeconds(30), "retry max", false);
        address = address == null ? "" : address.strip();
        launcher = launcher == null || launcher.isBlank() ? "auto" : launcher.strip();
        if (!launcher.matches("auto|native|shell")) {
            throw new IllegalArgumentException("launcher must be auto, native or shell: " + launcher);
        }
    }

    private static Duration positiveOr(Duration d, Duration otherwise, String what, boolean zeroOk) {
        if (d == null) return otherwise;
        if (d.isNegative() || (!zeroOk && d.isZero())) {
            throw new IllegalArgumentException(what + " must be " + (zeroOk ? "non-negative" : "positive") + ": " + d);
        }
        return d;
    }

    /** A configuration with defaults: detect resources, 30 s kill grace, 30 s sync wait, cgroups auto. */
    public static AgentConfig of(String controllerUrl, String clusterKey, String nodeName, Path spoolDir) {
        return new AgentConfig(controllerUrl, clusterKey, nodeName, spoolDir, null, null, null, null, null, null,
                true, false, null, null, "", "auto");
    }

    public AgentConfig withDeclared(DeclaredResources d) {
        return new AgentConfig(controllerUrl, clusterKey, nodeName, spoolDir, d, killGrace, syncWait, cgroupMode,
                cgroupBase, tmpBase, cpuBinding, limitAddressSpace, tick, retryMax, address, launcher);
    }

    public AgentConfig withKillGrace(Duration d) {
        return new AgentConfig(controllerUrl, clusterKey, nodeName, spoolDir, declared, d, syncWait, cgroupMode,
                cgroupBase, tmpBase, cpuBinding, limitAddressSpace, tick, retryMax, address, launcher);
    }

    public AgentConfig withSyncWait(Duration d) {
        return new AgentConfig(controllerUrl, clusterKey, nodeName, spoolDir, declared, killGrace, d, cgroupMode,
                cgroupBase, tmpBase, cpuBinding, limitAddressSpace, tick, retryMax, address, launcher);
    }

    public AgentConfig withCgroupMode(String m) {
        return new AgentConfig(controllerUrl, clusterKey, nodeName, spoolDir, declared, killGrace, syncWait, m,
                cgroupBase, tmpBase, cpuBinding, limitAddressSpace, tick, retryMax, address, launcher);
    }

    public AgentConfig withCgroupBase(String b) {
        return new AgentConfig(controllerUrl, clusterKey, nodeName, spoolDir, declared, killGrace, syncWait,
                cgroupMode, b, tmpBase, cpuBinding, limitAddressSpace, tick, retryMax, address, launcher);
    }

    public AgentConfig withTmpBase(Path p) {
        return new AgentConfig(controllerUrl, clusterKey, nodeName, spoolDir, declared, killGrace, syncWait,
                cgroupMode, cgroupBase, p, cpuBinding, limitAddressSpace, tick, retryMax, address, launcher);
    }

    public AgentConfig withCpuBinding(boolean b) {
        return new AgentConfig(controllerUrl, clusterKey, nodeName, spoolDir, declared, killGrace, syncWait,
                cgroupMode, cgroupBase, tmpBase, b, limitAddressSpace, tick, retryMax, address, launcher);
    }

    public AgentConfig withLimitAddressSpace(boolean b) {
        return new AgentConfig(controllerUrl, clusterKey, nodeName, spoolDir, declared, killGrace, syncWait,
                cgroupMode, cgroupBase, tmpBase, cpuBinding, b, tick, retryMax, address, launcher);
    }

    public AgentConfig withTick(Duration d) {
        return new AgentConfig(controllerUrl, clusterKey, nodeName, spoolDir, declared, killGrace, syncWait,
                cgroupMode, cgroupBase, tmpBase, cpuBinding, limitAddressSpace, d, retryMax, address, launcher);
    }

    public AgentConfig withAddress(String a) {
        return new AgentConfig(controllerUrl, clusterKey, nodeName, spoolDir, declared, killGrace, syncWait,
                cgroupMode, cgroupBase, tmpBase, cpuBinding, limitAddressSpace, tick, retryMax, a, launcher);
    }

    public AgentConfig withLauncher(String l) {
        return new AgentConfig(controllerUrl, clusterKey, nodeName, spoolDir, declared, killGrace, syncWait,
                cgroupMode, cgroupBase, tmpBase, cpuBinding, limitAddressSpace, tick, retryMax, address, l);
    }

    public AgentConfig withRetryMax(Duration d) {
        return new AgentConfig(controllerUrl, clusterKey, nodeName, spoolDir, declared, killGrace, syncWait,
                cgroupMode, cgroupBase, tmpBase, cpuBinding, limitAddressSpace, tick, d, address, launcher);
    }
}
