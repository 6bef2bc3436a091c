package io.omix.server.privacy;

import io.omix.server.Platform;
import io.omix.server.common.db.Jdbc;
import io.omix.server.microbiome.ProfileImporter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The right to be forgotten: a sample, or a whole account, and everything derived from it, gone from
 * every table and from the object store. What stays is that it happened: an audit entry naming who
 * erased which ids (ids only; the audit trail never held the data itself).
 * <p>Rows go in one transaction, so an erasure is whole or not at all; objects go after it commits
 * (an object whose delete fails is left to housekeeping, which removes objects no file refers to).
 */
public final class Erasure {
    private static final Logger LOG = LoggerFactory.getLogger(Erasure.class);

    /** What an erasure removed. */
    public record Erased(String userId, List<String> samples, int files) {}

    private final Platform platform;
    private final Jdbc jdbc;

    public Erasure(Platform platform) {
        this.platform = platform;
        this.jdbc = platform.database().jdbc();
    }

    /** Erases one sample and everything derived from it; false when there is no such sample. */
    public boolean eraseSample(String biosampleId) {
        List<String> objects = new ArrayList<>();
        boolean erased = jdbc.inTransaction(c -> {
            if (Jdbc.query(c, "SELECT 1 FROM samples WHERE biosample_id = ? FOR UPDATE", rs -> 1, biosampleId).isEmpty()) return false;
            objects.addAll(objectsOf(c, biosampleId));
            eraseSample(c, biosampleId, platform.now());
            return true;
        });
        for (String name : objects) platform.objects().deleteQuietly(name);
        return erased;
    }

    /** What a person's erasure of one of their samples did. */
    public enum PersonsSample { ERASED, UNBOUND, NOT_THEIRS }

    /**
     * A person erases one of their samples: erased with everything derived from it when bound to them alone; when it is
     * shared with other people, only unbound from this one (the others' data is theirs to take back, as an account
     * erasure treats it). The sample's bindings are locked, so a binding made meanwhile is seen.
     */
    public PersonsSample eraseSampleOf(String userId, String biosampleId) {
        List<String> objects = new ArrayList<>();
        PersonsSample outcome = jdbc.inTransaction(c -> {
            if (Jdbc.query(c, "SELECT 1 FROM samples WHERE biosample_id = ? FOR UPDATE", rs -> 1, biosampleId).isEmpty()) return PersonsSample.NOT_THEIRS;
            List<String> bound = Jdbc.query(c, "SELECT user_id FROM sample_users WHERE biosample_id = ? ORDER BY user_id FOR UPDATE",
                    rs -> rs.getString(1), biosampleId);
            if (!bound.contains(userId)) return PersonsSample.NOT_THEIRS;
            if (bound.size() > 1) {
                // An application's access to the sample it registered on this person's behalf goes with them.
                io.omix.server.samples.SampleStore.dropClientAccess(c, "biosample_id = ? AND for_user = ?", biosampleId, userId);
                io.omix.server.samples.SampleStore.forgetPersonsAnswersNaming(c, userId, biosampleId);
                Jdbc.update(c, "DELETE FROM sample_users WHERE biosample_id = ? AND user_id = ?", biosampleId, userId);
                objects.addAll(dropArchivesOf(c, userId));   // they asked for the sample to go: their archives held it
                return PersonsSample.UNBOUND;
            }
            objects.addAll(objectsOf(c, biosampleId));
            eraseSample(c, biosampleId, platform.now());
            return PersonsSample.ERASED;
        });
        for (String name : objects) platform.objects().deleteQuietly(name);
        return outcome;
    }

    /**
     * The objects that go with a sample, to delete once its erasure commits: those made from its data (its gene tables,
     * whose rows go with the sample) and the export archives of the people bound to it, which hold it as it was (their
     * rows removed here; the person exports again).
     */
    static List<String> objectsOf(Connection c, String biosampleId) throws SQLException {
        List<String> names = new ArrayList<>(Jdbc.query(c, "SELECT " + io.omix.server.files.FileStore.KEY + " FROM file_objects WHERE owner = ?", rs -> rs.getString(1),
                "sample:" + biosampleId));
        for (String userId : Jdbc.query(c, "SELECT user_id FROM sample_users WHERE biosample_id = ?", rs -> rs.getString(1), biosampleId)) {
            names.addAll(dropArchivesOf(c, userId));
        }
        return names;
    }

