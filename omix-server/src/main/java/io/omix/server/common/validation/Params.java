package io.omix.server.common.validation;

import java.util.Map;
import java.util.Set;

/** The validated parameters of one request, read back by their declarations. */
public final class Params {
    private final Map<Param<?, ?>, Object> values;
    private final Set<Param<?, ?>> given;
    private final Set<Param<?, ?>> declared;

    Params(Map<Param<?, ?>, Object> values, Set<Param<?, ?>> given, Set<Param<?, ?>> declared) {
        this.values = values;
        this.given = given;
        this.declared = declared;
    }

    /** The parsed value, else the declared default, else null. */
    @SuppressWarnings("unchecked")
    public <T> T get(Param<T, ?> param) {
        if (!declared.contains(param)) {
            throw new IllegalArgumentException("parameter '" + param.name() + "' is not in this endpoint's spec");
        }
        return (T) values.get(param);
    }

    /** The parameters of the endpoint's spec. */
    public Set<Param<?, ?>> declared() {
        return declared;
    }

    /** True when the caller gave the parameter (a default does not count). */
    public boolean given(Param<?, ?> param) {
        return given.contains(param);
    }
}
