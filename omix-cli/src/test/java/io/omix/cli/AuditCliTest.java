package io.omix.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.omix.sdk.Api;
import io.omix.sdk.SampleQuery;
import io.omix.server.ServerConfig;
import io.omix.server.oauth.ClientStore;
import io.omix.server.oauth.OAuthClient;
import io.omix.server.oauth.TokenStore;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code omix admin audit list|verify} while the server runs, as an operator and a script use them:
 * filters, one JSON object per line, operator actions of the CLI itself recorded without their
 * secrets, and a tampered entry named with exit status 1. On H2 and PostgreSQL.
 */
class AuditCliTest {
    static final ObjectMapper JSON = new ObjectMapper();

    /** The admin command's settings for the server's database. */
    static List<String> admin(TestServer s, String... args) {
        ServerConfig c = s.server().platform().config();
        List<String> all = new ArrayList<>(List.of("admin", "--data-dir", s.dataDir().toString()));
        if (!c.embeddedDatabase()) {
            all.addAll(List.of("--db-url", c.dbUrl(), "--set", "db.user=" + c.dbUser(), "--set", "db.password=" + c.dbPassword(),
                    "--set", "security.master-key=" + c.masterKey()));
        }
        all.addAll(List.of(args));
        return all;
    }

    static AdminAndLoginTest.Run omix(TestServer s, String... args) {
        return AdminAndLoginTest.omix(admin(s, args).toArray(String[]::new));
    }

