package io.bottega.sim.trace;

import io.bottega.core.model.Cluster;
import io.bottega.core.model.ResourceRequest;
import io.bottega.sim.SimJob;
import io.bottega.sim.cluster.ClusterPresets;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GpuJobCsvReaderTest {
    private static final String HEAD = "id,user,submit,duration,requested_time,nodes,gpus_per_node\n";
    private final Cluster leo = ClusterPresets.byName("leonardo");

    private LoadedTrace read(String text) throws IOException {
        return new GpuJobCsvReader().read(Fixtures.text(text), "jobs.csv", "jobs", leo);
    }

    @Test
    void read_requiredColumns() throws IOException {
        LoadedTrace t = read("# a comment\n" + HEAD + "2,bob,60,100,,1,1\n1,alice,0,3600,7200,2,4\n");
        assertThat(t.workload().jobs()).extracting(SimJob::id).containsExactly(1L, 2L);
        SimJob a = t.workload().jobs().get(0);
        assertThat(a.spec().user()).isEqualTo("alice");
        assertThat(a.spec().account()).isEqualTo("alice");
        assertThat(a.runTime()).isEqualTo(3600);
        assertThat(a.spec().timeLimit()).isEqualTo(7200);
        ResourceRequest q = a.spec().resources();
        assertThat(q.nodesMin()).isEqualTo(2);
        assertThat(q.tasksPerNode()).isEqualTo(1);
        assertThat(q.gpusPerNode()).isEqualTo(4);
        assertThat(q.cpusPerTask()).isEqualTo(4);
        SimJob b = t.workload().jobs().get(1);
        assertThat(b.spec().timeLimit()).isEqualTo(100);
        assertThat(t.notes()).contains("1 jobs without a requested_time: their time limit is their duration");
    }

    @Test
    void read_optionalColumnsAndSlurmTimes() throws IOException {
        LoadedTrace t = read("id,user,submit,duration,requested_time,nodes,gpus_per_node,cores_per_node,mem_per_node_mb,partition,account\n"
                + "7,carol,5,1:00:00,1-00:00:00,4,0,112,65536,dcgp_usr_prod,proj9\n");
        SimJob j = t.workload().jobs().get(0);
        assertThat(j.runTime()).isEqualTo(3600);
        assertThat(j.spec().timeLimit()).isEqualTo(86400);
        assertThat(j.spec().partition()).isEqualTo("dcgp_usr_prod");
        assertThat(j.spec().account()).isEqualTo("proj9");
        assertThat(j.spec().resources().cpusPerTask()).isEqualTo(112);
        assertThat(j.spec().resources().memPerNodeMb()).isEqualTo(65536);
    }

    @Test
    void read_badInput_namesFileAndLine() {
        assertThatThrownBy(() -> read("id,user,submit,duration\n")).hasMessage("jobs.csv:1: the header has no column 'requested_time' "
                + "(expected: id,user,submit,duration,requested_time,nodes,gpus_per_node)");
        assertThatThrownBy(() -> read(HEAD.replace("\n", ",colour\n"))).hasMessageStartingWith("jobs.csv:1: unknown column 'colour'");
        assertThatThrownBy(() -> read(HEAD + "1,alice,0,abc,60,1,1\n")).hasMessage("jobs.csv:2: column duration is 'abc', not a number");
        assertThatThrownBy(() -> read(HEAD + "1,alice,0,60\n")).hasMessage("jobs.csv:2: expected 7 columns, found 4 (truncated line?)");
        assertThatThrownBy(() -> read(HEAD + "1,alice,0,60,60,1,1\n1,bob,0,60,60,1,1\n")).hasMessage("jobs.csv:3: job id 1 is used twice");
        assertThatThrownBy(() -> read(HEAD + "1,alice,0,60,2-00:00:00,1,1\n"))
                .hasMessage("jobs.csv:2: job 1 can never run on cluster leonardo: time limit 172800 s exceeds the 86400 s allowed in partition boost_usr_prod");
        assertThatThrownBy(() -> read(HEAD + "1,alice,0,60,60,1,8\n")).hasMessageStartingWith("jobs.csv:2: job 1 can never run on cluster leonardo:");
        assertThatThrownBy(() -> read(HEAD.replace("gpus_per_node", "gpus_per_node,partition") + "1,alice,0,60,60,1,1,nope\n"))
                .hasMessage("jobs.csv:2: job 1 can never run on cluster leonardo: partition 'nope' is not in cluster leonardo");
    }

    @Test
    void read_skipInvalid_countsAndKeepsGoing() throws IOException {
        LoadedTrace t = new GpuJobCsvReader().skipInvalid(true)
                .read(Fixtures.text(HEAD + "1,alice,0,abc,60,1,1\n2,bob,0,60,60,1,1\n"), "jobs.csv", "jobs", leo);
        assertThat(t.workload().jobs()).extracting(SimJob::id).containsExactly(2L);
        assertThat(t.workload().skipped()).isEqualTo(1);
        assertThat(t.workload().skipNotes()).containsExactly("jobs.csv:2: column duration is 'abc', not a number");
    }
}
