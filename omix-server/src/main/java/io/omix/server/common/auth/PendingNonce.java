package io.omix.server.common.auth;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * A signed request's nonce that its route records in the request's own write transaction: one commit
 * for the nonce and the write instead of one each (the nonce's commit was a quarter of a stream batch
 * write's cost; docs/benchmarks.md). A replay is still refused: the nonce's key is unique, so a second
 * write holding it fails as a whole, and whatever no write took is recorded before the answer leaves.
 * Only for routes whose every effect is in that transaction ({@code Routes.postRecordingNonceInWrite}).
 */
public interface PendingNonce {
    /** Inserts the nonce through {@code c}, in the write's transaction (a duplicate key when it was used before). */
    void insertWith(Connection c) throws SQLException;

    /** The transaction that inserted it committed. */
    void written();

    /** Records the nonce on its own unless a write did: refused with 40103 when it was used before. */
    void record();
}
