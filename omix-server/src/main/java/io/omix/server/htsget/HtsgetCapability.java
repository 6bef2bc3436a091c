package io.omix.server.htsget;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.omix.server.Capability;
import io.omix.server.Platform;
import io.omix.server.common.auth.Access;
import io.omix.server.common.auth.Scope;
import io.omix.server.common.auth.Secrets;
import io.omix.server.common.http.ApiException;
import io.omix.server.common.http.ApiRequest;
import io.omix.server.common.http.ErrorCode;
import io.omix.server.common.http.Routes;
import io.omix.server.common.validation.LongParam;
import io.omix.server.common.validation.Param;
import io.omix.server.common.validation.ParamSpec;
import io.omix.server.common.validation.Params;
import io.omix.server.common.validation.StringParam;
import io.omix.server.samples.SampleAccess;
import io.omix.server.variants.VcfExport;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * GA4GH htsget 1.3 for variants: {@code GET /htsget/variants/{biosample_id}} answers a ticket whose one
 * URL streams a VCF of the sample's current calls (a region with {@code referenceName}, {@code start}
 * 0-based included, {@code end} excluded; the header alone with {@code class=header}). The URL is
 * signed (HMAC under a key derived from the master key for this purpose only) and lives 10 minutes,
 * so any htsget client (htsjdk's, samtools') fetches it with no credential of its own.
 * Errors are htsget's {@code {"htsget": {"error", "message"}}}; a sample the caller may not see is NotFound.
 */
public final class HtsgetCapability implements Capability {
    static final String TICKET = "/htsget/variants/{biosample_id}";
    static final String DATA = "/htsget/variants/{biosample_id}/data";
    static final long LINK_SECONDS = 600;

    static final StringParam BIOSAMPLE_ID = Param.string("biosample_id").required().maxLength(64);
    static final StringParam FORMAT = Param.string("format").oneOf("VCF");
    static final StringParam REFERENCE = Param.string("referenceName").maxLength(32)
            .pattern(Pattern.compile("[A-Za-z0-9_.]{1,32}"), "a chromosome name as the VCF writes it");
    static final LongParam START = Param.longInt("start").range(0, 1L << 40);
    static final LongParam END = Param.longInt("end").range(1, 1L << 40);
    static final StringParam CLASS = Param.string("class").oneOf("header");

    /** Slices one server writes at once: each reads a genome's calls, so a burst of URLs would hold the database. */
    static final int SLICES_AT_ONCE = 2;

    private final Platform platform;
    private final SampleAccess access;
    private final byte[] key;
    private final io.omix.server.files.SignedLinks links;
    private final SliceSlots slots = new SliceSlots(SLICES_AT_ONCE);
    /** A slice URL's uses count as calls of its grant (set with the routes). */
    private io.omix.server.common.http.RateLimits rateLimits;

    public HtsgetCapability(Platform platform) {
        this.platform = platform;
        this.access = new SampleAccess(platform.database().jdbc());
        this.key = platform.masterKey().derive("htsget-url");
        this.links = new io.omix.server.files.SignedLinks(platform);
    }

    @Override
    public void routes(Routes routes) {
        this.rateLimits = routes.rateLimits();
        routes.resource(HandlerType.GET, TICKET, Access.TOKEN, ParamSpec.of(BIOSAMPLE_ID, FORMAT, REFERENCE, START, END, CLASS), this::ticket);
        routes.resource(HandlerType.GET, "/htsget/service-info", Access.PUBLIC, ParamSpec.NONE, (r, p) -> serviceInfo(r));
        routes.plain(HandlerType.GET, DATA, this::data);
    }

