package io.omix.server.streams;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.omix.server.common.http.ServerJson;
import io.omix.server.common.time.PartialTime;

import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Stream records as FHIR R4 Observations, one JSON object per record (NDJSON in exports). The
 * standard parts say what a FHIR reader needs (code from the data element, the person as subject, the
 * sample as specimen, the time as effectiveDateTime, the value when the payload is an Observation or a
 * number); an extension keeps what Omix needs to write the record back exactly: its namespace, data
 * element, time as it was given, whether it was a duplicate, and the payload itself.
 */
public final class Observations {
    /** The extension carrying a stream record's own fields. */
    public static final String EXTENSION = "https://omix.io/fhir/StructureDefinition/stream-record";
    /** The code system of data elements that name no standard code. */
    public static final String ELEMENT_SYSTEM = "urn:omix:data-element";
    private static final DateTimeFormatter FHIR_INSTANT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSxxx");

    /** What an Observation of an export gives back: enough to write the record again. */
    public record Restorable(String namespace, StreamStore.DataElement element, String generateTime, boolean duplicate, JsonNode data) {}

    private Observations() {}

    /**
     * What of an Observation written through FHIR is kept as its record's payload: the measurement (status, category,
     * code, times, value[x], interpretation, method, body site, reference ranges, components, notes' text), never a
     * reference. The writer names the person and the sample as it sees them (the person's account id, or the writer's
     * own pseudonym for them), and every reader gets them back as it may see them; kept in the payload, a writer's ids
     * would reach every other reader of the record (another application would learn the account id, or link the person
     * across applications by the writer's pseudonym). Other references (performer, encounter, device, notes' authors,
     * contained resources, extensions) name things no reader could resolve, or the writer's own records.
     */
    public static ObjectNode storable(JsonNode observation) {
        ObjectNode kept = ServerJson.MAPPER.createObjectNode();
        observation.fields().forEachRemaining(f -> {
            String name = f.getKey();
            if (name.equals("note") && f.getValue().isArray()) {
                ArrayNode notes = kept.putArray("note");
                for (JsonNode n : f.getValue()) {
                    ObjectNode note = notes.addObject();
                    if (n.has("text")) note.set("text", n.get("text"));
                    if (n.has("time")) note.set("time", n.get("time"));
                }
            } else if (STORABLE.contains(name) || name.startsWith("value") || name.startsWith("effective")) {
                kept.set(name, f.getValue());
            }
        });
        return kept;
    }

    /** An Observation's elements that hold no reference (value[x] and effective[x] besides, matched by their prefix). */
    private static final java.util.Set<String> STORABLE = java.util.Set.of("resourceType", "status", "category", "code", "issued",
            "dataAbsentReason", "interpretation", "bodySite", "method", "referenceRange", "component");

    /**
     * An Observation payload kept before {@link #storable} (or brought back from an archive made then) without the elements
     * that hold references: everything else stays as it was written, since such a payload may also be a client's own
     * (a phenotype shaped like an Observation), whose other fields are its data.
     */
    public static JsonNode withoutReferences(JsonNode data) {
        if (!data.isObject()) return data;
        ObjectNode out = ((ObjectNode) data).deepCopy();
        out.remove(REFERENCES);
        if (out.path("note").isArray()) {
            for (JsonNode note : out.get("note")) if (note.isObject()) ((ObjectNode) note).remove("authorReference");
        }
        return out;
    }

    /** An Observation's elements that reference other resources (the person, the sample, who and what measured it). */
    private static final java.util.List<String> REFERENCES = java.util.List.of("subject", "specimen", "performer", "encounter", "basedOn",
            "partOf", "focus", "hasMember", "derivedFrom", "device");

    /** Whether {@code data} is an Observation as FHIR writes came in before {@link #storable} (a Patient as its subject). */
    public static boolean writtenWithItsSubject(JsonNode data) {
        return data.isObject() && "Observation".equals(data.path("resourceType").asText()) && data.path("subject").path("reference").asText("").startsWith("Patient/");
    }

