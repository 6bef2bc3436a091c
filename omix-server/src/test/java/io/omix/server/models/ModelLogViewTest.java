package io.omix.server.models;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What a model's owner sees of its box's log when an invocation fails (the stderr of 41211): the model's own lines, never
 * the launcher's, which name the host's paths (the code's directory under the models root, the control groups); and what
 * the server's log shows of the launcher's lines, which a model can imitate.
 */
class ModelLogViewTest {
    @Test
    void theLaunchersLinesStayOnTheServer() {
        String model = "Traceback (most recent call last):\n  File \"/code/index.py\", line 3, in handler\nValueError: bad input\n";
        assertEquals(model, ModelRunner.ownersView(model));
        assertEquals(model, ModelRunner.ownersView("bwrap: Can't find source path /tmp/omix-models-1234/m/v1-abcdef: No such file or directory\n" + model));
        assertEquals(model, ModelRunner.ownersView(model + "omix-sandbox: 1: cannot create /sys/fs/cgroup/omix/box-7/cgroup.procs: Permission denied"));
        assertEquals(model, ModelRunner.ownersView(model + "prlimit: failed to set the RLIMIT_AS resource limit\n"));
        assertEquals("a line that mentions bwrap: in its middle\n", ModelRunner.ownersView("a line that mentions bwrap: in its middle\n"));
    }

    /**
     * The runner's first line parts the log: before it, the launcher's (bubblewrap failing, say); after it, the model's own,
     * kept whatever it looks like (a model can write lines that start as the launcher's), and never logged by the server.
     */
    @Test
    void onlyWhatComesBeforeTheRunnersFirstLineCanBeTheLaunchers() {
        String model = "bwrap: a line the model wrote\nomix-sandbox: and another\nValueError: bad input\n";
        assertEquals(model, ModelRunner.ownersView("prlimit: failed to set the RLIMIT_AS resource limit\n" + JavaModelRunner.STARTED + "\n" + model));
        assertEquals(model, ModelRunner.ownersView(JavaModelRunner.STARTED + "\n" + model), "the runner's line itself is not the owner's to read");
        assertEquals("", ModelRunner.ownersView(JavaModelRunner.STARTED), "nothing else written");
        // No runner line (the runner never started, or writes none): every line that looks like the launcher's goes.
        assertEquals("kept\n", ModelRunner.ownersView("bwrap: one\n".repeat(50) + "kept\n"));
    }

    /** What the server logs of a launcher line: 200 characters at most, no terminal escapes or other control characters. */
    @Test
    void theLaunchersLinesAreLoggedShortAndPrintable() {
        assertEquals("bwrap: a?[31mred?[0m line??", ModelRunner.printable("bwrap: a\u001b[31mred\u001b[0m line\r\u202e"));
        assertEquals("x".repeat(ModelRunner.LOGGED_LINE_CHARS) + "...", ModelRunner.printable("x".repeat(1 << 20)));
        assertEquals("x".repeat(ModelRunner.LOGGED_LINE_CHARS), ModelRunner.printable("x".repeat(ModelRunner.LOGGED_LINE_CHARS)));
        assertEquals("bwrap: Can't find source path /tmp/omix-models-1234/m/v1-abcdef: No such file or directory",
                ModelRunner.printable("bwrap: Can't find source path /tmp/omix-models-1234/m/v1-abcdef: No such file or directory"));
    }
}
