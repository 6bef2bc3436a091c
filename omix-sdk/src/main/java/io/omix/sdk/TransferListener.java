package io.omix.sdk;

/**
 * Progress of an upload or download: called from the transferring threads (keep it quick) with the
 * bytes done so far and the total (-1 when unknown). Bytes of parts the server already held count
 * as done at once.
 */
@FunctionalInterface
public interface TransferListener {
    /** A listener that ignores progress: the default of every transfer. */
    TransferListener NONE = (done, total) -> {};

    /**
     * Reports progress; may be called from several threads at once during a multipart upload.
     *
     * @param bytesDone  bytes transferred so far; it may go back when a part is sent again
     * @param totalBytes the size of the whole transfer, or -1 when unknown
     */
    void progress(long bytesDone, long totalBytes);
}
