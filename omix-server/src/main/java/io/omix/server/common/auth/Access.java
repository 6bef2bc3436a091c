package io.omix.server.common.auth;

/** Who may call an endpoint. Every route declares one; the check runs before validation and the handler. */
public enum Access {
    /** Anyone (liveness, metrics, the login page). */
    PUBLIC,
    /** An OAuth2 access token of either grant. */
    TOKEN,
    /**
     * Anyone, and a caller who sends a token is that token's caller (checked as {@link #TOKEN}: a dead
     * token is refused, not taken for anonymous). For answers that depend on who asks (the Beacon).
     */
    TOKEN_IF_SENT,
    /** An access token from the authorization-code grant: acts for one user. Client tokens get 401. */
    USER_TOKEN,
    /** An access token from the client-credentials grant: acts for the application. User tokens get 40014. */
    CLIENT_TOKEN,
    /** An authorization-code token of a user who operates the platform (imports, bindings). Others get 401. */
    OPERATOR,
    /** A private-platform app, by a signed request. */
    PRIVATE_APP,
    /** A dataset batches API key and secret. */
    DATASET_KEY,
    /** Upload credentials from /sts/token, by a signed request; the caller is the token that asked for them, files scope only. */
    UPLOAD_CREDENTIALS
}
