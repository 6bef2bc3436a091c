package io.omix.server.models;

import io.omix.server.common.http.ApiException;
import io.omix.server.common.http.ErrorCode;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The boxes of one server share a memory budget: each takes its limit from it while it exists, so many models, or
 * many invocations at once, cannot add up to more than the machine has. An invocation that finds none left waits a
 * moment, then is answered 503; the memory comes back when a box is gone.
 */
class BoxBudgetTest {
    @Test
    void anInvocationBeyondTheServersModelMemoryIsAnswered503UntilABoxIsGone(@TempDir Path tmp) throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx--x--x"));
        Sandbox sandbox = Sandbox.prepare(tmp.resolve(".runtime"), tmp.resolve(".channel").resolve("api.sock"), "/usr/bin/python3");
        Assumptions.assumeTrue(sandbox.selfTest().isEmpty(), "no model sandbox on this host: " + sandbox.selfTest().orElse(""));
        Path code = Files.createDirectories(tmp.resolve("m").resolve("1"));
        Files.setPosixFilePermissions(tmp.resolve("m"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(code, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path index = Files.writeString(code.resolve("index.py"), "import json, time\ndef handler(event, context):\n"
                + "    time.sleep(json.loads(event)['seconds'])\n    return {'model_code': 0, 'model_msg': 'ok', 'model_data': {}}\n");
        Files.setPosixFilePermissions(index, PosixFilePermissions.fromString("rw-r--r--"));
        ModelRunner.Spec spec = new ModelRunner.Spec("m", 1, "python3", code, "index.handler", new ModelRunner.Limits(128, 30));
        // Room for one box of 128 MiB (with its runtime and tmpfs, 272 MiB), not two.
        try (ModelRunner runner = new ModelRunner(sandbox, 0, 300)) {
            CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> runner.run(spec, false, "{\"seconds\": 4}", "r-1"));
            Thread.sleep(800);
            ApiException busy = assertThrows(ApiException.class, () -> runner.run(spec, false, "{\"seconds\": 0}", "r-2"));
            assertEquals(ErrorCode.HTTP_UNAVAILABLE, busy.error(), "no memory left for a second box");
            assertTrue(first.get(60, TimeUnit.SECONDS).contains("\"ok\""));
            assertTrue(runner.run(spec, false, "{\"seconds\": 0}", "r-3").contains("\"ok\""), "the first box gone, its memory serves the next");
        }
    }
}
