package io.omix.server.common.http;

/**
 * Every error code the platform answers with: one table, mirrored in {@code docs/api.md}
 * (a test keeps the two in step). API errors travel in the envelope on HTTP 200; the
 * HTTP-level ones are sent with that HTTP status, for what is not an API answer.
 */
public enum ErrorCode {
    // API errors fixed by the original platform's public clients (protocol notes).
    BAD_REQUEST(400, "错误的请求", false, "OAuth2 request is wrong: bad code, redirect_uri, grant or client"),
    NO_PERMISSION(401, "无访问权限", false, "token valid but lacks the scope or permission"),
    TOKEN_INVALID(403, "access_token 已失效或错误", false, "token unknown, expired or revoked"),
    AUTHORIZATION_CODE_TOKEN_REFUSED(40014, "本接口不支持授权码模式的应用访问", false,
            "endpoint refused to authorization-code tokens"),
    PARAMETER_ERROR(41001, "参数错误", false,
            "a parameter failed validation; data maps each failing parameter to the reason"),
    SIGNATURE_INVALID(40101, "签名错误", false,
            "private platform: unknown or disabled app key, missing signature headers, or a signature that does not match"),
    REQUEST_EXPIRED(40102, "请求已过期", false,
            "private platform: X-Omix-Timestamp more than 300 s away from the server's clock"),
    REQUEST_REPLAYED(40103, "重复的请求", false, "private platform: this app used the X-Omix-Nonce before"),
    MODEL_NOT_FOUND(41202, "模型不存在", false, "unknown model id (also: a model of another owner: another client application, or another person of the same one)"),
    MODEL_NOT_PUBLISHED(41210, "模型尚无可运行版本", false, "the model has no stable version yet (publish a draft), or no draft, or its owner (the application or person that deployed it) is disabled"),
    MODEL_FAILED(41211, "模型运行出错", false,
            "the model raised an error, exited abnormally or returned something that is not a JSON object; data.stderr holds the end of its error output"),
    MODEL_TIMEOUT(41212, "模型运行超时", false, "the model ran longer than its timeout (wall clock or CPU time) and was stopped"),
    MODEL_MEMORY_EXCEEDED(41213, "模型内存超限", false, "the model needed more memory than its memory_size"),
    MODEL_OUTPUT_TOO_LARGE(41214, "模型输出过大", false, "the model wrote more than 1 MiB of result or 4 MiB of log output and was stopped"),
    MODEL_RUNTIME_UNSUPPORTED(41216, "不支持的运行时", false, "runtime other than python3 and java"),
    MODEL_SANDBOX_UNAVAILABLE(41217, "模型沙箱不可用", false,
            "this server cannot build the model sandbox (see its start-up log: not root, bubblewrap missing, user namespaces off, no control groups for its boxes), so models are not run"),
    QUOTA_EXCEEDED(41401, "超出存储配额", false,
            "a storage quota the operator set is reached: a private app's namespace holds the most uncommitted batches (batches.max-open-per-namespace), data items (batches.max-items-per-namespace) or stream records (streams.max-records-per-namespace) it may, or an open-platform sample the most stream records (streams.max-records-per-sample), or an owner of files the most files and unfinished uploads (files.max-objects-per-owner)"),
    NOT_OWN_SAMPLE(41303, "请提供本人的 biosample_id", false,
            "the sample is not the caller's (also: unknown or malformed id)"),
    // Files (issue 7): the project's own codes.
    UPLOAD_CREDENTIALS_INVALID(42001, "上传凭证无效", false,
            "upload credentials unknown, expired or revoked, signature headers missing or not matching, a timestamp more than 300 s off, or a nonce used before"),
    OBJECT_NAME_FORBIDDEN(42002, "对象名不在授权目录内", false,
            "the object name is not a file directly under the credentials' destination (no '/' after it)"),
    CHECKSUM_MISMATCH(42003, "校验和不符", false,
            "the bytes received do not match X-Omix-Content-SHA256, or the joined parts do not match the upload's sha256"),
    UPLOAD_NOT_FOUND(42004, "上传任务不存在", false, "unknown, completed or aborted upload id, or another caller's"),
    OBJECT_TOO_LARGE(42005, "文件过大", false, "object above files.max-object-bytes, part above files.max-part-bytes, or an upload beyond the owner's files.max-bytes-per-owner"),
    STORAGE_FAILED(42006, "存储失败", false, "the object store could not write (disk full, permissions); nothing was stored"),
    OBJECT_NOT_FOUND(42007, "文件不存在", false, "no such object, or not the caller's"),

    // HTTP-level errors: sent with the HTTP status equal to the code.
    HTTP_NOT_FOUND(404, "接口不存在", true, "no endpoint at this path"),
    HTTP_METHOD_NOT_ALLOWED(405, "请求方法不允许", true, "the path exists, the method does not"),
    HTTP_CONFLICT(409, "请求处理中", true,
            "a request with this Idempotency-Key is still being served, or an upload's bytes are being written by another request; retry after Retry-After seconds"),
    HTTP_PAYLOAD_TOO_LARGE(413, "请求体过大", true, "request body above server.max-request-bytes"),
    HTTP_TOO_MANY_REQUESTS(429, "请求过于频繁", true,
            "the caller used its calls of this minute (ratelimit.*), or its model invocations running at once hold half of the server's memory for models; retry after Retry-After seconds (the SDK does)"),
    HTTP_INTERNAL_ERROR(500, "服务器内部错误", true,
            "unexpected server failure; data.request_id names it in the server log"),
    HTTP_UNAVAILABLE(503, "服务暂不可用", true,
            "the server is stopping, or no memory for a model's box came free in time; retry (idempotent requests are retried by the SDK)");

    private final int code;
    private final String msg;
    private final boolean httpLevel;
    private final String meaning;

    ErrorCode(int code, String msg, boolean httpLevel, String meaning) {
        this.code = code;
        this.msg = msg;
        this.httpLevel = httpLevel;
        this.meaning = meaning;
    }

    public int code() {
        return code;
    }

    public String msg() {
        return msg;
    }

    /** True when the error is sent with HTTP status {@link #code()} rather than 200. */
    public boolean httpLevel() {
        return httpLevel;
    }

    public String meaning() {
        return meaning;
    }

    /** The HTTP-level error for a status, or null. */
    public static ErrorCode forHttpStatus(int status) {
        for (ErrorCode c : values()) {
            if (c.httpLevel && c.code == status) return c;
        }
        return null;
    }
}
