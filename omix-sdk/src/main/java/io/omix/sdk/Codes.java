package io.omix.sdk;

/**
 * The platform's error codes that callers test for, as {@link OmixException#code()} gives them.
 * docs/api.md lists every code with its meaning.
 */
public final class Codes {
    private Codes() {}

    /** OAuth2 request is wrong: a bad code, redirect_uri, grant or client. */
    public static final int BAD_REQUEST = 400;
    /** The token is valid but lacks the scope or permission. */
    public static final int NO_PERMISSION = 401;
    /** The token is unknown, expired or revoked. */
    public static final int TOKEN_INVALID = 403;
    /** Not found (the dataset batches API; the open platform's HTTP-level 404). */
    public static final int NOT_FOUND = 404;
    /** A keyed write is still being served: try again. */
    public static final int IN_PROGRESS = 409;
    /** Too many calls this minute: see {@link RateLimitedException#retryAfter()}. */
    public static final int TOO_MANY_REQUESTS = 429;
    /** The endpoint refuses authorization-code (user) tokens. */
    public static final int AUTHORIZATION_CODE_TOKEN_REFUSED = 40014;
    /** Private platform: unknown app key or a signature that does not match. */
    public static final int SIGNATURE_INVALID = 40101;
    /** Private platform: the request's timestamp is too far from the server's clock. */
    public static final int REQUEST_EXPIRED = 40102;
    /** Private platform: the nonce was used before. */
    public static final int REQUEST_REPLAYED = 40103;
    /** A parameter failed validation; the data names each one with the reason. */
    public static final int PARAMETER_ERROR = 41001;
    /** No such model (or one of another application). */
    public static final int MODEL_NOT_FOUND = 41202;
    /** The sample is not the caller's (also: unknown or malformed id). */
    public static final int NOT_OWN_SAMPLE = 41303;
    /**
     * A storage quota is reached: the private app's namespace holds the most data items or stream records it may
     * (the server's batches.max-items-per-namespace and streams.max-records-per-namespace), or an open-platform sample
     * the most stream records (streams.max-records-per-sample).
     */
    public static final int QUOTA_EXCEEDED = 41401;
    /** Upload credentials unknown, expired or revoked, their signature not matching, or a request sent again with a nonce used before. */
    public static final int UPLOAD_CREDENTIALS_INVALID = 42001;
    /** No such object in the file store, or not one the caller may read. */
    public static final int OBJECT_NOT_FOUND = 42007;
}
