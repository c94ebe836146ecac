package io.bottega.api.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bottega.api.JobView;
import io.bottega.api.TestJobs;

import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SqueueFormatTest {
    static final ZoneId ROME = ZoneId.of("Europe/Rome");
    static final long T0 = LocalDateTime.of(2026, 11, 27, 9, 15).atZone(ROME).toEpochSecond();

    static final JobView RUNNING = TestJobs.job(1234).set(j -> {
        j.name = "llm-train";
        j.state = "RUNNING";
        j.submitTime = T0 - 4000;
        j.eligibleTime = T0 - 4000;
        j.startTime = T0 - 3723;
        j.elapsed = 3723;
        j.timeLimit = 129600;
        j.nodesRequested = 2;
        j.nodeCount = 2;
        j.cpus = 64;
        j.gpus = 8;
        j.memMb = 491520;
        j.nodeList = "lrdn[0001-0002]";
        j.tresPerNode = "gres/gpu:4";
    }).build();

    static final JobView PENDING_ARRAY = TestJobs.job(1240).set(j -> {
        j.arrayJobId = 1240;
        j.arrayTasks = "3-10%2";
        j.name = "sweep";
        j.user = "bob";
        j.reason = "Resources";
        j.submitTime = T0 - 60;
        j.predictedStart = T0 + 7200;
        j.timeLimit = 172800;
        j.schedNodes = "lrdn0003";
    }).build();

    static final JobView FAILED_TASK = TestJobs.job(1250).set(j -> {
        j.arrayJobId = 1240;
        j.arrayTaskId = 2;
        j.name = "sweep";
        j.state = "FAILED";
        j.reason = "NonZeroExitCode";
        j.startTime = T0 - 100;
        j.endTime = T0 - 40;
        j.elapsed = 60;
        j.nodeCount = 1;
        j.nodeList = "lrdn0007";
        j.exitCode = 3;
    }).build();

    @Test
    void render_defaultFormat_matchesSqueue() {
        String out = SqueueFormat.standard(false, false).render(List.of(RUNNING, PENDING_ARRAY), false, ROME);
        assertThat(out).isEqualTo("""
                             JOBID PARTITION     NAME     USER ST       TIME  NODES NODELIST(REASON)
                              1234 boost_usr llm-trai    alice  R    1:02:03      2 lrdn[0001-0002]
                     1240_[3-10%2] boost_usr    sweep      bob PD       0:00      1 (Resources)
                """);
    }

    @Test
    void render_longFormat_cutsTheHeaderButNotTheTime() {
        String out = SqueueFormat.standard(true, false).render(List.of(RUNNING, PENDING_ARRAY), false, ROME);
        assertThat(out).isEqualTo("""
                             JOBID PARTITION     NAME     USER    STATE       TIME TIME_LIMI  NODES NODELIST(REASON)
                              1234 boost_usr llm-trai    alice  RUNNING    1:02:03 1-12:00:00      2 lrdn[0001-0002]
                     1240_[3-10%2] boost_usr    sweep      bob  PENDING       0:00 2-00:00:00      1 (Resources)
                """);
    }

    @Test
    void render_startFormat_showsThePredictedStart() {
        String out = SqueueFormat.standard(false, true).render(List.of(PENDING_ARRAY), false, ROME);
        assertThat(out).isEqualTo("""
                             JOBID PARTITION     NAME     USER ST          START_TIME  NODES SCHEDNODES           NODELIST(REASON)
                     1240_[3-10%2] boost_usr    sweep      bob PD 2026-11-27T11:15:00      1 lrdn0003             (Resources)
                """);
    }

    @Test
    void render_noHeader_andNoJobs() {
        assertThat(SqueueFormat.parse("%i").render(List.of(RUNNING), true, ROME)).isEqualTo("1234\n");
        assertThat(SqueueFormat.parse("%i %j").render(List.of(), false, ROME)).isEqualTo("JOBID NAME\n");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "%i        | 1234",
            "%A        | 1234",
            "%F        | 1234",
            "%K        | N/A",
            "%a        | aifac_l01_028",
            "%b        | gres/gpu:4",
            "%C        | 64",
            "%D        | 2",
            "%e        | 2026-11-28T20:12:57",
            "%E        | (null)",
            "%j        | llm-train",
            "%k        | (null)",
            "%l        | 1-12:00:00",
            "%L        | 1-10:57:57",
            "%m        | 480G",
            "%M        | 1:02:03",
            "%N        | lrdn[0001-0002]",
            "%o        | /home/alice/job.sh",
            "%P        | boost_usr_prod",
            "%q        | normal",
            "%Q        | 1000",
            "%r        | None",
            "%R        | lrdn[0001-0002]",
            "%S        | 2026-11-27T08:12:57",
            "%t        | R",
            "%T        | RUNNING",
            "%u        | alice",
            "%v        | (null)",
            "%V        | 2026-11-27T08:08:20",
            "%Y        | (null)",
            "%Z        | /home/alice",
            "%p        | 0.00000023",
            "[%5i]     | [1234 ]",
            "[%-6i]    | [1234  ]",
            "[%.6i]    | [  1234]",
            "[%3j]     | [llm]",
            "100%%     | 100%",
    })
    void row_eachSpecifier_ofARunningJob(String format, String expected) {
        assertThat(SqueueFormat.parse(format).row(RUNNING, ROME)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "%i | 1240_[3-10%2]",
            "%A | 1240",
            "%F | 1240",
            "%K | 3-10%2",
            "%D | 1",
            "%M | 0:00",
            "%L | 2-00:00:00",
            "%N | ''",
            "%R | (Resources)",
            "%S | 2026-11-27T11:15:00",
            "%e | 2026-11-29T11:15:00",
            "%Y | lrdn0003",
            "%t | PD",
    })
    void row_eachSpecifier_ofAPendingArray(String format, String expected) {
        assertThat(SqueueFormat.parse(format).row(PENDING_ARRAY, ROME)).isEqualTo(expected);
    }

    @Test
    void row_arrayTask_andFailedReason() {
        assertThat(SqueueFormat.parse("%i %A %F %K %t %R %e").row(FAILED_TASK, ROME))
                .isEqualTo("1240_2 1250 1240 2 F (NonZeroExitCode) 2026-11-27T09:14:20");
    }

    @Test
    void row_timeLimits_specialValues() {
        JobView unlimited = TestJobs.job(1).set(j -> j.timeLimit = SlurmTime.UNLIMITED).build();
        JobView unset = TestJobs.job(1).set(j -> j.timeLimit = 0).build();
        JobView over = TestJobs.job(1).set(j -> {
            j.state = "RUNNING";
            j.elapsed = 4000;
        }).build();
        assertThat(SqueueFormat.parse("%l %L").row(unlimited, ROME)).isEqualTo("UNLIMITED UNLIMITED");
        assertThat(SqueueFormat.parse("%l %L").row(unset, ROME)).isEqualTo("Partition_Limit NOT_SET");
        assertThat(SqueueFormat.parse("%L").row(over, ROME)).isEqualTo("INVALID");
        assertThat(SqueueFormat.parse("%S %e").row(unset, ROME)).isEqualTo("N/A N/A");
    }

    @Test
    void needsTimeZone_onlyWhenATimeIsPrinted() {
        assertThat(SqueueFormat.parse(SqueueFormat.DEFAULT).needsTimeZone()).isFalse();
        assertThat(SqueueFormat.parse(SqueueFormat.LONG).needsTimeZone()).isFalse();
        assertThat(SqueueFormat.parse(SqueueFormat.START).needsTimeZone()).isTrue();
        assertThat(SqueueFormat.parse("%i %V").needsTimeZone()).isTrue();
        assertThat(SqueueFormat.parseFields("JobID,EligibleTime").needsTimeZone()).isTrue();
    }

    @Test
    void parse_badSpecifiers_areNamed() {
        assertThatThrownBy(() -> SqueueFormat.parse("%i %z")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid job format specification: %z");
        assertThatThrownBy(() -> SqueueFormat.parse("%.10")).hasMessage("invalid job format specification: %.10 (no field letter)");
        assertThatThrownBy(() -> SqueueFormat.parse("%99999i")).hasMessageContaining("is larger than 4096");
    }

    @Test
    void parseFields_namesWidthsAndSuffixes() {
        SqueueFormat f = SqueueFormat.parseFields("JobID,name,State:.10");
        assertThat(f.header()).isEqualTo("JOBID               NAME                     STATE");
        assertThat(f.row(RUNNING, ROME)).isEqualTo("1234                llm-train              RUNNING");
        SqueueFormat g = SqueueFormat.parseFields("JobArrayID:8|,UserName:6|,TimeUsed:.8,NumNodes:3,ReasonList:0,StartTime:20");
        assertThat(g.row(PENDING_ARRAY, ROME)).isEqualTo("1240_[3-|bob   |    0:001  (Resources)2026-11-27T11:15:00 ");
        assertThat(SqueueFormat.parseFields("Partition:.5,STDOUT:30,exit_code:4,EligibleTime:3").row(FAILED_TASK, ROME))
                .isEqualTo("boost/home/alice/slurm-%j.out      3:0 N/A");
    }

    @Test
    void parseFields_unknownName_isNamed() {
        assertThatThrownBy(() -> SqueueFormat.parseFields("JobID,Colour")).hasMessage("invalid job format field: Colour");
    }
}
