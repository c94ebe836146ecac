package io.bottega.sim.trace;

/**
 * One data line of a Standard Workload Format file, all 18 fields as written ({@code -1}: unknown). Times are
 * seconds; memory is KB per processor.
 */
public record SwfRecord(long jobNumber, long submitTime, long waitTime, long runTime, long allocatedProcessors,
                        double averageCpuTime, double usedMemory, long requestedProcessors, long requestedTime,
                        double requestedMemory, int status, int userId, int groupId, int executable, int queue,
                        int partition, long precedingJob, long thinkTime) {
    public static final int FIELDS = 18;

    /** The names of the 18 fields, 1-based as the SWF definition numbers them ({@code NAMES[4]} is "run time"). */
    static final String[] NAMES = {"", "job number", "submit time", "wait time", "run time", "allocated processors",
            "average CPU time", "used memory", "requested processors", "requested time", "requested memory", "status",
            "user id", "group id", "executable", "queue", "partition", "preceding job", "think time"};

    /** Processors of the job as the replay counts them: allocated (field 5) when positive, else requested (field 8). */
    public long processors() { return allocatedProcessors > 0 ? allocatedProcessors : requestedProcessors; }

    /** The estimate the scheduler sees: requested time (field 9) when positive, else the run time. */
    public long estimate() { return requestedTime > 0 ? requestedTime : runTime; }

    /**
     * Parses one data line. Throws {@link IllegalArgumentException} with the field at fault:
     * {@code field 4 (run time) is 'abc', not a number}, or {@code expected 18 fields, found 17}.
     */
    public static SwfRecord parse(String line) {
        double[] f = new double[FIELDS + 1];
        int n = 0, i = 0, len = line.length();
        while (true) {
            while (i < len && isSpace(line.charAt(i))) i++;
            if (i >= len) break;
            int start = i;
            while (i < len && !isSpace(line.charAt(i))) i++;
            n++;
            if (n > FIELDS) continue;
            f[n] = number(line, start, i, n);
        }
        if (n != FIELDS) {
            throw new IllegalArgumentException("expected " + FIELDS + " fields, found " + n + (n < FIELDS ? " (truncated line?)" : ""));
        }
        return new SwfRecord(whole(f[1]), whole(f[2]), whole(f[3]), whole(f[4]), whole(f[5]), f[6], f[7], whole(f[8]),
                whole(f[9]), f[10], small(f[11], 11), small(f[12], 12), small(f[13], 13), small(f[14], 14),
                small(f[15], 15), small(f[16], 16), whole(f[17]), whole(f[18]));
    }

    /** The line as SWF writes it: 18 fields separated by spaces. */
    public String format() {
        StringBuilder b = new StringBuilder(96);
        b.append(jobNumber).append(' ').append(submitTime).append(' ').append(waitTime).append(' ').append(runTime)
                .append(' ').append(allocatedProcessors).append(' ');
        dec(b, averageCpuTime).append(' ');
        dec(b, usedMemory).append(' ');
        b.append(requestedProcessors).append(' ').append(requestedTime).append(' ');
        dec(b, requestedMemory).append(' ');
        b.append(status).append(' ').append(userId).append(' ').append(groupId).append(' ').append(executable)
                .append(' ').append(queue).append(' ').append(partition).append(' ').append(precedingJob).append(' ')
                .append(thinkTime);
        return b.toString();
    }

    private static StringBuilder dec(StringBuilder b, double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return b.append((long) v);
        return b.append(v);
    }

    private static boolean isSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f'; }

    private static long whole(double v) { return Math.round(v); }

    private static int small(double v, int field) {
        if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
            throw new IllegalArgumentException("field " + field + " (" + NAMES[field] + ") is " + (long) v + ", out of range");
        }
        return (int) Math.round(v);
    }

    /** A decimal number: optional sign, digits, optional fraction. Integers take the fast path. */
    private static double number(String s, int from, int to, int field) {
        int i = from;
        boolean neg = false;
        if (s.charAt(i) == '-' || s.charAt(i) == '+') {
            neg = s.charAt(i) == '-';
            i++;
        }
        long v = 0;
        int digits = 0;
        while (i < to) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') break;
            if (digits++ > 14) throw notNumber(s, from, to, field);
            v = v * 10 + (c - '0');
            i++;
        }
        if (i == to) {
            if (digits == 0) throw notNumber(s, from, to, field);
            return neg ? -v : v;
        }
        if (s.charAt(i) != '.') throw notNumber(s, from, to, field);
        try {
            double d = Double.parseDouble(s.substring(from, to));
            if (Double.isNaN(d) || Double.isInfinite(d)) throw notNumber(s, from, to, field);
            return d;
        } catch (NumberFormatException e) {
            throw notNumber(s, from, to, field);
        }
    }

    private static IllegalArgumentException notNumber(String s, int from, int to, int field) {
        String tok = s.substring(from, to);
        if (tok.length() > 40) tok = tok.substring(0, 40) + "...";
        return new IllegalArgumentException("field " + field + " (" + NAMES[field] + ") is '" + tok + "', not a number");
    }
}
