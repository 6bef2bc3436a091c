package io.omix.server.models;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The server's checks of its sandbox read a program's whole output: one that never ends, nor closes its output (a box
 * stuck at start, or a child it left holding the pipe), is killed at the deadline, and the check says so, rather than
 * holding the check (and every model request waiting for it) for good.
 */
class SandboxOutputTest {
    @Test
    void aProgramThatNeverEndsIsKilledAtTheDeadline() {
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(10), () -> {
            AtomicBoolean alsoKilled = new AtomicBoolean();
            // The shell's own child keeps the output open after the shell is gone.
            Process p = new ProcessBuilder(List.of("/bin/sh", "-c", "echo started; sleep 60 & sleep 60")).redirectErrorStream(true).start();
            assertNull(Sandbox.outputWithin(p, 1, () -> alsoKilled.set(true)));
            assertTrue(alsoKilled.get());
            assertTrue(p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS), "killed");
        });
    }

    @Test
    void aProgramThatEndsInTimeIsReadWhole() throws Exception {
        Process p = new ProcessBuilder(List.of("/bin/sh", "-c", "echo ok")).start();
        assertEquals("ok\n", Sandbox.outputWithin(p, 10, () -> { throw new AssertionError("not killed"); }));
    }
}
