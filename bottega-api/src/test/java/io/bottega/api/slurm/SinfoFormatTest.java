package io.bottega.api.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bottega.api.NodeView;
import io.bottega.api.PartitionView;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

class SinfoFormatTest {
    static final List<String> BOOST = List.of("normal", "boost_usr_prod");
    static final List<PartitionView> PARTITIONS = List.of(
            new PartitionView("normal", true, "up", SlurmTime.UNLIMITED, 3600, 0, 6, "lrdn[0001-0006]", 192, 24, 2, 2, 1, 1),
            new PartitionView("boost_usr_prod", false, "up", 86400, 3600, 16, 6, "lrdn[0001-0006]", 192, 24, 2, 2, 1, 1),
            new PartitionView("boost_usr_dbg", false, "up", 1800, 1800, 2, 2, "lrdn[0004-0005]", 64, 8, 2, 0, 0, 0),
            new PartitionView("lrd_all_serial", false, "down", 14400, 3600, 1, 0, "", 0, 0, 0, 0, 0, 0));
    static final List<NodeView> NODES = List.of(
            node("lrdn0001", "alloc", BOOST, 32, 4, ""),
            node("lrdn0002", "alloc", BOOST, 32, 4, ""),
            node("lrdn0003", "mix", BOOST, 8, 1, ""),
            node("lrdn0004", "idle", List.of("normal", "boost_usr_prod", "boost_usr_dbg"), 0, 0, ""),
            node("lrdn0005", "idle", List.of("normal", "boost_usr_prod", "boost_usr_dbg"), 0, 0, ""),
            node("lrdn0006", "drain", BOOST, 0, 0, "bad gpu"));

    /** Joins names; the real caller passes the core's Hostlist::compress. */
    static final Function<List<String>, String> JOIN = names -> String.join(",", names);

    static NodeView node(String name, String state, List<String> partitions, int cpusAlloc, int gpusAlloc, String reason) {
        return new NodeView(name, state, reason, partitions, 32, cpusAlloc, 494000, cpusAlloc * 15000L, 4, gpusAlloc, "a100",
                List.of("gpu", "a100"), "cell1");
    }

    @Test
    void render_default_groupsEachPartitionsNodesByState() {
        String out = SinfoFormat.standard(false, false).render(PARTITIONS, NODES, false, false, JOIN);
        assertThat(out).isEqualTo("""
                PARTITION      AVAIL  TIMELIMIT  NODES  STATE NODELIST
                normal*           up   infinite      2  alloc lrdn0001,lrdn0002
                normal*           up   infinite      1    mix lrdn0003
                normal*           up   infinite      2   idle lrdn0004,lrdn0005
                normal*           up   infinite      1  drain lrdn0006
                boost_usr_prod    up 1-00:00:00      2  alloc lrdn0001,lrdn0002
                boost_usr_prod    up 1-00:00:00      1    mix lrdn0003
                boost_usr_prod    up 1-00:00:00      2   idle lrdn0004,lrdn0005
                boost_usr_prod    up 1-00:00:00      1  drain lrdn0006
                boost_usr_dbg     up      30:00      2   idle lrdn0004,lrdn0005
                lrd_all_serial  down    4:00:00      0    n/a\s
                """);
    }

    @Test
    void render_nodeOriented_oneLinePerNodeAndPartition() {
        List<NodeView> some = List.of(NODES.get(0), NODES.get(2), NODES.get(3), NODES.get(5));
        String out = SinfoFormat.standard(true, false).render(PARTITIONS, some, true, false, JOIN);
        assertThat(out).isEqualTo("""
                NODELIST  NODES PARTITION      STATE\s
                lrdn0001      1 normal*        alloc\s
                lrdn0001      1 boost_usr_prod alloc\s
                lrdn0003      1 normal*        mix  \s
                lrdn0003      1 boost_usr_prod mix  \s
                lrdn0004      1 normal*        idle \s
                lrdn0004      1 boost_usr_prod idle \s
                lrdn0004      1 boost_usr_dbg  idle \s
                lrdn0006      1 normal*        drain\s
                lrdn0006      1 boost_usr_prod drain\s
                """);
    }

    @Test
    void render_withoutState_aggregatesThePartition() {
        String out = SinfoFormat.parse("%R %C %A %F %D").render(PARTITIONS.subList(0, 1), NODES, false, true, JOIN);
        assertThat(out).isEqualTo("normal 72/88/32/192 3/2 3/2/1/6 6\n");
    }

