package io.omix.server.variants;

import htsjdk.tribble.TribbleException;
import htsjdk.variant.variantcontext.Allele;
import htsjdk.variant.variantcontext.Genotype;
import htsjdk.variant.variantcontext.VariantContext;
import htsjdk.variant.vcf.VCFHeader;
import htsjdk.variant.vcf.VCFHeaderLine;
import htsjdk.variant.vcf.VCFInfoHeaderLine;
import io.omix.server.Platform;
import io.omix.server.common.db.Jdbc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Imports a sample's variant calls from a VCF or VCF.gz stream with htsjdk: read on the calling thread,
 * parsed on a few workers ({@link VcfRecords}), stored as blocks on another thread ({@link CallStore}), so
 * memory stays a few batches whatever the file's size. Records without an rs id are skipped (they cannot
 * be asked for); a record with several rs ids is stored under each. The file must be sorted by position.
 * The calls become the sample's current ones only when the whole file is in.
 */
public final class VcfImporter {
    private static final Logger LOG = LoggerFactory.getLogger(VcfImporter.class);
    /** Calls per batch handed to the writer and per commit. */
    static final int BATCH = 5_000;
    /** Threads parsing one import's records (the reading thread and the writer run beside them). */
    static final int PARSERS = Integer.getInteger("omix.vcf.parsers", Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())));
    /** INFO keys holding allele frequencies, kept under variant.information.frequency. */
    static final List<String> FREQUENCY_KEYS = List.of("AF", "CAF", "TOPMED", "GNOMAD_AF", "EAS_AF", "AFR_AF", "EUR_AF", "AMR_AF", "SAS_AF");

    /**
     * @param assembly        reference assembly (default: from the header's ##reference, else GRCh38)
     * @param dbsnpBuild      dbSNP build of the ids (default: ##dbSNP_BUILD_ID of the header)
     * @param pipelineVersion the pipeline that called the variants
     * @param sampleName      which sample column holds the calls (default: the first)
     */
    /** What an import says about its calls; the API's limits hold for every way in (the API, {@code omix admin}, a restored archive). */
    public record Options(String assembly, Integer dbsnpBuild, String pipelineVersion, String sampleName) {
        public static final Options DEFAULT = new Options(null, null, null, null);

        public Options {
            atMost("assembly", assembly, 32);
            atMost("pipeline_version", pipelineVersion, 64);
            atMost("sample_name", sampleName, 200);
            if (dbsnpBuild != null && (dbsnpBuild < 1 || dbsnpBuild > 10_000)) {
                throw new IllegalArgumentException("dbsnp_build must be between 1 and 10000, not " + dbsnpBuild);
            }
        }

        private static void atMost(String name, String value, int max) {
            if (value != null && value.length() > max) throw new IllegalArgumentException(name + " is longer than " + max + " characters");
            // Written back into exported VCF headers (##reference=...): a line break would end the header line there.
            if (value != null && value.chars().anyMatch(Character::isISOControl)) throw new IllegalArgumentException(name + " holds a control character");
        }
    }

    public record Result(String biosampleId, long sourceId, long imported, long skipped, long millis) {
        public double perSecond() {
            return millis == 0 ? imported : imported * 1000.0 / millis;
        }
    }

    private final Platform platform;
    private final Jdbc jdbc;

    public VcfImporter(Platform platform) {
        this.platform = platform;
        this.jdbc = platform.database().jdbc();
    }

    public Result importVcf(String biosampleId, InputStream in, Options options) {
        long started = System.nanoTime();
        VcfRecords vcf;
        try {
            vcf = VcfRecords.open(in);
        } catch (IOException | TribbleException | IllegalArgumentException e) {
            // A header line the parser refuses (a Number that is not one is the JDK's NumberFormatException): in our words.
            throw new IllegalArgumentException("not a VCF: " + VcfRecords.inOwnWords(e.getMessage()), e);
        }
        try (vcf) {
            VCFHeader header = vcf.header;
            int sampleIndex = sampleIndex(header, options.sampleName());
            if (header.getGenotypeSamples().size() > 2) {
                // A joint call: its figures and sites describe everyone in it, and are kept as the file has them (docs/api.md).
                LOG.warn("variant import for sample {}: the VCF has {} people's columns; its site figures (QUAL, INFO AN, DP, AF) and sites"
                        + " describe all of them, and are kept (split it first: bcftools view -s NAME -c 1 -a)", biosampleId,
                        header.getGenotypeSamples().size());
            }
            int symbolIndex = csqSymbolIndex(header);
            String assembly = options.assembly() != null ? options.assembly() : headerAssembly(header);
            Integer build = options.dbsnpBuild() != null ? options.dbsnpBuild() : headerInt(header, "dbSNP_BUILD_ID");
            // A header's build outside the parameter's range is no build, as one that is not a number is none: what is
            // stored must pass the parameter's check when an export is restored.
            if (options.dbsnpBuild() == null && build != null && (build < 1 || build > 10_000)) build = null;
            long sourceId = createSource(biosampleId, assembly, build, options.pipelineVersion());
            Writer writer = new Writer(sourceId);
            Thread writerThread = new Thread(writer, "vcf-writer-" + sourceId);
            writerThread.start();
            long imported = 0;
            long skipped = 0;
            // Each record's calls, one per rs id, built on the parsing workers.
            vcf.parseWith((vc, seq) -> {
                List<Long> rsids;
                try {
                    rsids = rsids(vc.getID());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(recordAt(seq, vc.getContig(), vc.getStart()) + ": " + e.getMessage(), e);
                }
                List<Call> calls = new ArrayList<>(rsids.size());
                for (long rsid : rsids) calls.add(checkedCall(rsid, (int) seq, vc, sampleIndex, symbolIndex));
                return calls;
            }, PARSERS);
            try {
                List<Call> batch = new ArrayList<>(BATCH);
                SortOrder order = new SortOrder();
                List<VcfRecords.Parsed<List<Call>>> chunk;
                while ((chunk = vcf.next()) != null) {
                    for (VcfRecords.Parsed<List<Call>> record : chunk) {
                        order.check(record.contig(), record.start(), record.seq());
                        if (record.value().isEmpty()) {
                            skipped++;
                            continue;
                        }
                        batch.addAll(record.value());
                        imported += record.value().size();
                    }
                    if (batch.size() >= BATCH) {
                        writer.put(batch);
                        batch = new ArrayList<>(BATCH);
                    }
                }
                if (!batch.isEmpty()) writer.put(batch);
                writer.finish();
                writerThread.join();
                writer.rethrow();
            } catch (RuntimeException | InterruptedException | Error e) {
                writer.abort();
                try {
                    writerThread.join(10_000);
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
                abandon(sourceId);
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("import interrupted", e);
                }
                throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
            }
            makeCurrent(biosampleId, sourceId, imported);
            long millis = (System.nanoTime() - started) / 1_000_000;
            LOG.info("imported {} calls ({} records without rs id skipped) into {} in {} ms", imported, skipped, biosampleId, millis);
            return new Result(biosampleId, sourceId, imported, skipped, millis);
        }
    }

    /** The record's rs ids; others, and rs ids larger than any dbSNP assigns ({@link CallBlocks#MAX_RSID}), are not kept. */
    static List<Long> rsids(String id) {
        List<Long> out = new ArrayList<>(1);
        if (id == null || id.equals(".")) return out;
        // By hand rather than split, substring and a stream per record: a few per cent of an import's parsing.
        int from = 0;
        while (from <= id.length()) {
            int end = id.indexOf(';', from);
            if (end < 0) end = id.length();
            int length = end - from;
            if (length > 2 && length < 15 && id.startsWith("rs", from) && digits(id, from + 2, end)) {
                long rsid = Long.parseLong(id, from + 2, end, 10);
                // An id twice in one record is one call (a second copy would be answered twice).
                if (rsid <= CallBlocks.MAX_RSID && !out.contains(rsid)) out.add(rsid);
            }
            from = end + 1;
        }
        if (out.size() > MAX_RSIDS_PER_RECORD) throw new IllegalArgumentException("more than " + MAX_RSIDS_PER_RECORD + " rs ids in one record");
        return out;
    }

    private static boolean digits(String s, int from, int to) {
        // ASCII digits only: Character.isDigit also takes other scripts' digits, which Long.parseLong reads as these.
        for (int i = from; i < to; i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
        return true;
    }

    /** Each id of a record is a copy of its call: dbSNP merges leave a few per record, never hundreds. */
    static final int MAX_RSIDS_PER_RECORD = 64;

    /** A multi-allelic site split into records has a few; a thousand is far beyond any real file. */
    static final int MAX_RECORDS_AT_ONE_POSITION = 1000;

    /**
     * Holds the file to the order blocks need: each chromosome in one run (its {@code chr} spelling or not),
     * positions ascending within it, as sorted VCFs are (and as tabix-indexed ones must be).
     */
    static final class SortOrder {
        private final java.util.Set<String> finished = new java.util.HashSet<>();
        private String chromosome;
        private long position;
        private int atPosition;

        void check(String contig, int start, long seq) {
            // Spellings of one chromosome as queries find them: X and chrX, no other case.
            String bare = contig.startsWith("chr") ? contig.substring(3) : contig;
            if (!bare.equals(chromosome)) {
                if (!finished.add(bare)) throw unsorted(contig, start, seq, "chromosome " + clip(contig, 40) + " comes back after another");
                chromosome = bare;
                atPosition = 0;
            } else if (start < position) {
                throw unsorted(contig, start, seq, "position " + start + " comes after " + position);
            } else if (start > position) {
                atPosition = 0;
            }
            // A region page resumes inside a position by reading past what it answered there: bounded, so that paging stays linear.
            if (++atPosition > MAX_RECORDS_AT_ONE_POSITION) {
                throw new IllegalArgumentException(recordAt(seq, contig, start) + ": more than " + MAX_RECORDS_AT_ONE_POSITION + " records at one position");
            }
            position = start;
        }

        private static IllegalArgumentException unsorted(String contig, int start, long seq, String what) {
            return new IllegalArgumentException(recordAt(seq, contig, start) + ": the VCF is not sorted by position ("
                    + what + "); sort it first, e.g. with bcftools sort");
        }
    }

    /**
     * A record's call under one of its rs ids, or the client's error naming the record: a value longer than
     * it may be, an allele index the record does not define, a malformed INFO or FORMAT number.
     */
    private static Call checkedCall(long rsid, int seq, VariantContext vc, int sampleIndex, int symbolIndex) {
        Call call;
        try {
            call = call(rsid, seq, vc, sampleIndex, symbolIndex);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(recordAt(seq, vc.getContig(), vc.getStart())
                    + ": malformed (an allele index, number or field the record does not define)", e);
        }
        check(seq, vc, "CHROM", call.chromosome(), 32);
        check(seq, vc, "REF", call.ref(), 1000);
        check(seq, vc, "ALT", call.alts(), 2000);
        check(seq, vc, "the sample's FORMAT values (GT, DP, AD, GQ, PL)", call.callData(), 500);
        check(seq, vc, "QUAL, AN and DP", call.siteData(), 100);
        check(seq, vc, "the INFO frequencies", call.frequency(), 2000);
        check(seq, vc, "the gene", call.gene(), 64);
        check(seq, vc, "the variant type", call.type(), 16);
        return call;
    }

    /** The most each text keeps: an export and the answers stay bounded whatever the file holds. */
    private static void check(int seq, VariantContext vc, String name, String value, int maxChars) {
        // No control character: PostgreSQL stores no NUL, and an export writes these texts back into VCF lines.
        if (value != null && value.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(recordAt(seq, vc.getContig(), vc.getStart()) + ": " + name + " holds a control character");
        }
        if (value != null && value.length() > maxChars) {
            throw new IllegalArgumentException(recordAt(seq, vc.getContig(), vc.getStart()) + ": " + name + " is longer than " + maxChars + " characters");
        }
    }

    private static String clip(String s, int max) {
        return s == null ? "" : io.omix.server.common.validation.Texts.cut(s, max);
    }

    /** How an error names a record: {@code record 12 (chr1:1000)}. */
    private static String recordAt(long seq, String contig, int start) {
        // The contig as the file wrote it, shortened and without control characters (an error names it back).
        String shown = contig == null ? "?" : clip(contig, 40).codePoints().map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return "record " + seq + " (" + shown + ":" + start + ")";
    }

    static Call call(long rsid, int seq, VariantContext vc, int sampleIndex, int symbolIndex) {
        StringBuilder alts = new StringBuilder();
        for (Allele a : vc.getAlternateAlleles()) {
            if (alts.length() > 0) alts.append(',');
            alts.append(a.getDisplayString());
        }
        SampleValues values = sampleIndex == 0 && vc.getNSamples() == 1 ? SampleValues.read(vc) : null;
        if (values == null && sampleIndex >= 0) values = decoded(vc, sampleIndex);
        String call = values == null || values.isEmpty() ? null : Packed.join(values.gt(), values.dp(), values.ad(), values.gq(), values.pl());
        Double qual = vc.hasLog10PError() ? vc.getPhredScaledQual() : null;
        if (qual != null && !Double.isFinite(qual)) qual = null; // NaN or Infinity, which htsjdk lets through: not a number JSON can carry
        Integer an = vc.hasAttribute("AN") ? vc.getAttributeAsInt("AN", 0) : null;
        Integer infoDp = vc.hasAttribute("DP") ? vc.getAttributeAsInt("DP", 0) : null;
        return new Call(rsid, seq, vc.getContig(), vc.getStart(), vc.getReference().getDisplayString(), alts.toString(), call,
                Packed.join(qual, an, infoDp), frequency(vc), gene(vc, symbolIndex), vc.getType().name().toLowerCase(java.util.Locale.ROOT), fastUuid());
    }

    /** The sample's values decoded by htsjdk: what {@link SampleValues#read} does not read itself. */
    static SampleValues decoded(VariantContext vc, int sampleIndex) {
        Genotype g = vc.getGenotype(sampleIndex);
        if (g == null) return null;
        String gt = null;
        if (g.getPloidy() > 0) {
            List<Allele> alleles = vc.getAlleles();
            StringBuilder s = new StringBuilder();
            for (Allele a : g.getAlleles()) {
                if (s.length() > 0) s.append(g.isPhased() ? '|' : '/');
                int index = a.isNoCall() ? 0 : alleles.indexOf(a);
                if (index < 0) throw new IllegalArgumentException("the genotype names an allele the record does not define");
                s.append(a.isNoCall() ? "." : String.valueOf(index));
            }
            gt = s.toString();
        }
        return new SampleValues(gt, g.hasDP() ? g.getDP() : null, g.hasAD() ? join(g.getAD()) : null, g.hasGQ() ? g.getGQ() : null,
                g.hasPL() ? join(g.getPL()) : null);
    }

    /** A random (version 4) UUID from a fast generator: variant ids identify calls, they are not secrets. */
    static UUID fastUuid() {
        java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
        long msb = (r.nextLong() & ~0xF000L) | 0x4000L;
        long lsb = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb);
    }

    private static String join(int[] values) {
        StringBuilder s = new StringBuilder();
        for (int v : values) {
            if (s.length() > 0) s.append(',');
            s.append(v);
        }
        return s.toString();
    }

    /** {"CAF":[0.37,0.63],...} for the frequency keys present; null when none. A value that is not a finite number is null. */
    static String frequency(VariantContext vc) {
        StringBuilder json = null;
        for (String key : FREQUENCY_KEYS) {
            if (!vc.hasAttribute(key)) continue;
            // The list itself, not getAttributeAsStringList's copy through a stream (a tenth of the parsing); a missing value is ".".
            json = appendList(json, key, vc.getAttributeAsList(key));
        }
        return json == null ? null : json.append('}').toString();
    }

    /** {@code "key":[numbers]} after what {@code json} holds, or opening it when null. */
    private static StringBuilder appendList(StringBuilder json, String key, List<?> values) {
        json = json == null ? new StringBuilder("{") : json.append(',');
        json.append('"').append(key).append("\":[");
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) json.append(',');
            Object value = values.get(i);
            appendNumber(json, value == null ? "." : value.toString());
        }
        return json.append(']');
    }

    private static final java.util.regex.Pattern STORED_LIST = java.util.regex.Pattern.compile("\"([A-Za-z0-9_]{1,40})\":\\[([^\\]]*)\\]");

    /**
     * Frequencies as an earlier importer stored them, made JSON: it wrote every value Java could read as a
     * number as written ({@code .5}, {@code +1}, {@code NaN}), which no JSON reader takes. Valid JSON is kept.
     */
    static String repairedFrequency(String stored) {
        if (stored == null) return null;
        try {
            io.omix.server.common.http.ServerJson.MAPPER.readTree(stored);
            return stored;
        } catch (java.io.IOException broken) {
            StringBuilder json = null;
            java.util.regex.Matcher m = STORED_LIST.matcher(stored);
            while (m.find()) {
                List<String> values = m.group(2).isEmpty() ? List.of() : java.util.Arrays.stream(m.group(2).split(",", -1)).map(String::trim).toList();
                json = appendList(json, m.group(1), values);
            }
            return json == null ? null : json.append('}').toString();
        }
    }

    /** -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, JSON's grammar for a number. */
    static boolean isJsonNumber(String v) {
        int n = v.length();
        int i = 0;
        if (i < n && v.charAt(i) == '-') i++;
        if (i == n) return false;
        if (v.charAt(i) == '0') {
            i++;
        } else {
            int start = i;
            while (i < n && v.charAt(i) >= '0' && v.charAt(i) <= '9') i++;
            if (i == start) return false;
        }
        if (i < n && v.charAt(i) == '.') {
            int start = ++i;
            while (i < n && v.charAt(i) >= '0' && v.charAt(i) <= '9') i++;
            if (i == start) return false;
        }
        if (i < n && (v.charAt(i) == 'e' || v.charAt(i) == 'E')) {
            i++;
            if (i < n && (v.charAt(i) == '+' || v.charAt(i) == '-')) i++;
            int start = i;
            while (i < n && v.charAt(i) >= '0' && v.charAt(i) <= '9') i++;
            if (i == start) return false;
        }
        return i == n;
    }

    /**
     * The value as a JSON number: as written when it is one already (nearly always), else as Java reads it
     * ({@code .5}, {@code +1}, {@code 5.}), else null ({@code .}, {@code NaN}, {@code Infinity}, text): the
     * stored JSON must parse when it is read back.
     */
    static void appendNumber(StringBuilder json, String v) {
        if (v == null || v.isEmpty() || v.equals(".")) {
            json.append("null");
        } else if (v.length() <= 32 && isJsonNumber(v) && readsAsDecimal(v)) {
            json.append(v);
        } else {
            try {
                double d = Double.parseDouble(v);
                json.append(Double.isFinite(d) ? Double.toString(d) : "null");
            } catch (NumberFormatException e) {
                json.append("null");
            }
        }
    }

    /**
     * Whether a JSON number is also a decimal the answer can read back: {@code 1e2147483648} is JSON, but
     * its scale does not fit Java's decimals, and every read of its call failed. Only an exponent of ten
     * digits or more can be out of range, so the others are not parsed twice.
     */
    static boolean readsAsDecimal(String jsonNumber) {
        int e = Math.max(jsonNumber.indexOf('e'), jsonNumber.indexOf('E'));
        if (e < 0 || jsonNumber.length() - e - 1 < 10) return true;
        try {
            new java.math.BigDecimal(jsonNumber);
            return true;
        } catch (NumberFormatException outOfRange) {
            return false;
        }
    }

    /** The gene symbol from dbSNP's GENEINFO, SnpEff's ANN or VEP's CSQ, when present. */
    static String gene(VariantContext vc, int csqSymbolIndex) {
        String geneInfo = vc.getAttributeAsString("GENEINFO", null);
        // An empty symbol (":7157", ":") names no gene: the other annotations are asked (":" alone used to fail the import).
        if (geneInfo != null && symbolEnd(geneInfo) > 0 && !geneInfo.equals(".")) return clip(geneInfo.substring(0, symbolEnd(geneInfo)));
        String ann = vc.getAttributeAsString("ANN", null);
        if (ann != null && !ann.isEmpty()) {
            String[] fields = ann.split(",")[0].split("\\|", -1);
            if (fields.length > 3 && !fields[3].isEmpty()) return clip(fields[3]);
        }
        if (csqSymbolIndex >= 0) {
            String csq = vc.getAttributeAsString("CSQ", null);
            if (csq != null && !csq.isEmpty()) {
                String[] fields = csq.split(",")[0].split("\\|", -1);
                if (fields.length > csqSymbolIndex && !fields[csqSymbolIndex].isEmpty()) return clip(fields[csqSymbolIndex]);
            }
        }
        return null;
    }

    /** Where GENEINFO's first symbol ends ({@code TP53:7157|WRAP53:55135}): at its first ':' or '|' (a regex split compiled a pattern per record). */
    private static int symbolEnd(String geneInfo) {
        for (int i = 0; i < geneInfo.length(); i++) {
            char c = geneInfo.charAt(i);
            if (c == ':' || c == '|') return i;
        }
        return geneInfo.length();
    }

    private static String clip(String s) {
        return clip(s, 64);
    }

    private static int sampleIndex(VCFHeader header, String sampleName) {
        List<String> names = header.getGenotypeSamples();
        if (sampleName == null) return names.isEmpty() ? -1 : 0;
        int i = names.indexOf(sampleName);
        if (i < 0) throw new IllegalArgumentException("the VCF has no sample column '" + sampleName + "'; it has " + names);
        return i;
    }

    private static int csqSymbolIndex(VCFHeader header) {
        VCFInfoHeaderLine csq = header.getInfoHeaderLine("CSQ");
        if (csq == null) return -1;
        String d = csq.getDescription();
        int at = d.indexOf("Format:");
        if (at < 0) return -1;
        String[] fields = d.substring(at + 7).trim().split("\\|");
        for (int i = 0; i < fields.length; i++) if (fields[i].trim().equals("SYMBOL")) return i;
        return -1;
    }

    private static String headerAssembly(VCFHeader header) {
        for (VCFHeaderLine line : header.getMetaDataInInputOrder()) {
            if (line.getKey().equals("reference")) {
                String v = line.getValue();
                for (String known : List.of("GRCh38", "GRCh37", "hg38", "hg19", "GRCm39", "GRCm38")) if (v.contains(known)) return known;
            }
        }
        return "GRCh38";
    }

    private static Integer headerInt(VCFHeader header, String key) {
        VCFHeaderLine line = header.getOtherHeaderLine(key);
        if (line == null) return null;
        try {
            return Integer.valueOf(line.getValue().trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private long createSource(String biosampleId, String assembly, Integer build, String pipeline) {
        return jdbc.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO variant_sources (biosample_id, assembly, dbsnp_build, pipeline_version, "
                    + "is_current, imported_at) VALUES (?,?,?,?,FALSE,?)", Statement.RETURN_GENERATED_KEYS)) {
                Jdbc.bind(ps, biosampleId, assembly, build, pipeline, platform.now());
                ps.executeUpdate();
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    keys.next();
                    return keys.getLong(1);
                }
            }
        });
    }

    /**
     * The new calls replace the old in one transaction, which also marks every other import of the sample
     * (the replaced one, any still running) for removal; their calls go after it, in steps.
     */
    private void makeCurrent(String biosampleId, long sourceId, long count) {
        List<Long> replaced = jdbc.inTransaction(c -> {
            // The sample's import rows, locked in one order (erasure takes them the same way): of two imports
            // finishing at once, the second waits for the first's switch and then finds itself marked. Without
            // it each could set itself current unseen by the other, leaving two current imports.
            Jdbc.query(c, "SELECT source_id FROM variant_sources WHERE biosample_id = ? ORDER BY source_id FOR UPDATE", rs -> 1, biosampleId);
            // This import's own row: another import of the sample that finished meanwhile, or the sample's
            // erasure, marked or removed it, and then what that left stays as it is.
            if (Jdbc.update(c, "UPDATE variant_sources SET is_current = TRUE, variant_count = ? WHERE source_id = ? AND removing = FALSE",
                    count, sourceId) != 1) return null;
            List<Long> others = Jdbc.query(c, "SELECT source_id FROM variant_sources WHERE biosample_id = ? AND source_id <> ?",
                    rs -> rs.getLong(1), biosampleId, sourceId);
            Jdbc.update(c, "UPDATE variant_sources SET is_current = FALSE, removing = TRUE WHERE biosample_id = ? AND source_id <> ?", biosampleId, sourceId);
            io.omix.server.webhooks.WebhookEvents.publishForSample(c, platform.now(), biosampleId, "variants", io.omix.server.webhooks.WebhookEvents.SAMPLE_DATA_IMPORTED,
                    java.util.Map.of("biosample_id", biosampleId, "data", "variants", "records", count));
            return others;
        });
        if (replaced == null) {
            // Blocks the writer stored after the row went (or was marked): nothing may outlive its import.
            abandon(sourceId);
            throw new IllegalArgumentException("another import of the sample, or its erasure, finished while this import ran; nothing of this one was kept");
        }
        for (long old : replaced) {
            try {
                finishRemoval(jdbc, old);
            } catch (RuntimeException e) {
                // The new calls are current and answered; the old stay marked, and housekeeping removes them.
                LOG.warn("the calls of replaced import {} are left to housekeeping: {}", old, e.toString());
            }
        }
    }

    /** Removes what an import that failed, or lost its row, wrote: it never became current, so nothing else may need it. */
    private void abandon(long sourceId) {
        CallStore.deleteInSteps(jdbc, sourceId);
        jdbc.update("DELETE FROM variant_sources WHERE source_id = ? AND is_current = FALSE", sourceId);
    }

    private static void finishRemoval(Jdbc jdbc, long sourceId) {
        CallStore.deleteInSteps(jdbc, sourceId);
        jdbc.update("DELETE FROM variant_sources WHERE source_id = ? AND removing = TRUE", sourceId);
    }

    /** How long an import may run: one neither current nor marked after it began so long ago was cut short. */
    static final java.time.Duration IMPORT_GIVEN_UP_AFTER = java.time.Duration.ofDays(1);

    /**
     * Housekeeping: finishes removals a crash (or a stopped server) cut short, removes what imports cut short wrote
     * (a server killed or stopped mid-import, a command interrupted: their calls stayed, never current and never
     * marked, until the sample's next import), and removes calls whose import row is gone (an import still writing
     * when another import or the sample's erasure removed its row, then stopped); how many imports' calls it removed.
     */
    static long finishRemovals(Jdbc jdbc, java.time.OffsetDateTime now) {
        // Marked as a replaced import is: one that is in fact still running finds its mark when it ends, and gives up.
        jdbc.update("UPDATE variant_sources SET removing = TRUE WHERE is_current = FALSE AND removing = FALSE AND imported_at < ?",
                now.minus(IMPORT_GIVEN_UP_AFTER));
        List<Long> marked = jdbc.query("SELECT source_id FROM variant_sources WHERE removing = TRUE", rs -> rs.getLong(1));
        for (long sourceId : marked) finishRemoval(jdbc, sourceId);
        return marked.size() + CallStore.removeOrphans(jdbc);
    }

    /** Writes batches handed over by the parser as blocks, committing each: a crash loses no acknowledged import and leaves nothing current. */
    private final class Writer implements Runnable {
        private final BlockingQueue<List<Call>> queue = new ArrayBlockingQueue<>(4);
        private final long sourceId;
        private volatile boolean done;
        private volatile boolean aborted;
        private volatile RuntimeException failure;

        Writer(long sourceId) {
            this.sourceId = sourceId;
        }

        void put(List<Call> batch) throws InterruptedException {
            while (!queue.offer(batch, 100, TimeUnit.MILLISECONDS)) {
                rethrow();
                if (aborted) throw new IllegalStateException("import aborted");
            }
        }

        void finish() {
            done = true;
        }

        void abort() {
            aborted = true;
        }

        void rethrow() {
            if (failure != null) throw failure;
        }

        @Override
        public void run() {
            try {
                jdbc.withConnection(c -> {
                    c.setAutoCommit(false);
                    try (CallStore.Writer blocks = new CallStore.Writer(c, sourceId, platform.config().variantMaxCallsPerImport())) {
                        while (!aborted) {
                            List<Call> batch = queue.poll(50, TimeUnit.MILLISECONDS);
                            if (batch == null) {
                                if (done) {
                                    blocks.finish();
                                    c.commit();
                                    break;
                                }
                                continue;
                            }
                            for (Call call : batch) blocks.add(call);
                            blocks.flush();
                            c.commit();
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        c.setAutoCommit(true);
                    }
                    return null;
                });
            } catch (RuntimeException e) {
                failure = e;
                aborted = true;
                LOG.warn("variant import into source {} failed: {}", sourceId, e.getMessage());
            }
        }
    }

}
