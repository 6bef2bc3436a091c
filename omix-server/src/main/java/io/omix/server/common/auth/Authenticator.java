package io.omix.server.common.auth;

import io.omix.server.common.http.ApiRequest;

/** Establishes the caller of a request for one kind of {@link Access}, or throws the API error that refuses it. */
@FunctionalInterface
public interface Authenticator {
    Caller authenticate(ApiRequest request, Access required);
}
