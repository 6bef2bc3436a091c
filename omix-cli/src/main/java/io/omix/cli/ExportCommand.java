package io.omix.cli;

import io.omix.sdk.Api;
import io.omix.sdk.Model;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * {@code omix export}: all the signed-in person's data in one archive (their right of access): the
 * server builds it as a task, then it is downloaded and checked. Needs a token with the grants scope,
 * like {@code omix grants}. {@code omix admin import-archive} puts an archive back on a server.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Download all your data as one archive: samples (JSON), variant calls (VCF), microbiome profiles (TSV),",
                "stream records (FHIR Observations, NDJSON), your files, grants and audit entries, with a manifest of checksums."})
final class ExportCommand implements Runnable {
    @Mixin FileCommands.TokenOptions options;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Option(names = {"-o", "--output"}, defaultValue = "omix-export.zip", description = "Where to write the archive (default: ${DEFAULT-VALUE}).") Path output;
    @Option(names = "--timeout-minutes", defaultValue = "60", description = "How long to wait for the archive to be built (default: ${DEFAULT-VALUE}).") long minutes;

    @Override
    public void run() {
        spec.commandLine().getErr().println("building your archive on the server...");
        spec.commandLine().getErr().flush();
        try (Api api = options.api()) {
            ProgressBar[] bar = {null};
            Model task;
            try {
                task = api.exportData(output, Duration.ofMinutes(minutes), (done, total) -> {
                    if (bar[0] == null) bar[0] = new ProgressBar(spec.commandLine().getErr(), output.getFileName().toString(), total);
                    bar[0].update(done);
                });
            } finally {
                if (bar[0] != null) bar[0].finish();
            }
            Model result = task.getModel("result");
            AdminCommand.print(spec.commandLine().getOut(), Map.of("file", output.toString(), "bytes", result.getLong("size"),
                    "sha256", result.getString("sha256"), "samples", result.getInt("samples"), "files", result.getInt("files"),
                    "object_name", result.getString("object_name")));
        }
    }
}
