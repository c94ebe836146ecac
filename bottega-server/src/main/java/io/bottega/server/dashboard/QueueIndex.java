package io.bottega.server.dashboard;

import com.fasterxml.jackson.core.JsonGenerator;
import io.bottega.server.loop.ControllerLoop.JobBrief;
import io.bottega.server.store.JobRow;

import java.io.IOException;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;

/**
 * The queue's rows for one page: filtered and sorted from a {@link Snapshot}. A sort order is computed once
 * per snapshot (100,000 jobs: tens of milliseconds) and reused by every page and browser until the next one.
 */
final class QueueIndex {
    static final List<String> COLUMNS = List.of("id", "arrayJobId", "arrayTaskId", "name", "user", "account", "partition", "state",
            "reason", "submitTime", "predictedStart", "startTime", "timeLimit", "nodes", "cpus", "gpus", "nodeList", "priority");

    /**
     * A page request.
     *
     * @param state "" for all, else PENDING or RUNNING
     * @param text  lower-case text to find in the id, name, user, account or node list ("" for any)
     * @param only  only this user's jobs ("" for everyone's)
     * @param sort  id, priority, predicted, submit, start, user, gpus, nodes or name
     */
    record Query(String state, String user, String account, String partition, String text, String only, String sort, boolean desc) {}

    private Snapshot cachedFor;
    private final Map<String, int[]> orders = new ConcurrentHashMap<>();

    int[] select(Snapshot s, Query q) {
        int[] order = order(s, q.sort(), q.desc());
        List<JobBrief> jobs = s.jobs();
        boolean any = q.state().isEmpty() && q.user().isEmpty() && q.account().isEmpty() && q.partition().isEmpty() && q.text().isEmpty()
                && q.only().isEmpty();
        if (any) return order;
        return IntStream.of(order).filter(i -> matches(jobs.get(i).row(), q)).toArray();
    }

    private static boolean matches(JobRow r, Query q) {
        if (!q.state().isEmpty() && !q.state().equals("ALL") && !r.state().equals(q.state())) return false;
        if (!q.only().isEmpty() && !r.user().equals(q.only())) return false;
        if (!q.user().isEmpty() && !r.user().equals(q.user())) return false;
        if (!q.account().isEmpty() && !r.account().equals(q.account())) return false;
        if (!q.partition().isEmpty() && !r.partition().equals(q.partition())) return false;
        if (q.text().isEmpty()) return true;
        String t = q.text();
        return Long.toString(r.id()).startsWith(t) || contains(r.name(), t) || contains(r.user(), t) || contains(r.account(), t)
                || contains(r.nodeList(), t);
    }

    private static boolean contains(String s, String lowerText) {
        return s.toLowerCase(Locale.ROOT).contains(lowerText);
    }

    private synchronized int[] order(Snapshot s, String sort, boolean desc) {
        if (cachedFor != s) {
            orders.clear();
            cachedFor = s;
        }
        return orders.computeIfAbsent(sort + (desc ? "-" : "+"), k -> {
            List<JobBrief> jobs = s.jobs();
            Comparator<JobBrief> c = switch (sort) {
                case "priority" -> Comparator.comparingLong((JobBrief j) -> -j.row().priority());
                case "predicted" -> Comparator.comparingLong((JobBrief j) -> j.predictedStart() > 0 ? j.predictedStart()
                        : j.row().startTime() > 0 ? j.row().startTime() : Long.MAX_VALUE);
                case "submit" -> Comparator.comparingLong((JobBrief j) -> j.row().submitTime());
                case "start" -> Comparator.comparingLong((JobBrief j) -> j.row().startTime());
                case "user" -> Comparator.comparing((JobBrief j) -> j.row().user());
                case "name" -> Comparator.comparing((JobBrief j) -> j.row().name());
                case "gpus" -> Comparator.comparingInt(JobBrief::gpus);
                case "nodes" -> Comparator.comparingInt(JobBrief::nodes);
                case "id" -> Comparator.comparingLong((JobBrief j) -> j.row().id());
                default -> throw io.bottega.server.jobs.SubmitException.invalid("sort", "cannot sort by '" + sort
                        + "' (id, priority, predicted, submit, start, user, name, gpus, nodes)");
            };
            Comparator<JobBrief> full = c.thenComparingLong(j -> j.row().id());
            if (desc) full = full.reversed();
            Comparator<JobBrief> fc = full;
            return IntStream.range(0, jobs.size()).boxed().sorted((a, b) -> fc.compare(jobs.get(a), jobs.get(b)))
                    .mapToInt(Integer::intValue).toArray();
        });
    }

    static void writeRow(JsonGenerator gen, JobBrief j) throws IOException {
        JobRow r = j.row();
        gen.writeStartArray();
        gen.writeNumber(r.id());
        gen.writeNumber(r.arrayJobId());
        gen.writeNumber(r.arrayTaskId());
        gen.writeString(r.name());
        gen.writeString(r.user());
        gen.writeString(r.account());
        gen.writeString(r.partition());
        gen.writeString(r.state());
        gen.writeString(j.reason());
        gen.writeNumber(r.submitTime());
        gen.writeNumber(j.predictedStart());
        gen.writeNumber(r.startTime());
        gen.writeNumber(r.timeLimit());
        gen.writeNumber(j.nodes());
        gen.writeNumber(j.cpus());
        gen.writeNumber(j.gpus());
        gen.writeString(r.nodeList());
        gen.writeNumber(r.priority());
        gen.writeEndArray();
    }
}
