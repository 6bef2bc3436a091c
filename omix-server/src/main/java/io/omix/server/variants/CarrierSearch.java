package io.omix.server.variants;

import io.omix.server.common.db.Jdbc;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Which samples carry an allele: the calls of many samples' current imports at one rs id, one position or
 * one stretch of a chromosome, grouped into distinct variants (assembly, chromosome, position, reference,
 * alternate allele), each with the samples whose genotype holds that allele. Only simple alleles (A, C, G, T,
 * N) are variants here; symbolic ones ({@code <DEL>}) and no-calls are left out. Each sample's calls are read
 * through its own import's index (by rs id or by position), so the cost grows with the samples asked over,
 * not with everyone's calls.
 */
public final class CarrierSearch {
    /** Most calls one search reads before it stops (a whole chromosome over many samples is not a Beacon query). */
    public static final int MAX_CALLS = 200_000;
    private static final Pattern SIMPLE_ALLELE = Pattern.compile("[ACGTN]{1,1000}");

    private final Jdbc jdbc;

    public CarrierSearch(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** A sample whose current import is searched. */
    public record Subject(String biosampleId, long sourceId, String assembly) {}

    /**
     * What is asked: an rs id, or a chromosome with a 1-based position range (both ends included), and
     * optionally the reference and alternate bases ({@code N} matches any base) and the assembly.
     */
    public record Query(Long rsid, String chromosome, long from, long to, String referenceBases, String alternateBases, String assembly) {}

    /** A sample's genotype holding the allele: 1 copy of 2, 2 of 2, or 1 of 1. */
    public enum Zygosity { HETEROZYGOUS, HOMOZYGOUS, HEMIZYGOUS }

    public record Carrier(String biosampleId, Zygosity zygosity) {}

    /** One distinct variant and its carriers, in the order of the samples asked over. */
    public record Variant(String assembly, String chromosome, long position, String ref, String alt, List<Long> rsids, List<Carrier> carriers) {
        /** {@code assembly:chromosome:position:ref:alt}, the chromosome without {@code chr}. */
        public String id() {
            return assembly + ":" + chromosome + ":" + position + ":" + ref + ":" + alt;
        }
    }

    /** Thrown when a search would read more than {@link #MAX_CALLS} calls. */
    public static final class TooBroad extends RuntimeException {
        public TooBroad() {
            super("more than " + MAX_CALLS + " calls in the range");
        }
    }

    /** The variants matching {@code q} among {@code subjects}, ordered by chromosome, position, ref and alt. */
    public List<Variant> search(List<Subject> subjects, Query q) {
        Map<String, Builder> found = new TreeMap<>();
        jdbc.withConnection(c -> {
            int[] read = {0};
            for (Subject s : subjects) {
                if (q.assembly() != null && !q.assembly().equalsIgnoreCase(s.assembly())) continue;
                CallStore.Visitor visitor = call -> {
                    if (++read[0] > MAX_CALLS) throw new TooBroad();
                    collect(found, s, call, q);
                    return true;
                };
                if (q.rsid() != null) {
                    for (Call call : CallStore.byRsids(c, s.sourceId(), List.of(q.rsid())).getOrDefault(q.rsid(), List.of())) visitor.visit(call);
                } else {
                    for (List<String> spellings : spellings(bare(q.chromosome()))) CallStore.scan(c, s.sourceId(), spellings, q.from(), q.to(), visitor);
                }
            }
            return null;
        });
        List<Variant> out = new ArrayList<>(found.size());
        for (Builder b : found.values()) out.add(b.build());
        out.sort(ORDER);
        return out;
    }

    private static void collect(Map<String, Builder> found, Subject s, Call call, Query q) {
        String ref = call.ref();
        if (!SIMPLE_ALLELE.matcher(ref).matches() || !basesMatch(q.referenceBases(), ref)) return;
        String gt = Packed.split(call.callData(), 5)[0];
        if (gt == null || gt.isEmpty() || gt.contains(".")) return;
        String[] alleles = gt.split("[/|]");
        String[] alts = call.alts().split(",");
        for (int i = 0; i < alts.length; i++) {
            String alt = alts[i];
            if (!SIMPLE_ALLELE.matcher(alt).matches() || !basesMatch(q.alternateBases(), alt)) continue;
            int copies = 0;
            for (String a : alleles) if (a.equals(String.valueOf(i + 1))) copies++;
            if (copies == 0) continue;
            Zygosity z = alleles.length == 1 ? Zygosity.HEMIZYGOUS : copies == alleles.length ? Zygosity.HOMOZYGOUS : Zygosity.HETEROZYGOUS;
            String chromosome = bare(call.chromosome());
            long position = call.position();
            String key = s.assembly().toLowerCase(Locale.ROOT) + "\n" + chromosome + "\n" + position + "\n" + ref + "\n" + alt;
            Builder b = found.computeIfAbsent(key, k -> new Builder(s.assembly(), chromosome, position, ref, alt));
            long rsid = call.rsid();
            if (rsid > 0 && !b.rsids.contains(rsid)) b.rsids.add(rsid);
            if (b.carriers.isEmpty() || !b.carriers.get(b.carriers.size() - 1).biosampleId().equals(s.biosampleId())) {
                b.carriers.add(new Carrier(s.biosampleId(), z));
            }
        }
    }

    /** Bases as asked ({@code N} for any one base, none asked: anything) against bases as called. */
    static boolean basesMatch(String asked, String called) {
        if (asked == null) return true;
        if (asked.length() != called.length()) return false;
        for (int i = 0; i < asked.length(); i++) {
            char a = asked.charAt(i);
            if (a != 'N' && a != called.charAt(i)) return false;
        }
        return true;
    }

    /**
     * The names a VCF may give a chromosome, with and without {@code chr}, by what an import keeps in one run
     * (the mitochondrion as MT or M: two).
     */
    private static List<List<String>> spellings(String bare) {
        if (bare.equalsIgnoreCase("MT") || bare.equalsIgnoreCase("M")) return List.of(List.of("MT", "chrMT"), List.of("M", "chrM"));
        return List.of(List.of(bare, "chr" + bare));
    }

    /** A chromosome's name without its {@code chr} prefix (VCFs write either). */
    public static String bare(String chromosome) {
        return chromosome.regionMatches(true, 0, "chr", 0, 3) ? chromosome.substring(3) : chromosome;
    }

    /** 1..22, X, Y, MT, then the rest by name; then position, ref and alt. */
    private static final Comparator<Variant> ORDER = Comparator.comparing(Variant::assembly)
            .thenComparingInt((Variant v) -> chromosomeRank(v.chromosome())).thenComparing(Variant::chromosome)
            .thenComparingLong(Variant::position).thenComparing(Variant::ref).thenComparing(Variant::alt);

    private static int chromosomeRank(String c) {
        if (c.matches("\\d{1,2}")) return Integer.parseInt(c);
        return switch (c.toUpperCase(Locale.ROOT)) {
            case "X" -> 23;
            case "Y" -> 24;
            case "M", "MT" -> 25;
            default -> 100;
        };
    }

    private static final class Builder {
        final String assembly;
        final String chromosome;
        final long position;
        final String ref;
        final String alt;
        final List<Long> rsids = new ArrayList<>(1);
        final List<Carrier> carriers = new ArrayList<>();

        Builder(String assembly, String chromosome, long position, String ref, String alt) {
            this.assembly = assembly;
            this.chromosome = chromosome;
            this.position = position;
            this.ref = ref;
            this.alt = alt;
        }

        Variant build() {
            return new Variant(assembly, chromosome, position, ref, alt, List.copyOf(rsids), List.copyOf(carriers));
        }
    }
}
