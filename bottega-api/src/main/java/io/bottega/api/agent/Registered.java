package io.bottega.api.agent;

/**
 * The controller's answer to a registration.
 *
 * @param node            the node name the controller registered (echoed)
 * @param heartbeatMillis the agent syncs at least this often, even with nothing to report; the
 *                        controller marks a node down after missing several
 * @param syncWaitMillis  how long the controller holds a sync that has nothing to answer
 */
public record Registered(String node, long heartbeatMillis, long syncWaitMillis) {
    public Registered {
        node = Wire.str(node);
    }
}
