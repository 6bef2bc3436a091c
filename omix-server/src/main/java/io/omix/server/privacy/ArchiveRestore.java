package io.omix.server.privacy;

import com.fasterxml.jackson.databind.JsonNode;
import io.omix.server.Platform;
import io.omix.server.common.db.Jdbc;
import io.omix.server.common.http.ServerJson;
import io.omix.server.common.time.PartialTime;
import io.omix.server.files.FileStore;
import io.omix.server.files.ObjectStore;
import io.omix.server.microbiome.ProfileImporter;
import io.omix.server.samples.Sample;
import io.omix.server.samples.SampleStore;
import io.omix.server.streams.Observations;
import io.omix.server.streams.StreamStore;
import io.omix.server.users.User;
import io.omix.server.users.UserStore;
import io.omix.server.variants.VcfImporter;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Puts an export ({@link ExportArchive}) back on a server, for an account the operator created:
 * the profile, each sample under its own id with its projects, its variant calls, microbiome
 * profiles and stream records (through the same importers as {@code omix admin import-vcf} and
 * {@code import-microbiome}), and the files. Consent grants and the audit entries stay behind: they
 * describe applications and events of the server the export came from.
 * <p>The whole archive is checked against its manifest, and every sample and file name against this
 * server, before anything is written.
 */
public final class ArchiveRestore {
    /** What a restore wrote. */
    public record Restored(String userId, List<String> samples, long calls, int profiles, long observations, int files) {}

    /**
     * When an archived import was made, checked before anything is written: a time, not in the future and
     * not before 1970 (an import's time in an answer; a year far out of range broke every read of it).
     */
    static java.time.OffsetDateTime importedAt(String text, java.time.Instant now) {
        if (text == null) return null;
        return ExportArchive.archivedTime("a variant import's imported_at", text,
                t -> !t.toInstant().isBefore(java.time.Instant.EPOCH) && !t.toInstant().isAfter(now.plus(java.time.Duration.ofDays(1))));
    }

