package io.omix.server.audit;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An audit entry survives its spool line unchanged, and its hash is the one chains already written carry. */
class AuditEntryTest {
    private static final AuditLog.Entry AWKWARD = AuditLog.Entry.of("client", "app\\\"1", null, "client_token", "GET /samples/<biosample_id>",
            "biosample_id=E-A12345678901 name=a\\b \"quoted\" é", 3, "203.0.113.7", "req-1", "200 0")
            .withAt(Instant.parse("2026-12-03T10:15:30.123456Z"));

    /** What a person sees of an entry someone else made about their sample: that it happened, not who that was or from where. */
    @Test
    void aPersonSeesOthersEntriesWithoutThem() {
        AuditLog.Entry others = AuditLog.Entry.of("user", "console:111111111111111111111", "111111111111111111111", "session",
                "GET /samples", "biosample_ids=E-A12345678901,E-B99999999999", 2, "203.0.113.7", "chosen-by-them", "200 0")
                .withAt(Instant.parse("2026-12-04T10:00:00Z"));
        java.util.Map<String, Object> seen = others.fieldsFor("222222222222222222222", java.util.List.of("E-A12345678901"));
        assertEquals(null, seen.get("user_id"));
        assertEquals("console", seen.get("actor_id"), "not the other person's console session by their user id");
        assertEquals("biosample_id=E-A12345678901", seen.get("resources"), "only the person's own sample");
        assertTrue(!seen.containsKey("source") && !seen.containsKey("hash") && !seen.containsKey("request_id"), seen.toString());
        assertEquals("GET /samples", seen.get("operation"));
        // A signed link read by the other person is named by their grant (a token family, a session's hash): not shown either.
        AuditLog.Entry link = AuditLog.Entry.of("signed_link", "t.family-of-the-other", "111111111111111111111", "signed_link",
                "GET /oss/objects/<object_name>", "object_name=sample-tables/E-A12345678901/genes.tsv", null, "203.0.113.7", "r", "200 0")
                .withAt(Instant.parse("2026-12-04T10:00:00Z"));
        java.util.Map<String, Object> linkSeen = link.fieldsFor("222222222222222222222", java.util.List.of("E-A12345678901"));
        assertEquals(null, linkSeen.get("actor_id"), linkSeen.toString());
        assertEquals("biosample_id=E-A12345678901", linkSeen.get("resources"));
        java.util.Map<String, Object> own = others.fieldsFor("111111111111111111111", java.util.List.of());
        assertEquals("111111111111111111111", own.get("user_id"), "a person's own entry is shown whole");
        assertEquals("chosen-by-them", own.get("request_id"));
        assertTrue(!own.containsKey("source"), "but never its address");
    }

    /** Control characters are written as escapes of six characters: a value of them still fits its column, no escape cut. */
    @Test
    void escapedValuesStayWithinTheirLength() {
        AuditLog.Entry e = AuditLog.Entry.of("client", "app", "u1", "user_token", "GET /x", "a" + "\u0001".repeat(999), 1, "::1", "r", "200 0");
        assertTrue(e.resources().length() <= 1000, "" + e.resources().length());
        assertTrue(e.resources().matches("a(\\\\u0001)+"), "whole escapes only: " + e.resources().substring(e.resources().length() - 12));
    }

    @Test
    void aSpoolLineReadsBackAsTheEntryItWasWrittenFrom() throws Exception {
        byte[] line = AuditLog.spoolLine(AWKWARD);
        assertEquals('\n', line[line.length - 1], "one entry, one line");
        String text = new String(line, StandardCharsets.UTF_8).trim();
        assertTrue(!text.contains("\n"), text);
        assertEquals(AWKWARD, AuditLog.readSpoolLine(text));
        AuditLog.Entry bare = AuditLog.Entry.of("unknown", null, null, "refused", "GET /profile", null, null, null, null, "401 40101")
                .withAt(Instant.parse("2026-12-03T10:15:30Z"));
        assertEquals(bare, AuditLog.readSpoolLine(new String(AuditLog.spoolLine(bare), StandardCharsets.UTF_8)));
    }

