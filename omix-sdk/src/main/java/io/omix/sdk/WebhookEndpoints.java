package io.omix.sdk;

import io.omix.sdk.internal.ApiRequest;

import java.util.List;
import java.util.function.Function;

/**
 * The caller's webhook endpoints on one surface: {@code api.webhooks()} (a client application, with
 * a client-credentials token), {@code privateApi.webhooks()} (a private app) and
 * {@code datasetsApi.webhooks()} (a dataset key). Answers are the platform's views; the secret that
 * signs deliveries is in {@code create}'s answer only ({@code webhook.secret}): keep it, and check
 * every delivery with {@link Webhooks#verify}.
 */
public final class WebhookEndpoints {
    private final String prefix;
    private final boolean json;
    private final Function<ApiRequest, Model> send;

    WebhookEndpoints(String prefix, boolean json, Function<ApiRequest, Model> send) {
        this.prefix = prefix;
        this.json = json;
        this.send = send;
    }

    /** Registers {@code url} for {@code events} (see docs/api.md for the types): {@code {webhook: {webhook_id, url, events, enabled, created_at, secret}}}. */
    public Model create(String url, List<String> events) {
        ApiRequest r = ApiRequest.post(prefix);
        if (json) r.json(java.util.Map.of("url", url, "events", events));
        else r.form("url", url).form("events", String.join(",", events));
        return send.apply(r);
    }

    /** Every endpoint of the caller: {@code {webhooks: [...]}}. */
    public Model list() {
        return send.apply(ApiRequest.get(prefix));
    }

    /** Removes an endpoint and its deliveries. */
    public Model delete(String webhookId) {
        return send.apply(ApiRequest.of("DELETE", path(webhookId)));
    }

    /** Turns an endpoint that was disabled (after failing for the whole retry period) back on. */
    public Model enable(String webhookId) {
        return send.apply(ApiRequest.post(path(webhookId) + "/enable"));
    }

    /** The newest deliveries of an endpoint (at most {@code limit}, 1-500), each with its attempts. */
    public Model deliveries(String webhookId, int limit) {
        return send.apply(ApiRequest.get(path(webhookId) + "/deliveries").query("limit", limit));
    }

    /** Sends a delivery again (now, then with backoff as a new one would be). */
    public Model redeliver(String webhookId, long deliveryId) {
        return send.apply(ApiRequest.post(path(webhookId) + "/deliveries/" + deliveryId + "/redeliver"));
    }

    private String path(String webhookId) {
        return prefix + "/" + java.net.URLEncoder.encode(webhookId, java.nio.charset.StandardCharsets.UTF_8);
    }
}
