package io.bottega.api.slurm;

import io.bottega.api.ArraySpec;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/** Slurm's job array specification ({@code --array=0-15:4,20%5}): parsing and printing. */
public final class JobArrays {
    /** Slurm's default MaxArraySize: task ids 0..1000. */
    public static final int DEFAULT_MAX_ARRAY_SIZE = 1001;

    private JobArrays() {}

    /**
     * Parses a comma-separated list of task ids ({@code 5}), ranges ({@code 1-100}) and stepped ranges
     * ({@code 0-15:4}), optionally followed by {@code %N}, the most tasks to run at once. Task ids must be
     * below {@code maxArraySize} (Slurm's MaxArraySize).
     *
     * @throws IllegalArgumentException with the bare reason
     */
    public static ArraySpec parse(String spec, int maxArraySize) {
        if (spec == null || spec.isBlank()) throw new IllegalArgumentException("empty array specification");
        if (maxArraySize < 1) throw new IllegalArgumentException("MaxArraySize must be positive");
        String s = spec.trim();
        int maxConcurrent = 0;
        int pct = s.indexOf('%');
        if (pct >= 0) {
            String limit = s.substring(pct + 1);
            if (!isNumber(limit) || Long.parseLong(limit) < 1 || Long.parseLong(limit) > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("the number of tasks to run at once ('%" + limit + "') must be a positive number");
            }
            maxConcurrent = Integer.parseInt(limit);
            s = s.substring(0, pct);
        }
        BitSet ids = new BitSet();
        for (String item : s.split(",", -1)) {
            String range = item;
            long step = 1;
            int colon = item.indexOf(':');
            if (colon >= 0) {
                String st = item.substring(colon + 1);
                if (!isNumber(st)) throw new IllegalArgumentException("invalid step '" + st + "' in '" + item + "'");
                step = Long.parseLong(st);
                if (step < 1) throw new IllegalArgumentException("step must be positive in '" + item + "'");
                range = item.substring(0, colon);
                if (range.indexOf('-') < 0) throw new IllegalArgumentException("a step needs a range, as in 0-15:4, not '" + item + "'");
            }
            int dash = range.indexOf('-');
            String a = dash < 0 ? range : range.substring(0, dash);
            String b = dash < 0 ? range : range.substring(dash + 1);
            if (!isNumber(a) || !isNumber(b)) {
                throw new IllegalArgumentException(item.isEmpty() ? "empty element in array specification"
                        : "invalid array element '" + item + "'");
            }
            long lo = Long.parseLong(a), hi = Long.parseLong(b);
            if (hi < lo) throw new IllegalArgumentException("range " + range + " is reversed");
            if (hi >= maxArraySize) {
                throw new IllegalArgumentException("task id " + hi + " exceeds the maximum " + (maxArraySize - 1)
                        + " (MaxArraySize=" + maxArraySize + ")");
            }
            for (long v = lo; v <= hi; v += step) ids.set((int) v);
        }
        List<Integer> list = new ArrayList<>(ids.cardinality());
        for (int id = ids.nextSetBit(0); id >= 0; id = ids.nextSetBit(id + 1)) list.add(id);
        return new ArraySpec(list, maxConcurrent);
    }

    /** The task ids as Slurm prints them ({@code 1-3,7,9-10%2}): ascending runs, then {@code %N} if limited. */
    public static String format(ArraySpec spec) {
        StringBuilder sb = new StringBuilder();
        List<Integer> ids = spec.taskIds();
        int i = 0;
        while (i < ids.size()) {
            int j = i;
            while (j + 1 < ids.size() && ids.get(j + 1) == ids.get(j) + 1) j++;
            if (!sb.isEmpty()) sb.append(',');
            sb.append(ids.get(i));
            if (j > i) sb.append('-').append(ids.get(j));
            i = j + 1;
        }
        if (spec.maxConcurrent() > 0) sb.append('%').append(spec.maxConcurrent());
        return sb.toString();
    }

    private static boolean isNumber(String s) {
        if (s.isEmpty() || s.length() > 10) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return false;
        }
        return true;
    }
}
