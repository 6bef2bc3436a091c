package io.omix.server.streams;

import io.omix.server.common.auth.MasterKey;

import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The stream_id clients see for a record's numeric key: the key and a fixed tag in one AES block
 * (key derived from the master key, so every server reads every other's ids), shown as a UUID
 * string. Records are stored under sequential numbers, which an id must not reveal (how much
 * others write) and which a client must not be able to guess; opening an id checks the tag, so
 * an id that is not one of these (e.g. one given before V14) is simply not a key.
 */
final class StreamIds {
    private static final long TAG = 0x4f4d49582d535452L; // "OMIX-STR"
    private static final Pattern UUID_TEXT = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private final SecretKeySpec key;
    // A Cipher is not thread-safe and costly to set up; requests run on virtual threads (a thread-local
    // would be made anew per request), so ciphers are borrowed from a pool.
    private final java.util.concurrent.ConcurrentLinkedQueue<Cipher[]> pool = new java.util.concurrent.ConcurrentLinkedQueue<>();

    StreamIds(MasterKey masterKey) {
        this(masterKey, "stream-ids");
    }

    /** Ids sealed under a key of their own for {@code purpose}: an id of one purpose never opens as another's. */
    StreamIds(MasterKey masterKey, String purpose) {
        byte[] derived = masterKey.derive(purpose);
        this.key = new SecretKeySpec(derived, 0, 16, "AES");
    }

    String idOf(long streamKey) {
        byte[] block = ByteBuffer.allocate(16).putLong(streamKey).putLong(TAG).array();
        ByteBuffer sealed = ByteBuffer.wrap(run(0, block));
        return new UUID(sealed.getLong(), sealed.getLong()).toString();
    }

    /** The key behind an id this class made; empty for any other text. */
    OptionalLong keyOf(String id) {
        if (id == null || !UUID_TEXT.matcher(id).matches()) return OptionalLong.empty();
        String hex = id.replace("-", "");
        byte[] block = ByteBuffer.allocate(16).putLong(Long.parseUnsignedLong(hex.substring(0, 16), 16))
                .putLong(Long.parseUnsignedLong(hex.substring(16), 16)).array();
        ByteBuffer opened = ByteBuffer.wrap(run(1, block));
        long streamKey = opened.getLong();
        return opened.getLong() == TAG ? OptionalLong.of(streamKey) : OptionalLong.empty();
    }

    private byte[] run(int direction, byte[] block) {
        Cipher[] pair = pool.poll();
        try {
            if (pair == null) {
                pair = new Cipher[] {Cipher.getInstance("AES/ECB/NoPadding"), Cipher.getInstance("AES/ECB/NoPadding")};
                pair[0].init(Cipher.ENCRYPT_MODE, key);
                pair[1].init(Cipher.DECRYPT_MODE, key);
            }
            byte[] out = pair[direction].doFinal(block);
            pool.offer(pair);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES on one block cannot fail", e);
        }
    }
}
