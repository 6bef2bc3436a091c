package io.omix.server.common.db;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Thin helpers over JDBC: parameter binding, row mapping and transactions, nothing more. */
public final class Jdbc {
    @FunctionalInterface
    public interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private final DataSource dataSource;
    /**
     * Snapshots ({@link #inSnapshot}) at once: each is a second connection of a task that holds one already (a person's
     * export), and with a task on every worker (up to half the pool) they would otherwise take the rest of the pool, the
     * tasks' lease heartbeat and every request waiting behind them.
     */
    private final java.util.concurrent.Semaphore snapshots;

    public Jdbc(DataSource dataSource) {
        this(dataSource, Integer.MAX_VALUE);
    }

    /** @param snapshotsAtOnce how many {@link #inSnapshot} reads may hold a connection at once; the others wait their turn */
    public Jdbc(DataSource dataSource, int snapshotsAtOnce) {
        this.dataSource = dataSource;
        this.snapshots = new java.util.concurrent.Semaphore(snapshotsAtOnce, true);
    }

    public <T> List<T> query(String sql, RowMapper<T> mapper, Object... args) {
        return withConnection(c -> query(c, sql, mapper, args));
    }

    public <T> Optional<T> queryOne(String sql, RowMapper<T> mapper, Object... args) {
        List<T> rows = query(sql, mapper, args);
        if (rows.size() > 1) throw new IllegalStateException("expected at most one row, got " + rows.size());
        return rows.isEmpty() ? Optional.empty() : Optional.ofNullable(rows.get(0));
    }

    public int update(String sql, Object... args) {
        return withConnection(c -> update(c, sql, args));
    }

