package io.omix.server.variants;

import io.javalin.http.HandlerType;
import io.omix.server.Capability;
import io.omix.server.Platform;
import io.omix.server.common.auth.Access;
import io.omix.server.common.auth.Scope;
import io.omix.server.common.http.ApiException;
import io.omix.server.common.http.ErrorCode;
import io.omix.server.common.http.Routes;
import io.omix.server.common.validation.IntParam;
import io.omix.server.common.validation.Param;
import io.omix.server.common.validation.ParamSpec;
import io.omix.server.common.validation.StringListParam;
import io.omix.server.common.validation.StringParam;
import io.omix.server.demo.DemoData;
import io.omix.server.samples.SampleAccess;
import io.omix.server.samples.SampleStore;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code GET /variants} (the open platform's get_variants), {@code GET|POST /variants/region} (its client's
 * professional_variant: calls by region or BED file) and the operators' VCF import, {@code POST /admin/variants/import}.
 */
public final class VariantsCapability implements Capability {
    static final StringParam BIOSAMPLE_ID = Param.string("biosample_id").required().maxLength(64);
    static final StringListParam RSIDS = Param.stringList("rsids").required().maxItems(100).distinct()
            .pattern(Pattern.compile("rs(0|[1-9][0-9]{0,14})"), "rs followed by digits, without leading zeros");
    static final ParamSpec GET = ParamSpec.of(BIOSAMPLE_ID, RSIDS);

    // professional_variant: calls by region, given as chr:start-end (1-based, both ends included) or as a BED file's text.
    static final String REGION_RULE = "chromosome:start-end, 1-based, start <= end";
    static final StringListParam REGIONS = Param.stringList("regions").maxItems(1000)
            .pattern(Pattern.compile("[A-Za-z0-9_.]{1,32}:[0-9]{1,10}-[0-9]{1,10}"), REGION_RULE);
    static final StringParam BED = Param.string("bed").maxLength(1 << 20);
    static final io.omix.server.common.validation.BoolParam ONLY_VARIANT_SITES = Param.bool("only_variant_sites").orElse(true);
    static final IntParam REGION_LIMIT = Param.integer("limit").range(1, 1000).orElse(100);
    static final StringParam NEXT_PAGE = Param.string("next_page").maxLength(200);
    static final ParamSpec REGION = ParamSpec.of(BIOSAMPLE_ID, REGIONS, BED, ONLY_VARIANT_SITES, REGION_LIMIT, NEXT_PAGE);

    /** Printable text only: these are written back into the header lines of exported VCFs. */
    private static final java.util.regex.Pattern PRINTABLE = io.omix.server.common.validation.Texts.PRINTABLE_LINE;   // as VcfImporter.Options checks
    static final StringParam ASSEMBLY = Param.string("assembly").maxLength(32).pattern(PRINTABLE, "printable text, no line breaks");
    static final IntParam DBSNP_BUILD = Param.integer("dbsnp_build").range(1, 10_000);
    static final StringParam PIPELINE = Param.string("pipeline_version").maxLength(64).pattern(PRINTABLE, "printable text, no line breaks");
    static final StringParam SAMPLE_NAME = Param.string("sample_name").maxLength(200).pattern(PRINTABLE, "printable text, no line breaks");
    static final ParamSpec IMPORT = ParamSpec.of(BIOSAMPLE_ID, ASSEMBLY, DBSNP_BUILD, PIPELINE, SAMPLE_NAME);

    private final VariantStore variants;
    private final VcfImporter importer;
    private final SampleAccess access;
    private final SampleStore samples;
    private final io.omix.server.common.db.Jdbc jdbc;

    /** Keys the tag a region page token names its import by (the import's number would tell how many imports the platform made). */
    private final byte[] importTagKey;

    public VariantsCapability(Platform platform) {
        this.importTagKey = platform.masterKey().derive("variant-region-import");
        this.jdbc = platform.database().jdbc();
        this.variants = new VariantStore(platform);
        this.importer = new VcfImporter(platform);
        this.access = new SampleAccess(jdbc);
        this.samples = new SampleStore(platform);
    }

    @Override
    public java.util.List<io.omix.server.housekeeping.Housekeeping.Job> housekeeping() {
        return java.util.List.of(new io.omix.server.housekeeping.Housekeeping.Job("replaced_variant_imports",
                (now, r) -> VcfImporter.finishRemovals(jdbc, now)));
    }

    @Override
    public void routes(Routes routes) {
        routes.get("/variants", Access.TOKEN, GET, (request, p) -> {
            request.caller().requireScope(Scope.VARIANTS);
            return variants.variants(request.caller(), p.get(BIOSAMPLE_ID), p.get(RSIDS));
        });
        // GET with regions, or POST with a BED file's text (too long for a query string).
        routes.get("/variants/region", Access.TOKEN, REGION, (request, p) -> region(request, p));
        routes.post("/variants/region", Access.TOKEN, REGION, (request, p) -> region(request, p));
        routes.postOnlyReads("/variants/region");
        // The VCF is the request body (plain or gzipped), streamed: any size.
        routes.upload(HandlerType.POST, "/admin/variants/import", Access.OPERATOR, IMPORT, (request, p) -> {
            String id = p.get(BIOSAMPLE_ID);
            if (samples.find(id).isEmpty()) throw new ApiException(ErrorCode.NOT_OWN_SAMPLE);
            // The parameters hold Options' own rules (length, range, no control characters): refused above, each by name.
            VcfImporter.Result r = importVcf(id, request.body(),
                    new VcfImporter.Options(p.get(ASSEMBLY), p.get(DBSNP_BUILD), p.get(PIPELINE), p.get(SAMPLE_NAME)));
            return result(r);
        });
    }

