package io.omix.server.datasets;

import io.omix.server.common.db.SqlWhere;
import io.omix.server.common.http.HttpProblem;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The list syntax of the dataset batches API: {@code fields} (names or {@code __full} /
 * {@code __standard} / {@code __min}), comma lists ({@code 1,2,3}), date ranges
 * ({@code (from:'2023-12-19T09:39:18.628Z',to:'...')}) and sorts ({@code (id:asc),(state:desc)}).
 * Anything malformed is a 400 whose detail says what was wrong and what was expected.
 */
final class QuerySyntax {
    // Possessive quantifiers throughout: runs of spaces are taken once and never given back, so that a
    // crafted value ("(" and hundreds of spaces) costs linear time, not seconds of backtracking.
    private static final Pattern RANGE = Pattern.compile("\\(\\s*+(?:from\\s*+:\\s*+'([^']*+)')?\\s*+,?\\s*+(?:to\\s*+:\\s*+'([^']*+)')?\\s*+\\)");
    private static final Pattern SORT_TERM = Pattern.compile("\\(\\s*+([a-z_]++)\\s*+:\\s*+(asc|desc)\\s*+\\)", Pattern.CASE_INSENSITIVE);
    static final int MAX_LIST = 1000;

    /** The field sets of one resource. */
    record FieldSets(List<String> min, List<String> standard, List<String> full, Map<String, String> aliases) {
        /** The fields asked for, in the resource's order; null or empty asks for the standard set. */
        Set<String> select(String text) {
            if (text == null || text.isBlank() || text.equals("__standard")) return new LinkedHashSet<>(standard);
            if (text.equals("__full")) return new LinkedHashSet<>(full);
            if (text.equals("__min")) return new LinkedHashSet<>(min);
            Set<String> chosen = new LinkedHashSet<>();
            for (String name : items("fields", text)) {
                String field = aliases.getOrDefault(name, name);
                if (!full.contains(field)) {
                    throw bad("fields", "unknown field '" + name + "'; known: " + String.join(",", full) + ", or __full, __standard, __min");
                }
                chosen.add(field);
            }
            Set<String> ordered = new LinkedHashSet<>();
            for (String f : full) if (chosen.contains(f)) ordered.add(f);
            return ordered;
        }
    }

    private QuerySyntax() {}

    static HttpProblem bad(String parameter, String what) {
        return new HttpProblem(400, parameter + ": " + what, Map.of("parameter", parameter));
    }

    /** Items of a comma list; empty items are refused. */
    static List<String> items(String parameter, String text) {
        List<String> out = new ArrayList<>();
        for (String item : text.split(",", -1)) {
            String t = item.trim();
            if (t.isEmpty()) throw bad(parameter, "empty item in comma list '" + text + "'");
            out.add(t);
        }
        if (out.size() > MAX_LIST) throw bad(parameter, "at most " + MAX_LIST + " items");
        return out;
    }

    /** A comma list of whole numbers, or null when absent. */
    static List<Long> longs(String parameter, String text) {
        return longs(parameter, text, 1);
    }

    /** A comma list of whole numbers of at least {@code min}, or null when absent. */
    static List<Long> longs(String parameter, String text, long min) {
        if (text == null || text.isBlank()) return null;
        List<Long> out = new ArrayList<>();
        for (String item : items(parameter, text)) {
            long value;
            try {
                value = Long.parseLong(item);
            } catch (NumberFormatException e) {
                throw bad(parameter, "'" + item + "' is not a whole number (expected e.g. 1,2,3)");
            }
            if (value < min) throw bad(parameter, "'" + item + "' is below " + min);
            out.add(value);
        }
        return out;
    }

    /** A comma list whose items must be among {@code allowed}, or null when absent. */
    static List<String> oneOf(String parameter, String text, Set<String> allowed) {
        if (text == null || text.isBlank()) return null;
        List<String> out = items(parameter, text);
        for (String s : out) {
            if (!allowed.contains(s)) throw bad(parameter, "unknown value '" + s + "'; expected some of " + String.join(",", allowed));
        }
        return out;
    }

