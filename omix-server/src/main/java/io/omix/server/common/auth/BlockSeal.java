package io.omix.server.common.auth;

import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One AES block sealed and opened under a key derived from the master key for one purpose (so every server opens every
 * other's, and a block sealed for one purpose never opens as another's). For ids that must name a row without revealing
 * it: the caller puts a check of its own into the block and tests it on opening.
 */
public final class BlockSeal {
    private final SecretKeySpec key;
    // A Cipher is not thread-safe and costly to set up; requests run on virtual threads (a thread-local would be made anew
    // per request), so ciphers are borrowed from a pool.
    private final ConcurrentLinkedQueue<Cipher[]> pool = new ConcurrentLinkedQueue<>();

    public BlockSeal(MasterKey masterKey, String purpose) {
        this.key = new SecretKeySpec(masterKey.derive(purpose), 0, 16, "AES");
    }

    /** {@code block} (16 bytes) sealed. */
    public byte[] seal(byte[] block) {
        return run(0, block);
    }

    /** {@code sealed} (16 bytes) opened: for any 16 bytes, whether this seal made them or not. */
    public byte[] open(byte[] sealed) {
        return run(1, sealed);
    }

    private byte[] run(int direction, byte[] block) {
        if (block.length != 16) throw new IllegalArgumentException("one AES block is 16 bytes");
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
