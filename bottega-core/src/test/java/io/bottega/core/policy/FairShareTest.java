package io.bottega.core.policy;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class FairShareTest {
    static FairShare tree() {
        FairShare fs = new FairShare(7 * 86400);
        fs.account("org", "root", 1);
        fs.account("heavy", "org", 1);
        fs.account("light", "org", 1);
        fs.user("h1", "heavy", 1);
        fs.user("h2", "heavy", 1);
        fs.user("l1", "light", 1);
        return fs;
    }

    /** The worked example of docs/accounting.md: these numbers are printed there. */
    @Test
    void workedExampleOfTheDocs() {
        FairShare fs = new FairShare(7 * 86400);
        fs.account("physics", "root", 60);
        fs.account("biology", "root", 40);
        fs.user("alice", "physics", 1);
        fs.user("bob", "physics", 1);
        fs.user("carol", "biology", 1);
        long now = 1_800_000_000L;
        fs.addUsage("alice", "physics", 600 * 3600.0, now);
        fs.addUsage("bob", "physics", 100 * 3600.0, now);
        fs.addUsage("carol", "biology", 300 * 3600.0, now);
        var f = fs.factorsByUser(now);
        assertThat(f.get("biology/carol")).isEqualTo(1.0);
        assertThat(f.get("physics/bob")).isCloseTo(2 / 3.0, within(1e-9));
        assertThat(f.get("physics/alice")).isCloseTo(1 / 3.0, within(1e-9));
        var rows = fs.snapshot(now);
        assertThat(rows.stream().filter(r -> r.user().isEmpty() && r.account().equals("physics")).findFirst().orElseThrow().levelFairShare())
                .isCloseTo(0.6 / 0.7, within(1e-9));
        assertThat(rows.stream().filter(r -> "bob".equals(r.user())).findFirst().orElseThrow().levelFairShare()).isCloseTo(3.5, within(1e-9));
        assertThat(fs.explain("alice", "physics", now)).contains("Account physics holds 60% of the shares among the top-level accounts and has used 70%")
                .contains("So alice ranks 3 of 3 users: fair-share factor 0.333. Usage counts for half as much every 7 days.");
        // with no usage at all, every user ties at 1.0
        FairShare fresh = new FairShare(86400);
        fresh.account("a", "root", 1);
        fresh.account("b", "root", 3);
        fresh.user("u1", "a", 1);
        fresh.user("u2", "b", 1);
        assertThat(fresh.factorsByUser(now).values()).containsOnly(1.0);
    }

    @Test
    void factor_underServedProjectRanksFirstWhateverItsUsersUsage() {
        FairShare fs = tree();
        fs.addUsage("h1", "heavy", 1000, 0);
        fs.addUsage("l1", "light", 100, 0);
        // light used less than its half: its only user ranks first, then heavy's users (h2 unused before h1)
        assertThat(fs.factor("l1", "light", 0)).isEqualTo(1.0);
        assertThat(fs.factor("h2", "heavy", 0)).isEqualTo(2.0 / 3);
        assertThat(fs.factor("h1", "heavy", 0)).isEqualTo(1.0 / 3);
    }

    @Test
    void addUsage_decaysByHalfEveryHalfLife() {
        FairShare fs = tree();
        fs.addUsage("h1", "heavy", 1000, 0);
        var rows = fs.snapshot(7 * 86400);
        var heavy = rows.stream().filter(r -> r.account().equals("heavy") && r.user().isEmpty()).findFirst().orElseThrow();
        assertThat(heavy.rawUsage()).isCloseTo(500, within(1e-6));
    }

    @Test
    void explain_saysWhichLevelIsOverItsShare() {
        FairShare fs = tree();
        fs.addUsage("h1", "heavy", 1000, 0);
        fs.addUsage("l1", "light", 100, 0);
        String why = fs.explain("h1", "heavy", 0);
        assertThat(why).contains("Account heavy holds 50% of the shares").contains("over its share").contains("ranks 3 of 3 users");
    }

    @Test
    void priority_fairShareDominatesWithDefaultWeights() {
        var c = io.bottega.core.sched.Mock.gpuCluster(2);
        var r = new io.bottega.core.model.Demand.Resolver(c);
        var spec = io.bottega.core.sched.Mock.gpuJob(1, 0, 600, 1, "u", "a", "");
        var d = ((io.bottega.core.model.Verdict.Fits) r.resolve(spec)).demand();
        PriorityFactors hi = Policies.NONE.priority(c, spec, d, 0, 1.0, 0);
        PriorityFactors lo = Policies.NONE.priority(c, spec, d, 0, 0.1, 7 * 86400);
        assertThat(hi.fairShareWeighted()).isEqualTo(10_000);
        assertThat(lo.ageWeighted()).isEqualTo(1000);
        assertThat(hi.priority()).isGreaterThan(lo.priority());
    }
}