    /** Adds the bounds of a {@code (from:'...',to:'...')} range on {@code column}, when given. */
    static void range(SqlWhere where, String parameter, String column, String text) {
        if (text == null || text.isBlank()) return;
        Matcher m = RANGE.matcher(text.trim());
        if (!m.matches() || (m.group(1) == null && m.group(2) == null)) {
            throw bad(parameter, "expected (from:'2023-12-19T09:39:18.628Z',to:'2023-12-26T10:42:43.152Z'), either bound optional; got '" + text + "'");
        }
        OffsetDateTime from = m.group(1) == null ? null : instant(parameter, m.group(1));
        OffsetDateTime to = m.group(2) == null ? null : instant(parameter, m.group(2));
        if (from != null && to != null && from.isAfter(to)) throw bad(parameter, "from is after to");
        if (from != null) where.and(column + " >= ?", from);
        if (to != null) where.and(column + " <= ?", to);
    }

    /**
     * ISO 8601 with or without an offset (UTC then), or a date alone (its start, UTC), in the years 1 to 9999: both
     * databases hold those (PostgreSQL refuses a year 300000 that Java reads, and Java refuses to place some instants it
     * parses).
     */
    static OffsetDateTime instant(String parameter, String text) {
        OffsetDateTime t = parsed(text);
        if (t == null) throw bad(parameter, "'" + text + "' is not an ISO 8601 date-time");
        if (t.getYear() < 1 || t.getYear() > 9999) throw bad(parameter, "'" + text + "' is outside the years 1 to 9999");
        return t;
    }

    /** Whether {@code text} starts as every form {@link #parsed} reads does: a year of four digits or more (signed), a month and a day. */
    private static boolean dateShaped(String text) {
        if (text.length() < 10 || text.length() > 64) return false;
        int i = text.charAt(0) == '+' || text.charAt(0) == '-' ? 1 : 0;
        int yearStart = i;
        while (i < text.length() && text.charAt(i) >= '0' && text.charAt(i) <= '9') i++;
        if (i - yearStart < 4 || i + 6 > text.length()) return false;
        return text.charAt(i) == '-' && Character.isDigit(text.charAt(i + 1)) && Character.isDigit(text.charAt(i + 2))
                && text.charAt(i + 3) == '-' && Character.isDigit(text.charAt(i + 4)) && Character.isDigit(text.charAt(i + 5));
    }

    private static OffsetDateTime parsed(String text) {
        // Each form below that does not fit throws: a text that cannot be one (most, in a CSV's text column) is told at once.
        if (!dateShaped(text)) return null;
        try {
            return OffsetDateTime.ofInstant(Instant.parse(text), ZoneOffset.UTC);
        } catch (java.time.DateTimeException notInstant) {
            // the next form
        }
        try {
            return OffsetDateTime.parse(text).withOffsetSameInstant(ZoneOffset.UTC);
        } catch (java.time.DateTimeException notOffset) {
            // the next form
        }
        try {
            return LocalDateTime.parse(text).atOffset(ZoneOffset.UTC);
        } catch (java.time.DateTimeException notLocal) {
            // the next form
        }
        try {
            return LocalDate.parse(text).atStartOfDay().atOffset(ZoneOffset.UTC);
        } catch (java.time.DateTimeException notDate) {
            return null;
        }
    }

    /**
     * {@code ORDER BY} for {@code (field:asc),(field:desc)}, over the sortable fields (name to SQL
     * column); {@code tieBreak} always ends it so pages never overlap.
     */
    static String orderBy(String text, Map<String, String> sortable, String defaultSort, String tieBreak) {
        String s = text == null || text.isBlank() ? defaultSort : text.trim();
        Map<String, String> terms = new LinkedHashMap<>();
        int at = 0;
        while (at < s.length()) {
            Matcher m = SORT_TERM.matcher(s);
            m.region(at, s.length());
            if (!m.lookingAt()) throw bad("sort", "expected (field:asc) or (field:desc) terms separated by commas, e.g. (id:asc),(name:desc); got '" + text + "'");
            String field = m.group(1).toLowerCase(java.util.Locale.ROOT);
            String column = sortable.get(field);
            if (column == null) throw bad("sort", "cannot sort by '" + field + "'; sortable: " + String.join(",", sortable.keySet()));
            if (terms.putIfAbsent(column, m.group(2).toUpperCase(java.util.Locale.ROOT)) != null) throw bad("sort", "'" + field + "' given twice");
            at = m.end();
            if (at < s.length()) {
                if (s.charAt(at) != ',') throw bad("sort", "expected ',' between terms at position " + at + " of '" + text + "'");
                at++;
                if (at == s.length()) throw bad("sort", "ends with ','");
            }
        }
        StringBuilder order = new StringBuilder(" ORDER BY ");
        terms.forEach((column, direction) -> order.append(column).append(' ').append(direction).append(", "));
        return order.append(tieBreak).toString();
    }
}
