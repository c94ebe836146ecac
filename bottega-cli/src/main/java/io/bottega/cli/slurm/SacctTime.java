package io.bottega.cli.slurm;

import io.bottega.api.slurm.SlurmTime;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Locale;

/**
 * sacct's {@code -S/--starttime} and {@code -E/--endtime}: the forms of {@link SlurmTime#parseBegin} (
 * {@code 2026-11-27}, {@code 2026-11-27T08:00}, {@code MMDD[YY]}, {@code MM/DD[/YY]}, {@code HH:MM[:SS]},
 * {@code now-1hour}, {@code midnight}, {@code today}, ...), read as sacct reads them: looking back. A time of
 * day alone is the latest such time not after now (today, or yesterday), and a date without a year the latest
 * such date (this year, or last year) — where sbatch's {@code --begin} looks forward.
 */
final class SacctTime {
    private SacctTime() {}

    /**
     * Epoch seconds.
     *
     * @throws IllegalArgumentException with the reason
     */
    static long parse(String s, long now, ZoneId zone) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        long v = SlurmTime.parseBegin(t, now, zone);
        if (t.startsWith("now") || v <= now) return v;
        Form form = form(t);
        LocalDateTime at = LocalDateTime.ofInstant(Instant.ofEpochSecond(v), zone);
        LocalDateTime back = switch (form) {
            case TIME_ONLY -> at.minusDays(1);
            case DATE_WITHOUT_YEAR -> at.minusYears(1);
            case OTHER -> at;
        };
        long b = back.atZone(zone).toEpochSecond();
        return b <= now ? b : v;
    }

    private enum Form { TIME_ONLY, DATE_WITHOUT_YEAR, OTHER }

    private static Form form(String t) {
        boolean date = false;
        boolean year = false;
        for (String tok : t.split("\\s+")) {
            if (tok.equals("today") || tok.equals("tomorrow")) {
                date = true;
                year = true;
            } else if (tok.indexOf('-') > 0 && (tok.indexOf('/') < 0)) {
                date = true; // YYYY-MM-DD[THH:MM]
                year = true;
            } else if (tok.indexOf('/') > 0 || (tok.indexOf('.') > 0 && tok.indexOf(':') < 0)) {
                date = true;
                String d = tok.indexOf('-') > 0 ? tok.substring(0, tok.indexOf('-')) : tok;
                year |= d.split("[/.]").length == 3;
            } else if (JobIds.isDigits(tok) && (tok.length() == 4 || tok.length() == 6)) {
                date = true;
                year |= tok.length() == 6;
            }
        }
        if (!date) return Form.TIME_ONLY;
        return year ? Form.OTHER : Form.DATE_WITHOUT_YEAR;
    }
}
