package io.omix.server.common.validation;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Texts cut to a column's length or quoted in a reason keep every character whole, so that what is stored reads back. */
class TextsTest {
    @Test
    void aCutNeverSplitsACharacterOutsideTheBasicPlane() {
        String taxon = "a".repeat(499) + "\uD83E\uDDA0 bacterium";   // 499 letters, then a microbe emoji (two chars)
        String cut = Texts.cut(taxon, 500);
        assertEquals("a".repeat(499), cut, "the emoji is left out whole, not halved");
        assertEquals(cut, new String(cut.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8), "it encodes and decodes unchanged");
        assertEquals("a".repeat(498) + "\uD83E\uDDA0", Texts.cut("a".repeat(498) + "\uD83E\uDDA0 bacterium", 500), "a whole pair within the limit stays");
        assertEquals("short", Texts.cut("short", 500));
        assertNull(Texts.cut(null, 10));
        assertEquals("\uD83E\uDDA0\uD83E\uDDA0...", Texts.shortened("\uD83E\uDDA0\uD83E\uDDA0\uD83E\uDDA0", 5), "a quoted value is shortened whole too");
    }
}
