package io.omix.server.variants;

import java.util.UUID;

/**
 * One stored call: a VCF record's values under one of its rs ids ({@code seq} numbers the records of
 * an import, so the calls of one record share it).
 *
 * @param callData the sample's GT;DP;AD;GQ;PL ({@link Packed}), null without a sample column
 * @param siteData the site's QUAL;AN;DP
 * @param frequency JSON object of the INFO frequency lists, null when none
 */
record Call(long rsid, int seq, String chromosome, long position, String ref, String alts, String callData, String siteData,
            String frequency, String gene, String type, UUID variantId) {
    Call withChromosome(String name) {
        return new Call(rsid, seq, name, position, ref, alts, callData, siteData, frequency, gene, type, variantId);
    }
}
