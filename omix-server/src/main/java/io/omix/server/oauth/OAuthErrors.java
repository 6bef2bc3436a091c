package io.omix.server.oauth;

import io.omix.server.common.http.ApiException;
import io.omix.server.common.http.ErrorCode;

import java.util.LinkedHashMap;
import java.util.Map;

/** OAuth2 errors in the envelope: code 400 {@code 错误的请求}, with the RFC 6749 error in {@code data}. */
final class OAuthErrors {
    private OAuthErrors() {}

    static ApiException error(String error, String description) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("error", error);
        data.put("error_description", description);
        return new ApiException(ErrorCode.BAD_REQUEST, data);
    }

    static ApiException invalidGrant(String description) {
        return error("invalid_grant", description);
    }

    static ApiException invalidClient() {
        // One answer for an unknown client, a disabled one and a wrong secret: nothing to enumerate.
        return error("invalid_client", "client authentication failed");
    }
}
