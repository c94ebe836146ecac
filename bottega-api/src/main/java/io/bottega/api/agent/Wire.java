package io.bottega.api.agent;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Lenient normalisation of decoded JSON: a missing list or map is empty, null elements are dropped. */
final class Wire {
    private Wire() {}

    static String str(String s) {
        return s == null ? "" : s;
    }

    static <T> List<T> list(List<T> list) {
        if (list == null || list.isEmpty()) return List.of();
        boolean hasNull = false;
        for (T t : list) hasNull |= t == null;   // contains(null) throws on immutable lists
        if (!hasNull) return List.copyOf(list);
        List<T> out = new ArrayList<>(list.size());
        for (T t : list) if (t != null) out.add(t);
        return Collections.unmodifiableList(out);
    }

    /** Keeps the map's order; drops null keys, null values become empty strings. */
    static Map<String, String> map(Map<String, String> map) {
        if (map == null || map.isEmpty()) return Map.of();
        Map<String, String> out = new LinkedHashMap<>();
        map.forEach((k, v) -> {
            if (k != null) out.put(k, Objects.requireNonNullElse(v, ""));
        });
        return Collections.unmodifiableMap(out);
    }
}
