package io.omix.server.streams;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import io.omix.server.Capability;
import io.omix.server.Platform;
import io.omix.server.common.auth.Access;
import io.omix.server.common.auth.Caller;
import io.omix.server.common.auth.PendingNonce;
import io.omix.server.common.auth.Scope;
import io.omix.server.common.db.Jdbc;
import io.omix.server.common.db.SqlWhere;
import io.omix.server.common.http.ApiException;
import io.omix.server.common.http.PageToken;
import io.omix.server.common.http.Routes;
import io.omix.server.common.time.PartialTime;
import io.omix.server.common.validation.BoolParam;
import io.omix.server.common.validation.IntParam;
import io.omix.server.common.validation.JsonParam;
import io.omix.server.common.validation.Param;
import io.omix.server.common.validation.ParamSpec;
import io.omix.server.common.validation.Params;
import io.omix.server.common.validation.PartialTimeParam;
import io.omix.server.common.validation.StringParam;
import io.omix.server.samples.SampleAccess;

import com.fasterxml.jackson.core.io.SerializedString;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Time-stamped health data: the private platform's streams (the private platform: write, batch write, retrieve,
 * range, bind) and the open platform's range and phenotype write. Records live in a
 * namespace: a private app's own, or {@value StreamStore#OPEN_PLATFORM} for the open platform.
 */
public final class StreamsCapability implements Capability {
    static final Pattern UUID_LIKE = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    static final String UUID_RULE = "a UUID";
    static final String NO_ENTITY = "fundamental_entity_id 不存在";
    static final int MAX_BATCH = 100;

    static final StringParam ENTITY = Param.string("fundamental_entity_id").pattern(UUID_LIKE, UUID_RULE);
    static final StringParam ELEMENT = Param.string("data_element_id").required().pattern(UUID_LIKE, UUID_RULE);
    static final PartialTimeParam TIME = Param.partialTime("stream_generate_time").required();
    /** A record's data at most (as JSON): a page of a hundred records stays answerable whole. */
    public static final int MAX_DATA_CHARS = 256 << 10;
    static final JsonParam DATA = Param.json("stream_data").required().maxChars(MAX_DATA_CHARS);
    static final BoolParam DUPLICATE = Param.bool("duplicate_enabled").orElse(false);
    static final StringParam BIOSAMPLE = Param.string("biosample_id").maxLength(64);
    static final StringParam NAMESPACE = Param.string("namespace").required().maxLength(100);
    static final PartialTimeParam START = Param.partialTime("start_time");
    static final PartialTimeParam END = Param.partialTime("end_time");
    static final StringParam SORT = Param.string("sort_direction").oneOf("asc", "desc").orElse("desc");
    static final StringParam NEXT_PAGE = Param.string("next_page").maxLength(200);
    static final IntParam LIMIT = Param.integer("limit").range(1, 100).orElse(100);
    // A request's whole body (16 MiB) at most: each record's data has its own limit (MAX_DATA_CHARS).
    static final JsonParam STREAMS = Param.json("streams").required().maxChars(16 << 20);
    static final StringParam STREAM_ID = Param.string("stream_id").required().maxLength(64);

    static final StringParam REQUIRED_SAMPLE = Param.string("biosample_id").required().maxLength(64);
    static final ParamSpec BIND = ParamSpec.of(REQUIRED_SAMPLE);
    static final StringParam REQUIRED_ENTITY = Param.string("fundamental_entity_id").required().pattern(UUID_LIKE, UUID_RULE);
    static final ParamSpec WRITE = ParamSpec.of(REQUIRED_ENTITY, ELEMENT, TIME, DATA, DUPLICATE);
    static final ParamSpec BATCH = ParamSpec.of(STREAMS, DUPLICATE);
    static final ParamSpec RETRIEVE = ParamSpec.of(STREAM_ID);
    static final ParamSpec PRIVATE_RANGE = ParamSpec.of(NAMESPACE, ELEMENT, ENTITY, BIOSAMPLE, START, END, SORT, NEXT_PAGE, LIMIT);
    static final ParamSpec OPEN_RANGE = ParamSpec.of(ELEMENT, BIOSAMPLE, START, END, SORT, NEXT_PAGE, LIMIT);
    static final ParamSpec PHENOTYPE = ParamSpec.of(REQUIRED_SAMPLE, ELEMENT, TIME, DATA, DUPLICATE);

