package io.omix.sdk.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Masks secrets and tokens before anything reaches a log. */
public final class Redactor {
    /** What a secret value is replaced with. */
    static final String MASK = "***";

    /** Parameter and JSON field names whose values are secret (compared case-insensitively). */
    private static final Set<String> SECRET_NAMES = Set.of(
            "access_token", "refresh_token", "client_secret", "password", "token", "code", "code_verifier",
            "app_secret", "api_secret", "secret", "security_token", "access_key_secret", "signature",
            "id_token", "session", "csrf_token", "x-amz-signature", "x-amz-security-token");

    private static final Set<String> SECRET_HEADERS = Set.of(
            "authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-secret", "x-omix-signature");

    private Redactor() {}

    /**
     * Whether a parameter or JSON field holds a secret ({@code access_token}, {@code client_secret},
     * {@code code}, {@code signature}, ...).
     *
     * @param name the parameter's or field's name, compared case-insensitively
     * @return true when its value must not be logged
     */
    public static boolean isSecretName(String name) {
        return SECRET_NAMES.contains(name.toLowerCase(Locale.ROOT));
    }

    /**
     * A header's value as it may be logged: secret headers ({@code Authorization}, {@code Cookie},
     * {@code X-API-Secret}, {@code X-Omix-Signature}, ...) masked, the scheme of {@code Authorization} kept.
     *
     * @param name  the header's name, compared case-insensitively
     * @param value the header's value
     * @return {@code value}, or its masked form, e.g. {@code Bearer ***}
     */
    public static String header(String name, String value) {
        if (!SECRET_HEADERS.contains(name.toLowerCase(Locale.ROOT))) return value;
        int space = value.indexOf(' ');
        // Keep the scheme ("Bearer") so the log still says what kind of credential was sent.
        return space > 0 && name.equalsIgnoreCase("authorization") ? value.substring(0, space) + " " + MASK : MASK;
    }

    /**
     * Masks secret values in a {@code k=v&k2=v2} string (query or form body).
     *
     * @param encoded the URL-encoded pairs, or null
     * @return the same pairs with secret values replaced by {@code ***}; null or empty as given
     */
    public static String urlEncoded(String encoded) {
        if (encoded == null || encoded.isEmpty()) return encoded;
        StringBuilder out = new StringBuilder(encoded.length());
        for (String pair : encoded.split("&", -1)) {
            if (out.length() > 0) out.append('&');
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            out.append(eq >= 0 && isSecretName(name) ? pair.substring(0, eq + 1) + MASK : pair);
        }
        return out.toString();
    }

    /**
     * Masks secret string values anywhere in a JSON text; text that is not JSON is returned unchanged.
     *
     * @param text a JSON object or array as text, or null
     * @return the text with secret values replaced by {@code "***"}, rewritten compactly; other text as given
     */
    public static String json(String text) {
        if (text == null || text.isEmpty()) return text;
        try {
            JsonNode node = Json.MAPPER.readTree(text);
            if (node == null || !node.isContainerNode()) return text;
            mask(node);
            return Json.MAPPER.writeValueAsString(node);
        } catch (Exception notJson) {
            return text;
        }
    }

    /** A link with its secret query parameters masked: a signed download URL is a bearer credential. */
    public static String link(String url) {
        int query = url.indexOf('?');
        if (query < 0) return url;
        int fragment = url.indexOf('#', query);
        String params = fragment < 0 ? url.substring(query + 1) : url.substring(query + 1, fragment);
        return url.substring(0, query + 1) + urlEncoded(params) + (fragment < 0 ? "" : url.substring(fragment));
    }

    private static void mask(JsonNode node) {
        if (node instanceof ObjectNode o) {
            Iterator<Map.Entry<String, JsonNode>> it = o.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (isSecretName(e.getKey()) && e.getValue().isTextual()) {
                    e.setValue(o.textNode(MASK));
                } else if (e.getValue().isTextual() && e.getValue().textValue().contains("://")) {
                    e.setValue(o.textNode(link(e.getValue().textValue())));
                } else {
                    mask(e.getValue());
                }
            }
        } else if (node instanceof ArrayNode a) {
            a.forEach(Redactor::mask);
        }
    }
}
