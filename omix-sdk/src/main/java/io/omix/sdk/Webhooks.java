package io.omix.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Checks that a webhook delivery came from the platform, unchanged and recently. Every delivery
 * carries {@code Omix-Webhook-Id} (the event id, also the body's {@code id}: deliveries are at least
 * once, so a receiver drops an event whose body {@code id} it has seen; the header is not signed), {@code Omix-Webhook-Timestamp} (Unix seconds) and {@code Omix-Webhook-Signature}
 * ({@code v1=} and the lowercase hex HMAC-SHA256, keyed with the endpoint's secret, of the timestamp,
 * a dot and the raw body).
 * <pre>{@code
 * Model event = Webhooks.verify(secret, request.headers(), request.body()); // throws when not genuine
 * if (seen.add(event.getString("id"))) handle(event.getString("type"), event.getModel("data"));
 * }</pre>
 */
public final class Webhooks {
    /** The header naming the event ({@code evt_...}, the body's {@code id}); not signed: deduplicate on the body's id. */
    public static final String ID_HEADER = "Omix-Webhook-Id";
    /** The header with the time the attempt was signed, in Unix seconds. */
    public static final String TIMESTAMP_HEADER = "Omix-Webhook-Timestamp";
    /** The header with the signature: {@code v1=} and the lowercase hex HMAC-SHA256 (several, comma-separated, while a secret is replaced). */
    public static final String SIGNATURE_HEADER = "Omix-Webhook-Signature";
    /** How far a delivery's timestamp may be from now by default: older ones could be replays. */
    public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    private Webhooks() {}

    /** A delivery that is not genuine: no or a wrong signature, a changed body, or a timestamp outside the tolerance. */
    public static final class SignatureException extends OmixException {
        private static final long serialVersionUID = 1L;

        SignatureException(String message) {
            super(message, null, 0, 0, null);
        }
    }

    /**
     * Checks a delivery's signature (in constant time) and that its timestamp is within
     * {@link #DEFAULT_TOLERANCE} of now, then reads its event.
     *
     * @param secret  the endpoint's secret ({@code whsec_...}, from the answer that created it)
     * @param headers the delivery's headers, names in any case (a servlet's or the JDK server's map will do)
     * @param body    the raw body, exactly as received
     * @return the event {@code {id, type, created_at, data}}
     * @throws SignatureException       when the delivery is not genuine: no or a wrong signature, a changed
     *                                  body, a timestamp outside the tolerance, or a body that is not a JSON object
     * @throws IllegalArgumentException when {@code secret} is null or empty
     */
    public static Model verify(String secret, Map<String, List<String>> headers, byte[] body) {
        return verify(secret, headers, body, DEFAULT_TOLERANCE, Clock.systemUTC());
    }

    /**
     * As {@link #verify(String, Map, byte[])}, with the body as received text (signed as its UTF-8 bytes).
     *
     * @param secret  the endpoint's secret ({@code whsec_...})
     * @param headers the delivery's headers, names in any case
     * @param body    the raw body as text, exactly as received
     * @return the event {@code {id, type, created_at, data}}
     * @throws SignatureException       when the delivery is not genuine
     * @throws IllegalArgumentException when {@code secret} is null or empty
     */
    public static Model verify(String secret, Map<String, List<String>> headers, String body) {
        return verify(secret, headers, body.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * As {@link #verify(String, Map, byte[])}, with another replay tolerance and clock (for tests).
     *
     * @param secret    the endpoint's secret ({@code whsec_...})
     * @param headers   the delivery's headers, names in any case
     * @param body      the raw body, exactly as received
     * @param tolerance how far the delivery's timestamp may be from the clock's now, either way
     * @param clock     the clock giving now
     * @return the event {@code {id, type, created_at, data}}
     * @throws SignatureException       when the delivery is not genuine
     * @throws IllegalArgumentException when {@code secret} is null or empty
     */
    public static Model verify(String secret, Map<String, List<String>> headers, byte[] body, Duration tolerance, Clock clock) {
        if (secret == null || secret.isEmpty()) throw new IllegalArgumentException("secret is required");
        String timestamp = header(headers, TIMESTAMP_HEADER);
        String signature = header(headers, SIGNATURE_HEADER);
        if (timestamp == null || signature == null) throw new SignatureException("not a signed delivery: " + TIMESTAMP_HEADER + " or " + SIGNATURE_HEADER + " missing");
        long seconds;
        try {
            seconds = Long.parseLong(timestamp.trim());
        } catch (NumberFormatException e) {
            throw new SignatureException(TIMESTAMP_HEADER + " is not a number of seconds");
        }
        long now = clock.millis() / 1000;
        // Compared without subtracting: a timestamp near Long.MIN_VALUE must not wrap around into the window.
        if (seconds < now - tolerance.toSeconds() || seconds > now + tolerance.toSeconds()) {
            throw new SignatureException("the delivery's timestamp is outside " + tolerance.toSeconds() + " s of now (a replay, or a clock far off)");
        }
        byte[] expected = sign(secret, seconds, body);
        boolean matched = false;
        // One header may carry several signatures (while a secret is being replaced): any v1 may match.
        for (String part : signature.split(",")) {
            String p = part.trim();
            if (!p.startsWith("v1=")) continue;
            byte[] given = hex(p.substring(3));
            matched |= given != null && MessageDigest.isEqual(expected, given);
        }
        if (!matched) throw new SignatureException("the signature does not match this secret and body");
        try {
            JsonNode event = JSON.readTree(body);
            if (event == null || !event.isObject()) throw new SignatureException("the body is not a JSON object");
            return new Model((ObjectNode) event);
        } catch (java.io.IOException e) {
            throw new SignatureException("the body is not JSON");
        }
    }

    private static String header(Map<String, List<String>> headers, String name) {
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            if (e.getKey() != null && e.getKey().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT)) && e.getValue() != null
                    && !e.getValue().isEmpty()) {
                return e.getValue().get(0);
            }
        }
        return null;
    }

    private static byte[] sign(String secret, long timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] hex(String text) {
        if (text.length() != 64) return null;
        byte[] out = new byte[32];
        for (int i = 0; i < 32; i++) {
            int hi = Character.digit(text.charAt(2 * i), 16), lo = Character.digit(text.charAt(2 * i + 1), 16);
            if (hi < 0 || lo < 0) return null;
            out[i] = (byte) (hi << 4 | lo);
        }
        return out;
    }
}
