package io.bottega.api.slurm;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Slurm's time formats: durations ({@code --time}), points in time ({@code --begin}, {@code --deadline}) and
 * how {@code squeue}, {@code sacct} and {@code sinfo} print both.
 *
 * <p>Parse methods throw {@link IllegalArgumentException} whose message is the bare reason
 * ({@code hours must be 0-23}); callers prefix the option and value ({@code --time=1-25:00: }).
 */
public final class SlurmTime {
    /**
     * No time limit ({@code --time=UNLIMITED}, {@code INFINITE}, {@code -1} or {@code 0}). The same value as the
     * core's {@code Partition.UNLIMITED}: large, yet safe to add to an epoch second.
     */
    public static final long UNLIMITED = Long.MAX_VALUE / 4;

    private static final long MINUTE = 60, HOUR = 3600, DAY = 86400;
    private static final int MAX_FIELD_DIGITS = 9;

    static final String DURATION_FORMS = "expected minutes, minutes:seconds, hours:minutes:seconds, days-hours, "
            + "days-hours:minutes or days-hours:minutes:seconds";
    static final String BEGIN_FORMS = "expected now[+count[seconds|minutes|hours|days|weeks]], HH:MM[:SS] [AM|PM], "
            + "YYYY-MM-DD[THH:MM[:SS]], MM/DD[/YY][-HH:MM[:SS]], MMDD[YY], midnight, noon, elevenses, fika, teatime, "
            + "today or tomorrow";

    private SlurmTime() {}

    // ------------------------------------------------------------------------------------------ durations

    /**
     * A time limit as {@code sbatch --time} reads it, in seconds. Slurm's resolution is one minute, so
     * seconds are rounded up to the next minute ({@code 1:30} is two minutes); a limit of zero, {@code -1},
     * {@code UNLIMITED} and {@code INFINITE} mean no limit ({@link #UNLIMITED}).
     */
    public static long parseTimeLimit(String s) {
        long secs = parseDuration(s);
        if (secs == UNLIMITED || secs == 0) return UNLIMITED;
        return (secs + MINUTE - 1) / MINUTE * MINUTE;
    }

    /**
     * A duration in the {@code --time} forms, exactly, in seconds: {@code minutes}, {@code minutes:seconds},
     * {@code hours:minutes:seconds}, {@code days-hours}, {@code days-hours:minutes},
     * {@code days-hours:minutes:seconds}; {@code UNLIMITED}, {@code INFINITE} or {@code -1} give {@link #UNLIMITED}.
     * Also reads what {@link #formatDuration} and {@link #formatElapsed} print.
     */
    public static long parseDuration(String s) {
        if (s == null) throw new IllegalArgumentException("time must be given");
        String t = s.trim();
        if (t.isEmpty()) throw new IllegalArgumentException("empty time, " + DURATION_FORMS);
        if (t.equalsIgnoreCase("UNLIMITED") || t.equalsIgnoreCase("INFINITE") || t.equals("-1")) return UNLIMITED;
        int dash = t.indexOf('-');
        long days = -1;
        String rest = t;
        if (dash >= 0) {
            days = field(t.substring(0, dash));
            rest = t.substring(dash + 1);
        }
        String[] f = rest.split(":", -1);
        if (f.length > 3) throw new IllegalArgumentException("invalid time, " + DURATION_FORMS);
        long[] v = new long[f.length];
        for (int i = 0; i < f.length; i++) v[i] = field(f[i]);
        if (days >= 0) {
            check(v[0], 23, "hours");
            if (v.length > 1) check(v[1], 59, "minutes");
            if (v.length > 2) check(v[2], 59, "seconds");
            long secs = days * DAY + v[0] * HOUR;
            if (v.length > 1) secs += v[1] * MINUTE;
            if (v.length > 2) secs += v[2];
            return secs;
        }
        return switch (v.length) {
            case 1 -> v[0] * MINUTE;
            case 2 -> {
                check(v[1], 59, "seconds");
                yield v[0] * MINUTE + v[1];
            }
            default -> {
                check(v[1], 59, "minutes");
                check(v[2], 59, "seconds");
                yield v[0] * HOUR + v[1] * MINUTE + v[2];
            }
        };
    }

    private static long field(String f) {
        if (f.isEmpty()) throw new IllegalArgumentException("invalid time, " + DURATION_FORMS);
        for (int i = 0; i < f.length(); i++) {
            char c = f.charAt(i);
            if (c < '0' || c > '9') throw new IllegalArgumentException("invalid time, " + DURATION_FORMS);
        }
        if (f.length() > MAX_FIELD_DIGITS) throw new IllegalArgumentException("time value " + f + " is too large");
        return Long.parseLong(f);
    }

