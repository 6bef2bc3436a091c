package io.omix.server.models;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The models' code root is where boxes find their runner, code and API socket: a directory someone else made at the
 * default's predictable name (under the temporary directory) must not be used, nor a configured one that is not the
 * server's own.
 */
class CodeRootTest {
    @Test
    void aRootSomeoneElseMadeIsPassedOverAndAConfiguredOneRefused(@TempDir Path tmp) throws Exception {
        Path own = Files.createDirectory(tmp.resolve("own"));
        Files.setPosixFilePermissions(own, PosixFilePermissions.fromString("rwx--x--x"));
        assertEquals(own, ModelsCapability.ownRoot(own, true), "the server's own directory is used");
        assertEquals(tmp.resolve("absent"), ModelsCapability.ownRoot(tmp.resolve("absent"), true), "one not there yet is made by the server");

        Path openToAll = Files.createDirectory(tmp.resolve("open"));
        Files.setPosixFilePermissions(openToAll, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertEquals("is writable by others", ModelsCapability.foreign(openToAll));

        // The server's user is the one its files are made with, not a name a system property gives.
        String name = System.getProperty("user.name");
        System.setProperty("user.name", "somebody-else");
        try {
            assertNull(ModelsCapability.foreign(own), "owned by the server's user id, whatever user.name says");
        } finally {
            System.setProperty("user.name", name);
        }

        Path link = Files.createSymbolicLink(tmp.resolve("link"), own);
        assertEquals("is not a directory of its own", ModelsCapability.foreign(link));

        if ("root".equals(System.getProperty("user.name"))) {
            Path planted = Files.createDirectory(tmp.resolve("planted"));
            Files.setOwner(planted, tmp.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
            assertTrue(ModelsCapability.foreign(planted).startsWith("belongs to nobody"), ModelsCapability.foreign(planted));
            Path chosen = ModelsCapability.ownRoot(planted, true);
            assertNotEquals(planted, chosen, "the default's planted directory is passed over");
            assertNull(ModelsCapability.foreign(chosen));
            Files.delete(chosen);
            assertThrows(IllegalStateException.class, () -> ModelsCapability.ownRoot(planted, false), "a configured models.dir of someone else's stops the server");
        }
        Path chosen = ModelsCapability.ownRoot(openToAll, true);
        assertNotEquals(openToAll, chosen);
        Files.delete(chosen);
    }
}
