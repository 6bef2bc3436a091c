package io.omix.server.fhir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.HandlerType;
import io.omix.server.Capability;
import io.omix.server.Platform;
import io.omix.server.common.auth.Access;
import io.omix.server.common.auth.Caller;
import io.omix.server.common.auth.Scope;
import io.omix.server.common.auth.Secrets;
import io.omix.server.common.db.Jdbc;
import io.omix.server.common.db.SqlWhere;
import io.omix.server.common.http.ApiException;
import io.omix.server.common.http.ApiRequest;
import io.omix.server.common.http.ErrorCode;
import io.omix.server.common.http.PageToken;
import io.omix.server.common.http.Routes;
import io.omix.server.common.http.ServerJson;
import io.omix.server.common.time.PartialTime;
import io.omix.server.common.validation.IntParam;
import io.omix.server.common.validation.Param;
import io.omix.server.common.validation.ParamSpec;
import io.omix.server.common.validation.Params;
import io.omix.server.common.validation.StringParam;
import io.omix.server.samples.Codes;
import io.omix.server.samples.SampleAccess;
import io.omix.server.streams.Observations;
import io.omix.server.streams.StreamStore;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * HL7 FHIR R4 under {@code /fhir}: the platform's people, samples and health data streams as Patient,
 * Specimen and Observation resources, under the same visibility rules as the original APIs (a user token reads
 * its own person; a client token the people and samples its client sees). Observations are stream records of
 * the open platform: written through FHIR they are read by get_stream_range too, and the other way. Errors are
 * OperationOutcomes with the refused parameter as the expression; answers are {@code application/fhir+json}.
 */
