package io.bottega.server.dashboard;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The dashboard's site options.
 *
 * @param privateData      {@code false} (default, like Slurm's {@code PrivateData} unset): every user sees every job's
 *                         request, allocation and timeline, but only a job's owner (and operators) see its script,
 *                         environment and output. {@code true}: a user sees only their own jobs and their own usage;
 *                         other users' jobs on the machine map show as "another user's job", without id
 * @param sampleInterval   how often utilisation and queue length are sampled for the history charts
 * @param historyLength    how long the history keeps samples (a ring buffer of {@code historyLength / sampleInterval})
 * @param eventInterval    the least time between two server-sent events to one client (coalescing)
 */
public record DashboardSettings(boolean privateData, Duration sampleInterval, Duration historyLength, Duration eventInterval) {
    /** System property (or, upper-cased with underscores, environment variable {@code BOTTEGA_PRIVATE_DATA}). */
    public static final String PRIVATE_DATA = "bottega.privateData";
    public static final String SAMPLE_SECONDS = "bottega.dashboard.sampleSeconds";
    public static final String HISTORY_HOURS = "bottega.dashboard.historyHours";

    public static final DashboardSettings DEFAULT = new DashboardSettings(false, Duration.ofSeconds(10), Duration.ofHours(6),
            Duration.ofMillis(500));

    public DashboardSettings {
        if (sampleInterval == null || sampleInterval.toMillis() < 100) throw new IllegalArgumentException("sample interval must be at least 100 ms");
        if (historyLength == null || historyLength.compareTo(sampleInterval) < 0) {
            throw new IllegalArgumentException("history length must be at least one sample interval");
        }
        if (historyLength.toMillis() / sampleInterval.toMillis() > 1_000_000) throw new IllegalArgumentException("history must hold at most 1,000,000 samples");
        if (eventInterval == null || eventInterval.toMillis() < 50) throw new IllegalArgumentException("event interval must be at least 50 ms");
    }

    /** The settings from system properties, else environment variables, else the defaults. */
    public static DashboardSettings fromEnvironment() {
        return from(System.getProperties(), System.getenv());
    }

    static DashboardSettings from(Properties props, Map<String, String> env) {
        String priv = value(props, env, PRIVATE_DATA, "BOTTEGA_PRIVATE_DATA");
        boolean privateData = DEFAULT.privateData();
        if (priv != null) {
            privateData = switch (priv.trim().toLowerCase(Locale.ROOT)) {
                case "true", "yes", "1", "on" -> true;
                case "false", "no", "0", "off", "" -> false;
                default -> throw new IllegalArgumentException("privateData must be true or false, got '" + priv + "'");
            };
        }
        String sample = value(props, env, SAMPLE_SECONDS, "BOTTEGA_DASHBOARD_SAMPLE_SECONDS");
        Duration interval = sample == null ? DEFAULT.sampleInterval() : Duration.ofMillis((long) (number(SAMPLE_SECONDS, sample) * 1000));
        String hours = value(props, env, HISTORY_HOURS, "BOTTEGA_DASHBOARD_HISTORY_HOURS");
        Duration history = hours == null ? DEFAULT.historyLength() : Duration.ofMillis((long) (number(HISTORY_HOURS, hours) * 3_600_000));
        return new DashboardSettings(privateData, interval, history, DEFAULT.eventInterval());
    }

    private static String value(Properties props, Map<String, String> env, String property, String variable) {
        String v = props.getProperty(property);
        return v != null ? v : env.get(variable);
    }

    private static double number(String name, String v) {
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, got '" + v + "'");
        }
    }

    public DashboardSettings withPrivateData(boolean on) {
        return new DashboardSettings(on, sampleInterval, historyLength, eventInterval);
    }

    /** How many samples the history keeps. */
    public int historySamples() {
        return (int) Math.max(1, historyLength.toMillis() / sampleInterval.toMillis());
    }
}