    public static <T> List<T> query(Connection c, String sql, RowMapper<T> mapper, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                List<T> out = new ArrayList<>();
                while (rs.next()) out.add(mapper.map(rs));
                return out;
            }
        }
    }

    /** A row of a result read in pieces ({@link #inPieces}). */
    @FunctionalInterface
    public interface PieceRow {
        void accept(ResultSet rs) throws SQLException, java.io.IOException;
    }

    /**
     * A long result read {@code piece} rows a statement, each statement after the last row read: {@code first} bound to
     * {@code fixed}, then {@code next} bound to {@code fixed} and the last row's key ({@code keyOf}), until a statement
     * gives fewer rows than {@code piece}. Both must end {@code ORDER BY} the whole index they walk and {@code LIMIT piece}:
     * H2 holds a statement's whole result before its first row, and stops at the limit only when it walks an index in order.
     */
    public static void inPieces(Connection c, String first, String next, int piece, Object[] fixed, RowMapper<Object[]> keyOf, PieceRow row)
            throws SQLException, java.io.IOException {
        try (PreparedStatement firstPs = c.prepareStatement(first); PreparedStatement nextPs = c.prepareStatement(next)) {
            Object[] last = null;
            while (true) {
                PreparedStatement ps = last == null ? firstPs : nextPs;
                Object[] args = fixed;
                if (last != null) {
                    args = java.util.Arrays.copyOf(fixed, fixed.length + last.length);
                    System.arraycopy(last, 0, args, fixed.length, last.length);
                }
                bind(ps, args);
                int read = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        read++;
                        last = keyOf.map(rs);
                        row.accept(rs);
                    }
                }
                if (read < piece) return;
            }
        }
    }

    public static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            return ps.executeUpdate();
        }
    }

    public static void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            // Times go in as instants in UTC: PostgreSQL keeps no offset and refuses one of 16 hours or more (Java allows
            // 18), and so the embedded store holds what PostgreSQL does. An offset that matters is stored beside its time.
            Object arg = args[i];
            if (arg instanceof java.time.OffsetDateTime t && t.getOffset() != java.time.ZoneOffset.UTC) arg = t.withOffsetSameInstant(java.time.ZoneOffset.UTC);
            ps.setObject(i + 1, arg);
        }
    }

    /**
     * A binary column's bytes, to be read and never written: on the embedded store the array the
     * stored value holds, without the copy {@link ResultSet#getBytes} makes (get_variants read 100
     * blocks a call, and their copies were a third of everything the server allocated); elsewhere
     * the driver's own array.
     */
    public static byte[] readOnlyBytes(ResultSet rs, int column) throws SQLException {
        if (rs.isWrapperFor(org.h2.jdbc.JdbcResultSet.class)
                && rs.unwrap(org.h2.jdbc.JdbcResultSet.class).getInternal(column) instanceof org.h2.value.ValueVarbinary stored) {
            return stored.getBytesNoCopy();
        }
        return rs.getBytes(column);
    }

    /** Runs {@code work} on one connection with auto-commit. */
    public <T> T withConnection(Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new DataAccessException(e);
        }
    }

    /** Runs {@code work} in one transaction: committed when it returns, rolled back when it throws. */
    public <T> T inTransaction(Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException | Error e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new DataAccessException(e);
        }
    }

    /** A read of many statements ({@link #inSnapshot}). */
    @FunctionalInterface
    public interface Reading<T> {
        T read(Connection connection) throws SQLException, java.io.IOException;
    }

    /**
     * Runs {@code reading} on a connection of its own, in one read-only transaction that sees the database as it was at
     * its first statement (PostgreSQL's repeatable read, the embedded store's snapshot), then rolled back: a read of many
     * statements (a person's export, a piece at a time) then holds no mix of before and after a change committed
     * meanwhile, such as a profile imported again. It locks no rows, so it holds no writer up (on PostgreSQL it holds the
     * shared lock any read takes on the tables it read, which a schema change waits for, and it holds back vacuum's
     * horizon while it lasts: keep what runs in it to the reads that must agree).
     */
    public <T> T inSnapshot(Reading<T> reading) throws java.io.IOException {
        try {
            snapshots.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for a snapshot's turn");
        }
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            int isolation = c.getTransactionIsolation();
            c.setAutoCommit(false);
            c.setReadOnly(true);
            c.setTransactionIsolation(c.isWrapperFor(org.h2.jdbc.JdbcConnection.class)
                    ? org.h2.engine.Constants.TRANSACTION_SNAPSHOT : Connection.TRANSACTION_REPEATABLE_READ);
            try {
                return reading.read(c);
            } finally {
                c.rollback();
                c.setTransactionIsolation(isolation);
                c.setReadOnly(false);
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new DataAccessException(e);
        } finally {
            snapshots.release();
        }
    }

    /** {@code text} taken literally inside a LIKE pattern written with {@code ESCAPE '\'}: its backslashes, % and _ escaped. */
    public static String likeEscaped(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    /** An integrity constraint refused the statement (SQLSTATE class 23: unique key, foreign key, ...). */
    public static boolean isIntegrityViolation(SQLException e) {
        return e.getSQLState() != null && e.getSQLState().startsWith("23");
    }

    /**
     * A row was held by another transaction and the statement did not wait (NOWAIT) or a deadlock was broken:
     * PostgreSQL's lock_not_available and deadlock_detected, H2's lock timeout and deadlock.
     */
    public static boolean isLockConflict(DataAccessException e) {
        if (!(e.getCause() instanceof SQLException s) || s.getSQLState() == null) return false;
        return switch (s.getSQLState()) {
            case "55P03", "40P01", "HYT00", "40001" -> true;
            default -> false;
        };
    }

    /** A database failure, unchecked so that it reaches the server's error handler (HTTP 500, logged). */
    public static final class DataAccessException extends RuntimeException {
        public DataAccessException(SQLException cause) {
            super(cause.getMessage(), cause);
        }

        /** An integrity constraint refused the write (SQLSTATE class 23: unique key, foreign key, ...). */
        public boolean isIntegrityViolation() {
            return getCause() instanceof SQLException s && Jdbc.isIntegrityViolation(s);
        }
    }
}
