package io.bottega.cli.slurm;

import io.bottega.api.JobView;
import io.bottega.cli.slurm.Getopt.Arg;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GetoptTest {
    private static Getopt opts() {
        return new Getopt("x")
                .opt("long", 'l', Arg.NONE)
                .opt("noheader", 'h', Arg.NONE)
                .opt("format", 'o', Arg.REQUIRED)
                .opt("jobs", 'j', Arg.OPTIONAL)
                .opt("user", 'u', Arg.REQUIRED)
                .opt("users", 'u', Arg.REQUIRED)
                .opt("sort", 'S', Arg.REQUIRED)
                .opt("start", Arg.NONE)
                .unsupported("clusters", 'M', Arg.REQUIRED);
    }

    private static List<String> shown(Getopt.Result r) {
        List<String> out = new ArrayList<>();
        for (Getopt.Option o : r.options()) out.add(o.name() + "=" + o.value());
        return out;
    }

    @Test
    void parse_gluedShortOptionsAndValues_areSplit() throws Exception {
        Getopt.Result r = opts().parse(new String[]{"-hl", "-o%i %u", "-u", "bob", "-j12", "op"}, false);
        assertThat(shown(r)).containsExactly("noheader=null", "long=null", "format=%i %u", "user=bob", "jobs=12");
        assertThat(r.operands()).containsExactly("op");
    }

    @Test
    void parse_longOptionsAndPrefixes_areRecognised() throws Exception {
        Getopt.Result r = opts().parse(new String[]{"--form=%i", "--us", "carol", "--star", "a", "--", "-l"}, false);
        assertThat(shown(r)).containsExactly("format=%i", "user=carol", "start=null");
        assertThat(r.operands()).containsExactly("a", "-l");
    }

    @Test
    void parse_optionalArgument_isOnlyTakenGlued() throws Exception {
        Getopt.Result r = opts().parse(new String[]{"-j", "5"}, false);
        assertThat(shown(r)).containsExactly("jobs=null");
        assertThat(r.operands()).containsExactly("5");
    }

    @Test
    void parse_stopAtOperand_leavesTheRest() throws Exception {
        Getopt.Result r = opts().parse(new String[]{"-l", "cmd", "-h"}, true);
        assertThat(r.operands()).containsExactly("cmd", "-h");
    }

    @Test
    void parse_mistakes_readAsGlibcWritesThem() {
        assertThatThrownBy(() -> opts().parse(new String[]{"--s"}, false)).hasMessage("x: option '--s' is ambiguous; possibilities: "
                + "'--sort' '--start'");
        assertThatThrownBy(() -> opts().parse(new String[]{"--format"}, false)).hasMessage("x: option '--format' requires an argument");
        assertThatThrownBy(() -> opts().parse(new String[]{"-o"}, false)).hasMessage("x: option requires an argument -- 'o'");
        assertThatThrownBy(() -> opts().parse(new String[]{"--long=1"}, false)).hasMessage("x: option '--long' doesn't allow an argument");
        assertThatThrownBy(() -> opts().parse(new String[]{"--nope=1"}, false)).hasMessage("x: unrecognized option '--nope'");
        assertThatThrownBy(() -> opts().parse(new String[]{"-q"}, false)).hasMessage("x: invalid option -- 'q'");
        assertThatThrownBy(() -> opts().parse(new String[]{"-M", "c"}, false)).hasMessage("x: error: -M/--clusters is not supported by Bottega yet");
    }

    @Test
    void jobIds_forms_parseAndMatch() {
        List<JobIds.Id> ids = JobIds.parseAll(List.of("101,110_[2-3,5]", "120_*", "130_0-8:4"));
        assertThat(JobIds.forController(ids)).containsExactly("101", "110_[2-3]", "110_5", "120_*", "130_0", "130_4", "130_8");
        JobView task3 = new JobView(112, 110, 3, "", "", "", "", "", "", "PENDING", "", 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, "", "", "", "", "", "",
                "", 0, 0, 0, "", "", "", 0, 0);
        assertThat(JobIds.anyMatch(ids, task3)).isTrue();
        assertThat(JobIds.anyMatch(List.of(JobIds.parse("110_4")), task3)).isFalse();
        assertThat(JobIds.anyMatch(List.of(JobIds.parse("110")), task3)).isTrue();
        assertThatThrownBy(() -> JobIds.parse("12a")).hasMessage("Invalid job id 12a");
        assertThatThrownBy(() -> JobIds.parse("12_[3-1]")).hasMessage("Invalid job id 12_[3-1]");
        assertThatThrownBy(() -> JobIds.parse("12+1")).hasMessageContaining("heterogeneous");
    }

    @Test
    void jobStates_longAndCompactNames_agree() {
        for (String lower : JobStates.validList().split(",")) {
            String name = lower.toUpperCase(java.util.Locale.ROOT);
            assertThat(JobStates.longName(name)).isEqualTo(name);
            assertThat(JobStates.longName(JobStates.compact(name))).isEqualTo(name);
        }
        assertThat(JobStates.compact("PENDING")).isEqualTo("PD");
        assertThat(JobStates.longName("cg")).isEqualTo("COMPLETING");
    }

    @Test
    void signals_namesAndNumbers() {
        assertThat(Signals.parse("usr1")).isEqualTo(10);
        assertThat(Signals.parse("SIGCONT")).isEqualTo(18);
        assertThat(Signals.parse("2")).isEqualTo(2);
        assertThatThrownBy(() -> Signals.parse("99")).hasMessage("Invalid job signal: 99");
    }
}
