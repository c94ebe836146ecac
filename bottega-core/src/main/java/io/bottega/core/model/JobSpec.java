package io.bottega.core.model;

/**
 * The part of a job the scheduler needs: who, where, when, how long and what resources. The controller's
 * job record carries more (script, environment, output paths); the scheduler never sees those.
 *
 * @param timeLimit  seconds; the job is ended at start + timeLimit
 * @param beginTime  {@code --begin}: not before this instant (0: any time)
 * @param reservation an advance reservation the job must run in ("" for none)
 */
public record JobSpec(long id, String name, String user, String account, String partition, String qos,
                      long submitTime, long timeLimit, long beginTime, ResourceRequest resources, String reservation) {
    public JobSpec {
        if (id < 0) throw new IllegalArgumentException("job id must not be negative");
        if (timeLimit <= 0) throw new IllegalArgumentException("job " + id + ": time limit must be positive");
        if (resources == null) throw new IllegalArgumentException("job " + id + ": resources must be given");
        name = name == null ? "" : name;
        user = user == null ? "" : user;
        account = account == null ? "" : account;
        partition = partition == null ? "" : partition;
        qos = qos == null ? "" : qos;
        reservation = reservation == null ? "" : reservation;
    }

    public static JobSpec of(long id, long submitTime, long timeLimit, ResourceRequest resources) {
        return new JobSpec(id, "job" + id, "", "", "", "", submitTime, timeLimit, 0, resources, "");
    }

    public JobSpec withUser(String u, String a) {
        return new JobSpec(id, name, u, a, partition, qos, submitTime, timeLimit, beginTime, resources, reservation);
    }

    public JobSpec withPartition(String p) {
        return new JobSpec(id, name, user, account, p, qos, submitTime, timeLimit, beginTime, resources, reservation);
    }

    public JobSpec withQos(String q) {
        return new JobSpec(id, name, user, account, partition, q, submitTime, timeLimit, beginTime, resources, reservation);
    }

    public JobSpec withTimeLimit(long t) {
        return new JobSpec(id, name, user, account, partition, qos, submitTime, t, beginTime, resources, reservation);
    }

    public JobSpec withBeginTime(long t) {
        return new JobSpec(id, name, user, account, partition, qos, submitTime, timeLimit, t, resources, reservation);
    }
}
