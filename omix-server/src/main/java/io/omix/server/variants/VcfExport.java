package io.omix.server.variants;

import com.fasterxml.jackson.databind.JsonNode;
import io.omix.server.common.db.Jdbc;
import io.omix.server.common.http.ServerJson;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/**
 * A sample's current variant calls written back as a VCF that {@link VcfImporter} reads to the same
 * calls: one record per imported record, its rs ids in ID, the sample's GT:DP:AD:GQ:PL, the site's
 * QUAL, AN and DP, the frequency lists and the gene (as GENEINFO). For exports (right of access).
 */
public final class VcfExport {
    /** What an export needs to import the calls again as they were. */
    public record Source(long id, String assembly, Integer dbsnpBuild, String pipelineVersion, long calls, java.time.OffsetDateTime importedAt) {}

    private VcfExport() {}

    /** The sample's current import, when it has one. */
    public static Optional<Source> source(Connection c, String biosampleId) throws SQLException {
        return Jdbc.query(c, "SELECT source_id, assembly, dbsnp_build, pipeline_version, variant_count, imported_at FROM variant_sources"
                + " WHERE biosample_id = ? AND is_current = TRUE", rs -> new Source(rs.getLong(1), rs.getString(2), (Integer) rs.getObject(3),
                rs.getString(4), rs.getLong(5), rs.getObject(6, java.time.OffsetDateTime.class)), biosampleId).stream().findFirst();
    }

    /** Writes the calls of {@code source} (the sample's current import) as VCF to {@code out} (not closed); the number of calls written. */
    public static long write(Connection c, String biosampleId, Source source, OutputStream out) throws SQLException, IOException {
        return write(c, biosampleId, source, null, false, out);
    }

    /**
     * Writes the VCF header and, unless {@code headerOnly}, the calls of {@code source} in {@code region}
     * (all of them when null), by position (htsget's slices); the number of calls written.
     */
    public static long write(Connection c, String biosampleId, Source source, VariantStore.Region region, boolean headerOnly, OutputStream out)
            throws SQLException, IOException {
        Writer w = new java.io.BufferedWriter(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
        w.write("##fileformat=VCFv4.2\n##source=Omix export\n##reference=" + source.assembly() + "\n");
        if (source.dbsnpBuild() != null) w.write("##dbSNP_BUILD_ID=" + source.dbsnpBuild() + "\n");
        w.write("##INFO=<ID=AN,Number=1,Type=Integer,Description=\"Total number of alleles in called genotypes\">\n");
        w.write("##INFO=<ID=DP,Number=1,Type=Integer,Description=\"Combined depth across samples\">\n");
        w.write("##INFO=<ID=GENEINFO,Number=1,Type=String,Description=\"Gene symbol\">\n");
        for (String key : VcfImporter.FREQUENCY_KEYS) {
            w.write("##INFO=<ID=" + key + ",Number=.,Type=String,Description=\"Allele frequencies (" + key + ")\">\n");
        }
        w.write("##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n");
        w.write("##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"Read depth\">\n");
        w.write("##FORMAT=<ID=AD,Number=.,Type=Integer,Description=\"Allelic depths\">\n");
        w.write("##FORMAT=<ID=GQ,Number=1,Type=Integer,Description=\"Genotype quality\">\n");
        w.write("##FORMAT=<ID=PL,Number=.,Type=Integer,Description=\"Phred-scaled genotype likelihoods\">\n");
        // A VCF without a sample column was imported without calls: it goes back without one.
        boolean withCalls = CallStore.withCalls(c, source.id());
        w.write("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO" + (withCalls ? "\tFORMAT\t" + biosampleId : "") + "\n");
        long calls = 0;
        if (headerOnly) {
            w.flush();
            return 0;
        }
        // The calls of one VCF record (one per rs id) are consecutive and share seq: they are written back as one record.
        Record[] pending = {null};
        long[] count = {0};
        CallStore.Visitor gather = call -> {
            if (pending[0] != null && pending[0].seq == call.seq()) {
                pending[0].ids.append(";rs").append(call.rsid());
            } else {
                if (pending[0] != null) writeRecord(w, pending[0], withCalls);
                pending[0] = new Record(call);
            }
            count[0]++;
            return true;
        };
        try {
            if (region == null) {
                CallStore.scanAll(c, source.id(), gather);
            } else {
                CallStore.scan(c, source.id(), java.util.List.of(region.chromosome(), region.otherSpelling()), region.start(), region.end(), gather);
            }
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
        if (pending[0] != null) pending[0].write(w, withCalls);
        calls = count[0];
        w.flush();
        return calls;
    }

    /** The Visitor cannot throw IOException: the writer's failures go through as unchecked. */
    private static void writeRecord(Writer w, Record r, boolean withCalls) {
        try {
            r.write(w, withCalls);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** One VCF record being gathered from its calls. */
    private static final class Record {
        final int seq;
        final StringBuilder ids;
        final String chromosome;
        final long position;
        final String ref;
        final String alts;
        final String call;
        final String site;
        final String frequency;
        final String gene;

        Record(Call c) {
            this.seq = c.seq();
            this.ids = new StringBuilder("rs").append(c.rsid());
            this.chromosome = c.chromosome();
            this.position = c.position();
            this.ref = c.ref();
            this.alts = c.alts();
            this.call = c.callData();
            this.site = c.siteData();
            this.frequency = c.frequency();
            this.gene = c.gene();
        }

        void write(Writer w, boolean withCalls) throws IOException {
            String[] s = Packed.split(site, 3);
            StringBuilder info = new StringBuilder();
            if (s[1] != null) info.append("AN=").append(s[1]);
            if (s[2] != null) append(info, "DP=" + s[2]);
            if (frequency != null) {
                JsonNode lists = ServerJson.MAPPER.readTree(frequency);
                for (var it = lists.fields(); it.hasNext(); ) {
                    var e = it.next();
                    StringBuilder values = new StringBuilder();
                    for (JsonNode v : e.getValue()) {
                        if (values.length() > 0) values.append(',');
                        values.append(v.isNull() ? "." : v.asText());
                    }
                    append(info, e.getKey() + "=" + values);
                }
            }
            if (gene != null) append(info, "GENEINFO=" + gene.replaceAll("[;=\\s]", "_"));
            StringBuilder sample = new StringBuilder();
            if (withCalls) {
                String[] f = Packed.split(call, 5);
                sample.append("\tGT:DP:AD:GQ:PL\t");
                for (int i = 0; i < 5; i++) {
                    if (i > 0) sample.append(':');
                    sample.append(f[i] == null ? "." : f[i]);
                }
            }
            w.write(chromosome + "\t" + position + "\t" + ids + "\t" + ref + "\t" + (alts == null || alts.isEmpty() ? "." : alts) + "\t"
                    + (s[0] == null ? "." : s[0]) + "\t.\t" + (info.length() == 0 ? "." : info) + sample + "\n");
        }

        private static void append(StringBuilder info, String item) {
            if (info.length() > 0) info.append(';');
            info.append(item);
        }
    }
}
