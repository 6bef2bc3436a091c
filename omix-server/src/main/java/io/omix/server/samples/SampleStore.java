package io.omix.server.samples;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.omix.server.Platform;
import io.omix.server.common.auth.Caller;
import io.omix.server.common.auth.Scope;
import io.omix.server.common.auth.Secrets;
import io.omix.server.common.db.Jdbc;
import io.omix.server.common.db.SqlWhere;
import io.omix.server.common.http.ApiException;
import io.omix.server.common.http.ErrorCode;
import io.omix.server.common.http.ServerJson;
import io.omix.server.common.validation.Param;
import io.omix.server.common.validation.ParamSpec;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Projects and samples: registration, filling in, listing with filters, binding to users and clients. */
public final class SampleStore {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SampleStore.class);
    private final Platform platform;
    private final Jdbc jdbc;

    public SampleStore(Platform platform) {
        this.platform = platform;
        this.jdbc = platform.database().jdbc();
    }

    // ---- projects

    public Project createProject(String name, int omic, String consortium, String dataProvider, String description) {
        if (name == null || name.isBlank() || name.length() > 200) throw new IllegalArgumentException("project name must be 1-200 characters");
        if (!Codes.OMICS.containsKey(omic)) throw new IllegalArgumentException("omic must be one of " + Codes.OMICS.keySet());
        String id = "P-" + (omic == 2 ? "M" : "G") + Secrets.digits(11);
        jdbc.update("INSERT INTO projects (project_id, name, omic, consortium, data_provider, public_description, created_at) "
                + "VALUES (?,?,?,?,?,?,?)", id, name, omic, consortium, dataProvider, description, platform.now());
        return findProject(id).orElseThrow();
    }

    public java.util.Optional<Project> findProject(String projectId) {
        return jdbc.queryOne("SELECT " + PROJECT_COLUMNS + " FROM projects p WHERE p.project_id = ?", SampleStore::project, projectId);
    }

    public List<Project> projects() {
        return jdbc.query("SELECT " + PROJECT_COLUMNS + " FROM projects p ORDER BY p.created_at, p.project_id", SampleStore::project);
    }

    /** The columns {@link #project(ResultSet, int)} reads, in its order, for a table aliased {@code p}. */
    private static final String PROJECT_COLUMNS = "p.project_id, p.name, p.omic, p.consortium, p.data_provider, p.public_description";

    private static Project project(ResultSet rs) throws SQLException {
        return project(rs, 1);
    }

    /**
     * A project from {@link #PROJECT_COLUMNS} starting at column {@code first}. Columns are read by
     * position: the embedded driver builds a map of every label for each result read by name, a
     * tenth of a light read's time.
     */
    private static Project project(ResultSet rs, int first) throws SQLException {
        return new Project(rs.getString(first), rs.getString(first + 1), rs.getInt(first + 2), rs.getString(first + 3),
                rs.getString(first + 4), rs.getString(first + 5));
    }

    // ---- registration and improvement

    /** What a registration gives. {@code fields} are group fields by name (numbers as BigDecimal). */
    public record Registration(String externalSampleId, int site, String projectId, boolean duplicateEnabled, Integer organism,
                               OffsetDateTime sampleCollectionTime, Map<String, Object> fields) {}

    /** Registers a sample for {@code caller}; 41001 naming the parameter when the project or the external id is refused. */
    public String register(Caller caller, Registration r) {
        return jdbc.inTransaction(c -> {
            // Locking the project row serialises registrations into one project, so the duplicate check holds.
            List<Integer> omic = Jdbc.query(c, "SELECT omic FROM projects WHERE project_id = ? FOR UPDATE", rs -> rs.getInt(1), r.projectId());
            if (omic.isEmpty()) throw ApiException.invalidParam("project_id", "no such project");
            // A project published to the Beacon answers strangers about its samples: who joins it is an operator's decision,
            // with the person, never an application's (restoring an archive keeps out of it too).
            if (!byOperator(caller) && !Jdbc.query(c, "SELECT 1 FROM projects WHERE project_id = ? AND beacon_public <> 'none'", rs -> 1,
                    r.projectId()).isEmpty()) {
                throw ApiException.invalidParam("project_id", "is published to the Beacon: only an operator adds samples to it");
            }
            // Through an application on a person's behalf: the consent's row is held, so a revocation at the same moment
            // either comes first (and the grant is gone) or waits and takes this sample's access with it.
            // The person's row is held before the consent's, in the order an account's erasure and a code's approval take them.
            if (caller.kind() == Caller.Kind.USER_TOKEN && caller.application() != null
                    && (!io.omix.server.users.UserStore.holdPerson(c, platform.database(), caller.userId())
                    || Jdbc.query(c, "SELECT 1 FROM oauth_consents WHERE user_id = ? AND client_id = ? FOR UPDATE", rs -> 1, caller.userId(),
                    caller.application()).isEmpty())) {
                throw new ApiException(ErrorCode.TOKEN_INVALID);
            }
            if (r.externalSampleId() != null && !r.duplicateEnabled()) {
                // Among the registrant's own samples only (its namespace's; its client's, and the person's for a user token):
                // an answer about other registrants' ids would tell whether someone else's external id is in the project.
                SqlWhere where = new SqlWhere().and("sp.project_id = ?", r.projectId()).and("s.site = ?", r.site())
                        .and("s.external_sample_id = ?", r.externalSampleId());
                if (caller.kind() == Caller.Kind.ANONYMOUS || caller.clientId() == null && caller.namespace() == null) {
                    // An operator's own tools (the CLI) register on the platform's behalf and see the whole project.
                } else if (caller.kind() == Caller.Kind.PRIVATE_APP) {
                    where.and("s.namespace = ?", caller.namespace());
                } else {
                    if (caller.application() != null) where.and("s.registered_by_client = ?", caller.application());
                    // Only what the caller still sees: after a person's revocation, the application learns nothing of her samples.
                    if (caller.kind() == Caller.Kind.CLIENT_TOKEN) SampleAccess.visibleTo(caller, Scope.SAMPLES, where);
                    if (caller.userId() != null) {
                        where.and("EXISTS (SELECT 1 FROM sample_users u WHERE u.biosample_id = s.biosample_id AND u.user_id = ?)", caller.userId());
                    }
                }
                List<Integer> taken = Jdbc.query(c, "SELECT 1 FROM samples s JOIN sample_projects sp ON sp.biosample_id = s.biosample_id"
                        + where.sql(), rs -> 1, where.args());
                if (!taken.isEmpty()) {
                    throw ApiException.invalidParam("external_sample_id", "is registered already in this project and site (duplicate_enabled=true registers it again)");
                }
            }
            String namespace = caller.kind() == Caller.Kind.PRIVATE_APP ? caller.namespace() : null;
            countRegistration(c, registrant(namespace, caller.application()), platform.config().quotas().samplesPerRegistrant());
            Map<String, ObjectNode> groups = emptyGroups();
            r.fields().forEach((name, value) -> put(groups, name, value));
            String id = newBiosampleId(c, r.site());
            OffsetDateTime now = platform.now();
            Jdbc.update(c, "INSERT INTO samples (biosample_id, site, organism, omic, status, data_availability, is_primary, external_sample_id, "
                            + "namespace, registered_by_client, sample_collection_time, library_json, sequencing_json, statistics_json, "
                            + "alignment_json, create_time, update_time) VALUES (?,?,?,?,1000,FALSE,TRUE,?,?,?,?,?,?,?,?,?,?)",
                    id, r.site(), r.organism() == null ? 1 : r.organism(), omic.get(0), r.externalSampleId(),
                    namespace, caller.application(), r.sampleCollectionTime(),
                    json(groups.get("library")), json(groups.get("sequencing")), json(groups.get("statistics")), json(groups.get("alignment")),
                    now, now);
            Jdbc.update(c, "INSERT INTO sample_projects (biosample_id, project_id) VALUES (?, ?)", id, r.projectId());
            // Registered by a person's token through an application: the application's own token reads it as far as the
            // person's consent goes (SampleAccess), and loses it with the consent.
            String forUser = caller.kind() == Caller.Kind.USER_TOKEN ? caller.userId() : null;
            if (caller.application() != null) { // the console is no application
                Jdbc.update(c, "INSERT INTO sample_clients (biosample_id, client_id, for_user) VALUES (?, ?, ?)", id, caller.application(), forUser);
            }
            if (caller.userId() != null) Jdbc.update(c, "INSERT INTO sample_users (biosample_id, user_id) VALUES (?, ?)", id, caller.userId());
            return id;
        });
    }

    /**
     * Who a sample counts against for samples.max-per-registrant (V53): the private app's namespace that registered it,
     * else the OAuth client through which it was registered; null for an operator's (not counted).
     */
    public static String registrant(String namespace, String client) {
        return namespace != null ? "ns:" + namespace : client != null ? "client:" + client : null;
    }

    /**
     * One more sample for {@code registrant}, in the registration's transaction; 41401 when it holds {@code limit}. The
     * registrant's row is the last this transaction locks (an erasure's decrement is its last too), so registrations
     * of one registrant into several projects wait on each other here only.
     */
    private static void countRegistration(Connection c, String registrant, long limit) throws SQLException {
        if (registrant == null) return;
        for (int attempt = 0; attempt < 2; attempt++) {
            if (Jdbc.update(c, "UPDATE sample_registrants SET samples = samples + 1 WHERE registrant = ? AND samples < ?", registrant, limit) == 1) {
                return;
            }
            if (!Jdbc.query(c, "SELECT samples FROM sample_registrants WHERE registrant = ?", rs -> 1, registrant).isEmpty()) {
                throw new ApiException(ErrorCode.QUOTA_EXCEEDED, Map.of("samples", "this application holds " + limit
                        + " samples, the most it may (samples.max-per-registrant): erase some, or ask the operator for more"));
            }
            // Its first sample; a registration of the same registrant at this moment may insert the row first: counted again.
            if (Jdbc.update(c, "INSERT INTO sample_registrants (registrant, samples) VALUES (?, 1) ON CONFLICT DO NOTHING", registrant) == 1) return;
        }
        throw new IllegalStateException("the count of " + registrant + "'s samples could not be taken");
    }

    /** An operator's own tools ({@link Caller#OPERATOR_TOOLS}), or an operator's token with the admin scope. */
    private static boolean byOperator(Caller caller) {
        return caller.operator() && (caller.kind() == Caller.Kind.ANONYMOUS
                || caller.kind() == Caller.Kind.USER_TOKEN && caller.hasScope(Scope.ADMIN.id()));
    }

    private static String newBiosampleId(Connection c, int site) throws SQLException {
        char letter = Codes.SITE_LETTERS.charAt(site - 1);
        for (int attempt = 0; attempt < 5; attempt++) {
            String id = "E-" + letter + Secrets.digits(11);
            if (Jdbc.query(c, "SELECT 1 FROM samples WHERE biosample_id = ?", rs -> 1, id).isEmpty()) return id;
        }
        throw new IllegalStateException("could not find a free biosample id");
    }

    /** Top-level fields improve may fill besides the group fields. */
    public record TopLevel(String externalSampleId, OffsetDateTime sampleCollectionTime, OffsetDateTime sampleTime, String budgetExecutionUnitId) {}

    /**
     * Fills fields that are still empty. A field already set to another value is an error naming it
     * (41001), and nothing is changed then; setting a field to the value it has is accepted.
     *
     * @return the fields as they now are, with {@code biosample_id}
     */
    public Map<String, Object> improve(String biosampleId, TopLevel top, Map<String, Object> fields) {
        return jdbc.inTransaction(c -> {
            Sample s = Jdbc.query(c, "SELECT " + SAMPLE_COLUMNS + " FROM samples s WHERE s.biosample_id = ? FOR UPDATE", this::sampleRow, biosampleId).get(0);
            Map<String, String> conflicts = new LinkedHashMap<>();
            Map<String, ObjectNode> groups = new HashMap<>();
            s.groups().forEach((g, node) -> groups.put(g, node.deepCopy()));
            Map<String, Object> changed = new LinkedHashMap<>();
            changed.put("biosample_id", biosampleId);
            fields.forEach((name, value) -> {
                SampleFields.Field f = SampleFields.ALL.get(name);
                JsonNode current = groups.get(f.group()).get(name);
                if (current == null || current.isNull()) {
                    put(groups, name, value);
                } else if (!sameValue(current, value)) {
                    conflicts.put(name, "is set already and cannot change");
                }
                changed.put(name, value);
            });
            String external = fill(conflicts, changed, "external_sample_id", s.externalSampleId(), top.externalSampleId());
            OffsetDateTime collected = fill(conflicts, changed, "sample_collection_time", s.sampleCollectionTime(), top.sampleCollectionTime());
            OffsetDateTime sampled = fill(conflicts, changed, "sample_time", s.sampleTime(), top.sampleTime());
            String budget = fill(conflicts, changed, "budget_execution_unit_id", s.budgetExecutionUnitId(), top.budgetExecutionUnitId());
            if (!conflicts.isEmpty()) throw new ApiException(ErrorCode.PARAMETER_ERROR, conflicts);
            Jdbc.update(c, "UPDATE samples SET external_sample_id = ?, sample_collection_time = ?, sample_time = ?, budget_execution_unit_id = ?, "
                            + "library_json = ?, sequencing_json = ?, statistics_json = ?, alignment_json = ?, update_time = ? WHERE biosample_id = ?",
                    external, collected, sampled, budget, json(groups.get("library")), json(groups.get("sequencing")),
                    json(groups.get("statistics")), json(groups.get("alignment")), platform.now(), biosampleId);
            return changed;
        });
    }

    private static <T> T fill(Map<String, String> conflicts, Map<String, Object> changed, String name, T current, T given) {
        if (given == null) return current;
        changed.put(name, given instanceof OffsetDateTime t ? SampleViews.privateTime(t) : given);
        if (current == null || sameInstant(current, given)) return given;
        conflicts.put(name, "is set already and cannot change");
        return current;
    }

    private static boolean sameInstant(Object a, Object b) {
        if (a instanceof OffsetDateTime x && b instanceof OffsetDateTime y) return x.isEqual(y);
        return Objects.equals(a, b);
    }

    private static boolean sameValue(JsonNode current, Object value) {
        if (value instanceof BigDecimal d) return current.isNumber() && current.decimalValue().compareTo(d) == 0;
        return current.isTextual() && current.textValue().equals(value);
    }

    private static void put(Map<String, ObjectNode> groups, String name, Object value) {
        ObjectNode group = groups.get(SampleFields.ALL.get(name).group());
        if (value instanceof BigDecimal d) {
            group.put(name, d);
        } else {
            group.put(name, (String) value);
        }
    }

    private static Map<String, ObjectNode> emptyGroups() {
        Map<String, ObjectNode> groups = new LinkedHashMap<>();
        for (String g : SampleFields.GROUPS) groups.put(g, ServerJson.MAPPER.createObjectNode());
        return groups;
    }

    private static String json(ObjectNode node) {
        try {
            return ServerJson.MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- reading

    /** Filters of the sample lists; null means "any". */
    public record Filter(List<String> biosampleIds, List<Integer> sites, List<Integer> omics, List<String> projectIds,
                         List<Integer> organisms, Boolean dataAvailability, List<Integer> statuses, List<String> externalIds) {
        public static final Filter ALL = new Filter(null, null, null, null, null, null, null, null);
    }

    public record Page(List<Sample> samples, int count) {}

    public Page list(Caller caller, Filter f, int page, int limit) {
        SqlWhere where = SampleAccess.visibleTo(caller, Scope.SAMPLES, new SqlWhere())
                .in("s.biosample_id", f.biosampleIds()).in("s.site", f.sites()).in("s.omic", f.omics())
                .in("s.organism", f.organisms()).in("s.status", f.statuses()).in("s.external_sample_id", f.externalIds());
        if (f.dataAvailability() != null) where.and("s.data_availability = ?", f.dataAvailability());
        if (f.projectIds() != null) {
            SqlWhere sub = new SqlWhere().in("sp.project_id", f.projectIds());
            where.and("EXISTS (SELECT 1 FROM sample_projects sp" + sub.sql() + " AND sp.biosample_id = s.biosample_id)", sub.args());
        }
        int count = jdbc.queryOne("SELECT COUNT(*) FROM samples s" + where.sql(), rs -> rs.getInt(1), where.args()).orElse(0);
        List<Sample> rows = jdbc.query("SELECT " + SAMPLE_COLUMNS + " FROM samples s" + where.sql() + " ORDER BY s.create_time, s.biosample_id LIMIT ? OFFSET ?",
                this::sampleRow, where.argsWith(limit, (long) (page - 1) * limit));
        return new Page(withProjects(rows), count);
    }

    /**
     * The sample when {@code caller} may see it (one query for the check and the read: a light read's
     * database time is its queries); 41303 when not, or when unknown or malformed.
     */
    public Sample requireVisible(Caller caller, String biosampleId) {
        Object[] args = VISIBLE_SAMPLE.args(caller, biosampleId);
        // The sample's columns on every row, one row per project it belongs to (none: one row, project columns null).
        Sample[] sample = {null};
        List<Project> projects = new ArrayList<>();
        jdbc.query(VISIBLE_SAMPLE.sql(caller), rs -> {
            if (sample[0] == null) sample[0] = sampleRow(rs);
            if (rs.getString(SAMPLE_COLUMN_COUNT + 1) != null) projects.add(project(rs, SAMPLE_COLUMN_COUNT + 1));
            return null;
        }, args);
        if (sample[0] == null) throw new ApiException(ErrorCode.NOT_OWN_SAMPLE);
        return sample[0].inProjects(List.copyOf(projects));
    }

    public java.util.Optional<Sample> find(String biosampleId) {
        return jdbc.withConnection(c -> find(c, biosampleId));
    }

    /** The sample read in {@code c} (an export's snapshot). */
    public java.util.Optional<Sample> find(Connection c, String biosampleId) throws SQLException {
        List<Sample> rows = Jdbc.query(c, "SELECT " + SAMPLE_COLUMNS + " FROM samples s WHERE s.biosample_id = ?", this::sampleRow, biosampleId);
        return withProjects(c, rows).stream().findFirst();
    }

    /**
     * Writes an exported sample back under its own id, bound to {@code userId}, creating the projects
     * it names that this server lacks (restoring an export). A sample of that id already here is refused.
     */
    public void restore(Sample s, String userId) {
        Map<String, ObjectNode> groups = restorableGroups(s);
        jdbc.inTransaction(c -> {
            if (!Jdbc.query(c, "SELECT 1 FROM samples WHERE biosample_id = ?", rs -> 1, s.biosampleId()).isEmpty()) {
                throw new IllegalArgumentException("sample " + s.biosampleId() + " exists already on this server");
            }
            OffsetDateTime now = platform.now();
            List<Project> joined = new ArrayList<>();
            for (Project p : s.projects()) {
                // An archive says which projects its sample was in; it never puts the sample into one this server
                // publishes to the Beacon (whose answers reach the public): that is an operator's decision, with the person.
                List<String> published = Jdbc.query(c, "SELECT beacon_public FROM projects WHERE project_id = ?", rs -> rs.getString(1), p.projectId());
                if (!published.isEmpty() && !"none".equals(published.get(0))) {
                    LOG.warn("restoring sample {}: not added to project {}, which this server publishes to the Beacon (an operator adds it,"
                            + " if the person agrees)", s.biosampleId(), p.projectId());
                    continue;
                }
                if (published.isEmpty()) {
                    Jdbc.update(c, "INSERT INTO projects (project_id, name, omic, consortium, data_provider, public_description, created_at)"
                            + " VALUES (?,?,?,?,?,?,?)", p.projectId(), p.name(), p.omic(), p.consortium(), p.dataProvider(), p.publicDescription(), now);
                }
                joined.add(p);
            }
            Jdbc.update(c, "INSERT INTO samples (biosample_id, site, organism, omic, status, data_availability, is_primary, external_sample_id, "
                            + "external_sample_id_alt, namespace, sample_collection_time, sample_time, budget_execution_unit_id, library_json, "
                            + "sequencing_json, statistics_json, alignment_json, create_time, update_time) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    s.biosampleId(), s.site(), s.organism(), s.omic(), s.status(), s.dataAvailability(), s.primary(), s.externalSampleId(),
                    // No namespace: a partner of the old server is nobody here, and a partner app of this server with the
                    // same name (names are chosen by people, and clash) must not see the person's sample through it.
                    s.externalSampleIdAlt(), null, s.sampleCollectionTime(), s.sampleTime(), s.budgetExecutionUnitId(),
                    json(groups.get("library")), json(groups.get("sequencing")), json(groups.get("statistics")), json(groups.get("alignment")),
                    s.createTime(), s.updateTime());
            for (Project p : joined) Jdbc.update(c, "INSERT INTO sample_projects (biosample_id, project_id) VALUES (?, ?)", s.biosampleId(), p.projectId());
            Jdbc.update(c, "INSERT INTO sample_users (biosample_id, user_id) VALUES (?, ?)", s.biosampleId(), userId);
            return null;
        });
    }

    /**
     * What a restored sample's values must pass: the registration's and improvement's own checks, but for the external id's
     * form (no comma, no end spaces), newer than archives holding ids accepted before it: those restore as they were.
     */
    private static final ParamSpec RESTORABLE = SampleFields.specWith(SamplesCapability.SITE, SamplesCapability.ORGANISM,
            Param.string("external_sample_id").maxLength(128), SamplesCapability.BUDGET, Param.string("external_sample_id_alt").maxLength(128),
            Param.integer("omic").range(1, 2));

    /**
     * An archive's sample checked as a registration is, its field groups as the API writes them (each field in its own
     * group, numbers as decimals): the person makes the archive and could forge it, and whatever a restore writes must read
     * back through the API and the SDK's typed records. Refused whole, naming the sample and each value.
     */
    public static Map<String, ObjectNode> restorableGroups(Sample s) {
        com.fasterxml.jackson.databind.node.JsonNodeFactory json = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance;
        Map<String, List<JsonNode>> given = new LinkedHashMap<>();
        given.put("biosample_site", List.of(json.numberNode(s.site())));
        given.put("organism", List.of(json.numberNode(s.organism())));
        given.put("omic", List.of(json.numberNode(s.omic())));
        if (s.externalSampleId() != null) given.put("external_sample_id", List.of(json.textNode(s.externalSampleId())));
        if (s.externalSampleIdAlt() != null) given.put("external_sample_id_alt", List.of(json.textNode(s.externalSampleIdAlt())));
        if (s.budgetExecutionUnitId() != null) given.put("budget_execution_unit_id", List.of(json.textNode(s.budgetExecutionUnitId())));
        Map<String, String> misplaced = new LinkedHashMap<>();
        if (!Codes.STATUSES.containsKey(s.status())) misplaced.put("status", "must be one of " + Codes.STATUSES.keySet());
        s.groups().forEach((group, fields) -> fields.fields().forEachRemaining(f -> {
            SampleFields.Field declared = SampleFields.ALL.get(f.getKey());
            if (declared == null || !declared.group().equals(group)) {
                misplaced.put(group + "." + f.getKey(), "is not a field of that group");
            } else {
                given.put(f.getKey(), List.of(f.getValue()));
            }
        }));
        for (Project p : s.projects()) {
            // As createProject checks them: a project the restore makes is read back by everyone who sees its samples.
            if (p.projectId() == null || !SamplesCapability.PROJECT_ID.matcher(p.projectId()).matches()) {
                misplaced.put("projects", "must be " + SamplesCapability.PROJECT_RULE);
            } else if (p.name() == null || p.name().isBlank() || p.name().length() > 200 || !Codes.OMICS.containsKey(p.omic())
                    || tooLong(p.consortium(), 200) || tooLong(p.dataProvider(), 200) || tooLong(p.publicDescription(), 2000)) {
                misplaced.put("projects", p.projectId() + ": a name of 1-200 characters, an omic of " + Codes.OMICS.keySet()
                        + ", a consortium and provider of at most 200, a description of at most 2000");
            }
        }
        if (!misplaced.isEmpty()) throw new IllegalArgumentException("sample " + s.biosampleId() + " in the archive: " + misplaced);
        io.omix.server.common.validation.Params p;
        try {
            p = RESTORABLE.parse(given);
        } catch (ApiException e) {
            throw new IllegalArgumentException("sample " + s.biosampleId() + " in the archive: " + e.data());
        }
        Map<String, ObjectNode> groups = emptyGroups();
        SampleFields.PARAMS.forEach((name, param) -> {
            Object v = p.get(param);
            if (v != null) put(groups, name, v instanceof BigDecimal d ? d.stripTrailingZeros() : v);
        });
        return groups;
    }

    private static boolean tooLong(String text, int max) {
        return text != null && text.length() > max;
    }

    /** External ids of the caller's samples in one project and site. */
    public List<Map<String, Object>> externals(Caller caller, String projectId, int site, List<String> externalIds) {
        SqlWhere where = SampleAccess.visibleTo(caller, Scope.SAMPLES, new SqlWhere())
                .and("s.site = ?", site).in("s.external_sample_id", externalIds)
                .and("EXISTS (SELECT 1 FROM sample_projects sp WHERE sp.biosample_id = s.biosample_id AND sp.project_id = ?)", projectId);
        return jdbc.query("SELECT s.external_sample_id, s.biosample_id FROM samples s" + where.sql()
                + " ORDER BY s.external_sample_id, s.create_time", rs -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("external_sample_id", rs.getString(1));
                    m.put("biosample_id", rs.getString(2));
                    return m;
                }, where.args());
    }

    private List<Sample> withProjects(List<Sample> rows) {
        if (rows.isEmpty()) return rows;
        return jdbc.withConnection(c -> withProjects(c, rows));
    }

    private static List<Sample> withProjects(Connection c, List<Sample> rows) throws SQLException {
        if (rows.isEmpty()) return rows;
        SqlWhere where = new SqlWhere().in("sp.biosample_id", rows.stream().map(Sample::biosampleId).toList());
        Map<String, List<Project>> byId = new HashMap<>();
        Jdbc.query(c, "SELECT sp.biosample_id, " + PROJECT_COLUMNS + " FROM sample_projects sp JOIN projects p ON p.project_id = sp.project_id"
                + where.sql() + " ORDER BY p.project_id", rs -> {
                    byId.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(project(rs, 2));
                    return null;
                }, where.args());
        List<Sample> out = new ArrayList<>(rows.size());
        for (Sample s : rows) out.add(s.inProjects(byId.getOrDefault(s.biosampleId(), List.of())));
        return out;
    }

    /** The columns {@link #sampleRow} reads, in its order (by position, as {@link #project(ResultSet, int)}), for {@code samples s}. */
    private static final String SAMPLE_COLUMNS = "s.biosample_id, s.site, s.organism, s.omic, s.status, s.data_availability, s.is_primary,"
            + " s.external_sample_id, s.external_sample_id_alt, s.namespace, s.sample_collection_time, s.sample_time,"
            + " s.budget_execution_unit_id, s.create_time, s.update_time, "
            + String.join(", ", SampleFields.GROUPS.stream().map(g -> "s." + g + "_json").toList());

    /** How many of {@link #SAMPLE_COLUMNS} come before the field groups. */
    private static final int SAMPLE_FIXED_COLUMNS = 15;

    /** {@link #requireVisible}'s query (after the columns it names: a static field is set in the order written). */
    private static final SampleAccess.OneSample VISIBLE_SAMPLE = new SampleAccess.OneSample("SELECT " + SAMPLE_COLUMNS + ", " + PROJECT_COLUMNS
            + " FROM samples s LEFT JOIN sample_projects sp ON sp.biosample_id = s.biosample_id LEFT JOIN projects p ON p.project_id = sp.project_id",
            " ORDER BY p.project_id", Scope.SAMPLES);

    private static final int SAMPLE_COLUMN_COUNT = SAMPLE_FIXED_COLUMNS + SampleFields.GROUPS.size();

    private Sample sampleRow(ResultSet rs) throws SQLException {
        String[] texts = new String[SampleFields.GROUPS.size()];
        for (int i = 0; i < texts.length; i++) texts[i] = rs.getString(SAMPLE_FIXED_COLUMNS + 1 + i);
        Map<String, ObjectNode> groups = new StoredGroups(rs.getString(1), texts);
        return new Sample(rs.getString(1), rs.getInt(2), rs.getInt(3), rs.getInt(4), rs.getInt(5), rs.getBoolean(6), rs.getBoolean(7),
                rs.getString(8), rs.getString(9), rs.getString(10), rs.getObject(11, OffsetDateTime.class), rs.getObject(12, OffsetDateTime.class),
                rs.getString(13), groups, rs.getObject(14, OffsetDateTime.class), rs.getObject(15, OffsetDateTime.class), List.of());
    }

    /**
     * A sample's field groups as stored, each parsed when first asked for: a read answers two of the four
     * (the open platform's view), and parsing all four was 3 % of it.
     */
    private static final class StoredGroups extends java.util.AbstractMap<String, ObjectNode> {
        private final String biosampleId;
        private final String[] texts;
        private final ObjectNode[] parsed;

        StoredGroups(String biosampleId, String[] texts) {
            this.biosampleId = biosampleId;
            this.texts = texts;
            this.parsed = new ObjectNode[texts.length];
        }

        @Override
        public ObjectNode get(Object key) {
            int i = key instanceof String name ? SampleFields.GROUPS.indexOf(name) : -1;
            return i < 0 ? null : group(i);
        }

        @Override
        public boolean containsKey(Object key) {
            return key instanceof String name && SampleFields.GROUPS.contains(name);
        }

        private synchronized ObjectNode group(int i) {
            if (parsed[i] == null) {
                try {
                    parsed[i] = (ObjectNode) ServerJson.MAPPER.readTree(texts[i]);
                } catch (JsonProcessingException | ClassCastException e) {
                    throw new IllegalStateException("corrupt " + SampleFields.GROUPS.get(i) + " of " + biosampleId, e);
                }
            }
            return parsed[i];
        }

        @Override
        public java.util.Set<Entry<String, ObjectNode>> entrySet() {
            Map<String, ObjectNode> all = new LinkedHashMap<>();
            for (int i = 0; i < texts.length; i++) all.put(SampleFields.GROUPS.get(i), group(i));
            return java.util.Collections.unmodifiableMap(all).entrySet();
        }
    }

    // ---- who sees what

    /** The newest samples of every namespace with the usernames bound to each (operators). */
    public List<Map<String, Object>> allWithUsers(int limit) {
        List<Map<String, Object>> out = jdbc.query("SELECT s.biosample_id, s.external_sample_id, s.omic, s.status FROM samples s"
                + " ORDER BY s.create_time DESC, s.biosample_id LIMIT " + limit, rs -> {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("biosample_id", rs.getString(1));
            m.put("external_sample_id", rs.getString(2));
            m.put("omic", rs.getInt(3));
            m.put("status", rs.getInt(4));
            m.put("users", new ArrayList<String>());
            return m;
        });
        Map<String, Map<String, Object>> byId = new java.util.HashMap<>();
        for (Map<String, Object> m : out) byId.put((String) m.get("biosample_id"), m);
        SqlWhere listed = new SqlWhere().in("v.biosample_id", byId.keySet());
        jdbc.query("SELECT v.biosample_id, u.username FROM sample_users v JOIN users u ON u.user_id = v.user_id" + listed.sql()
                + " ORDER BY u.username", rs -> {
            Map<String, Object> m = byId.get(rs.getString(1));
            if (m != null) {
                @SuppressWarnings("unchecked") List<String> users = (List<String>) m.get("users");
                users.add(rs.getString(2));
            }
            return null;
        }, listed.args());
        return out;
    }

    /** Binds a sample to a user: their authorization-code tokens see it at once. */
    public void bindUser(String biosampleId, String userId) {
        requireSample(biosampleId);
        if (jdbc.queryOne("SELECT 1 FROM sample_users WHERE biosample_id = ? AND user_id = ?", rs -> 1, biosampleId, userId).isEmpty()) {
            jdbc.update("INSERT INTO sample_users (biosample_id, user_id) VALUES (?, ?)", biosampleId, userId);
        }
    }

    /**
     * Unbinds a sample from a user; an application's access to it that was registered on that person's behalf goes too
     * (the sample is no longer theirs to consent for).
     */
    public boolean unbindUser(String biosampleId, String userId) {
        return jdbc.inTransaction(c -> {
            // In the order a person's erasure of the sample takes these rows (sample, bindings, access), so neither waits on the other.
            Jdbc.query(c, "SELECT 1 FROM samples WHERE biosample_id = ? FOR UPDATE", rs -> 1, biosampleId);
            boolean unbound = Jdbc.update(c, "DELETE FROM sample_users WHERE biosample_id = ? AND user_id = ?", biosampleId, userId) == 1;
            dropClientAccess(c, "biosample_id = ? AND for_user = ?", biosampleId, userId);
            forgetPersonsAnswersNaming(c, userId, biosampleId);
            return unbound;
        });
    }

    /**
     * Assigns a sample to a client: its client-credentials tokens see it at once, with the client's scopes. An operator's
     * assignment of a sample the client registered on a person's behalf lifts the hold of that person's consent.
     */
    public void assignClient(String biosampleId, String clientId) {
        requireSample(biosampleId);
        if (jdbc.update("UPDATE sample_clients SET for_user = NULL WHERE biosample_id = ? AND client_id = ?", biosampleId, clientId) == 0) {
            jdbc.update("INSERT INTO sample_clients (biosample_id, client_id) VALUES (?, ?)", biosampleId, clientId);
        }
    }

    /**
     * Takes a sample from a client: its client-credentials tokens, the links they signed and its webhooks stop reaching it
     * (whether an operator assigned it or a person registered it through the client). Answers kept for the client's
     * repeated writes that name the sample are forgotten. False when the client did not have it.
     */
    public boolean unassignClient(String biosampleId, String clientId) {
        return jdbc.inTransaction(c -> dropClientAccess(c, "biosample_id = ? AND client_id = ?", biosampleId, clientId) > 0);
    }

    /**
     * Deletes the applications' access to samples that {@code where} (a condition on sample_clients, with its arguments)
     * selects, and the answers kept for each client's repeated writes that name the sample: a repeat is answered before
     * any access check, so a kept answer would go on telling the application about a sample it no longer reaches. The
     * number of accesses taken.
     */
    public static int dropClientAccess(Connection c, String where, Object... args) throws SQLException {
        // Held as read: an access committed between this read and the deletion would otherwise go without its answers.
        List<String[]> taken = Jdbc.query(c, "SELECT biosample_id, client_id FROM sample_clients WHERE " + where + " FOR UPDATE",
                rs -> new String[] {rs.getString(1), rs.getString(2)}, args);
        int dropped = Jdbc.update(c, "DELETE FROM sample_clients WHERE " + where, args);
        for (String[] access : taken) {
            Jdbc.update(c, "DELETE FROM idempotency_keys WHERE owner = ? AND names LIKE ? ESCAPE '\\'", "client:" + access[1],
                    "%" + Jdbc.likeEscaped(access[0]) + "%");
        }
        return dropped;
    }

    /**
     * The answers kept for retries of the person's own writes (through any application) that name a sample no longer
     * theirs: a repeat would hand them what they no longer see.
     */
    public static void forgetPersonsAnswersNaming(Connection c, String userId, String biosampleId) throws SQLException {
        Jdbc.update(c, "DELETE FROM idempotency_keys WHERE owner LIKE ? ESCAPE '\\' AND names LIKE ? ESCAPE '\\'",
                Jdbc.likeEscaped("user:" + userId + "/") + "%", "%" + Jdbc.likeEscaped(biosampleId) + "%");
    }

    /** Sets a sample's status and whether its data is available (operators, imports). */
    public void setStatus(String biosampleId, int status, boolean dataAvailability) {
        jdbc.update("UPDATE samples SET status = ?, data_availability = ?, update_time = ? WHERE biosample_id = ?",
                status, dataAvailability, platform.now(), biosampleId);
    }

    private void requireSample(String biosampleId) {
        if (find(biosampleId).isEmpty()) throw new IllegalArgumentException("no sample " + biosampleId);
    }

}
