package io.omix.server.variants;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Records parsed on several threads come back in file order, and a bad one is named by its line in the whole file. */
class VcfRecordsTest {
    static final int RECORDS = 2 * VcfRecords.CHUNK + 500;

    static List<VcfRecords.Parsed<String>> readAll(byte[] vcf, int threads) throws Exception {
        List<VcfRecords.Parsed<String>> out = new ArrayList<>();
        try (VcfRecords records = VcfRecords.open(new ByteArrayInputStream(vcf))) {
            records.parseWith((vc, seq) -> vc.getID() + "@" + Thread.currentThread().getName(), threads);
            List<VcfRecords.Parsed<String>> chunk;
            while ((chunk = records.next()) != null) out.addAll(chunk);
        }
        return out;
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    @Test
    void recordsComeBackInFileOrderPlainOrGzipped() throws Exception {
        byte[] vcf = CallStoreTest.vcf(RECORDS).getBytes(StandardCharsets.UTF_8);
        for (byte[] input : List.of(vcf, gzip(vcf))) {
            List<VcfRecords.Parsed<String>> all = readAll(input, 3);
            assertEquals(RECORDS, all.size());
            for (int i = 0; i < RECORDS; i++) {
                assertEquals(i + 1, all.get(i).seq());
                assertEquals(1000 + i / 2, all.get(i).start());
                assertTrue(all.get(i).value().startsWith("rs" + (5000 - i)), all.get(i).value());
                assertTrue(all.get(i).value().endsWith("@vcf-parser"), "parsed off the reading thread");
            }
        }
    }

    /**
     * A compressed VCF can unpack to anything: a line beyond 1 MiB is refused as it is read (named by its line), a
     * header beyond 32 MiB too, and records of long lines are cut into smaller chunks than 1,000 (all still read in order).
     */
    @Test
    void overlongLinesAndHeadersAreRefusedAsTheyAreRead() throws Exception {
        String good = CallStoreTest.vcf(10);
        int headerLines = (int) CallStoreTest.vcf(0).lines().count();
        List<String> lines = new ArrayList<>(good.lines().toList());
        lines.set(headerLines + 4, lines.get(headerLines + 4).replace("\tPASS\t.\t", "\tPASS\tNOTE=" + "x".repeat(VcfRecords.MAX_LINE_CHARS) + "\t"));
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> readAll(gzip(String.join("\n", lines).getBytes(StandardCharsets.UTF_8)), 2));
        assertEquals("line " + (headerLines + 5) + " of the VCF is longer than 1 MiB", tooLong.getMessage());

        StringBuilder header = new StringBuilder("##fileformat=VCFv4.2\n");
        String filler = "##x=" + "y".repeat(1000) + "\n";
        while (header.length() <= VcfRecords.MAX_HEADER_CHARS) header.append(filler);
        IOException bigHeader = assertThrows(IOException.class, () -> VcfRecords.open(new ByteArrayInputStream(
                gzip((header + good.substring(good.indexOf("#CHROM"))).getBytes(StandardCharsets.UTF_8)))).close());
        assertEquals("its header is longer than 32 MiB", bigHeader.getMessage());

        List<String> wide = new ArrayList<>(CallStoreTest.vcf(RECORDS).lines().toList());
        String note = "x".repeat(20_000);
        for (int i = headerLines; i < wide.size(); i++) wide.set(i, wide.get(i).replace("\tPASS\t.\t", "\tPASS\tNOTE=" + note + "\t"));
        List<VcfRecords.Parsed<String>> all = readAll(String.join("\n", wide).getBytes(StandardCharsets.UTF_8), 2);
        assertEquals(RECORDS, all.size(), "every record, in chunks of at most 8 MiB of lines");
        for (int i = 0; i < RECORDS; i++) assertEquals(i + 1, all.get(i).seq());
    }

