package io.omix.server.webhooks;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A webhook request goes to the addresses the URL policy checked, and nowhere else: the host is looked up once per
 * connection, by the check, and TLS still holds the receiver's certificate to the host name. Before, the check looked the
 * name up and the HTTP client looked it up again to connect, so a name that answered a public address to the first
 * lookup and an internal one to the second (DNS rebinding) reached the internal one.
 * <p>The receiver is an HTTPS server on loopback with a certificate for {@code receiver.test}; the names are the test's
 * own ({@code .test} never resolves in the system's DNS), so a request that arrives was connected by the check's answer.
 */
class WebhookSenderTest {
    private static final String PASSWORD = "changeit";
    /** A public address (example.org's) that nothing here can reach. */
    private static final String PUBLIC = "93.184.215.14";

    @TempDir
    static Path dir;
    static HttpsServer receiver;
    static final List<Map<String, List<String>>> received = new CopyOnWriteArrayList<>();
    static final List<String> bodies = new CopyOnWriteArrayList<>();
    static KeyStore trusted;
    static ExecutorService lookups;

    @BeforeAll
    static void startReceiver() throws Exception {
        Path keys = dir.resolve("receiver.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair",
                "-alias", "receiver", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=receiver.test", "-ext", "SAN=dns:receiver.test",
                "-validity", "2", "-keystore", keys.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD)
                .redirectErrorStream(true).start();
        String out = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, keytool.waitFor(), out);
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keys)) {
            store.load(in, PASSWORD.toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, PASSWORD.toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("receiver", store.getCertificate("receiver"));

        receiver = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.setHttpsConfigurator(new HttpsConfigurator(tls));
        // A receiver that hands out a cookie for its parent domain, and one whose answer's headers never end.
        receiver.createContext("/cookie", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("Set-Cookie", "session=tossed; Domain=test; Path=/");
            exchange.getResponseHeaders().add("Set-Cookie", "local=kept; Path=/");
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.createContext("/headers", exchange -> {
            exchange.getRequestBody().readAllBytes();
            for (int i = 0; i < 200; i++) exchange.getResponseHeaders().add("X-Filler-" + i, "x".repeat(1000));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.createContext("/", exchange -> {
            received.add(Map.copyOf(exchange.getRequestHeaders()));
            bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        lookups = Executors.newFixedThreadPool(2);
    }

    @AfterAll
    static void stopReceiver() {
        receiver.stop(0);
        lookups.shutdownNow();
    }

    /** A name server of the test's own: each name's answers in turn (the last one again once they run out), counted. */
    static final class Names implements UrlPolicy.NameLookup {
        final Map<String, List<String>> answers;
        final Map<String, AtomicInteger> asked = new ConcurrentHashMap<>();

        Names(Map<String, List<String>> answers) {
            this.answers = answers;
        }

        @Override
        public InetAddress[] addresses(String host) throws UnknownHostException {
            List<String> turns = answers.get(host);
            if (turns == null && (host.matches("[0-9.]+") || host.contains(":"))) return new InetAddress[] {InetAddress.getByName(host)}; // a literal
            if (turns == null) throw new UnknownHostException(host);
            int turn = asked.computeIfAbsent(host, h -> new AtomicInteger()).getAndIncrement();
            String[] literals = turns.get(Math.min(turn, turns.size() - 1)).split(",");
            InetAddress[] out = new InetAddress[literals.length];
            for (int i = 0; i < literals.length; i++) out[i] = InetAddress.getByName(literals[i]);
            return out;
        }

        int asked(String host) {
            AtomicInteger n = asked.get(host);
            return n == null ? 0 : n.get();
        }
    }

    private WebhookSender sender(UrlPolicy policy) {
        SslContextFactory.Client tls = new SslContextFactory.Client();
        tls.setTrustStore(trusted);
        return new WebhookSender(policy, lookups, Duration.ofMillis(500), tls);
    }

    private static String url(String host) {
        return "https://" + host + ":" + receiver.getAddress().getPort() + "/hook";
    }

    private static Throwable failure(java.util.concurrent.CompletableFuture<Integer> answer) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> answer.get(20, TimeUnit.SECONDS));
        return e.getCause();
    }

    private static <T extends Throwable> T among(Throwable failure, Class<T> kind) {
        for (Throwable t = failure; t != null; t = t.getCause()) if (kind.isInstance(t)) return kind.cast(t);
        return null;
    }

    @Test
    void aRequestGoesToTheAddressTheCheckApprovedWithTheHostsCertificate() throws Exception {
        received.clear();
        bodies.clear();
        assertThrows(UnknownHostException.class, () -> InetAddress.getAllByName("receiver.test"), "the system cannot look the name up");
        Names names = new Names(Map.of("receiver.test", List.of("127.0.0.1")));
        // Loopback over https is the development setting (allowHttpLoopback); the receiver sits there.
        try (WebhookSender sender = sender(new UrlPolicy(true, false, names))) {
            for (int i = 0; i < 3; i++) {
                int status = sender.post(URI.create(url("receiver.test")), Map.of("Omix-Webhook-Id", "evt_" + i), "{\"n\":" + i + "}",
                        Duration.ofSeconds(10)).get(20, TimeUnit.SECONDS);
                assertEquals(204, status);
            }
        }
        assertEquals(3, received.size());
        assertEquals(List.of("{\"n\":0}", "{\"n\":1}", "{\"n\":2}"), bodies);
        Map<String, List<String>> first = received.get(0);
        assertEquals(List.of("evt_0"), first.get("Omix-webhook-id"));
        assertEquals(List.of("Omix-Webhooks/1"), first.get("User-agent"), "no client library named");
        assertNull(first.get("Accept-encoding"), "no compression asked for");
        assertTrue(first.get("Content-type").get(0).startsWith("application/json"));
        assertEquals(List.of("receiver.test:" + receiver.getAddress().getPort()), first.get("Host"));
        assertTrue(names.asked("receiver.test") >= 1 && names.asked("receiver.test") <= 3, "looked up by the check, once per connection");
    }

    @Test
    void whatAReceiverAnswersIsBoundedAndNotCarriedToTheNextRequest() throws Exception {
        received.clear();
        Names names = new Names(Map.of("receiver.test", List.of("127.0.0.1")));
        try (WebhookSender sender = sender(new UrlPolicy(true, false, names))) {
            String base = "https://receiver.test:" + receiver.getAddress().getPort();
            assertEquals(204, sender.post(URI.create(base + "/cookie"), Map.of(), "{}", Duration.ofSeconds(10)).get(20, TimeUnit.SECONDS));
            assertEquals(204, sender.post(URI.create(base + "/hook"), Map.of(), "{}", Duration.ofSeconds(10)).get(20, TimeUnit.SECONDS));
            assertNull(received.get(received.size() - 1).get("Cookie"), "no cookie kept from one answer for the next request");
            // 200 KB of headers: refused by the client, not held until the deadline.
            Throwable failure = failure(sender.post(URI.create(base + "/headers"), Map.of(), "{}", Duration.ofSeconds(10)));
            assertNull(among(failure, java.util.concurrent.TimeoutException.class), "refused at once: " + failure);
        }
    }

    @Test
    void aNameThatAnswersAnInternalAddressAfterTheCheckCannotReachIt() {
        received.clear();
        // The attacker's name server: a public address to the first lookup, this machine's to every one after.
        Names rebinding = new Names(Map.of("receiver.test", List.of(PUBLIC, "127.0.0.1")));
        try (WebhookSender sender = sender(new UrlPolicy(false, false, rebinding))) {
            Throwable failure = failure(sender.post(URI.create(url("receiver.test")), Map.of(), "{}", Duration.ofSeconds(5)));
            assertNull(among(failure, UrlPolicy.Refused.class), "the check approved the public address: " + failure);
        }
        assertEquals(1, rebinding.asked("receiver.test"), "one lookup, the check's");
        assertEquals(0, received.size(), "nothing reached the internal receiver");
    }

    @Test
    void aHostWithOneRefusedAddressIsNotConnectedToAtAll() {
        received.clear();
        Names names = new Names(Map.of("receiver.test", List.of(PUBLIC + ",127.0.0.1"), "inside.test", List.of("10.1.2.3")));
        try (WebhookSender sender = sender(new UrlPolicy(false, false, names))) {
            UrlPolicy.Refused refused = among(failure(sender.post(URI.create(url("receiver.test")), Map.of(), "{}", Duration.ofSeconds(5))),
                    UrlPolicy.Refused.class);
            assertEquals(UrlPolicy.NOT_REACHABLE, refused.getMessage());
            refused = among(failure(sender.post(URI.create(url("inside.test")), Map.of(), "{}", Duration.ofSeconds(5))), UrlPolicy.Refused.class);
            assertEquals(UrlPolicy.NOT_REACHABLE, refused.getMessage());
            refused = among(failure(sender.post(URI.create(url("unknown.test")), Map.of(), "{}", Duration.ofSeconds(5))), UrlPolicy.Refused.class);
            assertEquals(UrlPolicy.NOT_REACHABLE, refused.getMessage(), "the same answer: the log tells no internal name from an unknown one");
            // Plain http reaches loopback only where the operator allows it (development), and this one does not.
            refused = among(failure(sender.post(URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook"), Map.of(), "{}",
                    Duration.ofSeconds(5))), UrlPolicy.Refused.class);
            assertTrue(refused.getMessage().startsWith("must be an https URL"), refused.getMessage());
        }
        assertEquals(0, received.size());
    }

    @Test
    void aCertificateForAnotherNameIsRefused() {
        received.clear();
        Names names = new Names(Map.of("other.test", List.of("127.0.0.1")));
        try (WebhookSender sender = sender(new UrlPolicy(true, false, names))) {
            Throwable failure = failure(sender.post(URI.create(url("other.test")), Map.of(), "{}", Duration.ofSeconds(5)));
            assertTrue(among(failure, SSLHandshakeException.class) != null, "the TLS handshake fails: " + failure);
        }
        assertEquals(0, received.size());
    }
}
