package io.omix.server.common.http;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Jetty's own refusals (a URI or headers too long, a malformed request line, an unknown method),
 * which happen before any route runs, in the same JSON shapes as every other error: the envelope,
 * or the dataset batches API's {@code {status_code, detail, extra}}. Never Jetty's HTML page.
 */
public final class JsonErrorHandler extends ErrorHandler {
    @Override
    protected boolean generateAcceptableResponse(Request request, Response response, Callback callback, String contentType,
                                                 List<Charset> charsets, int code, String message, Throwable cause) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
        response.write(true, ByteBuffer.wrap(body(request.getHttpURI() == null ? "" : request.getHttpURI().getPath(), code)), callback);
        return true;
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
        return ByteBuffer.wrap(body("", status));
    }

    static byte[] body(String path, int status) {
        ErrorCode known = ErrorCode.forHttpStatus(status);
        String msg = known != null ? known.msg() : "HTTP " + status;
        Map<String, Object> body = new LinkedHashMap<>();
        if (path != null && Surface.of(path) == Surface.DATASETS) {
            body.put("status_code", status);
            body.put("detail", msg);
            body.put("extra", Map.of());
        } else {
            body.put("code", status);
            body.put("msg", msg);
            body.put("data", null);
        }
        try {
            return ServerJson.MAPPER.writeValueAsBytes(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return ("{\"code\":" + status + ",\"msg\":\"HTTP " + status + "\",\"data\":null}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
