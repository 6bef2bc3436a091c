package io.omix.server.files;

import io.omix.server.common.db.Jdbc;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.OffsetDateTime;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Files recorded before V43 get their FHIR id kept with them, as files recorded since do, so that a read by id finds them. */
class DocumentIdsUpgradeTest {
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void filesRecordedBeforeGetTheirDocumentIds(String kind) {
        try (TestServer ts = TestServer.builder().database(kind).upgradingFrom("42", c -> {
            for (int i = 0; i < 1203; i++) { // more than one batch of the migration
                Jdbc.update(c, "INSERT INTO file_objects (object_name, owner, size_bytes, sha256, crc32c, created_at) VALUES (?, 'client:old', 1, ?, NULL, ?)",
                        String.format("old/file-%04d.txt", i), "0".repeat(64), OffsetDateTime.now());
            }
        }).start()) {
            Jdbc jdbc = ts.server().platform().database().jdbc();
            assertEquals(0L, jdbc.queryOne("SELECT COUNT(*) FROM file_objects WHERE document_id IS NULL", rs -> rs.getLong(1)).orElseThrow());
            assertEquals(FileStore.documentId("old/file-1202.txt"), jdbc.queryOne("SELECT document_id FROM file_objects WHERE object_name = 'old/file-1202.txt'",
                    rs -> rs.getString(1)).orElseThrow());
            assertEquals("old/file-0007.txt", jdbc.queryOne("SELECT object_name FROM file_objects WHERE document_id = ?", rs -> rs.getString(1),
                    FileStore.documentId("old/file-0007.txt")).orElseThrow());
        }
    }
}
