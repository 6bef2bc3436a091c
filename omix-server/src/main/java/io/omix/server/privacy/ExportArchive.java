package io.omix.server.privacy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.omix.server.Platform;
import io.omix.server.audit.AuditLog;
import io.omix.server.common.db.Jdbc;
import io.omix.server.common.http.ServerJson;
import io.omix.server.microbiome.ProfileExport;
import io.omix.server.oauth.ConsentStore;
import io.omix.server.samples.Project;
import io.omix.server.samples.Sample;
import io.omix.server.samples.SampleStore;
import io.omix.server.streams.Observations;
import io.omix.server.streams.StreamStore;
import io.omix.server.users.User;
import io.omix.server.users.UserStore;
import io.omix.server.variants.VcfExport;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.List;
import java.util.function.IntConsumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * One person's data as one zip archive (right of access and portability), in the formats the admin
 * import commands read, so that {@link ArchiveRestore} (and {@code omix admin import-archive}) puts
 * it back on another server:
 * <pre>
 * manifest.json                           what is inside: every entry with its size and SHA-256
 * user.json                               the profile and the Beacon choice
 * samples/ID/sample.json                  the sample, its projects, and which files below hold its data
 * samples/ID/variants.vcf                 the current variant calls (VCF 4.2)
 * samples/ID/microbiome/KIND[-CATALOG].tsv the profiles (MetaPhlAn, HUMAnN and gene tables)
 * samples/ID/observations.ndjson          stream records as FHIR R4 Observations, one per line
 * files/OBJECT_NAME                       the person's files, byte for byte
 * grants.json                             the applications they authorized
 * audit.ndjson                            the audit entries about them, oldest first
 * </pre>
 * The person's profile, samples and list of files, and each sample's calls, profiles and stream records,
 * are read in one snapshot of the database ({@link Jdbc#inSnapshot}): they are read a piece a statement,
 * and a profile imported again, a record erased or a file added while the archive is written would
 * otherwise show in part. The files' bytes, the grants and the audit entries are read after it (a file
 * replaced meanwhile is written as it is then, one deleted is left out). The export's task checks, when it records the archive, that every
 * sample in it is still the person's.
 */
public final class ExportArchive {
    public static final String FORMAT = "omix-export";
    public static final int VERSION = 1;
    /** Where exports are kept in the object store: the person's files, never exported themselves. */
    public static final String OBJECT_PREFIX = io.omix.server.files.ObjectNames.PERSONAL_ARCHIVES;
    private static final ObjectWriter PRETTY = ServerJson.MAPPER.writerWithDefaultPrettyPrinter();
    private static final ObjectMapper JSON = ServerJson.MAPPER;

    private final Platform platform;

    public ExportArchive(Platform platform) {
        this.platform = platform;
    }

    /**
     * Writes {@code userId}'s archive to {@code target} (not closed); returns the manifest. {@code progress} hears 0-90
     * as samples and files are written. The samples' data is read in one snapshot on a connection of its own, held only
     * while it is read (the run's transaction and the snapshot are the two connections an export holds: nothing else
     * borrows one meanwhile, not even its progress); the files' bytes, the grants and the audit entries come after.
     */
    public ObjectNode write(String userId, OutputStream target, IntConsumer progress) throws IOException {
        User user = new UserStore(platform).findById(userId).orElseThrow(() -> new IllegalArgumentException("no user " + userId));
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("format", FORMAT).put("version", VERSION).put("created_at", platform.now().toInstant().toString())
                .put("user_id", user.userId()).put("username", user.username());
        ZipOutputStream zip = new ZipOutputStream(new NonClosing(target));
        Entries entries = new Entries(zip, manifest.putArray("entries"));
        List<Object[]> files = platform.database().jdbc().inSnapshot(c -> writeSamples(c, user, manifest, entries));
        List<String> sampleIds = new java.util.ArrayList<>();
        manifest.path("samples").forEach(id -> sampleIds.add(id.asText()));
        int steps = sampleIds.size() + files.size() + 1;
        int done = sampleIds.size();
        progress.accept(90 * done / steps);
        ArrayNode fileList = manifest.putArray("files");
        for (Object[] f : files) {
            String name = (String) f[0];
            long size = (Long) f[1];
            InputStream in;
            try {
                in = platform.objects().open((String) f[2]);
            } catch (java.nio.file.NoSuchFileException gone) {
                // Replaced since the snapshot listed it (its bytes now under a new key), or deleted: the file as it is now, if any.
                Object[] now = platform.database().jdbc().queryOne("SELECT size_bytes, " + io.omix.server.files.FileStore.KEY
                        + " FROM file_objects WHERE owner = ? AND object_name = ?", rs -> new Object[] {rs.getLong(1), rs.getString(2)},
                        "user:" + userId, name).orElse(null);
                in = null;
                if (now != null) {
                    try {
                        in = platform.objects().open((String) now[1]);
                        size = (Long) now[0];
                    } catch (java.nio.file.NoSuchFileException deletedToo) {
                        // replaced or deleted once more: left out
                    }
                }
                if (in == null) {
                    progress.accept(90 * ++done / steps);
                    continue;
                }
            }
            try (InputStream bytes = in; OutputStream out = entries.open("files/" + name)) {
                bytes.transferTo(out);
            }
            fileList.addObject().put("object_name", name).put("file", "files/" + name).put("size", size);
            progress.accept(90 * ++done / steps);
        }
        try (OutputStream out = entries.open("grants.json")) {
            PRETTY.writeValue(out, JSON.createObjectNode().set("grants", JSON.valueToTree(new ConsentStore(platform).grantsOf(userId).stream()
                    .map(g -> {
                        ObjectNode n = JSON.createObjectNode().put("client_id", g.clientId()).put("client_name", g.clientName())
                                .put("scope", String.join(" ", g.scopes())).put("granted_at", text(g.grantedAt()));
                        return n.put("updated_at", text(g.updatedAt())).put("last_used_at", text(g.lastUsed()));
                    }).toList())));
        }
        try (OutputStream out = entries.open("audit.ndjson")) {
            new AuditAbout(userId, sampleIds).forEach(e -> {
                out.write(JSON.writeValueAsBytes(e.fieldsFor(userId, sampleIds)));
                out.write('\n');
            });
        }
        // The manifest lists every other entry; it is the one entry it cannot list.
        ZipEntry last = new ZipEntry("manifest.json");
        zip.putNextEntry(last);
        zip.write(PRETTY.writeValueAsBytes(manifest));
        zip.closeEntry();
        zip.finish();
        return manifest;
    }

    /**
     * The profile and every sample's data, read in {@code c} (one snapshot), with the manifest's {@code samples}; answers
     * the person's files ({object_name, size, key}) as they were then, for their bytes to be copied after.
     */
    private List<Object[]> writeSamples(Connection c, User user, ObjectNode manifest, Entries entries) throws SQLException, IOException {
        String userId = user.userId();
        try (OutputStream out = entries.open("user.json")) {
            PRETTY.writeValue(out, profile(user).put("beacon_opt_out", UserStore.beaconOptOut(c, userId)));
        }
        List<String> sampleIds = Jdbc.query(c, "SELECT biosample_id FROM sample_users WHERE user_id = ? ORDER BY biosample_id",
                rs -> rs.getString(1), userId);
        manifest.set("samples", JSON.valueToTree(sampleIds));
        StreamStore streams = new StreamStore(platform);
        SampleStore samples = new SampleStore(platform);
        for (String id : sampleIds) {
            Sample sample = samples.find(c, id).orElseThrow();
            ObjectNode view = sampleJson(sample);
            String dir = "samples/" + id + "/";
            var source = VcfExport.source(c, id);
            if (source.isPresent()) {
                long calls;
                try (OutputStream out = entries.open(dir + "variants.vcf")) {
                    calls = VcfExport.write(c, id, source.get(), out);
                }
                view.putObject("variants").put("file", dir + "variants.vcf").put("assembly", source.get().assembly())
                        .put("dbsnp_build", source.get().dbsnpBuild()).put("pipeline_version", source.get().pipelineVersion()).put("calls", calls)
                        .put("imported_at", text(source.get().importedAt()));
            }
            ArrayNode profiles = view.putArray("microbiome");
            for (ProfileExport.Profile p : ProfileExport.profiles(c, id)) {
                String file = dir + "microbiome/" + p.kind() + (p.kind().equals("taxon") ? "" : "-" + p.catalog()) + ".tsv";
                int rows;
                try (OutputStream out = entries.open(file)) {
                    rows = ProfileExport.write(c, id, p, out);
                }
                profiles.addObject().put("file", file).put("kind", p.kind()).put("catalog", p.importCatalog()).put("software", p.software()).put("rows", rows);
            }
            List<String> entity = Jdbc.query(c, "SELECT entity_id FROM sample_entities WHERE biosample_id = ?", rs -> rs.getString(1), id);
            if (!entity.isEmpty()) {
                view.put("entity_id", entity.get(0));
                long[] records = {0};
                try (OutputStream out = entries.open(dir + "observations.ndjson")) {
                    streams.forEachRecordOf(c, entity.get(0), r -> {
                        out.write(JSON.writeValueAsBytes(Observations.of(r, userId, id)));
                        out.write('\n');
                        records[0]++;
                    });
                }
                view.putObject("observations").put("file", dir + "observations.ndjson").put("records", records[0]);
            }
            try (OutputStream out = entries.open(dir + "sample.json")) {
                PRETTY.writeValue(out, view);
            }
        }
        return Jdbc.query(c, "SELECT object_name, size_bytes, " + io.omix.server.files.FileStore.KEY + " FROM file_objects"
                + " WHERE owner = ? AND object_name NOT LIKE ? ORDER BY object_name", rs -> new Object[] {rs.getString(1), rs.getLong(2), rs.getString(3)},
                "user:" + userId, OBJECT_PREFIX + "%");
    }

    /** An audit entry written to the archive. */
    @FunctionalInterface
    private interface EntryWriter {
        void write(AuditLog.Entry e) throws IOException;
    }

    /**
     * Entries on the person's behalf and entries naming one of their samples, oldest first, each once: the queries (the
     * person's, then each sample's) read a page at a time and merged by sequence number, so that a trail of millions of
     * entries (every use of a link is one) is never held whole.
     */
    private final class AuditAbout {
        /** Entries a query reads a statement. */
        private static final int PAGE = 500;
        private final List<Source> sources = new java.util.ArrayList<>();

        AuditAbout(String userId, List<String> sampleIds) {
            sources.add(new Source(userId, null));
            for (String s : sampleIds) sources.add(new Source(null, s));
        }

        void forEach(EntryWriter writer) throws IOException {
            long last = -1;
            while (true) {
                Source next = null;
                for (Source s : sources) {
                    if (s.head() != null && (next == null || s.head().seq() < next.head().seq())) next = s;
                }
                if (next == null) return;
                AuditLog.Entry e = next.take();
                if (e.seq() == last) continue; // named by two queries: the same entry, once
                last = e.seq();
                writer.write(e);
            }
        }

        /** One query's entries, a page at a time. */
        private final class Source {
            private final String userId;
            private final String sample;
            private List<AuditLog.Entry> page = List.of();
            private int at;
            private long after;
            private boolean ended;

            Source(String userId, String sample) {
                this.userId = userId;
                this.sample = sample;
            }

            AuditLog.Entry head() {
                if (at == page.size() && !ended) {
                    page = platform.audit().list(new AuditLog.Query(userId, null, sample, null, null, null, after, PAGE));
                    at = 0;
                    ended = page.size() < PAGE;
                    if (!page.isEmpty()) after = page.get(page.size() - 1).seq();
                }
                return at < page.size() ? page.get(at) : null;
            }

            AuditLog.Entry take() {
                return page.get(at++);
            }
        }
    }

    static ObjectNode profile(User u) {
        ObjectNode n = JSON.createObjectNode();
        n.put("user_id", u.userId()).put("username", u.username()).put("nickname", u.nickname()).put("email", u.email())
                .put("phone", u.phone()).put("sex", u.sex()).put("birthday", u.birthday() == null ? null : u.birthday().toString())
                .put("avatar", u.avatar()).put("user_address", u.userAddress()).put("personnel_info_code", u.personnelInfoCode());
        return n;
    }

    /** The profile an archive gives, each field within what its column holds (the person makes the archive, and could forge it). */
    static User.Profile profileOf(JsonNode n) {
        String birthday = archivedText(n, "birthday", 10);
        java.time.LocalDate born = null;
        if (birthday != null) {
            try {
                born = java.time.LocalDate.parse(birthday);
            } catch (java.time.format.DateTimeParseException e) {
                throw new IllegalArgumentException("the profile's birthday is not a date");
            }
        }
        return new User.Profile(archivedText(n, "nickname", 100), archivedText(n, "email", 254), archivedText(n, "phone", 32),
                n.path("sex").isInt() ? n.get("sex").asInt() : null, born, archivedText(n, "avatar", 1000),
                archivedText(n, "user_address", 500), archivedText(n, "personnel_info_code", 64));
    }

    /** A text an archive gives, refused beyond {@code max} characters or with a character no column should hold. */
    static String archivedText(JsonNode n, String field, int max) {
        String t = textOrNull(n, field);
        if (t != null && (t.length() > max || t.chars().anyMatch(Character::isISOControl)
                || io.omix.server.common.http.ServerJson.hasLoneSurrogate(t))) {
            throw new IllegalArgumentException("the archive's " + field + " is longer than " + max + " characters or holds a control character");
        }
        return t;
    }

    static ObjectNode sampleJson(Sample s) {
        ObjectNode n = JSON.createObjectNode();
        n.put("biosample_id", s.biosampleId()).put("site", s.site()).put("organism", s.organism()).put("omic", s.omic())
                .put("status", s.status()).put("data_availability", s.dataAvailability()).put("is_primary", s.primary())
                .put("external_sample_id", s.externalSampleId()).put("external_sample_id_alt", s.externalSampleIdAlt())
                .put("namespace", s.namespace()).put("sample_collection_time", text(s.sampleCollectionTime()))
                .put("sample_time", text(s.sampleTime())).put("budget_execution_unit_id", s.budgetExecutionUnitId())
                .put("create_time", text(s.createTime())).put("update_time", text(s.updateTime()));
        ObjectNode groups = n.putObject("fields");
        s.groups().forEach(groups::set);
        ArrayNode projects = n.putArray("projects");
        for (Project p : s.projects()) {
            projects.addObject().put("project_id", p.projectId()).put("name", p.name()).put("omic", p.omic()).put("consortium", p.consortium())
                    .put("data_provider", p.dataProvider()).put("public_description", p.publicDescription());
        }
        return n;
    }

    static Sample sampleOf(JsonNode n) {
        java.util.Map<String, ObjectNode> groups = new java.util.LinkedHashMap<>();
        n.path("fields").fields().forEachRemaining(f -> {
            if (f.getValue().isObject()) groups.put(f.getKey(), (ObjectNode) f.getValue());
        });
        List<Project> projects = new java.util.ArrayList<>();
        for (JsonNode p : n.path("projects")) {
            projects.add(new Project(p.path("project_id").asText(), p.path("name").asText(), p.path("omic").asInt(), textOrNull(p, "consortium"),
                    textOrNull(p, "data_provider"), textOrNull(p, "public_description")));
        }
        return new Sample(n.path("biosample_id").asText(), n.path("site").asInt(), n.path("organism").asInt(), n.path("omic").asInt(),
                n.path("status").asInt(), n.path("data_availability").asBoolean(), n.path("is_primary").asBoolean(true),
                textOrNull(n, "external_sample_id"), textOrNull(n, "external_sample_id_alt"), textOrNull(n, "namespace"),
                time(n, "sample_collection_time"), time(n, "sample_time"), textOrNull(n, "budget_execution_unit_id"), groups,
                time(n, "create_time"), time(n, "update_time"), projects);
    }

    static String textOrNull(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** A time of an archive's sample: one every database and answer can hold (a forged archive is refused, naming it). */
    private static java.time.OffsetDateTime time(JsonNode n, String field) {
        String t = textOrNull(n, field);
        return t == null ? null : archivedTime("a sample's " + field, t, parsed -> parsed.getYear() >= 1 && parsed.getYear() <= 9999);
    }

    /**
     * A time an archive gives {@code what}, refused (naming it, its text shortened: the person makes the archive, and could
     * forge it) when it is none or not {@code inRange}.
     */
    static java.time.OffsetDateTime archivedTime(String what, String text, java.util.function.Predicate<java.time.OffsetDateTime> inRange) {
        String shown = text.length() > 40 ? text.substring(0, 40) + "…" : text;
        java.time.OffsetDateTime t;
        try {
            t = java.time.OffsetDateTime.parse(text);
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException(what + " is not a time: " + shown);
        }
        if (!inRange.test(t)) throw new IllegalArgumentException(what + " is out of range: " + shown);
        return t;
    }

    private static String text(java.time.OffsetDateTime t) {
        return t == null ? null : t.toString();
    }

    /** The archive's entries, each hashed and counted as it is written, for the manifest. */
    private static final class Entries {
        private final ZipOutputStream zip;
        private final ArrayNode list;

        Entries(ZipOutputStream zip, ArrayNode list) {
            this.zip = zip;
            this.list = list;
        }

        OutputStream open(String path) throws IOException {
            zip.putNextEntry(new ZipEntry(path));
            MessageDigest sha;
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            return new FilterOutputStream(zip) {
                long size;
                boolean closed;

                @Override
                public void write(int b) throws IOException {
                    zip.write(b);
                    sha.update((byte) b);
                    size++;
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    zip.write(b, off, len);
                    sha.update(b, off, len);
                    size += len;
                }

                @Override
                public void close() throws IOException {
                    if (closed) return; // Jackson closes what it wrote to, and so does try-with-resources
                    closed = true;
                    zip.closeEntry();
                    list.addObject().put("path", path).put("size", size).put("sha256", HexFormat.of().formatHex(sha.digest()));
                }
            };
        }
    }

    /** Lets the zip finish without closing the caller's stream. */
    private static final class NonClosing extends FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
