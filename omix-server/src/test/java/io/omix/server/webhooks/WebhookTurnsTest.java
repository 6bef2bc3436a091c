package io.omix.server.webhooks;

import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The order in which due deliveries take free slots: an owner holding slots already goes after one holding none, however
 * old its backlog (before, each freed slot went to the oldest due row, always the holding owner's); within an owner, every
 * endpoint's first turn before any one's second; an endpoint never beyond two in flight.
 */
class WebhookTurnsTest {
    private static final OffsetDateTime T = OffsetDateTime.of(2026, 12, 6, 12, 0, 0, 0, ZoneOffset.UTC);

    @Test
    void anOwnerHoldingSlotsGoesAfterOneHoldingNoneHoweverOldItsBacklog() {
        List<WebhookDispatcher.Oldest> due = List.of(
                new WebhookDispatcher.Oldest("a1", "client:a", T.minusHours(3)),
                new WebhookDispatcher.Oldest("a2", "client:a", T.minusHours(2)),
                new WebhookDispatcher.Oldest("b1", "client:b", T));
        List<WebhookDispatcher.Turn> turns = WebhookDispatcher.turns(due, Map.of("a1", 1), Map.of("client:a", 8));
        assertEquals(List.of("b1", "b1", "a1", "a2", "a2"), turns.stream().map(WebhookDispatcher.Turn::webhookId).toList(),
                "the owner with eight in flight waits behind the one with none; a1 has one turn left, a2 two, the longest due first");
        List<WebhookDispatcher.Turn> idle = WebhookDispatcher.turns(due, Map.of(), Map.of());
        assertEquals(List.of("a1", "b1", "a2", "b1", "a1", "a2"), idle.stream().map(WebhookDispatcher.Turn::webhookId).toList(),
                "with nothing in flight: every owner's first turn before any second, the longest due first");
    }
}
