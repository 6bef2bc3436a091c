package io.omix.server.users;

import io.javalin.http.Context;
import io.omix.server.Platform;
import io.omix.server.common.http.Cookies;

import java.util.Optional;

/**
 * Signing in with a username and a password, the one way for the consent page and the console:
 * the throttle first, then the password, then a new session whose id goes into the session cookie.
 */
public final class PasswordSignIn {
    /** The browser session's cookie, shared by the consent page and the console. */
    public static final String COOKIE = "omix_session";

    /** A session, or why there is none. */
    public sealed interface Outcome {
        record SignedIn(User user, String sessionId) implements Outcome {}
        record Locked() implements Outcome {}
        record Wrong() implements Outcome {}
    }

    private final UserStore users;
    private final SessionStore sessions;
    private final LoginThrottle throttle;

    public PasswordSignIn(Platform platform) {
        this.users = new UserStore(platform);
        this.sessions = new SessionStore(platform);
        this.throttle = new LoginThrottle(platform);
    }

    /** @param source the address the attempt came from (the connection's, never a header's) */
    public Outcome attempt(String username, String password, String source) {
        // No username holds a control character (and the database would refuse a NUL with a failure): wrong, as any unknown name.
        if (username == null || password == null || io.omix.server.common.validation.StringParam.hasControlCharacters(username)) {
            return new Outcome.Wrong();
        }
        if (!throttle.admit(username, source)) return new Outcome.Locked();
        Optional<User> user = users.authenticate(username, password);
        if (user.isEmpty()) return new Outcome.Wrong();
        throttle.succeeded(username, source);
        // Disabled between the password check and the session: no session (the disable would not see it).
        return sessions.start(user.get().userId()).<Outcome>map(id -> new Outcome.SignedIn(user.get(), id)).orElseGet(Outcome.Wrong::new);
    }

    /** The session id the request's cookie carries, or null. */
    public static String sessionOf(Context ctx) {
        return Cookies.get(ctx, COOKIE);
    }

    /** Sets (or, with an empty id and no lifetime, clears) the session cookie: HttpOnly, SameSite=Lax, the whole site. */
    public static void cookie(Context ctx, String sessionId, boolean clear) {
        Cookies.set(ctx, COOKIE, clear ? "" : sessionId, "Lax", "/", clear ? 0 : (int) SessionStore.LIFETIME.getSeconds());
    }
}
