package io.omix.sdk.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The SDK's Jackson setup, shared by every client. Not part of the public API. */
public final class Json {
    /** Reads answers and writes request bodies; fractions are doubles, as in the Python client. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    /** Binds answers to typed records: the wire speaks snake_case, Java records camelCase. */
    public static final ObjectMapper BINDER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .build();

    private Json() {}

    /**
     * Pretty JSON the way Python's {@code json.dumps(indent=n)} prints it: {@code "key": value}, empty {@code []}.
     *
     * @param node   the value to print
     * @param indent spaces per level; 0 for compact text on one line
     * @return the JSON text
     * @throws IllegalArgumentException when {@code indent} is negative
     */
    public static String dumps(JsonNode node, int indent) {
        if (indent < 0) throw new IllegalArgumentException("indent must be >= 0");
        try {
            if (indent == 0) return MAPPER.writeValueAsString(node);
            DefaultIndenter indenter = new DefaultIndenter(" ".repeat(indent), "\n");
            Separators separators = Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                    .withArrayEmptySeparator("")
                    .withObjectEmptySeparator("");
            DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
                    .withSeparators(separators);
            printer.indentArraysWith(indenter);
            printer.indentObjectsWith(indenter);
            return MAPPER.writer(printer).writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise JSON", e);
        }
    }
}
