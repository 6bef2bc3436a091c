package io.omix.server.beacon;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.HandlerType;
import io.omix.server.Capability;
import io.omix.server.Platform;
import io.omix.server.common.auth.Access;
import io.omix.server.common.auth.Scope;
import io.omix.server.common.auth.Secrets;
import io.omix.server.common.db.Jdbc;
import io.omix.server.common.db.SqlWhere;
import io.omix.server.common.http.ApiException;
import io.omix.server.common.http.ApiRequest;
import io.omix.server.common.http.ErrorCode;
import io.omix.server.common.http.Ga4gh;
import io.omix.server.common.http.RateLimits;
import io.omix.server.common.http.Routes;
import io.omix.server.common.validation.IntParam;
import io.omix.server.common.validation.JsonParam;
import io.omix.server.common.validation.LongParam;
import io.omix.server.common.validation.Param;
import io.omix.server.common.validation.ParamSpec;
import io.omix.server.common.validation.Params;
import io.omix.server.common.validation.StringParam;
import io.omix.server.beacon.BeaconAudience.Granularity;
import io.omix.server.variants.CarrierSearch;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * GA4GH Beacon v2 under {@code /beacon/v2}: the framework's informational endpoints and the default model's
 * genomic variations, biosamples, individuals and datasets (the platform's projects), asked by GET or POST.
 * How much an answer says depends on who asks ({@link BeaconAudience}): booleans for anonymous callers over
 * what an operator published, counts for tokens, records only over the caller's own samples. Counts over other
 * people's samples below {@code beacon.count-threshold} are answered as "at most" the threshold, and each
 * caller may ask {@code beacon.probes-per-hour} variant questions over other people's samples an hour, since an
 * open Beacon answers genotype probes (every query is in the audit trail). Errors are Beacon error responses.
 */
public final class BeaconCapability implements Capability {
    static final String BASE = "/beacon/v2";
    static final String SCHEMA_BASE = "https://raw.githubusercontent.com/ga4gh-beacon/beacon-v2/main/";

    static final IntParam SKIP = Param.integer("skip").range(0, 1_000_000).orElse(0);
    static final IntParam LIMIT = Param.integer("limit").range(0, 1000).orElse(10);
    static final StringParam GRANULARITY = Param.string("requestedGranularity").oneOf("boolean", "count", "record").orElse("boolean");
    static final StringParam INCLUDE = Param.string("includeResultsetResponses").oneOf("ALL", "HIT", "MISS", "NONE").orElse("HIT");
    static final StringParam FILTERS = Param.string("filters").maxLength(2000);
    static final StringParam REQUESTED_SCHEMA = Param.string("requestedSchema").maxLength(200);
    static final StringParam TEST_MODE = Param.string("testMode").oneOf("true", "false");

    static final StringParam REFERENCE_NAME = Param.string("referenceName").maxLength(40)
            .pattern(Pattern.compile("[A-Za-z0-9_.:]{1,40}"), "a chromosome (1..22, X, Y, MT, with or without chr) or its RefSeq accession");
    static final LongParam START = Param.longInt("start").range(0, 1L << 40);
    static final LongParam END = Param.longInt("end").range(1, 1L << 40);
    static final StringParam REFERENCE_BASES = Param.string("referenceBases").maxLength(1000)
            .pattern(Pattern.compile("[ACGTN]{1,1000}"), "bases A, C, G, T or N");
    static final StringParam ALTERNATE_BASES = Param.string("alternateBases").maxLength(1000)
            .pattern(Pattern.compile("[ACGTN]{1,1000}"), "bases A, C, G, T or N");
    static final StringParam ASSEMBLY = Param.string("assemblyId").maxLength(32)
            .pattern(Pattern.compile("[A-Za-z0-9_.]{1,32}"), "an assembly name such as GRCh38");
    static final StringParam VARIANT_ID = Param.string("variantId").maxLength(20)
            .pattern(Pattern.compile("rs[0-9]{1,15}"), "an rs id such as rs1042522");
    static final List<StringParam> UNSUPPORTED = BeaconTerms.UNSUPPORTED_VARIANT_PARAMETERS.stream().map(n -> Param.string(n).maxLength(1000)).toList();

    static final StringParam ID = Param.string("id").required().maxLength(2100);
    static final Pattern VARIANT_INTERNAL_ID = Pattern.compile("([A-Za-z0-9_.]{1,32}):([A-Za-z0-9_.]{1,32}):([0-9]{1,12}):([ACGTN]{1,1000}):([ACGTN]{1,1000})");

    static final JsonParam META = Param.json("meta").objectOnly().maxChars(10_000);
    static final JsonParam QUERY = Param.json("query").objectOnly().maxChars(100_000);

    static final ParamSpec COMMON = ParamSpec.of(SKIP, LIMIT, GRANULARITY, INCLUDE, FILTERS, REQUESTED_SCHEMA, TEST_MODE);
    static final ParamSpec VARIANT_QUERY = COMMON.with(REFERENCE_NAME, START, END, REFERENCE_BASES, ALTERNATE_BASES, ASSEMBLY, VARIANT_ID)
            .with(UNSUPPORTED.toArray(new Param<?, ?>[0]));
    static final ParamSpec BODY = ParamSpec.of(META, QUERY);

    private final Platform platform;
    private final Jdbc jdbc;
    private final CarrierSearch carriers;
    private final byte[] individualKey;

    public BeaconCapability(Platform platform) {
        this.platform = platform;
        this.jdbc = platform.database().jdbc();
        this.carriers = new CarrierSearch(jdbc);
        this.individualKey = platform.masterKey().derive("beacon-individual");
    }

    /** One Beacon question, whether it came as query parameters or as a request body. */
    record Ask(Granularity asked, int skip, int limit, String include, Params params) {}

    @FunctionalInterface
    interface Answer {
        Object answer(ApiRequest r, Ask ask, String id);
    }

    @Override
    public void routes(Routes routes) {
        for (String path : List.of(BASE, BASE + "/info")) {
            routes.resource(HandlerType.GET, path, Access.PUBLIC, ParamSpec.NONE, (r, p) -> info(r));
        }
        routes.resource(HandlerType.GET, BASE + "/service-info", Access.PUBLIC, ParamSpec.NONE, (r, p) -> serviceInfo(r));
        routes.resource(HandlerType.GET, BASE + "/configuration", Access.PUBLIC, ParamSpec.NONE,
                (r, p) -> informational(r, "configuration", configuration()));
        routes.resource(HandlerType.GET, BASE + "/entry_types", Access.PUBLIC, ParamSpec.NONE,
                (r, p) -> informational(r, "entryType", Map.of("entryTypes", entryTypes())));
        routes.resource(HandlerType.GET, BASE + "/map", Access.PUBLIC, ParamSpec.NONE, (r, p) -> informational(r, "map", map(r)));
        routes.resource(HandlerType.GET, BASE + "/filtering_terms", Access.PUBLIC, ParamSpec.NONE,
                (r, p) -> informational(r, "filteringTerm", Map.of("filteringTerms", List.of(), "resources", List.of())));

        query(routes, "/g_variants", VARIANT_QUERY, (r, a, id) -> genomicVariations(r, a, variantQuery(a.params()), false));
        query(routes, "/g_variants/{id}", COMMON.with(ID), (r, a, id) -> genomicVariations(r, a, internalId(id), false));
        query(routes, "/g_variants/{id}/biosamples", COMMON.with(ID), (r, a, id) -> genomicVariations(r, a, internalId(id), true));
        query(routes, "/biosamples", COMMON, (r, a, id) -> biosamples(r, a, null));
        query(routes, "/biosamples/{id}", COMMON.with(ID), (r, a, id) -> biosamples(r, a, id));
        query(routes, "/individuals", COMMON, (r, a, id) -> individuals(r, a, null));
        query(routes, "/individuals/{id}", COMMON.with(ID), (r, a, id) -> individuals(r, a, id));
        query(routes, "/datasets", COMMON, (r, a, id) -> datasets(r, a, null));
        query(routes, "/datasets/{id}", COMMON.with(ID), (r, a, id) -> datasets(r, a, id));
    }

    /** An entry-type endpoint by GET (query parameters) and by POST (a Beacon request body). */
    private void query(Routes routes, String path, ParamSpec spec, Answer answer) {
        boolean hasId = spec.params().contains(ID);
        routes.resource(HandlerType.GET, BASE + path, Access.TOKEN_IF_SENT, spec, (r, p) -> {
            limitAnonymous(r);
            return answer.answer(r, ask(p), hasId ? p.get(ID) : null);
        });
        ParamSpec body = hasId ? BODY.with(ID) : BODY;
        routes.postOnlyReads(BASE + path);
        routes.resource(HandlerType.POST, BASE + path, Access.TOKEN_IF_SENT, body, (r, p) -> {
            limitAnonymous(r);
            Params flat = spec.parse(flatten(p.get(QUERY), hasId ? p.get(ID) : null));
            return answer.answer(r, ask(flat), hasId ? p.get(ID) : null);
        });
    }

    private static Ask ask(Params p) {
        if (p.get(FILTERS) != null) {
            throw ApiException.invalidParam("filters", "this beacon offers no filtering terms (see " + BASE + "/filtering_terms)");
        }
        for (StringParam unsupported : UNSUPPORTED) {
            if (p.declared().contains(unsupported) && p.get(unsupported) != null) {
                throw ApiException.invalidParam(unsupported.name(), "is not supported by this beacon");
            }
        }
        // Beacon's limit 0 asks for everything: this beacon's most, 1000.
        int limit = p.get(LIMIT) == 0 ? 1000 : p.get(LIMIT);
        return new Ask(Granularity.of(p.get(GRANULARITY)), p.get(SKIP), limit, p.get(INCLUDE), p);
    }

    /**
     * A POST body's {@code query} as the parameters a GET would carry: requestParameters, pagination,
     * requestedGranularity, includeResultsetResponses, filters. Beacon sends start and end as arrays:
     * one value is a position; two (a bracket query) are refused.
     */
    private static Map<String, List<JsonNode>> flatten(JsonNode query, String id) {
        Map<String, List<JsonNode>> in = new LinkedHashMap<>();
        if (id != null) in.put("id", List.of(com.fasterxml.jackson.databind.node.TextNode.valueOf(id)));
        if (query == null) return in;
        JsonNode parameters = query.path("requestParameters");
        if (parameters.isObject()) {
            parameters.fields().forEachRemaining(e -> {
                JsonNode v = e.getValue();
                if (v.isArray()) {
                    if (v.size() != 1) throw ApiException.invalidParam(e.getKey(), "one value (bracket queries are not supported)");
                    v = v.get(0);
                }
                in.put(e.getKey(), List.of(v));
            });
        } else if (!parameters.isMissingNode() && !parameters.isNull()) {
            throw ApiException.invalidParam("requestParameters", "must be a JSON object");
        }
        JsonNode pagination = query.path("pagination");
        if (pagination.has("skip")) in.put("skip", List.of(pagination.get("skip")));
        if (pagination.has("limit")) in.put("limit", List.of(pagination.get("limit")));
        for (String name : List.of("requestedGranularity", "includeResultsetResponses")) {
            if (query.has(name)) in.put(name, List.of(query.get(name)));
        }
        if (query.has("testMode")) in.put("testMode", List.of(com.fasterxml.jackson.databind.node.TextNode.valueOf(query.get("testMode").asText())));
        JsonNode filters = query.path("filters");
        if (filters.isArray() && !filters.isEmpty() || filters.isTextual() && !filters.asText().isEmpty()) {
            in.put("filters", List.of(com.fasterxml.jackson.databind.node.TextNode.valueOf(filters.toString())));
        }
        return in;
    }

    // ---- genomic variations ----

    private static CarrierSearch.Query variantQuery(Params p) {
        String assembly = p.get(ASSEMBLY);
        if (p.get(VARIANT_ID) != null) {
            return new CarrierSearch.Query(Long.parseLong(p.get(VARIANT_ID).substring(2)), null, 0, 0, p.get(REFERENCE_BASES), p.get(ALTERNATE_BASES), assembly);
        }
        if (p.get(REFERENCE_NAME) == null || p.get(START) == null) {
            String missing = p.get(REFERENCE_NAME) == null ? "referenceName" : "start";
            throw ApiException.invalidParam(missing, "a variant query needs a variantId, or a referenceName with a start (0-based)");
        }
        long start = p.get(START);
        Long end = p.get(END);
        if (end != null && end <= start) throw ApiException.invalidParam("end", "must be after start");
        if (end == null && p.get(ALTERNATE_BASES) == null) {
            throw ApiException.invalidParam("alternateBases", "a query at one position (no end) names the alternate bases");
        }
        // Beacon positions are 0-based, end excluded; calls are stored 1-based.
        return new CarrierSearch.Query(null, BeaconTerms.chromosome(p.get(REFERENCE_NAME)), start + 1, end == null ? start + 1 : end,
                p.get(REFERENCE_BASES), p.get(ALTERNATE_BASES), assembly);
    }

    /** A variantInternalId ({@code GRCh38:17:7676154:G:C}) as the query for that one variant. */
    private static CarrierSearch.Query internalId(String id) {
        java.util.regex.Matcher m = VARIANT_INTERNAL_ID.matcher(id);
        if (!m.matches()) throw new ApiException(ErrorCode.OBJECT_NOT_FOUND, Map.of("id", "no variant " + io.omix.server.common.validation.Texts.shortened(id, 80) + " (ids are assembly:chromosome:position:ref:alt)"));
        long position = Long.parseLong(m.group(3));
        return new CarrierSearch.Query(null, m.group(2), position, position, m.group(4), m.group(5), m.group(1));
    }

    private Object genomicVariations(ApiRequest r, Ask ask, CarrierSearch.Query query, boolean biosamplesOfIt) {
        BeaconAudience audience = new BeaconAudience(jdbc, r.caller(), Scope.VARIANTS);
        Granularity g = audience.granted(ask.asked());
        BeaconAudience.Subjects subjects = audience.variantSubjects(g);
        if (subjects.reachesOthers()) probe(r, audience);
        List<CarrierSearch.Variant> found;
        try {
            found = carriers.search(subjects.subjects(), query);
        } catch (CarrierSearch.TooBroad e) {
            throw ApiException.invalidParam("end", "the range holds more than " + CarrierSearch.MAX_CALLS + " calls: ask a narrower one");
        }
        Map<String, Object> requestParameters = new LinkedHashMap<>();
        ask.params().declared().forEach(p -> {
            if (ask.params().given(p) && !COMMON.params().contains(p)) requestParameters.put(p.name(), ask.params().get(p));
        });
        if (biosamplesOfIt) {
            // The carriers of one variant, answered as biosamples.
            Map<String, BeaconAudience.Covered> carriersOf = new LinkedHashMap<>();
            for (CarrierSearch.Variant v : found) {
                for (CarrierSearch.Carrier c : v.carriers()) {
                    carriersOf.put(c.biosampleId(), new BeaconAudience.Covered(c.biosampleId(), subjects.own().contains(c.biosampleId())));
                }
            }
            return biosampleAnswer(r, ask, audience, g, carriersOf, requestParameters, wildcard(query));
        }
        int ownCount = (int) found.stream().filter(v -> v.carriers().stream().anyMatch(c -> subjects.own().contains(c.biosampleId()))).count();
        Map<String, Object> meta = meta(r, ask, g, "genomicVariation", "beacon-g_variant-v2.0.0", Map.of("g_variant", requestParameters));
        if (g != Granularity.RECORD) return summary(meta, ownCount, found.size() - ownCount, g, wildcard(query));
        Set<String> own = new LinkedHashSet<>();
        found.forEach(v -> v.carriers().forEach(c -> own.add(c.biosampleId())));
        Map<String, List<String>> datasetsOf = datasetsOf(own);
        List<CarrierSearch.Variant> page = page(found, ask);
        Map<String, List<Map<String, Object>>> results = new TreeMap<>();
        Map<String, Integer> counts = new TreeMap<>();
        for (String dataset : datasetIds(datasetsOf)) {
            results.put(dataset, new ArrayList<>());
            counts.put(dataset, 0);
        }
        for (CarrierSearch.Variant v : found) {
            Set<String> in = new LinkedHashSet<>();
            v.carriers().forEach(c -> in.addAll(datasetsOf.get(c.biosampleId())));
            in.forEach(d -> counts.merge(d, 1, Integer::sum));
        }
        for (CarrierSearch.Variant v : page) {
            for (String dataset : results.keySet()) {
                List<CarrierSearch.Carrier> here = v.carriers().stream().filter(c -> datasetsOf.get(c.biosampleId()).contains(dataset)).toList();
                if (!here.isEmpty()) results.get(dataset).add(variation(v, here));
            }
        }
        return recordAnswer(meta, ask, found.size(), results, counts);
    }

    private Map<String, Object> variation(CarrierSearch.Variant v, List<CarrierSearch.Carrier> carriersHere) {
        Map<String, Object> interval = new LinkedHashMap<>();
        interval.put("type", "SequenceInterval");
        interval.put("start", Map.of("type", "Number", "value", v.position() - 1));
        interval.put("end", Map.of("type", "Number", "value", v.position() - 1 + v.ref().length()));
        Map<String, Object> location = new LinkedHashMap<>();
        location.put("type", "SequenceLocation");
        location.put("sequence_id", BeaconTerms.sequenceId(v.assembly(), v.chromosome()));
        location.put("interval", interval);
        Map<String, Object> variation = new LinkedHashMap<>();
        variation.put("variantType", BeaconTerms.variantType(v.ref(), v.alt()));
        variation.put("referenceBases", v.ref());
        variation.put("alternateBases", v.alt());
        variation.put("location", location);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("variantInternalId", v.id());
        out.put("variation", variation);
        Map<String, Object> identifiers = new LinkedHashMap<>();
        BeaconTerms.refseq(v.assembly(), v.chromosome()).filter(a -> v.ref().length() == 1 && v.alt().length() == 1)
                .ifPresent(a -> identifiers.put("genomicHGVSId", a + ":g." + v.position() + v.ref() + ">" + v.alt()));
        if (!v.rsids().isEmpty()) {
            identifiers.put("variantAlternativeIds", v.rsids().stream()
                    .map(rs -> Map.of("id", "dbSNP:rs" + rs, "reference", "https://www.ncbi.nlm.nih.gov/snp/rs" + rs)).toList());
        }
        if (!identifiers.isEmpty()) out.put("identifiers", identifiers);
        out.put("caseLevelData", carriersHere.stream().map(c -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("biosampleId", c.biosampleId());
            m.put("zygosity", BeaconTerms.zygosity(c.zygosity()));
            return m;
        }).toList());
        return out;
    }

    /**
     * One variant question over other people's samples, counted against the caller's hour (a client's token, a person
     * through a client, or an address when anonymous) and against its application's hour, shared by every server: the
     * Beacon attack needs many such questions.
     */
    private void probe(ApiRequest r, BeaconAudience audience) {
        long nowSeconds = platform.clock().millis() / 1000;
        long hourMinute = nowSeconds / 3600 * 60;
        long retry = Math.max(1, (hourMinute + 60) * 60 - nowSeconds);
        spend(r, audience.probeKey(io.omix.server.common.http.ClientAddress.of(r.ctx())), hourMinute, retry, platform.config().beacon().probesPerHour(),
                "variant queries", "an hour over samples that are not the caller's own", "");
        String application = audience.applicationProbeKey();
        if (application != null) {
            spend(r, application, hourMinute, retry, platform.config().beacon().probesPerHourPerApplication(), "variant queries",
                    "an hour for all of this application's tokens together over samples that are not the caller's own", "");
        }
    }

    /**
     * Takes one from {@code key}'s count in the window that starts at {@code windowMinute} (shared by every server), or
     * refuses with 429 and {@code Retry-After}: "at most {limit} {rule}; retry after {retry} s{hint}" under {@code field}.
     */
    private void spend(ApiRequest r, String key, long windowMinute, long retry, int limit, String field, String rule, String hint) {
        if (RateLimits.takeOne(jdbc, platform.clock(), key, windowMinute, limit)) return;
        r.ctx().header("Retry-After", String.valueOf(retry));
        throw new ApiException(ErrorCode.HTTP_TOO_MANY_REQUESTS, Map.of(field, "at most " + limit + " " + rule + "; retry after " + retry + " s" + hint));
    }

    /**
     * Anonymous entry-type queries, counted per address (IPv6 by its /64) and minute over all servers: the rate limits of
     * the API count applications, and an anonymous query reads published cohorts and is audited like any other.
     */
    private void limitAnonymous(ApiRequest r) {
        if (r.caller() != null && r.caller().kind() != io.omix.server.common.auth.Caller.Kind.ANONYMOUS) return;
        long nowSeconds = platform.clock().millis() / 1000;
        long minute = nowSeconds / 60;
        String key = "beacon:anonymous:" + io.omix.server.common.http.ClientAddress.subscriber(io.omix.server.common.http.ClientAddress.of(r.ctx()));
        spend(r, key, minute, Math.max(1, (minute + 1) * 60 - nowSeconds), platform.config().beacon().anonymousPerMinute(), "queries",
                "a minute from one address without a token", ", or send a token");
    }

    // ---- biosamples, individuals, datasets ----

    private Object biosamples(ApiRequest r, Ask ask, String id) {
        BeaconAudience audience = new BeaconAudience(jdbc, r.caller(), Scope.SAMPLES);
        Granularity g = audience.granted(ask.asked());
        Map<String, BeaconAudience.Covered> covered = audience.samples(g);
        if (id != null) {
            // One sample asked for by id: answered over the caller's own samples only. Over published cohorts, the answer
            // would tell whether that sample (or, for an individual, that person) is in one, a question about one person
            // that no count threshold hides.
            covered.keySet().retainAll(Set.of(id));
            covered.values().removeIf(c -> !c.own());
        }
        return biosampleAnswer(r, ask, audience, g, covered, Map.of(), false);
    }

    /** Whether a variant query stands for several alleles ({@code N} in its bases). */
    private static boolean wildcard(CarrierSearch.Query query) {
        return query.referenceBases() != null && query.referenceBases().contains("N")
                || query.alternateBases() != null && query.alternateBases().contains("N");
    }

    private Object biosampleAnswer(ApiRequest r, Ask ask, BeaconAudience audience, Granularity g, Map<String, BeaconAudience.Covered> covered,
                                   Map<String, Object> requestParameters, boolean wildcard) {
        // Sample records need the samples scope as well (a variants-only token asking for a variant's carriers gets a count).
        if (g == Granularity.RECORD && !r.caller().hasScope(Scope.SAMPLES.id())) g = Granularity.COUNT;
        Map<String, Object> meta = meta(r, ask, g, "biosample", "beacon-biosample-v2.0.0",
                requestParameters.isEmpty() ? null : Map.of("g_variant", requestParameters));
        int ownCount = (int) covered.values().stream().filter(BeaconAudience.Covered::own).count();
        if (g != Granularity.RECORD) return summary(meta, ownCount, covered.size() - ownCount, g, wildcard);
        List<String> ids = seenAsSamples(r.caller(), covered.values().stream().filter(BeaconAudience.Covered::own)
                .map(BeaconAudience.Covered::biosampleId).toList());
        Map<String, List<String>> datasetsOf = datasetsOf(ids);
        Map<String, Map<String, Object>> records = biosampleRecords(r.caller(), page(ids, ask));
        return grouped(meta, ask, ids, datasetsOf, records);
    }

    /**
     * Of a variant's own carriers (found under the variants scope), those the caller sees as samples too: an application's
     * token may read the calls of a person who allowed it {@code variants} and not her sample's details ({@code samples}).
     */
    private List<String> seenAsSamples(io.omix.server.common.auth.Caller caller, List<String> ids) {
        if (ids.isEmpty()) return ids;
        SqlWhere where = io.omix.server.samples.SampleAccess.visibleTo(caller, Scope.SAMPLES, new SqlWhere().in("s.biosample_id", ids));
        Set<String> seen = new java.util.HashSet<>(jdbc.query("SELECT s.biosample_id FROM samples s" + where.sql(), rs -> rs.getString(1), where.args()));
        return ids.stream().filter(seen::contains).toList();
    }

    private Map<String, Map<String, Object>> biosampleRecords(io.omix.server.common.auth.Caller caller, List<String> ids) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        if (ids.isEmpty()) return out;
        SqlWhere where = new SqlWhere().in("s.biosample_id", ids);
        Map<String, String> person = new LinkedHashMap<>();
        SqlWhere bound = new SqlWhere().in("su.biosample_id", ids);
        jdbc.query("SELECT su.biosample_id, MIN(su.user_id) FROM sample_users su" + bound.sql() + " GROUP BY su.biosample_id", rs -> {
            person.put(rs.getString(1), rs.getString(2));
            return null;
        }, bound.args());
        for (Map<String, Object> m : jdbc.query("SELECT s.biosample_id, s.site, s.organism, s.omic, s.sample_collection_time FROM samples s" + where.sql()
                + " ORDER BY s.biosample_id", rs -> {
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("id", rs.getString("biosample_id"));
            String user = person.get(rs.getString("biosample_id"));
            if (user != null) b.put("individualId", individualId(caller, user));
            b.put("biosampleStatus", BeaconTerms.UNKNOWN);
            b.put("sampleOriginType", BeaconTerms.site(rs.getInt("site")));
            OffsetDateTime collected = rs.getObject("sample_collection_time", OffsetDateTime.class);
            if (collected != null) b.put("collectionDate", collected.withOffsetSameInstant(ZoneOffset.UTC).toLocalDate().toString());
            b.put("info", Map.of("omic", io.omix.server.samples.Codes.OMICS.getOrDefault(rs.getInt("omic"), "unknown"),
                    "organism", io.omix.server.samples.Codes.ORGANISMS.getOrDefault(rs.getInt("organism"), "unknown")));
            return b;
        }, where.args())) {
            out.put((String) m.get("id"), m);
        }
        return out;
    }

    private Object individuals(ApiRequest r, Ask ask, String id) {
        BeaconAudience audience = new BeaconAudience(jdbc, r.caller(), Scope.SAMPLES);
        Granularity g = audience.granted(ask.asked());
        Map<String, BeaconAudience.Covered> samples = audience.samples(g);
        // The people behind the covered samples, by pseudonym; the caller's own samples decide what is own.
        Map<String, Boolean> own = new TreeMap<>();
        Map<String, String> userOf = new LinkedHashMap<>();
        Map<String, List<String>> samplesOf = new LinkedHashMap<>();
        forEachChunk(new ArrayList<>(samples.keySet()), chunk -> {
            // A person who keeps their samples out of the Beacon is nobody's individual here but their own (a sample the caller
            // sees may be shared with them).
            SqlWhere where = new SqlWhere().in("su.biosample_id", chunk)
                    .and("(x.beacon_opt_out = FALSE OR su.user_id = ?)", r.caller().kind() == io.omix.server.common.auth.Caller.Kind.USER_TOKEN ? r.caller().userId() : "");
            jdbc.query("SELECT su.biosample_id, su.user_id FROM sample_users su JOIN users x ON x.user_id = su.user_id" + where.sql(), rs -> {
                String pseudonym = individualId(r.caller(), rs.getString(2));
                userOf.put(pseudonym, rs.getString(2));
                own.merge(pseudonym, samples.get(rs.getString(1)).own(), Boolean::logicalOr);
                samplesOf.computeIfAbsent(pseudonym, k -> new ArrayList<>()).add(rs.getString(1));
                return null;
            }, where.args());
        });
        if (id != null) {
            own.keySet().retainAll(Set.of(id)); // as for one biosample: the caller's own people only
            own.values().removeIf(o -> !o);
        }
        Map<String, Object> meta = meta(r, ask, g, "individual", "beacon-individual-v2.0.0", null);
        int ownCount = (int) own.values().stream().filter(o -> o).count();
        if (g != Granularity.RECORD) return summary(meta, ownCount, own.size() - ownCount, g);
        List<String> ids = own.entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey).toList();
        Map<String, List<String>> sampleDatasets = datasetsOf(samplesOf.values().stream().flatMap(List::stream).distinct().toList());
        Map<String, List<String>> datasetsOf = new LinkedHashMap<>();
        for (String ind : ids) {
            Set<String> ds = new LinkedHashSet<>();
            samplesOf.get(ind).forEach(s -> ds.addAll(sampleDatasets.getOrDefault(s, List.of())));
            datasetsOf.put(ind, List.copyOf(ds));
        }
        Map<String, Map<String, Object>> records = new LinkedHashMap<>();
        for (String ind : page(ids, ask)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", ind);
            // Sex is profile data: shown to the person's own token with the profile scope, unknown to everyone else.
            String user = userOf.get(ind);
            boolean self = user.equals(r.caller().userId()) && r.caller().hasScope(Scope.PROFILE.id());
            m.put("sex", self ? BeaconTerms.sex(jdbc.queryOne("SELECT sex FROM users WHERE user_id = ?", rs -> (Integer) rs.getObject(1), user).orElse(null))
                    : BeaconTerms.UNKNOWN);
            records.put(ind, m);
        }
        return grouped(meta, ask, ids, datasetsOf, records);
    }

    /**
     * A person's id in Beacon answers: keyed by the platform's secret and the caller's application, so it reveals nothing,
     * stays stable for that application, and differs between applications: two of them cannot link a person through it,
     * nor one use an id another gave it.
     */
    private String individualId(io.omix.server.common.auth.Caller caller, String userId) {
        String audience = caller.kind() == io.omix.server.common.auth.Caller.Kind.ANONYMOUS ? "anonymous" : io.omix.server.tasks.TasksCapability.ownerOf(caller);
        return "ind-" + Secrets.hmac(individualKey, audience + "\n" + userId).substring(0, 20).replaceAll("[^A-Za-z0-9]", "x");
    }

    private Object datasets(ApiRequest r, Ask ask, String id) {
        BeaconAudience audience = new BeaconAudience(jdbc, r.caller(), Scope.SAMPLES);
        // Datasets are projects: their names and descriptions are not about anyone, so they are listed as records
        // to anyone for the published ones, and to a token for the projects of its own samples.
        Set<String> ownProjects = new LinkedHashSet<>();
        if (audience.seesOwn()) {
            SqlWhere where = io.omix.server.samples.SampleAccess.visibleTo(r.caller(), Scope.SAMPLES, new SqlWhere());
            ownProjects.addAll(jdbc.query("SELECT DISTINCT sp.project_id FROM sample_projects sp JOIN samples s ON s.biosample_id = sp.biosample_id"
                    + where.sql(), rs -> rs.getString(1), where.args()));
        }
        List<Map<String, Object>> all = new ArrayList<>();
        jdbc.query("SELECT project_id, name, public_description, created_at, beacon_public FROM projects ORDER BY project_id", rs -> {
            String project = rs.getString("project_id");
            String published = rs.getString("beacon_public");
            if (!"none".equals(published) || ownProjects.contains(project)) {
                if (id != null && !id.equals(project)) return null;
                Map<String, Object> d = new LinkedHashMap<>();
                d.put("id", project);
                d.put("name", rs.getString("name"));
                if (rs.getString("public_description") != null) d.put("description", rs.getString("public_description"));
                d.put("createDateTime", rs.getObject("created_at", OffsetDateTime.class).withOffsetSameInstant(ZoneOffset.UTC).toString());
                d.put("info", Map.of("publishedGranularity", published));
                all.add(d);
            }
            return null;
        });
        Map<String, Object> meta = meta(r, ask, Granularity.RECORD, "dataset", "beacon-dataset-v2.0.0", null);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("meta", meta);
        out.put("responseSummary", Map.of("exists", !all.isEmpty(), "numTotalResults", all.size()));
        out.put("response", Map.of("collections", page(all, ask)));
        return out;
    }

    // ---- answers ----

    /** The datasets (projects) each sample belongs to; samples in none are in {@value #NO_DATASET}. */
    private Map<String, List<String>> datasetsOf(java.util.Collection<String> biosampleIds) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String id : biosampleIds) out.put(id, new ArrayList<>());
        forEachChunk(new ArrayList<>(biosampleIds), chunk -> {
            SqlWhere where = new SqlWhere().in("biosample_id", chunk);
            jdbc.query("SELECT biosample_id, project_id FROM sample_projects" + where.sql() + " ORDER BY project_id", rs -> {
                out.get(rs.getString(1)).add(rs.getString(2));
                return null;
            }, where.args());
        });
        out.values().forEach(l -> {
            if (l.isEmpty()) l.add(NO_DATASET);
        });
        return out;
    }

    /** The result set of the caller's own samples that belong to no project. */
    static final String NO_DATASET = "unassigned";

    private static Set<String> datasetIds(Map<String, List<String>> datasetsOf) {
        Set<String> out = new java.util.TreeSet<>();
        datasetsOf.values().forEach(out::addAll);
        return out;
    }

    private static void forEachChunk(List<String> ids, java.util.function.Consumer<List<String>> work) {
        for (int i = 0; i < ids.size(); i += 500) work.accept(ids.subList(i, Math.min(ids.size(), i + 500)));
    }

    /** Records by id, in result sets by dataset: {@code ids} are every match, {@code records} the page's. */
    private static Map<String, Object> grouped(Map<String, Object> meta, Ask ask, List<String> ids, Map<String, List<String>> datasetsOf,
                                               Map<String, Map<String, Object>> records) {
        Map<String, List<Map<String, Object>>> results = new TreeMap<>();
        Map<String, Integer> counts = new TreeMap<>();
        for (String dataset : datasetIds(datasetsOf)) {
            results.put(dataset, new ArrayList<>());
            counts.put(dataset, 0);
        }
        for (String id : ids) datasetsOf.getOrDefault(id, List.of()).forEach(d -> counts.merge(d, 1, Integer::sum));
        for (Map.Entry<String, Map<String, Object>> e : records.entrySet()) {
            datasetsOf.getOrDefault(e.getKey(), List.of()).forEach(d -> results.get(d).add(e.getValue()));
        }
        return recordAnswer(meta, ask, ids.size(), results, counts);
    }

    private static Map<String, Object> recordAnswer(Map<String, Object> meta, Ask ask, int total, Map<String, List<Map<String, Object>>> results,
                                                    Map<String, Integer> counts) {
        List<Map<String, Object>> sets = new ArrayList<>();
        for (Map.Entry<String, List<Map<String, Object>>> e : results.entrySet()) {
            int count = counts.getOrDefault(e.getKey(), 0);
            boolean hit = count > 0;
            boolean include = switch (ask.include()) {
                case "ALL" -> true;
                case "MISS" -> !hit;
                case "NONE" -> false;
                default -> hit;
            };
            if (!include) continue;
            Map<String, Object> set = new LinkedHashMap<>();
            set.put("id", e.getKey());
            set.put("setType", "dataset");
            set.put("exists", hit);
            set.put("resultsCount", count);
            set.put("results", e.getValue());
            sets.add(set);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("meta", meta);
        out.put("responseSummary", Map.of("exists", total > 0, "numTotalResults", total));
        out.put("response", Map.of("resultSets", sets));
        return out;
    }

    /**
     * A boolean or count answer. The caller's own matches are counted exactly; other people's, when from 1 below the
     * threshold, are counted as the threshold and {@code info} says the total is an upper bound: small counts single
     * people out, and an exact total would give them away to a caller who knows its own part.
     */
    private Map<String, Object> summary(Map<String, Object> meta, int own, int others, Granularity g) {
        return summary(meta, own, others, g, false);
    }

    /**
     * As {@link #summary(Map, int, int, Granularity)}; a query with an {@code N} wildcard counts others' matches in steps
     * of the threshold, always as an upper bound: its total less that of one allele would otherwise tell exactly how many
     * people carry the others, however few.
     */
    private Map<String, Object> summary(Map<String, Object> meta, int own, int others, Granularity g, boolean wildcard) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("meta", meta);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("exists", own + others > 0);
        if (g == Granularity.COUNT) {
            int threshold = platform.config().beacon().countThreshold();
            if (wildcard && others > 0) {
                summary.put("numTotalResults", own + (others / threshold + 1) * threshold);
                out.put("info", Map.of("countPrecision", "at most", "countThreshold", threshold));
            } else if (others > 0 && others < threshold) {
                summary.put("numTotalResults", own + threshold);
                out.put("info", Map.of("countPrecision", "at most", "countThreshold", threshold));
            } else {
                summary.put("numTotalResults", own + others);
            }
        }
        out.put("responseSummary", summary);
        return out;
    }

    /** Beacon's skip counts pages of {@code limit}. */
    private static <T> List<T> page(List<T> all, Ask ask) {
        int from = (int) Math.min(all.size(), (long) ask.skip() * ask.limit());
        return all.subList(from, Math.min(all.size(), from + ask.limit()));
    }

    private Map<String, Object> meta(ApiRequest r, Ask ask, Granularity returned, String entityType, String schema, Map<String, Object> requestParameters) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("apiVersion", Ga4gh.BEACON_API_VERSION);
        summary.put("requestedSchemas", List.of());
        summary.put("pagination", Map.of("skip", ask.skip(), "limit", ask.limit()));
        summary.put("requestedGranularity", ask.asked().wire());
        summary.put("includeResultsetResponses", ask.include());
        if (requestParameters != null) summary.put("requestParameters", requestParameters);
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("beaconId", beaconId(r));
        meta.put("apiVersion", Ga4gh.BEACON_API_VERSION);
        meta.put("returnedSchemas", List.of(Map.of("entityType", entityType, "schema", schema)));
        meta.put("returnedGranularity", returned.wire());
        meta.put("receivedRequestSummary", summary);
        return meta;
    }

    private String beaconId(ApiRequest r) {
        return Ga4gh.serviceId(r.baseUrl(platform.config()), "beacon");
    }

    // ---- framework ----

    private Map<String, Object> informational(ApiRequest r, String entityType, Object response) {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("beaconId", beaconId(r));
        meta.put("apiVersion", Ga4gh.BEACON_API_VERSION);
        meta.put("returnedSchemas", List.of(Map.of("entityType", entityType, "schema", "beacon-" + entityType + "-v2.0.0")));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("meta", meta);
        out.put("response", response);
        return out;
    }

    private Map<String, Object> info(ApiRequest r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", beaconId(r));
        m.put("name", "Omix Beacon");
        m.put("apiVersion", Ga4gh.BEACON_API_VERSION);
        m.put("environment", "prod");
        m.put("organization", Map.of("id", "omix", "name", "Omix"));
        m.put("description", "Variants, samples and people of the Omix platform: booleans for anyone over what the operator published,"
                + " counts for registered callers, records over a caller's own samples.");
        m.put("welcomeUrl", r.baseUrl(platform.config()) + BASE);
        return informational(r, "info", m);
    }

    private Map<String, Object> serviceInfo(ApiRequest r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", beaconId(r));
        m.put("name", "Omix Beacon");
        m.put("type", Map.of("group", "org.ga4gh", "artifact", "beacon", "version", Ga4gh.BEACON_API_VERSION));
        m.put("description", "GA4GH Beacon v2 over the platform's variant calls, samples and projects.");
        m.put("organization", Map.of("name", "Omix", "url", r.baseUrl(platform.config())));
        m.put("version", Ga4gh.BEACON_API_VERSION);
        m.put("environment", "prod");
        return m;
    }

    private static Map<String, Object> configuration() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("$schema", SCHEMA_BASE + "framework/json/configuration/beaconConfigurationSchema.json");
        m.put("maturityAttributes", Map.of("productionStatus", "PROD"));
        m.put("securityAttributes", Map.of("defaultGranularity", "boolean", "securityLevels", List.of("PUBLIC", "REGISTERED", "CONTROLLED")));
        m.put("entryTypes", entryTypes());
        return m;
    }

    private static Map<String, Object> entryTypes() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("genomicVariant", entryType("genomicVariant", "Genomic variation", "ENSGLOSSARY:0000092", "Variant", "genomicVariations", "g_variant", false));
        m.put("biosample", entryType("biosample", "Biosample", "NCIT:C70699", "Biospecimen", "biosamples", "biosample", true));
        m.put("individual", entryType("individual", "Individual", "NCIT:C25190", "Person", "individuals", "individual", true));
        m.put("dataset", entryType("dataset", "Dataset", "NCIT:C47824", "Data set", "datasets", "dataset", true));
        return m;
    }

    private static Map<String, Object> entryType(String id, String name, String term, String label, String folder, String schema, boolean unfiltered) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("name", name);
        m.put("ontologyTermForThisType", BeaconTerms.term(term, label));
        m.put("partOfSpecification", "Beacon " + Ga4gh.BEACON_API_VERSION);
        m.put("defaultSchema", Map.of("id", "beacon-" + schema + "-v2.0.0", "name", "Default schema for " + name.toLowerCase(java.util.Locale.ROOT),
                "referenceToSchemaDefinition", SCHEMA_BASE + "models/json/beacon-v2-default-model/" + folder + "/defaultSchema.json",
                "schemaVersion", Ga4gh.BEACON_API_VERSION));
        m.put("nonFilteredQueriesAllowed", unfiltered);
        return m;
    }

    private Map<String, Object> map(ApiRequest r) {
        String root = r.baseUrl(platform.config()) + BASE;
        Map<String, Object> sets = new LinkedHashMap<>();
        sets.put("genomicVariant", endpointSet("genomicVariant", root + "/g_variants", root + "/g_variants/{id}",
                Map.of("biosample", Map.of("returnedEntryType", "biosample", "url", root + "/g_variants/{id}/biosamples"))));
        sets.put("biosample", endpointSet("biosample", root + "/biosamples", root + "/biosamples/{id}", Map.of()));
        sets.put("individual", endpointSet("individual", root + "/individuals", root + "/individuals/{id}", Map.of()));
        sets.put("dataset", endpointSet("dataset", root + "/datasets", root + "/datasets/{id}", Map.of()));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("$schema", SCHEMA_BASE + "framework/json/configuration/beaconMapSchema.json");
        m.put("endpointSets", sets);
        return m;
    }

    private static Map<String, Object> endpointSet(String entryType, String rootUrl, String single, Map<String, Object> related) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("entryType", entryType);
        m.put("rootUrl", rootUrl);
        m.put("singleEntryUrl", single);
        m.put("endpoints", related);
        return m;
    }
}
