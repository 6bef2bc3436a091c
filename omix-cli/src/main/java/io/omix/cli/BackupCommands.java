package io.omix.cli;

import io.omix.server.ServerConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * {@code omix admin backup DIR} and {@code omix admin restore DIR}: an online, consistent backup of
 * the embedded database (H2's {@code BACKUP TO}, taken inside the running server's database), then
 * the local object store's finished objects (written before the rows that name them, so every
 * object the backed-up database knows is copied, unless an upload replaced it meanwhile: its bytes
 * go once the replacement is recorded) and the master key (sealed secrets, signed links
 * and stream ids depend on it). Restore rebuilds an empty data directory from it. PostgreSQL and S3
 * deployments back up with their own tools (docs/operations.md).
 */
final class BackupCommands {
    private BackupCommands() {}

    static void requireEmbedded(ServerConfig config) {
        if (!config.embeddedDatabase() || !config.s3Url().isEmpty()) {
            throw new IllegalArgumentException("omix admin backup covers the embedded database and the local object store only;"
                    + " on PostgreSQL and S3 use pg_dump or point-in-time recovery and bucket versioning (docs/operations.md, Backups)");
        }
    }

    @Command(name = "backup", mixinStandardHelpOptions = true,
            description = "Back up the embedded database, the local object store and the master key into DIR (the server may run).")
    static final class Backup extends AdminCommand.Sub implements Runnable {
        @Parameters(paramLabel = "DIR", description = "A new or empty directory.") Path target;

        @Override
        public void run() {
            AdminCommand admin = (AdminCommand) parent;
            ServerConfig config = admin.options.load(Map.of());
            requireEmbedded(config);
            try {
                Files.createDirectories(target);
                // The backup holds every person's data in clear: only into a directory of this user's own (not a link, not
                // one someone else made ready, e.g. under /tmp, and could read from after the permissions are set).
                // By uid: a uid with no name (containers) has no user.name to compare.
                if (Files.isSymbolicLink(target) || !io.omix.server.common.io.FileTrees.ownedByThisProcess(target)) {
                    throw new IllegalArgumentException(target + " is a link or belongs to another user: back up into a directory of your own");
                }
                try (Stream<Path> existing = Files.list(target)) {
                    if (existing.findAny().isPresent()) throw new IllegalArgumentException(target + " is not empty");
                }
                Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwx------"));
                Path db = target.resolve("db.zip").toAbsolutePath();
                // Inside the database's own process (AUTO_SERVER): a consistent snapshot while writes go on.
                admin.withPlatform(p -> p.database().jdbc().update("BACKUP TO '" + db.toString().replace("'", "''") + "'"));
                Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rw-------"));
                Path objects = config.objectsDir().resolve("objects");
                long copied = copyTree(objects, target.resolve("objects"));
                Path key = config.dataDir().resolve("master.key");
                if (config.masterKey().isEmpty() && Files.exists(key)) copySecret(key, target.resolve("master.key"));
                AdminCommand.print(out(), AdminCommand.map("backup", target.toString(), "database_bytes", Files.size(db), "objects", copied,
                        "master_key", Files.exists(target.resolve("master.key"))));
            } catch (IOException e) {
                throw new UncheckedIOException("backup failed: " + e.getMessage(), e);
            }
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true,
            description = "Rebuild an empty data directory (--data-dir) from a backup made by 'omix admin backup'.")
    static final class Restore extends AdminCommand.Sub implements Runnable {
        @Parameters(paramLabel = "DIR", description = "The backup directory.") Path source;

