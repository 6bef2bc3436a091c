package io.omix.server.testing;

import java.net.CookieManager;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Drives the login and consent page the way a browser with plain HTML forms does: cookies, hidden fields, a form post. */
public final class LoginPage {
    private static final Pattern HIDDEN = Pattern.compile("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\">");

    public final HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager())
            .followRedirects(HttpClient.Redirect.NEVER).version(HttpClient.Version.HTTP_1_1).build();

    public HttpResponse<String> get(String url) throws Exception {
        return browser.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> post(String url, Map<String, String> form) throws Exception {
        String body = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return browser.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    public static Map<String, String> hiddenFields(String html) {
        Map<String, String> fields = new LinkedHashMap<>();
        Matcher m = HIDDEN.matcher(html);
        while (m.find()) fields.put(m.group(1), m.group(2).replace("&amp;", "&").replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&#39;", "'"));
        return fields;
    }

    /** Opens the authorization URL, logs in if asked, answers the consent; returns the answer to the form post. */
    public HttpResponse<String> authorize(String authorizationUrl, String username, String password, boolean approve) throws Exception {
        HttpResponse<String> page = get(authorizationUrl);
        if (page.statusCode() != 200) return page;
        Map<String, String> form = hiddenFields(page.body());
        if (page.body().contains("name=\"password\"")) {
            form.put("username", username);
            form.put("password", password);
        }
        form.put("decision", approve ? "approve" : "deny");
        String base = authorizationUrl.substring(0, authorizationUrl.indexOf("/oauth2/authorize"));
        return post(base + "/oauth2/authorize", form);
    }

    /** The query parameters of a redirect's Location. */
    public static Map<String, String> redirectParams(HttpResponse<?> response) {
        String location = response.headers().firstValue("Location").orElseThrow(() -> new AssertionError("no redirect: " + response.statusCode()));
        Map<String, String> out = new LinkedHashMap<>();
        String query = URI.create(location).getRawQuery();
        for (String part : query.split("&")) {
            int eq = part.indexOf('=');
            out.put(part.substring(0, eq), URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8));
        }
        out.put("_base", location.substring(0, location.indexOf('?')));
        return out;
    }
}
