package io.bottega.server.dashboard;

import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The dashboard's files, served from the jar: our own under {@code dashboard/} on the class path, and ECharts
 * from its WebJar ({@code META-INF/resources/webjars/echarts/<version>/dist/echarts.esm.min.js}). Read once,
 * kept in memory, sent with an ETag (and a long cache for the vendored library, whose URL carries no version
 * but whose content only changes with the jar).
 */
final class StaticAssets {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]*\\.(js|css|html|svg|png|ico)");
    private static final Map<String, String> TYPES = Map.of("js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8",
            "html", "text/html; charset=utf-8", "svg", "image/svg+xml", "png", "image/png", "ico", "image/x-icon");

    record Asset(byte[] bytes, String type, String etag) {}

    private final Map<String, Optional<Asset>> cache = new ConcurrentHashMap<>();

    private static volatile String echartsVersion;

    /** The ECharts version of the WebJar on the class path. */
    static String echartsVersion() {
        String v = echartsVersion;
        if (v == null) echartsVersion = v = readEchartsVersion();
        return v;
    }

    private static String readEchartsVersion() {
        try (InputStream in = StaticAssets.class.getClassLoader().getResourceAsStream("META-INF/maven/org.webjars.npm/echarts/pom.properties")) {
            if (in == null) throw new IllegalStateException("the ECharts WebJar (org.webjars.npm:echarts) is not on the class path");
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Optional<Asset> own(String name) {
        if (!NAME.matcher(name).matches()) return Optional.empty();
        return cache.computeIfAbsent(name, n -> load("dashboard/" + n, n.substring(n.lastIndexOf('.') + 1)));
    }

    Optional<Asset> echarts() {
        return cache.computeIfAbsent("vendor/echarts", n -> load("META-INF/resources/webjars/echarts/" + echartsVersion()
                + "/dist/echarts.esm.min.js", "js"));
    }

    private static Optional<Asset> load(String resource, String ext) {
        try (InputStream in = StaticAssets.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) return Optional.empty();
            byte[] b = in.readAllBytes();
            String etag = "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b), 0, 12) + "\"";
            return Optional.of(new Asset(b, TYPES.getOrDefault(ext, "application/octet-stream"), etag));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void send(Context ctx, Asset a, String cacheControl) {
        ctx.header("ETag", a.etag());
        ctx.header("Cache-Control", cacheControl);
        ctx.header("X-Content-Type-Options", "nosniff");
        if (a.etag().equals(ctx.header("If-None-Match"))) {
            ctx.status(304);
            return;
        }
        ctx.contentType(a.type()).result(a.bytes());
    }
}
