package io.omix.server.common.auth;

import io.omix.server.oauth.SmartScopes;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a model's token may do: the declared scopes its caller holds, writes only where declared, and the caller's SMART
 * limits with it. Before, a read-only SMART app (patient/Observation.rs) invoking a model that declared streams:write gave
 * the model a token that wrote Observations through FHIR.
 */
class InvocationTokensTest {
    @Test
    void aModelOfAReadOnlySmartAppIsHeldToReading() {
        Caller smartApp = Caller.userToken("client-1", "user-1", Set.of("streams", "patient/Observation.rs", "launch/patient"));
        Set<String> write = InvocationTokens.effectiveScopes(Set.of("streams:write"), smartApp, false);
        assertTrue(write.contains("streams"), "the declared write, which the platform's own stream API allows: " + write);
        assertTrue(write.contains("patient/Observation.rs"), write.toString());
        assertFalse(write.contains("launch/patient"), "context scopes grant nothing and are left behind");
        assertFalse(SmartScopes.allows(write, "Observation", 'c'), "FHIR creates stay refused");
        assertTrue(SmartScopes.allows(InvocationTokens.effectiveScopes(Set.of("streams"), smartApp, true), "Observation", 's'));

        Caller platformApp = Caller.userToken("client-2", "user-1", Set.of("streams", "samples"));
        assertEquals(Set.of("streams"), InvocationTokens.effectiveScopes(Set.of("streams:write", "models"), platformApp, false));
        assertTrue(SmartScopes.allows(InvocationTokens.effectiveScopes(Set.of("streams:write"), platformApp, false), "Observation", 'c'),
                "no SMART scope: the platform scopes decide");
    }
}
