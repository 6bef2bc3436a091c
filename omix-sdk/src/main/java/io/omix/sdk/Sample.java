package io.omix.sdk;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * A sample as the open platform answers it, typed: {@code model.as(Sample.class)}.
 * Coded fields are {@link Coded}; times are the platform's text (e.g. {@code 2020-08-31T04:03:09+0000}).
 *
 * @param biosampleId          the platform's id of the sample ({@code E-} + a letter + 11 digits)
 * @param externalSampleId     the id the registering application gave the sample
 * @param organism             the organism: 1 human, 2 mouse, 3 rat
 * @param biosampleSite        where the sample was taken (1 oral ... 10 feces, 11 blood ... 15 other)
 * @param omic                 the kind of data: 1 genomics, 2 metagenomics
 * @param status               how far the sample has come, from 1000 registered to 9999 interpreted (-1 unknown)
 * @param dataAvailability     whether the sample's data is available (what {@code SampleQuery}'s {@code dataAvailability} filters on)
 * @param primary              the sample's {@code primary} flag (true unless the sample was marked otherwise)
 * @param updateTime           when the sample last changed, or null
 * @param sampleCollectionTime when the sample was collected, or null
 * @param project              the projects the sample belongs to
 * @param sequencing           the sequencing fields ({@code platform}, {@code sequencing_time}, {@code instrument_model},
 *                             {@code read_type}), each a list holding its value (empty when unset)
 * @param statistics           the statistics ({@code coverage}, {@code depth}, {@code base_pairs},
 *                             {@code variant_counting}, {@code human_contamination}), each null where unset
 */
public record Sample(String biosampleId, String externalSampleId, Coded organism, Coded biosampleSite, Coded omic, Coded status,
                     Boolean dataAvailability, Boolean primary, String updateTime, String sampleCollectionTime,
                     List<ProjectRef> project, Map<String, List<String>> sequencing, Map<String, BigDecimal> statistics) {

    /**
     * A coded value, e.g. {@code {"code": 11, "display": "blood"}}.
     *
     * @param code    the platform's number for the value
     * @param display the value's readable name
     */
    public record Coded(int code, String display) {}

    /**
     * A project the sample belongs to.
     *
     * @param projectId         the project's id ({@code P-} + a letter + 11 digits)
     * @param projectName       the project's name
     * @param publicDescription what the project says about itself publicly, or null
     */
    public record ProjectRef(String projectId, String projectName, String publicDescription) {}
}
