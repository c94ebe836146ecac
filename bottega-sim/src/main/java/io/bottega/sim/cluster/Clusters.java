package io.bottega.sim.cluster;

import io.bottega.core.model.Cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** {@code --cluster NAME|FILE}: a preset by name, else a YAML cluster file. */
public final class Clusters {
    private Clusters() {}

    public static Cluster load(String nameOrFile) throws IOException {
        Optional<Cluster> preset = ClusterPresets.find(nameOrFile);
        if (preset.isPresent()) return preset.get();
        Path p = Path.of(nameOrFile);
        if (Files.isRegularFile(p)) return ClusterFile.load(p);
        if (nameOrFile.endsWith(".yaml") || nameOrFile.endsWith(".yml")) {
            throw new IllegalArgumentException("cluster file " + nameOrFile + " does not exist");
        }
        return ClusterPresets.byName(nameOrFile);
    }
}
