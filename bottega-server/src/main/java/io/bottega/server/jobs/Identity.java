package io.bottega.server.jobs;

/**
 * Who is asking: a Unix user (from the peer credentials of the local socket or a signed token), or an
 * agent (with the cluster key). Operators may act on every job and node; a user only on their own jobs.
 */
public record Identity(String user, int uid, int gid, boolean operator, String via) {
    public Identity {
        if (user == null || user.isBlank()) throw new IllegalArgumentException("identity needs a user name");
        via = via == null ? "" : via;
    }

    public static Identity agent() { return new Identity("agent", -1, -1, false, "cluster-key"); }

    public boolean mayActOn(String owner) { return operator || user.equals(owner); }
}
