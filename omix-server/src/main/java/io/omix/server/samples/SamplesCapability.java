package io.omix.server.samples;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.omix.server.Capability;
import io.omix.server.Platform;
import io.omix.server.common.auth.Access;
import io.omix.server.common.auth.Caller;
import io.omix.server.common.auth.Scope;
import io.omix.server.common.http.ApiException;
import io.omix.server.common.http.ApiRequest;
import io.omix.server.common.http.Routes;
import io.omix.server.common.validation.BoolParam;
import io.omix.server.common.validation.DateTimeParam;
import io.omix.server.common.validation.IntListParam;
import io.omix.server.common.validation.IntParam;
import io.omix.server.common.validation.Param;
import io.omix.server.common.validation.ParamSpec;
import io.omix.server.common.validation.Params;
import io.omix.server.common.validation.StringListParam;
import io.omix.server.common.validation.StringParam;
import io.omix.server.demo.DemoData;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Samples and projects: {@code /samples*} on the open platform and {@code /private/samples*}
 * on the private platform, both behind {@link SampleAccess}.
 */
public final class SamplesCapability implements Capability {
    static final Pattern PROJECT_ID = Pattern.compile("P-[A-Z][0-9]{11}");
    static final String PROJECT_RULE = "P- + an upper-case letter + 11 digits";

    /** Checked by {@link SampleAccess}: a malformed id is answered like an unknown one, 41303. */
    static final StringParam BIOSAMPLE_ID = Param.string("biosample_id").required().maxLength(64);
    static final StringListParam BIOSAMPLE_IDS = Param.stringList("biosample_ids").pattern(SampleAccess.BIOSAMPLE_ID, SampleAccess.BIOSAMPLE_RULE);
    static final IntListParam SITES = Param.intList("biosample_sites").range(1, 15);
    static final IntListParam OMICS = Param.intList("omics").range(1, 2);
    static final StringListParam PROJECT_IDS = Param.stringList("project_ids").pattern(PROJECT_ID, PROJECT_RULE);
    static final IntListParam ORGANISMS = Param.intList("organisms").range(1, 3);
    static final BoolParam DATA_AVAILABILITY = Param.bool("data_availability");
    static final IntListParam STATUSES = Param.intList("statuses").range(-1, 9999).oneOf(Codes.STATUSES.keySet());
    static final BoolParam REQUIRE_FILES = Param.bool("require_files").orElse(false);
    static final IntParam PAGE = Param.integer("page").range(1, 1_000_000);
    static final IntParam NEXT_PAGE = Param.integer("next_page").range(1, 1_000_000).describe("the original platform's SDK name for page");
    static final IntParam LIMIT = Param.integer("limit").range(1, 100).orElse(50);

    static final StringParam PROJECT = Param.string("project_id").required().pattern(PROJECT_ID, PROJECT_RULE);
    static final IntParam SITE = Param.integer("biosample_site").required().range(1, 15);
    /**
     * An external id as lists of them look it up (comma-separated, each item trimmed): no comma, no space at either end.
     * Accepted before, " X" or "A,B" was registered and never found again.
     */
    static final java.util.regex.Pattern EXTERNAL_ID_FORM = java.util.regex.Pattern.compile("(?:[^\\s,](?:[^,]*[^\\s,])?)?");
    static final String EXTERNAL_ID_RULE = "an id of at most 128 characters without commas or spaces at either end (lists of ids are comma-separated)";
    static final StringParam EXTERNAL_ID = Param.string("external_sample_id").maxLength(128).pattern(EXTERNAL_ID_FORM, EXTERNAL_ID_RULE);
    static final StringListParam EXTERNAL_IDS = Param.stringList("external_ids").maxItemLength(128);
    static final BoolParam DUPLICATE = Param.bool("duplicate_enabled").orElse(false);
    static final IntParam ORGANISM = Param.integer("organism").range(1, 3);
    static final DateTimeParam COLLECTED = Param.dateTime("sample_collection_time");
    static final DateTimeParam SAMPLED = Param.dateTime("sample_time");
    static final StringParam BUDGET = Param.string("budget_execution_unit_id").maxLength(64);

