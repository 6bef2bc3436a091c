package io.omix.server.samples;

import java.util.LinkedHashMap;
import java.util.Map;

/** The coded fields of samples, answered as {@code {code, display}} on the open platform. Documented in docs/api.md. */
public final class Codes {
    private Codes() {}

    public static final Map<Integer, String> SITES = ordered(
            1, "oral", 2, "skin", 3, "nasal", 4, "vaginal", 5, "urine", 6, "saliva", 7, "sputum", 8, "gut mucosa",
            9, "breast milk", 10, "feces", 11, "blood", 12, "tissue", 13, "cell line", 14, "cerebrospinal fluid", 15, "other");

    /** The letter after {@code E-} in a biosample id, by site. */
    static final String SITE_LETTERS = "OSNVULPMKFBTCRX";

    public static final Map<Integer, String> ORGANISMS = ordered(1, "human", 2, "mouse", 3, "rat");

    public static final Map<Integer, String> OMICS = ordered(1, "genomics", 2, "metagenomics");

    public static final Map<Integer, String> STATUSES = ordered(
            -1, "未知", 1000, "已注册", 2000, "已采样", 3000, "已收样", 4000, "测序中", 5000, "测序完成", 9001, "开始解读", 9999, "解读完成");

    public static Map<String, Object> coded(Map<Integer, String> table, int code) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("code", code);
        m.put("display", table.getOrDefault(code, "unknown"));
        return m;
    }

    private static Map<Integer, String> ordered(Object... kv) {
        Map<Integer, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((Integer) kv[i], (String) kv[i + 1]);
        return java.util.Collections.unmodifiableMap(m);
    }
}
