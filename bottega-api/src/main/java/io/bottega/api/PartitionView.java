package io.bottega.api;

/**
 * One partition as the controller shows it to {@code sinfo}, the CLI and the dashboard.
 *
 * @param isDefault      the default partition (sinfo marks it with {@code *})
 * @param state          {@code up}, {@code down}, {@code drain} or {@code inact}
 * @param timeLimit      the longest time limit a job may ask for, seconds; {@code SlurmTime.UNLIMITED} for none
 * @param defaultTime    the time limit of a job that asks for none, seconds
 * @param maxNodesPerJob the most nodes one job may use; 0 or {@link Integer#MAX_VALUE} for no limit
 * @param nodes          the number of nodes
 * @param nodeList       the nodes as a hostlist expression
 */
public record PartitionView(String name, boolean isDefault, String state, long timeLimit, long defaultTime,
                            int maxNodesPerJob, int nodes, String nodeList, int cpus, int gpus, int nodesIdle,
                            int nodesAlloc, int nodesMix, int nodesOther) {
    public PartitionView {
        name = name == null ? "" : name;
        state = state == null ? "" : state;
        nodeList = nodeList == null ? "" : nodeList;
    }
}
