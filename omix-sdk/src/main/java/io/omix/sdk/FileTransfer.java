package io.omix.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.omix.sdk.internal.ClientConfig;
import io.omix.sdk.internal.Json;
import io.omix.sdk.internal.Signing;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Uploads with credentials from {@code /sts/token} and downloads through signed URLs: bodies stream
 * from and to disk, so memory stays constant whatever the size. Requests are signed with the
 * credentials' secret (docs/api.md, "Files"); parts are retried on their own, and an upload begun
 * again with the same credentials resumes, sending only the parts the server does not hold.
 */
final class FileTransfer implements AutoCloseable {
    private static final int BUFFER = 1 << 16;
    private static final int RECEIVE_BUFFER = 1 << 18;

    private record Credentials(String accessKeyId, byte[] secret, String token, Instant expiration, String destination, URI endpoint) {}

    private final Api api;
    private final ClientConfig config;
    private final HttpClient http;
    private final ExecutorService clientThreads;
    /** Watches transfers for stalls ({@link StallWatch}). */
    private final java.util.concurrent.ScheduledExecutorService timer;
    /** Upload bodies under way from this client at once: as many as a server takes from one owner. */
    private final java.util.concurrent.Semaphore bodies = new java.util.concurrent.Semaphore(8);
    private Credentials credentials;

