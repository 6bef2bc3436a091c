package io.omix.server.variants;

import htsjdk.variant.variantcontext.VariantContext;
import htsjdk.variant.vcf.VCFIterator;
import htsjdk.variant.vcf.VCFIteratorBuilder;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** How fast the importer's parsing side runs alone (htsjdk + building rows, no database). Args: a VCF path. */
public final class RowBuildBench {
    private RowBuildBench() {}

    public static void main(String[] args) throws Exception {
        for (int round = 0; round < 3; round++) {
            long start = System.nanoTime();
            long rows = 0;
            try (InputStream in = Files.newInputStream(Path.of(args[0])); VCFIterator it = new VCFIteratorBuilder().open(in)) {
                long seq = 0;
                while (it.hasNext()) {
                    VariantContext vc = it.next();
                    seq++;
                    for (long rsid : VcfImporter.rsids(vc.getID())) {
                        VcfImporter.call(rsid, (int) seq, vc, 0, -1);
                        rows++;
                    }
                }
            }
            double s = (System.nanoTime() - start) / 1e9;
            System.out.printf("parse + build rows: %,d rows in %.2f s = %,.0f rows/s%n", rows, s, rows / s);
        }
    }
}