    @Test
    void theHashIsTheChainsHashOfEveryField() throws Exception {
        AuditLog.Entry e = AuditLog.Entry.of("client", "a\\b", "u1", "user_token", "GET /x", "line\\nbreak and \\\\ back", 1, "::1", "r", "200 0")
                .appended(42, Instant.parse("2026-12-03T10:15:30.123456789Z"), "ab".repeat(32), null);
        // The chain's formula as entries already stored were hashed: a faster computation must not change a single one.
        StringBuilder s = new StringBuilder(e.prevHash()).append('\n').append(e.seq()).append('\n').append(e.at().truncatedTo(ChronoUnit.MICROS));
        for (Object field : new Object[] {e.actorKind(), e.actorId(), e.userId(), e.credential(), e.operation(), e.resources(), e.records(),
                e.source(), e.requestId(), e.outcome()}) {
            s.append('\n').append(field == null ? "" : field.toString().replace("\\", "\\\\").replace("\n", "\\n"));
        }
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.toString().getBytes(StandardCharsets.UTF_8)));
        assertEquals(expected, e.hash());
        assertEquals(expected, e.computeHash(null));

        // Keyed (every entry appended since V39): HMAC-SHA256 of the same text under the chain key.
        byte[] secret = "k".repeat(32).getBytes(StandardCharsets.UTF_8);
        ChainKey key = new ChainKey(secret);
        AuditLog.Entry keyed = AuditLog.Entry.of("client", "a\\b", "u1", "user_token", "GET /x", "line\\nbreak and \\\\ back", 1, "::1", "r", "200 0")
                .appended(42, Instant.parse("2026-12-03T10:15:30.123456789Z"), "ab".repeat(32), key);
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(secret, "HmacSHA256"));
        assertEquals(HexFormat.of().formatHex(mac.doFinal(s.toString().getBytes(StandardCharsets.UTF_8))), keyed.hash());
        assertTrue(!keyed.hash().equals(keyed.computeHash(new ChainKey(new byte[32]))), "another key, another hash");
    }

    /** Values a request can put into an entry: quotes, backslashes, line breaks, other scripts, a lone surrogate, DEL. */
    private static final String[] TEXTS = {"plain", "", "a\"b", "a\\b", "\\\"", "line\nbreak", "tab\there", "\u0000", "\u007f", "\u0080",
            "é", "雪 snow", "😀", "\ud83d", "x\ude00y", "back\\slash\nand é", "/path?q=1&r=2", "biosample_id=E-A12345678901 biosample_ids=E-B1"};

    @Test
    void theDirectLineAndHashAreTheGeneralOnesByteForByte() throws Exception {
        java.util.Random random = new java.util.Random(7);
        ChainKey key = new ChainKey("k".repeat(32).getBytes(StandardCharsets.UTF_8));
        for (int round = 0; round < 3000; round++) {
            String[] v = new String[7];
            for (int i = 0; i < v.length; i++) {
                v[i] = random.nextInt(5) == 0 ? null : random.nextInt(3) == 0 ? TEXTS[random.nextInt(TEXTS.length)] : randomText(random);
            }
            Integer records = random.nextBoolean() ? null : random.nextInt(2) == 0 ? random.nextInt() : random.nextInt(1000);
            AuditLog.Entry e = new AuditLog.Entry(0, Instant.ofEpochSecond(1_700_000_000L + random.nextInt(100_000_000), random.nextInt(1_000_000) * 1000L),
                    random.nextBoolean() ? "client" : "unknown", v[0], v[1], "user_token", v[2], v[3], records, v[4], v[5], v[6], null, null);
            String what = e.toString();
            org.junit.jupiter.api.Assertions.assertArrayEquals(AuditBlock.generatedLine(e), AuditLog.spoolLine(e), what);
            long seq = random.nextInt(1_000_000_000);
            String prev = random.nextInt(10) == 0 ? TEXTS[random.nextInt(TEXTS.length)] : HexFormat.of().formatHex(new byte[32]);
            AuditLog.Entry appended = e.appended(seq, e.at(), prev, key);
            assertEquals(referenceHash(appended, key), appended.hash(), what);
            assertEquals(referenceHash(appended, null), appended.computeHash(null), what);
        }
    }

    @Test
    void aBlockIsTheOldFormulasBytesAndABombIsNotInflated() throws Exception {
        java.util.List<AuditLog.Entry> block = chain(AWKWARD, 50);
        java.util.List<AuditLog.Entry> gap = new java.util.ArrayList<>(block);
        gap.remove(7);
        for (java.util.List<AuditLog.Entry> entries : java.util.List.of(block, gap)) {
            // The lines as the block was always written: seq, the spool line's fields, hash, and prevHash where not implied.
            StringBuilder expected = new StringBuilder();
            for (int i = 0; i < entries.size(); i++) {
                AuditLog.Entry e = entries.get(i);
                String line = new String(AuditBlock.generatedLine(e), StandardCharsets.UTF_8);
                boolean linked = i > 0 && e.prevHash().equals(entries.get(i - 1).hash());
                expected.append("{\"seq\":").append(e.seq()).append(',').append(line, 1, line.length() - 2).append(",\"hash\":\"").append(e.hash())
                        .append(linked ? "" : "\",\"prevHash\":\"" + e.prevHash()).append("\"}\n");
            }
            byte[] inflated = new java.util.zip.InflaterInputStream(new java.io.ByteArrayInputStream(AuditBlock.encode(entries))).readAllBytes();
            assertEquals(expected.toString(), new String(inflated, StandardCharsets.UTF_8));
        }
        byte[] bomb = io.omix.server.common.db.Deflated.of(z -> {
            byte[] spaces = new byte[1 << 20];
            java.util.Arrays.fill(spaces, (byte) '\n');
            for (int i = 0; i < 64; i++) z.write(spaces);
        }, 1 << 16);
        assertTrue(bomb.length < 1_000_000, "64 MiB deflated into " + bomb.length + " bytes, smaller than a block may be");
        java.io.UncheckedIOException refused = org.junit.jupiter.api.Assertions.assertThrows(java.io.UncheckedIOException.class, () -> AuditBlock.decode(bomb));
        assertTrue(refused.getMessage().contains("larger than any written"), refused.getMessage());
    }

    /** The chain's formula as entries were always hashed: one string of the fields, escaped, in UTF-8. */
    private static String referenceHash(AuditLog.Entry e, ChainKey key) throws Exception {
        StringBuilder s = new StringBuilder().append(e.prevHash()).append('\n').append(e.seq()).append('\n').append(e.at().truncatedTo(ChronoUnit.MICROS));
        for (Object field : new Object[] {e.actorKind(), e.actorId(), e.userId(), e.credential(), e.operation(), e.resources(), e.records(),
                e.source(), e.requestId(), e.outcome()}) {
            s.append('\n').append(field == null ? "" : field.toString().replace("\\", "\\\\").replace("\n", "\\n"));
        }
        byte[] text = s.toString().getBytes(StandardCharsets.UTF_8);
        return key != null ? key.mac(s.toString()) : HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text));
    }

    private static String randomText(java.util.Random random) {
        StringBuilder s = new StringBuilder();
        int n = random.nextInt(40);
        for (int i = 0; i < n; i++) {
            int pick = random.nextInt(20);
            s.append(pick == 0 ? (char) random.nextInt(0x20) : pick == 1 ? (char) (0x7f + random.nextInt(0x800)) : pick == 2 ? (char) (0xd800 + random.nextInt(0x800))
                    : pick < 5 ? "\"\\\n".charAt(random.nextInt(3)) : (char) (0x20 + random.nextInt(0x5f)));
        }
        return s.toString();
    }

    @Test
    void aBlockKeepsItsEntriesAndIsFoundByWhoAndWhichSamples() throws Exception {
        AuditLog.Entry typical = AuditLog.Entry.of("client", "app-1", "u-1", "user_token", "GET /samples", null, 3, "10.0.0.1", "r", "200 0")
                .withAt(AWKWARD.at());
        java.util.List<Integer> sizes = AuditBlock.split(chain(typical, 2500)).stream().map(java.util.List::size).toList();
        assertEquals(2500, sizes.stream().mapToInt(Integer::intValue).sum());
        assertTrue(sizes.subList(0, sizes.size() - 1).stream().allMatch(n -> n >= 500 && n <= 1000), "hundreds of entries a block: " + sizes);
        AuditLog.Entry large = AuditLog.Entry.of("client", "app-1", "u-1", "user_token", "GET /samples", "biosample_ids=" + "雪".repeat(990), 3,
                "10.0.0.1", "r", "200 0").withAt(AWKWARD.at());
        java.util.List<java.util.List<AuditLog.Entry>> bySize = AuditBlock.split(chain(large, 2500));
        assertTrue(bySize.size() > 3 && bySize.stream().allMatch(b -> b.size() < 1000), "large entries: blocks bounded by size too");
        assertEquals(2500, bySize.stream().mapToInt(java.util.List::size).sum());
        assertTrue(AuditBlock.encodeAsText(bySize.get(0)).length() < 1_000_000, "a block of the largest entries fits the text column of earlier versions");
        java.util.List<java.util.List<AuditLog.Entry>> blocks = AuditBlock.split(chain(AWKWARD, 2500));
        byte[] stored = AuditBlock.encode(blocks.get(0));
        assertEquals(blocks.get(0), AuditBlock.decode(stored));
        assertEquals(blocks.get(0), AuditBlock.decode("", stored));
        assertEquals(blocks.get(0), AuditBlock.decode(AuditBlock.encodeAsText(blocks.get(0)), null), "a block as stored before V44 is read");
        java.util.List<byte[]> spoolLines = new java.util.ArrayList<>();
        for (AuditLog.Entry e : blocks.get(0)) spoolLines.add(AuditLog.spoolLine(e));
        assertEquals(blocks.get(0), AuditBlock.decode(AuditBlock.encode(blocks.get(0), spoolLines)), "a block spliced from the spool's lines");
        java.util.List<AuditLog.Entry> gap = new java.util.ArrayList<>(blocks.get(0));
        gap.remove(5);   // as the retention leaves a block whose older entries came late
        assertEquals(gap, AuditBlock.decode(AuditBlock.encode(gap)), "an entry after a gap keeps its own link");
        assertTrue(stored.length < blocks.get(0).size() * 80, "compressed: " + stored.length + " bytes for " + blocks.get(0).size() + " entries");
        assertEquals(java.util.Set.of("a:app\\\"1", "s:E-A12345678901"), AuditBlock.subjects(blocks.get(0)));
        assertEquals(null, AuditBlock.sample("E-A123"), "a part of an id is searched for, not looked up");
    }

    private static java.util.List<AuditLog.Entry> chain(AuditLog.Entry like, int n) {
        java.util.List<AuditLog.Entry> entries = new java.util.ArrayList<>();
        String prev = AuditLog.GENESIS;
        for (int i = 1; i <= n; i++) {
            AuditLog.Entry e = like.appended(i, like.at().plusMillis(i), prev, null);
            prev = e.hash();
            entries.add(e);
        }
        return entries;
    }
}
