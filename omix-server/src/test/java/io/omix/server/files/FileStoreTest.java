package io.omix.server.files;

import io.omix.server.common.http.ApiException;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The database side of uploads, on H2 and PostgreSQL. */
class FileStoreTest {
    /** A part whose upload ended (aborted, completed, erased) while its bytes travelled is refused as the upload gone, never a 500. */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aPartRecordedAfterItsUploadEndedIsRefusedAsGone(String kind) throws Exception {
        try (TestServer s = TestServer.start(kind)) {
            FileStore store = new FileStore(s.server().platform());
            FileStore.Upload upload = new FileStore.Upload("upload-ended-0001", "DUS-x/part.bin", "user:nobody", 2048, "", 1024);
            store.insertUpload(upload, s.server().platform().now());
            ObjectStore.Stored part = new ObjectStore.Stored(1024, "0".repeat(64));
            store.putPart(upload.uploadId(), part, 1);
            assertEquals(1, store.parts(upload.uploadId()).size());
            store.abandonUpload(upload.uploadId(), upload.objectName(), upload.owner(), s.server().platform().now());
            ApiException gone = assertThrows(ApiException.class, () -> store.putPart(upload.uploadId(), part, 2));
            assertEquals(42004, gone.error().code());
            assertEquals(0, store.parts(upload.uploadId()).size());
        }
    }
}
