package io.bottega.api.agent;

/**
 * One GPU of a node, as {@code nvidia-smi} reports it or as declared for an emulated node.
 *
 * @param index    the device index on the node (what {@code CUDA_VISIBLE_DEVICES} names)
 * @param model    the product name, e.g. {@code "NVIDIA A100-SXM-64GB"}
 * @param memoryMb the device memory in MiB; 0 when unknown
 * @param uuid     the device UUID ({@code GPU-...}); an {@code EMU-} id for an emulated GPU
 */
public record GpuInfo(int index, String model, long memoryMb, String uuid) {
    public GpuInfo {
        model = Wire.str(model);
        uuid = Wire.str(uuid);
    }
}
