package io.omix.server.common.http;

import io.omix.server.testing.ProbeCapability;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GracefulShutdownTest {
    @Test
    void stoppingLetsRequestsInFlightFinishAndRefusesNewOnes() throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        TestServer server = TestServer.start(ProbeCapability::new);
        String url = server.url();
        CompletableFuture<HttpResponse<String>> slow = http.sendAsync(
                HttpRequest.newBuilder(URI.create(url + "/test/slow?millis=1500")).build(), HttpResponse.BodyHandlers.ofString());
        Thread.sleep(300); // the slow request is now inside its handler
        CompletableFuture<Void> stopping = CompletableFuture.runAsync(server::close);
        Thread.sleep(200);
        int lateStatus;
        try {
            lateStatus = http.send(HttpRequest.newBuilder(URI.create(url + "/ping")).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
        } catch (IOException refused) {
            lateStatus = -1; // the connector is already closed: also a refusal
        }
        HttpResponse<String> finished = slow.get(10, TimeUnit.SECONDS);
        assertEquals(200, finished.statusCode(), "the request in flight completes");
        assertTrue(finished.body().contains("\"slept\":1500"));
        assertNotEquals(200, lateStatus, "a request that arrives while stopping is refused");
        stopping.get(10, TimeUnit.SECONDS);
    }
}
