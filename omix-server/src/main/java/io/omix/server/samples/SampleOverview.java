package io.omix.server.samples;

import io.omix.server.Platform;
import io.omix.server.common.auth.Caller;
import io.omix.server.common.auth.Scope;
import io.omix.server.common.db.Jdbc;
import io.omix.server.streams.StreamStore;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /overview} (the open platform client's get_overview): what the platform holds of one
 * sample the caller sees, at a glance, each part only for a token holding its scope: the current
 * variant import, the microbiome profiles (a person's token, as the abundance endpoints), the stream
 * series with their record counts and time spans. Reads counts, never the data itself.
 */
final class SampleOverview {
    private final Jdbc jdbc;
    private final SampleStore samples;
    private final SampleAccess access;

    SampleOverview(Platform platform, SampleStore samples, SampleAccess access) {
        this.jdbc = platform.database().jdbc();
        this.samples = samples;
        this.access = access;
    }

    Map<String, Object> of(Caller caller, String biosampleId) {
        caller.requireScope(Scope.SAMPLES);
        String id = access.requireVisible(caller, biosampleId, Scope.SAMPLES);
        Sample s = samples.find(id).orElseThrow();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("biosample_id", id);
        out.put("omic", Codes.coded(Codes.OMICS, s.omic()));
        out.put("biosample_site", Codes.coded(Codes.SITES, s.site()));
        out.put("status", Codes.coded(Codes.STATUSES, s.status()));
        if (caller.scopes().contains(Scope.VARIANTS.id()) && access.mayRead(caller, id, Scope.VARIANTS)) out.put("variants", variants(id));
        if (caller.kind() == Caller.Kind.USER_TOKEN && caller.scopes().contains(Scope.MICROBIOME.id())) out.put("microbiome", microbiome(id));
        if (caller.scopes().contains(Scope.STREAMS.id()) && access.mayRead(caller, id, Scope.STREAMS)) out.put("streams", streams(id));
        return out;
    }

    /** The current import's figures, or null when the sample has no calls. */
    private Map<String, Object> variants(String id) {
        return jdbc.withConnection(c -> io.omix.server.variants.VcfExport.source(c, id)).map(source -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("calls", source.calls());
            m.put("assembly", source.assembly());
            m.put("dbsnp_build", source.dbsnpBuild());
            m.put("pipeline_version", source.pipelineVersion());
            m.put("imported_at", source.importedAt().toInstant().toString());
            return m;
        }).orElse(null);
    }

    /** Each profile (taxa; functions and genes by catalog) with its row count. */
    private List<Map<String, Object>> microbiome(String id) {
        List<Map<String, Object>> profiles = jdbc.query("SELECT kind, catalog, software, imported_at FROM microbiome_profiles WHERE biosample_id = ?"
                + " ORDER BY kind, catalog", rs -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kind", rs.getString(1));
            m.put("catalog", "-".equals(rs.getString(2)) ? null : rs.getString(2));
            m.put("software", rs.getString(3));
            m.put("imported_at", rs.getObject(4, OffsetDateTime.class).toInstant().toString());
            return m;
        }, id);
        for (Map<String, Object> p : profiles) {
            String catalog = (String) p.get("catalog");
            long rows = switch ((String) p.get("kind")) {
                case "taxon" -> jdbc.queryOne("SELECT COUNT(*) FROM taxon_abundance WHERE biosample_id = ?", rs -> rs.getLong(1), id).orElse(0L);
                case "func" -> jdbc.queryOne("SELECT COUNT(*) FROM func_abundance WHERE biosample_id = ? AND catalog = ?", rs -> rs.getLong(1), id, catalog)
                        .orElse(0L);
                case "gene" -> jdbc.queryOne("SELECT COUNT(*) FROM gene_abundance WHERE biosample_id = ? AND catalog = ?", rs -> rs.getLong(1), id, catalog)
                        .orElse(0L);
                default -> 0L;
            };
            p.put("rows", rows);
        }
        return profiles;
    }

    /** The sample's series on the open platform: data element, record count, first and last time. */
    private List<Map<String, Object>> streams(String id) {
        List<Map<String, Object>> series = new ArrayList<>();
        jdbc.query("SELECT ss.data_element_id, de.name, COUNT(*), MIN(r.generate_time), MAX(r.generate_time)"
                + " FROM sample_entities se JOIN stream_series ss ON ss.entity_id = se.entity_id AND ss.namespace = ?"
                + " JOIN data_elements de ON de.data_element_id = ss.data_element_id"
                + " JOIN stream_records r ON r.series_id = ss.series_id"
                + " WHERE se.biosample_id = ? GROUP BY ss.data_element_id, de.name ORDER BY ss.data_element_id", rs -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("data_element_id", rs.getString(1));
            m.put("data_element_name", rs.getString(2));
            m.put("records", rs.getLong(3));
            m.put("first", rs.getObject(4, OffsetDateTime.class).toInstant().toString());
            m.put("last", rs.getObject(5, OffsetDateTime.class).toInstant().toString());
            series.add(m);
            return m;
        }, StreamStore.OPEN_PLATFORM, id);
        return series;
    }
}
