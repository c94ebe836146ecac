package io.bottega.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.bottega.api.agent.AgentCommands;
import io.bottega.api.agent.AgentSync;
import io.bottega.api.agent.CancelRequest;
import io.bottega.api.agent.GpuInfo;
import io.bottega.api.agent.JobOutcome;
import io.bottega.api.agent.LaunchRequest;
import io.bottega.api.agent.NodeResources;
import io.bottega.api.agent.Registered;
import org.junit.jupiter.api.Test;

/** The exact JSON the controller must speak. */
class AgentJsonTest {
    @Test
    void nodeResources_shape() throws Exception {
        NodeResources n = new NodeResources("lrdn0001", 32, 494_000, List.of(new GpuInfo(0, "NVIDIA A100", 65536, "GPU-1")),
                List.of("gpu"), "cell1", "v2", "0.1.0");

        JsonNode j = AgentJson.mapper().readTree(AgentJson.write(n));

        assertThat(j.toString()).isEqualTo("{\"name\":\"lrdn0001\",\"cores\":32,\"memoryMb\":494000,"
                + "\"gpus\":[{\"index\":0,\"model\":\"NVIDIA A100\",\"memoryMb\":65536,\"uuid\":\"GPU-1\"}],"
                + "\"features\":[\"gpu\"],\"group\":\"cell1\",\"cgroupMode\":\"v2\",\"agentVersion\":\"0.1.0\",\"address\":\"\"}");
        assertThat(AgentJson.read(AgentJson.write(n), NodeResources.class)).isEqualTo(n);
    }

    @Test
    void syncAndCommands_shape() throws Exception {
        JobOutcome o = new JobOutcome(7, JobOutcome.FAILED, 3, 0, 1000, 2000, 512, 1.5, "");
        AgentSync s = new AgentSync("n1", "boot", 4, List.of(8L), List.of(o));

        assertThat(new String(AgentJson.write(s), StandardCharsets.UTF_8)).isEqualTo("{\"node\":\"n1\",\"bootId\":\"boot\","
                + "\"seq\":4,\"running\":[8],\"results\":[{\"jobId\":7,\"state\":\"FAILED\",\"exitCode\":3,\"signal\":0,"
                + "\"startedAtMillis\":1000,\"endedAtMillis\":2000,\"maxRssKb\":512,\"cpuSeconds\":1.5,\"message\":\"\"}],"
                + "\"steps\":[],\"stepResults\":[]}");
        AgentCommands c = new AgentCommands(List.of(), List.of(new CancelRequest(8, "by alice", 0, false)), List.of(7L), 30000, false);
        assertThat(new String(AgentJson.write(c), StandardCharsets.UTF_8)).isEqualTo("{\"launch\":[],"
                + "\"cancel\":[{\"jobId\":8,\"reason\":\"by alice\",\"signal\":0,\"noKillGrace\":false}],"
                + "\"ackResults\":[7],\"waitMillis\":30000,\"reregister\":false,\"stepLaunch\":[],\"stepSignal\":[],\"stepAcks\":[]}");
        assertThat(AgentJson.read(AgentJson.write(c), AgentCommands.class)).isEqualTo(c);
        assertThat(new String(AgentJson.write(new Registered("n1", 5000, 30000)), StandardCharsets.UTF_8))
                .isEqualTo("{\"node\":\"n1\",\"heartbeatMillis\":5000,\"syncWaitMillis\":30000}");
    }

    @Test
    void steps_roundTrip() throws Exception {
        io.bottega.api.agent.StepLaunch l = new io.bottega.api.agent.StepLaunch(12, 3, "alice", 1000, 100, List.of("hostname", "-s"),
                "/home/alice", Map.of("SLURM_STEP_ID", "3"), List.of(new io.bottega.api.agent.StepTask(4, 0, List.of(0, 1), List.of(1))),
                1, "lrdn[0001-0002]", List.of(0, 1, 2, 3), 4096, "verbose,cores", "10.0.0.5", 40001, "key", "o-%t", "", "0", true,
                true, 600, 30, "train");
        assertThat(AgentJson.read(AgentJson.write(l), io.bottega.api.agent.StepLaunch.class)).isEqualTo(l);
        io.bottega.api.agent.StepOutcome o = new io.bottega.api.agent.StepOutcome(12, 3, JobOutcome.FAILED, 2, 0, List.of(4), 1000,
                2000, "task 4 failed");
        AgentSync s = new AgentSync("n1", "boot", 5, List.of(), List.of(), List.of("12.3"), List.of(o));
        assertThat(AgentJson.read(AgentJson.write(s), AgentSync.class)).isEqualTo(s);
        AgentCommands c = new AgentCommands(List.of(), List.of(), List.of(), 0, false, List.of(l),
                List.of(new io.bottega.api.agent.StepSignal(12, io.bottega.api.agent.StepSignal.ALL_STEPS, 0, "job ended")),
                List.of("12.2"));
        assertThat(AgentJson.read(AgentJson.write(c), AgentCommands.class)).isEqualTo(c);
        // an older agent's sync, without the step fields, reads with none
        assertThat(AgentJson.read("{\"node\":\"n1\",\"seq\":1}".getBytes(StandardCharsets.UTF_8), AgentSync.class).steps()).isEmpty();
    }

    @Test
    void launch_roundTripsAndHasNoExtraFields() throws Exception {
        LaunchRequest r = new LaunchRequest(12, "alice", 1000, 100, "#!/bin/bash\necho hi\n", "/home/alice",
                Map.of("SLURM_JOB_ID", "12"), "%x-%j.out", "", "", true, List.of(0, 1), 4096, List.of(2), 3600, 30,
                "train", 10, 2, "lrdn0001", 0);

        JsonNode j = AgentJson.mapper().readTree(AgentJson.write(r));

        assertThat(j.fieldNames()).toIterable().containsExactly("jobId", "user", "uid", "gid", "script", "workDir", "env",
                "stdoutPath", "stderrPath", "stdinPath", "appendOutput", "cpus", "memoryLimitMb", "gpus", "timeLimitSeconds",
                "killGraceSeconds", "jobName", "arrayJobId", "arrayTaskId", "nodeList", "nodeIndex");
        assertThat(AgentJson.read(AgentJson.write(r), LaunchRequest.class)).isEqualTo(r);
    }

    @Test
    void read_missingAndNullAndUnknownFields_areLenient() throws Exception {
        String json = "{\"jobId\":5,\"script\":\"#!/bin/sh\\n\",\"env\":{\"A\":null},\"cpus\":null,\"gpus\":[1,null],"
                + "\"future\":{\"x\":1}}";

        LaunchRequest r = AgentJson.read(json.getBytes(StandardCharsets.UTF_8), LaunchRequest.class);

        assertThat(r.jobId()).isEqualTo(5);
        assertThat(r.user()).isEmpty();
        assertThat(r.env()).containsEntry("A", "");
        assertThat(r.cpus()).isEmpty();
        assertThat(r.gpus()).containsExactly(1);
        assertThat(AgentJson.read("{}".getBytes(StandardCharsets.UTF_8), AgentCommands.class).nothingToDo()).isTrue();
    }
}
