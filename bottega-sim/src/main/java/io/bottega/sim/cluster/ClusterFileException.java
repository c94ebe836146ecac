package io.bottega.sim.cluster;

/** A cluster file that cannot be used, with the YAML path at fault: {@code small.yaml: partitions[1].max_time: ...}. */
public final class ClusterFileException extends IllegalArgumentException {
    private final String path;

    public ClusterFileException(String source, String path, String reason) {
        super(source + ": " + (path.isEmpty() ? "" : path + ": ") + reason);
        this.path = path;
    }

    /** The YAML path ({@code nodes[0].cores}), or "" for the whole file. */
    public String path() { return path; }
}
