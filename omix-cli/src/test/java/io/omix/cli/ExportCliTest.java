package io.omix.cli;

import io.omix.server.oauth.ClientStore;
import io.omix.server.oauth.OAuthClient;
import io.omix.server.oauth.TokenStore;
import io.omix.server.samples.SampleStore;
import io.omix.server.testing.TestServer;
import io.omix.server.users.User;
import io.omix.server.users.UserStore;
import io.omix.server.variants.VcfImporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code omix export} as a person, then {@code omix admin import-archive} on another server, as scripts would run them. */
class ExportCliTest {
    @TempDir
    Path dir;

    @Test
    void aPersonExportsAndAnOperatorRestoresOnAnotherServer() throws Exception {
        Path archive = dir.resolve("mine.zip");
        String sample;
        try (TestServer s = TestServer.start()) {
            var platform = s.server().platform();
            User person = new UserStore(platform).create("leaving-person", "leaving-person-pass-1", User.Profile.EMPTY, false);
            Set<String> scopes = new LinkedHashSet<>(io.omix.server.common.auth.Scope.defaults());
            scopes.add("grants");
            String tool = new ClientStore(platform).create("Omix CLI", List.of("http://127.0.0.1:8765/callback"), Set.of(OAuthClient.AUTHORIZATION_CODE),
                    scopes, false, null).client().clientId();
            SampleStore samples = new SampleStore(platform);
            String project = samples.createProject("cli export", 1, null, null, null).projectId();
            new io.omix.server.oauth.ConsentStore(platform).remember(person.userId(), tool, Set.of("samples", "grants"));
            sample = samples.register(io.omix.server.common.auth.Caller.userToken(tool, person.userId(), Set.of("samples")),
                    new SampleStore.Registration("X-1", 11, project, false, 1, null, Map.of()));
            new VcfImporter(platform).importVcf(sample, ExportCliTest.class.getResourceAsStream("/vcf/fixture.vcf"), VcfImporter.Options.DEFAULT);
            String token = new TokenStore(platform).issue(TokenStore.newFamily(), tool, person.userId(), OAuthClient.AUTHORIZATION_CODE, "grants", null, false)
                    .accessToken();

            AdminAndLoginTest.Run exported = AdminAndLoginTest.omix("export", "--endpoint", s.url(), "--token", token, "-o", archive.toString());
            assertEquals(0, exported.exit(), exported.err());
            assertTrue(Files.size(archive) > 0);
            assertTrue(exported.out().contains("\"samples\" : 1"), exported.out());

            AdminAndLoginTest.Run withoutScope = AdminAndLoginTest.omix("export", "--endpoint", s.url(), "--token", new TokenStore(platform)
                    .issue(TokenStore.newFamily(), tool, person.userId(), OAuthClient.AUTHORIZATION_CODE, "samples", null, false).accessToken(),
                    "-o", dir.resolve("refused.zip").toString());
            assertEquals(1, withoutScope.exit());
            assertTrue(withoutScope.err().contains("grants"), withoutScope.err());
        }
        try (TestServer other = TestServer.start()) {
            var platform = other.server().platform();
            new UserStore(platform).create("arrived-person", "arrived-person-pass-1", User.Profile.EMPTY, false);
            String data = other.dataDir().toString();
            AdminAndLoginTest.Run restored = AdminAndLoginTest.omix("admin", "--data-dir", data, "import-archive", "--file", archive.toString(),
                    "--username", "arrived-person");
            assertEquals(0, restored.exit(), restored.err());
            assertTrue(restored.out().contains(sample) && restored.out().contains("\"variant_calls\" : 7"), restored.out());
            assertTrue(new SampleStore(platform).find(sample).isPresent());

            AdminAndLoginTest.Run unknown = AdminAndLoginTest.omix("admin", "--data-dir", data, "import-archive", "--file", archive.toString(),
                    "--username", "nobody-here");
            assertEquals(2, unknown.exit());
            assertTrue(unknown.err().contains("no user nobody-here"), unknown.err());
        }
    }
}
