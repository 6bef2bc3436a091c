package io.omix.sdk;

import java.util.List;
import java.util.Map;

/**
 * One answer of get_variants (the open platform), typed: {@code api.getVariants(...).as(Variant.class)}.
 * An id the sample has no call for comes back with {@code isAssayed == false} and {@code variant == null}.
 *
 * @param isAssayed      whether the sample's current import has a call for the asked id
 * @param isGenotyped    whether the call has a genotype that is not a no-call
 * @param isNoCall       whether the genotype has a missing allele ({@code ./.})
 * @param alternateId    the rs id this entry answers for
 * @param variantId      the platform's id of the stored call, or null when not assayed
 * @param variant        the call itself, or null when not assayed
 * @param source         where the calls came from: {@code tag} (assembly, dbSNP build), {@code pipeline_version}, {@code update_time}
 * @param genomicContext {@code gene}: the gene the call lies in (from dbSNP GENEINFO, SnpEff ANN or VEP CSQ), empty when none
 */
public record Variant(Boolean isAssayed, Boolean isGenotyped, Boolean isNoCall, List<String> alternateId, String variantId,
                      Detail variant, Map<String, Object> source, Map<String, Object> genomicContext) {

    /**
     * Where the call is and what was called; {@code call} holds GT, DP, AD, GQ, PL as in the VCF.
     *
     * @param chromosome    the chromosome, as the VCF names it
     * @param position      the 1-based position on the chromosome
     * @param referenceBase the reference allele
     * @param alternateBase the alternate alleles
     * @param genotype      the called alleles spelled out, e.g. {@code C/A} (phased {@code C|A})
     * @param type          the kind of variant, e.g. {@code snp} or {@code indel}
     * @param call          the sample's call fields: GT, DP, AD, GQ, PL
     * @param information   the site's data: {@code site_quality} (QUAL), AN and DP of INFO, {@code frequency} (AF, CAF, TOPMED, GNOMAD_AF, ...)
     */
    public record Detail(String chromosome, Long position, String referenceBase, List<String> alternateBase, String genotype,
                         String type, Map<String, Object> call, Map<String, Object> information) {}
}
