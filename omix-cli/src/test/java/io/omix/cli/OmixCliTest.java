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