    private static final int WRITE_BATCH = 500;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ArchiveRestore.class);
    private final Platform platform;

    public ArchiveRestore(Platform platform) {
        this.platform = platform;
    }

    public Restored restore(Path archive, String username) throws IOException {
        UserStore users = new UserStore(platform);
        User found = users.findByUsername(username)
                .orElseThrow(() -> new IllegalArgumentException("no user " + username + ": create it first (omix admin user create)"));
        // Held for the whole restore: its journal row's lock says it runs (RESTORES).
        try (java.sql.Connection holding = platform.database().dataSource().getConnection()) {
            holding.setAutoCommit(false);
            try {
                undoInterrupted(holding, found.userId());
            } catch (java.sql.SQLException running) {
                if (!lockTaken(running)) throw running;
                throw underWay(username);
            }
            User user = users.findById(found.userId()).orElseThrow(() -> new IllegalArgumentException("no user " + username));
            return restore(archive, user, holding);
        } catch (java.sql.SQLException e) {
            throw new Jdbc.DataAccessException(e);
        }
    }

    private Restored restore(Path archive, User user, java.sql.Connection holding) throws IOException, java.sql.SQLException {
        UserStore users = new UserStore(platform);
        try (ZipFile zip = new ZipFile(archive.toFile())) {
            JsonNode manifest = json(zip, "manifest.json");
            if (!ExportArchive.FORMAT.equals(manifest.path("format").asText()) || manifest.path("version").asInt() != ExportArchive.VERSION) {
                throw new IllegalArgumentException("not an Omix export of version " + ExportArchive.VERSION);
            }
            verified = verify(zip, manifest);
            List<Sample> samples = new ArrayList<>();
            // Each sample's view: its row (read back as a Sample) and which entries hold its data.
            Map<String, JsonNode> views = new LinkedHashMap<>();
            // What each sample's variant import will say about its calls, held to the API's limits before anything is written.
            Map<String, VcfImporter.Options> variantOptions = new LinkedHashMap<>();
            Map<String, java.time.OffsetDateTime> importedAt = new java.util.HashMap<>();
            for (JsonNode id : manifest.path("samples")) {
                JsonNode view = json(zip, "samples/" + id.asText() + "/sample.json");
                samples.add(ExportArchive.sampleOf(view));
                String biosampleId = samples.get(samples.size() - 1).biosampleId();
                // Ids as this platform makes them, or the erasure's searches for them (kept answers, tasks) could miss them.
                if (!io.omix.server.samples.SampleAccess.isBiosampleId(biosampleId)) {
                    throw new IllegalArgumentException("the archive names a sample id this platform never made: " + biosampleId);
                }
                String entityId = ExportArchive.textOrNull(view, "entity_id");
                if (entityId != null && !entityId.matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")) {
                    throw new IllegalArgumentException("the archive names a stream entity id this platform never made: " + entityId);
                }
                views.put(biosampleId, view);
                JsonNode v = view.path("variants");
                if (v.isObject()) {
                    variantOptions.put(biosampleId, new VcfImporter.Options(ExportArchive.textOrNull(v, "assembly"),
                            v.path("dbsnp_build").isInt() ? v.get("dbsnp_build").asInt() : null, ExportArchive.textOrNull(v, "pipeline_version"), null));
                    importedAt.put(biosampleId, importedAt(ExportArchive.textOrNull(v, "imported_at"), platform.clock().instant()));
                }
            }
            SampleStore sampleStore = new SampleStore(platform);
            java.util.Set<String> sampleIds = new java.util.HashSet<>();
            for (Sample s : samples) {
                if (!sampleIds.add(s.biosampleId())) throw new IllegalArgumentException("the archive lists sample " + s.biosampleId() + " twice");
                if (sampleStore.find(s.biosampleId()).isPresent()) throw new IllegalArgumentException("sample " + s.biosampleId() + " exists already on this server");
                SampleStore.restorableGroups(s); // the registration's checks, before anything is written
            }
            Jdbc jdbc = platform.database().jdbc();
            java.util.Set<String> fileNames = new java.util.HashSet<>();
            for (JsonNode f : manifest.path("files")) {
                String name = objectName(f.path("object_name").asText());
                if (!fileNames.add(name)) throw new IllegalArgumentException("the archive lists file " + name + " twice");
                if (jdbc.queryOne("SELECT 1 FROM file_objects WHERE object_name = ?", rs -> 1, name).isPresent()) {
                    throw new IllegalArgumentException("file " + name + " exists already on this server");
                }
            }
            User.Profile before = new User.Profile(user.nickname(), user.email(), user.phone(), user.sex(), user.birthday(), user.avatar(),
                    user.userAddress(), user.personnelInfoCode());
            // What it will write, committed before it writes anything (and only once nothing of it is here: an undo erases what
            // the row names), then held.
            boolean optedOutBefore = users.beaconOptOut(user.userId());
            try {
                Jdbc.update(holding, "INSERT INTO archive_restores (user_id, samples, files, profile, started_at) VALUES (?, ?, ?, ?, ?)", user.userId(),
                        String.join(" ", sampleIds), String.join("\n", fileNames),
                        ExportArchive.profile(user).put("beacon_opt_out", optedOutBefore).toString(), platform.now());
                holding.commit();
                // Taken over and removed in the moment between (another restore of the person): nothing is written here.
                if (Jdbc.query(holding, "SELECT 1 FROM archive_restores WHERE user_id = ? FOR UPDATE", rs -> 1, user.userId()).isEmpty()) {
                    throw new java.sql.SQLException("taken over", "55P03");
                }
            } catch (java.sql.SQLException taken) {
                holding.rollback();
                if (!Jdbc.isIntegrityViolation(taken) && !lockTaken(taken)) throw taken;
                throw underWay(user.username());
            }
            List<String> restoredSamples = new ArrayList<>();
            List<String> restoredFiles = new ArrayList<>();
            try {
                Restored restored = write(zip, manifest, user, samples, views, variantOptions, importedAt, restoredSamples, restoredFiles);
                endJournal(holding, user.userId());
                return restored;
            } catch (IOException | RuntimeException e) {
                // All or nothing: what this restore wrote goes again (an archive's bad entry is found only as it is read).
                undo(restoredSamples, restoredFiles, user.userId(), before, optedOutBefore);
                endJournal(holding, user.userId());
                throw e;
            }
        }
    }

    /** The restore's journal row goes, and with it the lock {@code holding} had on it. */
    private static void endJournal(java.sql.Connection holding, String userId) throws java.sql.SQLException {
        Jdbc.update(holding, "DELETE FROM archive_restores WHERE user_id = ?", userId);
        holding.commit();
    }

    private static IllegalArgumentException underWay(String username) {
        return new IllegalArgumentException("a restore for " + username + " is under way (another omix process): retry once it is done");
    }

    /** Whether {@code e} says a row is locked by another transaction (PostgreSQL's lock_not_available, H2's lock timeout). */
    private static boolean lockTaken(java.sql.SQLException e) {
        return "55P03".equals(e.getSQLState()) || "HYT00".equals(e.getSQLState()) || e.getErrorCode() == 50200;
    }

    /**
     * Takes back what a restore wrote: its samples (erased as the person's: one bound to someone else as well since is only
     * let go, one that is someone else's is left), its files (those recorded as the person's), and the person's profile
     * and Beacon choice as they were.
     */
    private void undo(java.util.Collection<String> samples, java.util.Collection<String> files, String userId, User.Profile before, boolean optedOut) {
        Jdbc jdbc = platform.database().jdbc();
        io.omix.server.privacy.Erasure erasure = new io.omix.server.privacy.Erasure(platform);
        for (String id : samples) erasure.eraseSampleOf(userId, id);
        for (String name : files) {
            if (jdbc.update("DELETE FROM file_objects WHERE object_name = ? AND owner = ?", name, "user:" + userId) == 0) continue;
            try {
                platform.objects().delete(name);
            } catch (IOException gone) {
                // housekeeping removes unreferenced objects
            }
        }
        UserStore users = new UserStore(platform);
        users.replaceProfile(userId, before);
        users.setBeaconOptOut(userId, optedOut);
    }

    /**
     * Undoes the restore of {@code userId} that a killed process left half-done, if any (its journal row, not held by a
     * running restore), on {@code holding}: everything its archive was to write that is here goes, and the profile is as
     * it was. Throws when a running restore holds the row. Leaves {@code holding} with nothing open.
     */
    private boolean undoInterrupted(java.sql.Connection holding, String userId) throws java.sql.SQLException {
        List<String[]> rows = Jdbc.query(holding, "SELECT samples, files, profile FROM archive_restores WHERE user_id = ? FOR UPDATE NOWAIT",
                rs -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3)}, userId);
        if (rows.isEmpty()) {
            holding.commit();
            return false;
        }
        if (new UserStore(platform).findById(userId).isEmpty()) {
            // The person was erased since: nothing of theirs is left to take back, and their old profile goes with the row.
            endJournal(holding, userId);
            return true;
        }
        String[] row = rows.get(0);
        // Erased when here: the row was made only once none of them was (what it names that is here, the restore wrote).
        List<String> samples = row[0].isEmpty() ? List.of() : List.of(row[0].split(" "));
        List<String> files = row[1].isEmpty() ? List.of() : List.of(row[1].split("\n"));
        SampleStore sampleStore = new SampleStore(platform);
        List<String> present = samples.stream().filter(id -> sampleStore.find(id).isPresent()).toList();
        User.Profile before;
        boolean optedOut;
        try {
            JsonNode profile = ServerJson.MAPPER.readTree(row[2]);
            before = ExportArchive.profileOf(profile);
            optedOut = profile.path("beacon_opt_out").asBoolean(false);
        } catch (IOException e) {
            throw new IllegalStateException("an interrupted restore's journal is unreadable", e);
        }
        undo(present, files, userId, before, optedOut);
        endJournal(holding, userId);
        LOG.warn("undid the restore for user {} that was stopped half-way: {} samples and {} files taken back", userId, present.size(), files.size());
        return true;
    }

    /**
     * Housekeeping: the restores left half-done by a killed process (their journal rows, held by no running restore, older
     * than a minute) are undone, so that what they wrote is not left visible until the operator runs them again. The rows
     * undone.
     */
    public static long undoInterruptedRestores(Platform platform, java.time.OffsetDateTime now) {
        ArchiveRestore restores = new ArchiveRestore(platform);
        long undone = 0;
        for (String userId : platform.database().jdbc().query("SELECT user_id FROM archive_restores WHERE started_at < ? ORDER BY user_id",
                rs -> rs.getString(1), now.minusMinutes(1))) {
            try (java.sql.Connection holding = platform.database().dataSource().getConnection()) {
                holding.setAutoCommit(false);
                if (restores.undoInterrupted(holding, userId)) undone++;
            } catch (java.sql.SQLException running) {
                if (!lockTaken(running)) LOG.warn("an interrupted restore for user {} not undone yet: {}", userId, running.toString());
                // else held: the restore runs still
            } catch (RuntimeException e) {
                // One that cannot be undone now holds up no other: tried again at the next run.
                LOG.warn("an interrupted restore for user {} not undone yet: {}", userId, e.toString());
            }
        }
        return undone;
    }

    private Restored write(ZipFile zip, JsonNode manifest, User user, List<Sample> samples, Map<String, JsonNode> views,
                           Map<String, VcfImporter.Options> variantOptions, Map<String, java.time.OffsetDateTime> importedAt,
                           List<String> restoredSamples, List<String> restoredFiles) throws IOException {
        UserStore users = new UserStore(platform);
        SampleStore sampleStore = new SampleStore(platform);
        Jdbc jdbc = platform.database().jdbc();
        JsonNode profile = json(zip, "user.json");
        users.updateProfile(user.userId(), ExportArchive.profileOf(profile));
        // The person's objection to the Beacon moves with their data, before any of it is here (a choice made on this
        // server already stays).
        if (profile.path("beacon_opt_out").asBoolean(false)) users.setBeaconOptOut(user.userId(), true);
        long calls = 0;
        int profiles = 0;
        ProfileImporter importer = new ProfileImporter(platform);
        long observations = 0;
        for (Sample s : samples) {
            sampleStore.restore(s, user.userId());
            restoredSamples.add(s.biosampleId());
            JsonNode view = views.get(s.biosampleId());
            JsonNode v = view.path("variants");
            if (v.isObject()) {
                VcfImporter.Result imported;
                try (InputStream in = verifiedEntry(zip, v.path("file").asText())) {
                    imported = new VcfImporter(platform).importVcf(s.biosampleId(), in, variantOptions.get(s.biosampleId()));
                }
                calls += imported.imported();
                // The calls are as old as they were: answers show when they were imported.
                if (importedAt.get(s.biosampleId()) != null) {
                    jdbc.update("UPDATE variant_sources SET imported_at = ? WHERE source_id = ?", importedAt.get(s.biosampleId()), imported.sourceId());
                }
            }
            for (JsonNode p : view.path("microbiome")) {
                try (InputStream in = verifiedEntry(zip, p.path("file").asText())) {
                    String software = ExportArchive.archivedText(p, "software", 100);
                    String catalog = ExportArchive.textOrNull(p, "catalog");
                    switch (p.path("kind").asText()) {
                        case "taxon" -> importer.importTaxa(s.biosampleId(), in, software);
                        case "func" -> importer.importFunctions(s.biosampleId(), catalog, in, software);
                        case "gene" -> importer.importGenes(s.biosampleId(), catalog, in, software);
                        default -> throw new IllegalArgumentException("unknown profile kind " + p.path("kind").asText());
                    }
                    profiles++;
                }
            }
            // The stream entity keeps its id (answers and partner apps name it) unless this server uses it already.
            String entity = ExportArchive.textOrNull(view, "entity_id");
            if (entity != null && jdbc.queryOne("SELECT 1 FROM sample_entities WHERE entity_id = ?", rs -> 1, entity).isEmpty()) {
                jdbc.update("INSERT INTO sample_entities (biosample_id, entity_id) VALUES (?, ?)", s.biosampleId(), entity);
            }
            JsonNode o = view.path("observations");
            if (o.isObject()) observations += observations(zip, o.path("file").asText(), s.biosampleId());
        }
        int files = 0;
        for (JsonNode f : manifest.path("files")) {
            String name = objectName(f.path("object_name").asText());
            String file = f.path("file").asText();
            ObjectStore.Stored stored;
            restoredFiles.add(name);
            try (InputStream in = verifiedEntry(zip, file)) {
                stored = platform.objects().put(name, in, platform.config().fileMaxBytes(), verified.get(file).sha256());
            }
            jdbc.inTransaction(tx -> {
                FileStore.recordObject(tx, name, "user:" + user.userId(), stored, platform.now());
                return null;
            });
            files++;
        }
        return new Restored(user.userId(), samples.stream().map(Sample::biosampleId).toList(), calls, profiles, observations, files);
    }

    /** Every entry the manifest lists is there with its size and SHA-256; answers them by path. */
    private static Map<String, Verified> verify(ZipFile zip, JsonNode manifest) throws IOException {
        Map<String, Verified> found = new LinkedHashMap<>();
        for (JsonNode e : manifest.path("entries")) {
            String path = e.path("path").asText();
            // Each entry read once, and no further than the size the manifest gives it (itself bounded): a bomb is found
            // at its first byte too many.
            if (found.containsKey(path)) throw new IllegalArgumentException("the archive's manifest lists " + path + " twice");
            long declared = e.path("size").asLong(-1);
            if (declared < 0 || declared > MAX_ENTRY_BYTES) throw new IllegalArgumentException("the archive's manifest gives " + path + " an impossible size");
            MessageDigest digest;
            try {
                digest = MessageDigest.getInstance("SHA-256");
            } catch (java.security.NoSuchAlgorithmException ex) {
                throw new IllegalStateException(ex);
            }
            long size = 0;
            try (InputStream in = entry(zip, path)) {
                byte[] buffer = new byte[1 << 16];
                for (int n; size <= declared && (n = in.read(buffer)) > 0; size += n) digest.update(buffer, 0, n);
            }
            String actual = HexFormat.of().formatHex(digest.digest());
            if (size != declared || !actual.equals(e.path("sha256").asText())) {
                throw new IllegalArgumentException("the archive is damaged: " + path + " does not match its manifest");
            }
            found.put(path, new Verified(actual, size));
        }
        return found;
    }

    private long observations(ZipFile zip, String file, String biosampleId) throws IOException {
        StreamStore streams = new StreamStore(platform);
        String entity = streams.entityOf(biosampleId);
        long written = 0;
        // Records go back in batches of one namespace and one duplicate setting, as the write API takes them.
        Map<String, List<StreamStore.NewRecord>> pending = new LinkedHashMap<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(verifiedEntry(zip, file), StandardCharsets.UTF_8))) {
            int n = 0;
            for (String line; (line = boundedLine(lines, file, n + 1)) != null; ) {
                n++;
                if (line.isBlank()) continue;
                JsonNode observation = storable(ServerJson.MAPPER.readTree(line), file + " line " + n);
                // The open platform's records come back; those a partner of the old server wrote stay in the archive: its
                // namespace names nobody here, or another partner whose name it happens to share (names clash). Left before
                // they are read: a partner's record this server would not take must not refuse the person's restore.
                if (!StreamStore.OPEN_PLATFORM.equals(Observations.namespaceOf(observation))) continue;
                Observations.Restorable r = Observations.restorable(observation);
                // And as the record is read: the namespace it would be written in (an archive naming two must not pass the
                // look above with one and be written in the other).
                if (!StreamStore.OPEN_PLATFORM.equals(r.namespace())) continue;
                // Into this server's catalog as it is: an archive adds no data element (the catalog is everyone's, and a
                // FHIR write picks its element by code from it).
                if (streams.element(r.element().id()).isEmpty()) {
                    throw new IllegalArgumentException(file + " line " + n + ": data element " + r.element().id() + " (" + shortened(r.element().name())
                            + ") is not in this server's catalog");
                }
                PartialTime time;
                try {
                    time = PartialTime.parse(r.generateTime());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(file + " line " + n + ": generateTime " + e.getMessage());
                }
                String key = (r.duplicate() ? "1" : "0") + r.namespace();
                List<StreamStore.NewRecord> batch = pending.computeIfAbsent(key, k -> new ArrayList<>());
                // An archive made before V42 holds payloads with their writers' references: they come back without them.
                JsonNode data = Observations.writtenWithItsSubject(r.data()) ? Observations.withoutReferences(r.data()) : r.data();
                batch.add(new StreamStore.NewRecord(entity, r.element().id(), time, data));
                if (batch.size() >= WRITE_BATCH) written += flush(streams, key, pending.remove(key));
            }
        }
        for (Map.Entry<String, List<StreamStore.NewRecord>> e : pending.entrySet()) written += flush(streams, e.getKey(), e.getValue());
        return written;
    }

    /** The longest NDJSON line read back: a record's data at its limit, escaped, with its Observation around it. */
    static final int MAX_LINE_CHARS = 8 << 20;
    /** The most an entry of an archive may inflate to (its files also within files.max-object-bytes). */
    static final long MAX_ENTRY_BYTES = 64L << 30;
    static final long MAX_JSON_ENTRY_BYTES = 16L << 20;

    private static String shortened(String text) {
        return text == null ? "" : text.length() > 80 ? text.substring(0, 80) + "…" : text;
    }

    private static int flush(StreamStore streams, String key, List<StreamStore.NewRecord> batch) {
        for (StreamStore.Written w : streams.write(key.substring(1), batch, key.charAt(0) == '1')) {
            if (w.problem() != null) throw new IllegalArgumentException("a stream record could not be written back: " + w.problem());
        }
        return batch.size();
    }

    /**
     * An object name fit for this server's store, and one of a person's uploads (under an upload destination,
     * {@code DUS-…/}): an archive puts back the person's files, never a name the platform gives its own (a sample's gene
     * tables, an export) nor one outside the store.
     */
    private static String objectName(String name) {
        if (!io.omix.server.files.ObjectNames.acceptable(name) || !UPLOADED.matcher(name).matches()) {
            throw new IllegalArgumentException("the archive names a file this server cannot store: " + shortened(name));
        }
        return name;
    }

    /** A person's upload: {@code DUS-<11 digits>-<40 letters and digits>/<date>TZ-<32 hex>/<file>}, as /sts/token gives destinations. */
    private static final java.util.regex.Pattern UPLOADED = java.util.regex.Pattern.compile("DUS-[0-9]{11}-[A-Za-z0-9]{40}/[0-9]{8}TZ-[0-9a-f]{32}/[^/]+");

    /** An entry the manifest lists, as {@link #verify} found it. */
    private record Verified(String sha256, long size) {}

    /** The entries the manifest lists, by path, as verified ({@link #verify}): the only entries a restore reads. */
    private Map<String, Verified> verified;

    /**
     * An entry the manifest lists and {@link #verify} checked, read no further than its size there: an entry the
     * manifest does not list (unchecked, of any size) is refused.
     */
    private InputStream verifiedEntry(ZipFile zip, String path) throws IOException {
        Verified entry = verified.get(path);
        if (entry == null) throw new IllegalArgumentException("the archive reads " + shortened(path) + ", which its manifest does not list");
        InputStream in = entry(zip, path);
        return new java.io.FilterInputStream(in) {
            private long left = entry.size();

            @Override
            public int read() throws IOException {
                if (left <= 0) return past();
                int b = super.read();
                if (b >= 0) left--;
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) return 0;
                if (left <= 0) return past();
                int n = super.read(b, off, (int) Math.min(len, left));
                if (n > 0) left -= n;
                return n;
            }

            private int past() throws IOException {
                if (super.read() >= 0) throw new IllegalArgumentException("the archive is damaged: " + shortened(path) + " is longer than its manifest says");
                return -1;
            }
        };
    }

    /** The next line of {@code in} (null at the end), refused beyond {@link #MAX_LINE_CHARS} before it is held whole. */
    private static String boundedLine(BufferedReader in, String file, int number) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c; (c = in.read()) >= 0; ) {
            if (c == '\n') return line.toString();
            if (line.length() >= MAX_LINE_CHARS) throw new IllegalArgumentException(file + " line " + number + ": longer than any record this server stores");
            line.append((char) c);
        }
        return line.length() == 0 ? null : line.toString();
    }

    private static InputStream entry(ZipFile zip, String path) throws IOException {
        ZipEntry e = zip.getEntry(path);
        if (e == null) throw new IllegalArgumentException("the archive lacks " + path);
        return zip.getInputStream(e);
    }

    private static JsonNode json(ZipFile zip, String path) throws IOException {
        try (InputStream in = entry(zip, path)) {
            byte[] text = in.readNBytes((int) MAX_JSON_ENTRY_BYTES + 1);
            if (text.length > MAX_JSON_ENTRY_BYTES) throw new IllegalArgumentException(path + " is larger than any this server writes");
            return storable(ServerJson.MAPPER.readTree(text), path);
        }
    }

    /** {@code node} read from the archive at {@code where}, refused as the write API refuses it when it holds text no UTF-8 stores. */
    private static JsonNode storable(JsonNode node, String where) {
        if (ServerJson.holdsLoneSurrogate(node)) throw new IllegalArgumentException(where + ": a text holds half of a surrogate pair");
        return node;
    }
}
