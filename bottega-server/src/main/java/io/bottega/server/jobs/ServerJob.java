package io.bottega.server.jobs;

import io.bottega.api.Dependency;
import io.bottega.core.model.Allocation;
import io.bottega.core.model.Demand;
import io.bottega.core.model.JobSpec;
import io.bottega.core.model.JobState;
import io.bottega.core.model.PendingReason;
import io.bottega.core.sched.Plan;
import io.bottega.core.sched.Reservation;
import io.bottega.server.store.JobRow;

import java.util.List;

/**
 * A job as the controller holds it while it is active: the stored row (replaced on every change, never
 * mutated) and what scheduling needs, derived once. Owned by the controller's loop thread.
 */
public final class ServerJob {
    private JobRow row;
    private JobSpec spec;
    private Demand demand;
    private final List<Dependency> dependencies;
    private final boolean dependencyAnyOf;
    private final LaunchOptions options;
    private Reservation reservation = Reservation.NONE;
    private PendingReason reason = PendingReason.NONE;
    private long predictedStart = Plan.NEVER;
    private Allocation allocation;
    private List<String> nodeNames = List.of();
    private String command = "";
    private boolean interactive;
    private io.bottega.core.policy.PriorityFactors factors;

    public ServerJob(JobRow row, JobSpec spec, Demand demand, List<Dependency> dependencies, boolean anyOf,
                     LaunchOptions options) {
        this.row = row;
        this.spec = spec;
        this.demand = demand;
        this.dependencies = List.copyOf(dependencies);
        this.dependencyAnyOf = anyOf;
        this.options = options;
    }

    /**
     * What the agent needs beyond the row, kept from the request: whether output files are appended to,
     * whether the job is requeued when its node fails ("" for the cluster's default), whether it is
     * cancelled when its dependency can never be satisfied, and how many tasks of its array may run at once.
     */
    public record LaunchOptions(boolean appendOutput, String requeue, boolean killOnInvalidDep, int arrayMaxConcurrent,
                                String submitHost, java.util.Map<String, String> arrayEnv) {
        public static final LaunchOptions DEFAULT = new LaunchOptions(false, "", false, 0, "", java.util.Map.of());

        public LaunchOptions {
            requeue = requeue == null ? "" : requeue;
            submitHost = submitHost == null ? "" : submitHost;
            arrayEnv = arrayEnv == null ? java.util.Map.of() : java.util.Map.copyOf(arrayEnv);
        }
    }

    public long id() { return row.id(); }
    public JobRow row() { return row; }
    public JobSpec spec() { return spec; }
    public Demand demand() { return demand; }
    public JobState state() { return JobState.valueOf(row.state()); }
    public List<Dependency> dependencies() { return dependencies; }
    public boolean dependencyAnyOf() { return dependencyAnyOf; }
    public LaunchOptions options() { return options; }
    public Reservation reservation() { return reservation; }
    public PendingReason reason() { return reason; }
    public long predictedStart() { return predictedStart; }
    public Allocation allocation() { return allocation; }
    public List<String> nodeNames() { return nodeNames; }
    public String user() { return row.user(); }
    public boolean held() { return !row.hold().isEmpty(); }

    public void row(JobRow r) { row = r; }
    public void respec(JobSpec s, Demand d) { spec = s; demand = d; }
    public void reservation(Reservation r) { reservation = r; }
    public void reason(PendingReason r) { reason = r; }
    public void predictedStart(long t) { predictedStart = t; }

    public void allocation(Allocation a, List<String> names) {
        allocation = a;
        nodeNames = List.copyOf(names);
    }

    /** The script's path or the --wrap text, as {@code scontrol show job} prints Command. */
    public String command() { return command; }

    public void command(String c) { command = c == null ? "" : c; }

    /** An allocation without a batch script ({@code salloc}, {@code srun} outside a job): nothing is launched for it. */
    public boolean interactive() { return interactive; }

    public void interactive(boolean b) { interactive = b; }

    /** The factors of its multifactor priority at the last pass (null under FCFS order or before one). */
    public io.bottega.core.policy.PriorityFactors factors() { return factors; }

    public void factors(io.bottega.core.policy.PriorityFactors f) { factors = f; }

    public void clearAllocation() {
        allocation = null;
        nodeNames = List.of();
    }
}
