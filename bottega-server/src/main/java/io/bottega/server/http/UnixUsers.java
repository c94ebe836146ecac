package io.bottega.server.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** Looks up Unix accounts: name ↔ uid and primary gid, from /etc/passwd, then {@code getent} (NSS: LDAP, SSSD...). */
public final class UnixUsers {
    /** One account. */
    public record Account(String name, int uid, int gid) {}

    private final ConcurrentHashMap<String, Account> byName = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, Account> byUid = new ConcurrentHashMap<>();

    public Optional<Account> byName(String name) {
        Account a = byName.get(name);
        if (a != null) return Optional.of(a);
        return lookup(name);
    }

    public Optional<Account> byUid(int uid) {
        Account a = byUid.get(uid);
        if (a != null) return Optional.of(a);
        return lookup(Integer.toString(uid));
    }

    private Optional<Account> lookup(String key) {
        Optional<Account> found = fromPasswd(key);
        if (found.isEmpty()) found = fromGetent(key);
        found.ifPresent(a -> {
            byName.put(a.name(), a);
            byUid.put(a.uid(), a);
        });
        return found;
    }

    private static Optional<Account> fromPasswd(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/passwd"), StandardCharsets.UTF_8)) {
                Optional<Account> a = parse(line, key);
                if (a.isPresent()) return a;
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static Optional<Account> fromGetent(String key) {
        try {
            Process p = new ProcessBuilder(List.of("getent", "passwd", key)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) return Optional.empty();
            return parse(out.strip(), key);
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    static Optional<Account> parse(String line, String key) {
        String[] f = line.split(":", -1);
        if (f.length < 4) return Optional.empty();
        if (!f[0].equals(key) && !f[2].equals(key)) return Optional.empty();
        try {
            return Optional.of(new Account(f[0], Integer.parseInt(f[2]), Integer.parseInt(f[3])));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
