package io.bottega.server.store;

import java.util.List;

/**
 * A filter over all jobs, finished ones too (what {@code sacct} asks). Empty lists and 0 mean "any".
 *
 * @param ids        job ids, or array master ids (a master id selects all its elements)
 * @param endedAfter jobs that were not finished before this instant ({@code sacct -S})
 * @param startedBefore jobs that had been submitted before this instant ({@code sacct -E})
 */
public record JobQuery(List<Long> ids, List<String> users, List<String> accounts, List<String> states,
                       List<String> partitions, long endedAfter, long startedBefore, int limit) {
    public JobQuery {
        ids = List.copyOf(ids);
        users = List.copyOf(users);
        accounts = List.copyOf(accounts);
        states = List.copyOf(states);
        partitions = List.copyOf(partitions);
    }

    public static JobQuery all() { return new JobQuery(List.of(), List.of(), List.of(), List.of(), List.of(), 0, 0, 0); }
}
