package io.omix.sdk;

import io.omix.server.common.db.Jdbc;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A request that meets a concurrent one on the same rows (here: binding a person to a sample while another binding of the
 * same pair is in flight, so that the later insert finds the key taken) is told to retry, 503 with Retry-After, and the
 * retry gets the answer; before, it was a 500 (an attack review of races).
 */
class ConcurrentRequestTest {
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aRequestMeetingAConcurrentOneOnTheSameKeyIsToldToRetry(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            VariantsTest.World w = VariantsTest.world(s);
            Identity.Person binder = Identity.user(s, "binder", "binder@example.org");
            HttpRequest bind = HttpRequest.newBuilder(URI.create(s.url() + "/admin/samples/bind"))
                    .header("Authorization", "Bearer " + w.operator().accessToken()).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("biosample_id=" + w.sample() + "&username=binder")).build();
            CompletableFuture<HttpResponse<String>> binding;
            try (Connection other = s.server().platform().database().dataSource().getConnection()) {
                other.setAutoCommit(false);
                Jdbc.update(other, "INSERT INTO sample_users (biosample_id, user_id) VALUES (?, ?)", w.sample(), binder.userId());
                binding = HttpClient.newHttpClient().sendAsync(bind, HttpResponse.BodyHandlers.ofString());
                Thread.sleep(500);
                assertFalse(binding.isDone(), "the second binding waits on the key the first holds");
                other.commit();
            }
            HttpResponse<String> met = binding.get(30, TimeUnit.SECONDS);
            assertEquals(503, met.statusCode(), met.body());
            assertEquals("1", met.headers().firstValue("Retry-After").orElse(null));
            assertEquals(503, Model.parse(met.body()).getInt("code"), met.body());
            HttpResponse<String> again = HttpClient.newHttpClient().send(bind, HttpResponse.BodyHandlers.ofString());
            assertEquals(0, Model.parse(again.body()).getInt("code"), again.body());
        }
    }
}
