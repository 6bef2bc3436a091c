package io.omix.server.files;

import io.omix.server.ServerConfig;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Objects in an S3-compatible bucket (AWS SDK v2), for deployments whose servers share no disk.
 * Bodies are first spooled to a local temporary file, hashed and size-checked, and only then sent:
 * nothing unchecked reaches the bucket. A multipart upload maps onto an S3 multipart upload whose id
 * is kept in the bucket beside it ({@code .omix-uploads/<upload id>}), so any server can add parts.
 */
final class S3ObjectStore implements ObjectStore {
    private static final String UPLOADS = ".omix-uploads/";
    private static final String SPOOL_PREFIX = "omix-s3-";
    private final S3Client s3;
    private final String bucket;

    @Override
    public void close() {
        s3.close();
    }

    private S3ObjectStore(S3Client s3, String bucket) {
        this.s3 = s3;
        this.bucket = bucket;
    }

    static S3ObjectStore of(ServerConfig config) {
        URI url = URI.create(config.s3Url());
        String bucket = url.getPath().replaceAll("^/+|/+$", "");
        if (bucket.isEmpty() || bucket.contains("/")) throw new IllegalArgumentException("files.s3-url must be http(s)://host[:port]/bucket");
        URI endpoint = URI.create(url.getScheme() + "://" + url.getRawAuthority());
        S3Client client = S3Client.builder()
                .endpointOverride(endpoint)
                .forcePathStyle(true)
                .region(Region.of(config.s3Region()))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(config.s3AccessKey(), config.s3SecretKey())))
                .httpClient(UrlConnectionHttpClient.create())
                // Plain bodies with a Content-Length: what every S3-compatible server understands (the SDK's
                // default aws-chunked bodies with trailing checksums are not); we check SHA-256 ourselves.
                .requestChecksumCalculation(software.amazon.awssdk.core.checksums.RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(software.amazon.awssdk.core.checksums.ResponseChecksumValidation.WHEN_REQUIRED)
                .serviceConfiguration(software.amazon.awssdk.services.s3.S3Configuration.builder().chunkedEncodingEnabled(false).build())
                .build();
        S3ObjectStore store = new S3ObjectStore(client, bucket);
        try {
            store.removeScratch(java.time.Instant.now().minus(java.time.Duration.ofDays(1)));
        } catch (IOException e) {
            org.slf4j.LoggerFactory.getLogger(S3ObjectStore.class).warn("old spooled bodies stay in the temporary directory: {}", e.toString());
        }
        return store;
    }

    /** A local temporary copy of a body, checked: its size at most {@code maxBytes}, its SHA-256 the expected one. */
    private record Spooled(Path file, long size, String sha256, String crc32c) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            Files.deleteIfExists(file);
        }
    }

    private static Spooled spool(InputStream body, long maxBytes, String expectedSha256) throws IOException {
        Path file = Files.createTempFile(SPOOL_PREFIX, ".part");
        Checksums sums = new Checksums();
        long size = 0;
        boolean ok = false;
        try {
            try (OutputStream out = Files.newOutputStream(file)) {
                byte[] buffer = new byte[1 << 16];
                for (int n; (n = body.read(buffer)) != -1; ) {
                    size += n;
                    if (size > maxBytes) throw new TooLarge(maxBytes);
                    sums.update(buffer, 0, n);
                    out.write(buffer, 0, n);
                }
            }
            String actual = sums.sha256();
            if (expectedSha256 != null && !expectedSha256.equalsIgnoreCase(actual)) throw new ChecksumMismatch(expectedSha256, actual);
            ok = true;
            return new Spooled(file, size, actual, sums.crc32c());
        } finally {
            if (!ok) Files.deleteIfExists(file);
        }
    }

    @Override
    public Stored put(String name, InputStream body, long maxBytes, String expectedSha256) throws IOException {
        try (Spooled s = spool(body, maxBytes, expectedSha256)) {
            s3(() -> s3.putObject(b -> b.bucket(bucket).key(name).contentLength(s.size()), RequestBody.fromFile(s.file())));
            return new Stored(s.size(), s.sha256(), s.crc32c());
        }
    }

    /** S3's own rule: every part but the last is at least 5 MiB. */
    @Override
    public long minPartSize() {
        return 5L << 20;
    }

    @Override
    public void startParts(String uploadId, String name) throws IOException {
        String s3UploadId = s3(() -> s3.createMultipartUpload(b -> b.bucket(bucket).key(name)).uploadId());
        try {
            s3(() -> s3.putObject(b -> b.bucket(bucket).key(UPLOADS + uploadId), RequestBody.fromString(name + "\n" + s3UploadId)));
        } catch (IOException | RuntimeException e) {
            // Without its record nothing would ever find the multipart upload again (its parts would stay billed for good).
            try {
                s3(() -> s3.abortMultipartUpload(b -> b.bucket(bucket).key(name).uploadId(s3UploadId)));
            } catch (IOException | RuntimeException abortFailed) {
                e.addSuppressed(abortFailed);
            }
            throw e;
        }
    }

    /** The key the upload was begun under in the bucket (S3 fixes it when the multipart upload starts). */
    @Override
    public String keyOfUpload(String uploadId) throws IOException {
        return upload(uploadId)[0];
    }

    /** The object name and the S3 upload id of one of our uploads. */
    private String[] upload(String uploadId) throws IOException {
        String text = s3(() -> s3.getObjectAsBytes(b -> b.bucket(bucket).key(UPLOADS + uploadId)).asString(StandardCharsets.UTF_8));
        return text.split("\n", 2);
    }

    @Override
    public Stored putPart(String uploadId, int partNumber, long offset, long length, InputStream body, String expectedSha256) throws IOException {
        String[] u = upload(uploadId);
        try (Spooled s = spool(body, length, expectedSha256)) {
            String eTag = s3(() -> s3.uploadPart(b -> b.bucket(bucket).key(u[0]).uploadId(u[1]).partNumber(partNumber).contentLength(s.size()),
                    RequestBody.fromFile(s.file())).eTag());
            // Kept beside the upload for completion (not every S3-compatible server lists parts).
            s3(() -> s3.putObject(b -> b.bucket(bucket).key(partKey(uploadId, partNumber)), RequestBody.fromString(eTag)));
            return new Stored(s.size(), s.sha256());
        }
    }

    @Override
    public Stored completeParts(String uploadId, long size, String name, Expected expected) throws IOException {
        String[] u = upload(uploadId);
        if (!u[0].equals(name)) throw new IOException("upload " + uploadId + " was begun under " + u[0] + ", not " + name + " (keyOfUpload names it)");
        List<CompletedPart> parts = new ArrayList<>();
        List<String> partKeys = partKeys(uploadId);
        for (String key : partKeys) {
            int number = Integer.parseInt(key.substring(key.lastIndexOf('-') + 1));
            String eTag = s3(() -> s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asString(StandardCharsets.UTF_8));
            parts.add(CompletedPart.builder().partNumber(number).eTag(eTag).build());
        }
        parts.sort(java.util.Comparator.comparing(CompletedPart::partNumber));
        s3(() -> s3.completeMultipartUpload(b -> b.bucket(bucket).key(u[0]).uploadId(u[1]).multipartUpload(m -> m.parts(parts))));
        // S3 keeps no SHA-256 of a whole multipart object: read it back once to check it.
        Checksums sums = new Checksums();
        long total = 0;
        try (InputStream in = open(name)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) != -1; total += n) sums.update(buffer, 0, n);
        }
        String actual = sums.sha256();
        String crc = sums.crc32c();
        try {
            if (total != size) throw new ChecksumMismatch("the object holds " + total + " bytes, not " + size);
            expected.check(actual, crc);
        } catch (ChecksumMismatch e) {
            delete(name);
            // The multipart upload is consumed by its completion: forgotten too, or its record would name an upload
            // the bucket no longer has, which no abort (the client's or housekeeping's) could ever remove.
            forget(uploadId, partKeys);
            throw e;
        }
        forget(uploadId, partKeys);
        return new Stored(size, actual, crc);
    }

    @Override
    public void abortParts(String uploadId) throws IOException {
        String[] u;
        try {
            u = upload(uploadId);
        } catch (java.nio.file.NoSuchFileException gone) {
            return;
        }
        try {
            s3(() -> s3.abortMultipartUpload(b -> b.bucket(bucket).key(u[0]).uploadId(u[1])));
        } catch (java.nio.file.NoSuchFileException alreadyGone) {
            // The bucket has no such upload any more (completed, or aborted by a lifecycle rule): only our record is left.
        }
        forget(uploadId, partKeys(uploadId));
    }

    private static String partKey(String uploadId, int partNumber) {
        return UPLOADS + uploadId + ".part-" + partNumber;
    }

    private List<String> partKeys(String uploadId) throws IOException {
        List<String> keys = new ArrayList<>();
        for (var o : s3(() -> s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(UPLOADS + uploadId + ".part-")).contents())) {
            keys.add(o.key());
        }
        return keys;
    }

    /** Removes what we kept about an upload in the bucket. */
    private void forget(String uploadId, List<String> partKeys) throws IOException {
        for (String key : partKeys) s3(() -> s3.deleteObject(b -> b.bucket(bucket).key(key)));
        s3(() -> s3.deleteObject(b -> b.bucket(bucket).key(UPLOADS + uploadId)));
    }

    @Override
    public Optional<Long> size(String name) throws IOException {
        try {
            return Optional.of(s3(() -> s3.headObject(b -> b.bucket(bucket).key(name)).contentLength()));
        } catch (java.nio.file.NoSuchFileException gone) {
            return Optional.empty();
        }
    }

    @Override
    public InputStream open(String name) throws IOException {
        return s3(() -> s3.getObject(b -> b.bucket(bucket).key(name)));
    }

    @Override
    public InputStream open(String name, long offset) throws IOException {
        if (offset == 0) return open(name);
        return s3(() -> s3.getObject(b -> b.bucket(bucket).key(name).range("bytes=" + offset + "-")));
    }

    @Override
    public void delete(String name) throws IOException {
        s3(() -> s3.deleteObject(b -> b.bucket(bucket).key(name)));
    }

    @Override
    public void forEachObjectWrittenBefore(java.time.Instant before, NameVisitor visitor) throws IOException {
        for (var o : s3(() -> s3.listObjectsV2Paginator(b -> b.bucket(bucket)).contents())) {
            if (o.key().startsWith(UPLOADS) || o.lastModified() == null || !o.lastModified().isBefore(before)) continue;
            visitor.visit(o.key());
        }
    }

    /**
     * Uploads whose record in the bucket ({@code .omix-uploads/<upload id>}) is older than {@code before}. A multipart
     * upload the bucket began with no record written after it (a server killed between the two calls) is left to the
     * bucket's own rule for incomplete uploads (docs/operations.md).
     */
    @Override
    public void forEachUploadStagedBefore(java.time.Instant before, NameVisitor visitor) throws IOException {
        List<String> old = new ArrayList<>();
        for (var o : s3(() -> s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(UPLOADS)).contents())) {
            String uploadId = o.key().substring(UPLOADS.length());
            if (uploadId.contains(".part-") || o.lastModified() == null || !o.lastModified().isBefore(before)) continue;
            old.add(uploadId);
        }
        for (String uploadId : old) visitor.visit(uploadId);
    }

    /** Bodies spooled to the temporary directory by a server killed while sending them. */
    @Override
    public long removeScratch(java.time.Instant before) throws IOException {
        return io.omix.server.common.io.ScratchFiles.removeOlderThan(Path.of(System.getProperty("java.io.tmpdir")), before,
                name -> name.startsWith(SPOOL_PREFIX) && name.endsWith(".part"));
    }

    @FunctionalInterface
    private interface Call<T> {
        T run();
    }

    /** S3 failures as the IOExceptions the callers map to API errors; a missing key as NoSuchFileException. */
    private static <T> T s3(Call<T> call) throws IOException {
        try {
            return call.run();
        } catch (NoSuchKeyException e) {
            throw new java.nio.file.NoSuchFileException(e.getMessage());
        } catch (S3Exception e) {
            if (e.statusCode() == 404) throw new java.nio.file.NoSuchFileException(e.getMessage());
            throw new IOException("object store: " + e.getMessage(), e);
        } catch (SdkException e) {
            throw new IOException("object store unreachable: " + e.getMessage(), e);
        }
    }
}