    private Map<String, Object> region(io.omix.server.common.http.ApiRequest request, io.omix.server.common.validation.Params p) {
        request.caller().requireScope(Scope.VARIANTS);
        java.util.List<VariantStore.Region> regions = regionsOf(p.get(REGIONS), p.get(BED));
        String id = access.requireVisible(request.caller(), p.get(BIOSAMPLE_ID), Scope.VARIANTS);
        String[] token = io.omix.server.common.http.PageToken.decode(p.get(NEXT_PAGE), 5, parts -> {
            // Numbers of their own kinds (the region and the call's place in its line are ints), or the token is refused as malformed.
            Integer.parseInt(parts[1]);
            Long.parseLong(parts[2]);
            Long.parseLong(parts[3]);
            Integer.parseInt(parts[4]);
            return parts;
        });
        VariantStore.RegionCursor after = token == null ? null : new VariantStore.RegionCursor(importOf(id, token[0]), Integer.parseInt(token[1]),
                Long.parseLong(token[2]), Long.parseLong(token[3]), Integer.parseInt(token[4]));
        if (after != null && (after.region() < 0 || after.region() >= regions.size())) throw ApiException.invalidParam("next_page", "does not belong to these regions");
        VariantStore.RegionPage page = variants.region(id, regions, p.get(ONLY_VARIANT_SITES), p.get(REGION_LIMIT), after);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("result", page.calls());
        out.put("count", page.calls().size());
        VariantStore.RegionCursor next = page.next();
        out.put("next_page", next == null ? null
                : io.omix.server.common.http.PageToken.encode(importTag(next.sourceId()), next.region(), next.position(), next.rsid(), next.seq()));
        return out;
    }

    /** How a page token names the import it pages through: a keyed tag of its number. */
    private String importTag(long sourceId) {
        return "t" + io.omix.server.common.auth.Secrets.hmac(importTagKey, String.valueOf(sourceId)).replaceAll("[^A-Za-z0-9]", "").substring(0, 16);
    }

    /**
     * The import a token's tag names: the sample's current one when the tag is its, else none (-1: imported again since). A
     * token naming the import by its number (given before the tag) is one of those: its caller starts from the first page.
     */
    private long importOf(String biosampleId, String tag) {
        long current = variants.currentSourceId(biosampleId).orElse(-1L);
        return current >= 0 && importTag(current).equals(tag) ? current : -1;
    }

    /** Exactly one of {@code regions} and {@code bed}; at most 1,000 regions either way. */
    static java.util.List<VariantStore.Region> regionsOf(java.util.List<String> regions, String bed) {
        if ((regions == null || regions.isEmpty()) == (bed == null || bed.isBlank())) {
            throw ApiException.invalidParam("regions", "give regions (" + REGION_RULE + ") or bed (a BED file's text), one of them");
        }
        java.util.List<VariantStore.Region> out = new java.util.ArrayList<>();
        if (regions != null && !regions.isEmpty()) {
            for (String r : regions) {
                int colon = r.lastIndexOf(':');
                int dash = r.indexOf('-', colon);
                long start = Long.parseLong(r.substring(colon + 1, dash));
                long end = Long.parseLong(r.substring(dash + 1));
                if (start < 1 || end < start) throw ApiException.invalidParam("regions", r + ": must be " + REGION_RULE);
                out.add(new VariantStore.Region(r.substring(0, colon), start, end));
            }
            return out;
        }
        int lineNo = 0;
        for (String line : bed.split("\\r?\\n")) {
            lineNo++;
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#") || t.startsWith("track") || t.startsWith("browser")) continue;
            String[] f = t.split("\\s+");
            try {
                if (f.length < 3 || !f[0].matches("[A-Za-z0-9_.]{1,32}")) throw new NumberFormatException();
                long start0 = Long.parseLong(f[1]);
                long end = Long.parseLong(f[2]);
                // BED is 0-based and half-open: [start0, end) is positions start0 + 1 to end.
                if (start0 < 0 || end <= start0) throw new NumberFormatException();
                out.add(new VariantStore.Region(f[0], start0 + 1, end));
            } catch (NumberFormatException e) {
                throw ApiException.invalidParam("bed", "line " + lineNo + ": must be chromosome, start, end (0-based, end after start), tab separated");
            }
            if (out.size() > 1000) throw ApiException.invalidParam("bed", "at most 1000 regions");
        }
        if (out.isEmpty()) throw ApiException.invalidParam("bed", "holds no region");
        return out;
    }

    private VcfImporter.Result importVcf(String biosampleId, InputStream in, VcfImporter.Options options) {
        try {
            return importer.importVcf(biosampleId, in, options);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalidParam("body", e.getMessage());
        }
    }

    static Map<String, Object> result(VcfImporter.Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("biosample_id", r.biosampleId());
        m.put("imported", r.imported());
        m.put("skipped_without_rsid", r.skipped());
        m.put("milliseconds", r.millis());
        return m;
    }

    /** The demo genomics sample gets a handful of well-known calls (CYP1A2, ALDH2, APOE, ACTN3, LCT, CCR5). */
    @Override
    public void demo(DemoData demo) {
        String sample = demo.credentials().path("samples").path("genomics").asText(null);
        if (sample == null) return;
        try (InputStream in = VariantsCapability.class.getResourceAsStream("demo.vcf")) {
            importer.importVcf(sample, in, new VcfImporter.Options(null, null, "Omix-demo-1.0", null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        demo.section("variants").put("rsids", "rs762551,rs671,rs4988235,rs1815739,rs429358,rs7412,rs333");
    }
}
