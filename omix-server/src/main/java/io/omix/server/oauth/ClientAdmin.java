package io.omix.server.oauth;

import io.omix.server.common.auth.Access;
import io.omix.server.common.auth.Scope;
import io.omix.server.common.http.ApiException;
import io.omix.server.common.http.Routes;
import io.omix.server.common.validation.BoolParam;
import io.omix.server.common.validation.Param;
import io.omix.server.common.validation.ParamSpec;
import io.omix.server.common.validation.StringListParam;
import io.omix.server.common.validation.StringParam;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Operators' administration of client applications (the console's apps page and any operator token):
 * {@code GET/POST /admin/clients}, {@code POST /admin/clients/{client_id}} (redirect URIs, scopes,
 * disabled) and {@code POST /admin/clients/{client_id}/secret} (rotation: the old secret stops at once).
 */
final class ClientAdmin {
    static final StringParam CLIENT_ID = Param.string("client_id").required().maxLength(64);
    static final StringParam NAME = Param.string("name").required().maxLength(100);
    static final StringListParam REDIRECT_URIS = Param.stringList("redirect_uris").maxItems(20).maxItemLength(500);
    static final StringListParam SCOPES = Param.stringList("scopes").maxItems(Scope.values().length).maxItemLength(40);
    static final StringListParam GRANT_TYPES = Param.stringList("grant_types").maxItems(2).maxItemLength(40);
    static final BoolParam PUBLIC = Param.bool("public").orElse(false);
    static final BoolParam DISABLED = Param.bool("disabled");

    private final ClientStore clients;

    ClientAdmin(ClientStore clients) {
        this.clients = clients;
    }

    void routes(Routes routes) {
        routes.get("/admin/clients", Access.OPERATOR, ParamSpec.NONE, (r, p) -> Map.of("clients", clients.list().stream().map(ClientAdmin::view).toList()));
        routes.post("/admin/clients", Access.OPERATOR, ParamSpec.of(NAME, REDIRECT_URIS, SCOPES, GRANT_TYPES, PUBLIC), (r, p) -> {
            List<String> grants = orEmpty(p.get(GRANT_TYPES));
            ClientStore.Created created = checked(() -> clients.create(p.get(NAME), orEmpty(p.get(REDIRECT_URIS)),
                    new LinkedHashSet<>(grants.isEmpty() ? List.of(OAuthClient.AUTHORIZATION_CODE) : grants),
                    new LinkedHashSet<>(orEmpty(p.get(SCOPES))), p.get(PUBLIC), null));
            Map<String, Object> out = view(created.client());
            out.put("client_secret", created.secret());
            return out;
        });
        ParamSpec byClient = ParamSpec.of(CLIENT_ID);
        routes.post("/admin/clients/{client_id}", Access.OPERATOR, byClient.with(REDIRECT_URIS, SCOPES, DISABLED), (r, p) -> {
            OAuthClient client = known(p.get(CLIENT_ID));
            checked(() -> clients.update(client.clientId(), p.get(REDIRECT_URIS), p.get(SCOPES) == null ? null : new LinkedHashSet<>(p.get(SCOPES)),
                    p.get(DISABLED)));
            return view(known(client.clientId()));
        });
        routes.post("/admin/clients/{client_id}/secret", Access.OPERATOR, byClient, (r, p) -> {
            OAuthClient client = known(p.get(CLIENT_ID));
            if (client.publicClient()) throw ApiException.invalidParam("client_id", "a public client has no secret");
            Map<String, Object> out = view(client);
            out.put("client_secret", clients.rotateSecret(client.clientId()));
            return out;
        });
    }

    private OAuthClient known(String clientId) {
        return clients.find(clientId).orElseThrow(() -> ApiException.invalidParam("client_id", "no such client"));
    }

    /** The store's rule violations name what is wrong; they are the caller's bad input. */
    private static <T> T checked(java.util.function.Supplier<T> action) {
        try {
            return action.get();
        } catch (IllegalArgumentException e) {
            throw ApiException.invalidParam(e.getMessage().contains("redirect") ? "redirect_uris" : e.getMessage().contains("scope") ? "scopes"
                    : e.getMessage().contains("grant") || e.getMessage().contains("client_credentials") ? "grant_types" : "name", e.getMessage());
        }
    }

    private static List<String> orEmpty(List<String> list) {
        return list == null ? List.of() : list;
    }

    static Map<String, Object> view(OAuthClient c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("client_id", c.clientId());
        m.put("name", c.name());
        m.put("redirect_uris", c.redirectUris());
        m.put("grant_types", c.grantTypes());
        m.put("scopes", c.scopes());
        m.put("public", c.publicClient());
        m.put("disabled", c.disabled());
        return m;
    }
}
