package io.omix.server.common.http;

/**
 * The API surfaces one server speaks. They differ in how errors look: the open and private
 * platforms answer with the envelope, the dataset batches API with HTTP statuses and
 * {@code {status_code, detail, extra}}, the GA4GH DRS with HTTP statuses and {@code {msg, status_code}},
 * htsget with HTTP statuses and {@code {"htsget": {"error", "message"}}}, the Beacon with HTTP statuses and
 * {@code {meta, error: {errorCode, errorMessage}}}, FHIR with HTTP statuses and an {@code OperationOutcome}.
 */
public enum Surface {
    OPEN(""),
    PRIVATE("/private"),
    DATASETS("/api/v2"),
    GA4GH("/ga4gh"),
    HTSGET("/htsget"),
    BEACON("/beacon/v2"),
    FHIR("/fhir");

    private final String prefix;

    Surface(String prefix) {
        this.prefix = prefix;
    }

    public String prefix() {
        return prefix;
    }

    public static Surface of(String path) {
        if (startsWithSegment(path, DATASETS.prefix)) return DATASETS;
        if (startsWithSegment(path, GA4GH.prefix)) return GA4GH;
        if (startsWithSegment(path, HTSGET.prefix)) return HTSGET;
        if (startsWithSegment(path, BEACON.prefix)) return BEACON;
        if (startsWithSegment(path, FHIR.prefix)) return FHIR;
        if (startsWithSegment(path, PRIVATE.prefix)) return PRIVATE;
        return OPEN;
    }

    private static boolean startsWithSegment(String path, String prefix) {
        return path.startsWith(prefix) && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/');
    }
}
