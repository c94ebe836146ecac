package io.bottega.cli.http;

import io.bottega.api.ArraySpec;
import io.bottega.api.Dependency;
import io.bottega.api.JobSubmission;
import io.bottega.api.JobView;
import io.bottega.api.NodeView;
import io.bottega.api.PartitionView;
import io.bottega.api.json.JsonReader;
import io.bottega.api.json.JsonWriter;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class WireTest {
    /** A fixture under src/test/resources/slurm. */
    public static String fixture(String name) {
        try (InputStream in = WireTest.class.getResourceAsStream("/slurm/" + name)) {
            if (in == null) throw new IllegalStateException("no fixture " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonIn in(String s) {
        return new JsonIn(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void jobView_everyComponent_survivesTheRoundTrip() {
        JobView v = new JobView(7, 5, 3, "3-9%2", "n\u00e4me", "alice", "acct", "booster", "high", "PENDING", "Resources", 11, 12,
                13, 14, 15, 16, 17, 18, 19, 20, 21, "lrdn[1-2]", "lrdn3", "/w", "/w/x.sh", "/w/o", "/w/e", "gres/gpu:4", 22, 23, 24,
                "afterok:4", "a \"comment\"", "resv", 25, 0);
        // JsonWriter names record components as Jackson does on the controller
        JobView back = Wire.jobView(in(JsonWriter.toJson(v)));
        assertThat(back).isEqualTo(v);
    }

    @Test
    void jobViews_handWrittenFixture_isRead() {
        List<JobView> jobs = Wire.jobViews(in(fixture("jobs.json")));
        assertThat(jobs).hasSize(7);
        JobView first = jobs.get(0);
        assertThat(first.id()).isEqualTo(101);
        assertThat(first.nodeList()).isEqualTo("lrdn[0001-0002]");
        assertThat(first.tresPerNode()).isEqualTo("gres/gpu:4");
        assertThat(jobs.get(4).arrayJobId()).isEqualTo(110);
        assertThat(jobs.get(4).arrayTaskId()).isEqualTo(2);
    }

    @Test
    void jobViews_singleObject_isAListOfOne() {
        assertThat(Wire.jobViews(in("{\"id\": 9, \"state\": \"RUNNING\", \"futureField\": {\"x\": [1]}}")))
                .singleElement().satisfies(j -> {
                    assertThat(j.id()).isEqualTo(9);
                    assertThat(j.arrayTaskId()).isEqualTo(-1);
                    assertThat(j.name()).isEmpty();
                });
    }

    private static Response response(String body) {
        return Response.of(200, body);
    }

    private static List<JobView> many(int n) {
        List<JobView> jobs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            jobs.add(new JobView(i, 0, -1, "", "job \"},{\"id\": " + i, "u" + i % 7, "a", "p", "q", "PENDING", "Priority", i, i, 0, 0,
                    i * 60L, 3600, 1, 0, 8, 1, 1000, "", "n" + i, "/w/" + i, "/w/" + i + "/run.sh", "/w/o", "/w/e", "", i, 0, 0, "", "",
                    "", 0, 0));
        }
        return jobs;
    }

    @Test
    void jobViews_longAnswer_isReadInSlicesAsOneList() {
        List<JobView> jobs = many(12_000); // several MB, with the slice boundary's text inside strings
        String json = JsonWriter.toJson(jobs);
        assertThat(json.length()).isGreaterThan(2 << 20);
        assertThat(Wire.jobViews(response(json), true)).isEqualTo(jobs);
    }

    @Test
    void jobViews_boundaryInsideAnObject_fallsBackToOneReader() {
        List<JobView> jobs = many(12_000);
        // objects nested in every job put the boundary text inside elements: the slices must be refused
        String json = JsonWriter.toJson(jobs).replace("\"elapsed\":0}", "\"elapsed\":0,\"x\":[{\"a\":1},{\"b\":2}]}");
        assertThat(Wire.jobViews(response(json), true)).isEqualTo(jobs);
    }

    @Test
    void jobViews_withoutPaths_skipsThem() {
        List<JobView> got = Wire.jobViews(response(JsonWriter.toJson(many(3))), false);
        assertThat(got.get(2).workDir()).isEmpty();
        assertThat(got.get(2).command()).isEmpty();
        assertThat(got.get(2).name()).isEqualTo("job \"},{\"id\": 2");
    }

    @Test
    void nodeAndPartitionViews_everyComponent_surviveTheRoundTrip() {
        NodeView n = new NodeView("lrdn0001", "drain*", "bad gpu", List.of("booster", "all"), 32, 8, 512000, 1000, 4, 1, "a100",
                List.of("a100", "ib"), "cell3");
        assertThat(Wire.nodeViews(in(JsonWriter.toJson(List.of(n))))).containsExactly(n);
        PartitionView p = new PartitionView("booster", true, "up", 86400, 3600, 64, 3456, "lrdn[0001-3456]", 110592, 13824, 1, 2, 3, 4);
        assertThat(Wire.partitionViews(in(JsonWriter.toJson(List.of(p))))).containsExactly(p);
    }

    @Test
    void submission_members_areTheRecordComponentsInOrder() {
        JobSubmission s = sample();
        Map<String, Object> written = JsonReader.parseObject(Wire.submission(s));
        List<String> components = new ArrayList<>();
        for (RecordComponent c : JobSubmission.class.getRecordComponents()) components.add(c.getName());
        assertThat(new ArrayList<>(written.keySet())).isEqualTo(components);
    }

    @Test
    void submission_values_equalWhatReflectionWrites() {
        JobSubmission s = sample();
        // JsonWriter.write(record) is reflective and names components as the controller's Jackson reads them
        Object reflective = JsonReader.parse(JsonWriter.toJson(s));
        assertThat(JsonReader.parse(Wire.submission(s))).isEqualTo(reflective);
    }

    private static JobSubmission sample() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HOME", "/home/alice");
        env.put("WEIRD", "a\"b\\c\nd");
        return JobSubmission.builder().script("#!/bin/sh\necho hi\n").scriptPath("job.sh").scriptArgs(List.of("a", "b c"))
                .submitDir("/home/alice").workDir("/scratch").environment(env).export("ALL").jobName("job").account("proj")
                .partition("booster").qos("high").reservation("r").comment("c").timeLimit(3600).timeMin(60).beginTime(1)
                .deadline(2).nodesMin(2).nodesMax(4).ntasks(8).ntasksPerNode(4).cpusPerTask(8).threadsPerCore(1)
                .memPerNodeMb(Long.MAX_VALUE).gpus(0).gpusPerNode(4).gpuType("a100").constraints(List.of("ib", "a100"))
                .exclusive(true).nodeList("lrdn[1-2]").excludeNodes("lrdn3").hint("nomultithread").distribution("block")
                .switches(1).switchesMaxWait(600).stdoutPath("o-%j").stderrPath("e-%j").stdinPath("/dev/null").openMode("append")
                .array("1-3%2").arraySpec(new ArraySpec(List.of(1, 2, 3), 2)).dependency("afterok:5,after:6+10")
                .dependencies(List.of(new Dependency(Dependency.Type.AFTEROK, "5", 0), new Dependency(Dependency.Type.AFTER, "6", 600)))
                .dependencyAnyOf(false).killOnInvalidDep("yes").hold(true).nice(10).priority(5).requeue("no")
                .mailType(List.of("END")).mailUser("a@b").signal(10).signalSeconds(120).signalFlags("B").getUserEnv(true)
                .propagate("STACK").uid("").gid("").build();
    }
}
