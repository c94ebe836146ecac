package io.bottega.api.slurm;

import static io.bottega.api.slurm.SqueueFormatTest.FAILED_TASK;
import static io.bottega.api.slurm.SqueueFormatTest.PENDING_ARRAY;
import static io.bottega.api.slurm.SqueueFormatTest.ROME;
import static io.bottega.api.slurm.SqueueFormatTest.RUNNING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bottega.api.JobView;
import io.bottega.api.TestJobs;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SacctFormatTest {
    static final SacctFormat DEFAULT = SacctFormat.parse(SacctFormat.DEFAULT);

    @Test
    void render_defaultTable_matchesSacct() {
        String out = DEFAULT.render(List.of(RUNNING, FAILED_TASK, PENDING_ARRAY), SacctFormat.Mode.TABLE, false, ROME);
        assertThat(out).isEqualTo("""
                JobID           JobName  Partition    Account  AllocCPUS      State ExitCode\s
                ------------ ---------- ---------- ---------- ---------- ---------- --------\s
                1234          llm-train boost_usr+ aifac_l01+         64    RUNNING      0:0\s
                1240_2            sweep boost_usr+ aifac_l01+          1     FAILED      3:0\s
                1240_[3-10%+      sweep boost_usr+ aifac_l01+          0    PENDING      0:0\s
                """);
    }

    @Test
    void render_noHeader_hasNoRuleEither() {
        assertThat(SacctFormat.parse("JobID,State").render(List.of(RUNNING), SacctFormat.Mode.TABLE, true, ROME))
                .isEqualTo("1234            RUNNING \n");
    }

    @Test
    void render_parsable2_separatesWithBars() {
        String out = SacctFormat.parse("JobID,JobName,State,ExitCode,Elapsed")
                .render(List.of(RUNNING, FAILED_TASK), SacctFormat.Mode.PARSABLE2, false, ROME);
        assertThat(out).isEqualTo("""
                JobID|JobName|State|ExitCode|Elapsed
                1234|llm-train|RUNNING|0:0|01:02:03
                1240_2|sweep|FAILED|3:0|00:01:00
                """);
    }

    @Test
    void render_parsable_endsEachFieldWithABar() {
        String out = SacctFormat.parse("JobIDRaw,Partition").render(List.of(FAILED_TASK), SacctFormat.Mode.PARSABLE, true, ROME);
        assertThat(out).isEqualTo("1250|boost_usr_prod|\n");
    }

    @Test
    void parse_widthSuffix_setsTheColumnAndItsJustification() {
        SacctFormat f = SacctFormat.parse("JobName%20,Partition%-15,jobid%4");
        assertThat(f.render(List.of(RUNNING), SacctFormat.Mode.TABLE, false, ROME)).isEqualTo("""
                             JobName Partition       JobI\s
                -------------------- --------------- ----\s
                           llm-train boost_usr_prod  1234\s
                """);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "JobID          | 1234",
            "JobIDRaw       | 1234",
            "JobName        | llm-train",
            "Partition      | boost_usr_prod",
            "Account        | aifac_l01_028",
            "User           | alice",
            "AllocCPUS      | 64",
            "AllocNodes     | 2",
            "AllocTRES      | billing=64,cpu=64,gres/gpu=8,mem=960G,node=2",
            "ReqMem         | 480G",
            "State          | RUNNING",
            "ExitCode       | 0:0",
            "Elapsed        | 01:02:03",
            "Start          | 2026-11-27T08:12:57",
            "End            | Unknown",
            "Submit         | 2026-11-27T08:08:20",
            "Eligible       | 2026-11-27T08:08:20",
            "NodeList       | lrdn[0001-0002]",
            "Timelimit      | 1-12:00:00",
            "ConsumedEnergy | 0",
            "QOS            | normal",
            "NNodes         | 2",
            "NCPUS          | 64",
            "ReqNodes       | 2",
            "Priority       | 1000",
            "WorkDir        | /home/alice",
    })
    void render_eachField_ofARunningJob(String field, String expected) {
        assertThat(SacctFormat.parse(field).render(List.of(RUNNING), SacctFormat.Mode.PARSABLE2, true, ROME))
                .isEqualTo(expected + "\n");
    }

    @Test
    void render_pendingJob_hasNoAllocation() {
        String out = SacctFormat.parse("AllocCPUS,AllocNodes,AllocTRES,NodeList,Start,End,Elapsed,Reason,ArrayJobID,ArrayTaskID")
                .render(List.of(PENDING_ARRAY), SacctFormat.Mode.PARSABLE2, true, ROME);
        assertThat(out).isEqualTo("0|0||None assigned|Unknown|Unknown|00:00:00|Resources|1240|3-10%2\n");
    }

    @Test
    void render_timelimitSpecialValues() {
        JobView unlimited = TestJobs.job(1).set(j -> j.timeLimit = SlurmTime.UNLIMITED).build();
        JobView unset = TestJobs.job(2).set(j -> j.timeLimit = 0).build();
        assertThat(SacctFormat.parse("Timelimit").render(List.of(unlimited, unset), SacctFormat.Mode.PARSABLE2, true, ROME))
                .isEqualTo("UNLIMITED\nPartition_Limit\n");
    }

    @Test
    void parse_unknownField_usesSacctsMessage() {
        assertThatThrownBy(() -> SacctFormat.parse("JobID,Colour")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid field requested: \"Colour\"");
        assertThatThrownBy(() -> SacctFormat.parse("JobID%x")).hasMessage("invalid field width \"JobID%x\"");
        assertThatThrownBy(() -> SacctFormat.parse(",")).hasMessage("no fields requested");
    }

    @Test
    void needsTimeZone_onlyWhenATimeIsPrinted() {
        assertThat(DEFAULT.needsTimeZone()).isFalse();
        assertThat(SacctFormat.parse("JobID,Start").needsTimeZone()).isTrue();
        assertThat(SacctFormat.parse("submit").needsTimeZone()).isTrue();
    }

    @Test
    void fieldNames_includeTheDefaultColumns() {
        assertThat(SacctFormat.fieldNames()).contains("JobID", "JobName", "Partition", "Account", "AllocCPUS", "State",
                "ExitCode", "JobIDRaw", "User", "AllocNodes", "AllocTRES", "ReqMem", "Elapsed", "Start", "End", "Submit",
                "NodeList", "Timelimit", "ConsumedEnergy");
    }
}