    static final ParamSpec LIST = ParamSpec.of(BIOSAMPLE_IDS, SITES, OMICS, PROJECT_IDS, ORGANISMS, DATA_AVAILABILITY, STATUSES,
            REQUIRE_FILES, PAGE, NEXT_PAGE, LIMIT);
    static final ParamSpec GET = ParamSpec.of(BIOSAMPLE_ID, REQUIRE_FILES);
    static final StringParam USERNAME = Param.string("username").required().maxLength(64);
    static final BoolParam UNBIND = Param.bool("unbind").orElse(false);
    static final ParamSpec EXTERNALS = ParamSpec.of(PROJECT, SITE, EXTERNAL_IDS);
    static final StringParam REQUIRED_EXTERNAL_ID = Param.string("external_sample_id").required().maxLength(128).pattern(EXTERNAL_ID_FORM, EXTERNAL_ID_RULE);
    static final ParamSpec REGISTER_OPEN = SampleFields.specWith(REQUIRED_EXTERNAL_ID, SITE, PROJECT, DUPLICATE, ORGANISM, COLLECTED);
    static final StringParam FILL_EXTERNAL_ID = Param.string("external_sample_id").maxLength(128).pattern(EXTERNAL_ID_FORM, EXTERNAL_ID_RULE);
    static final ParamSpec IMPROVE = SampleFields.specWith(BIOSAMPLE_ID, FILL_EXTERNAL_ID, COLLECTED, SAMPLED, BUDGET);

    static final StringListParam PRIVATE_IDS = Param.stringList("biosample_id").pattern(SampleAccess.BIOSAMPLE_ID, SampleAccess.BIOSAMPLE_RULE);
    static final StringListParam PRIVATE_EXTERNAL_IDS = Param.stringList("external_sample_id").maxItemLength(128);
    static final ParamSpec PRIVATE_LIST = ParamSpec.of(PRIVATE_IDS, PRIVATE_EXTERNAL_IDS, PAGE, LIMIT);
    static final ParamSpec PRIVATE_GET = ParamSpec.of(BIOSAMPLE_ID);
    static final ParamSpec REGISTER_PRIVATE = SampleFields.specWith(EXTERNAL_ID, SITE, PROJECT, DUPLICATE, ORGANISM, COLLECTED);

    private final SampleStore store;
    private final SampleAccess access;
    private final io.omix.server.users.UserStore users;
    private final Platform platform;
    private final SampleOverview overview;
    /** An overview counts every record and abundance row of the sample (up to millions): two at a time for each caller. */
    private final io.omix.server.common.http.CallerTurns overviews = new io.omix.server.common.http.CallerTurns("get_overview", 2);

    public SamplesCapability(Platform platform) {
        this.platform = platform;
        this.store = new SampleStore(platform);
        this.users = new io.omix.server.users.UserStore(platform);
        this.access = new SampleAccess(platform.database().jdbc());
        this.overview = new SampleOverview(platform, store, access);
    }

    @Override
    public void routes(Routes routes) {
        routes.get("/samples", Access.TOKEN, LIST, (r, p) -> list(r, p, true));
        routes.get("/samples/external_ids", Access.TOKEN, EXTERNALS, (r, p) -> externals(r.caller(), p));
        routes.get("/samples/{biosample_id}", Access.TOKEN, GET, (r, p) -> get(r, p, true));
        // The open platform client's get_overview: one sample's data at a glance, by the token's scopes.
        routes.get("/overview", Access.TOKEN, PRIVATE_GET, (r, p) -> {
            try (io.omix.server.common.http.CallerTurns.Turn turn = overviews.enter(r)) {
                return overview.of(r.caller(), p.get(BIOSAMPLE_ID));
            }
        });
        routes.post("/samples/register", Access.TOKEN, REGISTER_OPEN, (r, p) -> register(r.caller(), p, REQUIRED_EXTERNAL_ID));
        routes.post("/samples/improve", Access.TOKEN, IMPROVE, (r, p) -> improve(r.caller(), p));
        // Operators: every sample and who it is bound to; binding a sample to a user shows it to them at once.
        routes.get("/admin/samples", Access.OPERATOR, ParamSpec.NONE, (r, p) -> Map.of("samples", store.allWithUsers(500)));
        // Erasure: the person, through their own tools (scope grants: the console, the CLI), or an operator.
        routes.api(io.javalin.http.HandlerType.DELETE, "/samples/{biosample_id}", Access.USER_TOKEN, ParamSpec.of(BIOSAMPLE_ID), (r, p) -> {
            r.caller().requireScope(io.omix.server.common.auth.Scope.GRANTS);
            String id = p.get(BIOSAMPLE_ID);
            // Only a sample bound to the person is theirs to erase; any other id is answered like an unknown one. A sample
            // shared with other people is only unbound from this one.
            return switch (new io.omix.server.privacy.Erasure(platform).eraseSampleOf(r.caller().userId(), id)) {
                case NOT_THEIRS -> throw new ApiException(io.omix.server.common.http.ErrorCode.NOT_OWN_SAMPLE);
                case UNBOUND -> Map.of("biosample_id", id, "erased", false, "unbound", true);
                case ERASED -> Map.of("biosample_id", id, "erased", true);
            };
        });
        routes.api(io.javalin.http.HandlerType.DELETE, "/admin/samples/{biosample_id}", Access.OPERATOR, ParamSpec.of(BIOSAMPLE_ID), (r, p) -> {
            if (!new io.omix.server.privacy.Erasure(platform).eraseSample(p.get(BIOSAMPLE_ID))) throw ApiException.invalidParam("biosample_id", "no such sample");
            return Map.of("biosample_id", p.get(BIOSAMPLE_ID), "erased", true);
        });
        routes.post("/admin/samples/bind", Access.OPERATOR, ParamSpec.of(BIOSAMPLE_ID, USERNAME, UNBIND), (r, p) -> {
            String userId = users.findByUsername(p.get(USERNAME)).orElseThrow(() -> ApiException.invalidParam("username", "no such user")).userId();
            if (store.find(p.get(BIOSAMPLE_ID)).isEmpty()) throw ApiException.invalidParam("biosample_id", "no such sample");
            if (p.get(UNBIND)) store.unbindUser(p.get(BIOSAMPLE_ID), userId);
            else store.bindUser(p.get(BIOSAMPLE_ID), userId);
            // The person's id beside their username: an answer kept for a retry names them by it, and goes with their erasure.
            return Map.of("biosample_id", p.get(BIOSAMPLE_ID), "username", p.get(USERNAME), "user_id", userId, "bound", !p.get(UNBIND));
        });

        routes.get("/private/samples", Access.PRIVATE_APP, PRIVATE_LIST, (r, p) -> list(r, p, false));
        routes.get("/private/samples/{biosample_id}", Access.PRIVATE_APP, PRIVATE_GET, (r, p) -> get(r, p, false));
        routes.post("/private/samples/register", Access.PRIVATE_APP, REGISTER_PRIVATE, (r, p) -> register(r.caller(), p, EXTERNAL_ID));
        routes.post("/private/samples/improve", Access.PRIVATE_APP, IMPROVE, (r, p) -> improve(r.caller(), p));
    }

