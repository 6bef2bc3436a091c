package io.omix.server.demo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.omix.server.Capability;
import io.omix.server.Platform;
import io.omix.server.common.db.Jdbc;
import io.omix.server.common.http.ServerJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;

/**
 * Creates demo data once per database: the first server to claim the {@code demo.seeded} row seeds,
 * any other (or a restart) finds it claimed. The credentials go to {@code demo-credentials.json}
 * in the data directory, readable by its owner only.
 */
public final class DemoSeeder {
    public static final String FILE_NAME = "demo-credentials.json";
    private static final Logger LOG = LoggerFactory.getLogger(DemoSeeder.class);
    private static final String CLAIM = "demo.seeded";

    private DemoSeeder() {}

    /**
     * @return the credentials file when demo data exists (created now or before), else empty
     */
    public static Optional<Path> seedIfFresh(Platform platform, List<Capability> capabilities, String endpoint) {
        if (!platform.config().demoEnabled()) return Optional.empty();
        Path file = platform.config().dataDir().resolve(FILE_NAME);
        Jdbc jdbc = platform.database().jdbc();
        // Only a database nobody uses yet: one first started without demo data and later moved behind a loopback address
        // (a proxy in front) must not get demo users and clients then.
        boolean claimed = jdbc.update("INSERT INTO omix_meta (name, meta_value) SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM omix_meta WHERE name = ?)"
                + " AND NOT EXISTS (SELECT 1 FROM users)", CLAIM, "seeding", CLAIM) == 1;
        if (!claimed) return Files.exists(file) ? Optional.of(file) : Optional.empty();
        try {
            DemoData demo = new DemoData();
            demo.put("endpoint", endpoint);
            for (Capability c : capabilities) c.demo(demo);
            write(file, demo.credentials());
            jdbc.update("UPDATE omix_meta SET meta_value = ? WHERE name = ?", "done", CLAIM);
            LOG.info("demo data created; credentials in {}", file);
            return Optional.of(file);
        } catch (RuntimeException e) {
            // Let the next start try again rather than leave half a demo behind a claim.
            jdbc.update("DELETE FROM omix_meta WHERE name = ?", CLAIM);
            throw e;
        }
    }

    static void write(Path file, ObjectNode credentials) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), ".demo-credentials", ".tmp");
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // Windows: the directory's ACL applies.
            }
            Files.writeString(tmp, ServerJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(credentials) + "\n");
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
