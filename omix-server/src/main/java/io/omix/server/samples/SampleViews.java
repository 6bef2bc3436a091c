package io.omix.server.samples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The two shapes of a sample: the open platform's and the private platform's. */
final class SampleViews {
    private static final DateTimeFormatter PRIVATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'");
    /** The open view lists these sequencing fields (one value per sequencing run). */
    private static final List<String> OPEN_SEQUENCING = List.of("platform", "sequencing_time", "instrument_model", "read_type");
    private static final List<String> OPEN_STATISTICS = List.of("human_contamination", "depth", "variant_counting", "base_pairs", "coverage");

    private SampleViews() {}

    static String openTime(OffsetDateTime t) {
        return t == null ? null : io.omix.server.common.time.OpenTime.format(t.withOffsetSameInstant(ZoneOffset.UTC));
    }

    static String privateTime(OffsetDateTime t) {
        return t == null ? null : PRIVATE_TIME.format(t.withOffsetSameInstant(ZoneOffset.UTC));
    }

    static Map<String, Object> open(Sample s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("update_time", openTime(s.updateTime()));
        m.put("biosample_id", s.biosampleId());
        m.put("sample_collection_time", openTime(s.sampleCollectionTime()));
        m.put("organism", Codes.coded(Codes.ORGANISMS, s.organism()));
        Map<String, Object> sequencing = new LinkedHashMap<>();
        ObjectNode seq = s.groups().get("sequencing");
        for (String f : OPEN_SEQUENCING) {
            JsonNode v = seq.get(f);
            sequencing.put(f, v == null || v.isNull() ? List.of() : List.of(v.asText()));
        }
        m.put("sequencing", sequencing);
        List<Map<String, Object>> projects = new ArrayList<>();
        for (Project p : s.projects()) {
            Map<String, Object> pm = new LinkedHashMap<>();
            pm.put("project_name", p.name());
            pm.put("public_description", p.publicDescription());
            pm.put("project_id", p.projectId());
            projects.add(pm);
        }
        m.put("project", projects);
        m.put("data_availability", s.dataAvailability());
        m.put("status", Codes.coded(Codes.STATUSES, s.status()));
        m.put("primary", s.primary());
        m.put("biosample_site", Codes.coded(Codes.SITES, s.site()));
        m.put("omic", Codes.coded(Codes.OMICS, s.omic()));
        m.put("statistics", group(s, "statistics", OPEN_STATISTICS));
        m.put("external_sample_id", s.externalSampleId());
        return m;
    }

    static Map<String, Object> privateView(Sample s) {
        Map<String, Object> m = new LinkedHashMap<>();
        Map<String, Object> external = new LinkedHashMap<>();
        external.put("sample_id", s.externalSampleId());
        external.put("sample_id_alt", s.externalSampleIdAlt() == null ? "" : s.externalSampleIdAlt());
        m.put("external_sample_id", external);
        m.put("biosample_id", s.biosampleId());
        for (String g : SampleFields.GROUPS) m.put(g, group(s, g, SampleFields.fieldsOf(g)));
        m.put("budget_execution_unit_id", s.budgetExecutionUnitId());
        m.put("status", s.status());
        m.put("l3_availability", s.dataAvailability());
        m.put("sample_time", privateTime(s.sampleTime()));
        m.put("create_time", privateTime(s.createTime()));
        m.put("update_time", privateTime(s.updateTime()));
        m.put("biosample_site", s.site());
        List<Map<String, Object>> projects = new ArrayList<>();
        for (Project p : s.projects()) {
            Map<String, Object> pm = new LinkedHashMap<>();
            pm.put("project_id", p.projectId());
            pm.put("project_name", p.name());
            pm.put("project_omic", Codes.OMICS.get(p.omic()));
            pm.put("public_description", p.publicDescription() == null ? "" : p.publicDescription());
            pm.put("consortium", p.consortium());
            pm.put("data_provider", p.dataProvider());
            pm.put("release_survey_id", null);
            pm.put("data_element", List.of());
            projects.add(pm);
        }
        m.put("project", projects);
        return m;
    }

    /** Every field of a group, null where unset. */
    private static Map<String, Object> group(Sample s, String group, List<String> fields) {
        ObjectNode node = s.groups().get(group);
        Map<String, Object> out = new LinkedHashMap<>();
        for (String f : fields) {
            JsonNode v = node.get(f);
            out.put(f, v == null || v.isNull() ? null : v.isNumber() ? v.decimalValue() : v.asText());
        }
        return out;
    }
}
