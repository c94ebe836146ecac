package io.bottega.server.store;

/** An advance reservation as stored: its nodes as a hostlist, users and accounts comma-separated. */
public record ReservationRow(String name, String nodes, long start, long end, String users, String accounts, boolean maintenance) {
}