    @Test
    void aMalformedRecordIsNamedByItsLineInTheWholeFileAndNothingAfterItIsRead() throws Exception {
        String good = CallStoreTest.vcf(RECORDS);
        int headerLines = (int) CallStoreTest.vcf(0).lines().count();
        List<String> lines = new ArrayList<>(good.lines().toList());
        int bad = headerLines + 2 * VcfRecords.CHUNK + 7; // in the third chunk, on whichever worker
        lines.set(bad - 1, "1\tnot-a-position\trs1\tA\tG\t.\tPASS\t.\tGT\t0/1");
        byte[] vcf = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> readAll(vcf, 2));
        assertTrue(e.getMessage().startsWith("malformed VCF: ") && e.getMessage().contains("line number " + bad + ":"), e.getMessage());
    }

    @Test
    void bcfIsRefusedWithWhatToDo() {
        IOException e = assertThrows(IOException.class, () -> VcfRecords.open(new ByteArrayInputStream("BCF\2\2rest".getBytes(StandardCharsets.ISO_8859_1))));
        assertTrue(e.getMessage().contains("bcftools view -Ov"), e.getMessage());
    }

    @Test
    void bgzfIsReadBlockAfterBlockAndACutGzipIsTheClientsError() throws Exception {
        byte[] vcf = CallStoreTest.vcf(RECORDS).getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream bgzf = new ByteArrayOutputStream();
        try (var out = new htsjdk.samtools.util.BlockCompressedOutputStream(bgzf, (java.nio.file.Path) null)) {
            out.write(vcf);
        }
        // An upload that never says more is waiting (available() = 0) between blocks, as a network stream may.
        java.io.InputStream slow = new java.io.FilterInputStream(new ByteArrayInputStream(bgzf.toByteArray())) {
            @Override
            public int available() {
                return 0;
            }
        };
        List<VcfRecords.Parsed<String>> all = new ArrayList<>();
        try (VcfRecords records = VcfRecords.open(slow)) {
            records.parseWith((vc, seq) -> vc.getID(), 2);
            List<VcfRecords.Parsed<String>> chunk;
            while ((chunk = records.next()) != null) all.addAll(chunk);
        }
        assertEquals(RECORDS, all.size(), "every block read");

        // Cut well after the header (a cut inside it is "not a VCF", from open).
        byte[] gz = gzip(CallStoreTest.vcf(10 * RECORDS).getBytes(StandardCharsets.UTF_8));
        byte[] cut = java.util.Arrays.copyOf(gz, gz.length / 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> readAll(cut, 2));
        assertTrue(e.getMessage().startsWith("the VCF cannot be read after line "), e.getMessage());
        assertTrue(e.getMessage().endsWith(": the upload ended early or its compressed data is corrupt"), "no reader's own words: " + e.getMessage());
    }

    /** What a refusal of the file says is about the file: no class of the parser's ("VariantContext") and no "ZLIB". */
    @Test
    void refusalsNameNoClassOrLibraryOfTheReader() throws Exception {
        String head = "##fileformat=VCFv4.2\n##FORMAT=<ID=GT,Number=1,Type=String,Description=\"g\">\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n";
        byte[] repeatedAlt = (head + "1\t100\trs1\tA\tG,G\t50\tPASS\t.\tGT\t0/1\n").getBytes(StandardCharsets.UTF_8);
        IllegalArgumentException record = assertThrows(IllegalArgumentException.class, () -> readAll(repeatedAlt, 2));
        assertTrue(record.getMessage().contains("Duplicate allele added to the record: G"), record.getMessage());
        assertTrue(record.getMessage().contains("line number 4"), record.getMessage());

        byte[] angled = ("##fileformat=VCFv4.2\n##fo<o=bar\n" + head.substring(head.indexOf("##FORMAT"))).getBytes(StandardCharsets.UTF_8);
        String header = headerRefusal(angled);
        assertEquals("header line: key cannot contain angle brackets", header);

        byte[] gz = gzip(CallStoreTest.vcf(10).getBytes(StandardCharsets.UTF_8));
        for (int length : new int[] {12, 30, gz.length / 4}) {
            byte[] cut = java.util.Arrays.copyOf(gz, length);
            assertEquals("it cannot be read: the upload ended early or its compressed data is corrupt", headerRefusal(cut), "cut at " + length);
        }
        ByteArrayOutputStream bgzf = new ByteArrayOutputStream();
        try (var out = new htsjdk.samtools.util.BlockCompressedOutputStream(bgzf, (java.nio.file.Path) null)) {
            out.write(CallStoreTest.vcf(10).getBytes(StandardCharsets.UTF_8));
        }
        for (int length : new int[] {20, 40, 200}) {
            byte[] cut = java.util.Arrays.copyOf(bgzf.toByteArray(), length);
            assertEquals("it cannot be read: the upload ended early or its compressed data is corrupt", headerRefusal(cut), "BGZF cut at " + length);
        }
        byte[] corrupt = gz.clone();
        for (int i = 12; i < 40; i++) corrupt[i] ^= 0x5a;
        assertEquals("it cannot be read: the upload ended early or its compressed data is corrupt", headerRefusal(corrupt));
        for (String word : List.of("VCFHeaderLine", "VariantContext", "ZLIB", "Exception")) {
            assertTrue(!record.getMessage().contains(word) && !header.contains(word), word);
        }
    }

    /** What the importer says after "not a VCF: " when the file's header cannot be read (VcfImporter.importVcf). */
    private static String headerRefusal(byte[] vcf) {
        try (VcfRecords ignored = VcfRecords.open(new ByteArrayInputStream(vcf))) {
            throw new AssertionError("the header was read");
        } catch (IOException | htsjdk.tribble.TribbleException | IllegalArgumentException e) {
            return VcfRecords.inOwnWords(e.getMessage());
        }
    }
}
