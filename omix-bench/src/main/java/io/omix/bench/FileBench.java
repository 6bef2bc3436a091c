package io.omix.bench;

import io.omix.sdk.Api;
import io.omix.sdk.OAuth2;
import io.omix.sdk.UploadOptions;
import io.omix.server.OmixServer;
import io.omix.server.ServerConfig;
import io.omix.server.oauth.ClientStore;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Issue 7's measurement: a file of N MiB (default 1024) uploaded and downloaded through the SDK on
 * loopback, in a child JVM limited to {@code -Xmx64m}, beside the machine's own limits measured in
 * the same run: a plain copy of the same file on the same disk, synced (what the server must at
 * least do to store it), and a plain JDK HttpClient GET of the same object through its signed URL
 * (no checksum, no SDK). Usage: {@code java -cp omix-bench.jar io.omix.bench.FileBench [mib=1024]}
 */
public final class FileBench {
    private FileBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--client")) {
            client(args[1], args[2], Path.of(args[3]));
            return;
        }
        int mib = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
        Path work = Files.createTempDirectory("omix-file-bench-");
        Path file = work.resolve("payload.bin");
        writeRandom(file, mib);
        long bytes = Files.size(file);
        try (OmixServer server = OmixServer.start(ServerConfig.defaults(Map.of("server.port", "0", "data.dir", work.resolve("data").toString(),
                "demo.enabled", "false")))) {
            ClientStore.Created c = new ClientStore(server.platform()).create("bench", List.of(), Set.of("client_credentials"), Set.of("files"), false, null);
            String token;
            try (OAuth2 oauth2 = OAuth2.builder(c.client().clientId(), c.secret()).endpoint(server.url().toString()).build()) {
                token = oauth2.getCredentialsToken().accessToken();
            }

            // The disk's own limit: the same bytes copied and synced, as the server stores an object.
            Path copy = work.resolve("copy.bin");
            long t0 = System.nanoTime();
            try (InputStream in = Files.newInputStream(file); FileChannel out = FileChannel.open(copy, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                in.transferTo(java.nio.channels.Channels.newOutputStream(out));
                out.force(true);
            }
            double diskMBs = bytes / 1e6 / ((System.nanoTime() - t0) / 1e9);
            Files.delete(copy);

            // The SDK, in its own JVM with a 64 MiB heap.
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process child = new ProcessBuilder(java, "-Xmx64m", "-DOMIX_LOG_LEVEL=WARN", "-cp", System.getProperty("java.class.path"),
                    FileBench.class.getName(), "--client", server.url().toString(), token, file.toString()).redirectErrorStream(true).start();
            String out = new String(child.getInputStream().readAllBytes());
            if (child.waitFor() != 0) throw new IllegalStateException("the SDK run failed:\n" + out);
            System.out.print(out);
            String object = out.lines().filter(l -> l.startsWith("object ")).findFirst().orElseThrow().substring(7);
            double upMBs = Double.parseDouble(value(out, "upload MB/s "));
            double downMBs = Double.parseDouble(value(out, "download MB/s "));

            // A plain GET of the same object through a signed URL: loopback HTTP without the SDK.
            String url;
            try (Api api = Api.builder(token).endpoint(server.url().toString()).build()) {
                url = api.getDownloadUrl(object).getString("url");
            }
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            long t1 = System.nanoTime();
            HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofInputStream());
            long got;
            try (InputStream in = r.body()) {
                got = in.transferTo(OutputStream.nullOutputStream());
            }
            double plainMBs = got / 1e6 / ((System.nanoTime() - t1) / 1e9);

            System.out.printf("file %,d bytes; disk copy+sync %.0f MB/s; plain HTTP GET %.0f MB/s%n", bytes, diskMBs, plainMBs);
            System.out.printf("SDK upload   %.0f MB/s = %.0f %% of the disk copy (target >= 70 %%)%n", upMBs, 100 * upMBs / diskMBs);
            System.out.printf("SDK download %.0f MB/s = %.0f %% of the plain GET (target >= 70 %%)%n", downMBs, 100 * downMBs / plainMBs);
        } finally {
            try (var paths = Files.walk(work)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static String value(String out, String prefix) {
        return out.lines().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow().substring(prefix.length()).trim();
    }

    private static void client(String endpoint, String token, Path file) throws Exception {
        long bytes = Files.size(file);
        try (Api api = Api.builder(token).endpoint(endpoint).build()) {
            long t0 = System.nanoTime();
            String object = api.upload("payload.bin", file, UploadOptions.defaults());
            double up = bytes / 1e6 / ((System.nanoTime() - t0) / 1e9);
            Path back = file.resolveSibling("back.bin");
            long t1 = System.nanoTime();
            api.download(object, back);
            double down = bytes / 1e6 / ((System.nanoTime() - t1) / 1e9);
            Files.delete(back);
            Runtime rt = Runtime.getRuntime();
            System.out.println("object " + object);
            System.out.printf("upload MB/s %.1f%n", up);
            System.out.printf("download MB/s %.1f%n", down);
            System.out.printf("client heap: max %d MiB, used at the end %d MiB%n", rt.maxMemory() >> 20, (rt.totalMemory() - rt.freeMemory()) >> 20);
        }
    }

    private static void writeRandom(Path file, int mib) throws Exception {
        byte[] block = new byte[1 << 20];
        Random random = new Random(42);
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int i = 0; i < mib; i++) {
                random.nextBytes(block);
                out.write(block);
            }
        }
    }
}
