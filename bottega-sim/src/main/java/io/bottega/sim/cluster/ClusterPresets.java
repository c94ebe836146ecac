package io.bottega.sim.cluster;

import io.bottega.core.model.Cluster;
import io.bottega.core.model.NodeSpec;
import io.bottega.core.model.PowerModel;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Machines known by name.
 *
 * <p><b>leonardo</b> (CINECA; node counts and hardware from CINECA's Leonardo pages,
 * leonardo-supercomputer.cineca.eu/hpc-system and docs.hpc.cineca.it/hpc/leonardo.html):
 * <ul>
 *   <li>Booster: 3,456 nodes {@code lrdn0001..lrdn3456}, each 1 × Xeon Platinum 8358 (32 cores), 512 GB,
 *       4 × A100 SXM 64 GB (gres type {@code a100}): 13,824 GPUs. Partition {@code boost_usr_prod}
 *       (default), 24 h max, 30 min default, 64 nodes per job (the limits of the {@code normal} QOS;
 *       {@code boost_qos_bprod}'s 65–256-node jobs and the debug/long QOS are not modelled yet).</li>
 *   <li>DCGP: 1,536 nodes {@code lrdn3457..lrdn4992}, each 2 × Xeon Platinum 8480+ (112 cores), 512 GB.
 *       Partition {@code dcgp_usr_prod}: 24 h max, 30 min default, 16 nodes per job.</li>
 *   <li>Network groups (Dragonfly+ cells): the public pages give the topology but not the cell membership;
 *       we model cells of {@value #CELL_NODES} nodes in name order — booster {@code cell01..cell19} of 180 and
 *       {@code cell20} of the remaining 36; DCGP {@code dcgp01..dcgp08} of 180 and {@code dcgp09} of 96. This is
 *       an assumption, to be replaced by the real cell map when known.</li>
 *   <li>Power (per node; estimates from public TDPs): booster idle 540 W (≈300 W for CPU, memory, NICs and
 *       board at idle + 4 × 60 W idle A100), +250 W for the CPU when all cores are busy (Xeon 8358 TDP),
 *       +340 W per busy GPU (A100 SXM 400 W TDP − 60 W idle): 2,150 W at full load, 7.43 MW for the booster —
 *       close to the 7.49 MW Top500 lists for Leonardo's HPL run. DCGP idle 300 W, +600 W with all cores busy
 *       (2 × 350 W TDP Xeon 8480+, less their idle share): 900 W at full load.</li>
 * </ul>
 * <b>leonardo-booster</b>: the booster only. <b>tiny</b>: 4 nodes {@code node01..04} × (8 cores, 64 GB,
 * 4 GPUs {@code a100}) in one group, partition {@code batch} — the shape of {@code bottega up}'s default
 * emulated nodes. <b>small-gpu</b>: 16 nodes {@code gpu01..16} × (32 cores, 256 GB, 4 × a100) in 2 groups of 8,
 * partition {@code gpu}. <b>small-cpu</b>: 32 nodes {@code cpu01..32} × (64 cores, 256 GB) in 2 groups of 16,
 * partition {@code cpu}. The small ones: 1 h default, 24 h max time, booster-like power for GPU nodes,
 * DCGP-like power for CPU nodes.
 */
public final class ClusterPresets {
    public static final List<String> NAMES = List.of("leonardo", "leonardo-booster", "tiny", "small-gpu", "small-cpu");

    public static final int BOOSTER_NODES = 3456;
    public static final int DCGP_NODES = 1536;
    public static final int CELL_NODES = 180;
    public static final long NODE_MEMORY_MB = 512L * 1024;

    /** Booster node: idle 540 W (incl. 4 × 60 W idle GPUs), +250 W CPU at full load, A100 60 W idle / 400 W busy. */
    public static final PowerModel BOOSTER_POWER = new PowerModel(540, 250, 60, 400);
    /** DCGP node: idle 300 W, +600 W with all 112 cores busy. */
    public static final PowerModel DCGP_POWER = new PowerModel(300, 600, 0, 0);

    private static final long MIN = 60, HOUR = 3600, DAY = 86400;

    private ClusterPresets() {}

    /** The preset of that name (case-insensitive), or an error listing the known names. */
    public static Cluster byName(String name) {
        return find(name).orElseThrow(() -> new IllegalArgumentException("unknown cluster '" + name + "' (known: "
                + String.join(", ", NAMES) + "; or a cluster file ending in .yaml)"));
    }

    public static Optional<Cluster> find(String name) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "leonardo" -> Optional.of(leonardo(true));
            case "leonardo-booster" -> Optional.of(leonardo(false));
            case "tiny" -> Optional.of(tiny());
            case "small-gpu" -> Optional.of(smallGpu());
            case "small-cpu" -> Optional.of(smallCpu());
            default -> Optional.empty();
        };
    }

    /** The name of the {@code index}-th (1-based) of {@code count} groups: {@code base} + index zero-padded to 2+ digits. */
    public static String groupName(String base, int index, int count) {
        int width = Math.max(2, String.valueOf(count).length());
        return base + String.format(Locale.ROOT, "%0" + width + "d", index);
    }

    private static Cluster leonardo(boolean withDcgp) {
        Cluster.Builder b = Cluster.builder(withDcgp ? "leonardo" : "leonardo-booster");
        List<String> booster = new ArrayList<>(BOOSTER_NODES);
        int cells = (BOOSTER_NODES + CELL_NODES - 1) / CELL_NODES;
        for (int i = 0; i < BOOSTER_NODES; i++) {
            String n = String.format(Locale.ROOT, "lrdn%04d", i + 1);
            booster.add(n);
            b.node(new NodeSpec(n, 32, NODE_MEMORY_MB, 4, "a100", Set.of(), groupName("cell", i / CELL_NODES + 1, cells), true,
                    BOOSTER_POWER));
        }
        b.partition("boost_usr_prod", booster, 30 * MIN, DAY, 64, true, 1);
        if (withDcgp) {
            List<String> dcgp = new ArrayList<>(DCGP_NODES);
            int dcells = (DCGP_NODES + CELL_NODES - 1) / CELL_NODES;
            for (int i = 0; i < DCGP_NODES; i++) {
                String n = String.format(Locale.ROOT, "lrdn%04d", BOOSTER_NODES + i + 1);
                dcgp.add(n);
                b.node(new NodeSpec(n, 112, NODE_MEMORY_MB, 0, "", Set.of(), groupName("dcgp", i / CELL_NODES + 1, dcells), true,
                        DCGP_POWER));
            }
            b.partition("dcgp_usr_prod", dcgp, 30 * MIN, DAY, 16, false, 1);
        }
        return b.build();
    }

    private static Cluster tiny() {
        Cluster.Builder b = Cluster.builder("tiny");
        for (int i = 1; i <= 4; i++) {
            b.node(new NodeSpec(String.format(Locale.ROOT, "node%02d", i), 8, 64 * 1024, 4, "a100", Set.of(), "g01", true, BOOSTER_POWER));
        }
        return b.partitionOfAll("batch", HOUR, DAY, true).build();
    }

    private static Cluster smallGpu() {
        Cluster.Builder b = Cluster.builder("small-gpu");
        for (int i = 1; i <= 16; i++) {
            b.node(new NodeSpec(String.format(Locale.ROOT, "gpu%02d", i), 32, 256 * 1024, 4, "a100", Set.of(),
                    groupName("g", (i - 1) / 8 + 1, 2), true, BOOSTER_POWER));
        }
        return b.partitionOfAll("gpu", HOUR, DAY, true).build();
    }

    private static Cluster smallCpu() {
        Cluster.Builder b = Cluster.builder("small-cpu");
        for (int i = 1; i <= 32; i++) {
            b.node(new NodeSpec(String.format(Locale.ROOT, "cpu%02d", i), 64, 256 * 1024, 0, "", Set.of(),
                    groupName("g", (i - 1) / 16 + 1, 2), true, DCGP_POWER));
        }
        return b.partitionOfAll("cpu", HOUR, DAY, true).build();
    }
}
