package io.omix.server.webhooks;

import org.eclipse.jetty.client.Destination;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Sends webhook requests to the addresses {@link UrlPolicy} approved, and to no others. The HTTP client asks this
 * class for a receiver's addresses when it opens a connection; the answer is the host looked up once and every
 * address checked, so there is no second lookup a re-pointed name (DNS rebinding) could answer differently. TLS still
 * checks the certificate against the host name and sends it as SNI. Straight to the receiver: no proxy (one would
 * look the host up itself), no redirects, no compression.
 */
final class WebhookSender implements AutoCloseable {
    private static final String USER_AGENT = "Omix-Webhooks/1";

    private final HttpClient http;

    /** @param lookups where name lookups run (a slow name server holds up its own delivery only) */
    WebhookSender(UrlPolicy policy, Executor lookups, Duration connectTimeout) {
        this(policy, lookups, connectTimeout, new SslContextFactory.Client());
    }

    /** @param tls whom receivers' certificates must chain to (the JDK's trusted roots in production) */
    WebhookSender(UrlPolicy policy, Executor lookups, Duration connectTimeout, SslContextFactory.Client tls) {
        tls.setEndpointIdentificationAlgorithm("HTTPS");
        tls.setTrustAll(false);
        http = new HttpClient();
        http.setSslContextFactory(tls);
        QueuedThreadPool threads = new QueuedThreadPool(8, 1);
        threads.setName("omix-webhooks-http");
        threads.setDaemon(true);
        http.setExecutor(threads);
        http.setFollowRedirects(false);
        http.setConnectTimeout(connectTimeout.toMillis());
        http.setIdleTimeout(Duration.ofSeconds(30).toMillis());
        http.setUserAgentField(new HttpField(HttpHeader.USER_AGENT, USER_AGENT));
        // What a receiver answers can hold only so much: headers within 16 KiB (unbounded by default, so a receiver streaming
        // header lines held memory for the whole deadline), no cookies kept (one receiver's cookies, for a parent domain,
        // would go to another application's receivers), and each receiver's connection pool dropped once idle (one per
        // host ever delivered to otherwise, which random host names would grow without end).
        http.setMaxResponseHeadersSize(16 * 1024);
        http.setHttpCookieStore(new HttpCookieStore.Empty());
        http.setDestinationIdleTimeout(Duration.ofMinutes(1).toMillis());
        http.setSocketAddressResolver((host, port, context, promise) -> {
            try {
                lookups.execute(() -> {
                    List<InetSocketAddress> approved = new ArrayList<>();
                    try {
                        // The scheme decides what may be reached (http only to loopback); without it, nothing may.
                        Object destination = context.get(Destination.CONTEXT_KEY);
                        if (!(destination instanceof Destination d)) throw new UrlPolicy.Refused("the receiver's address could not be checked");
                        for (InetAddress a : policy.deliveryAddresses(d.getOrigin().getScheme(), host)) {
                            // The checked address under the URL's host name, which TLS verifies the certificate against (and sends
                            // as SNI); getByAddress looks nothing up.
                            approved.add(new InetSocketAddress(InetAddress.getByAddress(host, a.getAddress()), port));
                        }
                    } catch (RuntimeException | java.net.UnknownHostException e) {
                        promise.failed(e);
                        return;
                    }
                    promise.succeeded(approved);
                });
            } catch (RuntimeException e) { // the lookups' executor stopped
                promise.failed(e);
            }
        });
        try {
            http.start();
            // The answer's body is dropped: nothing to decompress (the client adds its decoders when it starts).
            http.getContentDecoderFactories().clear();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the webhook client", e);
        }
    }

    /**
     * POSTs {@code body} (JSON) with {@code headers}; the answer's status once the whole answer has come (its body is
     * dropped), or the failure: {@link UrlPolicy.Refused} (among the causes) when the address check refused.
     *
     * @param deadline how long the whole exchange may take, lookup and connection included
     */
    CompletableFuture<Integer> post(URI uri, Map<String, String> headers, String body, Duration deadline) {
        CompletableFuture<Integer> status = new CompletableFuture<>();
        Request request = http.newRequest(uri).method(HttpMethod.POST).timeout(deadline.toMillis(), TimeUnit.MILLISECONDS)
                .headers(h -> headers.forEach(h::put))
                .body(new StringRequestContent("application/json", body, StandardCharsets.UTF_8));
        request.send(result -> {
            if (result.isFailed()) status.completeExceptionally(result.getFailure());
            else status.complete(result.getResponse().getStatus());
        });
        return status;
    }

    @Override
    public void close() {
        try {
            http.stop();
        } catch (Exception e) {
            // Stopping drops connections; nothing left to do about one that fails to close.
        }
    }
}
