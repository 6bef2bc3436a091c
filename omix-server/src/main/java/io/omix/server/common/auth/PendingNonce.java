package io.omix.server.common.auth;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * A signed request's nonce that its route records in the request's own write transaction: one commit
 * for the nonce and the write instead of one each (docs/benchmarks.md, streams). A replay is still
 * refused: a nonce recorded before is refused as the request is authenticated; a copy racing its
 * original makes the write that holds the nonce second fail on the nonce's unique key; and whatever no
 * write took is recorded before the answer leaves. Only for routes whose writes all go through that
 * transaction ({@code Routes.postRecordingNonceInWrite}); a racing copy may still create what a write
 * creates on first use (a stream's series row), which is the same row the original creates.
 */
public interface PendingNonce {
    /** The order in which a group inserts its nonces: always the same, so that two groups never wait on each other in a cycle. */
    String sortKey();

    /** Inserts the nonce through {@code c}, in the write's transaction (a duplicate key when it was used before). */
    void insertWith(Connection c) throws SQLException;

    /** The transaction that inserted it committed. */
    void written();

    /** Records the nonce on its own unless a write did: refused with 40103 when it was used before. */
    void record();
}
