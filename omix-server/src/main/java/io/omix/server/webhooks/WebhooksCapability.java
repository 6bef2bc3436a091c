package io.omix.server.webhooks;

import io.javalin.http.HandlerType;
import io.omix.server.Capability;
import io.omix.server.Platform;
import io.omix.server.common.auth.Access;
import io.omix.server.common.auth.Caller;
import io.omix.server.common.auth.Secrets;
import io.omix.server.common.http.ApiException;
import io.omix.server.common.http.ApiRequest;
import io.omix.server.common.http.ErrorCode;
import io.omix.server.common.http.HttpProblem;
import io.omix.server.common.http.Routes;
import io.omix.server.common.validation.IntParam;
import io.omix.server.common.validation.LongParam;
import io.omix.server.common.validation.Param;
import io.omix.server.common.validation.ParamSpec;
import io.omix.server.common.validation.Params;
import io.omix.server.common.validation.StringListParam;
import io.omix.server.common.validation.StringParam;
import io.omix.server.housekeeping.Housekeeping;
import io.omix.server.tasks.TasksCapability;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Webhooks, on each surface for its own callers: {@code /webhooks} (a client application, with a
 * client-credentials token), {@code /private/webhooks} (a private app) and {@code /api/v2/webhooks}
 * (a dataset key). Each lists, creates, deletes and re-enables its own endpoints and sees their
 * deliveries; another owner's webhook id is answered as unknown.
 */
public final class WebhooksCapability implements Capability {
    static final StringParam URL = Param.string("url").required().maxLength(2000).describe("where events are POSTed: https (http only to loopback where allowed)");
    static final StringListParam EVENTS = Param.stringList("events").required().maxItems(8).maxItemLength(40).distinct()
            .describe("event types to receive");
    static final StringParam WEBHOOK_ID = Param.string("webhook_id").required().maxLength(40)
            .pattern(Pattern.compile("wh_[A-Za-z0-9]{1,37}"), "wh_ + letters and digits");
    static final LongParam DELIVERY_ID = Param.longInt("delivery_id").required().range(1, Long.MAX_VALUE);
    static final IntParam LIMIT = Param.integer("limit").range(1, 500).orElse(100);

    private final Platform platform;
    private final WebhookStore store;
    private final UrlPolicy policy;
    private final WebhookDispatcher dispatcher;

    public WebhooksCapability(Platform platform) {
        this.platform = platform;
        this.store = new WebhookStore(platform.database().jdbc());
        this.policy = new UrlPolicy(platform.config().webhooks().allowHttpLoopback(), platform.config().webhooks().allowPrivateNetworks());
        this.dispatcher = new WebhookDispatcher(platform, store, policy);
    }

    private static ApiRequest notFromModel(ApiRequest r) {
        if (r.viaModelChannel()) {
            throw new ApiException(ErrorCode.NO_PERMISSION, Map.of("webhooks", "an application manages its webhooks itself, never from inside a model"));
        }
        return r;
    }

    @Override
    public void routes(Routes routes) {
        ParamSpec create = ParamSpec.of(URL, EVENTS);
        ParamSpec one = ParamSpec.of(WEBHOOK_ID);
        ParamSpec deliveries = ParamSpec.of(WEBHOOK_ID, LIMIT);
        ParamSpec redeliver = ParamSpec.of(WEBHOOK_ID, DELIVERY_ID);
        // Open platform: the client application itself (a client-credentials token), in the envelope.
        // Never from inside a model's box: a model invoked with the application's token would otherwise register an
        // endpoint of its own that outlives the invocation and receives the application's events (no scope guards these).
        routes.post("/webhooks", Access.CLIENT_TOKEN, create, (r, p) -> create(notFromModel(r), p, WebhookEvents.FOR_CLIENTS));
        routes.get("/webhooks", Access.CLIENT_TOKEN, ParamSpec.NONE, (r, p) -> list(notFromModel(r)));
        routes.api(HandlerType.DELETE, "/webhooks/{webhook_id}", Access.CLIENT_TOKEN, one, (r, p) -> delete(notFromModel(r), p, false));
        routes.post("/webhooks/{webhook_id}/enable", Access.CLIENT_TOKEN, one, (r, p) -> enable(notFromModel(r), p, false));
        routes.get("/webhooks/{webhook_id}/deliveries", Access.CLIENT_TOKEN, deliveries, (r, p) -> deliveries(notFromModel(r), p, false));
        routes.post("/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver", Access.CLIENT_TOKEN, redeliver,
                (r, p) -> redeliver(notFromModel(r), p, false));
        // Private platform: the app, by its signed requests, in the envelope.
        routes.post("/private/webhooks", Access.PRIVATE_APP, create, (r, p) -> create(r, p, WebhookEvents.FOR_PRIVATE_APPS));
        routes.get("/private/webhooks", Access.PRIVATE_APP, ParamSpec.NONE, (r, p) -> list(r));
        routes.api(HandlerType.DELETE, "/private/webhooks/{webhook_id}", Access.PRIVATE_APP, one, (r, p) -> delete(r, p, false));
        routes.post("/private/webhooks/{webhook_id}/enable", Access.PRIVATE_APP, one, (r, p) -> enable(r, p, false));
        routes.get("/private/webhooks/{webhook_id}/deliveries", Access.PRIVATE_APP, deliveries, (r, p) -> deliveries(r, p, false));
        routes.post("/private/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver", Access.PRIVATE_APP, redeliver,
                (r, p) -> redeliver(r, p, false));
        // Dataset batches API: the dataset key, as plain JSON resources.
        routes.resource(HandlerType.POST, "/api/v2/webhooks", Access.DATASET_KEY, create, (r, p) -> {
            Object created = create(r, p, WebhookEvents.FOR_DATASET_KEYS);
            r.ctx().status(201);
            return created;
        });
        routes.resource(HandlerType.GET, "/api/v2/webhooks", Access.DATASET_KEY, ParamSpec.NONE, (r, p) -> list(r));
        routes.resource(HandlerType.DELETE, "/api/v2/webhooks/{webhook_id}", Access.DATASET_KEY, one, (r, p) -> delete(r, p, true));
        routes.resource(HandlerType.POST, "/api/v2/webhooks/{webhook_id}/enable", Access.DATASET_KEY, one, (r, p) -> enable(r, p, true));
        routes.resource(HandlerType.GET, "/api/v2/webhooks/{webhook_id}/deliveries", Access.DATASET_KEY, deliveries, (r, p) -> deliveries(r, p, true));
        routes.resource(HandlerType.POST, "/api/v2/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver", Access.DATASET_KEY, redeliver,
                (r, p) -> redeliver(r, p, true));
    }