    private static void check(long v, long max, String what) {
        if (v > max) throw new IllegalArgumentException(what + " must be 0-" + max);
    }

    /**
     * A duration as {@code sacct} prints Elapsed and Timelimit: {@code [D-]HH:MM:SS} ({@code 00:05:00},
     * {@code 1-12:00:00}); {@code UNLIMITED} for {@link #UNLIMITED}; {@code INVALID} when negative.
     */
    public static String formatDuration(long seconds) {
        if (seconds >= UNLIMITED) return "UNLIMITED";
        if (seconds < 0) return "INVALID";
        long d = seconds / DAY, h = seconds / HOUR % 24, m = seconds / MINUTE % 60, s = seconds % 60;
        StringBuilder sb = new StringBuilder(12);
        if (d > 0) sb.append(d).append('-');
        return two(two(two(sb, h).append(':'), m).append(':'), s).toString();
    }

    /**
     * A duration as {@code squeue} prints TIME (%M), TIME_LIMIT (%l) and {@code sinfo} TIMELIMIT: days and
     * hours only when needed ({@code 0:00}, {@code 5:07}, {@code 1:00:00}, {@code 2-00:00:00}); {@code UNLIMITED}
     * for {@link #UNLIMITED}; {@code INVALID} when negative or above a year, as squeue does.
     */
    public static String formatElapsed(long seconds) {
        if (seconds >= UNLIMITED) return "UNLIMITED";
        if (seconds < 0 || seconds > 365 * DAY) return "INVALID";
        long d = seconds / DAY, h = seconds / HOUR % 24, m = seconds / MINUTE % 60, s = seconds % 60;
        StringBuilder sb = new StringBuilder(12);
        if (d > 0) {
            sb.append(d).append('-');
            two(sb, h).append(':');
            two(sb, m);
        } else if (h > 0) {
            sb.append(h).append(':');
            two(sb, m);
        } else {
            sb.append(m);
        }
        return two(sb.append(':'), s).toString();
    }

    private static StringBuilder two(StringBuilder sb, long v) {
        if (v < 10) sb.append('0');
        return sb.append(v);
    }

    // ----------------------------------------------------------------------------------------- timestamps

    /** An epoch second as Slurm prints times, in {@code zone}: {@code 2026-11-27T09:15:00}. */
    public static String formatTimestamp(long epochSecond, ZoneId zone) {
        LocalDateTime t = LocalDateTime.ofInstant(Instant.ofEpochSecond(epochSecond), zone);
        StringBuilder sb = new StringBuilder(19);
        int y = t.getYear();
        if (y >= 0 && y < 1000) sb.append(y < 10 ? "000" : y < 100 ? "00" : "0");
        sb.append(y).append('-');
        two(sb, t.getMonthValue()).append('-');
        two(sb, t.getDayOfMonth()).append('T');
        two(sb, t.getHour()).append(':');
        two(sb, t.getMinute()).append(':');
        return two(sb, t.getSecond()).toString();
    }

    /** {@link #formatTimestamp}, or {@code ifUnset} for 0 (Slurm prints {@code N/A}, {@code Unknown} or {@code None}). */
    public static String formatTimestamp(long epochSecond, ZoneId zone, String ifUnset) {
        return epochSecond <= 0 ? ifUnset : formatTimestamp(epochSecond, zone);
    }

    /**
     * A point in time as {@code sbatch --begin} and {@code --deadline} read it, relative to {@code now} (epoch
     * seconds) in {@code zone}; returns epoch seconds. Forms: {@code now[+|-count[unit]]} (unit seconds by
     * default, or minutes, hours, days, weeks, singular or plural); {@code HH:MM[:SS]} with an optional
     * {@code AM}/{@code PM} (the next such time: today if still ahead, else tomorrow); a date
     * {@code YYYY-MM-DD}, {@code MM/DD[/YY]}, {@code MM.DD[.YY]} or {@code MMDD[YY]} (midnight; without a year, the
     * next such date); a date and time {@code YYYY-MM-DDTHH:MM[:SS]} or {@code MM/DD[/YY]-HH:MM[:SS]};
     * {@code midnight}, {@code noon}, {@code elevenses} (11:00), {@code fika} (15:00), {@code teatime} (16:00);
     * {@code today} and {@code tomorrow} (their midnight, unless a time is also given, as in
     * {@code tomorrow noon}).
     */
    public static long parseBegin(String s, long now, ZoneId zone) {
        if (zone == null) throw new IllegalArgumentException("time zone must be given");
        String t = beginText(s);
        if (t.startsWith("now")) return now + parseDelta(t.substring(3));
        return parseDateTime(t, now, zone);
    }

