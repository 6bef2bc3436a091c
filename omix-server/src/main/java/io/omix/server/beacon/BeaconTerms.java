package io.omix.server.beacon;

import io.omix.server.variants.CarrierSearch;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The ontology terms and sequence names Beacon answers use for the platform's own codes. */
final class BeaconTerms {
    private BeaconTerms() {}

    static Map<String, Object> term(String id, String label) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("label", label);
        return m;
    }

    static final Map<String, Object> UNKNOWN = term("NCIT:C17998", "Unknown");

    /** Where a sample was taken (the platform's site codes) as UBERON anatomy (cell lines as EFO). */
    private static final Map<Integer, Map<String, Object>> SITES = Map.ofEntries(
            Map.entry(1, term("UBERON:0000167", "oral cavity")), Map.entry(2, term("UBERON:0002097", "skin of body")),
            Map.entry(3, term("UBERON:0001707", "nasal cavity")), Map.entry(4, term("UBERON:0000996", "vagina")),
            Map.entry(5, term("UBERON:0001088", "urine")), Map.entry(6, term("UBERON:0001836", "saliva")),
            Map.entry(7, term("UBERON:0007311", "sputum")), Map.entry(8, term("UBERON:0001242", "intestinal mucosa")),
            Map.entry(9, term("UBERON:0001913", "milk")), Map.entry(10, term("UBERON:0001988", "feces")),
            Map.entry(11, term("UBERON:0000178", "blood")), Map.entry(12, term("UBERON:0000479", "tissue")),
            Map.entry(13, term("EFO:0000322", "cell line")), Map.entry(14, term("UBERON:0001359", "cerebrospinal fluid")));

    static Map<String, Object> site(int code) {
        return SITES.getOrDefault(code, UNKNOWN);
    }

    static Map<String, Object> zygosity(CarrierSearch.Zygosity z) {
        return switch (z) {
            case HETEROZYGOUS -> term("GENO:0000135", "heterozygous");
            case HOMOZYGOUS -> term("GENO:0000136", "homozygous");
            case HEMIZYGOUS -> term("GENO:0000134", "hemizygous");
        };
    }

    /** The profile's sex code (1 male, 2 female) as NCIT. */
    static Map<String, Object> sex(Integer code) {
        if (code == null) return UNKNOWN;
        return switch (code) {
            case 1 -> term("NCIT:C20197", "male");
            case 2 -> term("NCIT:C16576", "female");
            default -> UNKNOWN;
        };
    }

    /** RefSeq accessions of the primary assembly's chromosomes: GRCh38's versions, then GRCh37's. */
    private static final String[][] REFSEQ = {
            {"1", "NC_000001.11", "NC_000001.10"}, {"2", "NC_000002.12", "NC_000002.11"}, {"3", "NC_000003.12", "NC_000003.11"},
            {"4", "NC_000004.12", "NC_000004.11"}, {"5", "NC_000005.10", "NC_000005.9"}, {"6", "NC_000006.12", "NC_000006.11"},
            {"7", "NC_000007.14", "NC_000007.13"}, {"8", "NC_000008.11", "NC_000008.10"}, {"9", "NC_000009.12", "NC_000009.11"},
            {"10", "NC_000010.11", "NC_000010.10"}, {"11", "NC_000011.10", "NC_000011.9"}, {"12", "NC_000012.12", "NC_000012.11"},
            {"13", "NC_000013.11", "NC_000013.10"}, {"14", "NC_000014.9", "NC_000014.8"}, {"15", "NC_000015.10", "NC_000015.9"},
            {"16", "NC_000016.10", "NC_000016.9"}, {"17", "NC_000017.11", "NC_000017.10"}, {"18", "NC_000018.10", "NC_000018.9"},
            {"19", "NC_000019.10", "NC_000019.9"}, {"20", "NC_000020.11", "NC_000020.10"}, {"21", "NC_000021.9", "NC_000021.8"},
            {"22", "NC_000022.11", "NC_000022.10"}, {"X", "NC_000023.11", "NC_000023.10"}, {"Y", "NC_000024.10", "NC_000024.9"},
            {"MT", "NC_012920.1", "NC_012920.1"}};
    private static final Map<String, String> CHROMOSOME_OF_ACCESSION = new HashMap<>();

    static {
        for (String[] row : REFSEQ) {
            CHROMOSOME_OF_ACCESSION.put(row[1], row[0]);
            CHROMOSOME_OF_ACCESSION.put(row[2], row[0]);
        }
    }

    /** A referenceName as a chromosome: {@code 17}, {@code chr17} and {@code NC_000017.11} are all chromosome 17. */
    static String chromosome(String referenceName) {
        String accession = CHROMOSOME_OF_ACCESSION.get(referenceName.replaceFirst("^(?i)refseq:", ""));
        if (accession != null) return accession;
        String bare = CarrierSearch.bare(referenceName);
        return bare.equalsIgnoreCase("M") ? "MT" : bare;
    }

    /** A chromosome of an assembly as a CURIE naming its sequence: RefSeq where known. */
    static String sequenceId(String assembly, String chromosome) {
        Optional<String> refseq = refseq(assembly, chromosome);
        return refseq.map(a -> "refseq:" + a).orElse("omix:" + assembly.replaceAll("[^A-Za-z0-9_.]", "_") + "." + chromosome);
    }

    static Optional<String> refseq(String assembly, String chromosome) {
        String a = assembly.toLowerCase(Locale.ROOT);
        int column = a.contains("38") ? 1 : a.contains("37") || a.contains("19") ? 2 : 0;
        if (column == 0) return Optional.empty();
        String c = chromosome.equalsIgnoreCase("M") ? "MT" : chromosome.toUpperCase(Locale.ROOT);
        for (String[] row : REFSEQ) if (row[0].equals(c)) return Optional.of(row[column]);
        return Optional.empty();
    }

    /** Single bases: SNP; same length: MNP; shorter: DEL; longer: INS (the legacy variantType words). */
    static String variantType(String ref, String alt) {
        if (ref.length() == 1 && alt.length() == 1) return "SNP";
        if (ref.length() == alt.length()) return "MNP";
        return alt.length() < ref.length() ? "DEL" : "INS";
    }

    static final List<String> UNSUPPORTED_VARIANT_PARAMETERS = List.of("geneId", "aminoacidChange", "variantType", "variantMinLength",
            "variantMaxLength", "mateName", "genomicAlleleShortForm", "datasetIds");
}