        @Override
        public void run() {
            AdminCommand admin = (AdminCommand) parent;
            ServerConfig config = admin.options.load(Map.of());
            requireEmbedded(config);
            Path dataDir = config.dataDir();
            try {
                if (!Files.isRegularFile(source.resolve("db.zip"))) throw new IllegalArgumentException(source + " holds no backup (db.zip)");
                if (Files.exists(dataDir.resolve("db"))) {
                    throw new IllegalArgumentException(dataDir + " already has a database: restore into an empty data directory");
                }
                Files.createDirectories(dataDir.resolve("db"));
                Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx------"));
                try (InputStream in = Files.newInputStream(source.resolve("db.zip")); ZipInputStream zip = new ZipInputStream(in)) {
                    for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                        Path out = dataDir.resolve("db").resolve(Path.of(e.getName()).getFileName().toString());
                        if (!e.isDirectory()) Files.copy(zip, out, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
                long copied = copyTree(source.resolve("objects"), config.objectsDir().resolve("objects"));
                if (Files.exists(source.resolve("master.key"))) copySecret(source.resolve("master.key"), dataDir.resolve("master.key"));
                // Recorded in the restored trail; a backup of an older version is left as it is (a rollback restores one, to
                // run the older servers on it): 'omix admin migrate' or a server of this version upgrades it.
                recorded(admin, "restored", spec);
                AdminCommand.print(out(), AdminCommand.map("restored", dataDir.toString(), "objects", copied));
            } catch (IOException e) {
                throw new UncheckedIOException("restore failed: " + e.getMessage(), e);
            }
        }
    }

    @Command(name = "compact", mixinStandardHelpOptions = true,
            description = "Rewrite the embedded database compactly, giving its free space back to the file system (omix serve must be stopped).")
    static final class Compact extends AdminCommand.Sub implements Runnable {
        @Override
        public void run() {
            AdminCommand admin = (AdminCommand) parent;
            ServerConfig config = admin.options.load(Map.of());
            if (!config.embeddedDatabase()) {
                throw new IllegalArgumentException("omix admin compact is for the embedded database; on PostgreSQL use VACUUM (docs/operations.md)");
            }
            Path file = config.dataDir().resolve("db").resolve("omix.mv.db");
            if (!Files.isRegularFile(file)) throw new IllegalArgumentException("no embedded database in " + config.dataDir());
            // Without AUTO_SERVER: a running server holds the file's lock, and this must not reach into it.
            String url = io.omix.server.common.db.Database.embeddedUrl(config.dataDir()).replace(";AUTO_SERVER=TRUE", "");
            try {
                long before = Files.size(file);
                try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, config.dbUser(), config.dbPassword())) {
                    c.createStatement().execute("SHUTDOWN COMPACT");
                } catch (java.sql.SQLException e) {
                    if (e.getErrorCode() == org.h2.api.ErrorCode.DATABASE_ALREADY_OPEN_1) {
                        throw new IllegalArgumentException("the database is in use: stop omix serve first");
                    }
                    throw new IllegalStateException("compaction failed: " + e.getMessage(), e);
                }
                long after = Files.size(file);
                recorded(admin, "compacted", spec);
                AdminCommand.print(out(), AdminCommand.map("compacted", config.dataDir().toString(), "bytes_before", before,
                        "bytes_after", after));
            } catch (IOException e) {
                throw new UncheckedIOException("compaction failed: " + e.getMessage(), e);
            }
        }
    }

    /**
     * Records the command in the audit trail of the database it worked on, as every operator command is; when the
     * platform cannot be opened on it (its master key kept elsewhere and not configured, a schema older than this omix's),
     * the work stands and the operator is told it is not recorded.
     */
    private static void recorded(AdminCommand admin, String done, CommandLine.Model.CommandSpec spec) {
        try {
            admin.withPlatform(p -> Boolean.TRUE);
        } catch (RuntimeException e) {
            spec.commandLine().getErr().println(done + ", not recorded in the audit trail: " + e.getMessage());
        }
    }

    /** The master key, readable by its owner only wherever it goes. */
    private static void copySecret(Path from, Path to) throws IOException {
        Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rw-------"));
    }

    /** Copies every regular file under {@code from} to the same place under {@code to}; how many. */
    static long copyTree(Path from, Path to) throws IOException {
        if (!Files.isDirectory(from)) return 0;
        long n = 0;
        try (Stream<Path> all = Files.walk(from)) {
            // Files only, never what a link in the tree points at (the store makes none; one planted there is not followed).
            for (Path p : all.filter(f -> Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)).toList()) {
                Path out = to.resolve(from.relativize(p).toString());
                Files.createDirectories(out.getParent());
                try {
                    Files.copy(p, out, StandardCopyOption.COPY_ATTRIBUTES, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                    n++;
                } catch (java.nio.file.NoSuchFileException gone) {
                    // removed meanwhile: not named by the backed-up database either
                }
            }
        }
        return n;
    }

}
