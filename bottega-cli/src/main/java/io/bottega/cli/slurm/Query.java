package io.bottega.cli.slurm;

import io.bottega.cli.http.ApiClient;

import java.util.List;

/** A query string: {@code ?ids=1,2&users=alice}, values percent-encoded, empty values left out. */
final class Query {
    private final StringBuilder sb = new StringBuilder();

    Query add(String name, String value) {
        if (value == null || value.isEmpty()) return this;
        sb.append(sb.isEmpty() ? '?' : '&').append(name).append('=').append(ApiClient.encode(value));
        return this;
    }

    Query add(String name, List<String> values) {
        if (values.isEmpty()) return this;
        return add(name, String.join(",", values));
    }

    Query add(String name, long value) {
        return add(name, Long.toString(value));
    }

    @Override
    public String toString() {
        return sb.toString();
    }
}