    /**
     * {@link #parseBegin(String, long, ZoneId)}, asking {@code zone} only when {@code s} names a date or a time of
     * day (not for {@code now+...}).
     */
    public static long parseBegin(String s, long now, Supplier<ZoneId> zone) {
        String t = beginText(s);
        if (t.startsWith("now")) return now + parseDelta(t.substring(3));
        return parseDateTime(t, now, zone.get());
    }

    private static String beginText(String s) {
        if (s == null) throw new IllegalArgumentException("time must be given");
        String t = s.trim().toLowerCase(Locale.ROOT);
        if (t.isEmpty()) throw new IllegalArgumentException("empty time, " + BEGIN_FORMS);
        return t;
    }

    private static long parseDateTime(String t, long now, ZoneId zone) {
        LocalDateTime nowLocal = LocalDateTime.ofInstant(Instant.ofEpochSecond(now), zone);
        LocalDate date = null;
        boolean dateHasYear = true;
        LocalTime time = null;
        String[] tokens = words(t);
        for (int i = 0; i < tokens.length; i++) {
            String tok = tokens[i];
            // a separate AM/PM token belongs to the time before it
            if (i + 1 < tokens.length && (tokens[i + 1].equals("am") || tokens[i + 1].equals("pm"))) {
                tok = tok + tokens[++i];
            }
            LocalTime kw = switch (tok) {
                case "midnight" -> LocalTime.MIDNIGHT;
                case "noon" -> LocalTime.NOON;
                case "elevenses" -> LocalTime.of(11, 0);
                case "fika" -> LocalTime.of(15, 0);
                case "teatime" -> LocalTime.of(16, 0);
                default -> null;
            };
            if (kw != null) {
                time = once(time, kw, "time");
                continue;
            }
            if (tok.equals("today") || tok.equals("tomorrow")) {
                LocalDate d = nowLocal.toLocalDate();
                date = once(date, tok.equals("today") ? d : d.plusDays(1), "date");
                continue;
            }
            int tPos = tok.indexOf('t');
            if (tPos > 0 && tok.indexOf('-') > 0 && tok.indexOf('-') < tPos) { // YYYY-MM-DDTHH:MM[:SS]
                date = once(date, isoDate(tok.substring(0, tPos)), "date");
                time = once(time, timeOfDay(tok.substring(tPos + 1)), "time");
                continue;
            }
            int slashTime = tok.indexOf('-');
            if (tok.indexOf('/') > 0 && slashTime > 0) { // MM/DD[/YY]-HH:MM[:SS]
                DateParts dp = usDate(tok.substring(0, slashTime), '/');
                date = once(date, dp.resolve(nowLocal.toLocalDate()), "date");
                dateHasYear = dp.hasYear;
                time = once(time, timeOfDay(tok.substring(slashTime + 1)), "time");
                continue;
            }
            if (tok.indexOf(':') > 0) {
                time = once(time, timeOfDay(tok), "time");
                continue;
            }
            if (tok.indexOf('-') > 0) {
                date = once(date, isoDate(tok), "date");
                continue;
            }
            DateParts dp = tok.indexOf('/') > 0 ? usDate(tok, '/') : tok.indexOf('.') > 0 ? usDate(tok, '.') : compactDate(tok);
            date = once(date, dp.resolve(nowLocal.toLocalDate()), "date");
            dateHasYear = dp.hasYear;
        }
        LocalDateTime when;
        if (date == null) {
            LocalDateTime today = nowLocal.toLocalDate().atTime(time);
            when = today.isAfter(nowLocal) ? today : today.plusDays(1);
        } else {
            when = date.atTime(time == null ? LocalTime.MIDNIGHT : time);
            if (!dateHasYear && when.isBefore(nowLocal)) when = when.plusYears(1);
        }
        return when.atZone(zone).toEpochSecond();
    }

    private static String[] words(String t) {
        java.util.List<String> out = new java.util.ArrayList<>();
        int i = 0;
        while (i < t.length()) {
            while (i < t.length() && Character.isWhitespace(t.charAt(i))) i++;
            int start = i;
            while (i < t.length() && !Character.isWhitespace(t.charAt(i))) i++;
            if (i > start) out.add(t.substring(start, i));
        }
        return out.toArray(new String[0]);
    }

    private static <T> T once(T previous, T value, String what) {
        if (previous != null) throw new IllegalArgumentException("more than one " + what + " given");
        return value;
    }

