package io.bottega.server.agents;

import io.bottega.api.agent.AgentCommands;
import io.bottega.api.agent.AgentSync;
import io.bottega.api.agent.CancelRequest;
import io.bottega.api.agent.LaunchRequest;
import io.bottega.api.agent.StepLaunch;
import io.bottega.api.agent.StepSignal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What the controller has to tell each agent, and the agents' long polls waiting for it. A sync with
 * nothing to answer is held until a command arrives or {@code waitMillis} pass. Launches are repeated
 * (at most every {@code resendMillis}) until the agent confirms them by listing the job as running or
 * reporting its result; cancels until the job is gone; result acknowledgements are sent once (the agent
 * re-sends a result that was not acknowledged, so a lost answer costs nothing). Thread-safe.
 */
public final class AgentHub {
    private final ScheduledExecutorService timer;
    private final long waitMillis;
    private final long resendMillis;
    private final Map<String, Link> links = new HashMap<>();

    public AgentHub(ScheduledExecutorService timer, long waitMillis, long resendMillis) {
        this.timer = timer;
        this.waitMillis = waitMillis;
        this.resendMillis = resendMillis;
    }

    private static final class Link {
        final Map<Long, LaunchRequest> launches = new LinkedHashMap<>();
        final Map<Long, Long> lastSent = new HashMap<>();
        final Map<Long, CancelRequest> cancels = new LinkedHashMap<>();
        final Map<Long, Long> cancelSent = new HashMap<>();
        final List<Long> acks = new ArrayList<>();
        final Map<String, StepLaunch> stepLaunches = new LinkedHashMap<>();
        final Map<String, Long> stepLaunchSent = new HashMap<>();
        final Map<String, StepSignal> stepSignals = new LinkedHashMap<>();
        final Map<String, Long> stepSignalSent = new HashMap<>();
        final List<String> stepAcks = new ArrayList<>();
        CompletableFuture<AgentCommands> waiting;
        boolean reregister;
    }

    private synchronized Link link(String node) {
        return links.computeIfAbsent(node, k -> new Link());
    }

    public void launch(String node, LaunchRequest request) {
        Link l = link(node);
        synchronized (l) {
            l.launches.put(request.jobId(), request);
            wake(l);
        }
    }

    public void cancel(String node, CancelRequest request) {
        Link l = link(node);
        synchronized (l) {
            l.cancels.put(request.jobId(), request);
            l.cancelSent.remove(request.jobId());
            wake(l);
        }
    }

    /** The controller has stored the job's result: tell the agent it may forget it. */
    public void ack(String node, long jobId) {
        Link l = link(node);
        synchronized (l) {
            l.acks.add(jobId);
            l.launches.remove(jobId);
            l.cancels.remove(jobId);
            l.cancelSent.remove(jobId);
            wake(l);
        }
    }

    /** The agent has the job (running, or finished): stop repeating its launch. */
    public void confirmed(String node, long jobId) {
        Link l = link(node);
        synchronized (l) {
            l.launches.remove(jobId);
            l.lastSent.remove(jobId);
        }
    }

    /** The job is gone from the node: stop repeating its cancel. */
    public void gone(String node, long jobId) {
        Link l = link(node);
        synchronized (l) {
            l.cancels.remove(jobId);
            l.cancelSent.remove(jobId);
            l.launches.remove(jobId);
        }
    }

    /** Forget everything queued for a node (it was lost; its jobs were handled). */
    public void reset(String node) {
        Link l = link(node);
        synchronized (l) {
            l.launches.clear();
            l.lastSent.clear();
            l.cancels.clear();
            l.cancelSent.clear();
            l.acks.clear();
            l.stepLaunches.clear();
            l.stepLaunchSent.clear();
            l.stepSignals.clear();
            l.stepSignalSent.clear();
            l.stepAcks.clear();
        }
    }

    // ------------------------------------------------------------------ job steps

    /** Start a step's tasks on the node: repeated until the node lists the step or reports its outcome. */
    public void stepLaunch(String node, StepLaunch launch) {
        Link l = link(node);
        synchronized (l) {
            l.stepLaunches.put(launch.key(), launch);
            wake(l);
        }
    }

    /** The node has the step: stop repeating its launch. */
    public void stepConfirmed(String node, String key) {
        Link l = link(node);
        synchronized (l) {
            l.stepLaunches.remove(key);
            l.stepLaunchSent.remove(key);
        }
    }

    /** The step has ended: its launch, if still queued, must not go out. */
    public void stepLaunchDone(String node, String key) {
        stepConfirmed(node, key);
    }

    /**
     * Signal or stop a step (or all steps of a job) on the node: repeated while the node lists a step it
     * covers. A queued launch of a step it stops is dropped.
     */
    public void stepSignal(String node, StepSignal signal) {
        Link l = link(node);
        synchronized (l) {
            String key = signal.jobId() + "." + (signal.stepId() == StepSignal.ALL_STEPS ? "*" : Integer.toString(signal.stepId()))
                    + ":" + signal.signal();
            if (signal.signal() == 0 || signal.signal() == 9) {
                l.stepLaunches.values().removeIf(x -> signal.covers(x.jobId(), x.stepId()));
            }
            l.stepSignals.put(key, signal);
            l.stepSignalSent.remove(key);
            wake(l);
        }
    }

