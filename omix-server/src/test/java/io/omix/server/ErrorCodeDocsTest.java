package io.omix.server;

import io.omix.server.common.http.ErrorCode;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** docs/api.md lists every error code the server can answer with, with its exact message. */
class ErrorCodeDocsTest {
    @Test
    void everyErrorCodeIsDocumented() throws Exception {
        Path doc = Path.of("..", "docs", "api.md");
        String text = Files.readString(doc);
        for (ErrorCode c : ErrorCode.values()) {
            String row = "| " + c.code() + " | " + c.msg() + " |";
            assertTrue(text.contains(row), "docs/api.md lacks the row starting " + row);
        }
    }
}
