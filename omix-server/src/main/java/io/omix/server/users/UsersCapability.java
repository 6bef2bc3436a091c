package io.omix.server.users;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.omix.server.Capability;
import io.omix.server.Platform;
import io.omix.server.common.auth.Access;
import io.omix.server.common.auth.Caller;
import io.omix.server.common.auth.Secrets;
import io.omix.server.common.http.ApiException;
import io.omix.server.common.http.ErrorCode;
import io.omix.server.common.http.Routes;
import io.omix.server.common.validation.BoolParam;
import io.omix.server.common.validation.Param;
import io.omix.server.common.validation.ParamSpec;
import io.omix.server.common.validation.StringParam;
import io.omix.server.demo.DemoData;
import io.omix.server.common.auth.Scope;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code GET /profile} (the open platform's get_user), and the demo users. */
public final class UsersCapability implements Capability {
    /** The zone birthdays are rendered in, as the original platform did ({@code 1989-10-01T00:00:00+0800}). */
    static final ZoneOffset PROFILE_ZONE = ZoneOffset.ofHours(8);
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxx");

    static final StringParam USERNAME = Param.string("username").required().pattern(UserStore.USERNAME, "3-64 letters, digits or _ . @ -");
    static final StringParam PASSWORD = Param.string("password").required().maxLength(72);
    static final BoolParam OPERATOR = Param.bool("operator").orElse(false);
    static final BoolParam DISABLED = Param.bool("disabled").required();
    static final BoolParam OPT_OUT = Param.bool("opt_out").required()
            .describe("true keeps your samples out of the Beacon's answers to others; false lets the projects an operator publishes include them");

    private final UserStore users;
    private final io.omix.server.common.db.Jdbc jdbc;
    private final Platform platform;

    public UsersCapability(Platform platform) {
        this.platform = platform;
        this.users = new UserStore(platform);
        this.jdbc = platform.database().jdbc();
    }

    @Override
    public void routes(Routes routes) {
        routes.get("/profile", Access.USER_TOKEN, ParamSpec.NONE, (request, params) -> profile(request.caller()));
        // Operators: the users of the platform (the console's users page, and operator tokens).
        routes.get("/admin/users", Access.OPERATOR, ParamSpec.NONE, (r, p) -> Map.of("users", users.list().stream().map(UsersCapability::adminView).toList()));
        routes.post("/admin/users", Access.OPERATOR, ParamSpec.of(USERNAME, PASSWORD, OPERATOR), (r, p) -> {
            if (users.findByUsername(p.get(USERNAME)).isPresent()) throw ApiException.invalidParam("username", "is taken");
            try {
                return adminView(users.create(p.get(USERNAME), p.get(PASSWORD), User.Profile.EMPTY, p.get(OPERATOR)));
            } catch (IllegalArgumentException e) {
                throw ApiException.invalidParam(e.getMessage().startsWith("password") ? "password" : "username", e.getMessage());
            }
        });
        // The person's choice about the Beacon, through their own tools (scope grants), like their grants and erasure.
        routes.get("/user/beacon", Access.USER_TOKEN, ParamSpec.NONE, (r, p) -> {
            r.caller().requireScope(Scope.GRANTS);
            return Map.of("beacon_opt_out", users.beaconOptOut(r.caller().userId()));
        });
        routes.post("/user/beacon", Access.USER_TOKEN, ParamSpec.of(OPT_OUT), (r, p) -> {
            r.caller().requireScope(Scope.GRANTS);
            if (!users.setBeaconOptOut(r.caller().userId(), p.get(OPT_OUT))) throw new ApiException(ErrorCode.TOKEN_INVALID);
            return Map.of("beacon_opt_out", p.get(OPT_OUT));
        });
        // Erasure of an account: the person, through their own tools (scope grants), or an operator.
        routes.api(io.javalin.http.HandlerType.DELETE, "/user", Access.USER_TOKEN, ParamSpec.NONE, (r, p) -> {
            r.caller().requireScope(Scope.GRANTS);
            return erasedView(new io.omix.server.privacy.Erasure(platform).eraseUser(r.caller().userId()).orElseThrow(
                    () -> new ApiException(ErrorCode.TOKEN_INVALID)));
        });
        routes.api(io.javalin.http.HandlerType.DELETE, "/admin/users/{username}", Access.OPERATOR, ParamSpec.of(USERNAME), (r, p) -> {
            User u = users.findByUsername(p.get(USERNAME)).orElseThrow(() -> ApiException.invalidParam("username", "no such user"));
            if (u.userId().equals(r.caller().userId())) throw ApiException.invalidParam("username", "an operator cannot erase their own account here");
            io.omix.server.common.http.Idempotency.keepNothing(r.ctx());
            return erasedView(new io.omix.server.privacy.Erasure(platform).eraseUser(u.userId()).orElseThrow(
                    () -> ApiException.invalidParam("username", "no such user")));
        });
        routes.post("/admin/users/{username}", Access.OPERATOR, ParamSpec.of(USERNAME, DISABLED), (r, p) -> {
            if (!users.setDisabled(p.get(USERNAME), p.get(DISABLED))) throw ApiException.invalidParam("username", "no such user");
            return adminView(users.findByUsername(p.get(USERNAME)).orElseThrow());
        });
    }

    private static Map<String, Object> erasedView(io.omix.server.privacy.Erasure.Erased e) {
        return Map.of("user_id", e.userId(), "erased", true, "samples", e.samples(), "files", e.files());
    }

    /** The user's fields that the token's scopes allow; a token without any profile scope has no right here. */
    Map<String, Object> profile(Caller caller) {
        User u = users.findById(caller.userId()).orElseThrow(() -> new ApiException(ErrorCode.TOKEN_INVALID));
        Map<String, Object> out = new LinkedHashMap<>();
        if (caller.hasScope(Scope.PROFILE.id())) {
            out.put("userId", u.userId());
            out.put("username", u.username());
            out.put("nickname", u.nickname());
            out.put("avatar", u.avatar());
            out.put("sex", u.sex());
            out.put("birthday", u.birthday() == null ? null : TIME.format(u.birthday().atStartOfDay(PROFILE_ZONE)));
        }
        if (caller.hasScope(Scope.EMAIL.id())) out.put("email", u.email());
        if (caller.hasScope(Scope.PHONE.id())) out.put("phone", u.phone());
        if (caller.hasScope(Scope.ADDRESS.id())) out.put("userAddress", u.userAddress());
        if (caller.hasScope(Scope.PERSONNEL.id())) out.put("personnelInfoCode", u.personnelInfoCode());
        if (out.isEmpty()) throw new ApiException(ErrorCode.NO_PERMISSION, Map.of("scope", "needs one of profile, email, phone, address, personnel"));
        return out;
    }

    static Map<String, Object> adminView(User u) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("user_id", u.userId());
        m.put("username", u.username());
        m.put("nickname", u.nickname());
        m.put("operator", u.operator());
        m.put("disabled", u.disabled());
        return m;
    }

    @Override
    public void demo(DemoData demo) {
        String password = Secrets.alphanumeric(16);
        User.Profile profile = new User.Profile("zhangsan", "zhangsan@example.org", "17300000000", 1,
                LocalDate.of(1989, 10, 1), null, "广东省深圳市", "320000198910010000");
        User user = users.create("demo", password, profile, false);
        ObjectNode u = demo.section("user");
        u.put("username", user.username());
        u.put("password", password);
        u.put("user_id", user.userId());

        String password2 = Secrets.alphanumeric(16);
        User other = users.create("demo2", password2, new User.Profile("lisi", "lisi@example.org", null, 2, null, null, null, null), false);
        ObjectNode u2 = demo.section("second_user");
        u2.put("username", other.username());
        u2.put("password", password2);
        u2.put("user_id", other.userId());

        String operatorPassword = Secrets.alphanumeric(16);
        users.create("operator", operatorPassword, User.Profile.EMPTY, true);
        ObjectNode op = demo.section("operator");
        op.put("username", "operator");
        op.put("password", operatorPassword);
    }

    /** Expired sign-in sessions, and sign-in counters whose window and lock are long over. */
    @Override
    public java.util.List<io.omix.server.housekeeping.Housekeeping.Job> housekeeping() {
        return java.util.List.of(
                new io.omix.server.housekeeping.Housekeeping.Job("user_sessions", (now, r) ->
                        jdbc.update("DELETE FROM user_sessions WHERE expires_at < ?", now)),
                new io.omix.server.housekeeping.Housekeeping.Job("login_failures", (now, r) -> LoginThrottle.removeStale(jdbc, now)));
    }
}
