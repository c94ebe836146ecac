package io.bottega.cli.slurm;

import io.bottega.cli.http.ApiClient;
import io.bottega.cli.http.ApiException;
import io.bottega.cli.http.Response;

import java.util.Map;

/** {@code bottega whoami}: who the controller takes the caller for, and how it knows. */
final class Whoami {
    static final String PROG = "whoami";

    private Whoami() {}

    static int run(Io io, String[] argv) {
        if (argv.length > 0) {
            if (argv[0].equals("--help") || argv[0].equals("-h")) {
                io.out.println("Usage: bottega whoami\n  Prints who the controller takes you for (user, uid, gid, operator) and how "
                        + "(the local socket's peer credentials, or a token).");
                return 0;
            }
            return io.fail(PROG, "unexpected argument: " + argv[0]);
        }
        try {
            ApiClient api = io.api();
            Response r = api.get("/whoami");
            if (!r.ok()) return io.fail(PROG, r.errorMessage());
            Map<String, Object> m = r.object();
            StringBuilder sb = new StringBuilder();
            sb.append(m.getOrDefault("user", "?"));
            sb.append(" (uid=").append(m.getOrDefault("uid", "?")).append(", gid=").append(m.getOrDefault("gid", "?")).append(')');
            if (Boolean.TRUE.equals(m.get("operator"))) sb.append(" operator");
            Object via = m.get("via");
            if (via instanceof String v && !v.isEmpty()) sb.append(", via ").append(v);
            sb.append(" at ").append(api.where());
            io.out.println(sb);
            return 0;
        } catch (ApiException e) {
            return io.fail(PROG, e.getMessage());
        }
    }
}