    static final StringParam DIMENSION = Param.string("time_dimension").required()
            .oneOf("year", "quarter", "month", "week", "day", "hour", "minute", "second");
    static final PartialTimeParam REQUIRED_START = Param.partialTime("start_time").required();
    static final IntParam INTERVAL = Param.integer("interval").range(1, 1000).orElse(1);
    static final IntParam PERIODS = Param.integer("periods").range(1, Aggregation.MAX_PERIODS);
    static final ParamSpec AGGREGATE = ParamSpec.of(ELEMENT, DIMENSION, REQUIRED_START, END, BIOSAMPLE, INTERVAL, PERIODS);

    private final Platform platform;
    private final StreamStore store;
    private final StreamQuota quota;
    private final SampleAccess access;
    private final Jdbc jdbc;
    /** Seals the series a next_page token names. */
    private final StreamIds pageSeries;

    public StreamsCapability(Platform platform) {
        this.pageSeries = new StreamIds(platform.masterKey(), "stream-page-series");
        this.platform = platform;
        this.store = new StreamStore(platform);
        this.quota = platform.streamQuota();
        this.jdbc = platform.database().jdbc();
        this.access = new SampleAccess(jdbc);
    }

    @Override
    public void routes(Routes routes) {
        routes.post("/private/stream/bind", Access.PRIVATE_APP, BIND, (r, p) ->
                Map.of("fundamental_entity_id", store.entityOf(access.requireVisible(r.caller(), p.get(REQUIRED_SAMPLE), Scope.STREAMS))));
        // The two writes record the signed request's nonce in the write's own transaction (one commit, not two).
        routes.postRecordingNonceInWrite("/private/stream/write", Access.PRIVATE_APP, WRITE, (r, p) -> writeOne(r.caller().namespace(),
                entity(r.caller(), p.get(REQUIRED_ENTITY)), p, r.pendingNonce()));
        routes.postRecordingNonceInWrite("/private/stream/batch_write", Access.PRIVATE_APP, BATCH, (r, p) -> batch(r.caller(), p, r.pendingNonce(),
                r.ctx().contentLength() >= 0 && r.ctx().contentLength() <= MAX_DATA_CHARS / 2));
        routes.get("/private/stream/retrieve", Access.PRIVATE_APP, RETRIEVE, (r, p) -> {
            StreamStore.Record rec = store.find(p.get(STREAM_ID)).filter(x -> x.namespace().equals(r.caller().namespace()))
                    .orElseThrow(() -> ApiException.invalidParam("stream_id", "no such stream"));
            return privateView(rec);
        });
        routes.get("/private/stream/range", Access.PRIVATE_APP, PRIVATE_RANGE, (r, p) -> privateRange(r.caller(), p));

        routes.get("/stream/range", Access.TOKEN, OPEN_RANGE, (r, p) -> openRange(r.caller(), p));
        routes.get("/omics_data/aggregate", Access.TOKEN, AGGREGATE, (r, p) -> aggregate(r.caller(), p));
        routes.post("/datamall/phenotype/write", Access.CLIENT_TOKEN, PHENOTYPE, (r, p) -> {
            r.caller().requireScope(Scope.STREAMS);
            String entity = store.entityOf(access.requireWritable(r.caller(), p.get(REQUIRED_SAMPLE), Scope.STREAMS, "Observation", 'c'));
            return writeOne(StreamStore.OPEN_PLATFORM, entity, p, null);
        });
    }


    /** An entity the caller may write to: one bound to a sample the caller sees. */
    private String entity(Caller caller, String entityId) {
        String sample = store.sampleOf(entityId).orElseThrow(() -> ApiException.invalidParam("fundamental_entity_id", NO_ENTITY));
        try {
            access.requireVisible(caller, sample, Scope.STREAMS);
        } catch (ApiException notVisible) {
            throw ApiException.invalidParam("fundamental_entity_id", NO_ENTITY);
        }
        return entityId;
    }

