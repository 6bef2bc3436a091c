package io.omix.sdk;

import io.omix.sdk.internal.ApiRequest;

/**
 * A model's configuration for {@code deployModel} (the open platform's keyword arguments and their defaults):
 * handler {@code index.handler}, runtime {@code python3}, memory 128 MB, timeout 900 s. Rolling back
 * restores a source version, not this configuration (but each version keeps the scopes it declared).
 */
public final class ModelConfig {
    private final String handler;
    private final String runtime;
    private final int memorySize;
    private final int timeout;
    private final String cpu;
    private final String comment;
    private final java.util.List<String> scopes;

    private ModelConfig(Builder b) {
        this.handler = b.handler;
        this.runtime = b.runtime;
        this.memorySize = b.memorySize;
        this.timeout = b.timeout;
        this.cpu = b.cpu;
        this.comment = b.comment;
        this.scopes = java.util.List.copyOf(b.scopes);
    }

    public static ModelConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    ApiRequest apply(ApiRequest request) {
        return request.form("handler", handler).form("runtime", runtime).form("memory_size", memorySize).form("timeout", timeout)
                .form("cpu", cpu).form("comment", comment).form("scopes", scopes.isEmpty() ? null : String.join(" ", scopes));
    }

    public static final class Builder {
        private String handler = "index.handler";
        private String runtime = "python3";
        private int memorySize = 128;
        private int timeout = 900;
        private String cpu;
        private String comment;
        private final java.util.List<String> scopes = new java.util.ArrayList<>();

        private Builder() {}

        /** {@code module.function} called with (event, context). */
        public Builder handler(String handler) {
            this.handler = handler;
            return this;
        }

        public Builder runtime(String runtime) {
            this.runtime = runtime;
            return this;
        }

        /** Memory limit in MB (64 to 3072). */
        public Builder memorySize(int mb) {
            this.memorySize = mb;
            return this;
        }

        /** Wall-clock and CPU-time limit of one invocation, in seconds (1 to 900). */
        public Builder timeout(int seconds) {
            this.timeout = seconds;
            return this;
        }

        public Builder cpu(String cpu) {
            this.cpu = cpu;
            return this;
        }

        public Builder comment(String comment) {
            this.comment = comment;
            return this;
        }

        /**
         * What the model's invocation token may do, for models that call the API: scope ids such as
         * {@code "variants"} (reads) or {@code "streams:write"} (writes), each limited further to what the
         * invoking caller holds. Declaring none gives the model read access within the caller's scopes.
         */
        public Builder scopes(String... scopes) {
            this.scopes.addAll(java.util.List.of(scopes));
            return this;
        }

        public ModelConfig build() {
            return new ModelConfig(this);
        }
    }
}
