package io.bottega.sim.trace;

import io.bottega.core.model.Cluster;
import io.bottega.core.model.Partition;
import io.bottega.core.model.ResourceRequest;
import io.bottega.sim.SimJob;
import io.bottega.sim.Workload;
import io.bottega.sim.cluster.ClusterPresets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SwfReaderTest {
    /** An SWF line: job, submit, run, allocated procs, requested time, status (user 7, group 3). */
    static String job(long id, long submit, long run, long procs, long reqTime, int status) {
        return id + " " + submit + " -1 " + run + " " + procs + " -1 -1 " + procs + " " + reqTime + " -1 " + status + " 7 3 -1 -1 -1 -1 -1\n";
    }

    static LoadedTrace read(String text) throws IOException {
        return new SwfReader().read(Fixtures.text(text), "t.swf", "t");
    }

    static LoadedTrace readSkipping(String text) throws IOException {
        return new SwfReader().skipInvalid(true).read(Fixtures.text(text), "t.swf", "t");
    }

    @Test
    void read_kthExcerpt_mapsEveryJob() throws IOException {
        LoadedTrace t = new SwfReader().read(Fixtures.resource("kth-head.swf"));
        Workload w = t.workload();
        assertThat(w.jobs()).hasSize(30);
        assertThat(w.skipped()).isZero();
        assertThat(t.swfHeader().orElseThrow().maxProcs()).hasValue(100);
        assertThat(t.swfHeader().orElseThrow().unixStartTime()).hasValue(843480031);
        assertThat(t.swfHeader().orElseThrow().first("Computer")).hasValue("IBM SP2");
        Cluster m = w.machine().orElseThrow();
        assertThat(m.nodeCount()).isEqualTo(1);
        assertThat(m.totalCores()).isEqualTo(100);
        assertThat(m.totalGpus()).isZero();
        assertThat(m.coreBinding(0)).isFalse();
        assertThat(m.memoryMb(0)).isZero();
        assertThat(m.defaultPartition().maxTimeLimit()).isEqualTo(Partition.UNLIMITED);
        // "15   599850 192180   3477    4     -1    -1    4  53940    -1  1  12  12  -1 -1 -1 -1 -1"
        SimJob first = w.jobs().get(0);
        assertThat(first.id()).isEqualTo(15);
        assertThat(first.spec().submitTime()).isEqualTo(599850);
        assertThat(first.runTime()).isEqualTo(3477);
        assertThat(first.spec().timeLimit()).isEqualTo(53940);
        assertThat(first.spec().resources()).isEqualTo(ResourceRequest.processors(4));
        assertThat(first.spec().user()).isEqualTo("u12");
        assertThat(first.spec().account()).isEqualTo("g12");
        assertThat(first.traceStatus()).isEqualTo(1);
    }

    @Test
    void read_gzip_sameAsPlain(@TempDir Path dir) throws IOException {
        Path gz = dir.resolve("kth.swf.gz");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(gz))) {
            o.write(Files.readAllBytes(Fixtures.resource("kth-head.swf")));
        }
        LoadedTrace t = new SwfReader().read(gz);
        assertThat(t.name()).isEqualTo("kth");
        assertThat(t.workload().jobs()).isEqualTo(new SwfReader().read(Fixtures.resource("kth-head.swf")).workload().jobs());
    }

    @Test
    void read_truncatedGzip_isAnErrorNamingTheFile(@TempDir Path dir) throws IOException {
        Path gz = dir.resolve("cut.swf.gz");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(gz))) {
            StringBuilder b = new StringBuilder("; MaxProcs: 10\n");
            for (int i = 1; i <= 5000; i++) b.append(job(i, i, 10, 1, 60, 1));
            o.write(b.toString().getBytes(StandardCharsets.UTF_8));
        }
        byte[] all = Files.readAllBytes(gz);
        Files.write(gz, Arrays.copyOf(all, all.length / 2));
        assertThatThrownBy(() -> new SwfReader().read(gz))
                .isInstanceOf(TraceFormatException.class)
                .hasMessageStartingWith(gz + ": the compressed file is truncated or corrupt after line");
    }

    @Test
    void read_llnlExcerpt_invalidRecordsAreErrorsUnlessSkipped() throws IOException {
        Path llnl = Fixtures.resource("llnl-excerpt.swf");
        assertThatThrownBy(() -> new SwfReader().read(llnl))
                .isInstanceOf(TraceFormatException.class)
                .hasMessage(llnl + ":33: job 299: field 4 (run time) is -1 (unknown); the job cannot be replayed")
                .extracting(e -> ((TraceFormatException) e).line()).isEqualTo(33L);
        LoadedTrace t = new SwfReader().skipInvalid(true).read(llnl);
        assertThat(t.records()).isEqualTo(30);
        assertThat(t.workload().jobs()).hasSize(24);
        assertThat(t.workload().skipped()).isEqualTo(6);
        assertThat(t.workload().skipNotes()).hasSize(5).first().asString().startsWith(llnl + ":33: job 299");
        assertThat(t.notes()).contains("6 invalid records skipped (run time < 0: 2, processors <= 0: 4)",
                "8 jobs without a requested time (field 9): their estimate is their run time",
                "1 jobs with run time 0 and no estimate: time limit 1 s, run time 0",
                "4 cancelled jobs (status 5) that ran are replayed like the others");
        // processors = allocated (field 5) when > 0
        SimJob j5576 = byId(t.workload(), 5576);
        assertThat(j5576.spec().resources().tasks()).isEqualTo(472);
        assertThat(j5576.spec().timeLimit()).isEqualTo(36941);
        // run time 0 and no estimate: limit 1 s, run time 0
        SimJob j5579 = byId(t.workload(), 5579);
        assertThat(j5579.runTime()).isZero();
        assertThat(j5579.spec().timeLimit()).isEqualTo(1);
        assertThat(j5579.effectiveRunTime()).isZero();
        // cancelled job that ran is replayed
        SimJob j296 = byId(t.workload(), 296);
        assertThat(j296.traceStatus()).isEqualTo(5);
        assertThat(j296.spec().timeLimit()).isEqualTo(3902);
        // LLNL has no group ids
        assertThat(j296.spec().account()).isEqualTo("unknown");
    }

    @Test
    void read_garbledField_isAnErrorWithFileAndLine() {
        String text = "; MaxProcs: 8\n" + job(1, 0, 10, 2, 60, 1) + "2 5 -1 abc 2 -1 -1 2 60 -1 1 7 3 -1 -1 -1 -1 -1\n";
        assertThatThrownBy(() -> read(text)).isInstanceOf(TraceFormatException.class)
                .hasMessage("t.swf:3: field 4 (run time) is 'abc', not a number");
    }

    @Test
    void read_truncatedLine_isAnErrorWithFileAndLine() {
        String text = "; MaxProcs: 8\n" + job(1, 0, 10, 2, 60, 1) + "2 5 -1 10 2 -1\n";
        assertThatThrownBy(() -> read(text)).isInstanceOf(TraceFormatException.class)
                .hasMessage("t.swf:3: expected 18 fields, found 6 (truncated line?)");
    }

    @Test
    void read_negativeRunTime_isAnErrorOrSkipped() throws IOException {
        String text = "; MaxProcs: 8\n" + job(1, 0, -1, 2, 60, 1) + job(2, 5, 10, 2, 60, 1);
        assertThatThrownBy(() -> read(text)).hasMessage("t.swf:2: job 1: field 4 (run time) is -1 (unknown); the job cannot be replayed");
        LoadedTrace t = readSkipping(text);
        assertThat(t.workload().jobs()).extracting(SimJob::id).containsExactly(2L);
        assertThat(t.workload().skipped()).isEqualTo(1);
    }

    @Test
    void read_jobWiderThanTheMachine_isAnErrorOrSkipped() throws IOException {
        String text = "; MaxProcs: 8\n" + job(1, 0, 10, 9, 60, 1) + job(2, 5, 10, 8, 60, 1);
        assertThatThrownBy(() -> read(text)).hasMessage("t.swf:2: job 1 asks for 9 processors; the machine has 8");
        assertThat(readSkipping(text).workload().jobs()).extracting(SimJob::id).containsExactly(2L);
    }

    @Test
    void read_noProcessors_isInvalid() {
        String text = "; MaxProcs: 8\n1 0 -1 10 -1 -1 -1 -1 60 -1 1 7 3 -1 -1 -1 -1 -1\n";
        assertThatThrownBy(() -> read(text))
                .hasMessage("t.swf:2: job 1: no processors: field 5 (allocated) is -1 and field 8 (requested) is -1");
    }

    @Test
    void read_duplicateJobNumber_isInvalid() throws IOException {
        String text = "; MaxProcs: 8\n" + job(1, 0, 10, 1, 60, 1) + job(1, 5, 10, 1, 60, 1);
        assertThatThrownBy(() -> read(text)).hasMessage("t.swf:3: job number 1 was already used on line 2");
        assertThat(readSkipping(text).workload().jobs()).hasSize(1);
    }

    @Test
    void read_machineFallsBackToMaxNodesThenWidestJob() throws IOException {
        assertThat(read("; MaxNodes: 16\n" + job(1, 0, 10, 4, 60, 1)).workload().machine().orElseThrow().totalCores()).isEqualTo(16);
        LoadedTrace widest = read(job(1, 0, 10, 4, 60, 1) + job(2, 0, 10, 12, 60, 1));
        assertThat(widest.workload().machine().orElseThrow().totalCores()).isEqualTo(12);
        assertThat(widest.notes()).anyMatch(n -> n.contains("the widest job"));
    }

    @Test
    void read_ordersBySubmitThenJobNumber() throws IOException {
        String text = "; MaxProcs: 8\n" + job(5, 10, 1, 1, 60, 1) + job(3, 10, 1, 1, 60, 1) + job(9, 2, 1, 1, 60, 1);
        assertThat(read(text).workload().jobs()).extracting(SimJob::id).containsExactly(9L, 3L, 5L);
    }

    @Test
    void read_estimateRules() throws IOException {
        String text = "; MaxProcs: 8\n" + job(1, 0, 100, 1, 50, 1) + job(2, 0, 100, 1, -1, 1) + job(3, 0, 0, 1, 0, 1);
        Workload w = read(text).workload();
        assertThat(byId(w, 1).spec().timeLimit()).isEqualTo(50);
        assertThat(byId(w, 1).effectiveRunTime()).isEqualTo(50); // killed at its limit
        assertThat(byId(w, 2).spec().timeLimit()).isEqualTo(100);
        assertThat(byId(w, 3).spec().timeLimit()).isEqualTo(1);
        assertThat(byId(w, 3).runTime()).isZero();
    }

    @Test
    void read_onACluster_mapsPackedAndRejectsWiderJobs() throws IOException {
        Cluster tiny = ClusterPresets.byName("tiny"); // 4 nodes x 8 cores, 24 h max
        String text = "; MaxProcs: 100\n" + job(1, 0, 10, 32, 90000, 1) + job(2, 0, 10, 33, 60, 1);
        SwfReader r = new SwfReader().cluster(tiny);
        assertThatThrownBy(() -> r.read(Fixtures.text(text), "t.swf", "t"))
                .hasMessage("t.swf:3: job 2 asks for 33 processors; cluster tiny (partition batch, mapping packed) holds 32 cores");
        LoadedTrace t = r.skipInvalid(true).read(Fixtures.text(text), "t.swf", "t");
        assertThat(t.workload().jobs()).hasSize(1);
        SimJob j = t.workload().jobs().get(0);
        assertThat(j.spec().resources()).isEqualTo(ResourceRequest.processors(32));
        assertThat(j.spec().timeLimit()).isEqualTo(86400);
        assertThat(t.notes()).anyMatch(n -> n.startsWith("1 estimates above partition batch's maximum"));
        assertThat(t.workload().machine().orElseThrow().totalCores()).isEqualTo(100);
    }

    @Test
    void read_onACluster_wholeNodeMapping() throws IOException {
        Cluster tiny = ClusterPresets.byName("tiny");
        String text = "; MaxProcs: 100\n" + job(1, 0, 10, 20, 60, 1) + job(2, 0, 10, 70, 60, 1);
        SwfReader r = new SwfReader().cluster(tiny).mapping(SwfJobMapping.parse("nodes:16")).skipInvalid(true);
        LoadedTrace t = r.read(Fixtures.text(text), "t.swf", "t");
        assertThat(t.workload().jobs()).hasSize(1);
        ResourceRequest q = t.workload().jobs().get(0).spec().resources();
        assertThat(q.nodesMin()).isEqualTo(2);
        assertThat(q.exclusive()).isTrue();
        assertThat(t.workload().skipNotes().get(0)).contains("job 2 asks for 70 processors; cluster tiny (partition batch, mapping nodes:16) holds 64 processors (16 per whole node)");
    }

    @Test
    void read_onACluster_partitionNodeLimitRejects() {
        Cluster leo = ClusterPresets.byName("leonardo-booster"); // 64 nodes per job
        String text = "; MaxProcs: 100000\n" + job(1, 0, 10, 4096, 60, 1);
        assertThatThrownBy(() -> new SwfReader().cluster(leo).read(Fixtures.text(text), "t.swf", "t"))
                .hasMessageStartingWith("t.swf:2: job 1 (4096 processors) can never run on cluster leonardo-booster:");
    }

    static SimJob byId(Workload w, long id) {
        return w.jobs().stream().filter(j -> j.id() == id).findFirst().orElseThrow();
    }

    @Test
    void parse_headerMaxProcsZero_isIgnored() throws IOException {
        LoadedTrace t = read("; MaxProcs: -1\n; MaxNodes: 4\n" + job(1, 0, 10, 4, 60, 1));
        assertThat(t.workload().machine().orElseThrow().totalCores()).isEqualTo(4);
    }
}
