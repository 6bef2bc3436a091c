package io.omix.server.console;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Where the console sends a person after signing in: its own pages only, however the path is written. */
class ConsoleNextPageTest {
    @Test
    void onlyTheConsolesOwnPagesAreNextPages() {
        for (String kept : new String[] {"/console/samples", "/console/files?page=2", "/console/models/abc..def"}) {
            assertEquals(kept, ConsoleCapability.safeNext(kept));
        }
        for (String refused : new String[] {"https://evil.example/", "//evil.example/", "/\\evil.example", "/console/../oauth2/authorize?client_id=x",
                "/console/%2e%2e/oauth2/authorize", "/console/.%2E/metrics", "/console/./../ping", "/console/..%2foauth2", "/console/login",
                "/console/.\t./oauth2/authorize", "/console/.\n./x", "/console/\u00e9", "/console/ .",
                "/oauth2/authorize", null}) {
            assertEquals("/console/samples", ConsoleCapability.safeNext(refused), String.valueOf(refused));
        }
    }
}
