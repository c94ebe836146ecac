package io.bottega.agent;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import io.bottega.api.agent.AgentCommands;
import io.bottega.api.agent.AgentProtocol;
import io.bottega.api.agent.AgentSync;
import io.bottega.api.agent.NodeResources;
import io.bottega.api.agent.Registered;

/**
 * {@link ControllerLink} over HTTP/1.1 with JSON bodies: {@code POST <base>/api/v1/agent/register} and
 * {@code POST <base>/api/v1/agent/sync}, each with {@code Authorization: Bearer <cluster key>}.
 */
public final class HttpControllerLink implements ControllerLink {
    private final URI register;
    private final URI sync;
    private final String authorization;
    private final HttpClient client;
    private final boolean ownsClient;
    private volatile Duration syncTimeout;

    /**
     * @param baseUrl     the controller, e.g. {@code http://ctl:6820}
     * @param clusterKey  the cluster key
     * @param syncTimeout the longest a sync may take (the controller's wait plus a margin); adjustable
     *                    with {@link #syncTimeout(Duration)}
     */
    public HttpControllerLink(String baseUrl, String clusterKey, Duration syncTimeout) {
        this(baseUrl, clusterKey, syncTimeout, HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build(), true);
    }

    /** With a shared client (many emulated agents in one process). */
    public HttpControllerLink(String baseUrl, String clusterKey, Duration syncTimeout, HttpClient client) {
        this(baseUrl, clusterKey, syncTimeout, client, false);
    }

    private HttpControllerLink(String baseUrl, String clusterKey, Duration syncTimeout, HttpClient client, boolean owns) {
        if (baseUrl == null || baseUrl.isBlank()) throw new IllegalArgumentException("controller URL must not be blank");
        String base = baseUrl.strip();
        while (base.endsWith("/")) base = base.substring(0, base.length() - 1);
        URI b = URI.create(base);
        if (b.getScheme() == null || !(b.getScheme().equals("http") || b.getScheme().equals("https")) || b.getHost() == null) {
            throw new IllegalArgumentException("controller URL must be http(s)://host[:port]: " + baseUrl);
        }
        this.register = URI.create(base + AgentProtocol.REGISTER_PATH);
        this.sync = URI.create(base + AgentProtocol.SYNC_PATH);
        this.authorization = AgentProtocol.BEARER_PREFIX + (clusterKey == null ? "" : clusterKey);
        this.client = client;
        this.ownsClient = owns;
        this.syncTimeout = syncTimeout;
    }

    /** Sets the timeout of the next syncs. */
    public void syncTimeout(Duration d) {
        this.syncTimeout = d;
    }

    @Override
    public CompletableFuture<Registered> register(NodeResources node) {
        return post(register, node, Duration.ofSeconds(30), Registered.class);
    }

    @Override
    public CompletableFuture<AgentCommands> sync(AgentSync s) {
        return post(sync, s, syncTimeout, AgentCommands.class);
    }

    private <T> CompletableFuture<T> post(URI uri, Object body, Duration timeout, Class<T> type) {
        HttpRequest req = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header(AgentProtocol.AUTHORIZATION_HEADER, authorization)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(AgentJson.write(body)))
                .build();
        return client.sendAsync(req, HttpResponse.BodyHandlers.ofByteArray()).thenApply(resp -> {
            int status = resp.statusCode();
            if (status / 100 != 2) {
                String text = new String(resp.body(), StandardCharsets.UTF_8);
                if (text.length() > 300) text = text.substring(0, 300) + "...";
                throw new CompletionException(new ControllerException(status,
                        uri.getPath() + " answered " + status + (text.isBlank() ? "" : ": " + text.strip())));
            }
            try {
                return AgentJson.read(resp.body(), type);
            } catch (IOException e) {
                throw new CompletionException(new ControllerException(status,
                        uri.getPath() + " answered with bad JSON: " + e.getMessage()));
            }
        });
    }

    @Override
    public void close() {
        if (ownsClient) client.close();
    }
}
