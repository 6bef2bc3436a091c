package io.omix.sdk;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The answer codes of a burst of signed requests: copies of one request (one nonce) first, then requests with nonces of their own. */
final class ReplayCodes {
    private ReplayCodes() {}

    /** Exactly one of the first {@code copies} passed, the others were refused as replays (40103), and every later request passed. */
    static void assertOneCopyPassed(List<Integer> codes, int copies) {
        int copiesPassed = 0;
        for (int i = 0; i < codes.size(); i++) {
            int code = codes.get(i);
            if (i < copies) {
                assertTrue(code == 0 || code == 40103, "code " + code);
                if (code == 0) copiesPassed++;
            } else {
                assertEquals(0, code, "a request with its own nonce");
            }
        }
        assertEquals(1, copiesPassed, "exactly one of the copies");
    }
}
