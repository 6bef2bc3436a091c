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
 * JDK {@link HttpClient}, on one server in this JVM: the difference is the SDK's own overhead.
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

    @Setup(Level.Trial)
    public void start() throws IOException {
        dataDir = Files.createTempDirectory("omix-bench-");
        server = OmixServer.start(ServerConfig.defaults(Map.of("server.port", "0", "data.dir", dataDir.toString(),
                "demo.enabled", "false")));
        String url = server.url().toString();
        api = Api.builder("bench-token").endpoint(url).build();
        bare = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        ping = HttpRequest.newBuilder(URI.create(url + "/ping")).build();
    }

    @TearDown(Level.Trial)
    public void stop() {
        api.close();
        server.stop();
    }

    @Benchmark
    public boolean sdkAlive() {
        return api.alive();
    }

    @Benchmark
    public boolean bareHttpClient() throws IOException, InterruptedException {
        HttpResponse<byte[]> r = bare.send(ping, HttpResponse.BodyHandlers.ofByteArray());
        return r.statusCode() >= 200 && r.statusCode() < 300;
    }
}