    static List<JsonNode> lines(String out) throws Exception {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : out.split("\n")) if (!line.isBlank()) nodes.add(JSON.readTree(line));
        return nodes;
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void operatorsListFilterAndVerifyTheTrail(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            var platform = s.server().platform();
            ClientStore.Created client = new ClientStore(platform).create("Audited app", List.of("http://127.0.0.1:9/cb"),
                    Set.of(OAuthClient.CLIENT_CREDENTIALS), io.omix.server.common.auth.Scope.defaults(), false, null);
            String token = new TokenStore(platform).issue(TokenStore.newFamily(), client.client().clientId(), null, OAuthClient.CLIENT_CREDENTIALS,
                    "samples", null, false).accessToken();
            try (Api api = Api.builder(token).endpoint(s.url()).build()) {
                api.getSamples(SampleQuery.all());
            }
            AdminAndLoginTest.Run created = AdminAndLoginTest.withStdin("audit-password-1\n",
                    () -> omix(s, "user", "create", "--username", "audited-op", "--password-stdin", "--email", "op@example.org"));
            assertEquals(0, created.exit(), created.err());

            AdminAndLoginTest.Run listed = omix(s, "audit", "list", "--json");
            assertEquals(0, listed.exit(), listed.err());
            List<JsonNode> entries = lines(listed.out());
            JsonNode read = entries.stream().filter(e -> e.get("operation").asText().equals("GET /samples")).findFirst().orElseThrow();
            assertEquals(client.client().clientId(), read.get("actor_id").asText());
            assertEquals("client_token", read.get("credential").asText());
            JsonNode op = entries.stream().filter(e -> e.get("operation").asText().equals("omix admin user create")).findFirst().orElseThrow();
            assertEquals("operator", op.get("actor_kind").asText());
            assertEquals("ok", op.get("outcome").asText());
            assertTrue(op.get("resources").asText().contains("username=audited-op"), op.toString());
            assertTrue(op.get("resources").asText().contains("email") && !op.get("resources").asText().contains("op@example.org"),
                    "the person's email is named, not kept: " + op);
            // A command naming what is not there fails, and the trail says it was refused (it said "ok" before).
            AdminAndLoginTest.Run typo = omix(s, "client", "disable", "no-such-client");
            assertTrue(typo.exit() != 0, typo.out());
            JsonNode refused = lines(omix(s, "audit", "list", "--json").out()).stream()
                    .filter(e -> e.get("operation").asText().equals("omix admin client disable")).findFirst().orElseThrow();
            assertEquals("refused", refused.get("outcome").asText(), refused.toString());
            assertFalse(listed.out().contains("audit-password-1"), "no secret reaches the trail");

            List<JsonNode> byClient = lines(omix(s, "audit", "list", "--json", "--client", client.client().clientId()).out());
            assertTrue(!byClient.isEmpty() && byClient.stream().allMatch(e -> e.get("actor_id").asText().equals(client.client().clientId())));
            List<JsonNode> byOperation = lines(omix(s, "audit", "list", "--json", "--operation", "admin user").out());
            assertTrue(byOperation.stream().allMatch(e -> e.get("operation").asText().contains("admin user")) && !byOperation.isEmpty());
            assertEquals(0, lines(omix(s, "audit", "list", "--json", "--since", "2999-01-01").out()).size());
            AdminAndLoginTest.Run badTime = omix(s, "audit", "list", "--since", "yesterday");
            assertEquals(2, badTime.exit());
            assertTrue(badTime.err().contains("--since"), badTime.err());

            AdminAndLoginTest.Run intact = omix(s, "audit", "verify");
            assertEquals(0, intact.exit(), intact.out() + intact.err());
            assertTrue(intact.out().contains("intact"), intact.out());

            long seq = read.get("seq").asLong();
            io.omix.server.testing.AuditTampering.change(platform.database().jdbc(), seq, e -> new io.omix.server.audit.AuditLog.Entry(e.seq(), e.at(),
                    e.actorKind(), "someone-else", e.userId(), e.credential(), e.operation(), e.resources(), e.records(), e.source(), e.requestId(),
                    e.outcome(), e.prevHash(), e.hash()));
            AdminAndLoginTest.Run broken = omix(s, "audit", "verify");
            assertEquals(1, broken.exit(), broken.out());
            assertTrue(broken.out().contains("BROKEN at entry " + seq), broken.out());
        }
    }

    /**
     * {@code omix admin audit head} from cron into a file the database's writers cannot reach, and {@code verify --heads}
     * with that file: a head moved back behind a copy (the newest entries removed, an earlier head row put back) exits 1,
     * which the check without copies cannot tell; a file that is not copies is refused with its line named.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void copiesOfTheHeadFindItMovedBack(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            var platform = s.server().platform();
            var jdbc = platform.database().jdbc();
            AdminAndLoginTest.Run first = omix(s, "audit", "head");
            assertEquals(0, first.exit(), first.err());
            io.omix.server.audit.AuditLog.Head early = io.omix.server.audit.AuditLog.Head.parse(first.out()).orElseThrow(() -> new AssertionError(first.out()));
            platform.audit().flush();
            Object[] earlyRow = jdbc.queryOne("SELECT seq, hash, mac FROM audit_head WHERE id = 1",
                    rs -> new Object[] {rs.getLong(1), rs.getString(2), rs.getString(3)}).orElseThrow();
            assertEquals(early.seq() + 1, (long) earlyRow[0], "the head command's own entry follows the head it printed");
            assertEquals(0, omix(s, "audit", "verify").exit());
            AdminAndLoginTest.Run second = omix(s, "audit", "head");
            assertTrue(io.omix.server.audit.AuditLog.Head.parse(second.out()).orElseThrow().seq() > (long) earlyRow[0], second.out());
            String copies = "# omix audit heads\n" + first.out() + "\n" + second.out();
            java.nio.file.Path file = s.dataDir().resolve("heads.txt");
            java.nio.file.Files.writeString(file, copies);
            AdminAndLoginTest.Run intact = omix(s, "audit", "verify", "--heads", file.toString());
            assertEquals(0, intact.exit(), intact.out() + intact.err());

            platform.audit().flush();
            io.omix.server.testing.AuditTampering.remove(jdbc, seq -> seq > (long) earlyRow[0]);
            jdbc.update("UPDATE audit_head SET seq = ?, hash = ?, mac = ? WHERE id = 1", earlyRow[0], earlyRow[1], earlyRow[2]);
            AdminAndLoginTest.Run behind = omix(s, "audit", "verify", "--heads", file.toString());
            assertEquals(1, behind.exit(), behind.out() + behind.err());
            assertTrue(behind.out().contains("behind a copy of it taken at entry"), behind.out());
            AdminAndLoginTest.Run alone = omix(s, "audit", "verify");
            assertEquals(0, alone.exit(), "without the copies the earlier head passes: " + alone.out());

            java.nio.file.Files.writeString(file, first.out().strip() + "\nnot a head\n");
            AdminAndLoginTest.Run bad = omix(s, "audit", "verify", "--heads", file.toString());
            assertEquals(2, bad.exit(), bad.out() + bad.err());
            assertTrue(bad.err().contains("--heads: line 2"), bad.err());
        }
    }
}