    private Map<String, Object> writeOne(String namespace, String entityId, Params p, PendingNonce nonce) {
        if (store.element(p.get(ELEMENT)).isEmpty()) throw ApiException.invalidParam("data_element_id", "no such data element");
        if (!p.get(TIME).withinYears(platform.config().defaultZone())) throw ApiException.invalidParam("stream_generate_time", PartialTime.OUTSIDE_YEARS);
        StreamStore.Written w = write(namespace, List.of(new StreamStore.NewRecord(entityId, p.get(ELEMENT), p.get(TIME), p.get(DATA))),
                p.get(DUPLICATE), nonce).get(0);
        if (w.problem() != null) throw ApiException.invalidParam("stream_generate_time", w.problem());
        return Map.of("stream_id", w.streamId());
    }

    /** One item's answer in a batch (the private platform); a record, so Jackson writes it without looking up a serializer per value. */
    @JsonPropertyOrder({"is_succeed", "message", "stream"})
    record BatchItem(@JsonProperty("is_succeed") boolean isSucceed, String message, BatchStream stream) {}

    @JsonPropertyOrder({"stream_meta", "stream_generate_time", "stream_id", "data_element"})
    record BatchStream(@JsonProperty("stream_meta") StreamMeta streamMeta, @JsonProperty("stream_generate_time") String generateTime,
                       @JsonProperty("stream_id") String streamId, @JsonProperty("data_element") ElementRef dataElement) {}

    @JsonPropertyOrder({"namespace", "fundamental_entity_id"})
    record StreamMeta(String namespace, @JsonProperty("fundamental_entity_id") String entityId) {}

    record ElementRef(@JsonProperty("data_element_id") String dataElementId) {}

    /** Each item is checked on its own; one bad item never sinks the others. Valid items are written together. */
    private Map<String, Object> batch(Caller caller, Params p, PendingNonce nonce, boolean bodyWithinOneRecord) {
        JsonNode items = p.get(STREAMS);
        if (!items.isArray()) throw ApiException.invalidParam("streams", "must be a JSON array");
        if (items.size() > MAX_BATCH) throw ApiException.invalidParam("streams", "must have at most " + MAX_BATCH + " items");
        BatchItem[] results = new BatchItem[items.size()];
        List<StreamStore.NewRecord> toWrite = new ArrayList<>();
        List<Integer> positions = new ArrayList<>();
        // A batch usually repeats one entity and one element: check and look up each distinct id once.
        Map<String, Boolean> knownElements = new java.util.HashMap<>();
        Map<String, Boolean> writableEntities = new java.util.HashMap<>();
        Map<String, Boolean> wellFormedEntities = new java.util.HashMap<>();
        ZoneOffset zone = platform.config().defaultZone();
        for (int index = 0; index < results.length; index++) {
            JsonNode item = items.get(index);
            String entityId = item.path("fundamental_entity_id").asText(null);
            String elementId = item.path("data_element_id").asText(null);
            String problem = null;
            PartialTime time = null;
            JsonNode data = null;   // stream_data as it will be stored, once read
            if (!item.isObject()) {
                problem = "each item must be a JSON object";
            } else if (entityId == null || !wellFormedEntities.computeIfAbsent(entityId, e -> UUID_LIKE.matcher(e).matches())) {
                problem = "fundamental_entity_id must be " + UUID_RULE;
            } else if (elementId == null
                    || !knownElements.computeIfAbsent(elementId, e -> UUID_LIKE.matcher(e).matches() && store.element(e).isPresent())) {
                problem = "data_element_id 不存在";
            } else if (!item.has("stream_data") || item.get("stream_data").isNull()) {
                problem = "stream_data is required";
            } else if (!bodyWithinOneRecord
                    && io.omix.server.common.validation.JsonParam.longerThan(data = parsedIfText(item.get("stream_data")), MAX_DATA_CHARS)) {
                // Measured as it will be stored: numbers written back make it longer than it was sent (1e9 as 1E+9, 1e-6 as
                // 0.000001: twice as long at most; escapes are written back as they came). A body within half of one record's
                // limit holds no record beyond it, so the usual batch is not serialized an extra time.
                problem = "stream_data must be at most " + MAX_DATA_CHARS + " characters as JSON";
            } else {
                try {
                    time = PartialTime.parse(item.path("stream_generate_time").asText(null));
                    if (!time.withinYears(zone)) problem = "stream_generate_time " + PartialTime.OUTSIDE_YEARS;
                } catch (IllegalArgumentException e) {
                    problem = "stream_generate_time " + e.getMessage();
                }
                if (problem == null && !writableEntities.computeIfAbsent(entityId, e -> {
                    try {
                        entity(caller, e);
                        return true;
                    } catch (ApiException notWritable) {
                        return false;
                    }
                })) {
                    problem = NO_ENTITY;
                }
            }
            results[index] = new BatchItem(problem == null, problem == null ? "" : problem, new BatchStream(
                    new StreamMeta(caller.namespace(), entityId), time == null ? null : PartialTime.render(time.resolve(zone)), null,
                    new ElementRef(elementId == null ? "" : elementId)));
            if (problem == null) {
                toWrite.add(new StreamStore.NewRecord(entityId, elementId, time, data != null ? data : parsedIfText(item.get("stream_data"))));
                positions.add(index);
            }
        }
        List<StreamStore.Written> written = toWrite.isEmpty() ? List.of() : write(caller.namespace(), toWrite, p.get(DUPLICATE), nonce);
        for (int i = 0; i < written.size(); i++) {
            int index = positions.get(i);
            BatchItem result = results[index];
            StreamStore.Written w = written.get(i);
            results[index] = w.problem() != null
                    ? new BatchItem(false, w.problem(), result.stream())
                    : new BatchItem(true, "", new BatchStream(result.stream().streamMeta(), result.stream().generateTime(), w.streamId(),
                            result.stream().dataElement()));
        }
        return Map.of("result", List.of(results));
    }

