package io.omix.server.common.auth;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tokens model invocations hand their models instead of their callers' tokens. A model reaches
 * the API only through the channel of the server that runs its box, so a token lives here, in that
 * server's memory, for exactly as long as its invocation: minted when it starts, gone when it ends
 * (or at its deadline, if the end were missed), and never written anywhere. Each use also checks
 * the token the invocation came with, so revoking that grant, or disabling its user or client,
 * stops the model's token at once.
 */
public final class InvocationTokens {
    /**
     * @param caller          who invoked the model (the model acts for them)
     * @param parentToken     the access token the invocation came with; null for a browser session
     * @param grantCredential what the invoker was authenticated with (that token, or the session's id): what the model
     *                        is handed (signed links) dies with it
     * @param scopes          what the model's version declared, as held by the caller ({@code id} reads, {@code id:write} writes)
     * @param deadline        {@link System#nanoTime()} after which the token is refused whatever happens
     */
    public record Grant(Caller caller, String parentToken, String grantCredential, Set<String> scopes, long deadline) {}

    private static final String WRITE = ":write";

    /**
     * Scopes a model's token never has, whatever its version declared or its caller holds: models (a model never deploys
     * or invokes models), grants (a person's grants, account, erasure and exports: first-party tools only) and admin.
     */
    public static final Set<String> NEVER_DECLARED = Set.of(Scope.MODELS.id(), Scope.GRANTS.id(), Scope.ADMIN.id());

    private final Map<String, Grant> live = new ConcurrentHashMap<>();

    /** The Omix scope a declared entry names: {@code streams} for {@code streams} and {@code streams:write}. */
    public static String scopeOf(String declared) {
        return declared.endsWith(WRITE) ? declared.substring(0, declared.length() - WRITE.length()) : declared;
    }

    /**
     * What a model's token may do in one request: reads (GET, HEAD) within every declared scope the
     * caller still holds, writes only within those declared as {@code id:write}.
     */
    public static Set<String> effectiveScopes(Set<String> declared, Caller caller, boolean read) {
        Set<String> out = new java.util.LinkedHashSet<>();
        for (String s : declared) {
            String id = scopeOf(s);
            if (NEVER_DECLARED.contains(id)) continue; // versions deployed before these were refused at deploy
            if (caller.hasScope(id) && (read || s.endsWith(WRITE))) out.add(id);
        }
        // The caller's SMART resource scopes (patient/..., user/...) go with it: they grant nothing by themselves and only
        // hold the FHIR API to what the app asked for (patient/Observation.rs reads), which a model invoked by a read-only
        // SMART app must not escape by declaring streams:write.
        for (String s : caller.scopes()) if (s.startsWith("patient/") || s.startsWith("user/")) out.add(s);
        return out;
    }

    /** A fresh token for one invocation, valid for {@code ttl} at most. */
    public String mint(Caller caller, String parentToken, String grantCredential, Set<String> scopes, Duration ttl) {
        String token = Secrets.token("oit_");
        live.put(Secrets.hash(token), new Grant(caller, parentToken, grantCredential, Set.copyOf(scopes), System.nanoTime() + ttl.toNanos()));
        return token;
    }

    /** The grant behind a live token. */
    public Optional<Grant> find(String token) {
        if (token == null || token.length() > 100) return Optional.empty();
        String hash = Secrets.hash(token);
        Grant g = live.get(hash);
        if (g == null) return Optional.empty();
        if (System.nanoTime() - g.deadline() > 0) {
            live.remove(hash);
            return Optional.empty();
        }
        return Optional.of(g);
    }

    /** Ends a token: its invocation has returned. */
    public void end(String token) {
        live.remove(Secrets.hash(token));
    }

    /** How many invocations hold a token now. */
    public int live() {
        return live.size();
    }
}
