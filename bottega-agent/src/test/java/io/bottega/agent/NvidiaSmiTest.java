package io.bottega.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import io.bottega.api.agent.GpuInfo;
import org.junit.jupiter.api.Test;

class NvidiaSmiTest {
    /** {@code nvidia-smi --query-gpu=index,name,memory.total,uuid --format=csv,noheader,nounits} on a 4-GPU node. */
    static final String FOUR_A100 = """
            0, NVIDIA A100-SXM-64GB, 65536, GPU-5a3c9c1e-2f1b-8d7a-3c4e-9b1f2a3d4e5f
            1, NVIDIA A100-SXM-64GB, 65536, GPU-6b4d0d2f-3a2c-9e8b-4d5f-0c2a3b4e5f60
            2, NVIDIA A100-SXM-64GB, 65536, GPU-7c5e1e3a-4b3d-0f9c-5e6a-1d3b4c5f6071
            3, NVIDIA A100-SXM-64GB, 65536, GPU-8d6f2f4b-5c4e-1a0d-6f7b-2e4c5d6a7182
            """;

    @Test
    void parse_fourGpus_inIndexOrder() {
        List<GpuInfo> gpus = NvidiaSmi.parse(FOUR_A100);

        assertThat(gpus).extracting(GpuInfo::index).containsExactly(0, 1, 2, 3);
        assertThat(gpus.getFirst()).isEqualTo(new GpuInfo(0, "NVIDIA A100-SXM-64GB", 65536,
                "GPU-5a3c9c1e-2f1b-8d7a-3c4e-9b1f2a3d4e5f"));
    }

    @Test
    void parse_capturedOnAnH200Node() {
        // captured with the agent's query on a one-GPU H200 machine (driver 580)
        String out = "0, NVIDIA H200, 143771, GPU-1c91672f-a28a-d85f-2031-0008b0752ac8\n";

        assertThat(NvidiaSmi.parse(out)).containsExactly(
                new GpuInfo(0, "NVIDIA H200", 143771, "GPU-1c91672f-a28a-d85f-2031-0008b0752ac8"));
    }

    @Test
    void parse_h200WithCrLfAndBlankLines() {
        String out = "\r\n0, NVIDIA H200, 143771, GPU-0e6bd1c4-1b6d-7e3a-0f4a-7f3c2d1e0a9b\r\n\r\n";

        assertThat(NvidiaSmi.parse(out)).containsExactly(
                new GpuInfo(0, "NVIDIA H200", 143771, "GPU-0e6bd1c4-1b6d-7e3a-0f4a-7f3c2d1e0a9b"));
    }

    @Test
    void parse_unsortedLines_areSortedByIndex() {
        String out = "1, B, 10, GPU-b\n0, A, 10, GPU-a\n";

        assertThat(NvidiaSmi.parse(out)).extracting(GpuInfo::uuid).containsExactly("GPU-a", "GPU-b");
    }

    @Test
    void parse_notAvailableMemory_readsAsZero() {
        String out = "0, NVIDIA GH200 480GB, [N/A], GPU-1\n1, Tesla K80, [Not Supported], GPU-2\n";

        assertThat(NvidiaSmi.parse(out)).extracting(GpuInfo::memoryMb).containsExactly(0L, 0L);
    }

    @Test
    void parse_nameWithComma_isKeptWhole() {
        assertThat(NvidiaSmi.parse("0, Odd, Name, 1024, GPU-x\n").getFirst().model()).isEqualTo("Odd, Name");
    }

    @Test
    void parse_garbage_isSkipped() {
        String out = """
                NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.
                x, y, z, w
                0, NVIDIA A100, 40960, GPU-ok
                """;

        assertThat(NvidiaSmi.parse(out)).extracting(GpuInfo::uuid).containsExactly("GPU-ok");
    }

    @Test
    void parse_empty_isNoGpu() {
        assertThat(NvidiaSmi.parse("")).isEmpty();
        assertThat(NvidiaSmi.parse("No devices were found\n")).isEmpty();
    }
}
