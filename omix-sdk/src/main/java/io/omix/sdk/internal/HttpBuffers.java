package io.omix.sdk.internal;

/**
 * The JDK HTTP client reads and writes bodies in buffers of {@code jdk.httpclient.bufsize} bytes,
 * 16 KiB unless set: large transfers then spend their time moving small buffers (a 1 GiB download
 * ran at half the speed of 256 KiB buffers here; see docs/benchmarks.md). The property is read once,
 * when the JDK's client first loads, so the SDK sets it before it builds a client, and only when the
 * application has not set it (an explicit {@code -Djdk.httpclient.bufsize=...} always wins; a client
 * the application built earlier keeps the JDK's default).
 */
public final class HttpBuffers {
    /** The JDK's system property for the HTTP client's buffer size. */
    static final String PROPERTY = "jdk.httpclient.bufsize";
    /** The size the SDK prefers: 256 KiB. */
    static final int SIZE = 256 * 1024;

    private HttpBuffers() {}

    /**
     * Sets {@code jdk.httpclient.bufsize} to 256 KiB unless the application set it; called before each HTTP client is built.
     */
    public static void prefer() {
        if (System.getProperty(PROPERTY) == null) System.setProperty(PROPERTY, String.valueOf(SIZE));
    }
}
