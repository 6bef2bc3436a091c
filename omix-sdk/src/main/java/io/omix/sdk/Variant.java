package io.omix.sdk;

import java.util.List;
import java.util.Map;

/**
 * One answer of get_variants (the open platform), typed: {@code api.getVariants(...).as(Variant.class)}.
 * An id the sample has no call for comes back with {@code isAssayed == false} and {@code variant == null}.
 */
public record Variant(Boolean isAssayed, Boolean isGenotyped, Boolean isNoCall, List<String> alternateId, String variantId,
                      Detail variant, Map<String, Object> source, Map<String, Object> genomicContext) {

    /** Where the call is and what was called; {@code call} holds GT, DP, AD, GQ, PL as in the VCF. */
    public record Detail(String chromosome, Long position, String referenceBase, List<String> alternateBase, String genotype,
                         String type, Map<String, Object> call, Map<String, Object> information) {}
}