    /**
     * A transfer helper with its own HTTP client and threads (close it to release them).
     *
     * @param api    the client whose {@code getUploadToken} and {@code getDownloadUrl} are called
     * @param config the client's settings: its timeout bounds connecting, its retries and backoff apply to upload requests
     */
    FileTransfer(Api api, ClientConfig config) {
        this.api = api;
        this.config = config;
        this.clientThreads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "omix-file-transfer");
            t.setDaemon(true);
            return t;
        });
        java.util.concurrent.ScheduledThreadPoolExecutor watch = new java.util.concurrent.ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "omix-transfer-watch");
            t.setDaemon(true);
            return t;
        });
        // A finished transfer's check leaves the queue at once, and the thread goes when no transfer is watched.
        watch.setRemoveOnCancelPolicy(true);
        watch.setKeepAliveTime(5, java.util.concurrent.TimeUnit.SECONDS);
        watch.allowCoreThreadTimeOut(true);
        this.timer = watch;
        io.omix.sdk.internal.HttpBuffers.prefer();
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(config.timeout())
                .executor(clientThreads).build();
    }

    /** The options' credentials when given, else the client's own with at least five minutes left, fetched again when needed. */
    private synchronized Credentials credentials(UploadOptions options) {
        if (options.credentials() != null) return parse(options.credentials());
        if (credentials == null || credentials.expiration().isBefore(Instant.now().plusSeconds(300))) {
            credentials = parse(api.getUploadToken());
        }
        return credentials;
    }

    private static Credentials parse(Model token) {
        Model c = token.getModel("credentials");
        if (c == null) throw new IllegalArgumentException("not an upload token: " + token.keySet());
        return new Credentials(c.getString("access_key_id"), c.getString("access_key_secret").getBytes(StandardCharsets.UTF_8),
                c.getString("security_token"), Instant.parse(c.getString("expiration")), token.getString("destination"),
                URI.create(token.getString("endpoint")));
    }

    /**
     * Checks that an object will be written directly under the credentials' destination.
     *
     * @param filename the name to check
     * @throws IllegalArgumentException when it is empty, {@code .} or {@code ..}, or holds {@code /} or {@code \}
     */
    static void checkFilename(String filename) {
        if (filename == null || filename.isEmpty() || filename.contains("/") || filename.contains("\\") || filename.equals(".") || filename.equals("..")) {
            throw new IllegalArgumentException("filename must be a plain file name without '/': " + filename);
        }
    }

    /**
     * Uploads bytes in one signed {@code PUT /objects/...}, whatever their size.
     *
     * @param filename the object's name under the credentials' destination
     * @param bytes    the content
     * @param options  the credentials and listener to use (thresholds do not apply)
     * @return the object name, {@code destination/filename}
     * @throws IllegalArgumentException when {@code filename} is not a plain file name, or the options' credentials are not an upload token
     * @throws OmixException            when the platform refuses (e.g. {@link AuthenticationException} for expired credentials,
     *                                  code 42003 for bytes that arrived damaged) or cannot be reached after the retries
     */
    String upload(String filename, byte[] bytes, UploadOptions options) {
        checkFilename(filename);
        Credentials c = credentials(options);
        String name = c.destination() + "/" + filename;
        String sha = hex(digest().digest(bytes));
        options.listener().progress(0, bytes.length);
        JsonNode answer = send(c, "PUT", "/objects/" + encodePath(name), () -> HttpRequest.BodyPublishers.ofByteArray(bytes), sha, null, bytes.length);
        options.listener().progress(bytes.length, bytes.length);
        return answer.path("object_name").asText();
    }

    /**
     * Uploads a stream's bytes: spooled to a temporary file (deleted afterwards), then sent as a file is.
     *
     * @param filename the object's name under the credentials' destination
     * @param in       the content, read to its end (not closed)
     * @param options  how to send it
     * @return the object name, {@code destination/filename}
     * @throws UncheckedIOException     when the stream cannot be read or the temporary file written
     * @throws IllegalArgumentException when {@code filename} is not a plain file name, or the options' credentials are not an upload token
     * @throws OmixException            when the platform refuses (e.g. {@link AuthenticationException} for expired credentials,
     *                                  code 42003 for bytes that arrived damaged) or cannot be reached after the retries
     */
    String upload(String filename, InputStream in, UploadOptions options) {
        checkFilename(filename);
        Path spool = null;
        try {
            // A stream can be read once: spooled to a temporary file so parts can be hashed, sent and resent.
            spool = Files.createTempFile("omix-upload-", ".tmp");
            Files.copy(in, spool, StandardCopyOption.REPLACE_EXISTING);
            return upload(filename, spool, options);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot spool the upload to a temporary file", e);
        } finally {
            if (spool != null) {
                try {
                    Files.deleteIfExists(spool);
                } catch (IOException ignored) {
                    // a temporary file
                }
            }
        }
    }

    /**
     * Uploads a file: in one request below the multipart threshold, otherwise in parts sent in parallel
     * and resumed (parts the server already holds are not sent again).
     *
     * @param filename the object's name under the credentials' destination
     * @param file     the file, read as it is sent
     * @param options  how to send it
     * @return the object name, {@code destination/filename}
     * @throws UncheckedIOException     when the file cannot be read
     * @throws IllegalArgumentException when {@code filename} is not a plain file name, or the options' credentials are not an upload token
     * @throws OmixException            when the platform refuses (e.g. {@link AuthenticationException} for expired credentials,
     *                                  code 42003 for bytes that arrived damaged) or cannot be reached after the retries
     */
    String upload(String filename, Path file, UploadOptions options) {
        checkFilename(filename);
        try {
            long size = Files.size(file);
            Credentials c = credentials(options);
            String name = c.destination() + "/" + filename;
            TransferListener listener = options.listener();
            if (size < options.multipartThreshold()) {
                String sha = hash(file, 0, size);
                AtomicLong done = new AtomicLong();
                JsonNode answer = send(c, "PUT", "/objects/" + encodePath(name), () -> {
                    done.set(0); // a retry starts again
                    return region(file, 0, size, n -> listener.progress(done.addAndGet(n), size));
                }, sha, null, size);
                listener.progress(size, size);
                return answer.path("object_name").asText();
            }
            return multipart(c, name, file, size, options);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private String multipart(Credentials c, String name, Path file, long size, UploadOptions options) throws IOException {
        long partSize = options.partSize();
        // The whole file's CRC-32C is needed only at completion: computed while the parts travel. Each part
        // goes with its SHA-256 (the server checks it); the whole-object check is about assembly, and a
        // CRC reads at memory speed where a second SHA-256 of the whole file would take a core away.
        java.util.concurrent.CompletableFuture<String> whole = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return crc32c(file, size);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, clientThreads);
        Map<String, Object> start = Map.of("object_name", name, "size", size, "part_size", partSize);
        byte[] startBody = Json.MAPPER.writeValueAsBytes(start);
        JsonNode upload = send(c, "POST", "/uploads", () -> HttpRequest.BodyPublishers.ofByteArray(startBody), hex(digest().digest(startBody)),
                "application/json", 0);
        String uploadId = io.omix.sdk.internal.PathSegment.of("upload_id", upload.path("upload_id").asText());
        int count = upload.path("part_count").asInt();
        Map<Integer, String> held = new HashMap<>();
        for (JsonNode part : upload.path("parts")) held.put(part.path("part_number").asInt(), part.path("sha256").asText());

        TransferListener listener = options.listener();
        AtomicLong done = new AtomicLong();
        listener.progress(0, size);
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(options.threads(), count), r -> {
            Thread t = new Thread(r, "omix-upload-part");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> sent = new ArrayList<>();
            for (int number = 1; number <= count; number++) {
                final int n = number;
                final long offset = (n - 1) * partSize;
                final long length = Math.min(partSize, size - offset);
                sent.add(pool.submit(() -> {
                    String sha = hash(file, offset, length);
                    if (sha.equals(held.get(n))) { // the server holds this part already
                        listener.progress(done.addAndGet(length), size);
                        return null;
                    }
                    AtomicLong sentOfPart = new AtomicLong();
                    send(c, "PUT", "/uploads/" + uploadId + "/parts/" + n, () -> {
                        done.addAndGet(-sentOfPart.getAndSet(0)); // a retried part counts again from zero
                        return region(file, offset, length, bytes -> {
                            sentOfPart.addAndGet(bytes);
                            listener.progress(done.addAndGet(bytes), size);
                        });
                    }, sha, null, length);
                    return null;
                }));
            }
            for (Future<?> f : sent) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof RuntimeException re) throw re;
                    throw new TransportException("part upload failed: " + cause, cause, 1);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException("interrupted during an upload");
        } finally {
            pool.shutdownNow();
        }
        byte[] completeBody;
        try {
            completeBody = Json.MAPPER.writeValueAsBytes(Map.of("crc32c", whole.join()));
        } catch (java.util.concurrent.CompletionException e) {
            throw new UncheckedIOException("cannot read " + file, new IOException(e.getCause()));
        }
        JsonNode object;
        try {
            object = send(c, "POST", "/uploads/" + uploadId + "/complete", () -> HttpRequest.BodyPublishers.ofByteArray(completeBody),
                    hex(digest().digest(completeBody)), "application/json", size);
        } catch (ApiException gone) {
            // A completion sent again after the first was recorded (its answer lost on the way) finds the upload gone (42004):
            // done if the object stands under its name with these bytes, which the caller was told had failed before.
            if (gone.code() != 42004 || gone.attempts() < 2 || !stored(name, size, whole.join())) throw gone;
            object = Json.MAPPER.createObjectNode().put("object_name", name);
        }
        listener.progress(size, size);
        return object.path("object_name").asText();
    }

    /** Whether {@code name} is stored with {@code size} bytes of CRC-32C {@code crc32c}: its signed link's headers (HEAD) say. */
    private boolean stored(String name, long size, String crc32c) {
        try {
            String url = api.getDownloadUrl(name).getString("url");
            HttpResponse<Void> head = sendToLink(HttpRequest.newBuilder(URI.create(url)).timeout(config.timeout())
                            .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.discarding(), none -> { });
            return head.statusCode() == 200 && head.headers().firstValueAsLong("Content-Length").orElse(-1) == size
                    && head.headers().firstValue("X-Omix-Content-CRC32C").map(crc32c::equalsIgnoreCase).orElse(false);
        } catch (IOException | RuntimeException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The body of a part: the file's bytes from offset, read as they are sent, counted into the listener. */
    private static HttpRequest.BodyPublisher region(Path file, long offset, long length, java.util.function.LongConsumer sent) {
        // An empty file is a body of no bytes (the JDK takes no publisher of a length of 0).
        if (length == 0) return HttpRequest.BodyPublishers.noBody();
        return HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> {
            try {
                FileChannel ch = FileChannel.open(file, StandardOpenOption.READ).position(offset);
                InputStream limited = new BoundedStream(Channels.newInputStream(ch), length);
                return new FilterInputStream(limited) {
                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        int n = super.read(b, off, len);
                        if (n > 0) sent.accept(n);
                        return n;
                    }
                };
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }), length);
    }

    /**
     * Sends a signed request to the object store, retrying failed connections and transfers that stalled (no byte moved
     * for the client's timeout, or no answer once the body is sent for that long, plus a second for each 16 MiB the
     * server handles: {@code handled}); the envelope's data.
     */
    private JsonNode send(Credentials c, String method, String path, java.util.function.Supplier<HttpRequest.BodyPublisher> body,
                          String sha256, String contentType, long handled) {
        URI uri = URI.create(c.endpoint().toString().replaceAll("/+$", "") + path);
        int attempts = config.maxRetries() + 1;
        long waited = 0;
        // A body's request: its headers go first, and it takes one of this client's body turns.
        boolean withBody = method.equals("PUT");
        for (int attempt = 1; ; attempt++) {
            String timestamp = String.valueOf(Instant.now().getEpochSecond());
            String nonce = Signing.nonce();
            String canonical = Signing.canonicalWithBodyHash(method, uri.getRawPath(), uri.getRawQuery(), sha256, timestamp, nonce);
            HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                    // A body's headers first: a refusal before the body is read (429 for an owner's ninth body at once, 413)
                    // comes back before the body is sent, instead of a connection closed on a body half sent.
                    .expectContinue(withBody)
                    .header("X-Omix-Access-Key-Id", c.accessKeyId())
                    .header("X-Omix-Security-Token", c.token())
                    .header("X-Omix-Timestamp", timestamp)
                    .header("X-Omix-Nonce", nonce)
                    .header("X-Omix-Content-SHA256", sha256)
                    .header("X-Omix-Signature", Signing.sign(c.secret(), canonical))
                    .header("Content-Type", contentType == null ? "application/octet-stream" : contentType);
            HttpResponse<byte[]> response;
            try {
                // A server takes eight bodies at once from one owner: this client sends no more than that, whatever its threads.
                if (withBody) bodies.acquire();
                try {
                    response = exchange(b, method, body.get(), config.timeout().plusSeconds(handled >> 24), method + " " + uri.getRawPath());
                } finally {
                    if (withBody) bodies.release();
                }
            } catch (IOException e) {
                if (attempt < attempts) {
                    pause(attempt);
                    continue;
                }
                throw new TransportException(method + " " + uri.getRawPath() + " failed after " + attempt + " attempts: " + e, e, attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TransportException("interrupted during a transfer", e, attempt);
            }
            // 409: the server holds this upload's bytes for another request (a part still arriving): nothing changed, retry.
            if ((response.statusCode() >= 500 || response.statusCode() == 409) && attempt < attempts) {
                pause(attempt);
                continue;
            }
            // 429: the owner sends the server as many upload bodies as it takes at once (another client of the same person,
            // or of the same application, sending too), or used its calls of the minute: nothing was stored; the body is sent
            // again after Retry-After, not counted as a failure, while the waits add up to no more than maxRetryAfter.
            long retryAfter = waitAfter429(response, waited);
            if (retryAfter >= 0) {
                waited += retryAfter;
                attempt--;
                sleep(retryAfter * 1000 + ThreadLocalRandom.current().nextLong(250));
                continue;
            }
            JsonNode root;
            try {
                root = Json.MAPPER.readTree(response.body());
            } catch (IOException e) {
                throw new TransportException("HTTP " + response.statusCode() + " from " + uri.getRawPath() + " is not JSON", e, attempt, response.statusCode());
            }
            if (root == null || !root.path("code").isIntegralNumber()) {
                throw new TransportException("HTTP " + response.statusCode() + " from " + uri.getRawPath(), null, attempt, response.statusCode());
            }
            if (root.get("code").intValue() != 0) {
                throw io.omix.sdk.internal.HttpTransport.explained(root.get("code").intValue(), root.path("msg").asText(""), root.get("data"),
                        response.statusCode(), response.headers().firstValue("X-Request-Id").orElse(null), attempt, false);
            }
            return root.path("data");
        }
    }

    /** One attempt of {@link #send}, broken off (as an {@link IOException}) when it stalls. */
    private HttpResponse<byte[]> exchange(HttpRequest.Builder b, String method, HttpRequest.BodyPublisher body, Duration answerWait, String what)
            throws IOException, InterruptedException {
        java.util.concurrent.atomic.AtomicReference<java.util.concurrent.CompletableFuture<?>> running = new java.util.concurrent.atomic.AtomicReference<>();
        try (StallWatch watch = new StallWatch(timer, config.timeout(), false, () -> {
            java.util.concurrent.CompletableFuture<?> f = running.get();
            if (f != null) f.cancel(true);
        })) {
            java.util.concurrent.CompletableFuture<HttpResponse<byte[]>> f = http.sendAsync(b.method(method, watch.counting(body, answerWait)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            running.set(f);
            if (watch.fired()) f.cancel(true);   // it stalled before the exchange could be named
            try {
                return f.get();
            } catch (java.util.concurrent.CancellationException cancelled) {
                throw watch.stalled(what);
            } catch (ExecutionException e) {
                if (watch.fired()) throw watch.stalled(what);
                Throwable cause = e.getCause();
                if (cause instanceof IOException io) throw io;
                if (cause instanceof RuntimeException re) throw re;
                throw new IOException(cause);
            } catch (InterruptedException e) {
                f.cancel(true);
                throw e;
            }
        }
    }

    /**
     * Sends a request to a signed link: each use of a link is a call of the grant it was made under, and refused with 429
     * while its person or application has used the calls of the minute, it is sent again after Retry-After, as an API call
     * is, while the waits add up to no more than maxRetryAfter (none when maxRetries is 0).
     */
    private <T> HttpResponse<T> sendToLink(HttpRequest request, HttpResponse.BodyHandler<T> handler, java.util.function.Consumer<T> discard)
            throws IOException, InterruptedException {
        for (long waited = 0; ; ) {
            HttpResponse<T> response = http.send(request, handler);
            long retryAfter = waitAfter429(response, waited);
            if (retryAfter < 0) return response;
            discard.accept(response.body());
            waited += retryAfter;
            sleep(retryAfter * 1000 + ThreadLocalRandom.current().nextLong(250));
        }
    }

    /** The seconds to wait before sending again a request answered {@code response}, having waited {@code waited}: -1 for none. */
    private long waitAfter429(HttpResponse<?> response, long waited) {
        long retryAfter = response.statusCode() == 429 && config.maxRetries() > 0 ? retryAfterSeconds(response) : -1;
        return retryAfter >= 0 && (waited + retryAfter) * 1000 <= config.maxRetryAfter().toMillis() ? retryAfter : -1;
    }

    /** The whole seconds a 429's {@code Retry-After} asks for (at least 1; 1 when it names none), or -1 when it is no number. */
    private static long retryAfterSeconds(HttpResponse<?> response) {
        String value = response.headers().firstValue("Retry-After").orElse("1").trim();
        return value.matches("[0-9]{1,6}") ? Math.max(1, Long.parseLong(value)) : -1;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException("interrupted while waiting to retry");
        }
    }

    private void pause(int attempt) {
        long bound = Math.min(config.backoffMax().toMillis(), config.backoffBase().toMillis() << Math.min(attempt - 1, 20));
        sleep(ThreadLocalRandom.current().nextLong(bound + 1));
    }

    /** A .part's bytes hashed both ways a download may be checked, before its request. */
    private record Held(java.util.zip.CRC32C crc, MessageDigest sha) {
        static Held of(Path partial, long length) throws IOException {
            Held held = new Held(new java.util.zip.CRC32C(), digest());
            try (InputStream in = new BoundedStream(Files.newInputStream(partial), length)) {
                byte[] buffer = new byte[RECEIVE_BUFFER];
                for (int n; (n = in.read(buffer)) != -1; ) {
                    held.crc.update(buffer, 0, n);
                    held.sha.update(buffer, 0, n);
                }
            }
            return held;
        }
    }

    /**
     * How a download is checked: CRC-32C when the server gives the object's (at memory speed, for large
     * bodies), else SHA-256 (hashed on a second thread so that it keeps up with the network).
     */
    private interface Check {
        void update(byte[] bytes, int offset, int length);

        /** Null when the bytes match, else what is wrong. */
        String mismatch();

        /** The check the answer's headers ask for, carrying on from the bytes {@code held} before it (or none: null). */
        static Check of(HttpResponse<?> response, Held held) {
            String crc = response.headers().firstValue("X-Omix-Content-CRC32C").orElse(null);
            if (crc != null) {
                java.util.zip.CRC32C c = held != null ? held.crc() : new java.util.zip.CRC32C();
                return new Check() {
                    public void update(byte[] bytes, int offset, int length) {
                        c.update(bytes, offset, length);
                    }

                    public String mismatch() {
                        String actual = hex(c);
                        return actual.equalsIgnoreCase(crc) ? null : "CRC-32C " + actual + ", expected " + crc;
                    }
                };
            }
            String expected = response.headers().firstValue("X-Omix-Content-SHA256").orElse(null);
            MessageDigest sha = held != null ? held.sha() : digest();
            return new Check() {
                public void update(byte[] bytes, int offset, int length) {
                    sha.update(bytes, offset, length);
                }

                public String mismatch() {
                    String actual = hex(sha.digest());
                    return expected == null || expected.equalsIgnoreCase(actual) ? null : "SHA-256 " + actual + ", expected " + expected;
                }

                public boolean slow() {
                    return true;
                }
            };
        }

        default boolean slow() {
            return false;
        }
    }

    /**
     * Streams an object through a fresh signed URL into {@code out}, checking it.
     *
     * @param objectName the caller's object
     * @param out        where the bytes go (not closed)
     * @param listener   who hears of the progress
     * @return the number of bytes written
     * @throws OmixException when the signed URL is refused (e.g. code 42007 for an unknown object),
     *                       or a {@link TransportException} when the download fails, breaks off or is corrupt
     */
    long download(String objectName, OutputStream out, TransferListener listener) {
        return fetch(objectName, () -> api.getDownloadUrl(objectName).getString("url"), null, out, listener);
    }

    /**
     * Downloads into {@code target}: bytes arrive in {@code target.part}, which a later call continues
     * from where it stopped (HTTP Range), and become {@code target} once complete and checked.
     *
     * @param objectName the caller's object
     * @param target     the file to write, replaced when it exists
     * @param listener   who hears of the progress
     * @return the size of the object
     * @throws UncheckedIOException when {@code target.part} or {@code target} cannot be written
     * @throws OmixException        when the signed URL is refused (e.g. code 42007 for an unknown object),
     *                              or a {@link TransportException} when the download fails, breaks off or is corrupt
     */
    long download(String objectName, Path target, TransferListener listener) {
        return download(objectName, () -> api.getDownloadUrl(objectName).getString("url"), target, listener);
    }

    /**
     * As {@link #download(String, Path, TransferListener)}, through a signed URL at hand (an export's).
     *
     * @param what      what is downloaded, for error messages
     * @param signedUrl gives the URL to fetch, asked once per call
     * @param target    the file to write, replaced when it exists
     * @param listener  who hears of the progress
     * @return the size of the download
     * @throws UncheckedIOException when {@code target.part} or {@code target} cannot be written
     * @throws TransportException   when the download fails, breaks off or is corrupt
     */
    long download(String what, java.util.function.Supplier<String> signedUrl, Path target, TransferListener listener) {
        Path partial = target.resolveSibling(target.getFileName() + ".part");
        try {
            boolean refetched = false;
            for (int broken = 0; ; ) {
                long size;
                try (OutputStream out = openPartial(partial)) {
                    size = fetch(what, signedUrl, partial, out, listener);
                } catch (StalePart stale) {
                    // The .part holds bytes of something else (an earlier export to the same path, an object replaced since):
                    // it failed every later call before. Dropped, and the whole object fetched once.
                    Files.deleteIfExists(partial);
                    if (refetched) throw stale.failure;
                    refetched = true;
                    continue;
                } catch (TransportException e) {
                    // Broken off (a connection lost, a body that stopped coming): continued from the .part, as a retry.
                    if (!(e.getCause() instanceof IOException) || ++broken > config.maxRetries()) throw e;
                    pause(broken);
                    continue;
                }
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                return size;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        }
    }

    /** A resumed download whose bytes held already do not belong to the object (its checksum, or the server's answer, says so). */
    private static final class StalePart extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final TransportException failure;

        StalePart(TransportException failure) {
            super(failure.getMessage(), null, false, false);
            this.failure = failure;
        }
    }

    /**
     * The .part file to append to: a new one readable by its owner only (a person's archive goes through it), never
     * through a link planted at its name (a link there is removed, not followed).
     */
    private static OutputStream openPartial(Path partial) throws IOException {
        if (Files.isSymbolicLink(partial)) Files.delete(partial);
        if (!Files.exists(partial, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            try {
                if (partial.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                    Files.createFile(partial, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
                } else {
                    Files.createFile(partial);
                }
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // another call made it at the same moment: appended to, as a resumed file is
            }
        }
        return Files.newOutputStream(partial, StandardOpenOption.APPEND, java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    /** Fetches the object, continuing after the bytes {@code partial} holds already (when given). */
    private long fetch(String objectName, java.util.function.Supplier<String> signedUrl, Path partial, OutputStream out, TransferListener listener) {
        long from;
        Held held;
        try {
            from = partial != null && Files.exists(partial) ? Files.size(partial) : 0;
            // The bytes held are hashed before asking (both ways: the answer says which applies): hashed after the answer's
            // headers, a large .part outlasted the server's idle timeout, and every resume of it failed.
            held = from > 0 ? Held.of(partial, from) : null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + partial, e);
        }
        String url = signedUrl.get();
        // The timeout bounds the wait for the answer's headers; the body is watched for stalls below.
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(config.timeout()).GET();
        if (from > 0) b.header("Range", "bytes=" + from + "-");
        HttpResponse<InputStream> response;
        try {
            response = sendToLink(b.build(), HttpResponse.BodyHandlers.ofInputStream(), FileTransfer::closeQuietly);
        } catch (IOException e) {
            throw new TransportException("download of " + objectName + " failed: " + e, e, 1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException("interrupted during a download", e, 1);
        }
        int status = response.statusCode();
        InputStream body = response.body();
        try (body; StallWatch watch = new StallWatch(timer, config.timeout(), true, () -> closeQuietly(body))) {
            InputStream in = watch.watching(body, "download of " + objectName);
            if (status != 200 && status != 206 && !(status == 416 && from > 0)) {
                throw new TransportException("download of " + objectName + ": HTTP " + status + " " + new String(in.readNBytes(300), StandardCharsets.UTF_8),
                        null, 1, status);
            }
            if (from > 0 && status == 200) throw new StalePart(new TransportException("the server ignored the Range request for " + objectName));
            Check check = Check.of(response, held);   // the bytes held already count towards the checksum
            long done = from;
            if (status != 416) { // 416: the partial file is whole already
                long total = from + response.headers().firstValueAsLong("Content-Length").orElse(-1);
                listener.progress(from, total);
                OutputStream sink = local(out);
                done = check.slow() ? receiveHashing(in, sink, check, from, total, listener) : receive(in, sink, check, from, total, listener);
            }
            String mismatch = check.mismatch();
            if (mismatch != null) {
                TransportException corrupt = new TransportException("download of " + objectName + " is corrupt: " + mismatch);
                if (from > 0) throw new StalePart(corrupt);   // the bytes held before may be what differs: fetched whole once
                throw corrupt;
            }
            return done;
        } catch (IOException e) {
            throw new TransportException(e instanceof java.net.http.HttpTimeoutException ? e.getMessage() + (partial == null ? ""
                    : "; a later download to the same file continues from " + partial.getFileName())
                    : "download of " + objectName + " broke off: " + e, e, 1);
        }
    }

    /**
     * {@code out}, its failures (a full disk) told apart from the network's: an UncheckedIOException, not a download that
     * broke off and is tried again.
     */
    private static OutputStream local(OutputStream out) {
        return new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                try {
                    out.write(b, off, len);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write the download", e);
                }
            }
        };
    }

    /** Closes a body under a read that stalled: the read ends, and the watch's wrapper reports why. */
    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException | RuntimeException ignored) {
            // the read it was meant to end fails or ends either way
        }
    }

    private static long receive(InputStream in, OutputStream out, Check check, long from, long total, TransferListener listener) throws IOException {
        byte[] buffer = new byte[RECEIVE_BUFFER];
        long done = from;
        for (int n; (n = in.read(buffer)) != -1; ) {
            out.write(buffer, 0, n);
            check.update(buffer, 0, n);
            done += n;
            listener.progress(done, total);
        }
        return done;
    }

    /**
     * As {@link #receive}, with the checksum computed on another thread: receiving, writing and hashing
     * overlap. A few buffers circulate between the two threads, so memory stays constant.
     */
    private long receiveHashing(InputStream in, OutputStream out, Check check, long from, long total, TransferListener listener) throws IOException {
        final int slots = 4;
        java.util.concurrent.BlockingQueue<byte[]> free = new java.util.concurrent.ArrayBlockingQueue<>(slots);
        java.util.concurrent.BlockingQueue<Object[]> toHash = new java.util.concurrent.ArrayBlockingQueue<>(slots + 1);
        for (int i = 0; i < slots; i++) free.add(new byte[RECEIVE_BUFFER]);
        Object[] end = new Object[0];
        Future<?> hasher = clientThreads.submit(() -> {
            for (Object[] item; (item = toHash.take()) != end; ) {
                byte[] b = (byte[]) item[0];
                check.update(b, 0, (Integer) item[1]);
                free.add(b);
            }
            return null;
        });
        long done = from;
        try {
            while (true) {
                byte[] b = free.take();
                int n = in.readNBytes(b, 0, b.length);
                if (n == 0) {
                    free.add(b);
                    break;
                }
                out.write(b, 0, n);
                toHash.put(new Object[]{b, n});
                done += n;
                listener.progress(done, total);
            }
            toHash.put(end);
            hasher.get();
            return done;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted during a download");
        } catch (ExecutionException e) {
            throw new IOException("hashing failed", e.getCause());
        } finally {
            hasher.cancel(true);
        }
    }

    private static String crc32c(Path file, long length) throws IOException {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        try (InputStream in = new BoundedStream(Files.newInputStream(file), length)) {
            byte[] buffer = new byte[RECEIVE_BUFFER];
            for (int n; (n = in.read(buffer)) != -1; ) crc.update(buffer, 0, n);
        }
        return hex(crc);
    }

    /** A CRC-32C as the server writes it: eight lower-case hex digits. */
    private static String hex(java.util.zip.CRC32C crc) {
        return String.format("%08x", crc.getValue());
    }

    private static String hash(Path file, long offset, long length) throws IOException {
        MessageDigest sha = digest();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ch.position(offset);
            InputStream in = new BoundedStream(Channels.newInputStream(ch), length);
            byte[] buffer = new byte[BUFFER];
            for (int n; (n = in.read(buffer)) != -1; ) sha.update(buffer, 0, n);
        }
        return hex(sha.digest());
    }

    /**
     * An object name as a URL path: each segment percent-encoded, spaces as {@code %20}, slashes kept.
     *
     * @param name the object name
     * @return the encoded path
     */
    static String encodePath(String name) {
        StringBuilder out = new StringBuilder();
        for (String segment : name.split("/", -1)) {
            if (out.length() > 0) out.append('/');
            out.append(io.omix.sdk.internal.PathSegment.of("each '/'-separated part of an object name", segment));
        }
        return out.toString();
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    @Override
    public void close() {
        clientThreads.shutdownNow();
        timer.shutdownNow();
    }

    /** At most {@code remaining} bytes of the underlying stream. */
    private static final class BoundedStream extends FilterInputStream {
        private long remaining;

        BoundedStream(InputStream in, long length) {
            super(in);
            this.remaining = length;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) return -1;
            int b = super.read();
            if (b >= 0) remaining--;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) return -1;
            int n = super.read(b, off, (int) Math.min(len, remaining));
            if (n > 0) remaining -= n;
            return n;
        }
    }
}