public final class FhirCapability implements Capability {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FhirCapability.class);
    static final String BASE = "/fhir";
    static final String FHIR_VERSION = "4.0.1";
    static final Pattern FHIR_ID = Pattern.compile("[A-Za-z0-9\\-.]{1,64}");
    static final int MAX_RESOURCE_BYTES = 1 << 20;
    static final int MAX_BUNDLE_BYTES = 16 << 20;
    static final int MAX_BUNDLE_ENTRIES = 1000;

    static final StringParam ID = Param.string("id").required().maxLength(64).pattern(FHIR_ID, "a FHIR id: letters, digits, - and ., at most 64");
    static final StringParam SEARCH_ID = Param.string("_id").maxLength(64).pattern(FHIR_ID, "a FHIR id: letters, digits, - and ., at most 64");
    static final StringParam SUBJECT = Param.string("subject").maxLength(80).pattern(Pattern.compile("(Patient/)?[A-Za-z0-9\\-.]{1,64}"), "Patient/{id} or {id}");
    static final StringParam PATIENT = Param.string("patient").maxLength(80).pattern(Pattern.compile("(Patient/)?[A-Za-z0-9\\-.]{1,64}"), "Patient/{id} or {id}");
    static final StringParam CODE = Param.string("code").maxLength(1000);
    static final IntParam COUNT = Param.integer("_count").range(1, 1000).orElse(50);
    static final StringParam SORT = Param.string("_sort").oneOf("date", "-date").orElse("date");
    static final StringParam CURSOR = Param.string("_cursor").maxLength(200);
    /** {@code date} may repeat (ge and lt together), so it is read from the request itself, not through the spec. */
    static final String DATE = "date";
    static final StringParam FORMAT = Param.string("_format").oneOf("json", "application/json", "application/fhir+json");

    static final IntParam MAX = Param.integer("max").range(1, 100).orElse(1);
    static final StringParam STATISTIC = Param.string("statistic").required().maxLength(200);
    /** The statistics $stats computes, by their codes in FHIR's observation-statistics code system. */
    static final List<String> STATISTICS = List.of("count", "minimum", "maximum", "average", "sum");
    static final ParamSpec LASTN = ParamSpec.of(SUBJECT, PATIENT, CODE, MAX, FORMAT);
    static final ParamSpec STATS = ParamSpec.of(SUBJECT, PATIENT, CODE, STATISTIC, FORMAT);
    static final ParamSpec OBSERVATION_SEARCH = ParamSpec.of(SUBJECT, PATIENT, CODE, COUNT, SORT, CURSOR, SEARCH_ID, FORMAT);
    static final ParamSpec SUBJECT_SEARCH = ParamSpec.of(SEARCH_ID, SUBJECT, PATIENT, FORMAT);
    static final ParamSpec DOCUMENT_SEARCH = ParamSpec.of(SEARCH_ID, SUBJECT, PATIENT, COUNT, CURSOR, FORMAT);
    static final ParamSpec PATIENT_SEARCH = ParamSpec.of(SEARCH_ID, FORMAT);

    private final Platform platform;
    private final Jdbc jdbc;
    private final StreamStore streams;
    private final io.omix.server.files.ObjectAccess objects;
    private final SampleAccess access;
    private final PatientIds patientIds;

    public FhirCapability(Platform platform) {
        this.platform = platform;
        this.jdbc = platform.database().jdbc();
        this.streams = new StreamStore(platform);
        this.objects = new io.omix.server.files.ObjectAccess(platform);
        this.access = new SampleAccess(jdbc);
        this.patientIds = new PatientIds(platform.masterKey());
    }

    @Override
    public void routes(Routes routes) {
        routes.resource(HandlerType.GET, BASE + "/metadata", Access.PUBLIC, ParamSpec.of(FORMAT), (r, p) -> capabilityStatement(r));
        // SMART App Launch discovery, beside the FHIR base as the specification puts it, and at the server's root.
        for (String path : List.of(BASE + "/.well-known/smart-configuration", "/.well-known/smart-configuration")) {
            routes.resource(HandlerType.GET, path, Access.PUBLIC, ParamSpec.NONE, (r, p) -> smartConfiguration(r));
        }
        routes.resource(HandlerType.GET, BASE + "/Patient/{id}", Access.TOKEN, ParamSpec.of(ID, FORMAT), (r, p) -> patientRead(r, p.get(ID)));
        routes.resource(HandlerType.GET, BASE + "/Patient", Access.TOKEN, PATIENT_SEARCH, this::patientSearch);
        routes.resource(HandlerType.GET, BASE + "/Specimen/{id}", Access.TOKEN, ParamSpec.of(ID, FORMAT), (r, p) -> specimenRead(r, p.get(ID)));
        routes.resource(HandlerType.GET, BASE + "/Specimen", Access.TOKEN, SUBJECT_SEARCH, this::specimenSearch);
        // The operations first: their paths would otherwise be taken for ids.
        routes.resource(HandlerType.GET, BASE + "/Observation/$lastn", Access.TOKEN, LASTN, this::lastN);
        routes.resource(HandlerType.GET, BASE + "/Observation/$stats", Access.TOKEN, STATS, this::stats);
        routes.resource(HandlerType.GET, BASE + "/DocumentReference/{id}", Access.TOKEN, ParamSpec.of(ID, FORMAT), (r, p) -> documentRead(r, p.get(ID)));
        routes.resource(HandlerType.GET, BASE + "/DocumentReference", Access.TOKEN, DOCUMENT_SEARCH, this::documentSearch);
        routes.resource(HandlerType.GET, BASE + "/Observation/{id}", Access.TOKEN, ParamSpec.of(ID, FORMAT), (r, p) -> observationRead(r, p.get(ID)));
        routes.resource(HandlerType.GET, BASE + "/Observation", Access.TOKEN, OBSERVATION_SEARCH, this::observationSearch);
        routes.resourceUpload(HandlerType.POST, BASE + "/Observation", Access.TOKEN, ParamSpec.NONE, (r, p) -> observationCreate(r));
        routes.resourceUpload(HandlerType.POST, BASE, Access.TOKEN, ParamSpec.NONE, (r, p) -> transaction(r));
    }

    // ---- who the caller may see ----

    /**
     * A person's Patient id as this caller sees it: a person's own token, the account id (as get_user gives it); a
     * client's token, the account sealed for that client ({@link PatientIds}), so that no client learns account ids
     * (which the original APIs never give it) nor links people across clients or to the Beacon's pseudonyms.
     */
    private String patientIdOf(Caller caller, String userId) {
        if (userId == null) return null;
        if (caller.kind() == Caller.Kind.USER_TOKEN) return userId;
        if (!PatientIds.sealable(userId)) {
            // Accounts are made with ids of 21 digits; one put in the database by other means is left out, not an answer failed.
            LOG.warn("request for client {}: account {} has an id a Patient id cannot seal; its subject is left out", caller.clientId(), userId);
            return null;
        }
        return patientIds.of(caller.clientId(), userId);
    }

    /** The people of the samples a query's conditions ({@link SampleAccess#visibleTo} and more) leave. */
    private static final String PEOPLE = "SELECT DISTINCT su.user_id FROM sample_users su JOIN samples s ON s.biosample_id = su.biosample_id";

    /** The most people one lookup of a Patient id of the first form reads through (each one's id computed: about a second a million). */
    static final int MAX_PEOPLE_SEARCHED = 1_000_000;

    /**
     * The account behind a Patient id this caller may use: its own for a user token; for a client token, a person of its
     * samples, the id opened and the person's samples checked in one query. An id of the first form is looked up only where
     * the operator keeps them ({@code fhir.legacy-patient-ids}), by reading through the client's people.
     */
    private String userOf(Caller caller, Scope data, String patientId) {
        if (patientId == null) return null;
        if (caller.kind() == Caller.Kind.USER_TOKEN) return patientId.equals(caller.userId()) ? patientId : null;
        return usersOf(caller, data, Set.of(patientId)).get(patientId);
    }

    /**
     * The accounts behind the client Patient ids {@code wanted}: the ids opened and the people the client sees among
     * them found in one query (per 500); those of the first form, where kept, by reading through the client's people
     * once for all of them, no further than the last one found.
     */
    private Map<String, String> usersOf(Caller caller, Scope data, Set<String> wanted) {
        Map<String, String> found = new HashMap<>();
        Map<String, String> opened = new HashMap<>();
        Set<String> firstForm = new java.util.HashSet<>();
        for (String id : wanted) {
            String account = patientIds.accountOf(caller.clientId(), id);
            if (account != null) opened.put(account, id);
            else if (platform.config().fhirLegacyPatientIds() && PatientIds.FIRST_FORM.matcher(id).matches()) firstForm.add(id);
        }
        List<String> accounts = new ArrayList<>(opened.keySet());
        for (int from = 0; from < accounts.size(); from += 500) {
            SqlWhere where = SampleAccess.visibleTo(caller, data, new SqlWhere()).in("su.user_id", accounts.subList(from, Math.min(accounts.size(), from + 500)));
            jdbc.query(PEOPLE + where.sql(), rs -> {
                found.put(opened.get(rs.getString(1)), rs.getString(1));
                return null;
            }, where.args());
        }
        if (!firstForm.isEmpty()) {
            eachPerson(caller, data, user -> {
                String id = patientIds.firstFormOf(caller.clientId(), user);
                if (firstForm.remove(id)) found.put(id, user);
                return !firstForm.isEmpty();
            });
        }
        return found;
    }

    /**
     * Reads through the people of the samples a client token sees (as the database streams them, at most
     * {@link #MAX_PEOPLE_SEARCHED}) while {@code more} says so.
     */
    private void eachPerson(Caller caller, Scope data, java.util.function.Predicate<String> more) {
        SqlWhere where = SampleAccess.visibleTo(caller, data, new SqlWhere());
        String sql = PEOPLE + where.sql();
        // In a transaction, so that PostgreSQL streams the rows by the fetch size instead of reading them all first.
        jdbc.inTransaction(c -> {
            try (java.sql.PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setFetchSize(1000);
                Jdbc.bind(ps, where.args());
                try (java.sql.ResultSet rs = ps.executeQuery()) {
                    for (int read = 0; rs.next(); read++) {
                        if (read >= MAX_PEOPLE_SEARCHED) throw ApiException.invalidParam("patient", "this caller sees more than " + MAX_PEOPLE_SEARCHED + " people");
                        if (!more.test(rs.getString(1))) return null;
                    }
                }
            }
            return null;
        });
    }

    /** The people bound to the samples a client token sees (at most {@value #MAX_SUBJECTS}). */
    private List<String> people(Caller caller) {
        SqlWhere where = SampleAccess.visibleTo(caller, Scope.SAMPLES, new SqlWhere());
        List<String> out = jdbc.query(PEOPLE + where.sql()
                + " ORDER BY su.user_id FETCH FIRST " + (MAX_SUBJECTS + 1) + " ROWS ONLY", rs -> rs.getString(1), where.args());
        if (out.size() > MAX_SUBJECTS) throw tooMany();
        return out;
    }

    /** Most samples or people one answer covers: beyond, the caller names a patient (never a silently cut answer). */
    static final int MAX_SUBJECTS = 1000;

    private static ApiException tooMany() {
        return ApiException.invalidParam("patient", "this caller sees more than " + MAX_SUBJECTS + " samples or people: name a patient");
    }

    /** A visible sample with its person's Patient id (as this caller sees it; null when nobody is bound to it). */
    record Subject(String biosampleId, String patientId, String entityId, int site, OffsetDateTime collected) {}

    /**
     * The samples whose {@code data} the caller reads, of one person (an account id, resolved by {@link #userOf}) when
     * {@code userId} is given.
     */
    private List<Subject> subjects(Caller caller, Scope data, String userId, String biosampleId) {
        SqlWhere where = SampleAccess.visibleTo(caller, data, new SqlWhere());
        if (userId != null) where.and("EXISTS (SELECT 1 FROM sample_users pu WHERE pu.biosample_id = s.biosample_id AND pu.user_id = ?)", userId);
        if (biosampleId != null) where.and("s.biosample_id = ?", biosampleId);
        String self = caller.kind() == Caller.Kind.USER_TOKEN ? caller.userId() : null;
        List<Subject> out = jdbc.query("SELECT s.biosample_id, s.site, s.sample_collection_time, se.entity_id,"
                + " (SELECT MIN(u.user_id) FROM sample_users u WHERE u.biosample_id = s.biosample_id) AS person"
                + " FROM samples s LEFT JOIN sample_entities se ON se.biosample_id = s.biosample_id" + where.sql() + " ORDER BY s.biosample_id FETCH FIRST "
                + (MAX_SUBJECTS + 1) + " ROWS ONLY",
                rs -> new Subject(rs.getString("biosample_id"), patientIdOf(caller, userId != null ? userId : self != null ? self : rs.getString("person")),
                        rs.getString("entity_id"), rs.getInt("site"), rs.getObject("sample_collection_time", OffsetDateTime.class)), where.args());
        if (out.size() > MAX_SUBJECTS) throw tooMany();
        return out;
    }

    private static String patientOf(Params p) {
        String subject = p.get(SUBJECT) != null ? p.get(SUBJECT) : p.get(PATIENT);
        if (p.get(SUBJECT) != null && p.get(PATIENT) != null && !bare(p.get(SUBJECT)).equals(bare(p.get(PATIENT)))) {
            throw ApiException.invalidParam("patient", "names another patient than subject");
        }
        return subject == null ? null : bare(subject);
    }

    private static String bare(String reference) {
        return reference.startsWith("Patient/") ? reference.substring("Patient/".length()) : reference;
    }

    private static ApiException notFound(String type, String id) {
        return new ApiException(ErrorCode.OBJECT_NOT_FOUND, Map.of("id", type + "/" + id + " is not known, or not this caller's"));
    }

    // ---- Patient ----

    private Object patientRead(ApiRequest r, String id) {
        requirePeopleScope(r.caller(), 'r');
        if (userOf(r.caller(), Scope.SAMPLES, id) == null) throw notFound("Patient", id);
        return patient(r.caller(), id);
    }

    /** A client's token lists the people behind its samples only with the samples scope; a person's token reads itself. */
    private static void requirePeopleScope(Caller caller, char permission) {
        if (caller.kind() != Caller.Kind.USER_TOKEN) caller.requireScope(Scope.SAMPLES);
        smart(caller, "Patient", permission);
    }

    /** A SMART app's token is held to the permissions its SMART scopes name (read, search, create) per resource type. */
    private static void smart(Caller caller, String type, char permission) {
        if (!io.omix.server.oauth.SmartScopes.allows(caller.scopes(), type, permission)) {
            throw new ApiException(ErrorCode.NO_PERMISSION, Map.of("scope", "the SMART grant does not allow " + permission + " on " + type));
        }
    }

    private Object patientSearch(ApiRequest r, Params p) {
        strict(r, PATIENT_SEARCH);
        requirePeopleScope(r.caller(), 's');
        Set<String> ids = new LinkedHashSet<>();
        String only = p.get(SEARCH_ID);
        if (only != null) {
            // One id, of either form a client was given: looked up as a read is, not found among the first 1,000 people.
            if (userOf(r.caller(), Scope.SAMPLES, only) != null) ids.add(only);
        } else if (r.caller().kind() == Caller.Kind.USER_TOKEN) {
            ids.add(r.caller().userId());
        } else {
            for (String user : people(r.caller())) {
                String id = patientIdOf(r.caller(), user);
                if (id != null) ids.add(id);
            }
        }
        List<Map<String, Object>> resources = new ArrayList<>();
        for (String id : ids) resources.add(patient(r.caller(), id));
        return bundle(r, "Patient", resources, null);
    }

    /**
     * A person: the id always; gender and birth date only to the person's own token with the profile scope (as
     * get_user gives them), never to a client's token.
     */
    private Map<String, Object> patient(Caller caller, String id) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("resourceType", "Patient");
        m.put("id", id);
        m.put("active", true);
        if (caller.kind() == Caller.Kind.USER_TOKEN && id.equals(caller.userId()) && caller.hasScope(Scope.PROFILE.id())) {
            jdbc.queryOne("SELECT sex, birthday FROM users WHERE user_id = ?", rs -> {
                Integer sex = (Integer) rs.getObject(1);
                m.put("gender", sex == null ? "unknown" : sex == 1 ? "male" : sex == 2 ? "female" : "unknown");
                java.sql.Date birthday = rs.getDate(2);
                if (birthday != null) m.put("birthDate", birthday.toLocalDate().toString());
                return null;
            }, id);
        }
        return m;
    }

    // ---- Specimen ----

    private Object specimenRead(ApiRequest r, String id) {
        r.caller().requireScope(Scope.SAMPLES);
        smart(r.caller(), "Specimen", 'r');
        List<Subject> found = subjects(r.caller(), Scope.SAMPLES, null, id);
        if (found.isEmpty()) throw notFound("Specimen", id);
        return specimen(found.get(0));
    }

    private Object specimenSearch(ApiRequest r, Params p) {
        strict(r, SUBJECT_SEARCH);
        r.caller().requireScope(Scope.SAMPLES);
        smart(r.caller(), "Specimen", 's');
        List<Map<String, Object>> resources = new ArrayList<>();
        String patient = patientOf(p);
        String user = userOf(r.caller(), Scope.SAMPLES, patient);
        if (patient == null || user != null) {
            for (Subject s : subjects(r.caller(), Scope.SAMPLES, user, p.get(SEARCH_ID))) resources.add(specimen(s));
        }
        return bundle(r, "Specimen", resources, null);
    }

    private static Map<String, Object> specimen(Subject s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("resourceType", "Specimen");
        m.put("id", s.biosampleId());
        m.put("identifier", List.of(Map.of("system", "urn:omix:biosample-id", "value", s.biosampleId())));
        m.put("status", "available");
        m.put("type", Map.of("text", Codes.SITES.getOrDefault(s.site(), "other")));
        if (s.patientId() != null) m.put("subject", Map.of("reference", "Patient/" + s.patientId()));
        if (s.collected() != null) m.put("collection", Map.of("collectedDateTime", Observations.instant(s.collected())));
        return m;
    }

    // ---- DocumentReference ----

    private Object documentRead(ApiRequest r, String id) {
        r.caller().requireScope(Scope.FILES);
        smart(r.caller(), "DocumentReference", 'r');
        return objects.ownedDocument(r.caller(), id).map(o -> (Object) document(r, o)).orElseThrow(() -> notFound("DocumentReference", id));
    }

    /**
     * The caller's own files: a person's token finds its person's (patient = itself); a client's token its client's.
     * {@code _count} a page, oldest first, the next page's link carrying where this one ended (before, the first 1,000
     * were answered as if they were all).
     */
    private Object documentSearch(ApiRequest r, Params p) {
        strict(r, DOCUMENT_SEARCH);
        r.caller().requireScope(Scope.FILES);
        smart(r.caller(), "DocumentReference", 's');
        String patient = patientOf(p);
        List<Map<String, Object>> resources = new ArrayList<>();
        boolean patientMatches = patient == null || r.caller().kind() == Caller.Kind.USER_TOKEN && patient.equals(r.caller().userId());
        String next = null;
        if (patientMatches && p.get(SEARCH_ID) != null) {
            objects.ownedDocument(r.caller(), p.get(SEARCH_ID)).ifPresent(o -> resources.add(document(r, o)));
        } else if (patientMatches) {
            io.omix.server.files.ObjectAccess.OwnedPage page = objects.ownedPage(r.caller(), p.get(COUNT), documentCursor(p.get(CURSOR)));
            for (io.omix.server.files.ObjectAccess.Readable o : page.files()) resources.add(document(r, o));
            next = page.next() == null ? null : PageToken.encode(page.next().createdAt().toInstant().toString(), page.next().documentId());
        }
        return bundle(r, "DocumentReference", resources, next);
    }

    /** A file as a DocumentReference whose attachment URL is a signed download link, good for ten minutes (none for a model). */
    private Map<String, Object> document(ApiRequest r, io.omix.server.files.ObjectAccess.Readable o) {
        Map<String, Object> attachment = new LinkedHashMap<>();
        attachment.put("contentType", "application/octet-stream");
        // Read from inside a model: no link (a model makes none, see SignedLinks.grantOf); the document's other fields all the same.
        if (!r.viaModelChannel()) attachment.put("url", objects.signedUrl(r, r.baseUrl(platform.config()), o.objectName(), platform.now().toEpochSecond() + 600));
        attachment.put("size", o.size());
        attachment.put("title", o.objectName());
        attachment.put("creation", Observations.instant(o.createdAt()));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("resourceType", "DocumentReference");
        m.put("id", io.omix.server.files.FileStore.documentId(o.objectName()));
        m.put("identifier", List.of(Map.of("system", "urn:omix:sha256", "value", o.sha256())));
        m.put("status", "current");
        if (r.caller().kind() == Caller.Kind.USER_TOKEN) m.put("subject", Map.of("reference", "Patient/" + r.caller().userId()));
        m.put("date", Observations.instant(o.createdAt()));
        m.put("content", List.of(Map.of("attachment", attachment)));
        return m;
    }

    // ---- Observation ----

    private Object observationRead(ApiRequest r, String id) {
        r.caller().requireScope(Scope.STREAMS);
        smart(r.caller(), "Observation", 'r');
        return observationOf(r, id);
    }

    /** An Observation the caller sees, whatever its SMART permissions (the answer to its own create, too). */
    private Object observationOf(ApiRequest r, String id) {
        Optional<StreamStore.Record> record = streams.find(id).filter(x -> StreamStore.OPEN_PLATFORM.equals(x.namespace()));
        if (record.isEmpty()) throw notFound("Observation", id);
        Optional<String> sample = streams.sampleOf(record.get().entityId());
        List<Subject> subject = sample.isEmpty() ? List.of() : subjects(r.caller(), Scope.STREAMS, null, sample.get());
        if (subject.isEmpty()) throw notFound("Observation", id);
        return Observations.of(record.get(), subject.get(0).patientId(), subject.get(0).biosampleId());
    }

    private Object observationSearch(ApiRequest r, Params p) {
        strict(r, OBSERVATION_SEARCH);
        r.caller().requireScope(Scope.STREAMS);
        smart(r.caller(), "Observation", 's');
        String patient = patientOf(p);
        String user = userOf(r.caller(), Scope.STREAMS, patient);
        if (patient != null && user == null) return bundle(r, "Observation", List.of(), null);
        if (p.get(SEARCH_ID) != null) {
            // One id: the other filters still apply to it.
            if (p.get(CODE) != null || r.ctx().queryParam(DATE) != null) {
                throw ApiException.invalidParam("_id", "an _id search takes patient or subject, not code or date");
            }
            Map<?, ?> one;
            try {
                one = ServerJson.MAPPER.convertValue(observationRead(r, p.get(SEARCH_ID)), Map.class);
            } catch (ApiException notThere) {
                return bundle(r, "Observation", List.of(), null);
            }
            // The record names its person as this caller sees them now, which an id of the first form is not.
            boolean samePatient = patient == null || ("Patient/" + patientIdOf(r.caller(), user)).equals(((Map<?, ?>) one.get("subject")) == null ? null
                    : ((Map<?, ?>) one.get("subject")).get("reference"));
            return bundle(r, "Observation", samePatient ? List.of(castMap(one)) : List.of(), null);
        }
        List<Subject> subjects = subjects(r.caller(), Scope.STREAMS, user, null).stream().filter(s -> s.entityId() != null).toList();
        List<String> elements = p.get(CODE) == null ? null : elementsOf(p.get(CODE));
        List<FhirDates.Condition> dates = FhirDates.parse(repeated(r, DATE), platform.config().defaultZone());
        boolean ascending = "date".equals(p.get(SORT));
        StreamStore.SearchCursor after = cursor(p.get(CURSOR));
        int count = p.get(COUNT);
        Map<String, Subject> byEntity = new LinkedHashMap<>();
        subjects.forEach(s -> byEntity.put(s.entityId(), s));
        // Read in small pieces until the page is full or its budget spent: a thousand large records are never in memory at once.
        List<StreamStore.Keyed> found = new ArrayList<>();
        long spent = 0;
        StreamStore.SearchCursor from = after;
        while (found.size() <= count && spent <= ANSWER_CHARS) {
            int want = Math.min(count + 1 - found.size(), READ_PIECE);
            List<StreamStore.Keyed> piece = streams.search(StreamStore.OPEN_PLATFORM, new ArrayList<>(byEntity.keySet()), elements,
                    FhirDates.where(dates), ascending, from, want);
            found.addAll(piece);
            for (StreamStore.Keyed k : piece) spent += cost(k);
            if (piece.size() < want) break;
            from = piece.get(piece.size() - 1).cursor();
        }
        String next = null;
        int taken = withinBudget(found, count);
        if (found.size() > taken) {
            found = found.subList(0, taken);
            StreamStore.SearchCursor last = found.get(taken - 1).cursor();
            next = PageToken.encode(last.time().toInstant().toString(), last.seriesId(), last.dupSeq());
        }
        List<Map<String, Object>> resources = new ArrayList<>();
        for (StreamStore.Keyed k : found) {
            Subject s = byEntity.get(k.record().entityId());
            resources.add(ServerJson.MAPPER.convertValue(Observations.of(k.record(), s.patientId(), s.biosampleId()), Map.class));
        }
        return bundle(r, "Observation", resources, next);
    }

    /**
     * How many records $stats reads at a time: a record's data is at most 256 KiB, so a page of them parsed is tens of MB
     * at worst (500 a page, a few requests at once of large records, filled the heap).
     */
    private static final int STATS_PAGE = 50;

    /** How many records a search reads at a time. */
    private static final int READ_PIECE = 50;

    /** About how many characters of Observations one answer holds at most (a page ends early, with its next link). */
    static final long ANSWER_CHARS = 8L << 20;

    /** What an Observation of {@code k} costs an answer: its data twice (its value and its payload), and its frame. */
    private static long cost(StreamStore.Keyed k) {
        return 2L * k.record().dataJson().length() + 1000;
    }

    /** How many of {@code found} (at most {@code count}, at least one) fit one answer's budget. */
    static int withinBudget(List<StreamStore.Keyed> found, int count) {
        long left = ANSWER_CHARS;
        int taken = 0;
        for (StreamStore.Keyed k : found) {
            if (taken == count || taken > 0 && left - cost(k) < 0) break;
            left -= cost(k);
            taken++;
        }
        return taken;
    }

    /** The entities (samples with stream data) of the patient asked for, among those the caller sees. */
    private Map<String, Subject> entities(ApiRequest r, Params p) {
        String patient = patientOf(p);
        String user = userOf(r.caller(), Scope.STREAMS, patient);
        Map<String, Subject> byEntity = new LinkedHashMap<>();
        if (patient != null && user == null) return byEntity;
        for (Subject s : subjects(r.caller(), Scope.STREAMS, user, null)) if (s.entityId() != null) byEntity.put(s.entityId(), s);
        return byEntity;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }

    /** The data elements asked for by {@code code}, or those the entities have records of. */
    private List<String> elementsAsked(Params p, Map<String, Subject> byEntity) {
        if (p.get(CODE) != null) return elementsOf(p.get(CODE));
        if (byEntity.isEmpty()) return List.of();
        SqlWhere where = new SqlWhere().and("namespace = ?", StreamStore.OPEN_PLATFORM).in("entity_id", new ArrayList<>(byEntity.keySet()));
        return jdbc.query("SELECT DISTINCT data_element_id FROM stream_series" + where.sql() + " ORDER BY data_element_id", rs -> rs.getString(1), where.args());
    }

    /**
     * {@code $lastn}: the most recent {@code max} Observations of each code (data element), newest first within a
     * code: the standard counterpart of reading a stream's latest values.
     */
    private Object lastN(ApiRequest r, Params p) {
        strict(r, LASTN);
        r.caller().requireScope(Scope.STREAMS);
        smart(r.caller(), "Observation", 's');
        // FHIR's $lastn is per subject: one person's newest values, never a mix of people's.
        if (patientOf(p) == null) throw ApiException.invalidParam("patient", "$lastn is asked about one patient (patient or subject)");
        Map<String, Subject> byEntity = entities(r, p);
        List<FhirDates.Condition> dates = FhirDates.parse(repeated(r, DATE), platform.config().defaultZone());
        List<Map<String, Object>> resources = new ArrayList<>();
        long left = ANSWER_CHARS;
        for (String element : elementsAsked(p, byEntity)) {
            for (StreamStore.Keyed k : streams.search(StreamStore.OPEN_PLATFORM, new ArrayList<>(byEntity.keySet()), List.of(element), FhirDates.where(dates),
                    false, null, p.get(MAX))) {
                left -= cost(k);
                if (left < 0) {
                    throw ApiException.invalidParam("max", "the answer would pass " + (ANSWER_CHARS >> 20) + " MiB: ask for fewer (max) or for some codes (code)");
                }
                Subject s = byEntity.get(k.record().entityId());
                resources.add(ServerJson.MAPPER.convertValue(Observations.of(k.record(), s.patientId(), s.biosampleId()), Map.class));
            }
        }
        return bundle(r, "Observation", resources, null);
    }

    /**
     * {@code $stats}: per code, the count, minimum, maximum, average or sum of the numeric values of the patient's
     * Observations in the {@code date} window (FHIR prefixes as in a search), as a Parameters resource whose
     * {@code statistic} Observations carry one component per statistic: the standard counterpart of
     * aggregate_omics_data over one period.
     */
    private Object stats(ApiRequest r, Params p) {
        strict(r, STATS);
        r.caller().requireScope(Scope.STREAMS);
        smart(r.caller(), "Observation", 's');
        try (io.omix.server.common.http.CallerTurns.Turn turn = statsTurns.enter(r)) {
            return statsOf(r, p);
        }
    }

    /** One {@code $stats} at a time for each caller on a server: one reads up to {@code fhir.stats-max-records} records. */
    private final io.omix.server.common.http.CallerTurns statsTurns = new io.omix.server.common.http.CallerTurns("$stats", 1);

    private Object statsOf(ApiRequest r, Params p) {
        List<String> asked = new ArrayList<>();
        for (String s : p.get(STATISTIC).split(",")) {
            if (!STATISTICS.contains(s)) throw ApiException.invalidParam("statistic", "each is one of " + String.join(", ", STATISTICS) + ", not '" + s + "'");
            if (!asked.contains(s)) asked.add(s);
        }
        String patient = patientOf(p);
        if (patient == null) throw ApiException.invalidParam("patient", "$stats is asked about one patient (patient or subject)");
        if (p.get(CODE) == null) throw ApiException.invalidParam("code", "$stats is asked about one or more codes");
        List<FhirDates.Condition> dates = FhirDates.parse(repeated(r, DATE), platform.config().defaultZone());
        Map<String, Subject> byEntity = entities(r, p);
        List<Map<String, Object>> parameters = new ArrayList<>();
        long read = 0;
        for (String element : elementsAsked(p, byEntity)) {
            long count = 0;
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            // Exact: two accepted values near a double's largest summed to Infinity, which no FHIR reader takes as a decimal.
            java.math.BigDecimal sum = java.math.BigDecimal.ZERO;
            String unit = null;
            OffsetDateTime first = null;
            OffsetDateTime last = null;
            StreamStore.SearchCursor after = null;
            while (true) {
                List<StreamStore.Keyed> page = streams.search(StreamStore.OPEN_PLATFORM, new ArrayList<>(byEntity.keySet()), List.of(element),
                        FhirDates.where(dates), true, after, STATS_PAGE);
                for (StreamStore.Keyed k : page) {
                    JsonNode value = Observations.values(k.record().data()).path("valueQuantity");
                    if (!value.path("value").isNumber()) continue;
                    double v = value.path("value").asDouble();
                    if (unit == null && value.hasNonNull("unit")) unit = value.get("unit").asText();
                    count++;
                    sum = sum.add(value.path("value").decimalValue());
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                    if (first == null) first = k.record().generateTime();
                    last = k.record().generateTime();
                }
                read += page.size();
                long most = platform.config().fhirStatsMaxRecords(); // fhir.stats-max-records
                if (read > most) {
                    throw ApiException.invalidParam("date", String.format(java.util.Locale.ROOT, "more than %,d Observations over the codes asked about"
                            + " (fhir.stats-max-records): ask about a shorter window or fewer codes", most));
                }
                if (page.size() < STATS_PAGE) break;
                after = page.get(page.size() - 1).cursor();
            }
            StreamStore.DataElement e = streams.element(element).orElseThrow();
            Map<String, Object> statistic = new LinkedHashMap<>();
            statistic.put("resourceType", "Observation");
            statistic.put("status", "final");
            statistic.put("code", Map.of("coding", List.of(Map.of("system", Observations.ELEMENT_SYSTEM, "code", e.id(), "display", e.name())), "text", e.name()));
            statistic.put("subject", Map.of("reference", "Patient/" + patient));
            if (first != null) statistic.put("effectivePeriod", Map.of("start", Observations.instant(first), "end", Observations.instant(last)));
            List<Map<String, Object>> components = new ArrayList<>();
            for (String s : asked) {
                Number v = switch (s) {
                    case "count" -> count;
                    case "minimum" -> count == 0 ? null : (Number) min;
                    case "maximum" -> count == 0 ? null : (Number) max;
                    case "sum" -> sum;
                    default -> count == 0 ? null : sum.divide(java.math.BigDecimal.valueOf(count), java.math.MathContext.DECIMAL64);
                };
                Map<String, Object> quantity = new LinkedHashMap<>();
                if (v != null) quantity.put("value", v);
                if (unit != null && !s.equals("count")) quantity.put("unit", unit);
                Map<String, Object> component = new LinkedHashMap<>();
                component.put("code", Map.of("coding", List.of(Map.of("system", "http://hl7.org/fhir/observation-statistics", "code", s))));
                if (v != null) component.put("valueQuantity", quantity);
                else component.put("dataAbsentReason", Map.of("coding", List.of(Map.of("system",
                        "http://terminology.hl7.org/CodeSystem/data-absent-reason", "code", "not-applicable"))));
                components.add(component);
            }
            statistic.put("component", components);
            parameters.add(Map.of("name", "statistic", "resource", statistic));
        }
        return Map.of("resourceType", "Parameters", "parameter", parameters);
    }

    /** The data elements a {@code code} token list names: {@code system|code}, {@code |code} or {@code code}, comma-separated. */
    private List<String> elementsOf(String tokens) {
        return elementsOf(tokens, streams.elements()); // once per question, however many codes it names
    }

    private static List<String> elementsOf(String tokens, List<StreamStore.DataElement> catalog) {
        Set<String> out = new LinkedHashSet<>();
        String[] asked = tokens.split(",");
        if (asked.length > 20) throw ApiException.invalidParam("code", "at most 20 codes");
        for (String token : asked) {
            int bar = token.indexOf('|');
            String system = bar < 0 ? null : token.substring(0, bar);
            String code = bar < 0 ? token : token.substring(bar + 1);
            if (code.isEmpty()) throw ApiException.invalidParam("code", "'" + token + "' names no code");
            for (StreamStore.DataElement e : catalog) {
                boolean loinc = "LOINC".equalsIgnoreCase(e.sourceDomain()) && code.equals(e.sourceId());
                boolean own = code.equals(e.id());
                if (system == null && (loinc || own) || "http://loinc.org".equals(system) && loinc || Observations.ELEMENT_SYSTEM.equals(system) && own) {
                    out.add(e.id());
                }
            }
        }
        return new ArrayList<>(out);
    }

    private static io.omix.server.files.ObjectAccess.Position documentCursor(String token) {
        if (token == null) return null;
        try {
            return PageToken.decode(token, 2, parts -> new io.omix.server.files.ObjectAccess.Position(
                    PageToken.bounded(java.time.Instant.parse(parts[0])), parts[1]));
        } catch (ApiException | java.time.DateTimeException e) {
            throw ApiException.invalidParam("_cursor", "is not a page link this server handed out");
        }
    }

    private static StreamStore.SearchCursor cursor(String token) {
        if (token == null) return null;
        try {
            return PageToken.decode(token, 3, parts -> new StreamStore.SearchCursor(
                    PageToken.bounded(java.time.Instant.parse(parts[0])), Long.parseLong(parts[1]), Long.parseLong(parts[2])));
        } catch (ApiException e) {
            throw ApiException.invalidParam("_cursor", "is not a page link this server handed out");
        }
    }

    // ---- writes ----

    private Object observationCreate(ApiRequest r) {
        r.caller().requireScope(Scope.STREAMS);
        smart(r.caller(), "Observation", 'c');
        JsonNode resource = body(r, MAX_RESOURCE_BYTES);
        StreamStore.NewRecord record = newRecord(r.caller(), resource, "", new WriteLookups(r.caller(), Set.of()));
        StreamStore.Written written = writeWithinQuota(List.of(record)).get(0);
        if (written.problem() != null) throw ApiException.invalidParam("body", written.problem());
        String url = r.baseUrl(platform.config()) + BASE + "/Observation/" + written.streamId();
        r.ctx().status(201).header("Location", url);
        return observationOf(r, written.streamId());
    }

    /**
     * A transaction Bundle of Observations (POST entries): every entry is checked first, then all are written in
     * one commit, so either all are stored or none.
     */
    private Object transaction(ApiRequest r) {
        r.caller().requireScope(Scope.STREAMS);
        smart(r.caller(), "Observation", 'c');
        JsonNode bundle = body(r, MAX_BUNDLE_BYTES);
        if (!"Bundle".equals(bundle.path("resourceType").asText())) throw ApiException.invalidParam("resourceType", "must be Bundle");
        if (!"transaction".equals(bundle.path("type").asText())) throw ApiException.invalidParam("type", "must be transaction (batches are not offered)");
        JsonNode entries = bundle.path("entry");
        if (!entries.isArray() || entries.isEmpty()) throw ApiException.invalidParam("entry", "a transaction holds at least one entry");
        if (entries.size() > MAX_BUNDLE_ENTRIES) throw ApiException.invalidParam("entry", "at most " + MAX_BUNDLE_ENTRIES + " entries");
        List<StreamStore.NewRecord> records = new ArrayList<>();
        // A transaction's entries mostly name the same patient and specimen: each is resolved once, the data elements read once.
        Set<String> named = new java.util.HashSet<>();
        for (JsonNode entry : entries) {
            String subject = entry.path("resource").path("subject").path("reference").asText("");
            if (subject.startsWith("Patient/")) named.add(subject.substring(8));
        }
        WriteLookups lookups = new WriteLookups(r.caller(), named);
        for (int i = 0; i < entries.size(); i++) {
            JsonNode entry = entries.get(i);
            String at = "entry[" + i + "]";
            if (!"POST".equals(entry.path("request").path("method").asText()) || !"Observation".equals(entry.path("request").path("url").asText())) {
                throw ApiException.invalidParam(at + ".request", "each entry is a POST to Observation");
            }
            // Each entry within what a single create may hold: the bundle's own bound (16 MiB) must not make one record of it.
            if (entry.path("resource").toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_RESOURCE_BYTES) {
                throw ApiException.invalidParam(at + ".resource", "at most " + MAX_RESOURCE_BYTES + " bytes, as a single Observation");
            }
            records.add(newRecord(r.caller(), entry.path("resource"), at + ".resource.", lookups));
        }
        List<StreamStore.Written> written = writeWithinQuota(records);
        List<Map<String, Object>> responses = new ArrayList<>();
        for (StreamStore.Written w : written) {
            if (w.problem() != null) throw new IllegalStateException("a duplicate-enabled write refused a record: " + w.problem());
            responses.add(Map.of("response", Map.of("status", "201 Created", "location", "Observation/" + w.streamId())));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("resourceType", "Bundle");
        out.put("type", "transaction-response");
        out.put("entry", responses);
        return out;
    }

    /** Writes Observations as open-platform records, within each sample's quota (all refused beyond it: 41401). */
    private List<StreamStore.Written> writeWithinQuota(List<StreamStore.NewRecord> records) {
        return platform.streamQuota().write(streams, StreamStore.OPEN_PLATFORM, records, true, null);
    }

    /**
     * What the entries of one write share, each looked up once however many entries name it: the people behind the
     * caller's Patient ids (for a client's token, all those the bundle names in one query), the samples per patient and
     * specimen, the catalogue of data elements. Before, each new specimen of a bundle looked its patient up again, and
     * each coding read the whole catalogue.
     */
    private final class WriteLookups {
        private final Caller caller;
        /** The Patient ids the request's entries name (a bundle's, gathered first), looked up together on first use. */
        private final Set<String> named;
        private Map<String, String> userByPatient;
        private final Map<String, List<Subject>> samples = new HashMap<>();
        /** The samples this request may write to, each checked once (a bundle writes to one sample again and again). */
        private final Set<String> writable = new java.util.HashSet<>();
        private List<StreamStore.DataElement> catalog;

        WriteLookups(Caller caller, Set<String> named) {
            this.caller = caller;
            this.named = named;
        }

        String user(String patientId) {
            if (caller.kind() == Caller.Kind.USER_TOKEN || !named.contains(patientId)) return userOf(caller, Scope.STREAMS, patientId);
            // A bundle names many patients, and each of them again and again: they are looked up together, once.
            if (userByPatient == null) userByPatient = usersOf(caller, Scope.STREAMS, named);
            return userByPatient.get(patientId);
        }

        List<StreamStore.DataElement> catalog() {
            if (catalog == null) catalog = streams.elements();
            return catalog;
        }
    }

    /**
     * An Observation to store as a stream record: its subject's sample, its code's data element, its effective time.
     * {@code lookups} keeps what was found for the other entries of the same request.
     */
    private StreamStore.NewRecord newRecord(Caller caller, JsonNode o, String at, WriteLookups lookups) {
        if (!o.isObject() || !"Observation".equals(o.path("resourceType").asText())) throw ApiException.invalidParam(at + "resourceType", "must be Observation");
        String subject = o.path("subject").path("reference").asText("");
        if (!subject.startsWith("Patient/") || !FHIR_ID.matcher(subject.substring(8)).matches()) {
            throw ApiException.invalidParam(at + "subject", "must reference the Patient, as Patient/{id}");
        }
        String patient = subject.substring(8);
        String specimen = o.path("specimen").path("reference").asText(null);
        List<Subject> samples = lookups.samples.computeIfAbsent(patient + "\n" + specimen, key -> {
            String user = lookups.user(patient);
            if (user == null) throw ApiException.invalidParam(at + "subject", subject + " is not known, or not this caller's");
            return subjects(caller, Scope.STREAMS, user, specimen == null ? null : specimen.replaceFirst("^Specimen/", ""));
        });
        if (samples.isEmpty()) throw ApiException.invalidParam(at + (specimen == null ? "subject" : "specimen"), "no sample of this patient the caller sees");
        if (samples.size() > 1) throw ApiException.invalidParam(at + "specimen", "the patient has several samples: name one as Specimen/{biosample_id}");
        if (!lookups.writable.contains(samples.get(0).biosampleId())) {
            access.requireWritable(caller, samples.get(0).biosampleId(), Scope.STREAMS, "Observation", 'c');
            lookups.writable.add(samples.get(0).biosampleId());
        }
        String element = null;
        if (o.path("code").path("coding").size() > 10) throw ApiException.invalidParam(at + "code", "at most 10 codings");
        for (JsonNode coding : o.path("code").path("coding")) {
            String system = coding.path("system").asText("");
            String code = coding.path("code").asText("");
            if (code.isEmpty() || !(system.equals("http://loinc.org") || system.equals(Observations.ELEMENT_SYSTEM))) continue;
            List<String> ids = elementsOf(system + "|" + code, lookups.catalog());
            if (!ids.isEmpty()) {
                element = ids.get(0);
                break;
            }
        }
        if (element == null) {
            throw ApiException.invalidParam(at + "code", "no coding names a data element (" + Observations.ELEMENT_SYSTEM + " or a LOINC code the platform knows)");
        }
        String effective = o.path("effectiveDateTime").asText(null);
        if (effective == null) throw ApiException.invalidParam(at + "effectiveDateTime", "is required");
        PartialTime time;
        try {
            time = PartialTime.parse(effective);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalidParam(at + "effectiveDateTime", e.getMessage());
        }
        if (!time.withinYears(platform.config().defaultZone())) throw ApiException.invalidParam(at + "effectiveDateTime", PartialTime.OUTSIDE_YEARS);
        for (String name : Observations.SHAPED) {
            String problem = o.has(name) ? Observations.shapeProblem(name, o.get(name)) : null;
            if (problem != null) throw ApiException.invalidParam(at + name, problem);
        }
        ObjectNode stored = Observations.storable(o);
        // The limit of a stream record written any other way: the open platform answers it within a page of records.
        if (io.omix.server.common.validation.JsonParam.longerThan(stored, io.omix.server.streams.StreamsCapability.MAX_DATA_CHARS)) {
            throw ApiException.invalidParam(at.isEmpty() ? "Observation" : at.substring(0, at.length() - 1),
                    "an Observation is at most " + io.omix.server.streams.StreamsCapability.MAX_DATA_CHARS + " characters as JSON");
        }
        return new StreamStore.NewRecord(streams.entityOf(samples.get(0).biosampleId()), element, time, stored);
    }

    private static JsonNode body(ApiRequest r, int maxBytes) {
        byte[] bytes;
        try (InputStream in = r.body()) {
            bytes = in.readNBytes(maxBytes + 1);
        } catch (IOException e) {
            throw ApiException.invalidParam("body", "could not be read");
        }
        if (bytes.length > maxBytes) throw new ApiException(ErrorCode.HTTP_PAYLOAD_TOO_LARGE, Map.of("body", "at most " + maxBytes + " bytes"));
        JsonNode node = ServerJson.readClientJson(bytes, "body");
        if (node == null || !node.isObject()) throw ApiException.invalidParam("body", "must be a FHIR resource (a JSON object)");
        return node;
    }

    // ---- answers ----

    /** A searchset Bundle: self and next links; the next link carries the position after this page. */
    private Map<String, Object> bundle(ApiRequest r, String type, List<Map<String, Object>> resources, String next) {
        String base = r.baseUrl(platform.config()) + BASE;
        List<Map<String, Object>> links = new ArrayList<>();
        links.add(Map.of("relation", "self", "url", base + "/" + type + query(r, null)));
        if (next != null) links.add(Map.of("relation", "next", "url", base + "/" + type + query(r, next)));
        List<Map<String, Object>> entries = new ArrayList<>();
        for (Map<String, Object> resource : resources) {
            entries.add(Map.of("fullUrl", base + "/" + type + "/" + resource.get("id"), "resource", resource, "search", Map.of("mode", "match")));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("resourceType", "Bundle");
        out.put("type", "searchset");
        if (next == null && r.ctx().queryParam("_cursor") == null) out.put("total", resources.size());
        out.put("link", links);
        out.put("entry", entries);
        return out;
    }

    private static String query(ApiRequest r, String cursor) {
        StringBuilder q = new StringBuilder();
        r.ctx().queryParamMap().forEach((name, values) -> {
            if (name.equals("_cursor")) return;
            for (String v : values) q.append(q.length() == 0 ? '?' : '&').append(enc(name)).append('=').append(enc(v));
        });
        if (cursor != null) q.append(q.length() == 0 ? '?' : '&').append("_cursor=").append(enc(cursor));
        return q.toString();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static List<String> repeated(ApiRequest r, String name) {
        List<String> out = new ArrayList<>();
        for (JsonNode v : r.input().getOrDefault(name, List.of())) out.add(v.asText());
        if (out.size() > 4) throw ApiException.invalidParam(name, "at most 4");
        for (String v : out) if (v.length() > 60) throw ApiException.invalidParam(name, "at most 60 characters");
        return out;
    }

    /** FHIR servers may ignore unknown search parameters; this one refuses them, so no answer is wider than asked. */
    private static void strict(ApiRequest r, ParamSpec spec) {
        for (String name : r.ctx().queryParamMap().keySet()) {
            if (!name.equals(DATE) && spec.params().stream().noneMatch(p -> p.name().equals(name))) {
                throw ApiException.invalidParam(name, "is not a search parameter this server supports (see " + BASE + "/metadata)");
            }
        }
    }

    private Map<String, Object> smartConfiguration(ApiRequest r) {
        String base = r.baseUrl(platform.config());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("issuer", base);
        m.put("authorization_endpoint", base + "/oauth2/authorize");
        m.put("token_endpoint", base + "/oauth2/token");
        m.put("introspection_endpoint", base + "/oauth2/introspect");
        m.put("revocation_endpoint", base + "/oauth2/revoke");
        m.put("token_endpoint_auth_methods_supported", List.of("client_secret_basic", "client_secret_post"));
        m.put("grant_types_supported", List.of("authorization_code", "refresh_token", "client_credentials"));
        m.put("response_types_supported", List.of("code"));
        m.put("code_challenge_methods_supported", List.of("S256"));
        m.put("scopes_supported", List.of("launch/patient", "offline_access", "patient/*.rs", "patient/Observation.rs", "patient/Observation.crs",
                "patient/Patient.rs", "patient/Specimen.rs", "patient/DocumentReference.rs", "user/*.rs", "user/Observation.rs"));
        m.put("capabilities", List.of("launch-standalone", "client-public", "client-confidential-symmetric", "context-standalone-patient",
                "permission-patient", "permission-user", "permission-v2", "permission-offline"));
        return m;
    }

    private Map<String, Object> capabilityStatement(ApiRequest r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("resourceType", "CapabilityStatement");
        m.put("status", "active");
        m.put("date", "2026-12-03");
        m.put("publisher", "Omix");
        m.put("kind", "instance");
        m.put("software", Map.of("name", "Omix"));
        m.put("implementation", Map.of("description", "Omix FHIR R4", "url", r.baseUrl(platform.config()) + BASE));
        m.put("fhirVersion", FHIR_VERSION);
        m.put("format", List.of("application/fhir+json", "json"));
        List<Map<String, Object>> resources = new ArrayList<>();
        resources.add(resource("Patient", List.of("read", "search-type"), List.of(param("_id", "token"))));
        resources.add(resource("Specimen", List.of("read", "search-type"), List.of(param("_id", "token"), param("subject", "reference"),
                param("patient", "reference"))));
        resources.add(resource("DocumentReference", List.of("read", "search-type"), List.of(param("_id", "token"), param("subject", "reference"),
                param("patient", "reference"), param("_count", "number"))));
        Map<String, Object> observation = resource("Observation", List.of("read", "search-type", "create"), List.of(param("_id", "token"),
                param("subject", "reference"), param("patient", "reference"), param("code", "token"), param("date", "date")));
        observation.put("operation", List.of(Map.of("name", "lastn", "definition", "http://hl7.org/fhir/OperationDefinition/Observation-lastn"),
                Map.of("name", "stats", "definition", "http://hl7.org/fhir/OperationDefinition/Observation-stats")));
        resources.add(observation);
        Map<String, Object> rest = new LinkedHashMap<>();
        rest.put("mode", "server");
        rest.put("documentation", "Bearer tokens from " + r.baseUrl(platform.config()) + "/oauth2/access_token; Observation needs the streams scope,"
                + " Specimen samples, Patient demographics profile. Unknown search parameters are refused. _count (1-1000), _sort (date, -date).");
        String base = r.baseUrl(platform.config());
        rest.put("security", Map.of(
                "extension", List.of(Map.of("url", "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris", "extension", List.of(
                        Map.of("url", "authorize", "valueUri", base + "/oauth2/authorize"),
                        Map.of("url", "token", "valueUri", base + "/oauth2/token")))),
                "service", List.of(Map.of("coding", List.of(Map.of("system",
                        "http://terminology.hl7.org/CodeSystem/restful-security-service", "code", "SMART-on-FHIR"))))));
        rest.put("resource", resources);
        rest.put("interaction", List.of(Map.of("code", "transaction")));
        m.put("rest", List.of(rest));
        return m;
    }

    private static Map<String, Object> resource(String type, List<String> interactions, List<Map<String, Object>> params) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type);
        m.put("interaction", interactions.stream().map(i -> Map.of("code", i)).toList());
        m.put("searchParam", params);
        return m;
    }

    private static Map<String, Object> param(String name, String type) {
        return Map.of("name", name, "type", type);
    }
}