    public static ObjectNode of(StreamStore.Record r, String patientId, String biosampleId) {
        ObjectNode o = ServerJson.MAPPER.createObjectNode();
        o.put("resourceType", "Observation");
        o.put("id", r.streamId());
        o.put("status", "final");
        ObjectNode code = o.putObject("code");
        ArrayNode coding = code.putArray("coding");
        StreamStore.DataElement e = r.element();
        if ("LOINC".equalsIgnoreCase(e.sourceDomain()) && e.sourceId() != null) {
            coding.addObject().put("system", "http://loinc.org").put("code", e.sourceId()).put("display", e.name());
        }
        coding.addObject().put("system", ELEMENT_SYSTEM).put("code", e.id()).put("display", e.name());
        code.put("text", e.name());
        if (patientId != null) o.putObject("subject").put("reference", "Patient/" + patientId);
        o.put("effectiveDateTime", effective(r.generateTime(), r.mask()));
        if (biosampleId != null) o.putObject("specimen").put("reference", "Specimen/" + biosampleId);
        JsonNode data = r.data();
        o.setAll(values(data));
        measurement(data, o);
        ArrayNode own = o.putArray("extension").addObject().put("url", EXTENSION).putArray("extension");
        own.addObject().put("url", "namespace").put("valueString", r.namespace());
        own.addObject().put("url", "dataElement").put("valueString", e.id());
        own.addObject().put("url", "dataElementName").put("valueString", e.name());
        if (e.description() != null && !e.description().isEmpty()) own.addObject().put("url", "dataElementDescription").put("valueString", e.description());
        if (e.sourceDomain() != null) own.addObject().put("url", "dataElementSourceDomain").put("valueString", e.sourceDomain());
        if (e.sourceId() != null) own.addObject().put("url", "dataElementSourceId").put("valueString", e.sourceId());
        own.addObject().put("url", "generateTime").put("valueString", PartialTime.text(r.generateTime(), r.mask()));
        own.addObject().put("url", "duplicate").put("valueBoolean", r.dupSeq() != 0);
        try {
            own.addObject().put("url", "data").put("valueString", ServerJson.MAPPER.writeValueAsString(data));
        } catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
        return o;
    }

    /**
     * The value fields of an Observation made of a record's payload: {@code valueQuantity} for a number, and a
     * payload Observation's {@code value[x]} and {@code component} (from the original clients' snake case too).
     */
    public static ObjectNode values(JsonNode data) {
        ObjectNode out = ServerJson.MAPPER.createObjectNode();
        if (data.isNumber()) {
            out.putObject("valueQuantity").set("value", data);
        } else if (isObservation(data)) {
            // Payloads written by the original clients spell FHIR's names in snake case (value_quantity).
            data.fields().forEachRemaining(f -> {
                String name = camel(f.getKey());
                if (name.startsWith("value") || name.equals("component")) out.set(name, f.getValue());
            });
        }
        return out;
    }

    /**
     * What an Observation written through FHIR said of its measurement besides its value, given back as it was written:
     * its status (a preliminary or entered-in-error result read back as final would mislead whoever acts on it), the
     * writer's own codings beside the data element's, category, interpretation, reference ranges, method, body site,
     * issued, data-absent reason and notes' text. A payload of another shape keeps the view's defaults.
     */
    static void measurement(JsonNode data, ObjectNode o) {
        if (!isObservation(data)) return;
        data.fields().forEachRemaining(f -> {
            String name = camel(f.getKey());
            JsonNode v = f.getValue();
            if (name.equals("code")) {
                ArrayNode coding = (ArrayNode) o.path("code").path("coding");
                for (JsonNode c : v.path("coding")) {
                    boolean known = false;
                    for (JsonNode have : coding) {
                        known |= have.path("system").equals(c.path("system")) && have.path("code").equals(c.path("code"));
                    }
                    if (c.isObject() && !known) coding.add(c);
                }
            } else if (SHAPED.contains(name) && shapeProblem(name, v) == null) {
                // Only of FHIR's shape (a record kept before writes were checked may hold another): a view a FHIR parser
                // refuses would fail the reader's whole page. A status of another text keeps the view's "final".
                o.set(name, v);
            }
        });
    }

    /** Whether a record's payload is an Observation (as FHIR writes it, or in the original clients' snake case). */
    private static boolean isObservation(JsonNode data) {
        return data.isObject() && ("Observation".equals(data.path("resourceType").asText()) || "Observation".equals(data.path("resource_type").asText()));
    }

    /**
     * Why an Observation's {@code name} element, as written, is not of FHIR's shape (null when it is, or when it is not one
     * of the elements a view gives back besides its value): checked where FHIR writes enter, so that what is accepted reads
     * back as FHIR.
     */
    public static String shapeProblem(String name, JsonNode v) {
        return switch (name) {
            case "status" -> v.isTextual() && STATUSES.contains(v.asText()) ? null : "is one of " + String.join(", ", new java.util.TreeSet<>(STATUSES));
            case "category", "interpretation", "referenceRange", "note" -> {
                if (!v.isArray()) yield "is a list";
                for (JsonNode item : v) if (!item.isObject()) yield "is a list of objects";
                yield null;
            }
            case "method", "bodySite", "dataAbsentReason" -> v.isObject() ? null : "is an object";
            case "issued" -> {
                if (!v.isTextual()) yield "is an instant";
                try {
                    OffsetDateTime.parse(v.asText());
                    yield null;
                } catch (java.time.format.DateTimeParseException e) {
                    yield "is an instant (2025-01-01T07:30:00+08:00)";
                }
            }
            default -> null;
        };
    }

