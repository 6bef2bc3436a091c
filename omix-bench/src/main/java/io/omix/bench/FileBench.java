package io.omix.bench;

import io.omix.sdk.Api;
import io.omix.sdk.Model;
import io.omix.sdk.OAuth2;
import io.omix.sdk.UploadOptions;
import io.omix.sdk.internal.Signing;
import io.omix.server.OmixServer;
import io.omix.server.ServerConfig;
import io.omix.server.oauth.ClientStore;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Issue 7's measurement: a file of N MiB (default 1024) uploaded and downloaded through the SDK on
 * loopback, in a child JVM limited to {@code -Xmx64m}, beside the machine's own limits measured in
 * the same rounds, interleaved (the disk's speed moves a lot from one minute to the next here), each
 * phase starting after a {@code sync} so that none pays for the write-back of another:
 *
 * <ul>
 *   <li>disk: a plain copy of the same file on the same disk, synced;</li>
 *   <li>curl upload: {@code curl -T} of the same file as one signed PUT to the same server (the
 *       server's own path: hashed, written, synced; curl neither hashes nor splits);</li>
 *   <li>curl download: {@code curl -o} of the same object through its signed URL to the same disk.</li>
 * </ul>
 *
 * Usage: {@code java -cp omix-bench.jar io.omix.bench.FileBench [mib=1024] [rounds=3]}. The child runs
 * the SDK as shipped: its JDK HTTP client buffers are whatever the SDK chooses.
 */
public final class FileBench {
    private FileBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--client")) {
            client(args[1], args[2], Path.of(args[3]));
            return;
        }
        int mib = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path work = Files.createTempDirectory("omix-file-bench-");
        Path file = work.resolve("payload.bin");
        writeRandom(file, mib);
        long bytes = Files.size(file);
        String fileSha = sha256(file);
        try (OmixServer server = OmixServer.start(ServerConfig.defaults(Map.of("server.port", "0", "data.dir", work.resolve("data").toString(),
                "demo.enabled", "false")))) {
            ClientStore.Created c = new ClientStore(server.platform()).create("bench", List.of(), Set.of("client_credentials"), Set.of("files"), false, null);
            String token;
            try (OAuth2 oauth2 = OAuth2.builder(c.client().clientId(), c.secret()).endpoint(server.url().toString()).build()) {
                token = oauth2.getCredentialsToken().accessToken();
            }
            List<double[]> results = new ArrayList<>(); // disk, curl up, sdk up, curl down, sdk down
            String heap = "";
            for (int round = 1; round <= rounds; round++) {
                double disk = diskCopy(file, work.resolve("copy.bin"), bytes);

                // curl: the same bytes as one signed PUT (signature computed beforehand, not timed).
                Model upload;
                try (Api api = Api.builder(token).endpoint(server.url().toString()).build()) {
                    upload = api.getUploadToken();
                }
                double curlUp = curlPut(upload, "curl-" + round + ".bin", file, fileSha, bytes);

                // The SDK, in its own JVM with a 64 MiB heap: upload, then download to a file. With -Daot=FILE
                // (a cache that `omix admin aot-train` recorded for this jar) a second child starts with that
                // cache; which of the two goes first alternates by round.
                String aot = System.getProperty("aot");
                double[] plain = null, cached = null;
                String object = null;
                for (int turn = 0; turn < (aot == null ? 1 : 2); turn++) {
                    boolean withCache = aot != null && (round + turn) % 2 == 0;
                    String out = client(server, token, file, withCache ? aot : null);
                    object = value(out, "object ");
                    double[] measured = {Double.parseDouble(value(out, "upload MB/s ")), Double.parseDouble(value(out, "download MB/s ")),
                            Double.parseDouble(value(out, "upload warm MB/s ")), Double.parseDouble(value(out, "download warm MB/s "))};
                    if (withCache) {
                        cached = measured;
                    } else {
                        plain = measured;
                        heap = value(out, "client heap: ");
                    }
                }
                double sdkUp = plain[0], sdkDown = plain[1], warmUp = plain[2], warmDown = plain[3];

                String url;
                try (Api api = Api.builder(token).endpoint(server.url().toString()).build()) {
                    url = api.getDownloadUrl(object).getString("url");
                }
                double curlDown = curlGet(url, work.resolve("curl-down.bin"), bytes);
                results.add(cached == null ? new double[]{disk, curlUp, sdkUp, curlDown, sdkDown, warmUp, warmDown}
                        : new double[]{disk, curlUp, sdkUp, curlDown, sdkDown, warmUp, warmDown, cached[0], cached[1], cached[2], cached[3]});
                System.out.printf("round %d: disk copy+sync %.0f MB/s | upload: curl %.0f, SDK cold %.0f (%.0f %%), warm %.0f MB/s (%.0f %% of curl, %.0f %% of disk)"
                                + " | download: curl %.0f, SDK cold %.0f (%.0f %%), warm %.0f MB/s (%.0f %% of curl)%n", round, disk, curlUp, sdkUp, 100 * sdkUp / curlUp,
                        warmUp, 100 * warmUp / curlUp, 100 * warmUp / disk, curlDown, sdkDown, 100 * sdkDown / curlDown, warmDown, 100 * warmDown / curlDown);
                if (cached != null) {
                    System.out.printf("round %d, the SDK's JVM with the AOT cache: upload cold %.0f (%.0f %% of curl), warm %.0f (%.0f %%) | download cold %.0f (%.0f %%), warm %.0f (%.0f %%)%n",
                            round, cached[0], 100 * cached[0] / curlUp, cached[2], 100 * cached[2] / curlUp, cached[1], 100 * cached[1] / curlDown, cached[3], 100 * cached[3] / curlDown);
                }
            }
            System.out.printf("file %,d bytes, %d rounds; SDK client heap: %s%n", bytes, rounds, heap);
            System.out.printf("median, cold: upload %.0f %% of curl (%.0f %% of the disk copy), download %.0f %% of curl%n",
                    median(results, r -> r[2] / r[1]) * 100, median(results, r -> r[2] / r[0]) * 100, median(results, r -> r[4] / r[3]) * 100);
            System.out.printf("median, warm: upload %.0f %% of curl (%.0f %% of the disk copy), download %.0f %% of curl (target >= 70 %%)%n",
                    median(results, r -> r[5] / r[1]) * 100, median(results, r -> r[5] / r[0]) * 100, median(results, r -> r[6] / r[3]) * 100);
            if (results.get(0).length > 7) {
                System.out.printf("median, cold, with the AOT cache: upload %.0f %% of curl, download %.0f %% of curl; warm: upload %.0f %%, download %.0f %% (target >= 70 %%)%n",
                        median(results, r -> r[7] / r[1]) * 100, median(results, r -> r[8] / r[3]) * 100, median(results, r -> r[9] / r[1]) * 100, median(results, r -> r[10] / r[3]) * 100);
            }
        } finally {
            io.omix.server.common.io.FileTrees.deleteQuietly(work);
        }
    }

    /** One run of the SDK in a fresh JVM with a 64 MiB heap, with the AOT cache {@code aot} when not null; its report. */
    private static String client(OmixServer server, String token, Path file, String aot) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx64m", "-DOMIX_LOG_LEVEL=WARN"));
        // -DclientOptions="...": more options for the SDK's JVM (a JFR recording, a GC log), separated by spaces.
        String more = System.getProperty("clientOptions", "").trim();
        if (!more.isEmpty()) command.addAll(List.of(more.split(" +")));
        if (aot != null) command.addAll(List.of("-XX:AOTMode=on", "-XX:AOTCache=" + aot)); // on: fail rather than run without it
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), FileBench.class.getName(), "--client", server.url().toString(), token, file.toString()));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes());
        if (child.waitFor() != 0) throw new IllegalStateException("the SDK run failed:\n" + out);
        return out;
    }

    private static double median(List<double[]> rows, java.util.function.ToDoubleFunction<double[]> f) {
        List<Double> values = new ArrayList<>();
        for (double[] r : rows) values.add(f.applyAsDouble(r));
        Collections.sort(values);
        return values.get(values.size() / 2);
    }

    /** Flushes what earlier phases left dirty, so that no phase pays for another's writes. */
    static void settle() throws Exception {
        new ProcessBuilder("sync").inheritIO().start().waitFor();
    }

    /** The disk's own limit: the same bytes copied and synced, as the server stores an object. */
    private static double diskCopy(Path file, Path copy, long bytes) throws Exception {
        settle();
        long t0 = System.nanoTime();
        try (InputStream in = Files.newInputStream(file); FileChannel out = FileChannel.open(copy, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            in.transferTo(java.nio.channels.Channels.newOutputStream(out));
            out.force(true);
        }
        double mbs = bytes / 1e6 / ((System.nanoTime() - t0) / 1e9);
        Files.delete(copy);
        return mbs;
    }

    private static double curlPut(Model upload, String name, Path file, String sha, long bytes) throws Exception {
        Model credentials = upload.getModel("credentials");
        String path = "/oss/objects/" + upload.getString("destination") + "/" + name;
        String timestamp = String.valueOf(Instant.now().getEpochSecond());
        String nonce = Signing.nonce();
        String signature = Signing.sign(credentials.getString("access_key_secret").getBytes(StandardCharsets.UTF_8),
                Signing.canonicalWithBodyHash("PUT", path, null, sha, timestamp, nonce));
        String endpoint = upload.getString("endpoint").replaceAll("/oss$", "");
        settle();
        long t0 = System.nanoTime();
        Process curl = new ProcessBuilder("curl", "-sS", "-f", "-o", "/dev/null", "-T", file.toString(),
                "-H", "Content-Type: application/octet-stream",
                "-H", "X-Omix-Access-Key-Id: " + credentials.getString("access_key_id"),
                "-H", "X-Omix-Security-Token: " + credentials.getString("security_token"),
                "-H", "X-Omix-Timestamp: " + timestamp, "-H", "X-Omix-Nonce: " + nonce,
                "-H", "X-Omix-Content-SHA256: " + sha, "-H", "X-Omix-Signature: " + signature, endpoint + path).inheritIO().start();
        if (curl.waitFor() != 0) throw new IllegalStateException("curl upload failed");
        return bytes / 1e6 / ((System.nanoTime() - t0) / 1e9);
    }

    private static double curlGet(String url, Path target, long bytes) throws Exception {
        settle();
        long t0 = System.nanoTime();
        Process curl = new ProcessBuilder("curl", "-sS", "-f", "-o", target.toString(), url).inheritIO().start();
        if (curl.waitFor() != 0) throw new IllegalStateException("curl download failed");
        double mbs = bytes / 1e6 / ((System.nanoTime() - t0) / 1e9);
        if (Files.size(target) != bytes) throw new IllegalStateException("curl got " + Files.size(target) + " bytes");
        Files.delete(target);
        return mbs;
    }

    private static String value(String out, String prefix) {
        return out.lines().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow(() -> new IllegalStateException("no '" + prefix + "' in\n" + out))
                .substring(prefix.length()).trim();
    }

    /**
     * The SDK in a fresh JVM: a first upload and download (cold: the JIT has not compiled the transfer
     * paths yet), two more pairs to warm up (not reported), then a fourth pair (warm: steady state, as in
     * a long-running application; the download loop needs more than one GiB to be fully compiled).
     */
    private static void client(String endpoint, String token, Path file) throws Exception {
        long bytes = Files.size(file);
        try (Api api = Api.builder(token).endpoint(endpoint).build()) {
            for (String run : new String[]{"", "warm-up ", "warm-up ", "warm "}) {
                settle();
                long t0 = System.nanoTime();
                String object = api.upload("payload.bin", file, UploadOptions.defaults());
                double up = bytes / 1e6 / ((System.nanoTime() - t0) / 1e9);
                Path back = file.resolveSibling("back.bin");
                settle();
                long t1 = System.nanoTime();
                // -DdownloadTo=discard: the bytes go nowhere (checked, not written), to tell the file's writes from the rest.
                if ("discard".equals(System.getProperty("downloadTo"))) {
                    api.download(object, java.io.OutputStream.nullOutputStream());
                } else {
                    api.download(object, back);
                }
                double down = bytes / 1e6 / ((System.nanoTime() - t1) / 1e9);
                Files.deleteIfExists(back);
                if (run.startsWith("warm-up")) continue;
                System.out.println("object " + object);
                System.out.printf("upload %sMB/s %.1f%n", run, up);
                System.out.printf("download %sMB/s %.1f%n", run, down);
            }
            Runtime rt = Runtime.getRuntime();
            System.out.printf("client heap: max %d MiB, used at the end %d MiB%n", rt.maxMemory() >> 20, (rt.totalMemory() - rt.freeMemory()) >> 20);
        }
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) != -1; ) sha.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(sha.digest());
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
