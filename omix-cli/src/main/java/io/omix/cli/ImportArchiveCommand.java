package io.omix.cli;

import io.omix.server.privacy.ArchiveRestore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code omix admin import-archive}: puts a person's export ({@code omix export}) back on this server,
 * into an account created first with {@code omix admin user create}: profile, samples with their
 * calls, profiles and stream records, and files. The archive is checked against its manifest, and
 * its samples and files against this server, before anything is written.
 */
@Command(name = "import-archive", mixinStandardHelpOptions = true,
        description = "Restore a person's export (omix export) into an existing account: samples, calls, profiles, stream records, files.")
final class ImportArchiveCommand implements Runnable {
    @CommandLine.ParentCommand AdminCommand admin;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Option(names = "--file", required = true, description = "The export archive (.zip).") Path file;
    @Option(names = "--username", required = true, description = "The account to restore into (omix admin user create).") String username;

    @Override
    public void run() {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("no such file: " + file);
        ArchiveRestore.Restored r = admin.withPlatform(p -> {
            try {
                return new ArchiveRestore(p).restore(file, username);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        AdminCommand.print(spec.commandLine().getOut(), AdminCommand.map("username", username, "user_id", r.userId(), "samples", r.samples(),
                "variant_calls", r.calls(), "microbiome_profiles", r.profiles(), "stream_records", r.observations(), "files", r.files()));
    }
}
