package io.omix.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.omix.server.OmixServer;
import io.omix.server.ServerConfig;
import io.omix.server.apps.PrivateAppStore;
import io.omix.server.common.auth.Caller;
import io.omix.server.common.time.PartialTime;
import io.omix.server.oauth.ClientStore;
import io.omix.server.oauth.TokenStore;
import io.omix.server.samples.SampleStore;
import io.omix.server.streams.StreamStore;
import io.omix.server.users.User;
import io.omix.server.users.UserStore;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * FHIR Observation search on a patient with {@code perPatient} heart-rate records among {@code patients} x
 * {@code perPatient} (10 x 1,000,000 by default), everything switched on: the first page and pages deep in the
 * patient's history (through the next links a search hands out), 50 a page, sequential and interleaved; then
 * ingest side by side on the same server: FHIR transaction Bundles of 100 Observations against the private
 * platform's batch_write_stream of 100 records, the same number of client threads.
 * Usage: java -cp omix-bench.jar io.omix.bench.FhirBench [patients=10] [perPatient=1000000] [requests=1000] [ingest=200000]
 */
public final class FhirBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final java.time.format.DateTimeFormatter SECONDS = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx");
    static final String HEART_RATE = StreamBench.HEART_RATE;

    private FhirBench() {}

    public static void main(String[] args) throws Exception {
        int patients = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int perPatient = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        int requests = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        int ingestRecords = args.length > 3 ? Integer.parseInt(args[3]) : 200_000;
        int threads = 4;
        var dir = BenchServer.scratchDir("omix-fhir-bench-");
        try (OmixServer server = OmixServer.start(ServerConfig.defaults(Map.of("server.port", "0", "data.dir", dir.resolve("data").toString(),
                "demo.enabled", "false", "ratelimit.per-client-per-minute", "100000000", "ratelimit.per-user-per-minute", "100000000")))) {
            var platform = server.platform();
            ClientStore.Created client = new ClientStore(platform).create("fhir-bench", List.of("http://127.0.0.1/cb"), Set.of("authorization_code"),
                    Set.of("streams", "samples", "profile"), false, null);
            String project = new SampleStore(platform).createProject("fhir", 1, null, null, null).projectId();
            StreamStore streams = new StreamStore(platform);
            List<String> userIds = new ArrayList<>();
            List<String> entities = new ArrayList<>();
            for (int i = 0; i < patients; i++) {
                User u = new UserStore(platform).create("patient" + i, "patient-password-" + i, User.Profile.EMPTY, false);
                // Each person allowed the application their samples and streams (the consent its own token reads them by).
                new io.omix.server.oauth.ConsentStore(platform).remember(u.userId(), client.client().clientId(), Set.of("samples", "streams"));
                Caller caller = Caller.userToken(client.client().clientId(), u.userId(), Set.of("samples"));
                String sample = new SampleStore(platform).register(caller, new SampleStore.Registration("F-" + i, 11, project, false, 1, null, Map.of()));
                userIds.add(u.userId());
                entities.add(streams.entityOf(sample));
            }
            // The history, written in-process before the clock starts: one heart rate a minute from 2020 on.
            long loadStart = System.nanoTime();
            OffsetDateTime origin = OffsetDateTime.of(2020, 1, 1, 0, 0, 0, 0, ZoneOffset.ofHours(8));
            ExecutorService pool = Executors.newFixedThreadPool(2);
            List<Future<?>> loads = new ArrayList<>();
            for (int p = 0; p < patients; p++) {
                String entity = entities.get(p);
                loads.add(pool.submit(() -> {
                    for (int done = 0; done < perPatient; done += 1000) {
                        List<StreamStore.NewRecord> batch = new ArrayList<>(1000);
                        for (int i = done; i < Math.min(perPatient, done + 1000); i++) {
                            var data = JSON.createObjectNode().put("resourceType", "Observation").put("status", "final");
                            data.putObject("valueQuantity").put("value", 55 + i % 40).put("unit", "beats/minute");
                            batch.add(new StreamStore.NewRecord(entity, HEART_RATE, PartialTime.parse(SECONDS.format(origin.plusMinutes(i))), data));
                        }
                        streams.write(StreamStore.OPEN_PLATFORM, batch, false);
                    }
                    return null;
                }));
            }
            for (Future<?> f : loads) f.get();
            pool.shutdown();
            System.out.printf("%,d Observations of %d patients written in %.1f s%n", (long) patients * perPatient, patients, (System.nanoTime() - loadStart) / 1e9);

            String patient = userIds.get(0);
            String token = new TokenStore(platform).issue(TokenStore.newFamily(), client.client().clientId(), patient, "authorization_code",
                    "streams samples profile", null, false).accessToken();
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String base = server.url() + "/fhir/Observation?patient=" + patient + "&code=" + URLEncoder.encode("http://loinc.org|8867-4", StandardCharsets.UTF_8)
                    + "&_count=50";
            // Deep pages: the next links of searches that start at random days of the patient's history.
            Random random = new Random(3);
            List<String> deep = new ArrayList<>();
            int days = perPatient / 1440;
            for (int i = 0; i < 200; i++) {
                String from = origin.plusDays(1 + random.nextInt(Math.max(1, days - 2))).toLocalDate().toString();
                deep.add(next(http, base + "&date=ge" + from, token));
            }
            System.gc();
            long[] first = new long[requests];
            long[] deeper = new long[requests];
            for (int i = -200; i < requests; i++) {
                String d = deep.get(Math.floorMod(i, deep.size()));
                for (int turn = 0; turn < 2; turn++) {
                    boolean firstTurn = (i + turn) % 2 == 0;
                    long t0 = System.nanoTime();
                    page(http, firstTurn ? base : d, token);
                    long took = System.nanoTime() - t0;
                    if (i >= 0) (firstTurn ? first : deeper)[i] = took;
                }
            }
            System.out.printf("%nFHIR Observation search, 50 a page, patient with %,d among %,d, %d sequential requests each (target p99 < 20 ms):%n",
                    perPatient, (long) patients * perPatient, requests);
            System.out.printf("  first page        p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms%n", Percentiles.ms(first, 50), Percentiles.ms(first, 99), Percentiles.ms(first, 100));
            System.out.printf("  a deep page       p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms%n", Percentiles.ms(deeper, 50), Percentiles.ms(deeper, 99), Percentiles.ms(deeper, 100));

            // Ingest side by side: FHIR transactions of 100 against batch_write_stream of 100, 4 client threads each.
            String ingestPatient = userIds.get(1);
            String ingestToken = new TokenStore(platform).issue(TokenStore.newFamily(), client.client().clientId(), ingestPatient, "authorization_code",
                    "streams", null, false).accessToken();
            PrivateAppStore.Created app = new PrivateAppStore(platform).create("bench", "BENCH_" + System.nanoTime());
            List<String> appEntities = StreamBench.entities(server, app, threads);
            int perThread = ingestRecords / threads / 100 * 100;
            transactions(http, server.url() + "/fhir", ingestToken, ingestPatient, threads, perThread / 4, 2010); // warm-up
            StreamBench.ingest(app, server, threads, t -> StreamBench.batches(appEntities.get(t), 1_500_000_000L, perThread / 4));
            long t0 = System.nanoTime();
            long fhirWritten = transactions(http, server.url() + "/fhir", ingestToken, ingestPatient, threads, perThread, 2012);
            double fhirSeconds = (System.nanoTime() - t0) / 1e9;
            t0 = System.nanoTime();
            long streamWritten = StreamBench.ingest(app, server, threads, t -> StreamBench.batches(appEntities.get(t), 1_600_000_000L, perThread));
            double streamSeconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("%nIngest, %d client threads, 100 a request:%n", threads);
            System.out.printf("  FHIR transaction Bundles   %,9d Observations in %6.2f s = %,8.0f /s%n", fhirWritten, fhirSeconds, fhirWritten / fhirSeconds);
            System.out.printf("  batch_write_stream (SDK)   %,9d records      in %6.2f s = %,8.0f /s%n", streamWritten, streamSeconds, streamWritten / streamSeconds);
            System.out.printf("  ratio FHIR / batch_write_stream = %.2f%n", (fhirWritten / fhirSeconds) / (streamWritten / streamSeconds));
        }
    }

    /** Each thread posts transaction Bundles of 100 heart rates of one patient, a minute apart from {@code year} on. */
    private static long transactions(HttpClient http, String fhirBase, String token, String patient, int threads, int perThread, int year) throws Exception {
        AtomicLong written = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            List<byte[]> bodies = new ArrayList<>();
            OffsetDateTime start = OffsetDateTime.of(year, 1, 1, 0, 0, 0, 0, ZoneOffset.ofHours(8)).plusYears(thread);
            for (int done = 0; done < perThread; done += 100) {
                StringBuilder b = new StringBuilder("{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[");
                for (int i = 0; i < 100; i++) {
                    if (i > 0) b.append(',');
                    b.append("{\"resource\":{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",")
                            .append("\"code\":\"8867-4\"}]},\"subject\":{\"reference\":\"Patient/").append(patient).append("\"},\"effectiveDateTime\":\"")
                            .append(SECONDS.format(start.plusMinutes(done + i))).append("\",\"valueQuantity\":{\"value\":").append(60 + i % 30)
                            .append(",\"unit\":\"beats/minute\"}},\"request\":{\"method\":\"POST\",\"url\":\"Observation\"}}");
                }
                bodies.add(b.append("]}").toString().getBytes(StandardCharsets.UTF_8));
            }
            futures.add(pool.submit(() -> {
                for (byte[] body : bodies) {
                    HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(fhirBase)).header("Authorization", "Bearer " + token)
                            .header("Content-Type", "application/fhir+json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                            HttpResponse.BodyHandlers.ofByteArray());
                    if (r.statusCode() != 200) throw new IllegalStateException("HTTP " + r.statusCode() + " " + new String(r.body()));
                    written.addAndGet(100);
                }
                return null;
            }));
        }
        for (Future<?> f : futures) f.get();
        pool.shutdown();
        return written.get();
    }

    private static JsonNode page(HttpClient http, String url, String token) throws Exception {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .timeout(java.time.Duration.ofSeconds(18)).build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) throw new IllegalStateException("HTTP " + r.statusCode() + " " + new String(r.body()));
        JsonNode bundle = JSON.readTree(r.body());
        if (bundle.path("entry").size() != 50) throw new IllegalStateException("a page of " + bundle.path("entry").size());
        return bundle;
    }

    private static String next(HttpClient http, String url, String token) throws Exception {
        for (JsonNode link : page(http, url, token).path("link")) {
            if ("next".equals(link.path("relation").asText())) return link.path("url").asText();
        }
        throw new IllegalStateException("no next link for " + url);
    }

}
