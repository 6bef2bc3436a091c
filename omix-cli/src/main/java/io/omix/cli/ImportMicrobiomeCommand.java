package io.omix.cli;

import io.omix.server.microbiome.MicrobiomeCapability;
import io.omix.server.microbiome.ProfileImporter;
import io.omix.server.samples.SampleStore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code omix admin import-microbiome}: a sample's taxon, functional or gene profile from a table file. */
@Command(name = "import-microbiome", mixinStandardHelpOptions = true,
        description = {"Import a sample's microbiome profile (replaces its profile of that kind and catalog).",
                "taxon: MetaPhlAn table; func: HUMAnN table of one catalog; gene: table with a header naming gene_id and abundance."})
final class ImportMicrobiomeCommand implements Runnable {
    @CommandLine.ParentCommand
    AdminCommand admin;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--biosample-id", required = true) String biosampleId;
    @Option(names = "--kind", required = true, description = "taxon, func or gene") String kind;
    @Option(names = "--catalog", description = "func: go, ko, eggnog, pfam, kegg-pwy, kegg-mdl, level4ec, metacyc-rxn, metacyc-pwy; gene: IGC_9.9M, UniRef90_HUMAnN2_0.11")
    String catalog;
    @Option(names = "--file", required = true) Path file;
    @Option(names = "--software", description = "The profiler and version, e.g. 'MetaPhlAn 4.0'.") String software;

    @Override
    public void run() {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("no such file: " + file);
        ProfileImporter.Result r = admin.withPlatform(p -> {
            if (new SampleStore(p).find(biosampleId).isEmpty()) throw new IllegalArgumentException("no sample " + biosampleId);
            try (InputStream in = Files.newInputStream(file)) {
                return new MicrobiomeCapability(p).importProfile(biosampleId, kind, catalog, in, software);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        AdminCommand.print(spec.commandLine().getOut(), AdminCommand.map("biosample_id", r.biosampleId(), "kind", r.kind(),
                "catalog", r.catalog(), "rows", r.rows()));
    }
}
