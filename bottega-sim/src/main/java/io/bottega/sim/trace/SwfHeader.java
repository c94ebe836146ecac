package io.bottega.sim.trace;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The header comments of an SWF file ({@code ; Key: value} lines), every key with its values in file
 * order. The replay uses {@code MaxProcs}, {@code MaxNodes} and {@code UnixStartTime}; the rest is kept
 * for reports.
 */
public record SwfHeader(Map<String, List<String>> fields) {
    public static final SwfHeader EMPTY = new SwfHeader(Map.of());

    public SwfHeader {
        Map<String, List<String>> copy = new LinkedHashMap<>();
        fields.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        fields = Collections.unmodifiableMap(copy);
    }

    /** The first value of {@code key} (case-sensitive, as SWF writes it). */
    public Optional<String> first(String key) {
        List<String> v = fields.get(key);
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
    }

    /** {@code MaxProcs}, when given and positive. */
    public OptionalLong maxProcs() { return positive("MaxProcs"); }

    /** {@code MaxNodes}, when given and positive. */
    public OptionalLong maxNodes() { return positive("MaxNodes"); }

    /** {@code UnixStartTime}: the epoch second that submit time 0 stands for. */
    public OptionalLong unixStartTime() { return positive("UnixStartTime"); }

    private OptionalLong positive(String key) {
        Optional<String> v = first(key);
        if (v.isEmpty()) return OptionalLong.empty();
        try {
            long x = Long.parseLong(v.get().trim());
            return x > 0 ? OptionalLong.of(x) : OptionalLong.empty();
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
