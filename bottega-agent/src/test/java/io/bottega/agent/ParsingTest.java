package io.bottega.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The small parsers: /proc files, CPU lists, mountinfo, spool status files. */
class ParsingTest {
    @Test
    void parseStat_commWithSpacesAndParentheses() {
        String line = "4242 (my (odd) cmd) S 1 4242 4242 0 -1 4194560 100 0 0 0 3 4 0 0 20 0 1 0 987654 "
                + "12345678 321 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";

        Procfs.Stat s = Procfs.parseStat(line);

        assertThat(s.pid()).isEqualTo(4242);
        assertThat(s.comm()).isEqualTo("my (odd) cmd");
        assertThat(s.state()).isEqualTo('S');
        assertThat(s.ppid()).isEqualTo(1);
        assertThat(s.session()).isEqualTo(4242);
        assertThat(s.startTime()).isEqualTo(987654);
        assertThat(s.rssPages()).isEqualTo(321);
    }

    @Test
    void stat_self_isAliveAndMatchesItsStartTime() {
        long pid = ProcessHandle.current().pid();
        Procfs.Stat s = Procfs.stat(pid).orElseThrow();

        assertThat(Procfs.alive(pid, s.startTime())).isTrue();
        assertThat(Procfs.alive(pid, s.startTime() + 1)).as("a reused pid is not the same process").isFalse();
        assertThat(Procfs.alive(0, 0)).isFalse();
    }

    @Test
    void cpuList_parseAndFormat_roundTrip() {
        assertThat(CpuList.parse("0-3,8,10-11")).containsExactly(0, 1, 2, 3, 8, 10, 11);
        assertThat(CpuList.parse(" ")).isEmpty();
        assertThat(CpuList.format(List.of(11, 0, 1, 2, 3, 8, 10))).isEqualTo("0-3,8,10-11");
        assertThat(CpuList.format(List.of(5))).isEqualTo("5");
        assertThatThrownBy(() -> CpuList.parse("3-1")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void cpuBinding_declaredCoresBeyondHost_mapsModulo() {
        CpuBinding b = new CpuBinding(List.of(0, 1), 8, true);

        assertThat(b.mode()).isEqualTo("modulo");
        assertThat(b.map(List.of(2, 3, 5))).containsExactly(0, 1);
        assertThat(b.map(List.of())).isEmpty();
    }

    @Test
    void cpuBinding_directAndOff() {
        CpuBinding direct = new CpuBinding(List.of(4, 5, 6, 7), 4, true);
        assertThat(direct.mode()).isEqualTo("direct");
        assertThat(direct.map(List.of(0, 3))).containsExactly(4, 7);
        CpuBinding off = new CpuBinding(List.of(0, 1), 2, false);
        assertThat(off.mode()).isEqualTo("off");
        assertThat(off.map(List.of(1))).isEmpty();
    }

    @Test
    void mountinfo_hybridMachine_findsV1ControllersAndTheUnifiedMount() {
        List<String> lines = List.of(
                "30 24 0:26 / /sys/fs/cgroup rw,relatime - tmpfs cgroup rw,mode=755",
                "31 30 0:27 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu",
                "33 30 0:29 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset",
                "34 30 0:30 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
                "39 30 0:35 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw",
                "40 30 0:36 / /sys/fs/cgroup/cpu\\040acct rw,relatime shared:9 - cgroup cgroup rw,cpu,cpuacct",
                "41 22 8:1 / / rw,relatime - ext4 /dev/vda rw");

        List<CgroupDetector.Mount> m = CgroupDetector.parseMountinfo(lines);

        assertThat(m).extracting(CgroupDetector.Mount::fsType).containsExactly("cgroup", "cgroup", "cgroup", "cgroup2", "cgroup");
        assertThat(m.get(2).superOptions()).contains("memory");
        assertThat(m.get(4).mountPoint()).isEqualTo(Path.of("/sys/fs/cgroup/cpu acct"));
        assertThat(m.get(4).superOptions()).contains("cpu", "cpuacct");
    }

    @Test
    void detect_noCgroupMounts_fallsBackToNoneAndSaysWhy() {
        CgroupDetector d = new CgroupDetector(List.of(), "bottega.slice", "n1");

        ResourceControl rc = d.detect("auto");

        assertThat(rc.mode()).isEqualTo("none");
        assertThat(rc.describe()).contains("no cgroup2 mount", "no memory hierarchy");
        assertThatThrownBy(() -> new CgroupDetector(List.of(), "b", "n1").detect("v2"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("cgroup v2 was asked for");
    }

    @Test
    void detect_thisMachine_reportsAMode() {
        ResourceControl rc = CgroupDetector.forThisMachine("bottega-test.slice", "detect-" + ProcessHandle.current().pid())
                .detect("auto");
        try {
            System.out.println("agent test: this machine confines jobs with cgroup=" + rc.mode() + " " + rc.describe());
            assertThat(rc.mode()).isIn("v2", "v1", "none");
        } finally {
            rc.close();
        }
    }

    @Test
    void memTotal_fromMeminfo() {
        String meminfo = "MemTotal:       24684312 kB\nMemFree:         1234 kB\n";

        assertThat(ResourceDiscovery.parseMemTotalMb(meminfo)).isEqualTo(24105);
        assertThat(ResourceDiscovery.parseMemTotalMb("nothing")).isZero();
    }

    @Test
    void exitStatus_parsesWrapperRecord() {
        ExitStatus s = ExitStatus.parse(Map.of("known", "1", "exit_code", "0", "signal", "9", "ended_ms", "1795771834175",
                "ticks", "10 20 30 40"), 5);

        assertThat(s.signal()).isEqualTo(9);
        assertThat(s.endedMs()).isEqualTo(1795771834175L);
        assertThat(s.cpuSeconds()).isEqualTo(1.0);
        assertThat(ExitStatus.parse(Map.of("known", "0", "exit_code", "3", "ended_ms", "%3N"), 77))
                .isEqualTo(new ExitStatus(false, 0, 0, 77, -1, false));
    }

    @Test
    void keyed_readsCgroupStatFiles() {
        String events = "low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\noom_group_kill 0\n";

        assertThat(Procfs.keyed(events, "oom_kill")).isEqualTo(1);
        assertThat(Procfs.keyed(events, "max")).isEqualTo(12);
        assertThat(Procfs.keyed(events, "absent")).isEqualTo(-1);
    }

    @Test
    void backoff_isSeededPerNodeAndCapped() {
        Backoff a = new Backoff("lrdn0001", 30_000);
        Backoff b = new Backoff("lrdn0001", 30_000);
        Backoff c = new Backoff("lrdn0002", 30_000);
        long[] da = new long[12];
        boolean differs = false;
        for (int i = 0; i < da.length; i++) {
            da[i] = a.nextDelayMs();
            assertThat(b.nextDelayMs()).isEqualTo(da[i]);
            differs |= c.nextDelayMs() != da[i];
            assertThat(da[i]).isBetween(1L, 30_000L);
        }
        assertThat(differs).isTrue();
        assertThat(da[0]).isBetween(125L, 250L);
        assertThat(da[11]).isBetween(15_000L, 30_000L);
        a.reset();
        assertThat(a.nextDelayMs()).isBetween(125L, 250L);
    }
}
