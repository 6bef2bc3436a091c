package io.omix.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Writes a realistic single-sample VCF of n records (rs1..rsN), seeded so runs are comparable: the
 * import that {@code omix admin aot-train} runs, and the benchmarks' input.
 */
public final class SyntheticVcf {
    private SyntheticVcf() {}

    public static Path write(Path file, int n) throws IOException {
        Random random = new Random(42);
        String[] bases = {"A", "C", "G", "T"};
        String[] gts = {"0/0", "0/1", "1/1", "0|1", "./."};
        try (BufferedWriter w = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(file), StandardCharsets.US_ASCII), 1 << 16)) {
            w.write("##fileformat=VCFv4.2\n##reference=GRCh38\n##dbSNP_BUILD_ID=151\n");
            w.write("##INFO=<ID=AN,Number=1,Type=Integer,Description=\"AN\">\n##INFO=<ID=DP,Number=1,Type=Integer,Description=\"DP\">\n");
            w.write("##INFO=<ID=CAF,Number=.,Type=String,Description=\"CAF\">\n##INFO=<ID=GENEINFO,Number=1,Type=String,Description=\"gene\">\n");
            w.write("##FORMAT=<ID=GT,Number=1,Type=String,Description=\"GT\">\n##FORMAT=<ID=AD,Number=R,Type=Integer,Description=\"AD\">\n");
            w.write("##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"DP\">\n##FORMAT=<ID=GQ,Number=1,Type=Integer,Description=\"GQ\">\n");
            w.write("##FORMAT=<ID=PL,Number=G,Type=Integer,Description=\"PL\">\n");
            for (int c = 1; c <= 22; c++) w.write("##contig=<ID=chr" + c + ",length=250000000>\n");
            w.write("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tSAMPLE\n");
            int perChrom = n / 22 + 1;
            for (int i = 1; i <= n; i++) {
                int chrom = (i - 1) / perChrom + 1;
                long pos = ((i - 1) % perChrom) * 100L + 1 + random.nextInt(90);
                String ref = bases[random.nextInt(4)];
                String alt = bases[(java.util.Arrays.asList(bases).indexOf(ref) + 1 + random.nextInt(3)) % 4];
                int dp = 10 + random.nextInt(90);
                int altDepth = random.nextInt(dp);
                double caf = random.nextDouble();
                w.write("chr" + chrom + "\t" + pos + "\trs" + i + "\t" + ref + "\t" + alt + "\t" + (50 + random.nextInt(1500)) + ".5\tPASS\tAN=2;DP="
                        + dp + ";CAF=" + String.format(java.util.Locale.ROOT, "%.4f,%.4f", caf, 1 - caf) + (i % 10 == 0 ? ";GENEINFO=GENE" + (i / 10) + ":" + i : "")
                        + "\tGT:AD:DP:GQ:PL\t" + gts[random.nextInt(gts.length)] + ":" + (dp - altDepth) + "," + altDepth + ":" + dp + ":"
                        + (20 + random.nextInt(80)) + ":" + random.nextInt(2000) + ",0," + random.nextInt(2000) + "\n");
            }
        }
        return file;
    }
}