    /**
     * Writes a request's records within their quotas: a private app's namespace, an open-platform sample (refused whole
     * beyond: 41401).
     */
    private List<StreamStore.Written> write(String namespace, List<StreamStore.NewRecord> records, boolean duplicateEnabled, PendingNonce nonce) {
        return quota.write(store, namespace, records, duplicateEnabled, nonce);
    }

    /** Housekeeping counts each private app's records for the quota (docs/api.md, streams.max-records-per-namespace). */
    @Override
    public List<io.omix.server.housekeeping.Housekeeping.Job> housekeeping() {
        return List.of(new io.omix.server.housekeeping.Housekeeping.Job("stream_usage", (now, r) -> StreamQuota.countAll(jdbc, now)));
    }

    /** stream_data may be a JSON object or, from form-encoded clients, its JSON text (read with the entry limits). */
    private static JsonNode parsedIfText(JsonNode data) {
        if (!data.isTextual()) return data;
        String text = data.textValue().trim();
        if (!text.startsWith("{") && !text.startsWith("[")) return data;
        return io.omix.server.common.http.ServerJson.readClientJson(text, "stream_data");
    }

    private Map<String, Object> privateRange(Caller caller, Params p) {
        if (!p.get(NAMESPACE).equals(caller.namespace())) throw ApiException.invalidParam("namespace", "is not this app's namespace");
        String entity = p.get(ENTITY);
        String sample = p.get(BIOSAMPLE);
        if ((entity == null) == (sample == null)) {
            throw ApiException.invalidParam(entity == null ? "fundamental_entity_id" : "biosample_id", "give exactly one of fundamental_entity_id and biosample_id");
        }
        String entityId = entity != null ? entity(caller, entity) : store.entityOf(access.requireVisible(caller, sample, Scope.STREAMS));
        return range(caller.namespace(), List.of(entityId), p, false);
    }

    private Map<String, Object> openRange(Caller caller, Params p) {
        caller.requireScope(Scope.STREAMS);
        return range(StreamStore.OPEN_PLATFORM, openEntities(caller, p.get(BIOSAMPLE)), p, true);
    }