    /** Removes the rows of a person's export archives and names their objects (to delete after the commit). */
    static List<String> dropArchivesOf(Connection c, String userId) throws SQLException {
        String like = Jdbc.likeEscaped(ExportArchive.OBJECT_PREFIX + userId + "/") + "%";
        List<String> names = Jdbc.query(c, "SELECT " + io.omix.server.files.FileStore.KEY + " FROM file_objects WHERE owner = ? AND object_name LIKE ? ESCAPE '\\'",
                rs -> rs.getString(1), "user:" + userId, like);
        if (!names.isEmpty()) {
            Jdbc.update(c, "DELETE FROM file_objects WHERE owner = ? AND object_name LIKE ? ESCAPE '\\'", "user:" + userId, like);
        }
        return names;
    }

    /**
     * Erases an account: every sample bound to this person alone (a sample shared with another person
     * is unbound from this one), their files and uploads, tokens, codes, consents, sessions, sign-in
     * counters, and the user. Applications the person registered stay, without their owner.
     */
    public java.util.Optional<Erased> eraseUser(String userId) {
        List<String[]> objects = new ArrayList<>();
        java.util.Optional<Erased> erased = jdbc.inTransaction(c -> {
            List<String> usernames = Jdbc.query(c, "SELECT username FROM users WHERE user_id = ? FOR UPDATE", rs -> rs.getString(1), userId);
            if (usernames.isEmpty()) return java.util.Optional.<Erased>empty();
            forgetDeliveriesNaming(c, userId);
            // Applications that held a grant hear of it (they must erase their copies), read before the grants go.
            io.omix.server.webhooks.WebhookEvents.publishForGrantHolders(c, platform.now(), userId, io.omix.server.webhooks.WebhookEvents.USER_ERASED,
                    java.util.Map.of("user_id", userId));
            List<String> samples = new ArrayList<>();
            // Every sample of the person first, in id order: the order an import of batch items, an export or a kept answer
            // holds them (one at a time, or sorted), so that erasing two samples never waits on one of those in a circle.
            Jdbc.query(c, "SELECT biosample_id FROM samples WHERE biosample_id IN (SELECT biosample_id FROM sample_users WHERE user_id = ?)"
                    + " ORDER BY biosample_id FOR UPDATE", rs -> rs.getString(1), userId);
            // Every stream entity of the person's samples locked first, in entity order (the order a stream write takes them,
            // StreamStore.holdSeries), so that a write touching two of them and this erasure never wait on each other in a circle.
            Jdbc.query(c, "SELECT e.entity_id FROM sample_entities e JOIN sample_users u ON u.biosample_id = e.biosample_id WHERE u.user_id = ?"
                    + " ORDER BY e.entity_id", rs -> rs.getString(1), userId).forEach(entity -> lockEntity(c, entity));
            for (String s : Jdbc.query(c, "SELECT biosample_id FROM sample_users WHERE user_id = ?", rs -> rs.getString(1), userId)) {
                long others = Jdbc.query(c, "SELECT COUNT(*) FROM sample_users WHERE biosample_id = ? AND user_id <> ?", rs -> rs.getLong(1), s, userId).get(0);
                if (others == 0) {
                    for (String name : objectsOf(c, s)) objects.add(new String[] {"object", name});
                    eraseSample(c, s, platform.now());
                    samples.add(s);
                } else {
                    Jdbc.update(c, "DELETE FROM sample_users WHERE biosample_id = ? AND user_id = ?", s, userId);
                }
            }
            // An application's access to a shared sample it registered on the person's behalf names them: it goes too.
            io.omix.server.samples.SampleStore.dropClientAccess(c, "for_user = ?", userId);
            String owner = "user:" + userId;
            // In the order a token issue and a code replay take these rows (consent, code, tokens), so none waits on another
            // in a circle; tokens before upload credentials, the order a write recording an upload holds them in (FileStore).
            Jdbc.update(c, "DELETE FROM oauth_consents WHERE user_id = ?", userId);
            Jdbc.update(c, "DELETE FROM oauth_codes WHERE user_id = ?", userId);
            Jdbc.update(c, "DELETE FROM oauth_tokens WHERE user_id = ?", userId);
            Jdbc.update(c, "DELETE FROM user_sessions WHERE user_id = ?", userId);
            // Upload credentials next: a write holding them until it is recorded (FileStore) is then either listed below, or
            // finds them gone and records nothing.
            Jdbc.update(c, "DELETE FROM upload_credentials WHERE user_id = ? OR owner = ?", userId, owner);
            // The owner's lock before the files, the order uploads and a file's deletion hold them in (FileStore): taken after
            // the files, a deletion holding the lock and waiting for its file's row closed a circle with this.
            Jdbc.query(c, "SELECT owner FROM owner_locks WHERE owner = ? FOR UPDATE", rs -> 1, owner);
            for (String name : Jdbc.query(c, "SELECT " + io.omix.server.files.FileStore.KEY + " FROM file_objects WHERE owner = ?", rs -> rs.getString(1), owner)) {
                objects.add(new String[] {"object", name});
            }
            for (String upload : Jdbc.query(c, "SELECT upload_id FROM multipart_uploads WHERE owner = ?", rs -> rs.getString(1), owner)) {
                objects.add(new String[] {"upload", upload});
            }
            Jdbc.update(c, "DELETE FROM file_objects WHERE owner = ?", owner);
            Jdbc.update(c, "DELETE FROM owner_locks WHERE owner = ?", owner);   // its quota lock names the person
            Jdbc.update(c, "DELETE FROM multipart_uploads WHERE owner = ?", owner);
            // What the person did through applications is theirs too: the models they deployed (owner client:<client>:user:<person>),
            // which go with their versions and the versions' copies of their packages (each server then sweeps their unpacked code),
            // and the tasks they queued. Models first: a deploy holds its model, then its task's row.
            String throughApps = Jdbc.likeEscaped("client:") + "%" + Jdbc.likeEscaped(":user:" + userId);
            for (String model : Jdbc.query(c, "SELECT model_id FROM models WHERE owner LIKE ? ESCAPE '\\' ORDER BY model_id FOR UPDATE",
                    rs -> rs.getString(1), throughApps)) {
                for (String key : Jdbc.query(c, "SELECT package_key FROM model_versions WHERE model_id = ? AND package_key IS NOT NULL",
                        rs -> rs.getString(1), model)) {
                    objects.add(new String[] {"package", key}); // the versions' own copies of their packages (not the person's files)
                }
                Jdbc.update(c, "DELETE FROM model_versions WHERE model_id = ?", model);
                Jdbc.update(c, "DELETE FROM models WHERE model_id = ?", model);
            }
            forgetDeliveriesAboutTasks(c, "owner = ? OR owner LIKE ? ESCAPE '\\'", owner, throughApps);
            Jdbc.update(c, "DELETE FROM tasks WHERE owner = ?", owner);
            Jdbc.update(c, "DELETE FROM tasks WHERE owner LIKE ? ESCAPE '\\'", throughApps);
            // Answers kept for retries of the person's own writes (their ids and data are in them).
            Jdbc.update(c, "DELETE FROM idempotency_keys WHERE owner LIKE ?", "user:" + userId + "/%");
            forgetAnswersNaming(c, userId); // others' answers naming the person (an operator's, say)
            // This minute's count of the person's calls (the rate limit keys it by their id).
            Jdbc.update(c, "DELETE FROM rate_windows WHERE limit_key = ?", "user:" + userId);
            // The console's calls and Beacon probes, keyed by its client id, which names the person (console:<person>).
            String console = io.omix.server.common.auth.Caller.CONSOLE_CLIENT_PREFIX + userId;
            Jdbc.update(c, "DELETE FROM rate_windows WHERE limit_key IN (?, ?)", "client:" + console, "beacon:application:" + console);
            // And the Beacon's count of their probes through each application (keyed client:<client>:user:<person>).
            Jdbc.update(c, "DELETE FROM rate_windows WHERE limit_key LIKE ? ESCAPE '\\'",
                    Jdbc.likeEscaped("beacon:client:") + "%" + Jdbc.likeEscaped(":user:" + userId));
            // The sign-in throttle's rows that name the account (its username) over all sources, by source, and its known sources.
            java.util.List<Object> keys = io.omix.server.users.LoginThrottle.accountKeys(usernames.get(0));
            Jdbc.update(c, "DELETE FROM login_failures WHERE username = ? OR username LIKE ? ESCAPE '\\' OR username LIKE ? ESCAPE '\\'",
                    keys.toArray());
            Jdbc.update(c, "UPDATE oauth_clients SET owner_user_id = NULL WHERE owner_user_id = ?", userId);
            Jdbc.update(c, "DELETE FROM users WHERE user_id = ?", userId);
            // Its id for a day, for housekeeping to sweep what requests in flight write after this (forgetLeftoversOfErasedPeople).
            Jdbc.update(c, "DELETE FROM erased_people WHERE user_id = ?", userId);
            Jdbc.update(c, "INSERT INTO erased_people (user_id, erased_at) VALUES (?, ?)", userId, platform.now());
            return java.util.Optional.of(new Erased(userId, samples, (int) objects.stream().filter(o -> o[0].equals("object")).count()));
        });
        if (erased.isPresent()) platform.credentials().changed();   // the person's tokens are gone: no server may still honour them
        for (String[] o : objects) {
            try {
                if (o[0].equals("object") || o[0].equals("package")) platform.objects().delete(o[1]);
                else platform.objects().abortParts(o[1]);
            } catch (java.io.IOException | RuntimeException e) {
                LOG.warn("erasure: {} {} stays for housekeeping: {}", o[0], o[1], e.toString());
            }
        }
        return erased;
    }

