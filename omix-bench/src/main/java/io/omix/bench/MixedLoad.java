package io.omix.bench;

import io.omix.sdk.AccessToken;
import io.omix.sdk.Api;
import io.omix.sdk.Model;
import io.omix.sdk.OAuth2;
import io.omix.sdk.PrivateApi;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The mixed load of the operations issue, as applications drive a deployment through the SDK: each
 * worker loops over token grants, reads, stream batch writes (100 records), small uploads and batch
 * commits. It remembers every acknowledged write so that {@link #verify()} can check afterwards that
 * each is there exactly once. A write whose answer was lost (its server killed mid-request) is sent
 * again as an application would: stream records with duplicates refused (so a second copy cannot
 * appear), a batch re-registered. Used by {@link ClusterBench} (three servers behind nginx, one
 * killed) and {@link SoakBench} (30 minutes on the embedded defaults).
 */
final class MixedLoad {
    static final String HEART_RATE = StreamBench.HEART_RATE;
    private static final int RECORDS_PER_CALL = 100;

    /** The credentials a server with demo data writes into demo-credentials.json. */
    record Credentials(String endpoint, String clientId, String clientSecret, String appKey, String appSecret, String namespace, String projectId) {
        static Credentials read(Path demoCredentials, String endpoint) throws java.io.IOException {
            Model c = Model.parse(Files.readString(demoCredentials));
            return new Credentials(endpoint, c.getModel("oauth_client").getString("client_id"), c.getModel("oauth_client").getString("client_secret"),
                    c.getModel("private_app").getString("app_key"), c.getModel("private_app").getString("app_secret"),
                    c.getModel("private_app").getString("namespace"), c.getModel("projects").getString("genomics"));
        }
    }

    enum Op { GRANT, READ, STREAM_WRITE, UPLOAD, BATCH_COMMIT }

    private final Credentials creds;
    private final int workers;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Map<Op, LongAdder> done = new ConcurrentHashMap<>();
    private final Map<Op, ConcurrentLinkedQueue<Long>> latencies = new ConcurrentHashMap<>();
    private final LongAdder surfacedErrors = new LongAdder();
    private final Map<String, LongAdder> errorKinds = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> ackedRecords = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String[]> uploads = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<long[]> batches = new ConcurrentLinkedQueue<>();
    private final List<Thread> threads = new ArrayList<>();
    private final List<String> entities = new ArrayList<>();
    private final List<String> samples = new ArrayList<>();
    private final int uploadBytes;
    private final int steadyWindow;

    /**
     * @param steadyWindow 0: every write adds data; otherwise the live data stays put: each worker's
     *                     stream writes cycle over this many times (after the first cycle they are
     *                     refused as duplicates), and there are no uploads or batches
     */
    MixedLoad(Credentials creds, int workers, int uploadBytes, int steadyWindow) {
        this.creds = creds;
        this.workers = workers;
        this.uploadBytes = uploadBytes;
        this.steadyWindow = steadyWindow;
        for (Op op : Op.values()) {
            done.put(op, new LongAdder());
            latencies.put(op, new ConcurrentLinkedQueue<>());
        }
    }

    PrivateApi privateApi() {
        return PrivateApi.builder(creds.appKey(), creds.appSecret()).endpoint(creds.endpoint()).timeout(Duration.ofSeconds(30)).build();
    }

    OAuth2 oauth2() {
        return OAuth2.builder(creds.clientId(), creds.clientSecret()).endpoint(creds.endpoint()).timeout(Duration.ofSeconds(30)).build();
    }

    /** One sample and stream entity per worker, each writing its own series. */
    void start() {
        try (PrivateApi api = privateApi()) {
            for (int w = 0; w < workers; w++) {
                String sample = api.registerSample(11, creds.projectId(), "LOAD-" + System.nanoTime() + "-" + w, Map.of()).getString("biosample_id");
                samples.add(sample);
                entities.add(api.streamBind(sample).getString("fundamental_entity_id"));
            }
        }
        for (int w = 0; w < workers; w++) {
            int worker = w;
            Thread t = new Thread(() -> work(worker), "load-" + w);
            t.start();
            threads.add(t);
        }
    }

    void stop() throws InterruptedException {
        stop.set(true);
        for (Thread t : threads) t.join();
    }

    private void work(int worker) {
        Random random = new Random(worker);
        long firstSecond = 1_700_000_000L + worker * 100_000_000L;
        long nextSecond = firstSecond;
        Op[] ops = steadyWindow > 0 ? new Op[] {Op.GRANT, Op.READ, Op.STREAM_WRITE} : Op.values();
        try (OAuth2 oauth2 = oauth2(); PrivateApi api = privateApi()) {
            AccessToken token = retry(Op.GRANT, oauth2::getCredentialsToken);
            Api open = oauth2.getApi(token.accessToken());
            for (long n = 0; !stop.get(); n++) {
                Op op = ops[(int) (n % ops.length)];
                try {
                    switch (op) {
                        case GRANT -> retry(op, oauth2::getCredentialsToken);
                        case READ -> retry(op, () -> api.getSample(samples.get(worker)));
                        case STREAM_WRITE -> {
                            writeRecords(api, worker, nextSecond);
                            nextSecond += RECORDS_PER_CALL;
                            if (steadyWindow > 0 && nextSecond >= firstSecond + steadyWindow) nextSecond = firstSecond;
                        }
                        case UPLOAD -> {
                            byte[] content = new byte[uploadBytes];
                            random.nextBytes(content);
                            String object = retry(op, () -> open.upload("load-" + worker + "-" + System.nanoTime() + ".bin", content));
                            uploads.add(new String[] {object, sha256(content)});
                        }
                        case BATCH_COMMIT -> commitBatch(api, worker);
                    }
                } catch (RuntimeException e) {
                    surfacedErrors.increment();
                    errorKinds.computeIfAbsent(op + ": " + e.getMessage().replaceAll("[0-9a-f-]{16,}", "…"), k -> new LongAdder()).increment();
                }
            }
        }
    }

    /** 100 records of this worker's entity; on a lost answer sent again with duplicates refused. */
    private void writeRecords(PrivateApi api, int worker, long firstSecond) {
        String entity = entities.get(worker);
        List<Map<String, Object>> records = new ArrayList<>(RECORDS_PER_CALL);
        for (int i = 0; i < RECORDS_PER_CALL; i++) {
            records.add(Map.of("fundamental_entity_id", entity, "data_element_id", HEART_RATE,
                    "stream_generate_time", Instant.ofEpochSecond(firstSecond + i).atOffset(ZoneOffset.ofHours(8)).toLocalDateTime().toString().replace('T', ' '),
                    "stream_data", Map.of("value_quantity", Map.of("unit", "beats/min", "value", 60 + i % 30))));
        }
        Model answer = retry(Op.STREAM_WRITE, () -> api.batchWriteStream(records, false));
        long stored = 0;
        for (Model item : answer.getList("result").models()) {
            // A retry after a lost answer finds the first attempt's records: refused as duplicates, stored once.
            if (Boolean.TRUE.equals(item.getBoolean("is_succeed")) || String.valueOf(item.get("message")).contains("exists")) stored++;
        }
        if (stored != RECORDS_PER_CALL) throw new IllegalStateException("stream write stored " + stored + " of " + RECORDS_PER_CALL + ": " + answer.dumps());
        // Distinct times acknowledged: in steady mode the writes cycle over one window of times.
        long added = stored;
        ackedRecords.computeIfAbsent(entity, k -> new AtomicLong()).updateAndGet(v -> steadyWindow > 0 ? Math.min(steadyWindow, v + added) : v + added);
    }

    /**
     * register, import 20 items, commit, wait for the task. An import whose answer was lost may or may
     * not have been applied, so the application starts over with a new batch (the other stays
     * uncommitted); a commit whose answer was lost is found committed (or queued) by reading the batch.
     */
    private void commitBatch(PrivateApi api, int worker) {
        List<Map<String, Object>> items = new ArrayList<>();
        for (int i = 0; i < 20; i++) items.add(Map.of("data_element_id", HEART_RATE, "value", i, "unit", "beats/min"));
        long started = System.nanoTime();
        for (int attempt = 0; ; attempt++) {
            long batchNo;
            try {
                batchNo = api.registerBatch("load " + worker, "mixed load").getLong("batch_no");
                api.importBatch(batchNo, items, samples.get(worker));
            } catch (RuntimeException e) {
                if (attempt >= 8 || !transientFailure(e)) throw e;
                errorKinds.computeIfAbsent("batch started over by the application: " + kind(e), k -> new LongAdder()).increment();
                sleep(50L << Math.min(attempt, 5));
                continue;
            }
            try {
                Model finished = api.waitFor(api.commitBatch(batchNo), Duration.ofSeconds(120));
                if (!"SUCCESS".equals(finished.getString("progress"))) throw new IllegalStateException("batch commit " + finished.dumps());
            } catch (RuntimeException e) {
                if (!transientFailure(e)) throw e;
                errorKinds.computeIfAbsent("commit answer lost, batch read back by the application: " + kind(e), k -> new LongAdder()).increment();
                awaitCommitted(api, batchNo);
            }
            latencies.get(Op.BATCH_COMMIT).add(System.nanoTime() - started);
            done.get(Op.BATCH_COMMIT).increment();
            batches.add(new long[] {batchNo, worker, items.size()});
            return;
        }
    }

    private void awaitCommitted(PrivateApi api, long batchNo) {
        for (int i = 0; i < 1200; i++) {
            try {
                Model batch = api.retrieveBatch(batchNo);
                if (Boolean.TRUE.equals(batch.getBoolean("committed"))) return;
                if (i > 20 && !Boolean.TRUE.equals(batch.getBoolean("committed"))) {
                    // never queued: the lost request did not reach a server; commit it now
                    api.waitFor(api.commitBatch(batchNo), Duration.ofSeconds(120));
                    return;
                }
            } catch (RuntimeException e) {
                if (!transientFailure(e) && !(e instanceof io.omix.sdk.ApiException)) throw e;
            }
            sleep(100);
        }
        throw new IllegalStateException("batch " + batchNo + " never committed");
    }

    /**
     * Sends again what failed for want of an answer (a 502 from the balancer, a reset connection)
     * or was refused by a request that may have been applied (an "already" answer counts as done);
     * the SDK itself retries only what is safe to send twice. Counts the call and its latency.
     */
    private <T> T retry(Op op, java.util.function.Supplier<T> call) {
        long started = System.nanoTime();
        RuntimeException last = null;
        for (int attempt = 0; attempt < 8; attempt++) {
            try {
                T result = call.get();
                latencies.get(op).add(System.nanoTime() - started);
                done.get(op).increment();
                return result;
            } catch (RuntimeException e) {
                last = e;
                if (!transientFailure(e)) throw e;
                errorKinds.computeIfAbsent("retried by the application (" + op + "): " + kind(e), k -> new LongAdder()).increment();
                sleep(50L << Math.min(attempt, 5));
            }
        }
        throw last;
    }

    private static String kind(RuntimeException e) {
        String m = String.valueOf(e.getMessage());
        return m.length() > 80 ? m.substring(0, 80) : m;
    }

    /** No answer from a server (the balancer's 502/504, a broken connection): the request may be sent again. */
    private static boolean transientFailure(RuntimeException e) {
        return e instanceof io.omix.sdk.BgeException b && !(e instanceof io.omix.sdk.ApiException)
                && (b.httpStatus() == 0 || b.httpStatus() >= 502);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Calls done so far by kind, and their latencies since the last call (drained). */
    Map<Op, Long> doneSoFar() {
        Map<Op, Long> m = new java.util.EnumMap<>(Op.class);
        done.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    long[] drainLatencies() {
        List<Long> all = new ArrayList<>();
        for (ConcurrentLinkedQueue<Long> q : latencies.values()) {
            Long v;
            while ((v = q.poll()) != null) all.add(v);
        }
        return all.stream().mapToLong(Long::longValue).toArray();
    }

    static double percentile(long[] nanos, double p) {
        if (nanos.length == 0) return 0;
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, Math.max(0, (int) Math.ceil(p / 100 * sorted.length) - 1))] / 1e6;
    }

    long surfacedErrors() {
        return surfacedErrors.sum();
    }

    Map<String, Long> errorKinds() {
        Map<String, Long> m = new java.util.TreeMap<>();
        errorKinds.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    /**
     * Reads back every acknowledged write: each worker's records (exactly as many as acknowledged, no
     * time twice), every upload's bytes, every committed batch's items (exactly once). Returns the problems.
     */
    List<String> verify() {
        List<String> problems = new ArrayList<>();
        try (PrivateApi api = privateApi(); OAuth2 oauth2 = oauth2()) {
            for (String entity : entities) {
                long acked = ackedRecords.getOrDefault(entity, new AtomicLong()).get();
                java.util.Set<String> times = new java.util.HashSet<>();
                long count = 0;
                for (Model r : api.streams(creds.namespace(), HEART_RATE, entity, null, null, null, "asc")) {
                    count++;
                    times.add(r.getString("stream_generate_time"));
                }
                if (count != acked || times.size() != count) {
                    problems.add("entity " + entity + ": " + acked + " records acknowledged, " + count + " stored, " + times.size() + " distinct times");
                }
            }
            Api open = oauth2.getApi(oauth2.getCredentialsToken().accessToken());
            for (String[] upload : uploads) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                open.download(upload[0], out);
                if (!sha256(out.toByteArray()).equals(upload[1])) problems.add("upload " + upload[0] + ": other bytes read back");
            }
            for (long[] batch : batches) {
                long items = 0;
                for (Model ignored : api.dataItems(samples.get((int) batch[1]), batch[0], null)) items++;
                if (items != batch[2]) problems.add("batch " + batch[0] + ": " + batch[2] + " items committed, " + items + " read back");
            }
        }
        return problems;
    }

    long ackedRecords() {
        return ackedRecords.values().stream().mapToLong(AtomicLong::get).sum();
    }

    int uploadsDone() {
        return uploads.size();
    }

    int batchesDone() {
        return batches.size();
    }
}