    private Map<String, Object> list(ApiRequest request, Params p, boolean open) {
        Caller caller = request.caller();
        caller.requireScope(Scope.SAMPLES);
        SampleStore.Filter filter;
        int page;
        if (open) {
            filter = new SampleStore.Filter(p.get(BIOSAMPLE_IDS), p.get(SITES), p.get(OMICS), p.get(PROJECT_IDS), p.get(ORGANISMS),
                    p.get(DATA_AVAILABILITY), p.get(STATUSES), null);
            page = p.get(PAGE) != null ? p.get(PAGE) : p.get(NEXT_PAGE) != null ? p.get(NEXT_PAGE) : 1;
        } else {
            filter = new SampleStore.Filter(p.get(PRIVATE_IDS), null, null, null, null, null, null, p.get(PRIVATE_EXTERNAL_IDS));
            page = p.get(PAGE) != null ? p.get(PAGE) : 1;
        }
        int limit = p.get(LIMIT);
        SampleStore.Page result = store.list(caller, filter, page, limit);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Sample s : result.samples()) rows.add(open ? withFiles(request, SampleViews.open(s), s, p) : SampleViews.privateView(s));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("result", rows);
        out.put("count", result.count());
        out.put("next_page", (long) page * limit < result.count() ? page + 1 : null);
        return out;
    }

    /**
     * With {@code require_files=true}, a sample's {@code files}: what the platform made of its data (its
     * gene tables, once asked for), each with a signed download link valid for an hour; only those the caller
     * may read as objects (ObjectAccess: gene tables need the microbiome scope, as everywhere else they are reached).
     */
    private Map<String, Object> withFiles(ApiRequest request, Map<String, Object> view, Sample s, Params p) {
        if (!Boolean.TRUE.equals(p.get(REQUIRE_FILES))) return view;
        io.omix.server.files.ObjectAccess access = new io.omix.server.files.ObjectAccess(platform);
        long expires = platform.now().plusHours(1).toEpochSecond();
        io.omix.server.files.SignedLinks links = new io.omix.server.files.SignedLinks(platform);
        String base = request.baseUrl(platform.config());
        List<Map<String, Object>> files = platform.database().jdbc().query("SELECT object_name, size_bytes, sha256, created_at FROM file_objects"
                + " WHERE owner = ? ORDER BY object_name", rs -> {
            Map<String, Object> f = new LinkedHashMap<>();
            String name = rs.getString(1);
            f.put("name", name.substring(name.lastIndexOf('/') + 1));
            f.put("object_name", name);
            f.put("url", null); // once the caller is known to read it
            f.put("size", rs.getLong(2));
            f.put("sha256", rs.getString(3));
            f.put("created_at", rs.getObject(4, java.time.OffsetDateTime.class).toInstant().toString());
            f.put("expires", String.valueOf(expires));
            return f;
        }, "sample:" + s.biosampleId());
        files.removeIf(f -> access.readable((String) f.get("object_name"), request.caller()).isEmpty());
        if (!files.isEmpty()) {
            // Read from inside a model: the files without links (a model makes none: SignedLinks.grantOf).
            String grant = request.viaModelChannel() ? null : links.grantOf(request);
            for (Map<String, Object> f : files) f.put("url", grant == null ? null : links.url(grant, base, (String) f.get("object_name"), expires));
        }
        Map<String, Object> out = new LinkedHashMap<>(view);
        out.put("files", files);
        return out;
    }

    private Map<String, Object> get(ApiRequest request, Params p, boolean open) {
        Caller caller = request.caller();
        caller.requireScope(Scope.SAMPLES);
        Sample s = store.requireVisible(caller, p.get(BIOSAMPLE_ID));
        return open ? withFiles(request, SampleViews.open(s), s, p) : SampleViews.privateView(s);
    }

    private List<Map<String, Object>> externals(Caller caller, Params p) {
        caller.requireScope(Scope.SAMPLES);
        return store.externals(caller, p.get(PROJECT), p.get(SITE), p.get(EXTERNAL_IDS));
    }

    private Map<String, Object> register(Caller caller, Params p, StringParam externalId) {
        caller.requireScope(Scope.SAMPLES);
        io.omix.server.oauth.SmartScopes.requireOwn(caller, "Specimen", 'c');
        String id = store.register(caller, new SampleStore.Registration(p.get(externalId), p.get(SITE), p.get(PROJECT),
                p.get(DUPLICATE), p.get(ORGANISM), p.get(COLLECTED), givenFields(p)));
        return Map.of("biosample_id", id);
    }

    private Map<String, Object> improve(Caller caller, Params p) {
        caller.requireScope(Scope.SAMPLES);
        String id = access.requireWritable(caller, p.get(BIOSAMPLE_ID), Scope.SAMPLES, "Specimen", 'u');
        return store.improve(id, new SampleStore.TopLevel(p.get(FILL_EXTERNAL_ID), p.get(COLLECTED), p.get(SAMPLED), p.get(BUDGET)),
                givenFields(p));
    }

    private static Map<String, Object> givenFields(Params p) {
        Map<String, Object> fields = new LinkedHashMap<>();
        SampleFields.PARAMS.forEach((name, param) -> {
            Object v = p.get(param);
            if (v != null) fields.put(name, v instanceof BigDecimal d ? d.stripTrailingZeros() : v);
        });
        return fields;
    }

    /**
     * Demo: a genomics and a metagenomics project; the demo user owns a genomics and a metagenomics
     * sample, the second user one of their own, all registered by the demo client itself and bound to
     * their people (so tokens of both grants see them, the client's with its own scopes); the demo
     * partner app has one in its namespace.
     */
    @Override
    public void demo(DemoData demo) {
        ObjectNode creds = demo.credentials();
        Project genomics = store.createProject("demo", 1, "Omix", "Omix demo", "演示数据 / demo data");
        Project meta = store.createProject("demo metagenomics", 2, "Omix", "Omix demo", "演示宏基因组 / demo metagenomics");
        Caller demoApp = Caller.clientToken(creds.path("oauth_client").path("client_id").asText(), java.util.Set.of(Scope.SAMPLES.id()));
        Map<String, Object> stats = Map.of("depth", new BigDecimal("86.104"), "coverage", new BigDecimal("0.998"),
                "base_pairs", new BigDecimal("266.38"), "platform", "BGISEQ-500", "read_type", "150+150+10", "sequencing_time", "2019-09-24");
        String g = store.register(demoApp, new SampleStore.Registration("DEMO-G-001", 11, genomics.projectId(), false, 1, null, stats));
        String m = store.register(demoApp, new SampleStore.Registration("DEMO-M-001", 10, meta.projectId(), false, 1, null,
                Map.of("platform", "BGISEQ-500")));
        String other = store.register(demoApp, new SampleStore.Registration("DEMO-G-002", 11, genomics.projectId(), false, 1, null, Map.of()));
        for (String id : List.of(g, m)) store.bindUser(id, creds.path("user").path("user_id").asText());
        store.bindUser(other, creds.path("second_user").path("user_id").asText());
        Caller partner = Caller.privateApp(creds.path("private_app").path("app_key").asText(), creds.path("private_app").path("namespace").asText());
        String p = store.register(partner, new SampleStore.Registration("S0ad004", 10, meta.projectId(), false, 1, null, Map.of()));
        for (String id : List.of(g, m)) store.setStatus(id, 9001, true);
        ObjectNode projects = demo.section("projects");
        projects.put("genomics", genomics.projectId());
        projects.put("metagenomics", meta.projectId());
        ObjectNode samples = demo.section("samples");
        samples.put("genomics", g);
        samples.put("metagenomics", m);
        samples.put("second_user", other);
        samples.put("private_app", p);
    }
}