    /**
     * What a request authenticated just before an account's erasure wrote as it committed, where the erasure could not see
     * it, and that names the person: tasks they queued (their input names what they asked about; a worker drops one it
     * claims, this takes the rest, with the applications' deliveries about them), upload credentials made for them, and
     * answers kept for their keys or naming them. None has a row of the person to wait on, so each is looked for
     * afterwards (housekeeping), for a day after each erasure (erased_people). A task still running under a live lease is
     * left to its worker, and taken at a later run. Returns the rows removed.
     */
    public static long forgetLeftoversOfErasedPeople(Jdbc jdbc, java.time.OffsetDateTime now) {
        jdbc.update("DELETE FROM erased_people WHERE erased_at < ?", now.minusDays(1));
        long removed = 0;
        for (String userId : jdbc.query("SELECT user_id FROM erased_people ORDER BY user_id", rs -> rs.getString(1))) {
            if (jdbc.queryOne("SELECT 1 FROM users WHERE user_id = ?", rs -> 1, userId).isPresent()) continue;   // someone again (restored)
            String owner = "user:" + userId;
            String throughApps = Jdbc.likeEscaped("client:") + "%" + Jdbc.likeEscaped(":user:" + userId);
            String console = "client:" + io.omix.server.common.auth.Caller.CONSOLE_CLIENT_PREFIX + userId;
            removed += jdbc.inTransaction(c -> {
                // Held as read, so that a task finishing meanwhile is not removed without its delivery.
                List<String> tasks = Jdbc.query(c, "SELECT task_id FROM tasks WHERE (owner = ? OR owner = ? OR owner LIKE ? ESCAPE '\\')"
                        + " AND NOT (status = 'STARTED' AND lease_until >= ?) ORDER BY job_id FOR UPDATE", rs -> rs.getString(1), owner, console, throughApps, now);
                long n = 0;
                for (int from = 0; from < tasks.size(); from += 500) {
                    io.omix.server.common.db.SqlWhere these = new io.omix.server.common.db.SqlWhere().in("task_id", tasks.subList(from, Math.min(tasks.size(), from + 500)));
                    forgetDeliveriesAboutTasks(c, these.conditions(), these.args());
                    n += Jdbc.update(c, "DELETE FROM tasks" + these.sql(), these.args());
                }
                n += Jdbc.update(c, "DELETE FROM upload_credentials WHERE user_id = ? OR owner = ?", userId, owner);
                n += Jdbc.update(c, "DELETE FROM idempotency_keys WHERE owner LIKE ? ESCAPE '\\'", Jdbc.likeEscaped(owner + "/") + "%");
                forgetAnswersNaming(c, userId);
                return n;
            });
        }
        return removed;
    }