    private Object ticket(ApiRequest r, Params p) {
        r.caller().requireScope(Scope.VARIANTS);
        String id;
        try {
            id = access.requireVisible(r.caller(), p.get(BIOSAMPLE_ID), Scope.VARIANTS);
        } catch (ApiException notVisible) {
            throw new ApiException(ErrorCode.OBJECT_NOT_FOUND, Map.of("biosample_id", "no sample " + p.get(BIOSAMPLE_ID) + " this caller may read"));
        }
        String reference = p.get(REFERENCE);
        Long start = p.get(START);
        Long end = p.get(END);
        if (reference == null && (start != null || end != null)) throw ApiException.invalidParam("start", "start and end need a referenceName");
        if (start != null && end != null && end <= start) throw ApiException.invalidParam("end", "must be after start");
        boolean headerOnly = "header".equals(p.get(CLASS));
        boolean hasCalls = platform.database().jdbc().withConnection(c -> VcfExport.source(c, id)).isPresent();
        if (!hasCalls) throw new ApiException(ErrorCode.OBJECT_NOT_FOUND, Map.of("biosample_id", id + " has no variant calls"));
        long expires = platform.now().toEpochSecond() + LINK_SECONDS;
        // The URL names the grant that asked for it and works only while that stands (as the files' signed links).
        String grant = links.grantOf(r);
        String slice = slice(id, reference, start, end, headerOnly, expires, grant);
        String url = r.baseUrl(platform.config()) + "/htsget/variants/" + id + "/data?" + query(reference, start, end, headerOnly, expires)
                + "&grant=" + URLEncoder.encode(grant, StandardCharsets.UTF_8) + "&signature=" + URLEncoder.encode(sign(slice), StandardCharsets.UTF_8);
        Map<String, Object> link = new LinkedHashMap<>();
        link.put("url", url);
        link.put("headers", Map.of());   // optional in htsget, yet htsjdk's client reads it unconditionally
        if (headerOnly) link.put("class", "header");
        return Map.of("htsget", Map.of("format", "VCF", "urls", List.of(link)));
    }

    private static String query(String reference, Long start, Long end, boolean headerOnly, long expires) {
        StringBuilder q = new StringBuilder("expires=").append(expires);
        if (reference != null) q.append("&referenceName=").append(reference);
        if (start != null) q.append("&start=").append(start);
        if (end != null) q.append("&end=").append(end);
        if (headerOnly) q.append("&class=header");
        return q.toString();
    }

    /** What a data URL's signature covers: the sample, the slice, the expiry and the grant. */
    private static String slice(String id, String reference, Long start, Long end, boolean headerOnly, long expires, String grant) {
        return id + "\n" + (reference == null ? "" : reference) + "\n" + (start == null ? "" : start) + "\n" + (end == null ? "" : end)
                + "\n" + headerOnly + "\n" + expires + "\n" + grant;
    }

    private String sign(String text) {
        return Secrets.hmac(key, text);
    }

