package io.bottega.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bottega.api.json.JsonReader;
import io.bottega.api.json.JsonWriter;

import java.lang.reflect.RecordComponent;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class WireRecordsTest {

    @Test
    void jobSubmission_empty_hasNoNulls() throws Exception {
        for (RecordComponent c : JobSubmission.class.getRecordComponents()) {
            assertThat(c.getAccessor().invoke(JobSubmission.EMPTY)).as(c.getName()).isNotNull();
        }
        assertThat(JobSubmission.EMPTY.arraySpec()).isEqualTo(ArraySpec.NONE);
    }

    @Test
    void jobSubmission_copiesCollections() {
        Map<String, String> env = new HashMap<>(Map.of("A", "1"));
        List<String> args = new java.util.ArrayList<>(List.of("x"));
        JobSubmission j = JobSubmission.builder().environment(env).scriptArgs(args).build();
        env.put("B", "2");
        args.add("y");
        assertThat(j.environment()).containsOnlyKeys("A");
        assertThat(j.scriptArgs()).containsExactly("x");
        assertThatThrownBy(() -> j.environment().put("C", "3")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void jobSubmission_toBuilder_keepsEveryField() {
        JobSubmission j = JobSubmission.builder().jobName("n").nodesMin(2).memPerNodeMb(100).exclusive(true)
                .dependencies(List.of(new Dependency(Dependency.Type.AFTEROK, "1", 0))).arraySpec(new ArraySpec(List.of(1, 2), 1))
                .build();
        assertThat(j.toBuilder().build()).isEqualTo(j);
        assertThat(j.toBuilder().jobName("m").build().jobName()).isEqualTo("m");
    }

    @Test
    void jobSubmission_writesAsJsonWithEveryComponent() {
        JobSubmission j = JobSubmission.builder().jobName("llm").timeLimit(3600).hold(true)
                .arraySpec(new ArraySpec(List.of(1, 2), 0))
                .dependencies(List.of(new Dependency(Dependency.Type.AFTER, "7", 60)))
                .environment(Map.of("HOME", "/h")).build();
        Map<String, Object> m = JsonReader.parseObject(JsonWriter.toJson(j));
        assertThat(m).hasSize(JobSubmission.class.getRecordComponents().length)
                .containsEntry("jobName", "llm")
                .containsEntry("timeLimit", 3600L)
                .containsEntry("hold", true)
                .containsEntry("arraySpec", Map.of("taskIds", List.of(1L, 2L), "maxConcurrent", 0L))
                .containsEntry("dependencies", List.of(Map.of("type", "AFTER", "jobId", "7", "delaySeconds", 60L)))
                .containsEntry("environment", Map.of("HOME", "/h"));
    }

    @Test
    void views_normalizeNulls() {
        JobView j = new JobView(1, 0, -1, null, null, null, null, null, null, null, null, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                null, null, null, null, null, null, null, 0, 0, 0, null, null, null, 0, 0);
        for (RecordComponent c : JobView.class.getRecordComponents()) {
            try {
                assertThat(c.getAccessor().invoke(j)).as(c.getName()).isNotNull();
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        }
        NodeView n = new NodeView(null, null, null, null, 1, 0, 1, 0, 0, 0, null, null, null);
        assertThat(n.partitions()).isEmpty();
        assertThat(n.features()).isEmpty();
        assertThat(n.gpuType()).isEmpty();
        PartitionView p = new PartitionView(null, false, null, 0, 0, 0, 0, null, 0, 0, 0, 0, 0, 0);
        assertThat(p.name()).isEmpty();
        assertThat(p.nodeList()).isEmpty();
    }

    @Test
    void arraySpec_validates() {
        assertThatThrownBy(() -> new ArraySpec(List.of(1), -1)).hasMessage("max concurrent tasks must not be negative");
        assertThat(new ArraySpec(null, 0)).isEqualTo(ArraySpec.NONE);
        assertThat(ArraySpec.NONE.taskCount()).isZero();
    }
}