    /** Demo: a year of daily resting heart rate and monthly weights for the demo user's genomics sample. */
    @Override
    public void demo(io.omix.server.demo.DemoData demo) {
        String sample = demo.credentials().path("samples").path("genomics").asText(null);
        if (sample == null) return;
        String entity = store.entityOf(sample);
        java.util.Random random = new java.util.Random(7);
        List<StreamStore.NewRecord> records = new ArrayList<>();
        java.time.LocalDate day = java.time.LocalDate.of(2025, 1, 1);
        for (int i = 0; i < 365; i++, day = day.plusDays(1)) {
            double bpm = 62 + 4 * Math.sin(i / 365.0 * 2 * Math.PI) + random.nextGaussian() * 2;
            records.add(new StreamStore.NewRecord(entity, "8d0c5b3e-6f44-4d5c-9f1e-6a1a9c3d2b01", PartialTime.parse(day + " 07:30"),
                    observation("beats/min", Math.round(bpm * 10) / 10.0)));
        }
        for (int month = 1; month <= 12; month++) {
            records.add(new StreamStore.NewRecord(entity, "8d0c5b3e-6f44-4d5c-9f1e-6a1a9c3d2b02", PartialTime.parse(String.format("2025-%02d", month)),
                    observation("kg", Math.round((70 - month * 0.3 + random.nextGaussian() * 0.4) * 10) / 10.0)));
        }
        for (int from = 0; from < records.size(); from += 100) {
            store.write(StreamStore.OPEN_PLATFORM, records.subList(from, Math.min(records.size(), from + 100)), false);
        }
        com.fasterxml.jackson.databind.node.ObjectNode section = demo.section("streams");
        section.put("biosample_id", sample);
        section.put("heart_rate", "8d0c5b3e-6f44-4d5c-9f1e-6a1a9c3d2b01");
        section.put("body_weight", "8d0c5b3e-6f44-4d5c-9f1e-6a1a9c3d2b02");
    }

    private static JsonNode observation(String unit, double value) {
        com.fasterxml.jackson.databind.node.ObjectNode o = io.omix.server.common.http.ServerJson.MAPPER.createObjectNode();
        o.put("resource_type", "Observation");
        o.put("status", "final");
        o.putObject("value_quantity").put("unit", unit).put("value", value);
        return o;
    }

    /** The entities a token caller reads: the named sample's, or for a user token without one, all its samples'. */
    private List<String> openEntities(Caller caller, String sample) {
        if (sample != null) return List.of(store.entityOf(access.requireVisible(caller, sample, Scope.STREAMS)));
        if (caller.kind() == Caller.Kind.CLIENT_TOKEN) throw ApiException.invalidParam("biosample_id", "is required for client-credentials tokens");
        SqlWhere where = SampleAccess.visibleTo(caller, Scope.STREAMS, new SqlWhere());
        return jdbc.query("SELECT se.entity_id FROM sample_entities se JOIN samples s ON s.biosample_id = se.biosample_id" + where.sql(),
                rs -> rs.getString(1), where.args());
    }

    /** Records an aggregate reads a statement: 200 of at most 256 KiB each (a page of 1,000 was up to 256 MiB held at once). */
    static final int AGGREGATE_PAGE = 200;

    private Map<String, Object> aggregate(Caller caller, Params p) {
        caller.requireScope(Scope.STREAMS);
        ZoneOffset zone = platform.config().defaultZone();
        OffsetDateTime start = p.get(REQUIRED_START).resolve(zone);
        OffsetDateTime end = p.get(END) == null ? null : p.get(END).resolve(zone);
        if (end == null && p.get(PERIODS) == null) throw ApiException.invalidParam("periods", "give end_time or periods");
        if (end != null && end.isBefore(start)) throw ApiException.invalidParam("end_time", "must not be before start_time");
        Aggregation agg;
        try {
            agg = new Aggregation(Aggregation.Dimension.valueOf(p.get(DIMENSION).toUpperCase(java.util.Locale.ROOT)), p.get(INTERVAL),
                    start, end, p.get(PERIODS) == null ? 0 : p.get(PERIODS), zone);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalidParam("periods", e.getMessage());
        }
        List<String> entities = openEntities(caller, p.get(BIOSAMPLE));
        OffsetDateTime until = agg.until().minusNanos(1000);
        long read = 0;
        long most = platform.config().aggregateMaxRecords(); // streams.aggregate-max-records: one request's time on a connection
        // Entity by entity, each a page at a time along its series' index: the figures do not depend on the order the
        // records come in, and several entities' records read together were sorted by time for every page.
        for (String entity : entities) {
            StreamStore.Cursor after = null;
            while (true) {
                List<StreamStore.Record> page = store.range(StreamStore.OPEN_PLATFORM, List.of(entity), p.get(ELEMENT), agg.from(), until, true, after,
                        AGGREGATE_PAGE);
                read += page.size();
                if (read > most) {
                    throw ApiException.invalidParam("start_time", String.format(java.util.Locale.ROOT,
                            "more than %,d records in the window (streams.aggregate-max-records): ask for a shorter window or one biosample_id", most));
                }
                for (StreamStore.Record r : page) agg.add(r.generateTime(), r.data());
                if (page.size() < AGGREGATE_PAGE) break;
                after = store.cursorAfter(page.get(page.size() - 1));
            }
        }
        return agg.result();
    }

