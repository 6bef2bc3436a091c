package io.omix.cli;

import io.omix.server.testing.TestServer;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OmixCliTest {
    private static int run(StringWriter err, String... args) {
        CommandLine cli = Omix.commandLine();
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void everyCommandGroupAnswersHelp() {
        for (String[] group : new String[][] {{"batch"}, {"dataset"}, {"model"}, {"admin"}, {"admin", "user"}, {"admin", "client"},
                {"admin", "app"}, {"admin", "apikey"}, {"admin", "project"}, {"admin", "sample"}, {"admin", "data-element"}, {"admin", "audit"},
                {"grants"}}) {
            String[] args = java.util.Arrays.copyOf(group, group.length + 1);
            args[group.length] = "--help";
            AdminAndLoginTest.Run help = AdminAndLoginTest.omix(args);
            assertEquals(0, help.exit(), String.join(" ", args) + ": " + help.err());
            assertTrue(help.out().startsWith("Usage: omix " + String.join(" ", group)), help.out());
        }
    }

    @Test
    void aliveExitsZeroForARunningServerAndOneOtherwise() throws Exception {
        try (TestServer server = TestServer.start()) {
            assertEquals(0, run(new StringWriter(), "alive", "--endpoint", server.url()));
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        assertEquals(1, run(new StringWriter(), "alive", "--endpoint", "http://127.0.0.1:" + port));
    }

    /**
     * A settings file found in the working directory (not named) is read only when it is the user's alone to write: one
     * planted in a shared directory by another user, or left writable by others, or a link, is refused.
     */
    @Test
    void aFoundSettingsFileIsReadOnlyWhenItIsYoursAlone(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("omix.properties"), "demo.enabled=false\n");
        java.nio.file.Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        assertTrue(ConfigOptions.yoursAlone(file));
        java.nio.file.Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-r--"));
        assertTrue(!ConfigOptions.yoursAlone(file), "its group may change it");
        java.nio.file.Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--rw-"));
        assertTrue(!ConfigOptions.yoursAlone(file), "anyone may change it");
        java.nio.file.Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        java.nio.file.Path link = java.nio.file.Files.createSymbolicLink(dir.resolve("linked.properties"), file);
        assertTrue(!ConfigOptions.yoursAlone(link), "a link, wherever it points");
        assertTrue(ConfigOptions.ownerNamed("CORP\\ana", "ana") && !ConfigOptions.ownerNamed("CORP\\anabel", "ana"), "Windows names");
        if ("root".equals(System.getProperty("user.name"))) {
            java.nio.file.Files.setOwner(file, file.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
            assertTrue(!ConfigOptions.yoursAlone(file), "another user's");
        }
    }

    @Test
    void misconfigurationIsOneClearLineAndExitTwo() {
        StringWriter err = new StringWriter();
        assertEquals(2, run(err, "serve", "--set", "server.prot=1"));
        assertTrue(err.toString().contains("unknown setting 'server.prot'"), err.toString());
        assertTrue(!err.toString().contains("\tat "), "no stack trace");
        StringWriter err2 = new StringWriter();
        assertEquals(2, run(err2, "serve", "--config", "/no/such/omix.properties"));
        assertTrue(err2.toString().contains("config file not found"), err2.toString());
    }

    /** A database that cannot be opened, or that fails, is said in words: no statement, no driver's or pool's wording. */
    @Test
    void aDatabaseFailureIsOneLineWithoutItsStatement(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path db = java.nio.file.Files.createDirectories(dir.resolve("data").resolve("db"));
        byte[] garbage = new byte[64 * 1024];
        new java.util.Random(7).nextBytes(garbage);
        java.nio.file.Files.write(db.resolve("omix.mv.db"), garbage);
        StringWriter err = new StringWriter();
        assertEquals(1, run(err, "admin", "--data-dir", dir.resolve("data").toString(), "user", "list"));
        assertTrue(err.toString().startsWith("omix: cannot open the database: File corrupted while reading record"), err.toString());
        for (String leak : new String[] {"Failed to initialize pool", "[90030-", "org.h2", "Exception"}) {
            assertTrue(!err.toString().contains(leak), err.toString());
        }

        err = new StringWriter();
        assertEquals(1, run(err, "admin", "--db-url", "jdbc:postgresql://127.0.0.1:1/none",
                "--set", "security.master-key=" + java.util.Base64.getEncoder().encodeToString(new byte[32]), "user", "list"));
        assertTrue(err.toString().contains("omix: cannot open the database: Connection to 127.0.0.1:1 refused"), err.toString());
        assertTrue(err.toString().contains("(SQLSTATE 08001)") && !err.toString().contains("Failed to initialize pool"), err.toString());

        // A statement that fails: its text (H2 repeats it, values and all) stays in the log at DEBUG.
        String said = Omix.inOurWords(new io.omix.server.common.db.Jdbc.DataAccessException(new java.sql.SQLException(
                "Unique index or primary key violation: \"PUBLIC.PRIMARY_KEY_4 ON PUBLIC.USERS(USERNAME) VALUES ('alice')\"; SQL statement:"
                        + " INSERT INTO users (user_id, username) VALUES (?, ?) [23505-240]", "23505")));
        assertEquals("the database failed (SQLSTATE 23505: a row conflicts with another); OMIX_LOG_LEVEL=DEBUG logs the details", said);
        assertEquals("failed: an internal error; OMIX_LOG_LEVEL=DEBUG logs the details", Omix.inOurWords(new NullPointerException(
                "Cannot invoke \"String.length()\" because \"name\" is null")));
        assertEquals("--limit must be at most 100", Omix.inOurWords(new IllegalArgumentException("--limit must be at most 100")));
        assertEquals("Validate failed: a migration was applied that this omix does not know", Omix.inOurWords(new RuntimeException(
                "Validate failed: a migration was applied that this omix does not know")), "what the operator fixes is said as it is");
    }

    @Test
    void theWelcomeShowsTheEndpointAndTheDemoCredentials() {
        try (TestServer server = TestServer.start("h2", Map.of("demo.enabled", "true"))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ServeCommand.printWelcome(new PrintStream(out, true, StandardCharsets.UTF_8), server.server());
            String text = out.toString(StandardCharsets.UTF_8);
            assertTrue(text.contains("Omix is running at " + server.url()), text);
            assertTrue(text.contains(server.url() + "/console"), "the welcome names the web console: " + text);
            assertTrue(text.contains("curl " + server.url() + "/ping"), text);
            assertTrue(text.contains("demo-credentials.json"), text);
            assertTrue(text.contains("\"endpoint\""), text);
        }
    }
}