    private static long parseDelta(String rest) {
        String r = rest.replace(" ", "");
        if (r.isEmpty()) return 0;
        char sign = r.charAt(0);
        if (sign != '+' && sign != '-') throw new IllegalArgumentException("invalid time, " + BEGIN_FORMS);
        int i = 1;
        while (i < r.length() && r.charAt(i) >= '0' && r.charAt(i) <= '9') i++;
        if (i == 1) throw new IllegalArgumentException("a count must follow 'now" + sign + "'");
        if (i - 1 > MAX_FIELD_DIGITS) throw new IllegalArgumentException("count " + r.substring(1, i) + " is too large");
        long count = Long.parseLong(r.substring(1, i));
        long unit = switch (r.substring(i)) {
            case "", "s", "sec", "secs", "second", "seconds" -> 1;
            case "min", "mins", "minute", "minutes" -> MINUTE;
            case "h", "hour", "hours" -> HOUR;
            case "day", "days" -> DAY;
            case "week", "weeks" -> 7 * DAY;
            default -> throw new IllegalArgumentException("unknown time unit '" + r.substring(i)
                    + "', expected seconds, minutes, hours, days or weeks");
        };
        return sign == '+' ? count * unit : -count * unit;
    }

    /** HH:MM[:SS] with an optional am/pm suffix. */
    private static LocalTime timeOfDay(String s) {
        String t = s;
        int ampm = 0;
        if (t.endsWith("am") || t.endsWith("pm")) {
            ampm = t.endsWith("am") ? 1 : 2;
            t = t.substring(0, t.length() - 2);
        }
        String[] f = t.split(":", -1);
        if (f.length < 2 || f.length > 3) throw new IllegalArgumentException("invalid time of day '" + s + "', expected HH:MM[:SS]");
        int h = number(f[0], s), m = number(f[1], s), sec = f.length == 3 ? number(f[2], s) : 0;
        if (ampm != 0) {
            if (h < 1 || h > 12) throw new IllegalArgumentException("hour must be 1-12 with AM/PM");
            h = h % 12 + (ampm == 2 ? 12 : 0);
        }
        if (h > 23) throw new IllegalArgumentException("hour must be 0-23");
        if (m > 59) throw new IllegalArgumentException("minute must be 0-59");
        if (sec > 59) throw new IllegalArgumentException("second must be 0-59");
        return LocalTime.of(h, m, sec);
    }

    private static LocalDate isoDate(String s) {
        String[] f = s.split("-", -1);
        if (f.length != 3 || f[0].length() != 4) throw new IllegalArgumentException("invalid date '" + s + "', expected YYYY-MM-DD");
        return date(number(f[0], s), number(f[1], s), number(f[2], s));
    }

    private record DateParts(int month, int day, int year, boolean hasYear) {
        LocalDate resolve(LocalDate today) {
            return date(hasYear ? year : today.getYear(), month, day);
        }
    }

    private static DateParts usDate(String s, char sep) {
        String[] f = s.replace(sep, '/').split("/", -1);
        if (f.length < 2 || f.length > 3) throw new IllegalArgumentException("invalid date '" + s + "', expected MM" + sep + "DD[" + sep + "YY]");
        int year = f.length == 3 ? year(number(f[2], s), f[2]) : 0;
        return new DateParts(number(f[0], s), number(f[1], s), year, f.length == 3);
    }

    private static DateParts compactDate(String s) {
        if ((s.length() != 4 && s.length() != 6) || !allDigits(s)) {
            throw new IllegalArgumentException("invalid time '" + s + "', " + BEGIN_FORMS);
        }
        int year = s.length() == 6 ? year(Integer.parseInt(s.substring(4)), s.substring(4)) : 0;
        return new DateParts(Integer.parseInt(s.substring(0, 2)), Integer.parseInt(s.substring(2, 4)), year, s.length() == 6);
    }

    private static int year(int y, String text) {
        return text.length() <= 2 ? 2000 + y : y;
    }

    private static LocalDate date(int y, int m, int d) {
        if (m < 1 || m > 12) throw new IllegalArgumentException("month must be 1-12");
        try {
            return LocalDate.of(y, m, d);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("invalid date " + y + "-" + m + "-" + d);
        }
    }

    private static int number(String f, String whole) {
        if (f.isEmpty() || f.length() > 4 || !allDigits(f)) {
            throw new IllegalArgumentException("invalid time '" + whole + "', " + BEGIN_FORMS);
        }
        return Integer.parseInt(f);
    }

    private static boolean allDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return false;
        }
        return !s.isEmpty();
    }
}
