package io.bottega.api.slurm;

import io.bottega.api.ArraySpec;
import io.bottega.api.JobView;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * What squeue does with the jobs the controller's filter gave (ids, users, states, partitions, names, accounts):
 * the filters the controller's job query does not apply, one row for an array's pending tasks, the sort. The
 * same code runs in the client (over {@code GET /api/v1/jobs}) and in the controller ({@code GET /api/v1/squeue},
 * which answers the printed rows), so both print the same.
 */
public final class SqueueRows {
    private SqueueRows() {}

    /**
     * squeue's selection.
     *
     * @param states      long state names asked for ({@code -t}); empty: the active states, unless {@code allStates}
     * @param allStates   {@code -t all}
     * @param qos         {@code -q} (empty: any)
     * @param reservations {@code -R} (empty: any)
     * @param notMe       {@code --notme}: the caller's name, whose jobs are left out; null: none left out
     * @param nodes       {@code -w}: node names, one of which a job must run on; null: any
     * @param array       {@code -r}: one row per array task
     * @param sort        {@code -S} ({@link JobSort})
     */
    public record Options(List<String> states, boolean allStates, List<String> qos, List<String> reservations, String notMe,
                          Set<String> nodes, boolean array, String sort) {}

    /**
     * The rows squeue prints, in order: filtered, arrays' pending tasks collapsed (unless {@code array}), sorted.
     *
     * @param expand a hostlist to node names (for {@code nodes})
     * @param now    epoch seconds, for sorting by start time
     */
    public static List<JobView> select(List<JobView> jobs, Options o, Function<String, Collection<String>> expand, long now) {
        List<JobView> out = filter(jobs, o, expand);
        if (!o.array()) out = collapseArrays(out);
        out.sort(JobSort.parse(o.sort(), now));
        return out;
    }

    /**
     * What the controller's job query does not filter: QOS, reservation, nodes, --notme, and the default states;
     * and the states again (cheap, and what is shown never depends on how strictly a controller filtered).
     */
    public static List<JobView> filter(List<JobView> jobs, Options o, Function<String, Collection<String>> expand) {
        boolean defaultStates = o.states().isEmpty() && !o.allStates();
        List<JobView> out = new ArrayList<>(jobs.size());
        for (JobView j : jobs) {
            if (defaultStates ? !active(j.state()) : !o.states().isEmpty() && !o.states().contains(j.state())) continue;
            if (!o.qos().isEmpty() && !o.qos().contains(j.qos())) continue;
            if (!o.reservations().isEmpty() && !o.reservations().contains(j.reservation())) continue;
            if (o.notMe() != null && j.user().equals(o.notMe())) continue;
            if (o.nodes() != null && !onNodes(j, o.nodes(), expand)) continue;
            out.add(j);
        }
        return out;
    }

    private static boolean onNodes(JobView j, Set<String> nodes, Function<String, Collection<String>> expand) {
        if (j.nodeList().isEmpty()) return false;
        for (String n : expand.apply(j.nodeList())) if (nodes.contains(n)) return true;
        return false;
    }

