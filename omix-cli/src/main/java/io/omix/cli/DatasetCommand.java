package io.omix.cli;

import io.omix.sdk.BatchCreation;
import io.omix.sdk.BatchQuery;
import io.omix.sdk.ClientBuilder;
import io.omix.sdk.ColumnType;
import io.omix.sdk.DatasetsApi;
import io.omix.sdk.Model;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** {@code omix dataset ...}: the dataset batches API with an API key. */
@Command(name = "dataset", mixinStandardHelpOptions = true, description = "Datasets and their batches, with an API key.",
        subcommands = {DatasetCommand.ListDatasets.class, DatasetCommand.Get.class, DatasetCommand.Upload.class, DatasetCommand.Data.class,
                DatasetCommand.Batches.class, DatasetCommand.Append.class, DatasetCommand.Suspend.class, DatasetCommand.Restore.class,
                DatasetCommand.DeleteBatches.class, DatasetCommand.Job.class})
final class DatasetCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Which server, which key and which project; defaults from OMIX_* environment variables. */
    static final class KeyOptions {
        @Option(names = "--endpoint", defaultValue = "${env:OMIX_ENDPOINT:-" + ClientBuilder.DEFAULT_ENDPOINT + "}",
                description = "Server address (default: $OMIX_ENDPOINT, else ${DEFAULT-VALUE}).")
        String endpoint;

        @Option(names = "--api-key", defaultValue = "${env:OMIX_API_KEY}", description = "API key (default: $OMIX_API_KEY).")
        String apiKey;

        @Option(names = "--api-secret", defaultValue = "${env:OMIX_API_SECRET}", description = "API secret (default: $OMIX_API_SECRET).")
        String apiSecret;

        @Option(names = "--workspace", defaultValue = "${env:OMIX_WORKSPACE_ID:-0}", description = "Workspace id (default: $OMIX_WORKSPACE_ID).")
        long workspace;

        @Option(names = "--project", defaultValue = "${env:OMIX_PROJECT_ID:-0}", description = "Project id (default: $OMIX_PROJECT_ID).")
        long project;

        DatasetsApi api(boolean needsProject) {
            if (apiKey == null || apiKey.isBlank() || apiSecret == null || apiSecret.isBlank()) {
                throw new IllegalArgumentException("--api-key and --api-secret (or OMIX_API_KEY / OMIX_API_SECRET) are required");
            }
            if (needsProject && (workspace <= 0 || project <= 0)) {
                throw new IllegalArgumentException("--workspace and --project (or OMIX_WORKSPACE_ID / OMIX_PROJECT_ID) are required");
            }
            return DatasetsApi.builder(apiKey, apiSecret).serverUrl(endpoint).build();
        }
    }

    abstract static class Sub implements Runnable {
        @Mixin KeyOptions key;
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        @Override
        public void run() {
            try (DatasetsApi api = key.api(needsProject())) {
                run(api, key.workspace, key.project);
            }
        }

        boolean needsProject() {
            return true;
        }

        abstract void run(DatasetsApi api, long w, long p);
    }

    /** Sub-commands that start a job: print it, or with --wait the finished job. */
    abstract static class JobSub extends Sub {
        @Option(names = "--wait", description = "Wait for the job to finish (up to --timeout seconds).") boolean wait;
        @Option(names = "--timeout", defaultValue = "600") long timeout;

        void printJob(DatasetsApi api, Model objectJob) {
            AdminCommand.print(out(), (wait && objectJob.getLong("job_id") != null
                    ? api.jobs().waitFor(objectJob, Duration.ofSeconds(timeout)) : objectJob).json());
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "The project's datasets.")
    static final class ListDatasets extends Sub {
        @Option(names = "--fields", description = "Fields to show, or __min / __standard / __full.") String fields;

        @Override
        void run(DatasetsApi api, long w, long p) {
            AdminCommand.print(out(), api.datasets().list(w, p, fields == null ? java.util.Map.of() : java.util.Map.of("fields", fields)).json());
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "One dataset.")
    static final class Get extends Sub {
        @Parameters(paramLabel = "DATASET_ID") long dataset;
        @Option(names = "--fields", description = "Fields to show, or __min / __standard / __full.") String fields;

        @Override
        void run(DatasetsApi api, long w, long p) {
            AdminCommand.print(out(), api.datasets().get(w, p, dataset, fields).json());
        }
    }

    @Command(name = "upload", mixinStandardHelpOptions = true, description = "Create a dataset from a CSV file (header row first; types inferred).")
    static final class Upload extends Sub {
        @Parameters(index = "0", paramLabel = "NAME") String name;
        @Parameters(index = "1", paramLabel = "FILE") Path file;

        @Override
        void run(DatasetsApi api, long w, long p) {
            if (!Files.isRegularFile(file)) throw new IllegalArgumentException("no file " + file);
            AdminCommand.print(out(), api.datasets().upload(w, p, name, file).json());
        }
    }

    @Command(name = "data", mixinStandardHelpOptions = true, description = "Print a dataset's rows as JSON lines (all of them unless --limit).")
    static final class Data extends Sub {
        @Parameters(paramLabel = "DATASET_ID") long dataset;
        @Option(names = "--columns", split = ",", description = "Column ids or names (default: all).") List<String> columns;
        @Option(names = "--limit", description = "At most this many rows.") Long limit;

        @Override
        void run(DatasetsApi api, long w, long p) {
            long printed = 0;
            for (Model row : api.datasets().rows(w, p, dataset, columns)) {
                if (limit != null && printed >= limit) break;
                out().println(row.dumps(0));
                printed++;
            }
            out().flush();
        }
    }

    @Command(name = "batches", mixinStandardHelpOptions = true, description = "A dataset's batches.")
    static final class Batches extends Sub {
        @Parameters(paramLabel = "DATASET_ID") long dataset;
        @Option(names = "--fields", split = ",", description = "Fields, or __min / __standard / __full.") List<String> fields;
        @Option(names = "--status", split = ",", description = "Only these states (active, suspended).") List<String> statuses;
        @Option(names = "--sort-desc", description = "Sort by this field, descending (default: id ascending).") String sortDesc;

        @Override
        void run(DatasetsApi api, long w, long p) {
            BatchQuery.Builder q = BatchQuery.builder();
            if (fields != null) q.fields(fields.toArray(String[]::new));
            if (statuses != null) q.statuses(statuses.toArray(String[]::new));
            if (sortDesc != null) q.sortDescending(sortDesc);
            for (Model batch : api.batches().all(w, p, dataset, q.build())) AdminCommand.print(out(), batch.json());
        }
    }

    @Command(name = "append", mixinStandardHelpOptions = true,
            description = "Append another dataset's rows as a new batch: --map SOURCE=DESTINATION:TYPE per column (TYPE text, numeric or date).")
    static final class Append extends JobSub {
        @Parameters(paramLabel = "DATASET_ID") long dataset;
        @Option(names = "--source", required = true, description = "The dataset whose rows are appended.") long source;
        @Option(names = "--map", required = true, description = "Column mapping SOURCE=DESTINATION:TYPE (column ids, or names with --by-name).")
        List<String> mappings;
        @Option(names = "--by-name", description = "--map names columns by name rather than id.") boolean byName;
        @Option(names = "--validate-only", description = "Only check the mapping and the values.") boolean validateOnly;
        @Option(names = "--delete-source", description = "Delete the source dataset once copied.") boolean deleteSource;
        @Option(names = "--new-dataset", description = "Write the batch into a new dataset of this name.") String newDataset;

        @Override
        void run(DatasetsApi api, long w, long p) {
            BatchCreation.Builder b = BatchCreation.from(source).validateOnly(validateOnly).deleteSourceDs(deleteSource).newDatasetName(newDataset);
            for (String m : mappings) {
                int eq = m.indexOf('=');
                int colon = m.lastIndexOf(':');
                if (eq <= 0 || colon <= eq + 1 || colon == m.length() - 1) {
                    throw new IllegalArgumentException("--map " + m + ": expected SOURCE=DESTINATION:TYPE");
                }
                ColumnType type;
                try {
                    type = ColumnType.valueOf(m.substring(colon + 1).toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--map " + m + ": the type is text, numeric or date");
                }
                if (byName) b.mapByName(m.substring(0, eq), m.substring(eq + 1, colon), type);
                else b.map(m.substring(0, eq), m.substring(eq + 1, colon), type);
            }
            printJob(api, api.batches().create(w, p, dataset, b.build()));
        }
    }

    @Command(name = "suspend", mixinStandardHelpOptions = true, description = "Suspend batches: their rows leave the dataset's data.")
    static final class Suspend extends JobSub {
        @Parameters(index = "0", paramLabel = "DATASET_ID") long dataset;
        @Parameters(index = "1..*", paramLabel = "BATCH_ID") List<Long> batches;

        @Override
        void run(DatasetsApi api, long w, long p) {
            printJob(api, api.batches().update(w, p, dataset, batches, List.of()));
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true, description = "Restore suspended batches.")
    static final class Restore extends JobSub {
        @Parameters(index = "0", paramLabel = "DATASET_ID") long dataset;
        @Parameters(index = "1..*", paramLabel = "BATCH_ID") List<Long> batches;

        @Override
        void run(DatasetsApi api, long w, long p) {
            printJob(api, api.batches().update(w, p, dataset, List.of(), batches));
        }
    }

    @Command(name = "delete-batches", mixinStandardHelpOptions = true, description = "Delete batches and their rows.")
    static final class DeleteBatches extends JobSub {
        @Parameters(index = "0", paramLabel = "DATASET_ID") long dataset;
        @Parameters(index = "1..*", paramLabel = "BATCH_ID") List<Long> batches;

        @Override
        void run(DatasetsApi api, long w, long p) {
            printJob(api, api.batches().remove(w, p, dataset, batches));
        }
    }

    @Command(name = "job", mixinStandardHelpOptions = true, description = "Show a job (with --wait, once finished).")
    static final class Job extends Sub {
        @Parameters(paramLabel = "JOB_ID") long jobId;
        @Option(names = "--wait", description = "Wait for it to finish.") boolean wait;
        @Option(names = "--timeout", defaultValue = "600") long timeout;

        /** A job belongs to the key, not to a project. */
        @Override
        boolean needsProject() {
            return false;
        }

        @Override
        void run(DatasetsApi api, long w, long p) {
            AdminCommand.print(out(), (wait ? api.jobs().waitFor(jobId, Duration.ofSeconds(timeout)) : api.jobs().get(jobId).getModel("job")).json());
        }
    }
}
