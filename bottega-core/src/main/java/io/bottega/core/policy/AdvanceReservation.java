package io.bottega.core.policy;

import io.bottega.core.model.NodeSet;

import java.util.Set;

/**
 * An advance reservation of nodes for a window of time ({@code scontrol create reservation}): for
 * maintenance (nobody runs there), or for some users or accounts, whose jobs run in it when they ask for it
 * with {@code --reservation=NAME}. A job that does not belong to it never runs on its nodes during its window —
 * so a long job does not start where it would cross a maintenance window.
 *
 * @param start epoch seconds, inclusive
 * @param end   epoch seconds, exclusive
 */
public record AdvanceReservation(String name, NodeSet nodes, long start, long end, Set<String> users, Set<String> accounts,
                                 boolean maintenance) {
    public AdvanceReservation {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("reservation name must not be blank");
        if (nodes == null || nodes.isEmpty()) throw new IllegalArgumentException("reservation " + name + " has no node");
        if (end <= start) throw new IllegalArgumentException("reservation " + name + ": end must be after start");
        users = users == null ? Set.of() : Set.copyOf(users);
        accounts = accounts == null ? Set.of() : Set.copyOf(accounts);
    }

    /** Whether [from, to) overlaps the reservation's window. */
    public boolean overlaps(long from, long to) { return from < end && to > start; }

    /** Whether a job of this user and account may use the reservation (maintenance admits nobody). */
    public boolean admits(String user, String account) {
        return !maintenance && (users.contains(user) || accounts.contains(account));
    }
}
