package io.omix.sdk;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * A sample as the private platform answers it, typed (its shape differs from the open platform's {@link Sample}).
 *
 * @param biosampleId      the platform's id of the sample
 * @param externalSampleId the app's own id of the sample, or null
 * @param biosampleSite    the body site, 1 to 15
 * @param status           how far the sample has come (the platform's status number), or null
 * @param dataAvailability whether its data is available, or null
 * @param sampleTime       when it was taken, or null
 * @param createTime       when it was registered, or null
 * @param updateTime       when it last changed, or null
 * @param projectIds       the projects it belongs to
 * @param raw              the whole answer, for the field groups this type does not name
 */
public record PartnerSample(String biosampleId, String externalSampleId, Integer biosampleSite, Object status, Boolean dataAvailability,
                            OffsetDateTime sampleTime, OffsetDateTime createTime, OffsetDateTime updateTime, List<String> projectIds,
                            Model raw) {
    static PartnerSample of(Model m) {
        Model external = m.getModel("external_sample_id");
        ListModel projects = m.getList("project");
        List<String> ids = projects == null ? List.of() : projects.models().stream().map(p -> p.getString("project_id")).toList();
        Object availability = m.get("l3_availability");
        return new PartnerSample(m.getString("biosample_id"), external == null ? null : external.getString("sample_id"), m.getInt("biosample_site"),
                m.get("status"), availability instanceof Boolean b ? b : availability instanceof Number n ? n.intValue() != 0 : null,
                Times.parseOrNull(m.getString("sample_time")), Times.parseOrNull(m.getString("create_time")), Times.parseOrNull(m.getString("update_time")), ids, m);
    }

}