    private static void lockEntity(Connection c, String entityId) {
        try {
            Jdbc.query(c, "SELECT entity_id FROM sample_entities WHERE entity_id = ? FOR UPDATE", rs -> 1, entityId);
        } catch (SQLException e) {
            throw new Jdbc.DataAccessException(e);
        }
    }

    /**
     * Answers kept for retries (Idempotency-Key) by anyone that name the id (a sample, its entity, a person): a replay must
     * not bring the erased data back. Kept answers are deflated; the ids they name are kept beside them in text (names).
     */
    private static void forgetAnswersNaming(Connection c, String id) throws SQLException {
        String naming = "%" + Jdbc.likeEscaped(id) + "%"; // a restored archive's ids are checked, and escaped here all the same
        Jdbc.update(c, "DELETE FROM idempotency_keys WHERE names LIKE ? ESCAPE '\\' OR body LIKE ? ESCAPE '\\'", naming, naming);
    }

    /**
     * The applications' deliveries about the tasks {@code tasksWhere} selects (task.finished names only the task's id,
     * model.deployed its model's and its deploy task's): they go with the tasks. Only the endpoints of the application each
     * task was announced to are looked through (the deliveries' index by endpoint).
     */
    private static void forgetDeliveriesAboutTasks(Connection c, String tasksWhere, Object... args) throws SQLException {
        List<String[]> tasks = Jdbc.query(c, "SELECT task_id, owner FROM tasks WHERE " + tasksWhere, rs -> new String[] {rs.getString(1), rs.getString(2)}, args);
        for (String[] task : tasks) {
            Jdbc.update(c, "DELETE FROM webhook_deliveries WHERE webhook_id IN (SELECT webhook_id FROM webhook_endpoints WHERE owner = ?)"
                            + " AND event_type IN (?, ?) AND data LIKE ? ESCAPE '\\'", io.omix.server.tasks.TasksCapability.announcedTo(task[1]),
                    io.omix.server.webhooks.WebhookEvents.TASK_FINISHED, io.omix.server.webhooks.WebhookEvents.MODEL_DEPLOYED,
                    "%\"" + Jdbc.likeEscaped(task[0]) + "\"%");
        }
    }

