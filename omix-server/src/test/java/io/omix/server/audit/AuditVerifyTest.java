package io.omix.server.audit;

import io.omix.server.testing.AuditTampering;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A trail of more blocks than verification reads a statement is verified whole: intact, every entry checked; and a
 * change in a block past the first statement's is found where it is (on both databases).
 */
class AuditVerifyTest {
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aTrailOfManyBlocksIsVerifiedToItsEnd(String kind) {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            AuditLog audit = s.server().platform().audit();
            audit.flush();
            long before = audit.head().seq();
            for (int i = 0; i < 150; i++) {
                audit.append(List.of(AuditLog.Entry.of("client", "verify-test", null, "client_credentials", "GET /test/" + i, null, null, "127.0.0.1",
                        "request-" + i, "ok")));
            }
            AuditLog.Verification intact = audit.verify();
            assertTrue(intact.firstBrokenSeq().isEmpty(), intact.reason());
            assertTrue(intact.checked() >= before + 150, "every entry checked: " + intact.checked());
            long changed = before + 140;
            AuditTampering.change(s.server().platform().database().jdbc(), changed, e -> new AuditLog.Entry(e.seq(), e.at(), e.actorKind(), e.actorId(),
                    e.userId(), e.credential(), "GET /elsewhere", e.resources(), e.records(), e.source(), e.requestId(), e.outcome(), e.prevHash(), e.hash()));
            assertEquals(java.util.Optional.of(changed), audit.verify().firstBrokenSeq());
        }
    }
}
