package io.omix.server.common.db;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Builds a WHERE clause with its bind values, so filters stay parameterised however many there are. */
public final class SqlWhere {
    private final List<String> conditions = new ArrayList<>();
    private final List<Object> args = new ArrayList<>();

    /** Adds {@code condition} (with {@code ?} placeholders for {@code values}). */
    public SqlWhere and(String condition, Object... values) {
        conditions.add(condition);
        args.addAll(List.of(values));
        return this;
    }

    /** {@code column IN (?, ?, ...)} when {@code values} is not null; nothing when it is null. */
    public SqlWhere in(String column, Collection<?> values) {
        if (values == null) return this;
        if (values.isEmpty()) return and("1 = 0");
        conditions.add(column + " IN (" + String.join(", ", java.util.Collections.nCopies(values.size(), "?")) + ")");
        args.addAll(values);
        return this;
    }

    public String sql() {
        return conditions.isEmpty() ? "" : " WHERE " + conditions();
    }

    /** The conditions alone, joined (for a caller that writes its own WHERE); {@code 1 = 1} when there are none. */
    public String conditions() {
        return conditions.isEmpty() ? "1 = 1" : String.join(" AND ", conditions);
    }

    public Object[] args() {
        return args.toArray();
    }

    /** The arguments followed by more (e.g. LIMIT and OFFSET). */
    public Object[] argsWith(Object... more) {
        List<Object> all = new ArrayList<>(args);
        all.addAll(List.of(more));
        return all.toArray();
    }
}