    /** Webhook deliveries whose event names the person or sample (an id in quotes in the event's data), sent or not; their attempts go with them. */
    private static void forgetDeliveriesNaming(Connection c, String id) throws SQLException {
        String naming = "%\"" + Jdbc.likeEscaped(id) + "\"%";
        Jdbc.update(c, "DELETE FROM webhook_deliveries WHERE data LIKE ? ESCAPE '\\'", naming);
    }

    /** Everything of one sample, in the caller's transaction. */
    static void eraseSample(Connection c, String biosampleId, java.time.OffsetDateTime now) throws SQLException {
        // The sample's row first: an import of batch items naming it holds it (BatchStore.importItems), so the items
        // read below include any it wrote, and a later one finds the sample gone.
        Jdbc.query(c, "SELECT 1 FROM samples WHERE biosample_id = ? FOR UPDATE", rs -> 1, biosampleId);
        // Who could see it, read before the rows that say so go: they are told once it is gone (they erase their copies).
        java.util.Set<String> viewers = io.omix.server.webhooks.WebhookEvents.everyViewerOf(c, biosampleId);
        // The entity, then its series, locked before their records go: the order a stream write holds them (StreamStore.holdSeries),
        // so a write in flight is waited for and its records removed too, and a later one sees the rows gone.
        for (String entity : Jdbc.query(c, "SELECT entity_id FROM sample_entities WHERE biosample_id = ? FOR UPDATE", rs -> rs.getString(1), biosampleId)) {
            forgetAnswersNaming(c, entity);
            List<Long> series = Jdbc.query(c, "SELECT series_id FROM stream_series WHERE entity_id = ? ORDER BY series_id FOR UPDATE",
                    rs -> rs.getLong(1), entity);
            for (long s : series) {
                Jdbc.update(c, "DELETE FROM stream_legacy_ids WHERE stream_key IN (SELECT stream_key FROM stream_records WHERE series_id = ?)", s);
                Jdbc.update(c, "DELETE FROM stream_records WHERE series_id = ?", s);
            }
            Jdbc.update(c, "DELETE FROM stream_series WHERE entity_id = ?", entity);
        }
        Jdbc.update(c, "DELETE FROM sample_entities WHERE biosample_id = ?", biosampleId);
        // Locked in the order an import's switch locks them (VcfImporter.makeCurrent), so that the two never wait on each other.
        for (long source : Jdbc.query(c, "SELECT source_id FROM variant_sources WHERE biosample_id = ? ORDER BY source_id FOR UPDATE",
                rs -> rs.getLong(1), biosampleId)) {
            io.omix.server.variants.CallStore.delete(c, source);
        }
        Jdbc.update(c, "DELETE FROM variant_sources WHERE biosample_id = ?", biosampleId);
        ProfileImporter.eraseSample(c, biosampleId);
        // Batch items of the sample; the batches keep their other items and say how many they hold.
        for (long batch : Jdbc.query(c, "SELECT DISTINCT batch_no FROM data_items WHERE biosample_id = ?", rs -> rs.getLong(1), biosampleId)) {
            int n = Jdbc.update(c, "DELETE FROM data_items WHERE batch_no = ? AND biosample_id = ?", batch, biosampleId);
            Jdbc.update(c, "UPDATE batches SET item_count = item_count - ? WHERE batch_no = ?", n, batch);
        }
        // Tasks about the sample (imports, commits, model runs) hold its id in their input or answer.
        String naming = "%" + Jdbc.likeEscaped(biosampleId) + "%";
        forgetDeliveriesAboutTasks(c, "payload LIKE ? ESCAPE '\\' OR result LIKE ? ESCAPE '\\'", naming, naming);
        Jdbc.update(c, "DELETE FROM tasks WHERE payload LIKE ? ESCAPE '\\' OR result LIKE ? ESCAPE '\\'", naming, naming);
        forgetAnswersNaming(c, biosampleId);
        Jdbc.update(c, "DELETE FROM sample_projects WHERE biosample_id = ?", biosampleId);
        Jdbc.update(c, "DELETE FROM sample_users WHERE biosample_id = ?", biosampleId);
        Jdbc.update(c, "DELETE FROM sample_clients WHERE biosample_id = ?", biosampleId);
        Jdbc.update(c, "DELETE FROM file_objects WHERE owner = ?", "sample:" + biosampleId);
        List<String> registrants = Jdbc.query(c, "SELECT namespace, registered_by_client FROM samples WHERE biosample_id = ?",
                rs -> io.omix.server.samples.SampleStore.registrant(rs.getString(1), rs.getString(2)), biosampleId);
        Jdbc.update(c, "DELETE FROM samples WHERE biosample_id = ?", biosampleId);
        if (!registrants.isEmpty() && registrants.get(0) != null) {
            // The registrant's count for samples.max-per-registrant (a registration takes this row after all its others too).
            Jdbc.update(c, "UPDATE sample_registrants SET samples = samples - 1 WHERE registrant = ? AND samples > 0", registrants.get(0));
        }
        // Last: a stream write racing this erasure waits on the series rows above, so none of its events slips past.
        forgetDeliveriesNaming(c, biosampleId);
        for (String owner : viewers) {
            io.omix.server.webhooks.WebhookEvents.publish(c, now, owner, io.omix.server.webhooks.WebhookEvents.SAMPLE_ERASED,
                    java.util.Map.of("biosample_id", biosampleId));
        }
    }
}
