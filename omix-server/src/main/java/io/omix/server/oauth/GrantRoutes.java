package io.omix.server.oauth;

import io.javalin.http.HandlerType;
import io.omix.server.Platform;
import io.omix.server.common.auth.Access;
import io.omix.server.common.auth.Caller;
import io.omix.server.common.auth.Scope;
import io.omix.server.common.http.ApiException;
import io.omix.server.common.http.Routes;
import io.omix.server.common.validation.ParamSpec;

import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /user/grants}: the applications the signed-in person authorized, with their scopes and
 * when they last used them; {@code DELETE /user/grants/{client_id}}: take one back, with every
 * credential it holds for the person. For the console and first-party tools (scope {@code grants}).
 */
final class GrantRoutes {
    private final ConsentStore consents;

    GrantRoutes(Platform platform) {
        this.consents = new ConsentStore(platform);
    }

    void routes(Routes routes) {
        routes.get("/user/grants", Access.USER_TOKEN, ParamSpec.NONE, (r, p) -> {
            String userId = person(r.caller());
            return Map.of("grants", consents.grantsOf(userId).stream().map(GrantRoutes::view).toList());
        });
        routes.api(HandlerType.DELETE, "/user/grants/{client_id}", Access.USER_TOKEN, ParamSpec.of(ClientAdmin.CLIENT_ID), (r, p) -> {
            String userId = person(r.caller());
            String clientId = p.get(ClientAdmin.CLIENT_ID);
            if (!consents.revoke(userId, clientId)) {
                throw ApiException.invalidParam("client_id", "you have not authorized this application");
            }
            return Map.of("client_id", clientId, "revoked", true);
        });
    }

    private static String person(Caller caller) {
        caller.requireScope(Scope.GRANTS);
        return caller.userId();
    }

    private static Map<String, Object> view(ConsentStore.Grant g) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("client_id", g.clientId());
        m.put("client_name", g.clientName());
        m.put("scope", String.join(" ", g.scopes()));
        m.put("granted_at", text(g.grantedAt()));
        m.put("updated_at", text(g.updatedAt()));
        m.put("last_used_at", text(g.lastUsed()));
        return m;
    }

    private static String text(OffsetDateTime t) {
        return t == null ? null : t.toInstant().toString();
    }
}