    /** A ticket's URL: the VCF slice, when the signature matches and has not expired. */
    private void data(Context ctx) throws Exception {
        String id = ctx.pathParam("biosample_id");
        try {
            String reference = ctx.queryParam("referenceName");
            Long start = ctx.queryParam("start") == null ? null : Long.valueOf(ctx.queryParam("start"));
            Long end = ctx.queryParam("end") == null ? null : Long.valueOf(ctx.queryParam("end"));
            boolean headerOnly = "header".equals(ctx.queryParam("class"));
            long expires = Long.parseLong(String.valueOf(ctx.queryParam("expires")));
            String signature = ctx.queryParam("signature");
            String grant = ctx.queryParam("grant");
            if (signature == null || grant == null
                    || !Secrets.constantTimeEquals(sign(slice(id, reference, start, end, headerOnly, expires, grant)), signature)) {
                refuse(ctx, 403, "PermissionDenied", "the signature does not match (ask for a new ticket)");
                return;
            }
            if (platform.now().toEpochSecond() > expires) {
                refuse(ctx, 403, "PermissionDenied", "the URL has expired (ask for a new ticket)");
                return;
            }
            if (!links.stands(grant, Scope.VARIANTS.id())) {
                refuse(ctx, 403, "PermissionDenied", "the grant this URL was made under was revoked, signed out, disabled or lost the variants scope");
                return;
            }
            if (!links.sees(grant, id)) {
                refuse(ctx, 403, "PermissionDenied", "the grant this URL was made under no longer sees " + id + " (ask for a new ticket)");
                return;
            }
            if (links.charge(ctx, rateLimits, grant) != null) {
                refuse(ctx, 429, "TooManyRequests", io.omix.server.files.SignedLinks.usedUp(ctx));
                return;
            }
            if (ctx.req().getMethod().equals("HEAD")) {
                // The URL stands: no slice is written for a HEAD, and nothing was read.
                ctx.contentType("text/vcf; charset=utf-8");
                ctx.header("Cache-Control", "no-store");
                return;
            }
            // Recorded once the URL is known to be one this platform signed: a stranger's guesses fill no one's trail.
            io.omix.server.audit.AuditRecorder.attribute(ctx, new io.omix.server.audit.AuditRecorder.Actor("signed_link", grant, null, "signed_link",
                    "GET " + DATA, "biosample_id=" + id));
            io.omix.server.variants.VariantStore.Region region = reference == null ? null : new io.omix.server.variants.VariantStore.Region(reference, start == null ? 1 : start + 1,
                    end == null ? Long.MAX_VALUE : end);
            VcfExport.Source source = platform.database().jdbc().withConnection(c -> VcfExport.source(c, id).orElse(null));
            if (source == null) {
                refuse(ctx, 404, "NotFound", id + " has no variant calls");
                return;
            }
            // One slice at a time for each person or application, whatever grant asks: a person with two grants held every
            // slot of a server before.
            String holder = links.holderOf(ctx, grant).orElse(grant);
            SliceSlots.Refusal refusal = slots.take(holder);
            if (refusal != null) {
                busy(ctx, refusal == SliceSlots.Refusal.HOLDER_BUSY ? "a slice for this person or application is being written; fetch one at a time"
                        : "this server is writing other slices; retry in a few seconds");
                return;
            }
            // Written to a spool, then sent: a whole genome's calls never sit in memory, and a client reading
            // slowly holds no database connection (nor one of the slots, which end with the writing).
            io.omix.server.common.io.Spool made;
            try {
                // Counted against the holder's share of the spools too: one application reading its slices slowly held up
                // to the whole server's spool room (every other caller's slices and dataset uploads then refused).
                made = io.omix.server.common.io.Spool.create("htsget:" + holder);
            } catch (java.io.IOException | RuntimeException e) {
                slots.release(holder);
                throw e;
            }
            try (io.omix.server.common.io.Spool spool = made) {
                try (java.io.OutputStream slice = spool.output()) {
                    platform.database().jdbc().withConnection(c -> {
                        try {
                            VcfExport.write(c, id, source, region, headerOnly, slice);
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                        return null;
                    });
                } catch (java.io.UncheckedIOException e) {
                    if (!(e.getCause() instanceof io.omix.server.common.io.Spool.Busy)) throw e;
                    busy(ctx, e.getCause().getMessage());
                    return;
                } finally {
                    slots.release(holder);
                }
                ctx.contentType("text/vcf; charset=utf-8");
                // The URL is the credential, with no Authorization header to keep shared caches off: none may keep a genome
                // past its grant's revocation.
                ctx.header("Cache-Control", "no-store");
                // Sent with its length, and only while the grant stands (asked every second): a slow reader of a genome
                // revoked meanwhile gets a broken download, not the rest of it.
                long size = spool.size();
                io.omix.server.common.io.GuardedCopy.announce(ctx, size);
                try (java.io.InputStream in = spool.input()) {
                    io.omix.server.common.io.GuardedCopy.send(ctx, in, size, () -> links.stands(grant, Scope.VARIANTS.id()) && links.sees(grant, id),
                            "slice of " + id);
                }
            }
        } catch (NumberFormatException e) {
            refuse(ctx, 400, "InvalidInput", "a malformed data URL (ask for a new ticket)");
        }
    }

    /** 503 with Retry-After: the server has no room for another slice just now. */
    private static void busy(Context ctx, String message) throws java.io.IOException {
        ctx.header("Retry-After", "5");
        refuse(ctx, 503, "Unavailable", message);
    }

    private static void refuse(Context ctx, int status, String error, String message) throws java.io.IOException {
        ctx.status(status).contentType("application/json; charset=utf-8")
                .result(io.omix.server.common.http.ServerJson.MAPPER.writeValueAsBytes(Map.of("htsget", Map.of("error", error, "message", message))));
    }

    private Map<String, Object> serviceInfo(ApiRequest r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", io.omix.server.common.http.Ga4gh.serviceId(r.baseUrl(platform.config()), "htsget"));
        m.put("name", "Omix htsget");
        m.put("type", Map.of("group", "org.ga4gh", "artifact", "htsget", "version", "1.3.0"));
        m.put("description", "A sample's variant calls as VCF slices, for tokens with the variants scope; tickets with signed URLs.");
        m.put("organization", Map.of("name", "Omix", "url", r.baseUrl(platform.config())));
        m.put("version", "1.3.0");
        m.put("htsget", Map.of("datatype", "variants", "formats", List.of("VCF"), "fieldsParametersEffective", false, "tagsParametersEffective", false));
        return m;
    }
}
