package io.bottega.server.accounting;

import io.bottega.core.model.Demand;
import io.bottega.core.model.JobSpec;
import io.bottega.core.policy.Policies;
import io.bottega.core.policy.Qos;
import io.bottega.core.policy.Site;

import java.util.List;
import java.util.Optional;

/**
 * The submit-time checks of the site's accounts and QOS: which account and QOS a job charges when it names
 * none, and why a request can never run here. Reads only the site's configuration, so any thread may call it.
 */
public final class Admission {
    private final Site site;
    private final Policies policies;

    public Admission(Site site) {
        this.site = site;
        this.policies = site.policies();
    }

    /** Whether the site declares accounts (then a job must charge one its user belongs to). */
    public boolean accountsDeclared() { return !site.accounts().isEmpty(); }

    /** The account a job charges: the one it names, else its user's first account (else none). */
    public String accountFor(String user, String requested) {
        if (requested != null && !requested.isEmpty() || !accountsDeclared()) return requested == null ? "" : requested;
        List<String> mine = site.accountsOf(user);
        return mine.isEmpty() ? "" : mine.get(0);
    }

    /** The QOS a job runs in: the one it names, else the site's default when the site declares QOS (else none). */
    public String qosFor(String requested) {
        if (requested != null && !requested.isEmpty()) return requested;
        return policies.qos().isEmpty() ? "" : policies.defaultQos();
    }

    /**
     * Why a request can never run here, in Slurm's words, or empty: an unknown QOS, a time limit above the QOS's,
     * fewer nodes than the QOS's minimum or more than its maximum, an account the user may not charge.
     */
    public Optional<String> refusal(JobSpec spec, Demand d, boolean operator) {
        if (!policies.qos().isEmpty() && !spec.qos().isEmpty() && !policies.qos().containsKey(spec.qos())) {
            return Optional.of("Invalid qos specification (" + spec.qos() + "; known: "
                    + String.join(", ", policies.qos().keySet().stream().sorted().toList()) + ")");
        }
        Qos q = policies.qosOf(spec.qos());
        if (q.maxWallSeconds() > 0 && spec.timeLimit() > q.maxWallSeconds()) {
            return Optional.of("Job violates accounting/QOS policy (job submit limit, user's size and/or time limits): time limit "
                    + spec.timeLimit() + " s exceeds the " + q.maxWallSeconds() + " s of QOS " + q.name() + " (QOSMaxWallDurationPerJobLimit)");
        }
        if (q.minNodes() > 0 && d.nodesMin() < q.minNodes()) {
            return Optional.of("Job violates accounting/QOS policy: QOS " + q.name() + " needs at least " + q.minNodes() + " nodes, the job asks for "
                    + d.nodesMin() + " (QOSMinNode)");
        }
        if (q.maxNodesPerJob() > 0 && d.nodesMin() > q.maxNodesPerJob()) {
            return Optional.of("Job violates accounting/QOS policy: QOS " + q.name() + " allows at most " + q.maxNodesPerJob()
                    + " nodes a job, the job asks for " + d.nodesMin() + " (QOSMaxNodePerJobLimit)");
        }
        if (accountsDeclared()) {
            if (spec.account().isEmpty()) {
                return Optional.of("Invalid account or account/partition combination specified (user " + spec.user()
                        + " belongs to no account: give -A ACCOUNT)");
            }
            Optional<Site.Account> a = site.account(spec.account());
            if (a.isEmpty()) return Optional.of("Invalid account or account/partition combination specified (no account " + spec.account() + ")");
            if (!operator && !a.get().users().containsKey(spec.user())) {
                return Optional.of("Invalid account or account/partition combination specified (user " + spec.user()
                        + " is not a member of " + spec.account() + ")");
            }
        }
        return Optional.empty();
    }
}
