package io.bottega.api.slurm;

import static io.bottega.api.slurm.SqueueFormatTest.FAILED_TASK;
import static io.bottega.api.slurm.SqueueFormatTest.PENDING_ARRAY;
import static io.bottega.api.slurm.SqueueFormatTest.RUNNING;
import static io.bottega.api.slurm.SqueueFormatTest.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.bottega.api.TestJobs;
import io.bottega.api.json.JsonReader;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class SlurmJsonTest {

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> jobs(String json) {
        Map<String, Object> doc = JsonReader.parseObject(json);
        assertThat(doc).containsKeys("meta", "errors", "jobs");
        assertThat(doc.get("errors")).isEqualTo(List.of());
        return (List<Map<String, Object>>) doc.get("jobs");
    }

    @Test
    void squeue_usesSlurmsNames() {
        List<Map<String, Object>> jobs = jobs(SlurmJson.squeue(List.of(RUNNING, PENDING_ARRAY)));
        assertThat(jobs).hasSize(2);
        Map<String, Object> r = jobs.get(0);
        assertThat(r).containsEntry("job_id", 1234L)
                .containsEntry("name", "llm-train")
                .containsEntry("user_name", "alice")
                .containsEntry("account", "aifac_l01_028")
                .containsEntry("partition", "boost_usr_prod")
                .containsEntry("job_state", "RUNNING")
                .containsEntry("state_reason", "None")
                .containsEntry("time_limit", 2160L)
                .containsEntry("start_time", T0 - 3723)
                .containsEntry("nodes", "lrdn[0001-0002]")
                .containsEntry("node_count", 2L)
                .containsEntry("cpus", 64L)
                .containsEntry("memory_per_node", 491520L)
                .containsEntry("tres_per_node", "gres/gpu:4")
                .containsEntry("array_task_id", JsonReader.NULL);
        Map<String, Object> p = jobs.get(1);
        assertThat(p).containsEntry("job_state", "PENDING")
                .containsEntry("state_reason", "Resources")
                .containsEntry("array_job_id", 1240L)
                .containsEntry("array_task_string", "3-10%2")
                .containsEntry("start_time", T0 + 7200)
                .containsEntry("time_limit", 2880L);
    }

    @Test
    void squeue_unlimitedTimeLimit_isSlurmsInfinite() {
        var j = TestJobs.job(5).set(t -> t.timeLimit = SlurmTime.UNLIMITED).build();
        assertThat(jobs(SlurmJson.squeue(List.of(j))).get(0)).containsEntry("time_limit", 4294967295L);
    }

    @Test
    void squeue_isIndentedLikeSlurm() {
        assertThat(SlurmJson.squeue(List.of())).isEqualTo("""
                {
                  "meta": {
                    "plugin": {
                      "type": "openapi/v0.0.38",
                      "name": "Bottega"
                    }
                  },
                  "errors": [],
                  "jobs": []
                }
                """);
    }

    @Test
    @SuppressWarnings("unchecked")
    void sacct_nestsAsSlurmDoes() {
        Map<String, Object> f = jobs(SlurmJson.sacct(List.of(FAILED_TASK))).get(0);
        assertThat(f).containsEntry("job_id", 1250L).containsEntry("name", "sweep").containsEntry("user", "alice")
                .containsEntry("nodes", "lrdn0007");
        assertThat((Map<String, Object>) f.get("state")).containsEntry("current", "FAILED").containsEntry("reason", "NonZeroExitCode");
        assertThat((Map<String, Object>) f.get("exit_code")).containsEntry("status", "FAILED").containsEntry("return_code", 3L);
        assertThat((Map<String, Object>) f.get("array")).containsEntry("job_id", 1240L).containsEntry("task_id", 2L);
        Map<String, Object> time = (Map<String, Object>) f.get("time");
        assertThat(time).containsEntry("elapsed", 60L).containsEntry("start", T0 - 100).containsEntry("end", T0 - 40)
                .containsEntry("limit", 60L);
        Map<String, Object> tres = (Map<String, Object>) f.get("tres");
        assertThat((List<Map<String, Object>>) tres.get("allocated")).extracting(m -> m.get("type"))
                .containsExactly("cpu", "node");
    }

    @Test
    @SuppressWarnings("unchecked")
    void sacct_pendingJob_hasNoAllocatedTres() {
        Map<String, Object> p = jobs(SlurmJson.sacct(List.of(PENDING_ARRAY))).get(0);
        Map<String, Object> tres = (Map<String, Object>) p.get("tres");
        assertThat((List<?>) tres.get("allocated")).isEmpty();
        assertThat((List<?>) tres.get("requested")).hasSize(2);
        assertThat(p).containsEntry("nodes", "None assigned");
        assertThat((Map<String, Object>) p.get("array")).containsEntry("task", "3-10%2").containsEntry("task_id", JsonReader.NULL);
    }
}
