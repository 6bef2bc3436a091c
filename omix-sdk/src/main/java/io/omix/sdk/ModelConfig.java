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

    /**
     * The open platform's defaults: handler {@code index.handler}, runtime {@code python3}, 128 MB, 900 s, no scopes.
     *
     * @return the default configuration
     */
    public static ModelConfig defaults() {
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
     * Adds the configuration to a deploy request as form fields ({@code handler}, {@code runtime},
     * {@code memory_size}, {@code timeout}, {@code cpu}, {@code comment}, {@code scopes}); unset ones are left out.
     *
     * @param request the {@code POST /model/deploy} request
     * @return {@code request}
     */
    ApiRequest apply(ApiRequest request) {
        return request.form("handler", handler).form("runtime", runtime).form("memory_size", memorySize).form("timeout", timeout)
                .form("cpu", cpu).form("comment", comment).form("scopes", scopes.isEmpty() ? null : String.join(" ", scopes));
    }

    /** Collects a {@link ModelConfig}, starting from the defaults. */
    public static final class Builder {
        private String handler = "index.handler";
        private String runtime = "python3";
        private int memorySize = 128;
        private int timeout = 900;
        private String cpu;
        private String comment;
        private final java.util.List<String> scopes = new java.util.ArrayList<>();

        private Builder() {}

        /**
         * The function each invocation calls with (event, context).
         *
         * @param handler {@code module.function} for {@code python3} (the module's file must be in the package),
         *                {@code package.Class.method} for {@code java}
         * @return this builder
         */
        public Builder handler(String handler) {
            this.handler = handler;
            return this;
        }

        /**
         * What runs the model; another runtime is refused (code 41216).
         *
         * @param runtime {@code python3} (the default) or {@code java}
         * @return this builder
         */
        public Builder runtime(String runtime) {
            this.runtime = runtime;
            return this;
        }

        /**
         * The memory limit of one invocation; a model that needs more is stopped (code 41213).
         *
         * @param mb megabytes, 64 to 3072 (default 128)
         * @return this builder
         */
        public Builder memorySize(int mb) {
            this.memorySize = mb;
            return this;
        }

        /**
         * The wall-clock and CPU-time limit of one invocation; a model that runs longer is stopped (code 41212).
         *
         * @param seconds 1 to 900 (default 900)
         * @return this builder
         */
        public Builder timeout(int seconds) {
            this.timeout = seconds;
            return this;
        }

        /**
         * The CPU the model asks for, recorded with its configuration.
         *
         * @param cpu at most 10 characters, or null to send none
         * @return this builder
         */
        public Builder cpu(String cpu) {
            this.cpu = cpu;
            return this;
        }

        /**
         * A note on this deployment, shown with its version in {@code getModelVersions}.
         *
         * @param comment the text, or null to send none
         * @return this builder
         */
        public Builder comment(String comment) {
            this.comment = comment;
            return this;
        }

        /**
         * What the model's invocation token may do, for models that call the API: scope ids such as
         * {@code "variants"} (reads) or {@code "streams:write"} (writes), each limited further to what the
         * invoking caller holds. Declaring none gives the model read access within the caller's scopes.
         *
         * @param scopes scope ids, added to those given before
         * @return this builder
         */
        public Builder scopes(String... scopes) {
            this.scopes.addAll(java.util.List.of(scopes));
            return this;
        }

        /**
         * The configuration, ready for {@code deployModel}.
         *
         * @return the configuration; later changes to this builder do not affect it
         */
        public ModelConfig build() {
            return new ModelConfig(this);
        }
    }
}
