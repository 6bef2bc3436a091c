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
        Set<String> limits = SmartScopes.restrictionsFor(held, Set.of("streams"), Set.of("streams"));
        assertEquals(Set.of("patient/*.rs", "patient/Observation.rs?category=lab"), limits, "a wildcard over any kept scope, a narrowed one always");
        assertEquals(Set.of("patient/Observation.rs"), SmartScopes.restrictionsFor(Set.of("streams", "samples", "patient/Observation.rs"), Set.of("streams", "samples"),
                Set.of("streams", "samples")));
        assertEquals(Set.of(), SmartScopes.restrictionsFor(Set.of("streams", "samples", "patient/Observation.rs"), Set.of("samples"), Set.of("samples")),
                "a limit on Observations does not go with a token that cannot read them");
        assertTrue(SmartScopes.namesResource(Set.of("launch/patient", "patient/Patient.rs")));
    }

    /**
     * Asked again in SMART's words for one resource, a grant keeps its limits on the others: "files patient/Patient.rs"
     * lifted a patient/DocumentReference.rs app's limit on files. What the request names holds for that resource, and a
     * wildcard held is kept for the types not named.
     */
    @Test
    void smartWordsForOneResourceCarryTheGrantsLimitsOnTheOthers() {
        Set<String> held = Set.of("files", "samples", "profile", "patient/DocumentReference.rs", "patient/Specimen.rs", "patient/Patient.rs");
        assertEquals(Set.of("patient/DocumentReference.rs", "patient/Specimen.rs"),
                SmartScopes.restrictionsFor(held, Set.of("files", "samples", "profile", "patient/Patient.rs"), Set.of("files", "samples", "patient/Patient.rs")));
        assertEquals(Set.of(), SmartScopes.restrictionsFor(Set.of("files", "patient/DocumentReference.cruds", "patient/DocumentReference.rs"), Set.of("files"),
                Set.of("patient/DocumentReference.rs")), "narrowed in SMART's words on the resource itself: what it names holds");
        assertEquals(Set.of("patient/Specimen.rs", "patient/DocumentReference.rs"),
                SmartScopes.restrictionsFor(Set.of("files", "samples", "streams", "patient/*.rs"), Set.of("files", "samples", "streams"),
                        Set.of("streams", "patient/Observation.r")), "a wildcard held, kept for each type not named");
        assertEquals(Set.of(), SmartScopes.restrictionsFor(held, Set.of("files"), Set.of("patient/*.rs")), "a wildcard asked names every type");
        Set<String> refreshed = new LinkedHashSet<>(Set.of("files", "samples", "profile", "patient/Patient.rs"));
        refreshed.addAll(SmartScopes.restrictionsFor(held, refreshed, Set.of("files", "samples", "patient/Patient.rs")));
        assertFalse(SmartScopes.allowsOnType(refreshed, "DocumentReference", 'c'), "the token still may not write files");
        assertFalse(SmartScopes.allowsOnType(refreshed, "Specimen", 'u'), "nor change samples");
        assertTrue(SmartScopes.allowsOnType(refreshed, "DocumentReference", 'r'), "and reads them");
        assertFalse(SmartScopes.namesResource(Set.of("streams", "offline_access")));
    }
}
