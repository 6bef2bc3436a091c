package io.omix.server.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.omix.server.common.db.Deflated;
import io.omix.server.common.io.ByteBuilder;
import io.omix.server.samples.SampleAccess;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;

/**
 * How the chain is stored: a run of consecutive entries is one row (a block), its entries as JSON
 * lines, deflated, in one binary column (blocks written before V44 hold the same in base64 in a text
 * column, and are read as they are); the people, callers and samples it names are keys to find it by.
 * A row per entry cost the embedded store four B-tree writes and as many commit fix-ups per request, a
 * tenth of a light read's throughput; a block costs one row a quarter second. Entries keep their own
 * sequence numbers and hashes inside, so the chain is verified entry by entry as before.
 */
public final class AuditBlock {
    /** A block holds at most this many entries, and at most about this many bytes before compression. */
    static final int MAX_ENTRIES = 1000;
    static final int MAX_RAW_BYTES = 512 * 1024;   // deflated, or in base64 at most ~700,000 characters of the text column's 1,000,000

    private static final ObjectMapper JSON = io.omix.server.common.http.ServerJson.MAPPER.copy()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private AuditBlock() {}

    /** The stored bytes of {@code entries} (appended entries: sequence numbers and hashes set). */
    public static byte[] encode(List<AuditLog.Entry> entries) {
        return encode(entries, null);
    }

    /** {@code entries} as blocks were stored before V44, in base64 in the text column (what an intruder can still write there). */
    public static String encodeAsText(List<AuditLog.Entry> entries) {
        return Base64.getEncoder().encodeToString(encode(entries, null));
    }

    /**
     * The stored bytes of {@code entries}, given (when not null) each one's spool line: a stored line is
     * its spool line with its place in the chain spliced in, so an entry is serialized once, by the
     * request that recorded it.
     */
    static byte[] encode(List<AuditLog.Entry> entries, List<byte[]> spoolLines) {
        ByteBuilder raw = new ByteBuilder(entries.size() * 384);
        for (int i = 0; i < entries.size(); i++) {
            AuditLog.Entry e = entries.get(i);
            byte[] line;
            try {
                line = spoolLines != null ? spoolLines.get(i) : line(e);
            } catch (IOException failed) {
                throw new UncheckedIOException(failed);
            }
            // {"seq":N,<the spool line's fields>,"hash":"…"[,"prevHash":"…"]}: an entry's link is the hash of the
            // entry before it, so it is stored only where that is not the line before (the block's first; a hash
            // does not compress).
            boolean linked = i > 0 && e.prevHash() != null && e.prevHash().equals(entries.get(i - 1).hash());
            raw.ascii("{\"seq\":").number(e.seq()).ascii(',');
            raw.bytes(line, 1, line.length - 2);   // without its braces and line break
            raw.ascii(",\"hash\":\"").ascii(String.valueOf(e.hash()));
            if (!linked) raw.ascii("\",\"prevHash\":\"").ascii(String.valueOf(e.prevHash()));
            raw.ascii("\"}\n");
        }
        // Deflated in one piece: a write per field crossed into the native deflater three times an entry.
        return Deflated.of(z -> z.write(raw.array(), 0, raw.length()), raw.length() / 3);
    }

    /** The entries of a stored block, in order: its bytes, or (null bytes) its text as stored before V44. */
    public static List<AuditLog.Entry> decode(String text, byte[] deflated) {
        return decode(deflated != null ? deflated : Base64.getDecoder().decode(text));
    }

    /** No block written is larger than this inflated: a larger one was made by someone else, and is not read into memory. */
    private static final long MAX_INFLATED_BYTES = 4L * MAX_RAW_BYTES;

    /** The entries of a block's stored bytes, in order. */
    public static List<AuditLog.Entry> decode(byte[] deflated) {
        List<AuditLog.Entry> entries = new ArrayList<>();
        java.io.InputStream inflated = new java.io.FilterInputStream(Deflated.reading(deflated)) {
            private long read;

            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) counted(1);
                return b;
            }

