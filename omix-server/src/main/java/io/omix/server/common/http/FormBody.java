package io.omix.server.common.http;

import io.javalin.http.Context;

import java.util.List;
import java.util.Map;

/**
 * A request's HTML form fields ({@code application/x-www-form-urlencoded}), read the one way every route reads them: at
 * most {@value #MAX_FIELDS} fields, each percent-escape well formed (41001 naming the field otherwise: the framework
 * dropped a field with a bad escape without a word, and split a body of millions of empty fields into as many objects
 * before any check). A body of another type has no form fields: a {@code multipart/form-data} body is never parsed (the
 * framework stored its parts in temporary files, unbounded), and no route of the platform takes one.
 */
public final class FormBody {
    static final int MAX_FIELDS = 1_000;
    private static final String ATTRIBUTE = "omix.form_fields";

    private FormBody() {}

    /** The form's fields by name; empty when the body is not a form. */
    public static Map<String, List<String>> fields(Context ctx) {
        Map<String, List<String>> known = ctx.attribute(ATTRIBUTE);
        if (known != null) return known;
        Map<String, List<String>> fields = isForm(ctx) ? read(ctx) : Map.of();
        ctx.attribute(ATTRIBUTE, fields);
        return fields;
    }

    /** The first value of the field {@code name}, or null. */
    public static String field(Context ctx, String name) {
        List<String> values = fields(ctx).get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    static boolean isForm(Context ctx) {
        return ApiRequest.mediaType(ctx).equals("application/x-www-form-urlencoded");
    }

    private static Map<String, List<String>> read(Context ctx) {
        String body = ctx.body();
        int fields = 1;
        for (int i = 0; i < body.length(); i++) {
            if (body.charAt(i) == '&' && ++fields > MAX_FIELDS) {
                throw ApiException.invalidParam("body", "a form of at most " + MAX_FIELDS + " fields");
            }
        }
        // The framework decodes fields as the query string is decoded, and drops those it cannot: refused here instead.
        QueryEscapes.firstMalformed(body).ifPresent(name -> {
            throw ApiException.invalidParam(name.length() > 100 ? name.substring(0, 100) : name, "malformed percent-escape in the form");
        });
        return ctx.formParamMap();
    }
}
