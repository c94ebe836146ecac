package io.bottega.api.slurm;

/**
 * Slurm's filename patterns for {@code -o}, {@code -e} and {@code -i}: {@code %j}, {@code %x}, {@code %A_%a}, ...
 *
 * <p>Replacements: {@code %%} a percent sign; {@code %A} the array's master job id (the job id if not an array);
 * {@code %a} the array task id ({@code 4294967294}, Slurm's NO_VAL, if not an array, as Slurm prints it);
 * {@code %J} {@code jobid.stepid} (just the job id for the batch step); {@code %j} the job id; {@code %N} the
 * short name of the first node; {@code %n} the node id relative to the job; {@code %s} the step id
 * ({@code batch} for the batch step); {@code %t} the task id; {@code %u} the user; {@code %x} the job name. A
 * number between {@code %} and the letter zero-pads numeric values to that width ({@code %4a}, at most 10),
 * and is ignored for names. Unknown {@code %} sequences are kept as written. A pattern containing a
 * backslash is not expanded at all; its backslashes are removed.
 */
public final class FilenamePattern {
    /** The default {@code -o} pattern of a job. */
    public static final String DEFAULT = "slurm-%j.out";
    /** The default {@code -o} pattern of an array job. */
    public static final String DEFAULT_ARRAY = "slurm-%A_%a.out";

    /** What Slurm prints for an unset number ({@code %a} of a job that is not an array task). */
    public static final long NO_VAL = 4294967294L;
    private static final int MAX_WIDTH = 10;

    private FilenamePattern() {}

    /**
     * The values a pattern may name.
     *
     * @param arrayJobId  0 if not an array job
     * @param arrayTaskId -1 if not an array job
     * @param stepId      -1 for the batch step
     * @param firstNode   the first allocated node, "" while unknown ({@code %N} is then kept as written)
     */
    public record Values(long jobId, long arrayJobId, int arrayTaskId, long stepId, String firstNode, int nodeId,
                         int taskId, String user, String jobName) {
        public Values {
            firstNode = firstNode == null ? "" : firstNode;
            user = user == null ? "" : user;
            jobName = jobName == null ? "" : jobName;
        }

        /** The values of a batch script: step {@code batch}, node 0, task 0. */
        public static Values batch(long jobId, long arrayJobId, int arrayTaskId, String firstNode, String user,
                                   String jobName) {
            return new Values(jobId, arrayJobId, arrayTaskId, -1, firstNode, 0, 0, user, jobName);
        }
    }

    /** The default {@code -o} pattern for a job, or for an array job. */
    public static String defaultOutput(boolean array) {
        return array ? DEFAULT_ARRAY : DEFAULT;
    }

    /** Expands {@code pattern} with {@code v}. */
    public static String expand(String pattern, Values v) {
        if (pattern.indexOf('\\') >= 0) return pattern.replace("\\", "");
        StringBuilder sb = new StringBuilder(pattern.length() + 16);
        int i = 0;
        int n = pattern.length();
        while (i < n) {
            char c = pattern.charAt(i);
            if (c != '%' || i + 1 >= n) {
                sb.append(c);
                i++;
                continue;
            }
            int j = i + 1;
            while (j < n && pattern.charAt(j) >= '0' && pattern.charAt(j) <= '9') j++;
            if (j >= n) { // a trailing "%12": nothing to expand
                sb.append(pattern, i, n);
                break;
            }
            int width = 0;
            if (j > i + 1) {
                String w = pattern.substring(i + 1, j);
                width = w.length() > 2 ? MAX_WIDTH : Math.min(Integer.parseInt(w), MAX_WIDTH);
            }
            char f = pattern.charAt(j);
            switch (f) {
                case '%' -> sb.append('%');
                case 'A' -> pad(sb, v.arrayJobId() > 0 ? v.arrayJobId() : v.jobId(), width);
                case 'a' -> pad(sb, v.arrayTaskId() >= 0 ? v.arrayTaskId() : NO_VAL, width);
                case 'j' -> pad(sb, v.jobId(), width);
                case 'J' -> {
                    pad(sb, v.jobId(), width);
                    if (v.stepId() >= 0) sb.append('.').append(v.stepId());
                }
                case 'N' -> {
                    if (v.firstNode().isEmpty()) sb.append(pattern, i, j + 1);
                    else sb.append(shortName(v.firstNode()));
                }
                case 'n' -> pad(sb, v.nodeId(), width);
                case 's' -> {
                    if (v.stepId() >= 0) pad(sb, v.stepId(), width);
                    else sb.append("batch");
                }
                case 't' -> pad(sb, v.taskId(), width);
                case 'u' -> sb.append(v.user());
                case 'x' -> sb.append(v.jobName());
                default -> sb.append(pattern, i, j + 1);
            }
            i = j + 1;
        }
        return sb.toString();
    }

    /**
     * What is known at submission: {@code %j %x %A %a %u} expanded, node and task fields kept as written,
     * as {@code scontrol show job} prints StdOut before the job runs.
     */
    public static String expandAtSubmit(String pattern, long jobId, long arrayJobId, int arrayTaskId, String user,
                                        String jobName) {
        if (pattern.indexOf('\\') >= 0) return pattern.replace("\\", "");
        StringBuilder keep = new StringBuilder(pattern.length());
        // protect the run-time fields by doubling their '%' first, then expand
        int i = 0;
        while (i < pattern.length()) {
            char c = pattern.charAt(i);
            if (c == '%' && i + 1 < pattern.length()) {
                int j = i + 1;
                while (j < pattern.length() && Character.isDigit(pattern.charAt(j))) j++;
                char f = j < pattern.length() ? pattern.charAt(j) : 0;
                if (f == 'N' || f == 'n' || f == 's' || f == 't' || f == 'J') {
                    keep.append('%').append(pattern, i, j + 1);
                    i = j + 1;
                    continue;
                }
                if (f == '%') {
                    keep.append("%%");
                    i = j + 1;
                    continue;
                }
            }
            keep.append(c);
            i++;
        }
        return expand(keep.toString(), new Values(jobId, arrayJobId, arrayTaskId, -1, "", 0, 0, user, jobName));
    }

    private static String shortName(String host) {
        int dot = host.indexOf('.');
        return dot > 0 ? host.substring(0, dot) : host;
    }

    private static void pad(StringBuilder sb, long value, int width) {
        String s = Long.toString(value);
        for (int k = s.length(); k < width; k++) sb.append('0');
        sb.append(s);
    }
}
