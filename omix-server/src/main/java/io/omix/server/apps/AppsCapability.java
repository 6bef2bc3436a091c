package io.omix.server.apps;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.omix.server.Capability;
import io.omix.server.Platform;
import io.omix.server.common.auth.Access;
import io.omix.server.common.auth.Caller;
import io.omix.server.common.http.HttpProblem;
import io.omix.server.common.http.Routes;
import io.omix.server.demo.DemoData;

/**
 * Credentials of the private platform (signed requests by app key and secret) and of the dataset
 * batches API ({@code X-API-KEY} / {@code X-API-SECRET}); the endpoints using them come with their capabilities.
 */
public final class AppsCapability implements Capability {
    private final PrivateAppStore apps;
    private final io.omix.server.common.db.Jdbc jdbc;
    private final DatasetKeyStore datasetKeys;

    public AppsCapability(Platform platform) {
        this.jdbc = platform.database().jdbc();
        this.apps = new PrivateAppStore(platform);
        this.datasetKeys = new DatasetKeyStore(platform);
        platform.authenticators().register(Access.PRIVATE_APP, new SignatureAuthenticator(platform, apps));
        platform.authenticators().register(Access.DATASET_KEY, (request, access) -> {
            String key = request.header("X-API-KEY");
            if (!datasetKeys.verify(key, request.header("X-API-SECRET"))) {
                String detail = "Invalid or missing X-API-KEY / X-API-SECRET";
                throw key == null ? new HttpProblem(401, detail) : HttpProblem.credentialRefused(401, detail);
            }
            return Caller.datasetKey(key);
        });
    }

    @Override
    public void routes(Routes routes) {
        // No endpoints of its own: batches, samples and streams use these credentials.
    }

    @Override
    public void demo(DemoData demo) {
        PrivateAppStore.Created app = apps.create("Omix demo partner", "BGE_DEVELOPER_PLATFORM");
        ObjectNode a = demo.section("private_app");
        a.put("app_key", app.app().appKey());
        a.put("app_secret", app.appSecret());
        a.put("namespace", app.app().namespace());
        DatasetKeyStore.Created key = datasetKeys.create("Omix demo datasets");
        ObjectNode d = demo.section("dataset_api");
        d.put("api_key", key.key().apiKey());
        d.put("api_secret", key.apiSecret());
    }

    /** Nonces past the signature window: a replay of them is refused by its timestamp already. */
    @Override
    public java.util.List<io.omix.server.housekeeping.Housekeeping.Job> housekeeping() {
        return java.util.List.of(new io.omix.server.housekeeping.Housekeeping.Job("private_nonces", (now, r) ->
                jdbc.update("DELETE FROM private_nonces WHERE expires_at < ?", now)));
    }
}
