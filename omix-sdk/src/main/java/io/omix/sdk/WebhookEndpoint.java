package io.omix.sdk;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * A webhook endpoint, typed.
 *
 * @param webhookId      its id
 * @param url            where deliveries go
 * @param events         the event types it receives
 * @param enabled        whether deliveries are sent
 * @param disabledReason why the platform disabled it (deliveries kept failing), or null
 * @param createdAt      when it was registered
 * @param secret         the secret that signs its deliveries: only in the answer that registered it, null otherwise
 * @param raw            the whole answer, for fields this type does not name
 */
public record WebhookEndpoint(String webhookId, String url, List<String> events, boolean enabled, String disabledReason,
                              OffsetDateTime createdAt, String secret, Model raw) {
    static WebhookEndpoint of(Model m) {
        ListModel events = m.getList("events");
        String created = m.getString("created_at");
        return new WebhookEndpoint(m.getString("webhook_id"), m.getString("url"),
                events == null ? List.of() : events.stream().map(String::valueOf).toList(), Boolean.TRUE.equals(m.getBoolean("enabled")),
                m.getString("disabled_reason"), created == null ? null : Times.parse(created), m.getString("secret"), m);
    }

    /** The secret stays out of logs. */
    @Override
    public String toString() {
        return "WebhookEndpoint[webhookId=" + webhookId + ", url=" + url + ", events=" + events + ", enabled=" + enabled + "]";
    }
}
