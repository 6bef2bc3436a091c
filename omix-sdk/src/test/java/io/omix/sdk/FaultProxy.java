package io.omix.sdk;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback HTTP proxy in front of the real server that injects the failures a network or a load
 * balancer produces (dropped connections, 503s), so the SDK's retry rules can be tested against
 * the real server. Each connection carries one request.
 */
final class FaultProxy implements AutoCloseable {
    /** DROP_AFTER_ANSWER: the server serves the request, its answer is lost on the way back (a write that was done). */
    enum Fault { PASS, DROP_AFTER_REQUEST, DROP_AFTER_ANSWER, STATUS_503, STATUS_503_RETRY_AFTER_1, HANG_3_SECONDS }

    private static final Set<String> HOP_HEADERS = Set.of("host", "connection", "content-length", "upgrade", "expect",
            "keep-alive", "transfer-encoding", "te", "http2-settings");

    private final String target;
    private final ServerSocket socket;
    private final ConcurrentLinkedQueue<Fault> script = new ConcurrentLinkedQueue<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final Thread acceptor;

    FaultProxy(String target) throws IOException {
        this.target = target;
        this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "fault-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The faults for the next requests, in order; once used up, requests pass through. */
    void script(Fault... faults) {
        script.clear();
        script.addAll(java.util.List.of(faults));
    }

    int requests() {
        return requests.get();
    }

    String url() {
        return "http://127.0.0.1:" + socket.getLocalPort();
    }

    private void acceptLoop() {
        while (!socket.isClosed()) {
            try {
                Socket s = socket.accept();
                Thread t = new Thread(() -> serve(s), "fault-proxy-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            String head = readHead(in);
            if (head == null) return;
            String[] lines = head.split("\r\n");
            String[] requestLine = lines[0].split(" ");
            HttpRequest.Builder forward = HttpRequest.newBuilder(URI.create(target + requestLine[1]));
            int length = 0;
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                String name = lines[i].substring(0, colon).trim();
                String value = lines[i].substring(colon + 1).trim();
                if (name.equalsIgnoreCase("content-length")) length = Integer.parseInt(value);
                if (!HOP_HEADERS.contains(name.toLowerCase(Locale.ROOT))) forward.header(name, value);
            }
            byte[] body = in.readNBytes(length);
            requests.incrementAndGet();
            Fault fault = script.poll();
            if (fault == null) fault = Fault.PASS;
            switch (fault) {
                case DROP_AFTER_REQUEST -> { /* close without answering */ }
                case DROP_AFTER_ANSWER -> client.send(forward.method(requestLine[0], HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                        HttpResponse.BodyHandlers.discarding());
                case STATUS_503 -> write(out, 503, "", new byte[0]);
                case STATUS_503_RETRY_AFTER_1 -> write(out, 503, "Retry-After: 1\r\n", new byte[0]);
                case HANG_3_SECONDS -> Thread.sleep(3000);
                case PASS -> {
                    HttpResponse<byte[]> r = client.send(forward.method(requestLine[0],
                            HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
                    String type = r.headers().firstValue("Content-Type").map(v -> "Content-Type: " + v + "\r\n").orElse("");
                    write(out, r.statusCode(), type, r.body());
                }
            }
        } catch (IOException | InterruptedException ignored) {
            // the client went away; nothing to do
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == 4) return head.toString(StandardCharsets.ISO_8859_1).trim();
        }
        return null;
    }

    private static void write(OutputStream out, int status, String headers, byte[] body) throws IOException {
        String head = "HTTP/1.1 " + status + " X\r\n" + headers + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
