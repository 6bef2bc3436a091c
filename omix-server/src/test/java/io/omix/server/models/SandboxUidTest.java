package io.omix.server.models;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A box's uid is cleared of whatever still runs as it, so that no two boxes ever share one. */
class SandboxUidTest {
    @Test
    void everyProcessOfABoxUidIsKilledAndNoOtherOne() throws Exception {
        assumeTrue(Files.readString(Path.of("/proc/self/status")).lines().anyMatch(l -> l.matches("Uid:\\s+0\\s.*")),
                "switching to a box's uid needs root, as boxes do");
        int uid = Sandbox.UID_BASE + Sandbox.UID_SLOTS - 1;
        // A leftover like the one once found: the box's first process, adopted by init when its bubblewrap died.
        Process leftover = new ProcessBuilder("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups", "--", "sleep", "600").start();
        Process other = new ProcessBuilder("setpriv", "--reuid=" + (uid - 1), "--regid=" + (uid - 1), "--clear-groups", "--", "sleep", "600").start();
        try {
            for (int i = 0; i < 50 && !Files.readString(Path.of("/proc/" + leftover.pid() + "/status")).contains("\t" + uid + "\t"); i++) Thread.sleep(20);
            Sandbox.killAll(uid);
            assertTrue(leftover.waitFor(5, TimeUnit.SECONDS), "the box uid's process is killed");
            assertFalse(other.waitFor(300, TimeUnit.MILLISECONDS), "another uid's process runs on");
        } finally {
            leftover.destroyForcibly();
            other.destroyForcibly();
        }
    }

    @Test
    void leasesAreSharedByEveryServerOfTheMachineWhateverItsTemporaryDirectory() throws Exception {
        assumeTrue(Files.readString(Path.of("/proc/self/status")).lines().anyMatch(l -> l.matches("Uid:\\s+0\\s.*")) && Files.isDirectory(Path.of("/run/lock")),
                "a root server on a machine with /run/lock");
        org.junit.jupiter.api.Assertions.assertEquals(Path.of("/run/lock/omix-sandbox-uids"), Sandbox.uidLockDir());
    }

    /**
     * The leases' directory sits under /run/lock, which every user may write to: one another user made there first (or a
     * link) is refused, the sandbox then refusing boxes with the reason, instead of being used as root.
     */
    @Test
    void aLeaseDirectoryThatIsNotTheServersOwnIsRefused(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path own = Files.createDirectory(dir.resolve("own"));
        org.junit.jupiter.api.Assertions.assertNull(Sandbox.notOwnDirectory(own));
        Path link = Files.createSymbolicLink(dir.resolve("link"), own);
        assertTrue(Sandbox.notOwnDirectory(link).contains("not the server's own"));
        assumeTrue(Files.readString(Path.of("/proc/self/status")).lines().anyMatch(l -> l.matches("Uid:\\s+0\\s.*")), "giving a file away needs root");
        Path theirs = Files.createDirectory(dir.resolve("theirs"));
        Files.setOwner(theirs, dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        assertTrue(Sandbox.notOwnDirectory(theirs).contains("nobody"), Sandbox.notOwnDirectory(theirs));
    }

    /**
     * A uid this process leased is not looked at again while its box runs: the lease is the kernel's record lock on a file,
     * which closing any descriptor of that file drops for the whole process. Looked at again (refused by the JVM, then
     * closed), the running box's uid was free for another server on the machine, which killed the box and took the uid.
     * Here another process (as another server would) finds the uid still held.
     */
    @Test
    void aUidLeasedHereStaysHeldWhenAnotherBoxOfThisProcessLooksForOne(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        assumeTrue(Files.readString(Path.of("/proc/self/status")).lines().anyMatch(l -> l.matches("Uid:\\s+0\\s.*")), "boxes' uids need root");
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        Sandbox sandbox = Sandbox.prepare(tmp.resolve(".runtime"), tmp.resolve(".channel").resolve("api.sock"), "/usr/bin/python3");
        int slot = 4242;
        try (Sandbox.UidLease first = sandbox.lease(slot); Sandbox.UidLease second = sandbox.lease(slot)) {
            assertTrue(first.uid() != second.uid(), "the next box gets another uid");
            Path lockFile = Sandbox.uidLockDir().resolve(first.uid() + ".lock");
            Process other = new ProcessBuilder("python3", "-c", "import fcntl, sys\n"
                    + "f = open(sys.argv[1], 'a')\n"
                    + "try:\n    fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)\n    print('taken')\nexcept OSError:\n    print('held')\n", lockFile.toString())
                    .redirectErrorStream(true).start();
            String answer = new String(other.getInputStream().readAllBytes()).trim();
            other.waitFor(10, TimeUnit.SECONDS);
            org.junit.jupiter.api.Assertions.assertEquals("held", answer, "the first box's uid is still held for every other process");
        }
    }
}
