package io.bottega.server.loop;

import io.bottega.server.store.JobRow;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which jobs a query or a bulk action means; empty lists mean "any". Job ids may name a job ({@code 123}),
 * an array element ({@code 123_4}) or a whole array by its master id ({@code 123} matches every element).
 */
public record JobFilter(List<String> ids, List<String> users, List<String> states, List<String> partitions,
                        List<String> names, List<String> accounts) {
    public JobFilter {
        ids = List.copyOf(ids);
        users = List.copyOf(users);
        states = states.stream().map(s -> s.toUpperCase(Locale.ROOT)).toList();
        partitions = List.copyOf(partitions);
        names = List.copyOf(names);
        accounts = List.copyOf(accounts);
    }

    public static final JobFilter ALL = new JobFilter(List.of(), List.of(), List.of(), List.of(), List.of(), List.of());

    public static JobFilter ids(List<String> ids) {
        return new JobFilter(ids, List.of(), List.of(), List.of(), List.of(), List.of());
    }

    public boolean isEmpty() {
        return ids.isEmpty() && users.isEmpty() && states.isEmpty() && partitions.isEmpty() && names.isEmpty() && accounts.isEmpty();
    }

    public boolean matches(JobRow r) {
        if (!ids.isEmpty() && !matchesId(r)) return false;
        if (!users.isEmpty() && !users.contains(r.user())) return false;
        if (!states.isEmpty() && !states.contains(r.state()) && !states.contains(shortState(r.state()))) return false;
        if (!partitions.isEmpty() && !partitions.contains(r.partition())) return false;
        if (!names.isEmpty() && !names.contains(r.name())) return false;
        return accounts.isEmpty() || accounts.contains(r.account());
    }

    private boolean matchesId(JobRow r) {
        for (String id : ids) {
            int us = id.indexOf('_');
            if (us < 0) {
                long v = parse(id);
                if (r.id() == v || (r.arrayJobId() == v && r.arrayJobId() != 0)) return true;
            } else {
                long master = parse(id.substring(0, us));
                String task = id.substring(us + 1);
                if (r.arrayJobId() != master) continue;
                if (task.equals("*") || tasks(task).contains(r.arrayTaskId())) return true;
            }
        }
        return false;
    }

    private static long parse(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Invalid job id specified: " + s);
        }
    }

    /** {@code 4}, {@code [1-3,7]} or {@code 1-3}. */
    private static Set<Integer> tasks(String spec) {
        String s = spec.startsWith("[") && spec.endsWith("]") ? spec.substring(1, spec.length() - 1) : spec;
        java.util.Set<Integer> out = new java.util.HashSet<>();
        for (String part : s.split(",")) {
            int dash = part.indexOf('-');
            try {
                if (dash < 0) {
                    out.add(Integer.parseInt(part.trim()));
                } else {
                    int a = Integer.parseInt(part.substring(0, dash).trim());
                    int b = Integer.parseInt(part.substring(dash + 1).trim());
                    if (b - a > 1_000_000) throw new IllegalArgumentException("array range too large: " + part);
                    for (int i = a; i <= b; i++) out.add(i);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Invalid job id specified: _" + spec);
            }
        }
        return out;
    }

    private static String shortState(String longName) {
        try {
            return io.bottega.core.model.JobState.valueOf(longName).shortName();
        } catch (IllegalArgumentException e) {
            return longName;
        }
    }
}
