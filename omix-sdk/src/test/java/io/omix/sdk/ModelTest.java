package io.omix.sdk;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelTest {
    static final String SAMPLE = """
            {"biosample_id": "E-B19137107158", "organism": {"code": 1, "display": "human"},
             "sequencing": {"platform": [], "sequencing_time": ["2019-09-24"]},
             "statistics": {"depth": 86.104, "variant_counting": 5160417, "human_contamination": null},
             "data_availability": true, "big": 12345678901234}""";

    record Organism(int code, String display) {}

    record Sample(String biosampleId, Organism organism, boolean dataAvailability) {}

    @Test
    void readsValuesDynamically() {
        Model m = Model.parse(SAMPLE);
        assertEquals("E-B19137107158", m.get("biosample_id"));
        assertInstanceOf(Model.class, m.get("organism"));
        assertEquals(1, m.getModel("organism").getInt("code"));
        assertEquals("human", m.at("organism.display"));
        assertEquals("2019-09-24", m.at("sequencing.sequencing_time[0]"));
        assertEquals(86.104, m.at("statistics.depth"));
        assertEquals(86.104, m.getModel("statistics").getDouble("depth"));
        assertEquals(12345678901234L, m.get("big"));
        assertEquals(true, m.getBoolean("data_availability"));
        assertNull(m.at("statistics.human_contamination"));
        assertNull(m.at("no.such.path[3]"));
        assertThrows(ClassCastException.class, () -> m.getList("sequencing"));
        assertEquals(0, m.getModel("sequencing").getList("platform").size());
    }

    @Test
    void isAReadOnlyMap() {
        Model m = Model.parse(SAMPLE);
        assertEquals(6, m.size());
        assertTrue(m.containsKey("organism"));
        assertEquals(List.of("biosample_id", "organism", "sequencing", "statistics", "data_availability", "big"), List.copyOf(m.keySet()));
        assertThrows(UnsupportedOperationException.class, () -> m.put("x", 1));
        assertThrows(UnsupportedOperationException.class, () -> m.remove("organism"));
    }

    @Test
    void typedGettersRefuseTheWrongType() {
        Model m = Model.parse(SAMPLE);
        ClassCastException e = assertThrows(ClassCastException.class, () -> m.getInt("organism"));
        assertEquals("'organism' is object, not an int", e.getMessage());
        assertThrows(ClassCastException.class, () -> m.getModel("biosample_id"));
    }

    @Test
    void jsonGivesPlainMapsAndLists() {
        Map<String, Object> plain = Model.parse(SAMPLE).json();
        assertInstanceOf(java.util.LinkedHashMap.class, plain.get("organism"));
        assertEquals(Map.of("code", 1, "display", "human"), plain.get("organism"));
        assertEquals(List.of("2019-09-24"), ((Map<?, ?>) plain.get("sequencing")).get("sequencing_time"));
    }

    @Test
    void dumpsLikePythonsJsonDumps() {
        Model m = Model.parse("{\"a\": 1, \"b\": [], \"c\": {\"d\": [1, 2]}, \"e\": {}, \"f\": \"张三\"}");
        assertEquals("""
                {
                    "a": 1,
                    "b": [],
                    "c": {
                        "d": [
                            1,
                            2
                        ]
                    },
                    "e": {},
                    "f": "张三"
                }""", m.dumps(4));
        assertEquals("{\"a\":1,\"b\":[],\"c\":{\"d\":[1,2]},\"e\":{},\"f\":\"张三\"}", m.dumps());
        assertEquals("Model({\"a\":1,\"b\":[],\"c\":{\"d\":[1,2]},\"e\":{},\"f\":\"张三\"})", m.toString());
        // What a log may hold: tokens, secrets and signed links masked (dumps() gives them whole).
        Model secret = Model.parse("{\"access_token\":\"tok-123\",\"refresh_token\":\"ref-456\",\"url\":\"https://h/o?signature=sig-789&expires=1\"}");
        assertFalse(secret.toString().contains("tok-123") || secret.toString().contains("ref-456") || secret.toString().contains("sig-789"), secret.toString());
        assertTrue(secret.dumps().contains("tok-123"));
    }

    @Test
    void bindsToRecordsWithSnakeCaseNames() {
        Sample s = Model.parse(SAMPLE).as(Sample.class);
        assertEquals(new Sample("E-B19137107158", new Organism(1, "human"), true), s);
    }

    @Test
    void listModelWrapsArrays() {
        ListModel list = ListModel.parse("[{\"code\": 1, \"display\": \"human\"}, {\"code\": 2, \"display\": \"mouse\"}]");
        assertEquals(2, list.size());
        assertEquals("mouse", list.getModel(1).getString("display"));
        assertEquals("human", list.at("[0].display"));
        assertEquals(List.of(new Organism(1, "human"), new Organism(2, "mouse")), list.as(Organism.class));
        assertEquals(2, list.models().size());
        assertInstanceOf(List.class, list.json());
        assertThrows(UnsupportedOperationException.class, () -> list.add("x"));
        assertThrows(IndexOutOfBoundsException.class, () -> list.get(2));
        assertTrue(list.toString().startsWith("ListModel([\n    {"));
    }

    @Test
    void malformedJsonIsRefusedClearly() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Model.parse("{oops"));
        assertTrue(e.getMessage().startsWith("malformed JSON"));
        assertThrows(IllegalArgumentException.class, () -> Model.parse("[1]"));
    }
}
