package io.omix.server.console;

import io.javalin.http.Context;
import io.omix.server.Platform;
import io.omix.server.common.auth.Access;
import io.omix.server.common.auth.Caller;
import io.omix.server.common.auth.Scope;
import io.omix.server.common.auth.Secrets;
import io.omix.server.common.http.ApiException;
import io.omix.server.common.http.ApiRequest;
import io.omix.server.common.http.ErrorCode;
import io.omix.server.common.http.HttpProblem;
import io.omix.server.users.SessionStore;
import io.omix.server.users.User;
import io.omix.server.users.UserStore;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The browser session of the console and the consent page (one login for both), and how it calls
 * the API: the console's pages call the public endpoints themselves, so a session is one more way
 * to be a caller, with the same rules as a user token of every scope.
 *
 * <p>Cross-site requests cannot use it: the API accepts the session cookie only together with the
 * header {@value #CSRF_HEADER}, whose value is an HMAC of the session id that only pages of this
 * origin can read; forms carry the same value in a hidden field.
 */
public final class ConsoleSessions {
    public static final String CSRF_HEADER = "X-Omix-CSRF";
    /** Console callers act for their user through this pseudo-client, one per user, so tasks and files stay theirs. */
    static final String CLIENT_PREFIX = Caller.CONSOLE_CLIENT_PREFIX;
    static final Set<String> ALL_SCOPES = Arrays.stream(Scope.values()).map(Scope::id).collect(Collectors.toUnmodifiableSet());

    /** A signed-in person: the user, the session id from the cookie, and the CSRF token of that session. */
    public record Session(User user, String sessionId, String csrf) {
        public Caller caller() {
            return Caller.userToken(CLIENT_PREFIX + user.userId(), user.userId(), ALL_SCOPES, user.operator());
        }
    }

    private final SessionStore sessions;
    private final UserStore users;
    private final byte[] csrfKey;

    public ConsoleSessions(Platform platform) {
        this.sessions = new SessionStore(platform);
        this.users = new UserStore(platform);
        this.csrfKey = platform.masterKey().derive("console-csrf");
    }

    public Optional<Session> of(Context ctx) {
        String id = io.omix.server.users.PasswordSignIn.sessionOf(ctx);
        if (id == null) return Optional.empty();
        return sessions.userOf(id).flatMap(users::findById).map(u -> new Session(u, id, csrf(id)));
    }

    public void end(String sessionId) {
        sessions.end(sessionId);
    }

    /** True when {@code presented} is the CSRF token of this session (constant time). */
    public boolean csrfMatches(Session session, String presented) {
        return presented != null && Secrets.constantTimeEquals(session.csrf(), presented);
    }

    String csrf(String sessionId) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(csrfKey, "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(sessionId.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The API's view of a session: nothing unless both the cookie and the CSRF header are present;
     * then the session's user, refused where a user token would be (client-only endpoints), and
     * let into operator and dataset-administration endpoints only when the user operates the platform.
     */
    Optional<Caller> authenticate(ApiRequest request, Access required) {
        String header = request.header(CSRF_HEADER);
        if (header == null || required == Access.PRIVATE_APP || required == Access.UPLOAD_CREDENTIALS) return Optional.empty();
        Session session = of(request.ctx()).orElseThrow(() -> new ApiException(ErrorCode.TOKEN_INVALID));
        if (!csrfMatches(session, header)) throw new ApiException(ErrorCode.TOKEN_INVALID);
        Caller caller = session.caller();
        request.grantedBy(session.sessionId());
        switch (required) {
            case CLIENT_TOKEN -> throw new ApiException(ErrorCode.AUTHORIZATION_CODE_TOKEN_REFUSED);
            case OPERATOR -> {
                if (!caller.operator()) {
                    throw new ApiException(ErrorCode.NO_PERMISSION, java.util.Map.of("operator", "this endpoint is for operators of the platform"));
                }
            }
            // The dataset batches API speaks HTTP statuses: 401, as for a missing key.
            case DATASET_KEY -> {
                if (!caller.operator()) throw new HttpProblem(401, "dataset administration through the console is for operators of the platform");
            }
            default -> { }
        }
        return Optional.of(caller);
    }
}
