package io.omix.server.demo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.omix.server.common.http.ServerJson;


/**
 * What capabilities add while a fresh installation gets its demo data: entries for
 * {@code demo-credentials.json} (secrets included: the database keeps only their hashes), which
 * {@code omix serve} also prints.
 */
public final class DemoData {
    private final ObjectNode credentials = ServerJson.MAPPER.createObjectNode();

    /** A JSON object in the credentials file, created on first use. */
    public ObjectNode section(String name) {
        return credentials.has(name) ? (ObjectNode) credentials.get(name) : credentials.putObject(name);
    }

    public void put(String name, String value) {
        credentials.put(name, value);
    }

    public ObjectNode credentials() {
        return credentials;
    }
}
