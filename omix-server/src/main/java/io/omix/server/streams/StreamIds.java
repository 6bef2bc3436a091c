package io.omix.server.streams;

import io.omix.server.common.auth.BlockSeal;
import io.omix.server.common.auth.MasterKey;

import java.nio.ByteBuffer;
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

    private final BlockSeal seal;

    StreamIds(MasterKey masterKey) {
        this(masterKey, "stream-ids");
    }

    /** Ids sealed under a key of their own for {@code purpose}: an id of one purpose never opens as another's. */
    StreamIds(MasterKey masterKey, String purpose) {
        this.seal = new BlockSeal(masterKey, purpose);
    }

    String idOf(long streamKey) {
        byte[] block = ByteBuffer.allocate(16).putLong(streamKey).putLong(TAG).array();
        ByteBuffer sealed = ByteBuffer.wrap(seal.seal(block));
        return new UUID(sealed.getLong(), sealed.getLong()).toString();
    }

    /** The key behind an id this class made; empty for any other text. */
    OptionalLong keyOf(String id) {
        if (id == null || !UUID_TEXT.matcher(id).matches()) return OptionalLong.empty();
        String hex = id.replace("-", "");
        byte[] block = ByteBuffer.allocate(16).putLong(Long.parseUnsignedLong(hex.substring(0, 16), 16))
                .putLong(Long.parseUnsignedLong(hex.substring(16), 16)).array();
        ByteBuffer opened = ByteBuffer.wrap(seal.open(block));
        long streamKey = opened.getLong();
        return opened.getLong() == TAG ? OptionalLong.of(streamKey) : OptionalLong.empty();
    }
}
