package io.omix.sdk;

import java.time.OffsetDateTime;

/**
 * One delivery of an event to a webhook endpoint, typed.
 *
 * @param deliveryId     its id (to redeliver it)
 * @param eventId        the event's id (the {@code Omix-Webhook-Id} header: the same on every attempt)
 * @param eventType      the event's type
 * @param status         {@code pending}, {@code delivered} or {@code failed}
 * @param attempts       how many times it was sent
 * @param createdAt      when the event happened
 * @param finishedAt     when it was delivered or given up, or null
 * @param lastHttpStatus the receiver's last HTTP status, or null
 * @param lastError      what went wrong last, or null
 * @param raw            the whole answer, for fields this type does not name ({@code attempt_log}, {@code next_attempt_at})
 */
public record WebhookDelivery(long deliveryId, String eventId, String eventType, String status, int attempts, OffsetDateTime createdAt,
                              OffsetDateTime finishedAt, Integer lastHttpStatus, String lastError, Model raw) {
    static WebhookDelivery of(Model m) {
        Integer attempts = m.getInt("attempts");
        return new WebhookDelivery(m.getLong("delivery_id"), m.getString("event_id"), m.getString("event_type"), m.getString("status"),
                attempts == null ? 0 : attempts, Times.parseOrNull(m.getString("created_at")), Times.parseOrNull(m.getString("finished_at")),
                m.getInt("last_http_status"), m.getString("last_error"), m);
    }

}
