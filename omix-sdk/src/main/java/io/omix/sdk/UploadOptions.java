package io.omix.sdk;

/**
 * How {@code Api.upload} sends files: one request below {@code multipartThreshold}, otherwise parts
 * of {@code partSize} bytes sent by {@code threads} threads (defaults as on the original client:
 * 100 MiB, 50 MiB, 4). Memory stays a few buffers whatever the file size: parts are read from disk
 * as they are sent. An interrupted multipart upload resumes when the same file is uploaded again
 * to the same name with the same credentials: parts the server already holds are not sent again.
 */
public final class UploadOptions {
    public static final long MIB = 1024L * 1024;

    private final long multipartThreshold;
    private final long partSize;
    private final int threads;
    private final TransferListener listener;
    private final Model credentials;

    private UploadOptions(Builder b) {
        if (b.partSize < 1024) throw new IllegalArgumentException("partSize must be at least 1 KiB");
        if (b.threads < 1 || b.threads > 64) throw new IllegalArgumentException("threads must be 1..64");
        if (b.multipartThreshold < 0) throw new IllegalArgumentException("multipartThreshold must be >= 0");
        this.multipartThreshold = b.multipartThreshold;
        this.partSize = b.partSize;
        this.threads = b.threads;
        this.listener = b.listener;
        this.credentials = b.credentials;
    }

    public static UploadOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public long multipartThreshold() {
        return multipartThreshold;
    }

    public long partSize() {
        return partSize;
    }

    public int threads() {
        return threads;
    }

    public TransferListener listener() {
        return listener;
    }

    /** Upload credentials to use instead of fresh ones, or null. */
    public Model credentials() {
        return credentials;
    }

    public static final class Builder {
        private long multipartThreshold = 100 * MIB;
        private long partSize = 50 * MIB;
        private int threads = 4;
        private TransferListener listener = TransferListener.NONE;
        private Model credentials;

        private Builder() {}

        /**
         * Uses these credentials ({@code getUploadToken()}'s answer) rather than the client's own: an
         * upload begun by another process with the same credentials resumes where it stopped.
         */
        public Builder credentials(Model uploadToken) {
            this.credentials = uploadToken;
            return this;
        }

        /** Files of at least this many bytes go in parts. */
        public Builder multipartThreshold(long bytes) {
            this.multipartThreshold = bytes;
            return this;
        }

        public Builder partSize(long bytes) {
            this.partSize = bytes;
            return this;
        }

        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        public Builder listener(TransferListener listener) {
            this.listener = listener == null ? TransferListener.NONE : listener;
            return this;
        }

        public UploadOptions build() {
            return new UploadOptions(this);
        }
    }
}
