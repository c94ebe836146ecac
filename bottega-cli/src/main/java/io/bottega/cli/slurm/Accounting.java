package io.bottega.cli.slurm;

import io.bottega.cli.http.ApiClient;
import io.bottega.cli.http.ApiException;
import io.bottega.cli.http.Response;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The accounting views: {@code sshare} (fair share by account and user, {@code --explain} for why),
 * {@code sprio} (the factors of pending jobs' priorities) and {@code bottega budget} (each project's budget and
 * use in the allocation period, like CINECA's {@code saldo}).
 */
final class Accounting {
    private Accounting() {}

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Response r) {
        Object v = r.json().value();
        if (!(v instanceof List<?> l)) throw new IllegalStateException("expected a JSON list from the controller");
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object o : l) out.add((Map<String, Object>) o);
        return out;
    }

    static double num(Map<String, Object> m, String k) {
        return m.get(k) instanceof Number n ? n.doubleValue() : 0;
    }

    static String str(Map<String, Object> m, String k) {
        Object v = m.get(k);
        return v == null ? "" : String.valueOf(v);
    }

    /** {@code sshare [-a] [-A ACCOUNTS] [-u USERS] [-l] [-n] [--explain] [-P]}. */
    static int sshare(Io io, String[] argv) {
        final String prog = "sshare";
        Getopt g = new Getopt(prog).opt("accounts", 'A', Getopt.Arg.REQUIRED).opt("users", 'u', Getopt.Arg.REQUIRED)
                .opt("all", 'a', Getopt.Arg.NONE).opt("long", 'l', Getopt.Arg.NONE).opt("noheader", 'n', Getopt.Arg.NONE)
                .opt("parsable2", 'P', Getopt.Arg.NONE).opt("explain", Getopt.Arg.NONE).opt("help", 'h', Getopt.Arg.NONE);
        try {
            Getopt.Result r = g.parse(argv, false);
            if (r.has("help")) {
                io.out.println("""
                        Usage: sshare [-a] [-A ACCOUNTS] [-u USERS] [-l] [-n] [-P] [--explain]
                          Fair share of accounts and users: shares, usage (decayed by the half-life) and the fair-share factor.
                          -a          all users (default: yourself and the accounts above you)
                          -A, -u      only these accounts / users (comma lists)
                          -l          also the level fair share
                          --explain   in words, why your fair share is what it is""");
                return 0;
            }
            List<String> accounts = new ArrayList<>(), users = new ArrayList<>();
            for (Getopt.Option o : r.options()) {
                if (o.name().equals("accounts")) Cli.addCsv(accounts, o.value());
                if (o.name().equals("users")) Cli.addCsv(users, o.value());
            }
            ApiClient api = io.api();
            if (r.has("explain")) {
                String user = users.isEmpty() ? io.user : users.get(0);
                Response resp = api.get("/fairshare/explain?user=" + ApiClient.encode(user)
                        + (accounts.isEmpty() ? "" : "&account=" + ApiClient.encode(accounts.get(0))));
                if (!resp.ok()) return io.fail(prog, resp.errorMessage());
                io.out.println(str(resp.object(), "text"));
                return 0;
            }
            Response resp = api.get("/fairshare");
            if (!resp.ok()) return io.fail(prog, resp.errorMessage());
            boolean all = r.has("all") || !users.isEmpty() || !accounts.isEmpty();
            boolean lng = r.has("long"), parsable = r.has("parsable2");
            StringBuilder sb = new StringBuilder();
            if (!r.has("noheader")) {
                sb.append(parsable ? "Account|User|RawShares|NormShares|RawUsage|EffectvUsage|FairShare" + (lng ? "|LevelFS" : "")
                        : String.format(Locale.ROOT, "%-20s %10s %10s %11s %11s %13s %10s%s", "Account", "User", "RawShares", "NormShares",
                        "RawUsage", "EffectvUsage", "FairShare", lng ? String.format(Locale.ROOT, " %10s", "LevelFS") : "")).append('\n');
                if (!parsable) sb.append("-".repeat(lng ? 101 : 90)).append('\n');
            }
            for (Map<String, Object> row : list(resp)) {
                String acct = str(row, "account"), user = str(row, "user");
                if (!accounts.isEmpty() && !accounts.contains(acct)) continue;
                if (!users.isEmpty() && !user.isEmpty() && !users.contains(user)) continue;
                if (!all && !user.isEmpty() && !user.equals(io.user)) continue;
                int depth = (int) num(row, "depth");
                String name = " ".repeat(Math.max(0, depth - 1)) + acct;
                String fs = user.isEmpty() ? "" : String.format(Locale.ROOT, "%.6f", num(row, "fairShareFactor"));
                double lfs = num(row, "levelFairShare");
                String lfsText = lfs >= Double.MAX_VALUE / 2 ? "inf" : String.format(Locale.ROOT, "%.6f", lfs);
                if (parsable) {
                    sb.append(acct).append('|').append(user).append('|').append(fmt(num(row, "rawShares"))).append('|')
                            .append(String.format(Locale.ROOT, "%.6f", num(row, "normShares"))).append('|').append(Math.round(num(row, "rawUsage")))
                            .append('|').append(String.format(Locale.ROOT, "%.6f", num(row, "normUsage"))).append('|').append(fs);
                    if (lng) sb.append('|').append(lfsText);
                } else {
                    sb.append(String.format(Locale.ROOT, "%-20s %10s %10s %11.6f %11d %13.6f %10s", cut(name, 20), cut(user, 10),
                            fmt(num(row, "rawShares")), num(row, "normShares"), Math.round(num(row, "rawUsage")), num(row, "normUsage"), fs));
                    if (lng) sb.append(String.format(Locale.ROOT, " %10s", lfsText));
                }
                sb.append('\n');
            }
            io.out.print(sb);
            return 0;
        } catch (Getopt.UsageError e) {
            return Getopt.report(io, e);
        } catch (ApiException e) {
            return io.fail(prog, e.getMessage());
        }
    }

    /** {@code sprio [-j IDS] [-u USERS] [-l] [-w] [-n]}. */
    static int sprio(Io io, String[] argv) {
        final String prog = "sprio";
        Getopt g = new Getopt(prog).opt("jobs", 'j', Getopt.Arg.REQUIRED).opt("user", 'u', Getopt.Arg.REQUIRED)
                .opt("long", 'l', Getopt.Arg.NONE).opt("weights", 'w', Getopt.Arg.NONE).opt("noheader", 'h', Getopt.Arg.NONE)
                .opt("help", Getopt.Arg.NONE);
        try {
            Getopt.Result r = g.parse(argv, false);
            if (r.has("help")) {
                io.out.println("""
                        Usage: sprio [-j IDS] [-u USERS] [-l] [-w] [-h]
                          The priority of pending jobs and its factors (age, fair share, job size, partition, QOS).
                          -l  the factors' raw values too    -w  the weights    -h  no header""");
                return 0;
            }
            List<String> ids = new ArrayList<>(), users = new ArrayList<>();
            for (Getopt.Option o : r.options()) {
                if (o.name().equals("jobs")) Cli.addCsv(ids, o.value());
                if (o.name().equals("user")) Cli.addCsv(users, o.value());
            }
            ApiClient api = io.api();
            StringBuilder q = new StringBuilder("/priority?");
            if (!ids.isEmpty()) q.append("ids=").append(ApiClient.encode(String.join(",", ids))).append('&');
            if (!users.isEmpty()) q.append("users=").append(ApiClient.encode(String.join(",", users)));
            Response resp = api.get(q.toString());
            if (!resp.ok()) return io.fail(prog, resp.errorMessage());
            List<Map<String, Object>> rows = list(resp);
            StringBuilder sb = new StringBuilder();
            if (r.has("weights")) {
                Map<String, Object> w = rows.isEmpty() ? Map.of() : rows.get(0);
                sb.append(String.format(Locale.ROOT, "%-10s %10s %10s %10s %10s %10s%n", "JOBID", "PRIORITY", "AGE", "FAIRSHARE", "JOBSIZE", "QOS"));
                sb.append(String.format(Locale.ROOT, "%-10s %10s %10s %10s %10s %10s%n", "Weights", "", str(w, "weightAge"),
                        str(w, "weightFairShare"), str(w, "weightJobSize"), str(w, "weightQos")));
                io.out.print(sb);
                return 0;
            }
            boolean lng = r.has("long");
            if (!r.has("noheader")) {
                sb.append(lng ? String.format(Locale.ROOT, "%10s %-9s %-10s %10s %10s %10s %10s %10s %10s %12s%n", "JOBID", "USER", "ACCOUNT",
                        "PRIORITY", "AGE", "FAIRSHARE", "JOBSIZE", "PARTITION", "QOS", "FS_FACTOR")
                        : String.format(Locale.ROOT, "%10s %-9s %10s %10s %10s %10s %10s %10s%n", "JOBID", "USER", "PRIORITY", "AGE", "FAIRSHARE",
                        "JOBSIZE", "PARTITION", "QOS"));
            }
            for (Map<String, Object> row : rows) {
                if (lng) {
                    sb.append(String.format(Locale.ROOT, "%10d %-9s %-10s %10d %10d %10d %10d %10d %10d %12.6f%n", (long) num(row, "jobId"),
                            cut(str(row, "user"), 9), cut(str(row, "account"), 10), (long) num(row, "priority"), (long) num(row, "ageWeighted"),
                            (long) num(row, "fairShareWeighted"), (long) num(row, "jobSizeWeighted"), (long) num(row, "partitionWeighted"),
                            (long) num(row, "qosWeighted"), num(row, "fairShare")));
                } else {
                    sb.append(String.format(Locale.ROOT, "%10d %-9s %10d %10d %10d %10d %10d %10d%n", (long) num(row, "jobId"),
                            cut(str(row, "user"), 9), (long) num(row, "priority"), (long) num(row, "ageWeighted"),
                            (long) num(row, "fairShareWeighted"), (long) num(row, "jobSizeWeighted"), (long) num(row, "partitionWeighted"),
                            (long) num(row, "qosWeighted")));
                }
            }
            io.out.print(sb);
            return 0;
        } catch (Getopt.UsageError e) {
            return Getopt.report(io, e);
        } catch (ApiException e) {
            return io.fail(prog, e.getMessage());
        }
    }

    /** {@code bottega budget [-A ACCOUNT]} (also {@code saldo}): budgets and use in the allocation period. */
    static int budget(Io io, String[] argv) {
        final String prog = "budget";
        Getopt g = new Getopt(prog).opt("account", 'A', Getopt.Arg.REQUIRED).opt("all", 'a', Getopt.Arg.NONE)
                .opt("help", 'h', Getopt.Arg.NONE);
        try {
            Getopt.Result r = g.parse(argv, false);
            if (r.has("help")) {
                io.out.println("""
                        Usage: bottega budget [-A ACCOUNT] [-a]
                          Each project's budget of billed hours for the allocation period, what it has used, and in all.
                          (default: the projects you belong to; -a all of them)""");
                return 0;
            }
            List<String> accounts = new ArrayList<>();
            for (Getopt.Option o : r.options()) if (o.name().equals("account")) Cli.addCsv(accounts, o.value());
            Response resp = io.api().get("/accounts");
            if (!resp.ok()) return io.fail(prog, resp.errorMessage());
            StringBuilder sb = new StringBuilder();
            sb.append(String.format(Locale.ROOT, "%-20s %-8s %14s %14s %7s %14s %10s%n", "account", "period", "budget (h)", "used (h)", "used",
                    "total used (h)", "energy kWh"));
            sb.append("-".repeat(93)).append('\n');
            int shown = 0;
            for (Map<String, Object> row : list(resp)) {
                String acct = str(row, "account");
                Object users = row.get("users");
                boolean mine = users instanceof List<?> l && l.contains(io.user);
                if (!accounts.isEmpty() ? !accounts.contains(acct) : !(r.has("all") || mine || "root".equals(io.user))) continue;
                double budget = num(row, "budgetHours");
                sb.append(String.format(Locale.ROOT, "%-20s %-8s %14s %14.2f %7s %14.2f %10.2f%n", cut(acct, 20), str(row, "period"),
                        budget > 0 ? String.format(Locale.ROOT, "%.0f", budget) : "none", num(row, "usedHours"),
                        budget > 0 ? String.format(Locale.ROOT, "%.1f%%", num(row, "percent")) : "-", num(row, "totalHours"),
                        num(row, "energyKwh")));
                shown++;
            }
            if (shown == 0) sb.append("(no project of yours has a budget here; -a shows them all)\n");
            io.out.print(sb);
            return 0;
        } catch (Getopt.UsageError e) {
            return Getopt.report(io, e);
        } catch (ApiException e) {
            return io.fail(prog, e.getMessage());
        }
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String cut(String s, int w) { return s.length() <= w ? s : s.substring(0, w); }
}
