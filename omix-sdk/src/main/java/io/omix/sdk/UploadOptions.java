package io.omix.sdk;

/**
 * How {@code Api.upload} sends files: one request below {@code multipartThreshold}, otherwise parts
 * of {@code partSize} bytes sent by {@code threads} threads (defaults as on the original client:
 * 100 MiB, 50 MiB, 4). Memory stays a few buffers whatever the file size: parts are read from disk
 * as they are sent. An interrupted multipart upload resumes when the same file is uploaded again
 * to the same name with the same credentials: parts the server already holds are not sent again.
 */
public final class UploadOptions {
    /** One mebibyte, 1,048,576 bytes: {@code partSize(8 * UploadOptions.MIB)}. */
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

    /**
     * The original client's settings: parts from 100 MiB on, 50 MiB each, 4 threads, no listener, the client's own credentials.
     *
     * @return the default options
     */
    public static UploadOptions defaults() {
        return builder().build();
    }

    /**
     * Starts from the defaults; change the parts you need.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The size from which a file goes in parts.
     *
     * @return bytes; a file at least this large is sent in parts
     */
    public long multipartThreshold() {
        return multipartThreshold;
    }

    /**
     * The size of each part of a multipart upload (the last part holds the rest).
     *
     * @return bytes, at least 1024
     */
    public long partSize() {
        return partSize;
    }

    /**
     * How many parts are sent at once.
     *
     * @return 1 to 64
     */
    public int threads() {
        return threads;
    }

    /**
     * Who hears of the upload's progress.
     *
     * @return the listener; {@link TransferListener#NONE} when none was given
     */
    public TransferListener listener() {
        return listener;
    }

    /**
     * Upload credentials to use instead of the client's own.
     *
     * @return a {@code getUploadToken()} answer, or null for the client's own
     */
    public Model credentials() {
        return credentials;
    }

    /** Collects {@link UploadOptions}, starting from the defaults; {@link #build()} checks them. */
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
         *
         * @param uploadToken a {@code getUploadToken()} answer, with its {@code credentials}, {@code destination}
         *                    and {@code endpoint}; null for the client's own
         * @return this builder
         */
        public Builder credentials(Model uploadToken) {
            this.credentials = uploadToken;
            return this;
        }

        /**
         * Sends files of at least this many bytes in parts; smaller ones go in one request.
         *
         * @param bytes 0 or more (0: always in parts); default 100 MiB
         * @return this builder
         */
        public Builder multipartThreshold(long bytes) {
            this.multipartThreshold = bytes;
            return this;
        }

        /**
         * The size of each part; an upload has at most 10,000 parts, so large files need large parts.
         *
         * @param bytes at least 1024; default 50 MiB
         * @return this builder
         */
        public Builder partSize(long bytes) {
            this.partSize = bytes;
            return this;
        }

        /**
         * How many parts are sent at once, each read from disk as it is sent.
         *
         * @param threads 1 to 64; default 4
         * @return this builder
         */
        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        /**
         * Who hears of the upload's progress.
         *
         * @param listener called from the sending threads; null for none
         * @return this builder
         */
        public Builder listener(TransferListener listener) {
            this.listener = listener == null ? TransferListener.NONE : listener;
            return this;
        }

        /**
         * The options, ready for {@code upload}, {@code batchUpload} or {@code uploadDir}.
         *
         * @return the options
         * @throws IllegalArgumentException when the part size is below 1 KiB, the threads are not 1 to 64
         *                                  or the threshold is negative
         */
        public UploadOptions build() {
            return new UploadOptions(this);
        }
    }
}
