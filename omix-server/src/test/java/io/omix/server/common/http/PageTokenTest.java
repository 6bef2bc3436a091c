package io.omix.server.common.http;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Tokens are read back as they were handed out, and nothing else a client could forge reaches the database. */
class PageTokenTest {
    private static String forged(String raw) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    private static void refused(Runnable read) {
        ApiException e = assertThrows(ApiException.class, read::run);
        assertEquals(ErrorCode.PARAMETER_ERROR, e.error());
        assertEquals("is not a next_page this server handed out", ((java.util.Map<?, ?>) e.data()).get("next_page"));
    }

    @Test
    void aTokenReadsBackItsParts() {
        String token = PageToken.encode("GO:0005975", 7);
        assertEquals("GO:0005975|7", PageToken.decode(token, 2, parts -> parts[0] + "|" + parts[1]));
    }

    @Test
    void aControlCharacterInAnyPartIsRefusedBeforeItsReader() {
        refused(() -> PageToken.decode(forged("v1\n\u0000"), 1, parts -> parts[0]));
        refused(() -> PageToken.decode(forged("v1\nK00001\u001b[31m"), 1, parts -> parts[0]));
        refused(() -> PageToken.decode(forged("v1\n1\n2\u007f"), 2, parts -> parts[0]));
    }

    @Test
    void timesOutsideTheYearsOneTo9999AreRefused() {
        assertEquals(Instant.parse("2024-01-02T03:04:05.000000006Z"), PageToken.instant("1704164645", "6").toInstant());
        refused(() -> PageToken.decode(forged("v1\n9999999999999\n0\n0"), 3, parts -> PageToken.instant(parts[0], parts[1])));
        refused(() -> PageToken.decode(forged("v1\n-62135596801\n0\n0"), 3, parts -> PageToken.instant(parts[0], parts[1])));
        refused(() -> PageToken.decode(forged("v1\n+300000-01-01T00:00:00Z\nx"), 2, parts -> PageToken.bounded(Instant.parse(parts[0]))));
        assertEquals(Instant.parse("9999-12-31T23:59:59Z"), PageToken.decode(forged("v1\n9999-12-31T23:59:59Z\nx"), 2,
                parts -> PageToken.bounded(Instant.parse(parts[0]))).toInstant());
    }
}