    /** The elements {@link #shapeProblem} checks. */
    public static final java.util.List<String> SHAPED = java.util.List.of("status", "category", "interpretation", "referenceRange", "note",
            "method", "bodySite", "dataAbsentReason", "issued");

    /** FHIR R4's Observation statuses (ObservationStatus): any other text stored keeps the view's "final". */
    private static final java.util.Set<String> STATUSES = java.util.Set.of("registered", "preliminary", "final", "amended", "corrected",
            "cancelled", "entered-in-error", "unknown");

    /** FHIR's dateTime of an instant: to the microsecond, the offset with its colon. */
    public static String instant(OffsetDateTime time) {
        return FHIR_INSTANT.format(time);
    }

    /** {@code value_quantity} as {@code valueQuantity}; camel-case names stay as they are. */
    private static String camel(String name) {
        StringBuilder out = new StringBuilder(name.length());
        boolean upper = false;
        for (char c : name.toCharArray()) {
            if (c == '_') {
                upper = true;
            } else {
                out.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return out.toString();
    }

    /** FHIR's dateTime: as precise as the record's time was given (a year, a month, a day), else to the microsecond with its offset. */
    private static String effective(OffsetDateTime time, String mask) {
        String given = PartialTime.text(time, mask);
        return given.length() <= 10 ? given : instant(time);
    }

    /** The namespace an exported Observation's record was written in, read as {@link #restorable} reads it (the last one); null when none. */
    public static String namespaceOf(JsonNode observation) {
        String namespace = null;
        for (JsonNode ext : observation.path("extension")) {
            if (!EXTENSION.equals(ext.path("url").asText())) continue;
            namespace = null;
            for (JsonNode x : ext.path("extension")) if ("namespace".equals(x.path("url").asText())) namespace = x.path("valueString").asText(null);
        }
        return namespace;
    }

    /** The record an exported Observation holds; IllegalArgumentException when it is not one of ours. */
    public static Restorable restorable(JsonNode observation) {
        JsonNode own = null;
        for (JsonNode ext : observation.path("extension")) if (EXTENSION.equals(ext.path("url").asText())) own = ext.path("extension");
        if (own == null) throw new IllegalArgumentException("Observation " + observation.path("id").asText() + " has no Omix stream-record extension");
        java.util.Map<String, JsonNode> f = new java.util.HashMap<>();
        for (JsonNode x : own) {
            JsonNode v = x.has("valueString") ? x.get("valueString") : x.get("valueBoolean");
            if (v != null) f.put(x.path("url").asText(), v);
        }
        for (String required : java.util.List.of("namespace", "dataElement", "dataElementName", "generateTime", "data")) {
            if (!f.containsKey(required)) throw new IllegalArgumentException("Observation " + observation.path("id").asText() + " lacks " + required);
        }
        StreamStore.DataElement element = new StreamStore.DataElement(f.get("dataElement").asText(), f.get("dataElementName").asText(),
                text(f.get("dataElementDescription")), text(f.get("dataElementSourceDomain")), text(f.get("dataElementSourceId")));
        // Read as the write API reads a record's data (the person makes the archive, and could forge it): no more than a
        // record holds, within the JSON limits, no text that cannot be stored.
        String dataText = f.get("data").asText();
        if (dataText.length() > StreamsCapability.MAX_DATA_CHARS) {
            throw new IllegalArgumentException("Observation " + observation.path("id").asText() + ": its data is longer than a record holds");
        }
        JsonNode data;
        try {
            data = ServerJson.readClientJson(dataText, "data");
        } catch (io.omix.server.common.http.ApiException refused) {
            throw new IllegalArgumentException("Observation " + observation.path("id").asText() + ": its data is not JSON a record holds");
        }
        if (io.omix.server.common.validation.JsonParam.longerThan(data, StreamsCapability.MAX_DATA_CHARS)) {
            throw new IllegalArgumentException("Observation " + observation.path("id").asText() + ": its data is longer than a record holds");
        }
        return new Restorable(f.get("namespace").asText(), element, f.get("generateTime").asText(),
                f.containsKey("duplicate") && f.get("duplicate").asBoolean(), data);
    }

    private static String text(JsonNode node) {
        return node == null ? null : node.asText();
    }
}
