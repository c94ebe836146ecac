package io.bottega.app;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class ServerAotTrainingTest {

    @Test
    void run_everyRequestAnsweredAndNothingLeftBehind() throws Exception {
        List<Path> before = trainingDirs();

        int status = ServerAotTraining.run(200);

        assertThat(status).as("every submission accepted, every read answered").isZero();
        assertThat(trainingDirs()).as("its temporary data directory removed").isEqualTo(before);
    }

    private static List<Path> trainingDirs() throws IOException {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("bottega-aot-server")).sorted().toList();
        }
    }
}
