package io.bottega.agent;

import java.util.concurrent.CompletableFuture;

import io.bottega.api.agent.AgentCommands;
import io.bottega.api.agent.AgentSync;
import io.bottega.api.agent.NodeResources;
import io.bottega.api.agent.Registered;

/**
 * The agent's side of the controller ↔ agent protocol: HTTP for a real node ({@link HttpControllerLink}),
 * or direct calls into the controller when it runs in the same process (all-in-one).
 *
 * <p>Both calls are asynchronous. A sync is a long poll: the future completes when the controller has
 * something to say or its wait is over. The agent may {@code cancel} a pending sync (to report a result
 * at once); an implementation must then drop the poll, and must not lose state by it: the controller
 * repeats launches and cancels until the agent confirms them (see the protocol's package doc).
 * A future that completes exceptionally with {@link ControllerException} carries the controller's
 * status; any other exception is a transport failure, retried with back-off.
 */
public interface ControllerLink extends AutoCloseable {

    CompletableFuture<Registered> register(NodeResources node);

    CompletableFuture<AgentCommands> sync(AgentSync sync);

    /** Releases the link's resources; pending calls may fail. */
    @Override
    default void close() {}
}
