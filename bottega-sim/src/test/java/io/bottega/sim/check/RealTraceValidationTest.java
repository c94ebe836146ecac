package io.bottega.sim.check;

import io.bottega.core.model.Cluster;
import io.bottega.core.sched.SchedulerConfig;
import io.bottega.sim.ProgressListener;
import io.bottega.sim.Simulator;
import io.bottega.sim.Workload;
import io.bottega.sim.trace.Traces;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The independent validator passes on replays of every real trace in ../shared/traces/: no core, GPU or byte
 * oversubscribed, every job run for min(run, limit) after its submission, no reserved job later than its
 * reservation. EASY and conservative on every trace; fcfs on KTH.
 */
class RealTraceValidationTest {
    static Path shared() {
        for (String base : new String[] {System.getProperty("bottega.shared", ""), "../shared", "../../shared"}) {
            if (!base.isEmpty() && Files.isDirectory(Path.of(base, "traces"))) return Path.of(base);
        }
        throw new AssertionError("../shared/traces not found (set -Dbottega.shared)");
    }

    @ParameterizedTest(name = "{0} under {1}")
    @CsvSource({
            "swf/KTH-SP2-1996-2.1-cln.swf.gz, easy",
            "swf/KTH-SP2-1996-2.1-cln.swf.gz, conservative",
            "swf/KTH-SP2-1996-2.1-cln.swf.gz, fcfs",
            "swf/lublin_256.swf.gz, easy",
            "swf/lublin_256.swf.gz, conservative",
            "swf/LLNL-Thunder-2007-1.1-cln.swf.gz, easy",
            "swf/LLNL-Thunder-2007-1.1-cln.swf.gz, conservative",
            "swf/SDSC-BLUE-2000-4.2-cln.swf.gz, easy",
            "swf/SDSC-BLUE-2000-4.2-cln.swf.gz, conservative",
            "swf/CEA-Curie-2011-2.1-cln.swf.gz, easy",
            "swf/CEA-Curie-2011-2.1-cln.swf.gz, conservative",
            "gpu/alibaba-gpu-v2023_openb_pod_list_default.csv, easy",
            "gpu/alibaba-gpu-v2023_openb_pod_list_default.csv, conservative",
    })
    void replay_ofARealTracePassesTheValidator(String trace, String policy) throws Exception {
        Workload w = Traces.load(shared().resolve("traces").resolve(trace), Traces.Options.defaults().withSkipInvalid(true)).workload();
        Cluster machine = w.machine().orElseThrow();
        SchedulerConfig config = SchedulerConfig.parse(policy);
        Simulator.Replay replay = Simulator.replay(machine, w, config, ProgressListener.NONE, true);
        List<ScheduleValidator.Violation> violations = ScheduleValidator.check(machine, w, config, replay);
        assertThat(violations).as("%s under %s (%d jobs)", trace, policy, w.jobs().size()).isEmpty();
        assertThat(replay.result().jobs()).hasSize(w.jobs().size());
    }
}