            @Override
            public int read(byte[] buf, int off, int n) throws IOException {
                int got = super.read(buf, off, n);
                if (got > 0) counted(got);
                return got;
            }

            private void counted(int n) throws IOException {
                read += n;
                if (read > MAX_INFLATED_BYTES) throw new IOException("an audit block larger than any written");
            }
        };
        try (BufferedReader in = new BufferedReader(new InputStreamReader(inflated, StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.isEmpty()) continue;
                AuditLog.Entry e = read(line);
                if (e.prevHash() == null && !entries.isEmpty()) e = e.linkedTo(entries.get(entries.size() - 1).hash());
                entries.add(e);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return entries;
    }

    /**
     * One entry as a JSON line: its fields by their record names, nulls left out, the time first (a
     * block's line splices the entry's place in the chain around it). Written field by field: the
     * record's generic serialization was half of what recording cost a request.
     */
    static byte[] line(AuditLog.Entry e) throws IOException {
        byte[] ascii = asciiLine(e);
        return ascii != null ? ascii : generatedLine(e);
    }

    private static final String[] LINE_NAMES = {"actorKind", "actorId", "userId", "credential", "operation", "resources", "source", "requestId", "outcome"};

    private static String[] lineValues(AuditLog.Entry e) {
        return new String[] {e.actorKind(), e.actorId(), e.userId(), e.credential(), e.operation(), e.resources(), e.source(), e.requestId(), e.outcome()};
    }

    /**
     * {@link #generatedLine}'s bytes, written directly, when every value is printable ASCII (as nearly every
     * entry's are); null otherwise. {@code AuditEntryTest} holds the two equal.
     */
    static byte[] asciiLine(AuditLog.Entry e) {
        ByteBuilder b = new ByteBuilder(320).ascii("{\"at\":\"").ascii(io.omix.server.common.time.IsoInstant.format(e.at())).ascii('"');
        String[] values = lineValues(e);
        for (int i = 0; i < values.length; i++) {
            if (values[i] == null) continue;
            b.ascii(",\"").ascii(LINE_NAMES[i]).ascii("\":\"");
            if (!b.jsonAscii(values[i])) return null;
            b.ascii('"');
        }
        if (e.records() != null) b.ascii(",\"records\":").number(e.records());
        return b.ascii("}\n").toArray();
    }

    /** The line through Jackson's generator (control characters escaped, other scripts in UTF-8, a lone surrogate escaped). */
    static byte[] generatedLine(AuditLog.Entry e) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(320);
        try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("at", io.omix.server.common.time.IsoInstant.format(e.at()));
            String[] values = lineValues(e);
            for (int i = 0; i < LINE_NAMES.length; i++) {
                if (values[i] != null) g.writeStringField(LINE_NAMES[i], values[i]);
            }
            if (e.records() != null) g.writeNumberField("records", e.records());
            g.writeEndObject();
        }
        out.write('\n');
        return out.toByteArray();
    }

    /** An entry from its line (this version's, or the record as earlier versions spooled it). */
    static AuditLog.Entry read(String line) throws IOException {
        return JSON.readValue(line, AuditLog.Entry.class);
    }

    /**
     * What a block is found by: {@code u:} the person an entry speaks for, {@code p:} the same where it
     * counts in that person's own view (not their own console), {@code a:} the caller, {@code ua:} the
     * pair (when an application last used a grant), {@code s:} every sample the entries name.
     * {@link AuditLog#verify} checks that a block's keys are exactly these.
     */
    public static Set<String> subjects(List<AuditLog.Entry> entries) {
        Set<String> keys = new java.util.TreeSet<>();
        // Runs of one caller's entries about the same things are the rule: each pair and text is looked at once.
        Set<List<String>> pairs = new java.util.HashSet<>();
        Set<String> scanned = new java.util.HashSet<>();
        for (AuditLog.Entry e : entries) {
            if (e.resources() != null && scanned.add(e.resources())) {
                Matcher m = SampleAccess.BIOSAMPLE_ID.matcher(e.resources());
                while (m.find()) keys.add(sampleKey(m.group()));
            }
            if (!pairs.add(java.util.Arrays.asList(e.userId(), e.actorId()))) continue;
            if (e.userId() != null) {
                keys.add(user(e.userId()));
                if (!("console:" + e.userId()).equals(e.actorId())) keys.add(person(e.userId()));
            }
            if (e.actorId() != null) keys.add(actor(e.actorId()));
            if (e.userId() != null && e.actorId() != null) keys.add(use(e.userId(), e.actorId()));
        }
        return keys;
    }

    static String user(String userId) {
        return key("u:" + userId);
    }

    static String person(String userId) {
        return key("p:" + userId);
    }

    static String actor(String actorId) {
        return key("a:" + actorId);
    }

    static String use(String userId, String actorId) {
        return key("ua:" + userId + " " + actorId);
    }

    /** A key fits its column (300): a longer one (ids are clipped before control characters are spelled out) ends in its hash. */
    private static String key(String key) {
        if (key.length() <= 300) return key;
        return key.substring(0, 235) + "#" + java.util.HexFormat.of().formatHex(io.omix.server.common.auth.Secrets.sha256(key.getBytes(StandardCharsets.UTF_8)));
    }

    /** The key of a sample, or null when {@code text} is not a whole biosample id (then blocks are searched, not looked up). */
    static String sample(String text) {
        return text != null && SampleAccess.BIOSAMPLE_ID.matcher(text).matches() ? sampleKey(text) : null;
    }

    /** The key of biosample {@code id}. */
    static String sampleKey(String id) {
        return "s:" + id;
    }

    /** The earliest and the latest time of a block's entries (its first_at and last_at). */
    public record TimeSpan(Instant first, Instant last) {
        public static TimeSpan of(List<AuditLog.Entry> entries) {
            Instant first = entries.get(0).at();
            Instant last = first;
            for (AuditLog.Entry e : entries) {
                if (e.at().isBefore(first)) first = e.at();
                if (e.at().isAfter(last)) last = e.at();
            }
            return new TimeSpan(first, last);
        }
    }

    /** Consecutive runs of {@code entries} that each fit a block. */
    public static List<List<AuditLog.Entry>> split(List<AuditLog.Entry> entries) {
        return ranges(entries).stream().map(r -> entries.subList(r[0], r[1])).toList();
    }

    /** Where {@link #split} cuts: [from, to) of each run. */
    static List<int[]> ranges(List<AuditLog.Entry> entries) {
        List<int[]> ranges = new ArrayList<>();
        int start = 0;
        long bytes = 0;
        for (int i = 0; i < entries.size(); i++) {
            long size = approximateSize(entries.get(i));
            if (i > start && (i - start >= MAX_ENTRIES || bytes + size > MAX_RAW_BYTES)) {
                ranges.add(new int[] {start, i});
                start = i;
                bytes = 0;
            }
            bytes += size;
        }
        if (start < entries.size()) ranges.add(new int[] {start, entries.size()});
        return ranges;
    }

    /**
     * At least the entry's line: its fixed part (names, time, numbers, seq, two hashes) and every text
     * field at six bytes a character (a lone surrogate is written as a six-character escape), so a block
     * of MAX_RAW_BYTES stays well inside its column, deflated or (as earlier versions stored it) in base64.
     */
    private static long approximateSize(AuditLog.Entry e) {
        return 450 + 6L * (length(e.actorKind()) + length(e.actorId()) + length(e.userId()) + length(e.credential()) + length(e.operation())
                + length(e.resources()) + length(e.source()) + length(e.requestId()) + length(e.outcome()));
    }

    private static int length(String s) {
        return s == null ? 0 : s.length();
    }
}
