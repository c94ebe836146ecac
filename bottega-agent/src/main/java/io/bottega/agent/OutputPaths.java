package io.bottega.agent;

import io.bottega.api.agent.LaunchRequest;
import io.bottega.api.slurm.FilenamePattern;

/** Slurm's output filename patterns for a batch script on this node ({@link FilenamePattern}). */
final class OutputPaths {
    private OutputPaths() {}

    static String defaultOutput(LaunchRequest r) {
        return FilenamePattern.defaultOutput(r.arrayTask());
    }

    /** Expands {@code pattern}; {@code %N} is this node, which runs the batch script (the job's first). */
    static String expand(String pattern, LaunchRequest r, String nodeName) {
        return FilenamePattern.expand(pattern, new FilenamePattern.Values(r.jobId(), r.arrayTask() ? r.arrayJobId() : 0,
                r.arrayTask() ? r.arrayTaskId() : -1, -1, nodeName, r.nodeIndex(), 0, r.user(), r.jobName()));
    }
}
