package io.omix.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.omix.sdk.Api;
import io.omix.sdk.Model;
import io.omix.sdk.ModelConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** {@code omix model ...}: write, try, deploy, publish, roll back and invoke interpretation models. */
@Command(name = "model", mixinStandardHelpOptions = true, description = "Interpretation models: init, run (locally), deploy, publish, rollback, versions, invoke.",
        subcommands = {ModelCommand.Init.class, ModelCommand.Run.class, ModelCommand.Deploy.class, ModelCommand.Publish.class,
                ModelCommand.Rollback.class, ModelCommand.Versions.class, ModelCommand.Invoke.class})
final class ModelCommand implements Runnable {
    private static final ObjectMapper JSON = new ObjectMapper();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    abstract static class Sub implements Runnable {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        void print(Object value) {
            AdminCommand.print(spec.commandLine().getOut(), value);
        }
    }

    abstract static class Remote extends Sub {
        @Mixin FileCommands.TokenOptions options;
    }

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = "Write a working example model (index.py reading the caller's variants, model.json) into DIR.")
    static final class Init extends Sub {
        @Parameters(paramLabel = "DIR") Path dir;

        @Override
        public void run() {
            try {
                Files.createDirectories(dir);
                for (String name : List.of("index.py", "model.json")) {
                    Path target = dir.resolve(name);
                    if (Files.exists(target)) throw new IllegalArgumentException(target + " exists already");
                    try (InputStream in = ModelCommand.class.getResourceAsStream("model-template/" + name)) {
                        Files.copy(in, target);
                    }
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot write into " + dir + ": " + e.getMessage());
            }
            print(Map.of("model_dir", dir.toString(), "files", List.of("index.py", "model.json"),
                    "next", "omix model run " + dir + " --param biosample_id=E-... ; omix model deploy " + dir + " --model-id MyModel1 --wait"));
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Run a model directory's handler here, with python3 and the event the platform would send (no sandbox).")
    static final class Run extends Sub {
        @Parameters(paramLabel = "DIR") Path dir;
        @Option(names = "--param", description = "A parameter NAME=VALUE (repeatable).") Map<String, String> params = new LinkedHashMap<>();
        @Option(names = "--endpoint", defaultValue = "${env:OMIX_ENDPOINT:-http://127.0.0.1:8080}") String endpoint;
        @Option(names = "--token", defaultValue = "${env:OMIX_ACCESS_TOKEN:-}", description = "The access token the model gets.") String token;
        @Option(names = "--timeout", defaultValue = "60") int timeout;

        @Override
        public void run() {
            String handler = config(dir).path("handler").asText("index.handler");
            Map<String, Object> event = new LinkedHashMap<>();
            event.put("access_token", token);
            event.put("params", params);
            event.put("api_endpoint", endpoint);
            String runner = "import json, sys, importlib\n"
                    + "sys.path.insert(0, sys.argv[1])\n"
                    + "module, function = sys.argv[2].rsplit('.', 1)\n"
                    + "out = sys.stdout\nsys.stdout = sys.stderr\n"
                    + "result = getattr(importlib.import_module(module), function)(sys.stdin.read(), None)\n"
                    + "out.write(result if isinstance(result, str) else json.dumps(result))\n";
            try {
                Process p = new ProcessBuilder("python3", "-c", runner, dir.toAbsolutePath().toString(), handler)
                        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
                try (OutputStream in = p.getOutputStream()) {
                    in.write(JSON.writeValueAsBytes(event));
                }
                byte[] out = p.getInputStream().readAllBytes();
                if (!p.waitFor(timeout, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException("the model ran longer than " + timeout + " s");
                }
                if (p.exitValue() != 0) throw new IllegalStateException("the model failed (exit " + p.exitValue() + "); its error output is above");
                print(JSON.readTree(out));
            } catch (IOException e) {
                throw new IllegalStateException("cannot run python3: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The scopes model.json declares ({@code "scopes": ["variants", "streams:write"]}). */
    static String[] scopes(JsonNode config) {
        java.util.List<String> out = new java.util.ArrayList<>();
        config.path("scopes").forEach(s -> out.add(s.asText()));
        return out.toArray(new String[0]);
    }

    static JsonNode config(Path dir) {
        Path file = dir.resolve("model.json");
        if (!Files.exists(file)) return JSON.createObjectNode();
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + " is not JSON: " + e.getMessage());
        }
    }

    @Command(name = "deploy", mixinStandardHelpOptions = true,
            description = "Zip a model directory (or take a zip), upload it and deploy it as a new draft version.")
    static final class Deploy extends Remote {
        @Parameters(paramLabel = "DIR_OR_ZIP") Path source;
        @Option(names = "--model-id", required = true) String modelId;
        @Option(names = "--handler") String handler;
        @Option(names = "--memory-size") Integer memory;
        @Option(names = "--timeout") Integer timeout;
        @Option(names = "--comment") String comment;
        @Option(names = "--wait", description = "Wait for the deployment and print its version.") boolean wait;

        @Override
        public void run() {
            JsonNode c = Files.isDirectory(source) ? config(source) : JSON.createObjectNode();
            ModelConfig config = ModelConfig.builder()
                    .handler(handler != null ? handler : c.path("handler").asText("index.handler"))
                    .runtime(c.path("runtime").asText("python3"))
                    .memorySize(memory != null ? memory : c.path("memory_size").asInt(128))
                    .timeout(timeout != null ? timeout : c.path("timeout").asInt(900))
                    .comment(comment != null ? comment : c.path("comment").asText(null))
                    .scopes(scopes(c)).build();
            Path zip = Files.isDirectory(source) ? zipDirectory(source) : source;
            try (Api api = options.api()) {
                print(wait ? api.deployModel(modelId, zip, config, Duration.ofMinutes(10)).json() : api.deployModel(modelId, zip, config).json());
            } finally {
                if (!zip.equals(source)) zip.toFile().delete();
            }
        }

        private static Path zipDirectory(Path dir) {
            try {
                Path zip = Files.createTempFile("omix-model-", ".zip");
                try (OutputStream out = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(out); Stream<Path> files = Files.walk(dir)) {
                    for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                        String name = dir.relativize(f).toString().replace('\\', '/');
                        if (name.contains("__pycache__")) continue;
                        z.putNextEntry(new ZipEntry(name));
                        Files.copy(f, z);
                        z.closeEntry();
                    }
                }
                return zip;
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot zip " + dir + ": " + e.getMessage());
            }
        }
    }

    @Command(name = "publish", mixinStandardHelpOptions = true, description = "Make the draft the stable version.")
    static final class Publish extends Remote {
        @Option(names = "--model-id", required = true) String modelId;
        @Option(names = {"-m", "--message"}, defaultValue = "") String message;

        @Override
        public void run() {
            try (Api api = options.api()) {
                print(api.publishModel(modelId, message).json());
            }
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true, description = "Make an earlier source version stable again.")
    static final class Rollback extends Remote {
        @Option(names = "--model-id", required = true) String modelId;
        @Option(names = "--version", required = true) int version;

        @Override
        public void run() {
            try (Api api = options.api()) {
                print(api.rollbackModel(modelId, version).json());
            }
        }
    }

    @Command(name = "versions", mixinStandardHelpOptions = true, description = "A model's versions, newest first.")
    static final class Versions extends Remote {
        @Option(names = "--model-id", required = true) String modelId;

        @Override
        public void run() {
            try (Api api = options.api()) {
                for (Model v : api.modelVersions(modelId)) print(v.json());
            }
        }
    }

    @Command(name = "invoke", mixinStandardHelpOptions = true, description = "Invoke a model (its stable version, or --draft).")
    static final class Invoke extends Remote {
        @Option(names = "--model-id", required = true) String modelId;
        @Option(names = "--param", description = "A parameter NAME=VALUE (repeatable).") Map<String, String> params = new LinkedHashMap<>();
        @Option(names = "--draft", description = "Invoke the newest deployed version (owner only).") boolean draft;

        @Override
        public void run() {
            try (Api api = options.api()) {
                print((draft ? api.invokeDraftModel(modelId, params) : api.invokeModel(modelId, params)).json());
            }
        }
    }
}
