package io.omix.sdk;

/**
 * Progress of an upload or download: called from the transferring threads (keep it quick) with the
 * bytes done so far and the total (-1 when unknown). Bytes of parts the server already held count
 * as done at once.
 */
@FunctionalInterface
public interface TransferListener {
    TransferListener NONE = (done, total) -> {};

    void progress(long bytesDone, long totalBytes);
}
