package io.omix.cli;

import io.omix.sdk.Api;
import io.omix.sdk.ClientBuilder;
import io.omix.sdk.DatasetsApi;
import io.omix.sdk.OAuth2;
import io.omix.sdk.PrivateApi;
import io.omix.sdk.WebhookEndpoints;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.List;
import java.util.function.Function;

/**
 * {@code omix webhook ...}: the caller's webhook endpoints. Acts as the private app when an app key
 * is given ({@code OMIX_APP_KEY}/{@code OMIX_APP_SECRET}), else as the dataset key
 * ({@code OMIX_API_KEY}/{@code OMIX_API_SECRET}), else as the client application
 * ({@code OMIX_CLIENT_ID}/{@code OMIX_CLIENT_SECRET}, with a client-credentials token).
 */
@Command(name = "webhook", mixinStandardHelpOptions = true,
        description = {"Webhook endpoints: events POSTed to your URL instead of polling.",
                "Acts as the private app when --app-key (OMIX_APP_KEY) is set, else as the dataset key (OMIX_API_KEY), else as the client application (OMIX_CLIENT_ID)."},
        subcommands = {WebhookCommand.Create.class, WebhookCommand.ListEndpoints.class, WebhookCommand.Delete.class, WebhookCommand.Enable.class,
                WebhookCommand.Deliveries.class, WebhookCommand.Redeliver.class})
final class WebhookCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Who is asking: a private app, a dataset key or a client application, whichever credentials are given first. */
    static final class Caller {
        @Option(names = "--endpoint", defaultValue = "${env:OMIX_ENDPOINT:-" + ClientBuilder.DEFAULT_ENDPOINT + "}",
                description = "Server address (default: $OMIX_ENDPOINT, else ${DEFAULT-VALUE}).")
        String endpoint;
        @Option(names = "--app-key", defaultValue = "${env:OMIX_APP_KEY}", description = "Private app key (default: $OMIX_APP_KEY).")
        String appKey;
        @Option(names = "--app-secret", defaultValue = "${env:OMIX_APP_SECRET}", description = "Private app secret (default: $OMIX_APP_SECRET).")
        String appSecret;
        @Option(names = "--api-key", defaultValue = "${env:OMIX_API_KEY}", description = "Dataset API key (default: $OMIX_API_KEY).")
        String apiKey;
        @Option(names = "--api-secret", defaultValue = "${env:OMIX_API_SECRET}", description = "Dataset API secret (default: $OMIX_API_SECRET).")
        String apiSecret;
        @Option(names = "--client-id", defaultValue = "${env:OMIX_CLIENT_ID}", description = "OAuth2 client id (default: $OMIX_CLIENT_ID).")
        String clientId;
        @Option(names = "--client-secret", defaultValue = "${env:OMIX_CLIENT_SECRET}", description = "OAuth2 client secret (default: $OMIX_CLIENT_SECRET).")
        String clientSecret;

        /** Runs {@code work} on the caller's webhooks, closing the client after. */
        <T> T with(Function<WebhookEndpoints, T> work) {
            if (present(appKey)) {
                if (!present(appSecret)) throw new IllegalArgumentException("--app-secret (or OMIX_APP_SECRET) is required with an app key");
                try (PrivateApi api = PrivateApi.builder(appKey, appSecret).endpoint(endpoint).build()) {
                    return work.apply(api.webhooks());
                }
            }
            if (present(apiKey)) {
                if (!present(apiSecret)) throw new IllegalArgumentException("--api-secret (or OMIX_API_SECRET) is required with an API key");
                try (DatasetsApi api = DatasetsApi.builder(apiKey, apiSecret).serverUrl(endpoint).build()) {
                    return work.apply(api.webhooks());
                }
            }
            if (!present(clientId) || !present(clientSecret)) {
                throw new IllegalArgumentException("credentials are required: --app-key/--app-secret (OMIX_APP_KEY/OMIX_APP_SECRET), "
                        + "--api-key/--api-secret (OMIX_API_KEY/OMIX_API_SECRET) or --client-id/--client-secret (OMIX_CLIENT_ID/OMIX_CLIENT_SECRET)");
            }
            try (OAuth2 oauth2 = OAuth2.builder(clientId, clientSecret).endpoint(endpoint).build(); Api api = oauth2.getCredentialsToken().api()) {
                return work.apply(api.webhooks());
            }
        }

        private static boolean present(String s) {
            return s != null && !s.isBlank();
        }
    }

    abstract static class Sub {
        @Mixin Caller caller;
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Register a URL for events; prints the webhook with its signing secret (shown this once).",
                    "Events: sample.data_imported, stream.records_written, batch.committed, task.finished, dataset.job_finished,",
                    "model.deployed, grant.revoked, user.erased (which ones a caller may ask for: docs/api.md)."})
    static final class Create extends Sub implements Runnable {
        @Option(names = "--url", required = true, description = "https URL (http only to this machine, where the operator allows it).")
        String url;
        @Option(names = "--event", required = true, split = ",", description = "Event type; repeat or separate with commas.")
        List<String> events;

        @Override
        public void run() {
            AdminCommand.print(out(), caller.with(w -> w.create(url, events)).json());
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Your webhook endpoints.")
    static final class ListEndpoints extends Sub implements Runnable {
        @Override
        public void run() {
            AdminCommand.print(out(), caller.with(WebhookEndpoints::list).json());
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Remove an endpoint and its deliveries.")
    static final class Delete extends Sub implements Runnable {
        @Parameters(paramLabel = "WEBHOOK_ID") String webhookId;

        @Override
        public void run() {
            AdminCommand.print(out(), caller.with(w -> w.delete(webhookId)).json());
        }
    }

    @Command(name = "enable", mixinStandardHelpOptions = true, description = "Turn a disabled endpoint back on.")
    static final class Enable extends Sub implements Runnable {
        @Parameters(paramLabel = "WEBHOOK_ID") String webhookId;

        @Override
        public void run() {
            AdminCommand.print(out(), caller.with(w -> w.enable(webhookId)).json());
        }
    }

    @Command(name = "deliveries", mixinStandardHelpOptions = true, description = "An endpoint's newest deliveries, each with its attempts.")
    static final class Deliveries extends Sub implements Runnable {
        @Parameters(paramLabel = "WEBHOOK_ID") String webhookId;
        @Option(names = "--limit", defaultValue = "20", description = "How many (1-500; default ${DEFAULT-VALUE}).") int limit;

        @Override
        public void run() {
            AdminCommand.print(out(), caller.with(w -> w.deliveries(webhookId, limit)).json());
        }
    }

    @Command(name = "redeliver", mixinStandardHelpOptions = true, description = "Send a delivery again, now.")
    static final class Redeliver extends Sub implements Runnable {
        @Parameters(index = "0", paramLabel = "WEBHOOK_ID") String webhookId;
        @Parameters(index = "1", paramLabel = "DELIVERY_ID") long deliveryId;

        @Override
        public void run() {
            AdminCommand.print(out(), caller.with(w -> w.redeliver(webhookId, deliveryId)).json());
        }
    }
}
