package org.h2.mvstore;

/**
 * The chunk rewriting of H2's own background housekeeping, for a store written with
 * {@code WRITE_DELAY=0} (which turns that housekeeping off). It lives in H2's package because the
 * calls H2's housekeeping makes are package-private; nothing here moves chunks (that trips H2's
 * free-space assertions while commits go on).
 * <p>Why not {@link MVStore#compact(int, int)}: it considers every chunk, however full, and rewrites the
 * oldest first, so once a second it moved the pages of tables nobody was writing (200,000 variant
 * calls) to new positions, and every read of them missed the page cache afterwards: a server writing
 * audit entries answered get_variants 30 % slower than one that was not (docs/benchmarks.md). Like
 * H2's housekeeping, this rewrites only chunks below the average fill rate of the rewritable ones.
 */
public final class SparseChunkRewriter {
    private SparseChunkRewriter() {}

    /**
     * Rewrites up to {@code writeLimit} bytes of the sparsest chunks when the file is less than
     * {@code targetFillRate} percent live; true when something was rewritten (call again for more).
     */
    public static boolean rewrite(MVStore store, int targetFillRate, int writeLimit) throws InterruptedException {
        FileStore<?> files = store.getFileStore();
        if (files == null || store.isClosed() || files.getChunksFillRate() >= targetFillRate) return false;
        int belowAverage = files.getRewritableChunksFillRate();
        Boolean rewritten = store.tryExecuteUnderStoreLock(() -> files.rewriteChunks(writeLimit, belowAverage));
        return rewritten != null && rewritten;
    }

    /** The file's and the chunks' fill rates, for benchmarks: "file 41 %, chunks 63 %, rewritable 55 %". */
    public static String fillRates(MVStore store) {
        FileStore<?> files = store.getFileStore();
        if (files == null || store.isClosed()) return "closed";
        return "file " + files.getFillRate() + " %, chunks " + files.getChunksFillRate() + " %, rewritable "
                + files.getRewritableChunksFillRate() + " %";
    }
}
