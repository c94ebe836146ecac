package io.bottega.server.loop;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The active jobs (pending or running) of each user, by the QOS each job asked for as written ("" for the
 * default): what a QOS's MaxSubmitJobsPerUser counts, without a scan of the whole queue at each submission
 * (at 25,000 queued jobs that scan cost 2 ms of the loop thread's time per submission). Adding a job twice or
 * removing one that is not there changes nothing. Used by the loop thread only.
 */
final class ActiveJobsByUser {
    private final Map<String, Map<String, Set<Long>>> jobs = new HashMap<>();

    void add(String user, String qos, long jobId) {
        jobs.computeIfAbsent(user, u -> new HashMap<>()).computeIfAbsent(qos, q -> new HashSet<>()).add(jobId);
    }

    void remove(String user, String qos, long jobId) {
        Map<String, Set<Long>> byQos = jobs.get(user);
        if (byQos == null) return;
        Set<Long> ids = byQos.get(qos);
        if (ids == null || !ids.remove(jobId)) return;
        if (ids.isEmpty()) byQos.remove(qos);
        if (byQos.isEmpty()) jobs.remove(user);
    }

    /** The user's active jobs whose QOS, as written, {@code sameQos} accepts (several spellings may name one QOS). */
    long count(String user, Predicate<String> sameQos) {
        Map<String, Set<Long>> byQos = jobs.get(user);
        if (byQos == null) return 0;
        long n = 0;
        for (Map.Entry<String, Set<Long>> e : byQos.entrySet()) {
            if (sameQos.test(e.getKey())) n += e.getValue().size();
        }
        return n;
    }
}