    private Object create(ApiRequest r, Params p, List<String> allowed) {
        String owner = TasksCapability.ownerOf(r.caller());
        for (String type : p.get(EVENTS)) {
            if (!allowed.contains(type)) throw ApiException.invalidParam("events", "unknown event type '" + type + "'; this caller can receive " + allowed);
        }
        String url = p.get(URL);
        policy.refusal(url).ifPresent(reason -> {
            throw ApiException.invalidParam("url", reason);
        });
        String webhookId = "wh_" + Secrets.alphanumeric(20);
        String secret = "whsec_" + Secrets.alphanumeric(40);
        WebhookStore.Endpoint endpoint = new WebhookStore.Endpoint(webhookId, owner, url, List.copyOf(p.get(EVENTS)),
                platform.masterKey().seal(secret, webhookId), true, null, platform.now());
        if (!store.create(endpoint)) {
            throw ApiException.invalidParam("url", "at most " + WebhookStore.MAX_ENDPOINTS_PER_OWNER + " webhooks per application; delete one first");
        }
        Map<String, Object> view = new LinkedHashMap<>(endpoint.view());
        // Shown once: only the server can sign with it from now on (it is kept sealed with the master key).
        view.put("secret", secret);
        return Map.of("webhook", view);
    }

    private Object list(ApiRequest r) {
        return Map.of("webhooks", store.list(TasksCapability.ownerOf(r.caller())).stream().map(WebhookStore.Endpoint::view).toList());
    }

    private Object delete(ApiRequest r, Params p, boolean resource) {
        if (!store.delete(TasksCapability.ownerOf(r.caller()), p.get(WEBHOOK_ID))) throw unknown(p.get(WEBHOOK_ID), resource);
        return Map.of("webhook_id", p.get(WEBHOOK_ID), "deleted", true);
    }

    private Object enable(ApiRequest r, Params p, boolean resource) {
        String owner = TasksCapability.ownerOf(r.caller());
        if (!store.enable(owner, p.get(WEBHOOK_ID))) throw unknown(p.get(WEBHOOK_ID), resource);
        dispatcher.wake();
        return Map.of("webhook", store.find(owner, p.get(WEBHOOK_ID)).orElseThrow().view());
    }

    private Object deliveries(ApiRequest r, Params p, boolean resource) {
        WebhookStore.Endpoint endpoint = own(r.caller(), p.get(WEBHOOK_ID), resource);
        return Map.of("webhook_id", endpoint.webhookId(), "deliveries", store.deliveries(endpoint.webhookId(), p.get(LIMIT)));
    }

    private Object redeliver(ApiRequest r, Params p, boolean resource) {
        WebhookStore.Endpoint endpoint = own(r.caller(), p.get(WEBHOOK_ID), resource);
        switch (store.redeliver(endpoint.webhookId(), p.get(DELIVERY_ID), platform.now(), platform.now().plus(platform.config().webhooks().giveUpAfter()))) {
            case QUEUED -> { }
            case BEING_SENT -> throw resource ? new HttpProblem(409, "delivery " + p.get(DELIVERY_ID) + " is being sent; ask again in a minute")
                    : ApiException.invalidParam("delivery_id", "this delivery is being sent now; ask again in a minute");
            case UNKNOWN -> throw resource ? new HttpProblem(404, "no delivery " + p.get(DELIVERY_ID) + " of webhook " + endpoint.webhookId())
                    : ApiException.invalidParam("delivery_id", "no such delivery of this webhook");
        }
        dispatcher.wake();
        return Map.of("webhook_id", endpoint.webhookId(), "delivery_id", p.get(DELIVERY_ID), "status", "pending");
    }

    private WebhookStore.Endpoint own(Caller caller, String webhookId, boolean resource) {
        return store.find(TasksCapability.ownerOf(caller), webhookId).orElseThrow(() -> unknown(webhookId, resource));
    }

    private static RuntimeException unknown(String webhookId, boolean resource) {
        return resource ? new HttpProblem(404, "no webhook " + webhookId) : ApiException.invalidParam("webhook_id", "no such webhook");
    }

    @Override
    public void start() {
        dispatcher.start();
    }

    @Override
    public List<Housekeeping.Job> housekeeping() {
        return List.of(new Housekeeping.Job("webhook_deliveries",
                (now, retention) -> store.removeFinishedBefore(now.minus(platform.config().webhooks().retention()), platform.config().webhooks().giveUpAfter())));
    }

    @Override
    public void close() {
        dispatcher.close();
    }
}