    /** The node's sync listed these steps: a stop or signal that covers none of them is done. */
    public void stepsListed(String node, Set<String> running) {
        Link l = link(node);
        synchronized (l) {
            l.stepSignals.entrySet().removeIf(e -> {
                StepSignal s = e.getValue();
                if (!l.stepSignalSent.containsKey(e.getKey())) return false;   // not sent yet
                for (String k : running) {
                    int dot = k.indexOf('.');
                    try {
                        if (s.covers(Long.parseLong(k.substring(0, dot)), Integer.parseInt(k.substring(dot + 1)))) return false;
                    } catch (RuntimeException ex) {
                        // not a step key
                    }
                }
                l.stepSignalSent.remove(e.getKey());
                return true;
            });
        }
    }

    /** The controller has stored the step's outcome from this node: the agent may forget it. */
    public void stepAck(String node, String key) {
        Link l = link(node);
        synchronized (l) {
            l.stepAcks.add(key);
            l.stepLaunches.remove(key);
            wake(l);
        }
    }

    /** The next answer to a node that syncs without having registered with this controller. */
    public void askToRegister(String node) {
        Link l = link(node);
        synchronized (l) {
            l.reregister = true;
            wake(l);
        }
    }

    /**
     * Answers the sync {@code sync} of the node: at once when there is something to say, else when something
     * comes or the wait ends. An agent syncs again only after it has applied the answer
     * to its previous sync, or given that answer up (it stops waiting for a held answer when it has a result
     * to report, and the answer may already have been on its way). So a launch that was sent and that this
     * sync lists neither as running nor as finished never arrived: it goes out again now rather than after
     * the resend interval, which a held poll would stretch to the whole wait.
     */
    public CompletableFuture<AgentCommands> poll(String node, AgentSync sync) {
        Link l = link(node);
        synchronized (l) {
            if (l.waiting != null && !l.waiting.isDone()) l.waiting.complete(AgentCommands.NONE); // superseded
            resendUnarrived(l, sync);
            AgentCommands now = take(l, System.currentTimeMillis());
            if (now != null) return CompletableFuture.completedFuture(now);
            CompletableFuture<AgentCommands> f = new CompletableFuture<>();
            l.waiting = f;
            timer.schedule(() -> {
                synchronized (l) {
                    if (!f.isDone()) {
                        AgentCommands c = take(l, System.currentTimeMillis());
                        f.complete(c != null ? c : AgentCommands.NONE);
                    }
                }
            }, waitMillis, TimeUnit.MILLISECONDS);
            return f;
        }
    }

    private static void resendUnarrived(Link l, AgentSync sync) {
        if (!l.lastSent.isEmpty()) {
            Set<Long> has = new HashSet<>(sync.running());
            for (var o : sync.results()) has.add(o.jobId());
            l.lastSent.keySet().removeIf(id -> !has.contains(id) && l.launches.containsKey(id));
        }
        if (!l.stepLaunchSent.isEmpty()) {
            Set<String> has = new HashSet<>(sync.steps());
            for (var o : sync.stepResults()) has.add(o.key());
            l.stepLaunchSent.keySet().removeIf(k -> !has.contains(k) && l.stepLaunches.containsKey(k));
        }
    }

    /** Number of launches not yet confirmed, over all nodes (for metrics). */
    public synchronized int unconfirmedLaunches() {
        int n = 0;
        for (Link l : links.values()) {
            synchronized (l) {
                n += l.launches.size();
            }
        }
        return n;
    }

    private void wake(Link l) {
        if (l.waiting == null || l.waiting.isDone()) return;
        AgentCommands c = take(l, System.currentTimeMillis());
        if (c != null) l.waiting.complete(c);
    }

    private AgentCommands take(Link l, long now) {
        List<LaunchRequest> launch = new ArrayList<>();
        for (var e : l.launches.entrySet()) {
            Long sent = l.lastSent.get(e.getKey());
            if (sent == null || now - sent >= resendMillis) {
                launch.add(e.getValue());
                l.lastSent.put(e.getKey(), now);
            }
        }
        List<CancelRequest> cancel = new ArrayList<>();
        for (var e : l.cancels.entrySet()) {
            Long sent = l.cancelSent.get(e.getKey());
            if (sent == null || now - sent >= resendMillis) {
                cancel.add(e.getValue());
                l.cancelSent.put(e.getKey(), now);
            }
        }
        List<Long> acks = new ArrayList<>(l.acks);
        boolean rereg = l.reregister;
        List<StepLaunch> steps = new ArrayList<>();
        for (var e : l.stepLaunches.entrySet()) {
            Long sent = l.stepLaunchSent.get(e.getKey());
            if (sent == null || now - sent >= resendMillis) {
                steps.add(e.getValue());
                l.stepLaunchSent.put(e.getKey(), now);
            }
        }
        List<StepSignal> signals = new ArrayList<>();
        for (var e : l.stepSignals.entrySet()) {
            Long sent = l.stepSignalSent.get(e.getKey());
            if (sent == null || now - sent >= resendMillis) {
                signals.add(e.getValue());
                l.stepSignalSent.put(e.getKey(), now);
            }
        }
        List<String> stepAcks = new ArrayList<>(l.stepAcks);
        if (launch.isEmpty() && cancel.isEmpty() && acks.isEmpty() && !rereg && steps.isEmpty() && signals.isEmpty()
                && stepAcks.isEmpty()) {
            return null;
        }
        l.acks.clear();
        l.stepAcks.clear();
        l.reregister = false;
        return new AgentCommands(launch, cancel, acks, 0, rereg, steps, signals, stepAcks);
    }
}
