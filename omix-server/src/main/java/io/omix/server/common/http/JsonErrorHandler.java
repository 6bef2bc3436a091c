package io.omix.server.common.http;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.util.List;

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
        try {
            return ServerJson.MAPPER.writeValueAsBytes(HttpErrors.httpErrorBody(path, null, status, null));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return ("{\"code\":" + status + ",\"msg\":\"HTTP " + status + "\",\"data\":null}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
