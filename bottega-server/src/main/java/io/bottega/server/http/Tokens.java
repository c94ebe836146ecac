package io.bottega.server.http;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;

/**
 * Signed user tokens for clients that cannot use the local socket: {@code bt1.<payload>.<signature>}, where
 * the payload is {@code user:uid:gid:expiry-epoch-seconds} (base64url) and the signature its HMAC-SHA256
 * under the controller's secret. Anyone holding a token acts as its user until it expires.
 */
public final class Tokens {
    private static final String PREFIX = "bt1.";
    private final byte[] secret;
    /**
     * Tokens whose signature was checked, with their claims: a client sends the same token with every request,
     * and an HMAC (a {@code Mac} made and keyed each time) per request is a measurable share of a submission.
     * The expiry is still checked on every use. Emptied when it grows past {@link #VERIFIED_MAX}.
     */
    private final java.util.concurrent.ConcurrentHashMap<String, Claims> verified = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int VERIFIED_MAX = 10_000;

    public Tokens(byte[] secret) {
        if (secret.length < 32) throw new IllegalArgumentException("token secret must have at least 32 bytes");
        this.secret = secret.clone();
    }

    /** A verified token's claims. */
    public record Claims(String user, int uid, int gid, long expires) {}

    public String issue(String user, int uid, int gid, long expiresEpochSeconds) {
        if (user.contains(":")) throw new IllegalArgumentException("user name must not contain ':'");
        String payload = user + ":" + uid + ":" + gid + ":" + expiresEpochSeconds;
        String p = Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes(StandardCharsets.UTF_8));
        return PREFIX + p + "." + sign(p);
    }

    /** The claims of a valid, unexpired token; empty for anything else. */
    public Optional<Claims> verify(String token, long nowEpochSeconds) {
        if (token == null || !token.startsWith(PREFIX)) return Optional.empty();
        Claims known = verified.get(token);
        if (known != null) return known.expires() >= nowEpochSeconds ? Optional.of(known) : Optional.empty();
        String rest = token.substring(PREFIX.length());
        int dot = rest.indexOf('.');
        if (dot < 0) return Optional.empty();
        String p = rest.substring(0, dot);
        String sig = rest.substring(dot + 1);
        if (!MessageDigest.isEqual(sign(p).getBytes(StandardCharsets.US_ASCII), sig.getBytes(StandardCharsets.US_ASCII))) {
            return Optional.empty();
        }
        try {
            String[] f = new String(Base64.getUrlDecoder().decode(p), StandardCharsets.UTF_8).split(":");
            if (f.length != 4) return Optional.empty();
            Claims c = new Claims(f[0], Integer.parseInt(f[1]), Integer.parseInt(f[2]), Long.parseLong(f[3]));
            if (verified.size() >= VERIFIED_MAX) verified.clear();
            verified.put(token, c);
            return c.expires() >= nowEpochSeconds ? Optional.of(c) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private String sign(String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(payload.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
