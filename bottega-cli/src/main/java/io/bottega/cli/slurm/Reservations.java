package io.bottega.cli.slurm;

import io.bottega.api.json.JsonWriter;
import io.bottega.api.slurm.SlurmTime;
import io.bottega.cli.http.ApiClient;
import io.bottega.cli.http.ApiException;
import io.bottega.cli.http.Response;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code scontrol create|show|delete reservation}: advance reservations of nodes for a window — maintenance
 * ({@code Flags=MAINT}: nobody runs there) or for users and accounts, whose jobs use it with
 * {@code --reservation=NAME}.
 */
final class Reservations {
    private static final String PROG = "scontrol";

    private Reservations() {}

    static int create(Io io, List<String> args) throws ApiException {
        if (args.isEmpty() || !"reservation".startsWith(args.get(0).toLowerCase(Locale.ROOT)) || args.get(0).length() < 3) {
            io.err.println("invalid entity for keyword:create (only: create reservation Key=Value ...)");
            return 1;
        }
        Map<String, String> kv = new LinkedHashMap<>();
        for (String a : args.subList(1, args.size())) {
            int eq = a.indexOf('=');
            if (eq <= 0) {
                io.err.println("Invalid input: " + a);
                return 1;
            }
            kv.put(a.substring(0, eq).toLowerCase(Locale.ROOT), a.substring(eq + 1));
        }
        long now = io.clock.millis() / 1000;
        ZoneId zone = io.zone();
        String name = kv.getOrDefault("reservationname", kv.getOrDefault("reservation", ""));
        if (name.isEmpty()) return fail(io, "ReservationName= is required");
        String nodes = kv.getOrDefault("nodes", kv.getOrDefault("nodelist", ""));
        if (nodes.isEmpty()) return fail(io, "Nodes= is required");
        long start, end;
        try {
            start = kv.containsKey("starttime") ? SlurmTime.parseBegin(kv.get("starttime"), now, zone) : now;
            if (kv.containsKey("endtime")) end = SlurmTime.parseBegin(kv.get("endtime"), now, zone);
            else if (kv.containsKey("duration")) end = start + SlurmTime.parseTimeLimit(kv.get("duration"));
            else return fail(io, "EndTime= or Duration= is required");
        } catch (IllegalArgumentException e) {
            return fail(io, e.getMessage());
        }
        String flags = kv.getOrDefault("flags", "").toUpperCase(Locale.ROOT);
        for (String fl : flags.split(",")) {
            if (!fl.isEmpty() && !fl.equals("MAINT") && !fl.equals("MAINTENANCE")) {
                return fail(io, "flag " + fl + " is not supported by Bottega yet (supported: MAINT)");
            }
        }
        for (String k : kv.keySet()) {
            if (!List.of("reservationname", "reservation", "nodes", "nodelist", "starttime", "endtime", "duration", "flags", "users",
                    "accounts").contains(k)) {
                return fail(io, "unknown or unsupported reservation option " + k);
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("nodes", nodes);
        body.put("start", start);
        body.put("end", end);
        body.put("users", csv(kv.get("users")));
        body.put("accounts", csv(kv.get("accounts")));
        body.put("maintenance", flags.contains("MAINT"));
        Response r = io.api().post("/reservations", JsonWriter.toJson(body));
        if (!r.ok()) return fail(io, r.errorMessage());
        io.out.println("Reservation created: " + name);
        return 0;
    }

    static int delete(Io io, List<String> args) throws ApiException {
        String name = "";
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq > 0 && a.substring(0, eq).toLowerCase(Locale.ROOT).startsWith("reservation")) name = a.substring(eq + 1);
        }
        if (name.isEmpty()) return fail(io, "delete needs ReservationName=NAME");
        Response r = io.api().send("DELETE", "/reservations/" + ApiClient.encode(name), null);
        if (!r.ok()) return fail(io, r.errorMessage());
        return 0;
    }

    static int show(Io io, String name, boolean oneLiner) throws ApiException {
        Response r = io.api().get("/reservations");
        if (!r.ok()) return fail(io, r.errorMessage());
        List<Map<String, Object>> rows = Accounting.list(r);
        ZoneId zone = io.zone();
        StringBuilder sb = new StringBuilder();
        int shown = 0;
        String sep = oneLiner ? " " : "\n   ";
        for (Map<String, Object> m : rows) {
            String n = Accounting.str(m, "name");
            if (!name.isEmpty() && !name.equals(n)) continue;
            long start = (long) Accounting.num(m, "start"), end = (long) Accounting.num(m, "end");
            sb.append("ReservationName=").append(n).append(" StartTime=").append(SlurmTime.formatTimestamp(start, zone))
                    .append(" EndTime=").append(SlurmTime.formatTimestamp(end, zone)).append(" Duration=")
                    .append(SlurmTime.formatDuration(end - start)).append(sep).append("Nodes=").append(Accounting.str(m, "nodes"))
                    .append(" NodeCnt=").append((long) Accounting.num(m, "nodeCount")).append(" Flags=")
                    .append(Boolean.TRUE.equals(m.get("maintenance")) ? "MAINT" : "(null)").append(sep).append("Users=")
                    .append(joined(m.get("users"))).append(" Accounts=").append(joined(m.get("accounts"))).append("\n");
            if (!oneLiner) sb.append('\n');
            shown++;
        }
        if (shown == 0) {
            io.out.println(name.isEmpty() ? "No reservations in the system" : "Reservation " + name + " not found");
            return name.isEmpty() ? 0 : 1;
        }
        io.out.print(sb);
        return 0;
    }

    private static List<String> csv(String s) {
        List<String> out = new ArrayList<>();
        if (s != null) for (String x : s.split(",")) if (!x.isBlank()) out.add(x.trim());
        return out;
    }

    private static String joined(Object v) {
        if (v instanceof List<?> l && !l.isEmpty()) {
            List<String> s = new ArrayList<>();
            for (Object o : l) s.add(String.valueOf(o));
            return String.join(",", s);
        }
        return "(null)";
    }

    private static int fail(Io io, String message) {
        io.err.println(PROG + ": error: " + message);
        return 1;
    }
}
