package io.omix.server.common.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.omix.server.common.http.ApiException;
import io.omix.server.common.http.ErrorCode;
import io.omix.server.common.http.ServerJson;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ParamSpecTest {
    static final StringParam ID = Param.string("biosample_id").required()
            .pattern(Pattern.compile("E-[A-Z][0-9]{11}"), "E- + a letter + 11 digits");
    static final IntParam LIMIT = Param.integer("limit").range(1, 100).orElse(50);
    static final IntListParam SITES = Param.intList("biosample_sites").range(1, 15);
    static final StringListParam RSIDS = Param.stringList("rsids").pattern(Pattern.compile("rs[0-9]+"), "rs + digits")
            .maxItems(3).distinct();
    static final BoolParam DUP = Param.bool("duplicate_enabled").orElse(false);
    static final JsonParam DATA = Param.json("stream_data").objectOnly();
    static final LongParam BATCH = Param.longInt("batch_no").range(1, Long.MAX_VALUE);
    static final ParamSpec SPEC = ParamSpec.of(ID, LIMIT, SITES, RSIDS, DUP, DATA, BATCH);

    private static Map<String, List<JsonNode>> text(String... pairs) {
        Map<String, List<JsonNode>> in = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            in.computeIfAbsent(pairs[i], k -> new java.util.ArrayList<>()).add(JsonNodeFactory.instance.textNode(pairs[i + 1]));
        }
        return in;
    }

    /** The 41001 details of a failing parse. */
    @SuppressWarnings("unchecked")
    private static Map<String, String> errors(Map<String, List<JsonNode>> in) {
        ApiException e = assertThrows(ApiException.class, () -> SPEC.parse(in));
        assertEquals(ErrorCode.PARAMETER_ERROR, e.error());
        assertEquals(41001, e.error().code());
        return (Map<String, String>) e.data();
    }

    @Test
    void parsesValidValuesAndAppliesDefaults() {
        Params p = SPEC.parse(text("biosample_id", "E-B19137107158", "biosample_sites", "1, 11,15",
                "rsids", "rs1,rs2", "duplicate_enabled", "True", "stream_data", "{\"v\": 1}", "batch_no", "1630658571462"));
        assertEquals("E-B19137107158", p.get(ID));
        assertEquals(50, p.get(LIMIT));
        assertFalse(p.given(LIMIT));
        assertEquals(List.of(1, 11, 15), p.get(SITES));
        assertEquals(List.of("rs1", "rs2"), p.get(RSIDS));
        assertTrue(p.get(DUP));
        assertEquals(1, p.get(DATA).get("v").intValue());
        assertEquals(1630658571462L, p.get(BATCH));
    }

    @Test
    void reportsEveryFailingParameterAtOnce() {
        Map<String, String> errors = errors(text("limit", "0", "biosample_sites", "1,,3", "duplicate_enabled", "maybe"));
        assertEquals(List.of("biosample_id", "limit", "biosample_sites", "duplicate_enabled"), List.copyOf(errors.keySet()));
        assertEquals("is required", errors.get("biosample_id"));
        assertEquals("must be an integer from 1 to 100", errors.get("limit"));
        assertEquals("must not contain empty items", errors.get("biosample_sites"));
        assertEquals("must be true or false", errors.get("duplicate_enabled"));
    }

    @Test
    void refusesOutOfRangeAndNonIntegerListItems() {
        assertEquals("16 is out of range 1..15", errors(text("biosample_id", "E-B19137107158", "biosample_sites", "1,16")).get("biosample_sites"));
        assertEquals("'x' is not an integer", errors(text("biosample_id", "E-B19137107158", "biosample_sites", "1,x")).get("biosample_sites"));
        assertEquals("'1.5' is not an integer", errors(text("biosample_id", "E-B19137107158", "biosample_sites", "1.5")).get("biosample_sites"));
        assertEquals("must not contain empty items", errors(text("biosample_id", "E-B19137107158", "biosample_sites", ",")).get("biosample_sites"));
    }

    @Test
    void refusesBadListItemsRepeatsAndTooManyItems() {
        assertEquals("'rsX' is not rs + digits", errors(text("biosample_id", "E-B19137107158", "rsids", "rs1,rsX")).get("rsids"));
        assertEquals("'rs1' is repeated", errors(text("biosample_id", "E-B19137107158", "rsids", "rs1,rs1")).get("rsids"));
        assertEquals("must have at most 3 items", errors(text("biosample_id", "E-B19137107158", "rsids", "rs1,rs2,rs3,rs4")).get("rsids"));
    }

    @Test
    void refusesMalformedScalars() {
        assertEquals("must be E- + a letter + 11 digits", errors(text("biosample_id", "E-b19137107158")).get("biosample_id"));
        assertEquals("must be an integer from 1 to 100", errors(text("biosample_id", "E-B19137107158", "limit", " 5")).get("limit"));
        assertEquals("must be an integer from 1 to 100", errors(text("biosample_id", "E-B19137107158", "limit", "99999999999999999999")).get("limit"));
        assertTrue(errors(text("biosample_id", "E-B19137107158", "stream_data", "{oops")).get("stream_data").startsWith("must be valid JSON"));
        assertEquals("must be a JSON object", errors(text("biosample_id", "E-B19137107158", "stream_data", "[1]")).get("stream_data"));
        assertEquals("must be an integer from 1 to 9223372036854775807", errors(text("biosample_id", "E-B19137107158", "batch_no", "0")).get("batch_no"));
    }

    @Test
    void refusesControlCharactersAndOverlongText() {
        StringParam name = Param.string("name").maxLength(5);
        ParamSpec spec = ParamSpec.of(name);
        ApiException e = assertThrows(ApiException.class, () -> spec.parse(text("name", "a\u0000b")));
        assertEquals(Map.of("name", "must not contain control characters"), e.data());
        e = assertThrows(ApiException.class, () -> spec.parse(text("name", "abcdef")));
        assertEquals(Map.of("name", "must be at most 5 characters"), e.data());
    }

    @Test
    void refusesAParameterGivenTwice() {
        assertEquals("given more than once", errors(text("biosample_id", "E-B19137107158", "limit", "1", "limit", "2")).get("limit"));
    }

    @Test
    void emptyTextCountsAsAbsent() {
        Params p = SPEC.parse(text("biosample_id", "E-B19137107158", "limit", ""));
        assertEquals(50, p.get(LIMIT));
        assertEquals("is required", errors(text("biosample_id", "")).get("biosample_id"));
    }

    @Test
    void acceptsTypedJsonValuesFromJsonBodies() throws Exception {
        JsonNode body = ServerJson.MAPPER.readTree("""
                {"biosample_id": "E-B19137107158", "limit": 7, "biosample_sites": [2, 3],
                 "duplicate_enabled": true, "stream_data": {"value_quantity": {"value": 356}}}""");
        Map<String, List<JsonNode>> in = new LinkedHashMap<>();
        body.fields().forEachRemaining(e -> in.put(e.getKey(), List.of(e.getValue())));
        Params p = SPEC.parse(in);
        assertEquals(7, p.get(LIMIT));
        assertEquals(List.of(2, 3), p.get(SITES));
        assertTrue(p.get(DUP));
        assertEquals(356, p.get(DATA).at("/value_quantity/value").intValue());
        assertNull(p.get(RSIDS));
    }

    @Test
    void refusesObjectsWhereScalarsAreExpected() throws Exception {
        Map<String, List<JsonNode>> in = new LinkedHashMap<>();
        in.put("biosample_id", List.of(ServerJson.MAPPER.readTree("{\"a\":1}")));
        in.put("limit", List.of(ServerJson.MAPPER.readTree("1.5")));
        Map<String, String> errors = errors(in);
        assertEquals("must be a single value, not object", errors.get("biosample_id"));
        assertEquals("must be an integer from 1 to 100", errors.get("limit"));
    }

    @Test
    void readingAnUndeclaredParameterIsAProgrammingError() {
        Params p = SPEC.parse(text("biosample_id", "E-B19137107158"));
        assertThrows(IllegalArgumentException.class, () -> p.get(Param.string("other")));
    }

    @Test
    void declarationsAreValuesThatConstraintsCopy() {
        StringParam base = Param.string("biosample_id").maxLength(64);
        StringParam required = base.required();
        assertFalse(base.isRequired(), "a shared declaration never changes under the specs that use it");
        assertTrue(required.isRequired());
        Params p = ParamSpec.of(base).parse(text());
        assertNull(p.get(base));
        assertThrows(IllegalArgumentException.class, () -> p.get(required), "a copy is another declaration");
    }

    @Test
    void declaringANameTwiceIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> ParamSpec.of(Param.string("a"), Param.integer("a")));
    }
}
