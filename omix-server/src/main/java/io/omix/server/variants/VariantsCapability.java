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

/** {@code GET /variants} (the open platform's get_variants) and the operators' VCF import, {@code POST /admin/variants/import}. */
public final class VariantsCapability implements Capability {
    static final StringParam BIOSAMPLE_ID = Param.string("biosample_id").required().maxLength(64);
    static final StringListParam RSIDS = Param.stringList("rsids").required().maxItems(100).distinct()
            .pattern(Pattern.compile("rs[0-9]{1,15}"), "rs followed by digits");
    static final ParamSpec GET = ParamSpec.of(BIOSAMPLE_ID, RSIDS);

    static final StringParam ASSEMBLY = Param.string("assembly").maxLength(32);
    static final IntParam DBSNP_BUILD = Param.integer("dbsnp_build").range(1, 10_000);
    static final StringParam PIPELINE = Param.string("pipeline_version").maxLength(64);
    static final StringParam SAMPLE_NAME = Param.string("sample_name").maxLength(200);
    static final ParamSpec IMPORT = ParamSpec.of(BIOSAMPLE_ID, ASSEMBLY, DBSNP_BUILD, PIPELINE, SAMPLE_NAME);

    private final VariantStore variants;
    private final VcfImporter importer;
    private final SampleAccess access;
    private final SampleStore samples;

    public VariantsCapability(Platform platform) {
        this.variants = new VariantStore(platform);
        this.importer = new VcfImporter(platform);
        this.access = new SampleAccess(platform.database().jdbc());
        this.samples = new SampleStore(platform);
    }

    @Override
    public void routes(Routes routes) {
        routes.get("/variants", Access.TOKEN, GET, (request, p) -> {
            request.caller().requireScope(Scope.VARIANTS);
            String id = access.requireVisible(request.caller(), p.get(BIOSAMPLE_ID));
            return variants.variants(id, p.get(RSIDS));
        });
        // The VCF is the request body (plain or gzipped), streamed: any size.
        routes.upload(HandlerType.POST, "/admin/variants/import", Access.OPERATOR, IMPORT, (request, p) -> {
            String id = p.get(BIOSAMPLE_ID);
            if (samples.find(id).isEmpty()) throw new ApiException(ErrorCode.NOT_OWN_SAMPLE);
            VcfImporter.Result r = importVcf(id, request.ctx().bodyInputStream(),
                    new VcfImporter.Options(p.get(ASSEMBLY), p.get(DBSNP_BUILD), p.get(PIPELINE), p.get(SAMPLE_NAME)));
            return result(r);
        });
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
