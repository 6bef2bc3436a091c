package io.omix.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.omix.sdk.ClientBuilder;
import io.omix.sdk.Model;
import io.omix.sdk.PrivateApi;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code omix batch ...}: the private platform's batches as an app. */
@Command(name = "batch", mixinStandardHelpOptions = true, description = "Private batches of data items, as a private app.",
        subcommands = {BatchCommand.Register.class, BatchCommand.Retrieve.class, BatchCommand.Import.class, BatchCommand.Commit.class,
                BatchCommand.Items.class, BatchCommand.Task.class})
final class BatchCommand implements Runnable {
    private static final ObjectMapper JSON = new ObjectMapper();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Which server and which app; defaults from OMIX_* environment variables. */
    static final class AppOptions {
        @Option(names = "--endpoint", defaultValue = "${env:OMIX_ENDPOINT:-" + ClientBuilder.DEFAULT_ENDPOINT + "}",
                description = "Server address (default: $OMIX_ENDPOINT, else ${DEFAULT-VALUE}).")
        String endpoint;

        @Option(names = "--app-key", defaultValue = "${env:OMIX_APP_KEY}", description = "App key (default: $OMIX_APP_KEY).")
        String appKey;

        @Option(names = "--app-secret", defaultValue = "${env:OMIX_APP_SECRET}", description = "App secret (default: $OMIX_APP_SECRET).")
        String appSecret;

        PrivateApi api() {
            if (appKey == null || appKey.isBlank() || appSecret == null || appSecret.isBlank()) {
                throw new IllegalArgumentException("--app-key and --app-secret (or OMIX_APP_KEY / OMIX_APP_SECRET) are required");
            }
            return PrivateApi.builder(appKey, appSecret).endpoint(endpoint).build();
        }
    }

    abstract static class Sub {
        @Mixin AppOptions app;
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }
    }

    @Command(name = "register", mixinStandardHelpOptions = true, description = "Open a batch; prints {batch_no}.")
    static final class Register extends Sub implements Runnable {
        @Option(names = "--title", required = true) String title;
        @Option(names = "--intro", defaultValue = "") String intro;

        @Override
        public void run() {
            try (PrivateApi api = app.api()) {
                AdminCommand.print(out(), api.registerBatch(title, intro).json());
            }
        }
    }

    @Command(name = "retrieve", mixinStandardHelpOptions = true, description = "Show a batch.")
    static final class Retrieve extends Sub implements Runnable {
        @Parameters(paramLabel = "BATCH_NO") long batchNo;

        @Override
        public void run() {
            try (PrivateApi api = app.api()) {
                AdminCommand.print(out(), api.retrieveBatch(batchNo).json());
            }
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = "Import data items from a JSON-lines file ({\"data_element_id\": ..., \"attributes\": {...}} per line), 100 a call.")
    static final class Import extends Sub implements Runnable {
        @Parameters(index = "0", paramLabel = "BATCH_NO") long batchNo;
        @Parameters(index = "1", paramLabel = "FILE") Path file;
        @Option(names = "--biosample-id", description = "The sample the items describe.") String biosampleId;

        @Override
        public void run() {
            ProgressBar bar = new ProgressBar(spec.commandLine().getErr(), "import", sizeOf(file));
            long items = 0;
            try (PrivateApi api = app.api(); InputStream in = bar.track(Files.newInputStream(file));
                 BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                List<Map<String, Object>> chunk = new ArrayList<>(100);
                int lineNumber = 0;
                for (String line; (line = lines.readLine()) != null; ) {
                    lineNumber++;
                    if (line.isBlank()) continue;
                    JsonNode item;
                    try {
                        item = JSON.readTree(line);
                    } catch (Exception e) {
                        throw new IllegalArgumentException(file + " line " + lineNumber + " is not JSON: " + e.getMessage());
                    }
                    @SuppressWarnings("unchecked")
                    Map<String, Object> map = JSON.convertValue(item, Map.class);
                    chunk.add(map);
                    if (chunk.size() == 100) {
                        api.importBatch(batchNo, chunk, biosampleId);
                        items += chunk.size();
                        chunk.clear();
                    }
                }
                if (!chunk.isEmpty()) {
                    api.importBatch(batchNo, chunk, biosampleId);
                    items += chunk.size();
                }
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
            } finally {
                bar.finish();
            }
            AdminCommand.print(out(), Map.of("batch_no", batchNo, "imported", items));
        }

        private static long sizeOf(Path file) {
            try {
                return Files.size(file);
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
            }
        }
    }

    @Command(name = "commit", mixinStandardHelpOptions = true, description = "Commit a batch: prints its task (with --wait, once finished).")
    static final class Commit extends Sub implements Runnable {
        @Parameters(paramLabel = "BATCH_NO") long batchNo;
        @Option(names = "--wait", description = "Wait for the task to finish (up to --timeout seconds).") boolean wait;
        @Option(names = "--timeout", defaultValue = "600") long timeout;

        @Override
        public void run() {
            try (PrivateApi api = app.api()) {
                Model task = api.commitBatch(batchNo);
                AdminCommand.print(out(), (wait ? api.waitFor(task, Duration.ofSeconds(timeout)) : task).json());
            }
        }
    }

    @Command(name = "items", mixinStandardHelpOptions = true, description = "Print committed data items as JSON lines (get_data_items).")
    static final class Items extends Sub implements Runnable {
        @Option(names = "--biosample-id") String biosampleId;
        @Option(names = "--batch-no", description = "Only this batch (collection_id).") Long batchNo;
        @Option(names = "--data-element-ids", split = ",") List<String> elements;

        @Override
        public void run() {
            try (PrivateApi api = app.api()) {
                for (Model item : api.dataItems(biosampleId, batchNo, elements)) AdminCommand.print(out(), item.json());
            }
        }
    }

    @Command(name = "task", mixinStandardHelpOptions = true, description = "Show one of the app's tasks.")
    static final class Task extends Sub implements Runnable {
        @Parameters(paramLabel = "TASK_ID") String taskId;
        @Option(names = "--wait", description = "Wait for it to finish.") boolean wait;

        @Override
        public void run() {
            try (PrivateApi api = app.api()) {
                Model task = api.task(taskId);
                AdminCommand.print(out(), (wait ? api.waitFor(task, Duration.ofMinutes(10)) : task).json());
            }
        }
    }
}
