package io.omix.sdk;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * A sample as the open platform answers it, typed: {@code model.as(Sample.class)}.
 * Coded fields are {@link Coded}; times are the platform's text (e.g. {@code 2020-08-31T04:03:09+0000}).
 */
public record Sample(String biosampleId, String externalSampleId, Coded organism, Coded biosampleSite, Coded omic, Coded status,
                     Boolean dataAvailability, Boolean primary, String updateTime, String sampleCollectionTime,
                     List<ProjectRef> project, Map<String, List<String>> sequencing, Map<String, BigDecimal> statistics) {

    /** A coded value, e.g. {@code {"code": 11, "display": "blood"}}. */
    public record Coded(int code, String display) {}

    /** A project the sample belongs to. */
    public record ProjectRef(String projectId, String projectName, String publicDescription) {}
}
