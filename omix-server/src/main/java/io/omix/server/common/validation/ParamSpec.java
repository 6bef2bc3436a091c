package io.omix.server.common.validation;

import com.fasterxml.jackson.databind.JsonNode;
import io.omix.server.common.http.ApiException;
import io.omix.server.common.http.ErrorCode;

import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parameters an endpoint accepts. {@link #parse(Map)} checks them all and answers 41001
 * {@code 参数错误} with every failing parameter and its reason in {@code data}, or returns
 * {@link Params}. Parameters the spec does not declare are ignored.
 */
public final class ParamSpec {
    public static final ParamSpec NONE = new ParamSpec(List.of());

    private final List<Param<?, ?>> params;
    private final Set<String> names;

    private ParamSpec(List<Param<?, ?>> params) {
        Set<String> names = new HashSet<>();
        for (Param<?, ?> p : params) {
            if (!names.add(p.name())) throw new IllegalArgumentException("parameter declared twice: " + p.name());
        }
        this.params = List.copyOf(params);
        this.names = Set.copyOf(names);
    }

    /** Whether the spec declares a parameter of this name. */
    public boolean declares(String name) {
        return names.contains(name);
    }

    public static ParamSpec of(Param<?, ?>... params) {
        return new ParamSpec(List.of(params));
    }

    /** This spec and {@code more}: endpoints sharing path parameters declare them once. */
    public ParamSpec with(Param<?, ?>... more) {
        List<Param<?, ?>> all = new java.util.ArrayList<>(params);
        all.addAll(List.of(more));
        return new ParamSpec(all);
    }

    public List<Param<?, ?>> params() {
        return params;
    }

    /**
     * @param input every given value by name (query, form and JSON body merged); a name given more
     *              than once is refused, an empty text counts as absent
     */
    public Params parse(Map<String, List<JsonNode>> input) {
        Map<Param<?, ?>, Object> values = new HashMap<>();
        Set<Param<?, ?>> given = new HashSet<>();
        Map<String, String> errors = new LinkedHashMap<>();
        for (Param<?, ?> p : params) {
            List<JsonNode> raw = input.get(p.name());
            if (raw != null && raw.size() > 1) {
                errors.put(p.name(), "given more than once");
                continue;
            }
            JsonNode value = raw == null ? null : raw.get(0);
            if (value == null || value.isNull() || (value.isTextual() && value.textValue().isEmpty())) {
                if (p.isRequired()) {
                    errors.put(p.name(), "is required");
                } else {
                    values.put(p, p.defaultValue());
                }
                continue;
            }
            try {
                values.put(p, p.parse(value));
                given.add(p);
            } catch (Param.InvalidParam e) {
                errors.put(p.name(), e.getMessage());
            }
        }
        if (!errors.isEmpty()) throw new ApiException(ErrorCode.PARAMETER_ERROR, errors);
        return new Params(values, given, Collections.unmodifiableSet(new LinkedHashSet<>(params)));
    }
}
