package io.omix.server.audit;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

/**
 * The audit chain's key: entries are hashed with HMAC-SHA256 under a key derived from the master key
 * (which is not in the database), so someone who can write to the database but does not hold the key
 * cannot rewrite the chain consistently. Entries appended before the chain was keyed (before the
 * {@code keyed-from} seal's place) keep their plain SHA-256, and are held by the keyed entry after them,
 * whose hash covers their link. Seals (the keyed-from place, each retention cut, the head) are MACs
 * under the same key.
 */
public final class ChainKey {
    /** The purpose the key is derived for from the master key. */
    public static final String PURPOSE = "audit-chain";

    private final SecretKeySpec key;
    /** One MAC per thread: the mover hashes every entry it appends. */
    private final ThreadLocal<Mac> macs;

    public ChainKey(byte[] key) {
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
        this.macs = ThreadLocal.withInitial(this::newMac);
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** HMAC-SHA256 of {@code text} under the chain key, lowercase hex. */
    public String mac(String text) {
        return HexFormat.of().formatHex(macs.get().doFinal(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** HMAC-SHA256 of {@code bytes[0, length)} under the chain key, lowercase hex. */
    String mac(byte[] bytes, int length) {
        Mac mac = macs.get();
        mac.update(bytes, 0, length);
        return HexFormat.of().formatHex(mac.doFinal());
    }

    /** Whether {@code mac} is {@code text}'s MAC (compared in constant time). */
    public boolean holds(String text, String mac) {
        return io.omix.server.common.auth.Secrets.constantTimeEquals(mac(text), mac);
    }

    /** Whether {@code mac} is the head's seal at entry {@code seq} of hash {@code hash} under this key. */
    public boolean sealsHead(long seq, String hash, String mac) {
        return mac != null && holds(head(seq, hash), mac);
    }

    /** What a seal of kind {@code kind} at entry {@code seq}, whose link is {@code prevHash}, says (the text its MAC covers). */
    static String seal(String kind, long seq, String prevHash) {
        return "omix-audit-seal\n" + kind + "\n" + seq + "\n" + prevHash;
    }

    /** What the head's MAC covers: the last entry's place and hash. */
    static String head(long seq, String hash) {
        return "omix-audit-head\n" + seq + "\n" + hash;
    }
}
