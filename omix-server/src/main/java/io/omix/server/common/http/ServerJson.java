package io.omix.server.common.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.math.BigDecimal;
import java.util.Iterator;
import java.util.Map;

/**
 * The server's one Jackson setup, and the one way JSON from clients is read ({@link #readClientJson}).
 *
 * <p>What a client sends is limited where it enters, so that anything accepted can be read back
 * inside an answer: nesting at most {@value #MAX_DEPTH} levels (answers add a few levels of their own,
 * far below the writer's limit of 1,000), numbers within a double's range and no smaller than {@code 1e-}{@value #MAX_EXPONENT}, no
 * duplicate keys. Before this, a payload nested 999 deep was accepted and every later read of it
 * failed.
 */
public final class ServerJson {
    public static final int MAX_DEPTH = 64;
    public static final int MAX_EXPONENT = 400;

    /**
     * Buffers are recycled through a pool shared by all threads: Jackson's default keeps them per
     * thread, and every request runs on a new virtual thread, so each answer allocated fresh buffers
     * (a twentieth of a light read's time).
     */
    public static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .recyclerPool(JsonRecyclerPools.newConcurrentDequePool()).build())
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    /**
     * The most tokens (values, names, brackets) one JSON text of a client with credentials may hold: a body of 16 MiB of
     * numbers (a batch of waveforms) fits, 16 MiB of {@code {}} (eight million, half a gigabyte of nodes) does not. Each
     * token is a node of the tree the text is read into: this bounds the tree at about what the largest body of real data
     * makes.
     */
    public static final int MAX_TOKENS = 4_000_000;
    /** The most tokens of a JSON body sent with no credentials (a Beacon query, a token request): small always. */
    public static final int MAX_ANONYMOUS_TOKENS = 20_000;

    /** The reader for clients' JSON: {@link #MAPPER} with the entry limits. */
    private static final ObjectMapper CLIENT = MAPPER.copy();
    /** The reader for JSON sent with no credentials. */
    private static final ObjectMapper ANONYMOUS = MAPPER.copy();

    static {
        CLIENT.getFactory().setStreamReadConstraints(entryLimits(MAX_TOKENS));
        ANONYMOUS.getFactory().setStreamReadConstraints(entryLimits(MAX_ANONYMOUS_TOKENS));
    }

    /** The limits of a client's JSON: nesting, a number's digits, and {@code maxTokens}. */
    private static StreamReadConstraints entryLimits(int maxTokens) {
        return StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).maxNumberLength(1000).maxTokenCount(maxTokens).build();
    }

    private ServerJson() {}

    /**
     * Reads JSON a client sent; a reason fit for the client otherwise (never a class or library
     * name): {@link ApiException} 41001 naming {@code param}.
     */
    public static JsonNode readClientJson(byte[] bytes, String param) {
        return readClientJson(bytes, param, false);
    }

    /** As {@link #readClientJson(byte[], String)}; {@code anonymous}: sent with no credentials, held to {@link #MAX_ANONYMOUS_TOKENS}. */
    public static JsonNode readClientJson(byte[] bytes, String param, boolean anonymous) {
        JsonNode node;
        try {
            node = (anonymous ? ANONYMOUS : CLIENT).readTree(bytes);
        } catch (StreamConstraintsException e) {
            throw ApiException.invalidParam(param, "nested deeper than " + MAX_DEPTH + " levels, a number longer than 1000 digits, or more than "
                    + (anonymous ? MAX_ANONYMOUS_TOKENS : MAX_TOKENS) + " values, names and brackets");
        } catch (JsonProcessingException e) {
            throw ApiException.invalidParam(param, reason(e));
        } catch (java.io.IOException | RuntimeException e) {
            throw ApiException.invalidParam(param, "malformed JSON");
        }
        // A number out of range is named by the top-level key holding it (the parameter it was sent as).
        if (node != null && node.isObject()) {
            node.fields().forEachRemaining(f -> {
                if (hasLoneSurrogate(f.getKey())) throw halfPair(param);
                if (holdsLoneSurrogate(f.getValue())) throw halfPair(f.getKey());
                checked(f.getValue(), f.getKey());
            });
        } else {
            if (holdsLoneSurrogate(node)) throw halfPair(param);
            checked(node, param);
        }
        return node;
    }

    /** As {@link #readClientJson(byte[], String)}, for text. */
    public static JsonNode readClientJson(String text, String param) {
        return readClientJson(text.getBytes(java.nio.charset.StandardCharsets.UTF_8), param);
    }

    private static String reason(JsonProcessingException e) {
        String message = String.valueOf(e.getOriginalMessage());
        String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
        if (message.startsWith("Duplicate field")) return "duplicate key" + where;
        return "malformed JSON" + where;
    }

    /**
     * Texts (values and keys) holding half of a surrogate pair (an escape from &#92;uD800 to &#92;uDFFF alone) are refused:
     * no UTF-8 can store or write them, and kept, one such record made every later page of its stream an error.
     */
    private static ApiException halfPair(String param) {
        return ApiException.invalidParam(param, "a text holds half of a surrogate pair (a \\uD800-\\uDFFF escape alone)");
    }

    private static final String OUT_OF_RANGE = "a number out of range (a double's, at most about 1.8e308)";
    private static final BigDecimal MAX_DOUBLE = new BigDecimal(Double.MAX_VALUE);

    /** A number a double cannot hold (an aggregate of it was infinite, written as the text "Infinity"). */
    private static boolean beyondDouble(BigDecimal d) {
        return d.abs().compareTo(MAX_DOUBLE) > 0;
    }

    /** Numbers beyond what a double or a stored value can hold are refused, not stored to fail later. */
    private static JsonNode checked(JsonNode node, String param) {
        if (node == null) return null;
        if (node.isBigDecimal() || node.isFloatingPointNumber()) {
            BigDecimal d = node.decimalValue();
            long exponent = (long) d.precision() - d.scale();
            if (d.signum() != 0 && (exponent > MAX_EXPONENT || exponent < -MAX_EXPONENT) || beyondDouble(d)) {
                throw ApiException.invalidParam(param, OUT_OF_RANGE);
            }
        } else if (node.isBigInteger()) {
            if (beyondDouble(new BigDecimal(node.bigIntegerValue()))) throw ApiException.invalidParam(param, OUT_OF_RANGE);
        } else if (node.isContainerNode()) {
            for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) checked(it.next(), param);
        }
        return node;
    }

    /** Whether any text of {@code node} (a value or a key, at any depth) holds a surrogate that is not half of a pair. */
    public static boolean holdsLoneSurrogate(JsonNode node) {
        if (node == null) return false;
        if (node.isTextual()) return hasLoneSurrogate(node.textValue());
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (hasLoneSurrogate(field.getKey()) || holdsLoneSurrogate(field.getValue())) return true;
            }
        } else if (node.isArray()) {
            for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) if (holdsLoneSurrogate(it.next())) return true;
        }
        return false;
    }

    /** Whether {@code text} holds a surrogate that is not half of a pair. */
    public static boolean hasLoneSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }
}
