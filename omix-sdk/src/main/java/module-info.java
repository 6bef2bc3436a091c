/**
 * The Omix Java SDK: clients of the open platform, the private platform and the dataset batches API.
 * Only {@code io.omix.sdk} is exported; {@code io.omix.sdk.internal} is the SDK's own plumbing.
 */
module io.omix.sdk {
    requires transitive com.fasterxml.jackson.databind;
    requires java.net.http;
    requires jdk.httpserver; // the loopback receiver of LoopbackLogin
    requires org.slf4j;

    exports io.omix.sdk;
    // Answers are bound to the SDK's records by Jackson.
    opens io.omix.sdk to com.fasterxml.jackson.databind;
}
