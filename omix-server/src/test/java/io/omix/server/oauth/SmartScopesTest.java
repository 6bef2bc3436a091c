package io.omix.server.oauth;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A grant that began in SMART's words stays held to its SMART resource scopes: they only restrict. Before, a client losing
 * one platform scope a wildcard SMART scope maps onto (profile for patient/*.rs) lost the SMART scope with it, and every
 * token of the grant could then create Observations through FHIR; so did a refresh asking for streams alone.
 */
class SmartScopesTest {
    @Test
    void aClientLosingAScopeKeepsItsGrantsLimits() {
        Set<String> grant = new LinkedHashSet<>(Set.of("profile", "streams", "samples", "files", "patient/*.rs", "launch/patient"));
        SmartScopes.retainHeld(grant, Set.of("streams", "samples", "files"));
        assertFalse(grant.contains("profile"), "the platform scope the client lost is gone");
        assertTrue(grant.contains("patient/*.rs"), "the limit stays: " + grant);
        assertTrue(SmartScopes.allows(grant, "Observation", 'r'));
        assertFalse(SmartScopes.allows(grant, "Observation", 'c'), "still read-only");

        Set<String> nothing = new LinkedHashSet<>(Set.of("streams", "patient/Observation.rs", "offline_access"));
        SmartScopes.retainHeld(nothing, Set.of("samples"));
        assertTrue(nothing.isEmpty(), "SMART scopes grant only through platform scopes: with none left, nothing is");
        assertTrue(SmartScopes.nothingLeft(nothing, "streams patient/Observation.rs offline_access"));
    }

    @Test
    void platformWordsCarryTheGrantsSmartLimits() {
        Set<String> held = Set.of("profile", "streams", "samples", "files", "patient/*.rs", "patient/Observation.rs?category=lab", "launch/patient");
        Set<String> limits = SmartScopes.restrictionsFor(held, Set.of("streams"));
        assertEquals(Set.of("patient/*.rs", "patient/Observation.rs?category=lab"), limits, "a wildcard over any kept scope, a narrowed one always");
        assertEquals(Set.of("patient/Observation.rs"), SmartScopes.restrictionsFor(Set.of("streams", "samples", "patient/Observation.rs"), Set.of("streams", "samples")));
        assertEquals(Set.of(), SmartScopes.restrictionsFor(Set.of("streams", "samples", "patient/Observation.rs"), Set.of("samples")),
                "a limit on Observations does not go with a token that cannot read them");
        assertTrue(SmartScopes.namesResource(Set.of("launch/patient", "patient/Patient.rs")));
        assertFalse(SmartScopes.namesResource(Set.of("streams", "offline_access")));
    }
}