    /**
     * The pending tasks of an array as one row, as squeue shows an array's tasks that have not started:
     * {@code 120_[4-9]}; it stands where the first of them stood. Running and finished tasks keep their rows.
     */
    public static List<JobView> collapseArrays(List<JobView> jobs) {
        Map<Long, Integer> rowOf = null;
        Map<Long, List<Integer>> tasksOf = null;
        List<JobView> out = new ArrayList<>(jobs.size());
        for (JobView j : jobs) {
            if (j.arrayJobId() <= 0 || j.arrayTaskId() < 0 || !"PENDING".equals(j.state())) {
                out.add(j);
                continue;
            }
            if (rowOf == null) {
                rowOf = new HashMap<>();
                tasksOf = new HashMap<>();
            }
            Integer at = rowOf.get(j.arrayJobId());
            if (at == null) {
                rowOf.put(j.arrayJobId(), out.size());
                List<Integer> t = new ArrayList<>();
                t.add(j.arrayTaskId());
                tasksOf.put(j.arrayJobId(), t);
                out.add(j);
            } else {
                tasksOf.get(j.arrayJobId()).add(j.arrayTaskId());
            }
        }
        if (rowOf == null) return out;
        for (Map.Entry<Long, Integer> e : rowOf.entrySet()) {
            List<Integer> tasks = tasksOf.get(e.getKey());
            if (tasks.size() < 2) continue;
            tasks.sort(null);
            JobView j = out.get(e.getValue());
            String set = JobArrays.format(new ArraySpec(tasks, 0));
            out.set(e.getValue(), new JobView(j.arrayJobId(), j.arrayJobId(), -1, set, j.name(), j.user(), j.account(),
                    j.partition(), j.qos(), j.state(), j.reason(), j.submitTime(), j.eligibleTime(), j.startTime(), j.endTime(),
                    j.predictedStart(), j.timeLimit(), j.nodesRequested(), j.nodeCount(), j.cpus(), j.gpus(), j.memMb(),
                    j.nodeList(), j.schedNodes(), j.workDir(), j.command(), j.stdoutPath(), j.stderrPath(), j.tresPerNode(),
                    j.priority(), j.exitCode(), j.exitSignal(), j.dependency(), j.comment(), j.reservation(), j.elapsed(), j.energyJoules()));
        }
        return out;
    }

    /** A job in this state is still in the queue (squeue shows it without {@code -t}). */
    public static boolean active(String longName) {
        return switch (longName) {
            case "PENDING", "RUNNING", "SUSPENDED", "COMPLETING", "CONFIGURING", "RESIZING", "SIGNALING", "STAGE_OUT",
                 "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESV_DEL_HOLD", "STOPPED" -> true;
            default -> false;
        };
    }

    private static final String[] STATES = {"PENDING", "RUNNING", "SUSPENDED", "COMPLETED", "CANCELLED", "FAILED", "TIMEOUT",
            "NODE_FAIL", "PREEMPTED", "BOOT_FAIL", "DEADLINE", "OUT_OF_MEMORY", "COMPLETING", "CONFIGURING", "RESIZING",
            "RESV_DEL_HOLD", "REQUEUED", "REQUEUE_FED", "REQUEUE_HOLD", "REVOKED", "SIGNALING", "SPECIAL_EXIT", "STAGE_OUT", "STOPPED"};

    /** The long name of a state given long or compact, in any case ({@code pd}: {@code PENDING}); else as given, upper case. */
    public static String longName(String given) {
        String s = given.trim().toUpperCase(java.util.Locale.ROOT);
        for (String st : STATES) if (st.equals(s) || compact(st).equals(s)) return st;
        return s;
    }

    /** The compact code of a long state name ({@code PD}); the name itself if unknown. A switch: sorts call it a lot. */
    public static String compact(String longName) {
        return switch (longName) {
            case "PENDING" -> "PD";
            case "RUNNING" -> "R";
            case "SUSPENDED" -> "S";
            case "COMPLETED" -> "CD";
            case "CANCELLED" -> "CA";
            case "FAILED" -> "F";
            case "TIMEOUT" -> "TO";
            case "NODE_FAIL" -> "NF";
            case "PREEMPTED" -> "PR";
            case "BOOT_FAIL" -> "BF";
            case "DEADLINE" -> "DL";
            case "OUT_OF_MEMORY" -> "OOM";
            case "COMPLETING" -> "CG";
            case "CONFIGURING" -> "CF";
            case "RESIZING" -> "RS";
            case "RESV_DEL_HOLD" -> "RD";
            case "REQUEUED" -> "RQ";
            case "REQUEUE_FED" -> "RF";
            case "REQUEUE_HOLD" -> "RH";
            case "REVOKED" -> "RV";
            case "SIGNALING" -> "SI";
            case "SPECIAL_EXIT" -> "SE";
            case "STAGE_OUT" -> "SO";
            case "STOPPED" -> "ST";
            default -> longName;
        };
    }
}
