package io.omix.sdk.internal;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** A caller's value placed in a request's path: one segment, whatever it holds. */
public final class PathSegment {
    private PathSegment() {
    }

    /**
     * {@code value} percent-encoded as one path segment: a {@code /}, {@code ?} or {@code #} in an id cannot reach another
     * path or add a query.
     *
     * @param parameter the parameter's name, for the refusal
     * @param value     the caller's value
     * @return the encoded segment
     * @throws IllegalArgumentException when the value is null, empty, {@code .} or {@code ..} (which name no segment)
     */
    public static String of(String parameter, String value) {
        if (value == null || value.isEmpty() || value.equals(".") || value.equals("..")) {
            throw new IllegalArgumentException(parameter + " must be given (and not '.' or '..')");
        }
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
