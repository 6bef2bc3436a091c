package io.omix.server.oauth;

import io.omix.server.Platform;
import io.omix.server.common.http.ApiException;
import io.omix.server.testing.TestServer;
import io.omix.server.users.User;
import io.omix.server.users.UserStore;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.sql.Connection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tokens are never stored after the revocation that should have ended them: an issue for a person's grant
 * and a revocation of it, interleaved, end with no live token of the pair, whichever takes the grant first.
 * On H2 and PostgreSQL.
 */
class GrantRaceTest {
    record Pair(Platform platform, String clientId, String userId) {}

    static Pair pair(TestServer s) {
        Platform platform = s.server().platform();
        String clientId = new ClientStore(platform).create("Racer", List.of("https://app.example/cb"), Set.of(OAuthClient.AUTHORIZATION_CODE),
                Set.of("profile"), false, null).client().clientId();
        User user = new UserStore(platform).create("raced", "raced-password-S3cret", User.Profile.EMPTY, false);
        new ConsentStore(platform).remember(user.userId(), clientId, Set.of("profile"));
        return new Pair(platform, clientId, user.userId());
    }

    static long live(Pair p) {
        return p.platform().database().jdbc().queryOne("SELECT COUNT(*) FROM oauth_tokens WHERE client_id = ? AND user_id = ? AND revoked_at IS NULL",
                rs -> rs.getLong(1), p.clientId(), p.userId()).orElseThrow();
    }

    /** Statements run in a transaction left open: a revocation, replay, rotation or issue in flight. */
    @FunctionalInterface
    interface InFlight {
        void run(Connection c) throws java.sql.SQLException;
    }

    /**
     * Starts {@code action} while {@code inFlight} holds its rows uncommitted, checks that the action waits for them
     * ({@code waits} says on what), commits, and hands back the action's outcome to come.
     */
    static <T> CompletableFuture<T> waitingOn(Platform platform, InFlight inFlight, java.util.function.Supplier<T> action, String waits)
            throws Exception {
        try (Connection held = platform.database().dataSource().getConnection()) {
            held.setAutoCommit(false);
            inFlight.run(held);
            CompletableFuture<T> acting = CompletableFuture.supplyAsync(action);
            Thread.sleep(300);
            assertFalse(acting.isDone(), waits);
            held.commit();
            return acting;
        }
    }

    /** The action ended refused (an API error), not with a result. */
    static void refused(CompletableFuture<?> acting) {
        java.util.concurrent.ExecutionException refused = assertThrows(java.util.concurrent.ExecutionException.class, () -> acting.get(10, TimeUnit.SECONDS));
        assertTrue(refused.getCause() instanceof ApiException, refused.toString());
    }

