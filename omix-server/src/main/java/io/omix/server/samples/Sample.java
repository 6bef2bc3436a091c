package io.omix.server.samples;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/** A biosample as stored: identity, coded fields, external ids, field groups and projects. */
public record Sample(String biosampleId, int site, int organism, int omic, int status, boolean dataAvailability,
                     boolean primary, String externalSampleId, String externalSampleIdAlt, String namespace,
                     OffsetDateTime sampleCollectionTime, OffsetDateTime sampleTime, String budgetExecutionUnitId,
                     Map<String, ObjectNode> groups, OffsetDateTime createTime, OffsetDateTime updateTime,
                     List<Project> projects) {
    /** The same sample in {@code projects}. */
    Sample inProjects(List<Project> projects) {
        return new Sample(biosampleId, site, organism, omic, status, dataAvailability, primary, externalSampleId, externalSampleIdAlt, namespace,
                sampleCollectionTime, sampleTime, budgetExecutionUnitId, groups, createTime, updateTime, projects);
    }
}
