package io.bottega.api.agent;

import java.util.List;

/**
 * What an agent reports at registration: the node's name and resources (found on the machine or
 * declared), and how it enforces limits.
 *
 * @param name         node name, unique in the cluster
 * @param cores        schedulable cores (logical CPUs)
 * @param memoryMb     schedulable memory in MiB
 * @param gpus         GPUs, ordered by index
 * @param features     node features for {@code --constraint}
 * @param group        network group (Dragonfly+ cell or leaf switch); empty when unknown
 * @param cgroupMode   {@code v2}, {@code v1} or {@code none} (see {@link AgentProtocol})
 * @param agentVersion the agent's version
 * @param address      the address other nodes reach this node's jobs at ({@code MASTER_ADDR} of a step
 *                     whose first task runs here); empty: the controller takes the address the
 *                     registration came from
 */
public record NodeResources(String name, int cores, long memoryMb, List<GpuInfo> gpus, List<String> features,
                            String group, String cgroupMode, String agentVersion, String address) {
    public NodeResources {
        name = Wire.str(name);
        gpus = Wire.list(gpus);
        features = Wire.list(features);
        group = Wire.str(group);
        cgroupMode = Wire.str(cgroupMode);
        agentVersion = Wire.str(agentVersion);
        address = Wire.str(address);
    }

    /** Resources without an address of their own (the controller uses the registration's source). */
    public NodeResources(String name, int cores, long memoryMb, List<GpuInfo> gpus, List<String> features,
                         String group, String cgroupMode, String agentVersion) {
        this(name, cores, memoryMb, gpus, features, group, cgroupMode, agentVersion, "");
    }

    /** The same resources at {@code a}. */
    public NodeResources withAddress(String a) {
        return new NodeResources(name, cores, memoryMb, gpus, features, group, cgroupMode, agentVersion, a);
    }
}