    /**
     * Two approvals of one first consent at once (a double click, two tabs): the later one waits for the first's row, then
     * adds its scopes to it; before, it failed on the consent's key (a 500 on PostgreSQL).
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aFirstConsentApprovedTwiceAtOnceIsOneConsent(String kind) throws Exception {
        try (TestServer s = TestServer.start(kind)) {
            Platform platform = s.server().platform();
            String clientId = new ClientStore(platform).create("Twice", List.of("https://app.example/cb"), Set.of(OAuthClient.AUTHORIZATION_CODE),
                    Set.of("profile", "samples"), false, null).client().clientId();
            String userId = new UserStore(platform).create("twice", "twice-password-S3cret", User.Profile.EMPTY, false).userId();
            CompletableFuture<Void> second = waitingOn(platform, first -> io.omix.server.common.db.Jdbc.update(first,
                            "INSERT INTO oauth_consents (user_id, client_id, scope, granted_at, updated_at) VALUES (?,?,?,?,?)", userId, clientId, "profile",
                            platform.now(), platform.now()),
                    () -> {
                        new ConsentStore(platform).remember(userId, clientId, Set.of("samples"));
                        return null;
                    }, "the second approval waits for the first's row");
            second.get(10, TimeUnit.SECONDS);
            assertEquals(Set.of("profile", "samples"), new ConsentStore(platform).granted(userId, clientId));
        }
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void anIssueWaitingOnARevocationInFlightIsRefused(String kind) throws Exception {
        try (TestServer s = TestServer.start(kind)) {
            Pair p = pair(s);
            TokenStore tokens = new TokenStore(p.platform());
            // A revocation in flight: the consent deleted and the pair's tokens revoked, not yet committed.
            refused(waitingOn(p.platform(), revoking -> {
                io.omix.server.common.db.Jdbc.update(revoking, "DELETE FROM oauth_consents WHERE user_id = ? AND client_id = ?", p.userId(), p.clientId());
                io.omix.server.common.db.Jdbc.update(revoking, "UPDATE oauth_tokens SET revoked_at = CURRENT_TIMESTAMP WHERE client_id = ? AND user_id = ?",
                        p.clientId(), p.userId());
            }, () -> tokens.issueForGrant(TokenStore.newFamily(), p.clientId(), p.userId(), OAuthClient.AUTHORIZATION_CODE, "profile", null, null),
                    "the issue waits for the grant's row"));
            assertEquals(0, live(p), "nothing issued after the revocation");
        }
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aRevocationWaitingOnAnIssueInFlightRevokesWhatItIssued(String kind) throws Exception {
        try (TestServer s = TestServer.start(kind)) {
            Pair p = pair(s);
            // An issue in flight: the grant's row taken and the new tokens stored, not yet committed.
            assertTrue(waitingOn(p.platform(), issuing -> {
                io.omix.server.common.db.Jdbc.query(issuing, "SELECT 1 FROM oauth_consents WHERE user_id = ? AND client_id = ? FOR UPDATE", rs -> 1,
                        p.userId(), p.clientId());
                io.omix.server.common.db.Jdbc.update(issuing, "INSERT INTO oauth_tokens (token_hash, kind, family_id, client_id, user_id, grant_type, scope,"
                                + " issued_at, expires_at) VALUES (?, 'access', ?, ?, ?, 'authorization_code', 'profile', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP + INTERVAL '1' HOUR)",
                        "race-token-hash-0001", TokenStore.newFamily(), p.clientId(), p.userId());
            }, () -> new ConsentStore(p.platform()).revoke(p.userId(), p.clientId()), "the revocation waits for the grant's row").get(10, TimeUnit.SECONDS));
            assertEquals(0, live(p), "what the issue stored was revoked with the rest");
        }
    }

    static String code(Pair p) {
        String code = approved(p, true).orElseThrow();
        return new CodeStore(p.platform()).find(code).orElseThrow().hash();
    }

    /** A code as the consent page makes it for the pair's person, signed in anew. */
    static java.util.Optional<String> approved(Pair p, boolean alreadyAllowed) {
        String session = new io.omix.server.users.SessionStore(p.platform()).start(p.userId()).orElseThrow();
        return new CodeStore(p.platform()).createApproved(p.clientId(), p.userId(), io.omix.server.common.auth.Secrets.hash(session),
                "https://app.example/cb", "profile", null, alreadyAllowed);
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aCodeWaitingOnADisableOrARevocationInFlightIsNotMade(String kind) throws Exception {
        try (TestServer s = TestServer.start(kind)) {
            Pair p = pair(s);
            // The page skipped (consent covered the scopes) while the person revokes the grant: no code, no consent made anew.
            CompletableFuture<java.util.Optional<String>> revoked = waitingOn(p.platform(), revoking ->
                    io.omix.server.common.db.Jdbc.update(revoking, "DELETE FROM oauth_consents WHERE user_id = ? AND client_id = ?", p.userId(), p.clientId()),
                    () -> approved(p, true), "the code waits for the consent's row");
            assertEquals(java.util.Optional.empty(), revoked.get(10, TimeUnit.SECONDS));
            assertEquals(Set.of(), new ConsentStore(p.platform()).granted(p.userId(), p.clientId()), "the revocation stands");

            new ConsentStore(p.platform()).remember(p.userId(), p.clientId(), Set.of("profile"));
            String session = new io.omix.server.users.SessionStore(p.platform()).start(p.userId()).orElseThrow();
            // An operator disables the person while the code is being made: none is made for the disabled user.
            CompletableFuture<java.util.Optional<String>> disabled = waitingOn(p.platform(), disabling ->
                    io.omix.server.common.db.Jdbc.update(disabling, "UPDATE users SET disabled = TRUE WHERE user_id = ?", p.userId()),
                    () -> new CodeStore(p.platform()).createApproved(p.clientId(), p.userId(), io.omix.server.common.auth.Secrets.hash(session),
                            "https://app.example/cb", "profile", null, false), "the code waits for the user's row");
            assertEquals(java.util.Optional.empty(), disabled.get(10, TimeUnit.SECONDS));
            assertEquals(0L, p.platform().database().jdbc().queryOne("SELECT COUNT(*) FROM oauth_codes WHERE user_id = ?", rs -> rs.getLong(1),
                    p.userId()).orElseThrow());
        }
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void anExchangeWaitingOnAReplayInFlightIsRefused(String kind) throws Exception {
        try (TestServer s = TestServer.start(kind)) {
            Pair p = pair(s);
            String codeHash = code(p);
            TokenStore tokens = new TokenStore(p.platform());
            // A second use of the code seen, its mark not yet committed.
            refused(waitingOn(p.platform(),
                    replaying -> io.omix.server.common.db.Jdbc.update(replaying, "UPDATE oauth_codes SET replayed_at = CURRENT_TIMESTAMP WHERE code_hash = ?", codeHash),
                    () -> tokens.issueForGrant(TokenStore.newFamily(), p.clientId(), p.userId(), OAuthClient.AUTHORIZATION_CODE, "profile", codeHash, null),
                    "the exchange waits for the code's row"));
            assertEquals(0, live(p), "nothing issued from a replayed code");
        }
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aReplayWaitingOnAnExchangeInFlightRevokesWhatItIssued(String kind) throws Exception {
        try (TestServer s = TestServer.start(kind)) {
            Pair p = pair(s);
            String codeHash = code(p);
            // The first exchange in flight: the code's row taken and its tokens stored, not yet committed.
            waitingOn(p.platform(), issuing -> {
                io.omix.server.common.db.Jdbc.query(issuing, "SELECT replayed_at FROM oauth_codes WHERE code_hash = ? FOR UPDATE", rs -> 1, codeHash);
                io.omix.server.common.db.Jdbc.update(issuing, "INSERT INTO oauth_tokens (token_hash, kind, family_id, client_id, user_id, grant_type, scope,"
                                + " code_hash, issued_at, expires_at) VALUES (?, 'access', ?, ?, ?, 'authorization_code', 'profile', ?, CURRENT_TIMESTAMP,"
                                + " CURRENT_TIMESTAMP + INTERVAL '1' HOUR)",
                        "race-token-hash-0002", TokenStore.newFamily(), p.clientId(), p.userId(), codeHash);
            }, () -> {
                new TokenStore(p.platform()).revokeReplayedCode(codeHash);
                return null;
            }, "the replay waits for the code's row").get(10, TimeUnit.SECONDS);
            assertEquals(0, live(p), "what the first exchange stored was revoked by the replay");
        }
    }

    static String clientOfItsOwn(Platform platform) {
        return new ClientStore(platform).create("Own racer", List.of("https://app.example/cb"), Set.of(OAuthClient.CLIENT_CREDENTIALS),
                Set.of("profile"), false, null).client().clientId();
    }

    static long liveOf(Platform platform, String clientId) {
        return platform.database().jdbc().queryOne("SELECT COUNT(*) FROM oauth_tokens WHERE client_id = ? AND revoked_at IS NULL",
                rs -> rs.getLong(1), clientId).orElseThrow();
    }

    /** A leaked secret's token being stored while the secret is rotated: refused once the rotation is in. */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aClientTokenWaitingOnASecretRotationInFlightIsRefused(String kind) throws Exception {
        try (TestServer s = TestServer.start(kind)) {
            Platform platform = s.server().platform();
            String clientId = clientOfItsOwn(platform);
            String leaked = new ClientStore(platform).find(clientId).orElseThrow().secretHash();
            TokenStore tokens = new TokenStore(platform);
            refused(waitingOn(platform,
                    rotating -> io.omix.server.common.db.Jdbc.update(rotating, "UPDATE oauth_clients SET secret_hash = ? WHERE client_id = ?", "f".repeat(64), clientId),
                    () -> tokens.issueForClient(clientId, leaked, "profile"), "the issue waits for the client's row"));
            assertEquals(0, liveOf(platform, clientId), "nothing issued with the old secret");
        }
    }

    /** A disable arriving while a token is being stored waits for it and then revokes it, so enabling again revives nothing. */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aDisableWaitingOnAnIssueInFlightRevokesWhatItIssued(String kind) throws Exception {
        try (TestServer s = TestServer.start(kind)) {
            Platform platform = s.server().platform();
            String clientId = clientOfItsOwn(platform);
            String lock = platform.database().holdRows();
            assertTrue(waitingOn(platform, issuing -> {
                io.omix.server.common.db.Jdbc.query(issuing, "SELECT 1 FROM oauth_clients WHERE client_id = ?" + lock, rs -> 1, clientId);
                io.omix.server.common.db.Jdbc.update(issuing, "INSERT INTO oauth_tokens (token_hash, kind, family_id, client_id, grant_type, scope,"
                                + " issued_at, expires_at) VALUES (?, 'access', ?, ?, 'client_credentials', 'profile', CURRENT_TIMESTAMP,"
                                + " CURRENT_TIMESTAMP + INTERVAL '1' HOUR)", "race-token-hash-0003", TokenStore.newFamily(), clientId);
            }, () -> new ClientStore(platform).setDisabled(clientId, true), "the disable waits for the client's row").get(10, TimeUnit.SECONDS));
            new ClientStore(platform).setDisabled(clientId, false);
            assertEquals(0, liveOf(platform, clientId), "what the issue stored was revoked by the disable");
        }
    }
}
