package io.bottega.cli.slurm;

import io.bottega.api.JobView;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Job ids as the clients take them: {@code 123}, an array task {@code 123_4}, several tasks {@code 123_[1-3,7]}
 * or all of them {@code 123_*}. The controller takes the same forms.
 */
final class JobIds {
    private JobIds() {}

    /** A parsed id: the job (or array) id, and the task ids (null: the whole job or array). */
    record Id(String text, long job, BitSet tasks) {
        boolean matches(JobView j) {
            if (tasks == null) return j.id() == job || (j.arrayJobId() == job && j.arrayJobId() != 0);
            return j.arrayJobId() == job && j.arrayTaskId() >= 0 && tasks.get(j.arrayTaskId());
        }
    }

    private static final int MAX_TASK = 10_000_000;

    static boolean isDigits(String s) {
        if (s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return false;
        }
        return true;
    }

    /** Splits a comma-separated list, keeping commas inside brackets ({@code 1,2_[3,4]}). */
    static List<String> split(String list) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < list.length(); i++) {
            char c = list.charAt(i);
            if (c == '[') depth++;
            else if (c == ']') depth = Math.max(0, depth - 1);
            else if (c == ',' && depth == 0) {
                if (i > start) out.add(list.substring(start, i).trim());
                start = i + 1;
            }
        }
        if (start < list.length() && !list.substring(start).isBlank()) out.add(list.substring(start).trim());
        return out;
    }

    /**
     * Parses one id.
     *
     * @throws IllegalArgumentException {@code Invalid job id 12x}, or why a form is not supported
     */
    static Id parse(String token) {
        String t = token.trim();
        if (t.indexOf('.') > 0 && isDigits(t.substring(0, t.indexOf('.')))) {
            throw new IllegalArgumentException("job steps (" + t + ") are not supported by Bottega: a batch job has no steps");
        }
        if (t.indexOf('+') > 0) throw new IllegalArgumentException("heterogeneous jobs (" + t + ") are not supported by Bottega");
        int us = t.indexOf('_');
        String job = us < 0 ? t : t.substring(0, us);
        if (!isDigits(job) || job.length() > 18) throw new IllegalArgumentException("Invalid job id " + token);
        long id = Long.parseLong(job);
        if (id <= 0) throw new IllegalArgumentException("Invalid job id " + token);
        if (us < 0) return new Id(t, id, null);
        String spec = t.substring(us + 1);
        if (spec.equals("*")) return new Id(t, id, null);
        if (spec.startsWith("[") && spec.endsWith("]")) spec = spec.substring(1, spec.length() - 1);
        BitSet tasks = new BitSet();
        for (String part : spec.split(",", -1)) {
            if (!ranges(part, tasks)) throw new IllegalArgumentException("Invalid job id " + token);
        }
        return new Id(t, id, tasks);
    }

    /** {@code 5}, {@code 1-3} or {@code 0-15:4} into {@code tasks}; false if malformed. */
    private static boolean ranges(String part, BitSet tasks) {
        String p = part.trim();
        int step = 1;
        int colon = p.indexOf(':');
        if (colon >= 0) {
            String s = p.substring(colon + 1);
            if (!isDigits(s) || s.length() > 7) return false;
            step = Integer.parseInt(s);
            if (step < 1) return false;
            p = p.substring(0, colon);
        }
        int dash = p.indexOf('-');
        String a = dash < 0 ? p : p.substring(0, dash);
        String b = dash < 0 ? p : p.substring(dash + 1);
        if (!isDigits(a) || !isDigits(b) || a.length() > 8 || b.length() > 8) return false;
        int lo = Integer.parseInt(a);
        int hi = Integer.parseInt(b);
        if (hi < lo || hi > MAX_TASK) return false;
        for (int v = lo; v <= hi; v += step) tasks.set(v);
        return true;
    }

    /** Parses operands or option values, each a comma-separated list. */
    static List<Id> parseAll(List<String> tokens) {
        List<Id> out = new ArrayList<>();
        for (String tok : tokens) for (String t : split(tok)) out.add(parse(t));
        return out;
    }

    /**
     * The ids as the controller takes them, with no comma inside one: {@code 123}, {@code 123_*}, and a task set as
     * one {@code 123_[a-b]} (or {@code 123_a}) per run of consecutive tasks.
     */
    static List<String> forController(List<Id> ids) {
        List<String> out = new ArrayList<>();
        for (Id id : ids) {
            if (id.tasks() == null) {
                out.add(id.text());
                continue;
            }
            BitSet t = id.tasks();
            for (int lo = t.nextSetBit(0); lo >= 0; ) {
                int hi = t.nextClearBit(lo) - 1;
                out.add(lo == hi ? id.job() + "_" + lo : id.job() + "_[" + lo + "-" + hi + "]");
                lo = t.nextSetBit(hi + 1);
            }
        }
        return out;
    }

    static boolean anyMatch(List<Id> ids, JobView j) {
        for (Id id : ids) if (id.matches(j)) return true;
        return false;
    }
}
