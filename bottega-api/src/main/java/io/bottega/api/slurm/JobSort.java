package io.bottega.api.slurm;

import io.bottega.api.JobView;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * squeue's {@code -S/--sort}: a comma-separated list of field letters, each optionally preceded by {@code +}
 * (ascending, the default) or {@code -} (descending); the first key sorts first. Letters: {@code C} CPUs,
 * {@code D} nodes, {@code e} end time, {@code i} job id, {@code j} name, {@code l} time limit, {@code L} time
 * left, {@code m} memory, {@code M} time used, {@code N} node list, {@code p} and {@code Q} priority,
 * {@code P} partition, {@code S} start time, {@code t} compact state, {@code T} state, {@code u} user,
 * {@code v} reservation, {@code V} submit time. squeue's default is {@code P,t,-p}; with {@code --start},
 * {@code S}.
 */
public final class JobSort implements Comparator<JobView> {
    /** squeue's default sort. */
    public static final String DEFAULT = "P,t,-p";
    /** squeue's sort with {@code --start}. */
    public static final String START = "S";
    private static final String LETTERS = "CDeijlLmMNpPQStTuvV";

    private final char[] keys;
    private final boolean[] reverse;
    private final long now;

    private JobSort(char[] keys, boolean[] reverse, long now) {
        this.keys = keys;
        this.reverse = reverse;
        this.now = now;
    }

    /**
     * Parses a sort list.
     *
     * @param now epoch seconds, for the start-time key (a pending job's unknown start sorts as now + 100 s, as in squeue)
     * @throws IllegalArgumentException {@code Invalid sort specification: x}
     */
    public static JobSort parse(String spec, long now) {
        List<Character> k = new ArrayList<>();
        List<Boolean> r = new ArrayList<>();
        boolean rev = false;
        for (int i = 0; i < spec.length(); i++) {
            char c = spec.charAt(i);
            if (c == ',' || c == ' ') {
                rev = false;
            } else if (c == '+') {
                rev = false;
            } else if (c == '-') {
                rev = true;
            } else if (LETTERS.indexOf(c) >= 0) {
                k.add(c);
                r.add(rev);
                rev = false;
            } else {
                throw new IllegalArgumentException("Invalid sort specification: " + c);
            }
        }
        char[] keys = new char[k.size()];
        boolean[] reverse = new boolean[k.size()];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = k.get(i);
            reverse[i] = r.get(i);
        }
        return new JobSort(keys, reverse, now);
    }

    @Override
    public int compare(JobView a, JobView b) {
        for (int i = 0; i < keys.length; i++) {
            int c = compareBy(keys[i], a, b);
            if (c != 0) return reverse[i] ? -c : c;
        }
        return 0;
    }

    private int compareBy(char key, JobView a, JobView b) {
        return switch (key) {
            case 'C' -> Integer.compare(a.cpus(), b.cpus());
            case 'D' -> Integer.compare(nodes(a), nodes(b));
            case 'e' -> Long.compare(a.endTime(), b.endTime());
            case 'i' -> compareIds(a, b);
            case 'j' -> a.name().compareTo(b.name());
            case 'l' -> Long.compare(a.timeLimit(), b.timeLimit());
            case 'L' -> Long.compare(a.timeLimit() - a.elapsed(), b.timeLimit() - b.elapsed());
            case 'm' -> Long.compare(a.memMb(), b.memMb());
            case 'M' -> Long.compare(a.elapsed(), b.elapsed());
            case 'N' -> a.nodeList().compareTo(b.nodeList());
            case 'p', 'Q' -> Long.compare(a.priority(), b.priority());
            case 'P' -> a.partition().compareTo(b.partition());
            case 'S' -> Long.compare(start(a), start(b));
            case 't' -> SqueueRows.compact(a.state()).compareTo(SqueueRows.compact(b.state()));
            case 'T' -> a.state().compareTo(b.state());
            case 'u' -> a.user().compareTo(b.user());
            case 'v' -> a.reservation().compareTo(b.reservation());
            case 'V' -> Long.compare(a.submitTime(), b.submitTime());
            default -> 0;
        };
    }

    private static int nodes(JobView j) {
        return j.nodeCount() > 0 ? j.nodeCount() : j.nodesRequested();
    }

    /** By job id, an array's tasks by task id after their array id; a row for several tasks sorts after its tasks. */
    private static int compareIds(JobView a, JobView b) {
        long ia = a.arrayJobId() > 0 ? a.arrayJobId() : a.id();
        long ib = b.arrayJobId() > 0 ? b.arrayJobId() : b.id();
        if (ia != ib) return Long.compare(ia, ib);
        return Integer.compare(task(a), task(b));
    }

    private static int task(JobView j) {
        return j.arrayJobId() > 0 && j.arrayTaskId() >= 0 ? j.arrayTaskId() : Integer.MAX_VALUE;
    }

    /** squeue's start time of a job for sorting. */
    private long start(JobView j) {
        long s = j.startTime() > 0 ? j.startTime() : "PENDING".equals(j.state()) ? j.predictedStart() : 0;
        if (s == 0) return now + 100;
        if ("PENDING".equals(j.state()) && s < now) return now;
        return s;
    }
}
