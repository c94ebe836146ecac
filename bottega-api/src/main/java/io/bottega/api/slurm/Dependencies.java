package io.bottega.api.slurm;

import io.bottega.api.Dependency;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Slurm's {@code --dependency} syntax: parsing and printing. */
public final class Dependencies {
    private Dependencies() {}

    /** Parsed conditions; with {@code anyOf} one suffices ({@code ?}), otherwise all must hold ({@code ,}). */
    public record Parsed(List<Dependency> dependencies, boolean anyOf) {
        public Parsed {
            dependencies = List.copyOf(dependencies);
        }
    }

    /**
     * Parses {@code type:id[:id...][,type:id...]}, or the same joined with {@code ?}: {@code afterok:1:2},
     * {@code afterany:7_3}, {@code afternotok:5}, {@code after:4+10} (10 minutes after job 4 started),
     * {@code singleton}. Types are case-insensitive.
     *
     * @throws IllegalArgumentException with the bare reason
     */
    public static Parsed parse(String spec) {
        if (spec == null || spec.isBlank()) throw new IllegalArgumentException("empty dependency");
        String s = spec.trim();
        boolean all = s.indexOf(',') >= 0, any = s.indexOf('?') >= 0;
        if (all && any) throw new IllegalArgumentException("',' (all of) and '?' (any of) cannot be mixed");
        List<Dependency> out = new ArrayList<>();
        for (String part : s.split(any ? "\\?" : ",", -1)) {
            if (part.isEmpty()) throw new IllegalArgumentException("empty dependency condition");
            String[] f = part.split(":", -1);
            String type = f[0].toLowerCase(Locale.ROOT);
            Dependency.Type t = switch (type) {
                case "after" -> Dependency.Type.AFTER;
                case "afterany" -> Dependency.Type.AFTERANY;
                case "afterok" -> Dependency.Type.AFTEROK;
                case "afternotok" -> Dependency.Type.AFTERNOTOK;
                case "singleton" -> Dependency.Type.SINGLETON;
                case "aftercorr", "afterburstbuffer", "expand" ->
                        throw new IllegalArgumentException("dependency type '" + type + "' is not supported yet");
                default -> throw new IllegalArgumentException("invalid dependency type '" + f[0]
                        + "', expected after, afterany, afterok, afternotok or singleton");
            };
            if (t == Dependency.Type.SINGLETON) {
                if (f.length > 1) throw new IllegalArgumentException("singleton takes no job id");
                out.add(new Dependency(t, "", 0));
                continue;
            }
            if (f.length < 2) throw new IllegalArgumentException(type + " needs at least one job id, as in " + type + ":123");
            for (int i = 1; i < f.length; i++) {
                String id = f[i];
                long delay = 0;
                int plus = id.indexOf('+');
                if (plus >= 0) {
                    String minutes = id.substring(plus + 1);
                    if (t != Dependency.Type.AFTER) {
                        throw new IllegalArgumentException("only 'after' takes a delay (+minutes), not '" + type + "'");
                    }
                    if (!digits(minutes, 9)) throw new IllegalArgumentException("invalid delay '+" + minutes + "', expected minutes");
                    delay = Long.parseLong(minutes) * 60;
                    id = id.substring(0, plus);
                }
                if (!validJobId(id)) throw new IllegalArgumentException("invalid job id '" + id + "'");
                out.add(new Dependency(t, id, delay));
            }
        }
        return new Parsed(out, any);
    }

    /** As Slurm writes it: {@code afterok:1:2,singleton}, consecutive conditions of one type sharing a keyword. */
    public static String format(List<Dependency> deps, boolean anyOf) {
        StringBuilder sb = new StringBuilder();
        Dependency.Type prev = null;
        for (Dependency d : deps) {
            if (d.type() == prev && d.type() != Dependency.Type.SINGLETON) {
                sb.append(':').append(d.jobId());
                if (d.delaySeconds() > 0) sb.append('+').append(d.delaySeconds() / 60);
            } else {
                if (!sb.isEmpty()) sb.append(anyOf ? '?' : ',');
                sb.append(d);
            }
            prev = d.type();
        }
        return sb.toString();
    }

    private static boolean validJobId(String id) {
        int us = id.indexOf('_');
        if (us < 0) return digits(id, 10) && Long.parseLong(id) > 0;
        return digits(id.substring(0, us), 10) && Long.parseLong(id.substring(0, us)) > 0 && digits(id.substring(us + 1), 10);
    }

    private static boolean digits(String s, int max) {
        if (s.isEmpty() || s.length() > max) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return false;
        }
        return true;
    }
}
