package io.bottega.server.accounting;

import io.bottega.core.model.Allocation;
import io.bottega.core.model.Cluster;
import io.bottega.core.model.Demand;
import io.bottega.core.model.JobSpec;
import io.bottega.core.model.NodeSpec;
import io.bottega.core.model.PowerModel;
import io.bottega.core.model.ResourceRequest;
import io.bottega.core.model.Verdict;
import io.bottega.core.policy.Billing;
import io.bottega.core.policy.Policies;
import io.bottega.core.policy.Qos;
import io.bottega.core.policy.Site;
import org.junit.jupiter.api.Test;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class AccountBookTest {
    static final long NOV_27 = ZonedDateTime.of(2026, 11, 27, 9, 0, 0, 0, ZoneOffset.UTC).toEpochSecond();

    static Cluster booster() {
        return Cluster.builder("b").node(new NodeSpec("n1", 32, 512 * 1024, 4, "a100", Set.of(), "g", true,
                new PowerModel(540, 250, 60, 400))).partitionOfAll("boost", 3600, 86400, true).build();
    }

    static Site site() {
        Policies p = Policies.builder().defaultQos("normal").billing("boost", new Billing(1, 8, 1.0 / 16))
                .qos(Qos.builder("normal").maxWallSeconds(86400).maxNodesPerJob(64).build())
                .qos(Qos.builder("bprod").minNodes(128).build()).build();
        return new Site(p, List.of(new Site.Account("proj", "root", 1, 10, Map.of("alice", 1.0))), 7 * 86400, Site.Period.MONTH);
    }

    static Demand demand(Cluster c, JobSpec s) {
        return ((Verdict.Fits) new Demand.Resolver(c).resolve(s)).demand();
    }

    @Test
    void charge_billsTheLargestOfCoresGpusAndMemory() {
        Cluster c = booster();
        AccountBook book = new AccountBook(site(), c);
        JobSpec s = new JobSpec(1, "j", "alice", "proj", "", "", 0, 3600, 0, ResourceRequest.gpuNodes(1, 1, 4), "");
        // one GPU and 4 cores (64 GB by proportion): max(4, 1 x 8, 64 / 16) = 8 units a second
        Allocation a = Allocation.single(0, 1, 4, 64 * 1024, 1);
        var row = book.charge(s, demand(c, s), a, NOV_27, NOV_27 + 3600);
        assertThat(row.billed()).isCloseTo(8 * 3600, within(1e-6));
        assertThat(row.period()).isEqualTo("2026-11");
        // energy: 4/32 of the 540 W idle draw + 4/32 of 250 W for the cores + 340 W for the GPU, for an hour
        assertThat(row.energyJoules()).isCloseTo((540.0 * 4 / 32 + 250.0 * 4 / 32 + 340) * 3600, within(1e-6));
    }

    @Test
    void budgets_countThisPeriodAndWarnOnceSpent() {
        Cluster c = booster();
        AccountBook book = new AccountBook(site(), c);
        JobSpec s = new JobSpec(1, "j", "alice", "proj", "", "", 0, 3600, 0, ResourceRequest.gpuNodes(1, 1, 4), "");
        Allocation a = Allocation.single(0, 1, 4, 64 * 1024, 1);
        book.charge(s, demand(c, s), a, NOV_27 - 40 * 86400, NOV_27 - 40 * 86400 + 3600); // October: another period
        assertThat(book.budgetWarning("proj", NOV_27)).isEmpty();
        book.charge(s, demand(c, s), a, NOV_27, NOV_27 + 2 * 3600); // 16 of the 10 billed hours
        assertThat(book.budgetWarning("proj", NOV_27)).get().asString().contains("16 of its 10 billed hours for 2026-11");
        var b = book.budgets(NOV_27).get(0);
        assertThat(b.usedHours()).isCloseTo(16, within(1e-9));
        assertThat(b.totalHours()).isCloseTo(24, within(1e-9));
        assertThat(book.budgetLeft(NOV_27, List.of())).containsEntry("proj", (10 - 16) * 3600.0);
        assertThat(book.budgetWarning("proj", NOV_27 + 10 * 86400)).as("December starts afresh").isEmpty();
    }

    @Test
    void refusal_namesTheQosLimitOrTheAccount() {
        Cluster c = booster();
        AccountBook book = new AccountBook(site(), c);
        JobSpec tooLong = new JobSpec(1, "j", "alice", "proj", "", "normal", 0, 90000, 0, ResourceRequest.gpuNodes(1, 1, 4), "");
        assertThat(book.refusal(tooLong, demandUnchecked(c, tooLong), false)).get().asString().contains("QOSMaxWallDurationPerJobLimit");
        JobSpec small = new JobSpec(2, "j", "alice", "proj", "", "bprod", 0, 600, 0, ResourceRequest.gpuNodes(1, 1, 4), "");
        assertThat(book.refusal(small, demand(c, small), false)).get().asString().contains("QOSMinNode");
        JobSpec stranger = new JobSpec(3, "j", "mallory", "proj", "", "", 0, 600, 0, ResourceRequest.gpuNodes(1, 1, 4), "");
        assertThat(book.refusal(stranger, demand(c, stranger), false)).get().asString().contains("is not a member of proj");
        assertThat(book.accountFor("alice", "")).isEqualTo("proj");
    }

    static Demand demandUnchecked(Cluster c, JobSpec s) {
        return demand(c, s.withTimeLimit(600));
    }
}
