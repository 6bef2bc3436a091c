package io.omix.cli;

import io.omix.sdk.AccessToken;
import io.omix.sdk.Api;
import io.omix.sdk.Model;
import io.omix.sdk.OAuth2;
import io.omix.sdk.PrivateApi;
import io.omix.server.OmixServer;
import io.omix.server.Platform;
import io.omix.server.ServerConfig;
import io.omix.server.common.auth.Caller;
import io.omix.server.common.io.FileTrees;
import io.omix.server.oauth.ClientStore;
import io.omix.server.samples.SampleStore;
import io.omix.server.variants.VcfImporter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code omix admin aot-train}: a short, representative workload on a throwaway server, for a JDK 25
 * or later to record an ahead-of-time cache from (JEP 483, 514, 515: classes loaded and linked, and
 * the JIT's method profiles). A JVM started with that cache starts faster and compiles the hot paths
 * it saw here early, instead of interpreting the first import or the first gigabyte of a transfer.
 * The server runs on a temporary data directory that is removed afterwards: the operator's data is
 * never touched, and nothing of the workload stays anywhere but in the cache's profiles.
 */
@Command(name = "aot-train", mixinStandardHelpOptions = true,
        description = {"Run a short representative workload (a VCF import, reads, stream writes, an upload and a download) on a throwaway",
                "server in a temporary directory, for the JVM to record an ahead-of-time cache from (JDK 25 or later):",
                "  java -XX:AOTCacheOutput=omix.aot -jar omix.jar admin aot-train",
                "  java -XX:AOTCache=omix.aot -jar omix.jar serve",
                "The cache belongs to that JDK and that omix.jar: train again after upgrading either. The JVM would run the",
                "classes of an earlier build from its cache, so omix refuses to start with a cache recorded from another build."})
public final class AotTrainCommand implements Runnable {
    /** The demo data's heart-rate data element, which the stream writes use. */
    static final String HEART_RATE = "8d0c5b3e-6f44-4d5c-9f1e-6a1a9c3d2b01";

    @Option(names = "--vcf-records", description = "Records of the VCF imported (twice, the second replacing the first; default ${DEFAULT-VALUE}).", defaultValue = "300000")
    int vcfRecords;

    @Option(names = "--transfer-mib", description = "MiB uploaded and downloaded (default ${DEFAULT-VALUE}).", defaultValue = "256")
    int transferMib;

    @Option(names = "--calls", description = "Calls of each kind of read and write (default ${DEFAULT-VALUE}).", defaultValue = "1000")
    int calls;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        if (vcfRecords < 1 || transferMib < 1 || calls < 1) throw new IllegalArgumentException("--vcf-records, --transfer-mib and --calls must be at least 1");
        PrintWriter out = spec.commandLine().getOut();
        // What this JVM records as it exits, asked of the JVM itself so that flags from any source count.
        String cacheOutput = AotCacheCheck.vmOption("AOTCacheOutput");
        String recording = !cacheOutput.isEmpty() ? "cache" : "record".equals(AotCacheCheck.vmOption("AOTMode")) ? "AOT configuration" : null;
        if (recording == null) {
            out.println("This JVM records no ahead-of-time cache (start it with -XX:AOTCacheOutput=FILE on JDK 25 or later); the workload runs anyway.");
        }
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        // The file sent, the file received and the server's stored copy, beside the database: refused before starting rather than a full disk halfway.
        long needed = (3L * transferMib + 512) << 20;
        try {
            if (Files.getFileStore(tmp).getUsableSpace() < needed) {
                throw new IllegalArgumentException("the temporary directory " + tmp + " has less than " + (needed >> 20)
                        + " MiB free, which a training with --transfer-mib " + transferMib + " needs; give a smaller --transfer-mib");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the free space of " + tmp, e);
        }
        Path dir;
        try {
            dir = Files.createTempDirectory("omix-aot-train-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory", e);
        }
        // Ctrl-C or a stop signal skips the finally below; the directory holds a database, a master key and
        // large files. As `omix serve` does, the signal stops the server first (a database closed by the
        // JVM's own hooks under a running workload wrote its trace file after the directory was removed).
        java.util.concurrent.atomic.AtomicReference<OmixServer> running = new java.util.concurrent.atomic.AtomicReference<>();
        Runnable stopAndRemove = () -> {
            OmixServer server = running.get();
            if (server != null) server.stop();
            FileTrees.deleteQuietly(dir);
        };
        // Where the JVM refuses to let a signal be handled, the shutdown hook below still removes the directory.
        var previous = StopSignals.handle("omix-aot-train-stop", signal -> {
            stopAndRemove.run();
            System.exit(128 + signal);
        });
        Thread removeOnExit = new Thread(stopAndRemove, "omix-aot-train-cleanup");
        Runtime.getRuntime().addShutdownHook(removeOnExit);
        out.println("A throwaway server in " + dir + " (removed afterwards; the platform's own data directory and settings are not used):");
        try {
            new Workload(dir, vcfRecords, transferMib, calls, out, running).run();
        } finally {
            FileTrees.deleteQuietly(dir);
            StopSignals.restore(previous);
            try {
                Runtime.getRuntime().removeShutdownHook(removeOnExit);
            } catch (IllegalStateException exiting) {
                // the JVM is already stopping: the hook runs
            }
        }
        if (!cacheOutput.isEmpty()) {
            // The JVM does not tie the cache to this build; the stamp does (AotCacheCheck).
            try {
                Files.writeString(AotCacheCheck.stampOf(cacheOutput), AotCacheCheck.classPathStamp());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + AotCacheCheck.stampOf(cacheOutput), e);
            }
        }
        out.println(recording == null ? "Done." : "Done: the JVM writes its " + recording + " as it exits.");
        out.flush();
    }

    /** The workload itself, on a server of its own; each phase prints what it did and how long it took. */
    record Workload(Path dir, int vcfRecords, int transferMib, int calls, PrintWriter out, java.util.concurrent.atomic.AtomicReference<OmixServer> running) {
        void run() {
            // The throwaway server's limits are out of the workload's reach: it calls far faster than an application may.
            ServerConfig config = ServerConfig.defaults(Map.of("server.port", "0", "data.dir", dir.resolve("data").toString(),
                    "demo.enabled", "true", "ratelimit.per-client-per-minute", "0", "ratelimit.per-user-per-minute", "0",
                    "ratelimit.tokens-per-client-per-minute", "0"));
            long started = System.nanoTime();
            try (OmixServer server = OmixServer.start(config)) {
                running.set(server);
                phase("server started with demo data", started);
                String endpoint = server.url().toString();
                ClientSample variants = clientWithSample(server.platform());
                importVcf(server.platform(), variants.sample());
                try (OAuth2 oauth2 = OAuth2.builder(variants.client().client().clientId(), variants.client().secret())
                        .endpoint(endpoint).timeout(Duration.ofSeconds(60)).build()) {
                    openPlatform(oauth2, variants.sample());
                }
                Model demo = Model.parse(Files.readString(server.demoCredentials().orElseThrow()));
                Model app = demo.getModel("private_app");
                try (PrivateApi api = PrivateApi.builder(app.getString("app_key"), app.getString("app_secret"))
                        .endpoint(endpoint).timeout(Duration.ofSeconds(60)).build()) {
                    privatePlatform(api, app.getString("namespace"), demo.getModel("projects").getString("genomics"));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private void importVcf(Platform platform, String sample) {
            try {
                long t = System.nanoTime();
                Path vcf = SyntheticVcf.write(dir.resolve("train.vcf"), vcfRecords);
                for (int round = 0; round < 2; round++) {
                    try (InputStream in = Files.newInputStream(vcf)) {
                        new VcfImporter(platform).importVcf(sample, in, VcfImporter.Options.DEFAULT);
                    }
                }
                Files.delete(vcf);
                phase("a VCF of " + vcfRecords + " records imported twice", t);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private void openPlatform(OAuth2 oauth2, String sample) throws IOException {
            AccessToken token = null;
            for (int i = 0; i < Math.max(1, calls / 10); i++) token = oauth2.getCredentialsToken();
            try (Api api = oauth2.getApi(token.accessToken())) {
                readAndTransfer(api, sample);
            }
        }

        private void readAndTransfer(Api api, String sample) throws IOException {
            long t = System.nanoTime();
            Random random = new Random(7);
            for (int i = 0; i < calls; i++) {
                api.getSample(sample);
                String ids = random.ints(1, vcfRecords + 1).distinct().limit(Math.min(100, vcfRecords)).mapToObj(n -> "rs" + n).collect(Collectors.joining(","));
                api.getVariants(sample, ids);
            }
            phase(calls + " get_sample and get_variants calls", t);

            t = System.nanoTime();
            Path file = dir.resolve("train.bin");
            byte[] chunk = new byte[1 << 20];
            try (OutputStream o = Files.newOutputStream(file)) {
                for (int i = 0; i < transferMib; i++) {
                    random.nextBytes(chunk);
                    o.write(chunk);
                }
            }
            String object = api.upload("train.bin", file);
            Path back = dir.resolve("train.back");
            api.download(object, back);
            if (Files.size(back) != Files.size(file)) throw new IllegalStateException("the downloaded file's size differs from the uploaded one's");
            Files.delete(file);
            Files.delete(back);
            phase(transferMib + " MiB uploaded and downloaded", t);
        }

        private void privatePlatform(PrivateApi api, String namespace, String project) {
            long t = System.nanoTime();
            String sample = api.registerSample(11, project, "AOT-TRAIN", Map.of()).getString("biosample_id");
            String entity = api.streamBind(sample).getString("fundamental_entity_id");
            long second = 1_700_000_000L;
            int writes = Math.max(1, calls / 10);
            for (int w = 0; w < writes; w++) {
                List<Map<String, Object>> records = new ArrayList<>(100);
                for (int i = 0; i < 100; i++, second++) {
                    records.add(Map.of("fundamental_entity_id", entity, "data_element_id", HEART_RATE,
                            "stream_generate_time", Instant.ofEpochSecond(second).atOffset(ZoneOffset.UTC).toLocalDateTime().toString().replace('T', ' '),
                            "stream_data", Map.of("value_quantity", Map.of("unit", "beats/min", "value", 60 + i % 30))));
                }
                api.batchWriteStream(records, false);
                api.streamRange(namespace, HEART_RATE, entity, null, null, null, "desc", null, 100);
                api.getSample(sample);
            }
            phase(writes + " stream writes of 100 records, each read back", t);
        }

        private void phase(String what, long startedNanos) {
            out.printf("  %-52s %,8d ms%n", what, (System.nanoTime() - startedNanos) / 1_000_000);
            out.flush();
        }
    }

    /** A client-credentials client allowed samples, variants and files, and a sample it registered. */
    public record ClientSample(ClientStore.Created client, String sample) {}

    /** Made through the stores, as an operator's tools would: the open platform has no call that creates a client. */
    public static ClientSample clientWithSample(Platform platform) {
        ClientStore.Created client = new ClientStore(platform).create("training", List.of(), Set.of("client_credentials"),
                Set.of("samples", "variants", "files"), false, null);
        String project = new SampleStore(platform).createProject("training", 1, null, null, null).projectId();
        Caller caller = Caller.clientToken(client.client().clientId(), Set.of("samples"));
        return new ClientSample(client, new SampleStore(platform).register(caller,
                new SampleStore.Registration("B-1", 11, project, false, 1, null, Map.of())));
    }
}
