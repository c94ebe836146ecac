package io.bottega.core.policy;

/** One job's priority and the factors it is made of, as {@code sprio} shows them. */
public record PriorityFactors(long jobId, String user, String account, long priority, double age, double fairShare, double jobSize,
                              double qos, double partition, long ageWeighted, long fairShareWeighted, long jobSizeWeighted,
                              long qosWeighted, long partitionWeighted) {}