    private Map<String, Object> range(String namespace, List<String> entities, Params p, boolean open) {
        ZoneOffset zone = platform.config().defaultZone();
        OffsetDateTime from = p.get(START) == null ? null : p.get(START).resolve(zone);
        OffsetDateTime to = p.get(END) == null ? null : p.get(END).resolve(zone);
        if (from != null && to != null && from.isAfter(to)) throw ApiException.invalidParam("start_time", "must not be after end_time");
        boolean asc = "asc".equals(p.get(SORT));
        int limit = p.get(LIMIT);
        List<StreamStore.Record> rows = entities.isEmpty() ? List.of()
                : store.range(namespace, entities, p.get(ELEMENT), from, to, asc, cursor(p.get(NEXT_PAGE)), limit + 1);
        String next = null;
        if (rows.size() > limit) {
            rows = rows.subList(0, limit);
            next = encode(store.cursorAfter(rows.get(limit - 1)));
        }
        List<Object> result = new ArrayList<>();
        for (StreamStore.Record r : rows) result.add(open ? openView(r) : privateView(r));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("result", result);
        out.put("next_page", next);
        out.put("count", result.size());
        return out;
    }

    /**
     * next_page names the last record of the page: its instant, tie-breaker and series, the series sealed (its number
     * would tell how many series the platform holds; another key than stream ids', so neither opens as the other).
     */
    private String encode(StreamStore.Cursor c) {
        Instant t = c.time().toInstant();
        return PageToken.encode(t.getEpochSecond(), t.getNano(), c.dupSeq(), c.seriesId() < 0 ? "-" : pageSeries.idOf(c.seriesId()));
    }

    private StreamStore.Cursor cursor(String token) {
        if (token == null) return null;
        // Tokens of three parts were given before the series was named in them: read by time and tie-breaker, as then.
        StreamStore.Cursor before = PageToken.decodeIfParts(token, 3, parts -> new StreamStore.Cursor(timeOf(parts), -1, Long.parseLong(parts[2])));
        if (before != null) return before;
        return PageToken.decode(token, 4, parts -> new StreamStore.Cursor(timeOf(parts),
                parts[3].equals("-") ? -1 : pageSeries.keyOf(parts[3]).orElseThrow(), Long.parseLong(parts[2])));
    }

    /** The instant a next_page token's first two parts name (its seconds and nanoseconds). */
    private static java.time.OffsetDateTime timeOf(String[] parts) {
        return PageToken.instant(parts[0], parts[1]);
    }

    private PrivateRecordView privateView(StreamStore.Record r) {
        return PrivateRecordView.of(r, platform.config().defaultZone(), privateElements);
    }

    private OpenRecordView openView(StreamStore.Record r) {
        return OpenRecordView.of(r, platform.config().defaultZone(), openElements);
    }

    /**
     * Each data element as each platform shows it, serialized once: a page repeats it in every record, and
     * serializing it again each time was a third of a page's time. Data elements never change once created.
     */
    private final Map<String, SerializedString> openElements = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, SerializedString> privateElements = new java.util.concurrent.ConcurrentHashMap<>();
}
