package io.omix.bench;

import io.omix.sdk.Api;
import io.omix.server.OmixServer;
import io.omix.server.ServerConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Sequential {@code alive()} calls through the SDK against the same {@code GET /ping} through a bare
 * JDK {@link HttpClient}, on one server in this JVM: the difference is the SDK's own overhead. And the
 * same for a typed call on the root client's surface ({@code api.samples().list(...).page()}: a token
 * renewed for you, the answer bound to {@code Sample} records) against a bare GET of the same page
 * with the same token, parsed into a Jackson tree.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class AliveBenchmark {
    private OmixServer server;
    private Path dataDir;
    private Api api;
    private HttpClient bare;
    private HttpRequest ping;
    private io.omix.sdk.Omix root;
    private Api typed;
    private HttpRequest samplesPage;
    private final com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();

    @Setup(Level.Trial)
    public void start() throws IOException {
        dataDir = Files.createTempDirectory("omix-bench-");
        server = OmixServer.start(ServerConfig.defaults(Map.of("server.port", "0", "data.dir", dataDir.toString(),
                "demo.enabled", "true", "ratelimit.per-client-per-minute", "0", "ratelimit.per-user-per-minute", "0")));
        String url = server.url().toString();
        api = Api.builder("bench-token").endpoint(url).build();
        bare = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        ping = HttpRequest.newBuilder(URI.create(url + "/ping")).build();
        io.omix.sdk.Model demo = io.omix.sdk.Model.parse(Files.readString(dataDir.resolve("demo-credentials.json")));
        root = io.omix.sdk.Omix.builder().endpoint(url).build();
        typed = root.openPlatform(io.omix.sdk.ClientCredentials.of((String) demo.at("oauth_client.client_id"),
                (String) demo.at("oauth_client.client_secret")));
        samplesPage = HttpRequest.newBuilder(URI.create(url + "/samples?limit=10")).header("Authorization", "Bearer " + typed.accessToken()).build();
    }

    @TearDown(Level.Trial)
    public void stop() {
        api.close();
        root.close();
        server.stop();
    }

    @Benchmark
    public boolean sdkAlive() {
        return api.alive();
    }

    @Benchmark
    public int sdkTypedSamplesPage() {
        return typed.samples().list(io.omix.sdk.SampleQuery.builder().limit(10).build()).page().items().size();
    }

    @Benchmark
    public int bareSamplesPage() throws IOException, InterruptedException {
        HttpResponse<byte[]> r = bare.send(samplesPage, HttpResponse.BodyHandlers.ofByteArray());
        return json.readTree(r.body()).path("data").path("result").size();
    }

    @Benchmark
    public boolean bareHttpClient() throws IOException, InterruptedException {
        HttpResponse<byte[]> r = bare.send(ping, HttpResponse.BodyHandlers.ofByteArray());
        return r.statusCode() >= 200 && r.statusCode() < 300;
    }
}
