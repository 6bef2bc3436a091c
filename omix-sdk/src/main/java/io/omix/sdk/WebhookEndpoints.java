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

    /**
     * Registers an endpoint that the platform sends {@code events} to ({@code POST .../webhooks}).
     * At most 20 endpoints per owner.
     *
     * @param url    where deliveries go: an https URL whose host resolves to public addresses
     * @param events the event types, e.g. {@code task.finished}, {@code model.deployed},
     *               {@code grant.revoked}, {@code user.erased}, {@code sample.erased} (docs/api.md lists who may receive each)
     * @return {@code {webhook: {webhook_id, url, events, enabled, created_at, secret}}}; the
     *         {@code secret} that signs deliveries is shown in this answer only: keep it
     * @throws InvalidParameterException when the URL is refused (not https, a private address) or an
     *                                   event is unknown or not for this caller (41001; 400 on the dataset batches API)
     */
    public Model create(String url, List<String> events) {
        ApiRequest r = ApiRequest.post(prefix);
        if (json) r.json(java.util.Map.of("url", url, "events", events));
        else r.form("url", url).form("events", String.join(",", events));
        return send.apply(r);
    }

    /**
     * Lists the caller's endpoints ({@code GET .../webhooks}).
     *
     * @return {@code {webhooks: [{webhook_id, url, events, enabled, disabled_reason?, created_at}]}}, never the secrets
     */
    public Model list() {
        return send.apply(ApiRequest.get(prefix));
    }

    /**
     * Removes an endpoint and its deliveries ({@code DELETE .../webhooks/{webhook_id}}).
     *
     * @param webhookId the endpoint's id, from {@link #create} or {@link #list}
     * @return {@code {webhook_id, deleted: true}}
     * @throws InvalidParameterException when the id is not one of the caller's endpoints (41001 on {@code webhook_id})
     * @throws NotFoundException         instead, on the dataset batches API (404)
     */
    public Model delete(String webhookId) {
        return send.apply(ApiRequest.of("DELETE", path(webhookId)));
    }

    /**
     * Turns an endpoint that was disabled (after failing for the whole retry period, 24 hours) back on;
     * its pending deliveries resume.
     *
     * @param webhookId the endpoint's id
     * @return {@code {webhook: {...}}}, the endpoint as it is now
     * @throws InvalidParameterException when the id is not one of the caller's endpoints (41001 on {@code webhook_id})
     * @throws NotFoundException         instead, on the dataset batches API (404)
     */
    public Model enable(String webhookId) {
        return send.apply(ApiRequest.post(path(webhookId) + "/enable"));
    }

    /**
     * Lists the newest deliveries of an endpoint, each with its attempts.
     *
     * @param webhookId the endpoint's id
     * @param limit     how many deliveries at most, 1 to 500
     * @return {@code {webhook_id, deliveries: [{delivery_id, event_id, event_type, status, attempts,
     *         created_at, next_attempt_at?, finished_at?, last_http_status?, last_error?, attempt_log}]}}, newest first
     * @throws InvalidParameterException when the id is not one of the caller's endpoints, or {@code limit}
     *                                   is out of range (41001; 400 on the dataset batches API)
     * @throws NotFoundException         for another owner's id on the dataset batches API (404)
     */
    public Model deliveries(String webhookId, int limit) {
        return send.apply(ApiRequest.get(path(webhookId) + "/deliveries").query("limit", limit));
    }

    /**
     * Sends a delivery again: now, then retried with backoff as a new one would be.
     *
     * @param webhookId  the endpoint's id
     * @param deliveryId the delivery's id, from {@link #deliveries}
     * @return {@code {webhook_id, delivery_id, status: "pending"}}
     * @throws InvalidParameterException when the endpoint or delivery is unknown, or the delivery is being
     *                                   sent at this moment (41001 on {@code delivery_id}): ask again a minute later
     * @throws ConflictException         on the dataset batches API, for a delivery being sent (409)
     * @throws NotFoundException         on the dataset batches API, for another owner's id (404)
     */
    public Model redeliver(String webhookId, long deliveryId) {
        return send.apply(ApiRequest.post(path(webhookId) + "/deliveries/" + deliveryId + "/redeliver"));
    }

    private String path(String webhookId) {
        return prefix + "/" + io.omix.sdk.internal.PathSegment.of("webhook_id", webhookId);
    }

    /**
     * Registers an endpoint, typed (as {@link #create}); the answer's {@code secret()} is the only time the secret is shown.
     *
     * @param url    where deliveries go
     * @param events the event types
     * @return the endpoint, with its secret
     * @throws InvalidParameterException when the URL or an event is refused (41001; 400 on the dataset batches API)
     */
    public WebhookEndpoint register(String url, List<String> events) {
        return WebhookEndpoint.of(create(url, events).getModel("webhook"));
    }

    /**
     * The caller's endpoints, typed (as {@link #list}); never the secrets.
     *
     * @return the endpoints
     */
    public List<WebhookEndpoint> endpoints() {
        return list().getList("webhooks").models().stream().map(WebhookEndpoint::of).toList();
    }

    /**
     * An endpoint's recent deliveries, newest first, typed (as {@link #deliveries}).
     *
     * @param webhookId the endpoint's id
     * @param limit     how many at most, 1 to 500
     * @return the deliveries
     * @throws InvalidParameterException when the id is not one of the caller's endpoints (41001; 400 on the dataset batches API)
     */
    public List<WebhookDelivery> deliveryLog(String webhookId, int limit) {
        return deliveries(webhookId, limit).getList("deliveries").models().stream().map(WebhookDelivery::of).toList();
    }
}
