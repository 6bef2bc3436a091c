package io.omix.sdk;

import io.omix.server.testing.TestServer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The object store on an S3-compatible bucket (s3rver in CI, OMIX_TEST_S3_URL): the same API, the
 * same answers. Skipped without a bucket unless OMIX_TEST_REQUIRE_S3=true.
 */
class FilesOnS3Test {
    @Test
    void uploadsAndDownloadsWorkTheSameOnAnS3Bucket(@TempDir Path dir) throws Exception {
        String url = System.getenv("OMIX_TEST_S3_URL");
        if ("true".equals(System.getenv("OMIX_TEST_REQUIRE_S3"))) {
            org.junit.jupiter.api.Assertions.assertNotNull(url, "OMIX_TEST_REQUIRE_S3 is set but OMIX_TEST_S3_URL is not");
        }
        Assumptions.assumeTrue(url != null && !url.isBlank(), "no S3-compatible bucket (OMIX_TEST_S3_URL)");
        try (TestServer s = TestServer.builder().setting("files.s3-url", url)
                .setting("files.s3-access-key", System.getenv("OMIX_TEST_S3_ACCESS_KEY"))
                .setting("files.s3-secret-key", System.getenv("OMIX_TEST_S3_SECRET_KEY")).start()) {
            Identity.Client c = Identity.confidentialClient(s);
            try (OAuth2 o = OAuth2.builder(c.id(), c.secret()).endpoint(s.url()).build(); Api api = o.getCredentialsToken().api()) {
                String small = api.upload("hello.txt", "hello from a bucket");
                ByteArrayOutputStream back = new ByteArrayOutputStream();
                api.download(small, back);
                assertEquals("hello from a bucket", back.toString(StandardCharsets.UTF_8));
                String signed = api.getDownloadUrl(small).getString("url");
                HttpResponse<String> range = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(signed))
                        .header("Range", "bytes=6-9").build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(206, range.statusCode());
                assertEquals("from", range.body());

                byte[] content = new byte[11 * 1024 * 1024 + 5];
                new Random(9).nextBytes(content);
                Path file = dir.resolve("parts.bin");
                Files.write(file, content);
                String big = api.upload("parts.bin", file, UploadOptions.builder().multipartThreshold(6 * UploadOptions.MIB).partSize(5 * UploadOptions.MIB).build());
                Path target = dir.resolve("parts.back");
                api.download(big, target);
                assertArrayEquals(content, Files.readAllBytes(target));

                assertEquals(42007, assertThrows(ApiException.class, () -> api.getDownloadUrl(small + ".missing")).code());
                ApiException tooSmall = assertThrows(ApiException.class, () -> api.upload("small-parts.bin", file,
                        UploadOptions.builder().multipartThreshold(1024).partSize(64 * 1024).build()));
                assertEquals(41001, tooSmall.code(), "S3 wants parts of 5 MiB: " + tooSmall.getMessage());

                // What housekeeping reads: the bucket's objects (not its multipart bookkeeping), and
                // old bodies a killed server left spooled in the temporary directory.
                var objects = Identity.platform(s).objects();
                java.util.Set<String> listed = new java.util.HashSet<>();
                objects.forEachObjectWrittenBefore(java.time.Instant.now().plusSeconds(60), listed::add);
                var jdbc = Identity.platform(s).database().jdbc();
                java.util.function.Function<String, String> key = name -> jdbc.queryOne("SELECT " + io.omix.server.files.FileStore.KEY
                        + " FROM file_objects WHERE object_name = ?", rs -> rs.getString(1), name).orElseThrow();
                org.junit.jupiter.api.Assertions.assertTrue(listed.contains(key.apply(small)) && listed.contains(key.apply(big)), "both objects listed");
                org.junit.jupiter.api.Assertions.assertTrue(listed.stream().noneMatch(n -> n.startsWith(".omix-uploads/")), "no bookkeeping listed");
                Path spooled = Files.createTempFile("omix-s3-", ".part");
                Files.setLastModifiedTime(spooled, java.nio.file.attribute.FileTime.from(java.time.Instant.now().minusSeconds(3 * 86400)));
                Path young = Files.createTempFile("omix-s3-", ".part");
                org.junit.jupiter.api.Assertions.assertTrue(objects.removeScratch(java.time.Instant.now().minusSeconds(86400)) >= 1);
                org.junit.jupiter.api.Assertions.assertFalse(Files.exists(spooled), "the old spooled body is gone");
                org.junit.jupiter.api.Assertions.assertTrue(Files.exists(young), "a body being spooled now stays");
                Files.delete(young);

                // A completion whose checksum does not match is refused, and its upload is then gone for good:
                // an abort (the client's, or housekeeping's) finds nothing left and succeeds instead of failing forever.
                objects.startParts("mismatch-upload-0001", "mismatched.bin");
                objects.putPart("mismatch-upload-0001", 1, 0, 5, new java.io.ByteArrayInputStream("hello".getBytes(StandardCharsets.UTF_8)), null);
                assertThrows(io.omix.server.files.ObjectStore.ChecksumMismatch.class, () -> objects.completeParts("mismatch-upload-0001", 5, "mismatched.bin",
                        new io.omix.server.files.ObjectStore.Expected("0".repeat(64), null)));
                objects.abortParts("mismatch-upload-0001");
                objects.abortParts("mismatch-upload-0001");
                assertEquals(java.util.Optional.empty(), objects.size("mismatched.bin"), "nothing stored under the name");

                // Uploads staged in the bucket, as housekeeping lists them to abort those no row names (a server killed before
                // recording one, an abort that failed after an erasure): by their ids, the young ones left out. (s3rver
                // cannot abort a multipart upload: the abort itself is HousekeepingTest's, on the local store.)
                objects.startParts("unrecorded-upload-0001", "unrecorded.bin");
                objects.putPart("unrecorded-upload-0001", 1, 0, 5, new java.io.ByteArrayInputStream("hello".getBytes(StandardCharsets.UTF_8)), null);
                java.util.List<String> staged = new java.util.ArrayList<>();
                objects.forEachUploadStagedBefore(java.time.Instant.now().minusSeconds(3600), staged::add);
                assertEquals(java.util.List.of(), staged, "young ones are left out");
                objects.forEachUploadStagedBefore(java.time.Instant.now().plusSeconds(60), staged::add);
                assertEquals(java.util.List.of("unrecorded-upload-0001"), staged, "by id, its parts' bookkeeping left out");

                // A multipart upload replacing a file, refused at completion for its checksum, leaves the file as it was:
                // S3 completes an upload onto its key before the whole object's SHA-256 can be known, so that key is the
                // upload's own, never the file's. Before, the earlier file's bytes were overwritten, then deleted.
                Model token = api.getUploadToken();
                String kept = token.getString("destination") + "/kept.txt";
                byte[] first = "the first version".getBytes(StandardCharsets.UTF_8);
                assertEquals(0, FilesTest.envelopeCode(FilesTest.signedPut(token, kept, first, FilesTest.sha256(first))));
                HttpResponse<String> begun = FilesTest.signedJson(token, "POST", "/uploads",
                        "{\"object_name\":\"" + kept + "\",\"size\":5,\"part_size\":1024,\"sha256\":\"" + "0".repeat(64) + "\"}");
                String uploadId = io.omix.sdk.Model.parse(begun.body()).at("data.upload_id").toString();
                byte[] part = "later".getBytes(StandardCharsets.UTF_8);
                assertEquals(0, FilesTest.envelopeCode(FilesTest.signed(token, "PUT", "/uploads/" + uploadId + "/parts/1", part,
                        FilesTest.sha256(part), "application/octet-stream")));
                assertEquals(42003, FilesTest.envelopeCode(FilesTest.signedJson(token, "POST", "/uploads/" + uploadId + "/complete", "{}")));
                ByteArrayOutputStream still = new ByteArrayOutputStream();
                api.download(kept, still);
                assertArrayEquals(first, still.toByteArray(), "the earlier file, whole");

                // A completion sent again after the first was recorded (a client's retry) finds the upload gone, and leaves
                // the file's bytes, which are the upload's own key's, where they are.
                HttpResponse<String> again = FilesTest.signedJson(token, "POST", "/uploads", "{\"object_name\":\"" + kept + "\",\"size\":5,\"part_size\":1024}");
                String second = io.omix.sdk.Model.parse(again.body()).at("data.upload_id").toString();
                assertEquals(0, FilesTest.envelopeCode(FilesTest.signed(token, "PUT", "/uploads/" + second + "/parts/1", part,
                        FilesTest.sha256(part), "application/octet-stream")));
                String complete = "{\"sha256\":\"" + FilesTest.sha256(part) + "\"}";
                assertEquals(0, FilesTest.envelopeCode(FilesTest.signedJson(token, "POST", "/uploads/" + second + "/complete", complete)));
                assertEquals(42004, FilesTest.envelopeCode(FilesTest.signedJson(token, "POST", "/uploads/" + second + "/complete", complete)));
                ByteArrayOutputStream later = new ByteArrayOutputStream();
                api.download(kept, later);
                assertArrayEquals(part, later.toByteArray(), "the recorded file, whole after the repeated completion");
            }
        }
    }
}
