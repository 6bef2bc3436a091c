package io.omix.server.models;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What a model's owner sees of its box's log when an invocation fails (the stderr of 41211): the model's own lines, never
 * the launcher's, which name the host's paths (the code's directory under the models root, the control groups).
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
}
