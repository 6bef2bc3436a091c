package io.omix.cli;

import io.omix.server.Platform;
import io.omix.server.samples.SampleStore;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;

/** What the admin import commands share: a sample, a file, and the checks both need before reading. */
abstract class SampleFileImport implements Runnable {
    @CommandLine.ParentCommand
    AdminCommand admin;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--biosample-id", required = true) String biosampleId;
    @Option(names = "--file", required = true, description = "The file to import.") Path file;

    /** Refuses a missing file before opening the database, and an unknown sample once it is open. */
    void checkFile() {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("no such file: " + file);
    }

    void checkSample(Platform platform) {
        if (new SampleStore(platform).find(biosampleId).isEmpty()) throw new IllegalArgumentException("no sample " + biosampleId);
    }
}
