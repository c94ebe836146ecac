package io.bottega.server.store;

/**
 * An operator's view of a node that must survive restarts: its administrative state ("" for none,
 * "drain", "down") and why, and what the agent last reported (JSON, opaque to the store).
 */
public record NodeRow(String name, String adminState, String reason, long reasonTime, String reasonUser,
                      String resourcesJson, long lastSeen) {
}