    @Test
    void render_nodeFields() {
        String out = SinfoFormat.parse("%N|%c|%m|%G|%f|%T|%E|%z|%d|%w").render(PARTITIONS.subList(2, 3), NODES, false, true, JOIN);
        assertThat(out).isEqualTo("lrdn0004,lrdn0005|32|494000|gpu:a100:4|gpu,a100|idle|none|1:32:1|0|1\n");
        String drained = SinfoFormat.parse("%E|%T|%n").render(PARTITIONS.subList(1, 2), List.of(NODES.get(5)), false, true, JOIN);
        assertThat(drained).isEqualTo("bad gpu|drained|lrdn0006\n");
    }

    @Test
    void render_partitionFields() {
        String out = SinfoFormat.parse("%P|%a|%l|%L|%s|%r|%h|%g").render(PARTITIONS.subList(1, 3), List.of(), false, true, JOIN);
        assertThat(out).isEqualTo("""
                boost_usr_prod|up|1-00:00:00|1:00:00|1-16|no|NO|all
                boost_usr_dbg|up|30:00|30:00|1-2|no|NO|all
                """);
    }

    @Test
    void render_differentCpuCountsInOneLine_printTheMinimumWithPlus() {
        List<NodeView> mixed = new ArrayList<>(List.of(NODES.get(3)));
        mixed.add(new NodeView("dcgp0001", "idle", "", List.of("normal"), 112, 0, 512000, 0, 0, 0, "", List.of(), ""));
        String out = SinfoFormat.parse("%c %m %D").render(PARTITIONS.subList(0, 1), mixed, false, true, JOIN);
        assertThat(out).isEqualTo("32+ 494000+ 2\n");
        // a printed GRES column splits them
        String split = SinfoFormat.parse("%c %m %D %G").render(PARTITIONS.subList(0, 1), mixed, false, true, JOIN);
        assertThat(split).isEqualTo("32 494000 1 gpu:a100:4\n112 512000 1 (null)\n");
    }

    @Test
    void standardFormats_allParse() {
        for (String f : List.of(SinfoFormat.DEFAULT, SinfoFormat.NODE, SinfoFormat.LONG, SinfoFormat.NODE_LONG, SinfoFormat.REASONS)) {
            assertThat(SinfoFormat.parse(f).render(PARTITIONS, NODES, f.startsWith("%#N"), false, JOIN)).as(f).isNotEmpty();
        }
        String reasons = SinfoFormat.parse(SinfoFormat.REASONS).render(PARTITIONS.subList(0, 1), NODES, false, false, JOIN);
        assertThat(reasons).contains("bad gpu              lrdn0006\n");
    }

    @Test
    void render_longStates_andSuffixes() {
        assertThat(SinfoFormat.longState("mix")).isEqualTo("mixed");
        assertThat(SinfoFormat.longState("alloc")).isEqualTo("allocated");
        assertThat(SinfoFormat.longState("drng")).isEqualTo("draining");
        assertThat(SinfoFormat.longState("down*")).isEqualTo("down*");
        assertThat(SinfoFormat.longState("idle~")).isEqualTo("idle~");
    }

    @Test
    void render_hostlistCompressorGetsEachGroupsNames() {
        List<List<String>> seen = new ArrayList<>();
        SinfoFormat.parse("%N").render(PARTITIONS.subList(2, 3), NODES, false, true, names -> {
            seen.add(names);
            return "x";
        });
        assertThat(seen).containsExactly(List.of("lrdn0004", "lrdn0005"));
    }

    @Test
    void render_nodesDownOrNotResponding_countAsOther() {
        List<NodeView> nodes = List.of(
                new NodeView("n1", "down*", "", List.of("normal"), 4, 0, 1000, 0, 0, 0, "", List.of(), ""),
                new NodeView("n2", "drng", "maint", List.of("normal"), 4, 2, 1000, 0, 0, 0, "", List.of(), ""),
                new NodeView("n3", "idle", "", List.of("normal"), 4, 0, 1000, 0, 0, 0, "", List.of(), ""));
        String out = SinfoFormat.parse("%C %F").render(PARTITIONS.subList(0, 1), nodes, false, true, JOIN);
        assertThat(out).isEqualTo("2/4/6/12 0/1/2/3\n");
    }

    @Test
    void parse_badSpecifiers_areNamed() {
        assertThatThrownBy(() -> SinfoFormat.parse("%P %q")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid node format specification: %q");
        assertThatThrownBy(() -> SinfoFormat.parse("%P %.")).hasMessage("invalid node format specification: no field letter at the end");
    }
}
