package io.omix.sdk;

import io.omix.sdk.internal.ClientConfig;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A transfer no byte of which moves for the client's timeout is broken off and retried, whether the body stops coming
 * (a download), stops being taken (an upload) or is taken and never answered; one whose caller is slow with what it
 * reads is not. Without the watch each of these calls waited for good.
 */
class TransferStallTest {
    static final Duration TIMEOUT = Duration.ofMillis(500);
    static TestServer server;
    static Api alice;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start();
        Identity.Client client = Identity.confidentialClient(server);
        OAuth2 oauth2 = OAuth2.builder(client.id(), client.secret()).endpoint(server.url()).build();
        alice = FilesTest.token(oauth2, Identity.user(server, "stall", "stall@example.org"), null).api();
    }

    @AfterAll
    static void stop() {
        alice.close();
        server.close();
    }

    /** A transfer helper with a short timeout and one retry, for {@link #alice}. */
    private static FileTransfer tight() {
        return new FileTransfer(alice, new ClientConfig(URI.create(server.url()), 1, TIMEOUT, false, Duration.ofMillis(10),
                Duration.ofMillis(20), Duration.ofSeconds(5)));
    }

    @Test
    void aDownloadWhoseBodyStopsComingIsBrokenOffAndItsPartKept(@TempDir Path dir) throws Exception {
        try (Stalling stalling = new Stalling(Stalling.Mode.SEND_SOME_THEN_HANG); FileTransfer transfer = tight()) {
            Path target = dir.resolve("stalled.bin");
            long started = System.nanoTime();
            TransportException e = assertThrows(TransportException.class,
                    () -> transfer.download("stalled.bin", () -> stalling.url() + "/object", target, (done, total) -> { }));
            assertTrue(e.getMessage().contains("no byte moved for 500 ms"), e.getMessage());
            assertTrue(e.getMessage().contains("a later download to the same file continues from stalled.bin.part"), e.getMessage());
            assertTrue(System.nanoTime() - started < Duration.ofSeconds(10).toNanos(), "broken off, not waited for");
            assertTrue(Files.size(dir.resolve("stalled.bin.part")) <= 1000, "what was written stays for the next call");
            assertEquals(2, stalling.connections(), "continued once from the .part within the call, as a retry");
        }
    }

    @Test
    void anUploadWhoseBodyIsNotTakenIsBrokenOffAndRetried() throws Exception {
        try (Stalling stalling = new Stalling(Stalling.Mode.READ_NOTHING); FileTransfer transfer = tight()) {
            byte[] body = new byte[64 << 20];   // more than the sockets' buffers take
            TransportException e = assertThrows(TransportException.class, () -> transfer.upload("big.bin", body, stalling.credentials()));
            assertTrue(e.getMessage().contains("no byte moved"), e.getMessage());
            assertEquals(2, e.attempts());
            assertEquals(2, stalling.connections(), "sent again once, as a broken connection is");
        }
    }

    @Test
    void anUploadTakenAndNeverAnsweredIsBrokenOffAndRetried() throws Exception {
        try (Stalling stalling = new Stalling(Stalling.Mode.READ_ALL_NEVER_ANSWER); FileTransfer transfer = tight()) {
            long started = System.nanoTime();
            TransportException e = assertThrows(TransportException.class, () -> transfer.upload("small.bin", new byte[1000], stalling.credentials()));
            assertTrue(e.getMessage().contains("no byte moved"), e.getMessage());
            assertEquals(2, stalling.connections());
            assertTrue(System.nanoTime() - started < Duration.ofSeconds(10).toNanos());
        }
    }

    /**
     * A watched stream is watched only while a read waits: not before the first read (a resumed download first checks
     * the bytes its .part holds, which may take longer than the timeout), nor between reads; a read that waits too long
     * is broken off as a stall.
     */
    @Test
    void aStreamIsWatchedOnlyWhileAReadWaits() throws Exception {
        java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        java.io.PipedOutputStream writer = new java.io.PipedOutputStream();
        java.io.PipedInputStream pipe = new java.io.PipedInputStream(writer);
        AtomicInteger stalls = new AtomicInteger();
        try (StallWatch watch = new StallWatch(timer, Duration.ofMillis(100), true, () -> {
            stalls.incrementAndGet();
            try {
                writer.close();
            } catch (IOException ignored) {
                // the read ends either way
            }
        })) {
            InputStream in = watch.watching(pipe, "test");
            Thread.sleep(400);
            assertEquals(0, stalls.get(), "not before the first read");
            writer.write(7);
            assertEquals(7, in.read());
            Thread.sleep(400);
            assertEquals(0, stalls.get(), "not between reads");
            java.net.http.HttpTimeoutException e = assertThrows(java.net.http.HttpTimeoutException.class, in::read);
            assertTrue(e.getMessage().contains("no byte moved for 100 ms"), e.getMessage());
            assertEquals(1, stalls.get());
        } finally {
            timer.shutdownNow();
        }
    }

    /** A caller slower with each buffer than the timeout is no stall: the download completes, whole. */
    @Test
    void aSlowReaderIsNoStall() throws Exception {
        byte[] content = new byte[3 << 20];
        new Random(11).nextBytes(content);
        String name = alice.upload("slowly.bin", content);
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        AtomicInteger writes = new AtomicInteger();
        OutputStream slow = new OutputStream() {
            @Override
            public void write(int b) {
                received.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                if (writes.getAndIncrement() < 2) {
                    try {
                        Thread.sleep(3 * TIMEOUT.toMillis());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                received.write(b, off, len);
            }
        };
        try (FileTransfer transfer = tight()) {
            assertEquals(content.length, transfer.download(name, slow, (done, total) -> { }));
        }
        assertArrayEquals(content, received.toByteArray());
    }

    /** A client's views move files with the client's own transfer threads, which go when the client is closed. */
    @Test
    void viewsShareTheirClientsTransfersAndTheyGoWithIt() throws Exception {
        java.util.Set<Thread> before = watchThreads();
        Api client = Api.builder(alice.accessToken()).endpoint(server.url()).build();
        String name = client.upload("shared.txt", "one");
        Api view = client.with(RequestOptions.timeout(Duration.ofSeconds(30)));
        view.upload("shared-too.txt", "two");
        ByteArrayOutputStream back = new ByteArrayOutputStream();
        view.with(RequestOptions.timeout(Duration.ofSeconds(20))).download(name, back);
        assertEquals("one", back.toString(StandardCharsets.UTF_8));
        assertEquals(1, newSince(before), "one set of transfer threads for the client and its views");
        client.close();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (newSince(before) > 0 && System.nanoTime() < deadline) Thread.sleep(20);
        assertEquals(0, newSince(before), "closed with the client");
    }

    private static java.util.Set<Thread> watchThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && t.getName().equals("omix-transfer-watch"))
                .collect(java.util.stream.Collectors.toSet());
    }

    /** Transfer watch threads alive now that were not in {@code before}. */
    private static long newSince(java.util.Set<Thread> before) {
        return watchThreads().stream().filter(t -> !before.contains(t)).count();
    }

    /** A server that stops in the middle of an exchange, in one of three ways. */
    static final class Stalling implements AutoCloseable {
        enum Mode { SEND_SOME_THEN_HANG, READ_NOTHING, READ_ALL_NEVER_ANSWER }

        private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final AtomicInteger connections = new AtomicInteger();
        private final Mode mode;

        Stalling(Mode mode) throws IOException {
            this.mode = mode;
            // Small receive buffers, so that a body the server does not read stops being taken soon.
            socket.setReceiveBufferSize(16 * 1024);
            Thread acceptor = new Thread(this::accept, "stalling-server");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        String url() {
            return "http://127.0.0.1:" + socket.getLocalPort();
        }

        int connections() {
            return connections.get();
        }

        /** Alice's upload credentials, aimed at this server. */
        UploadOptions credentials() {
            Model token = alice.getUploadToken();
            return UploadOptions.builder().credentials(Model.parse(token.dumps().replace(token.getString("endpoint"), url()))).build();
        }

        private void accept() {
            while (!socket.isClosed()) {
                try {
                    Socket s = socket.accept();
                    connections.incrementAndGet();
                    Thread t = new Thread(() -> serve(s), "stalling-connection");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException closed) {
                    return;
                }
            }
        }

        private void serve(Socket s) {
            try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                String head = head(in);
                switch (mode) {
                    case SEND_SOME_THEN_HANG -> {
                        out.write("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                        out.write(new byte[1000]);
                        out.flush();
                    }
                    case READ_NOTHING -> { }
                    case READ_ALL_NEVER_ANSWER -> {
                        int length = 0;
                        for (String line : head.split("\r\n")) {
                            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) length = Integer.parseInt(line.substring(15).trim());
                        }
                        in.readNBytes(length);
                    }
                }
                Thread.sleep(30_000);
            } catch (IOException | InterruptedException gone) {
                // the client broke the exchange off
            }
        }

        private static String head(InputStream in) throws IOException {
            StringBuilder head = new StringBuilder();
            for (int b; (b = in.read()) >= 0; ) {
                head.append((char) b);
                if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) break;
            }
            return head.toString();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
