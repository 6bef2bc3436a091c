package io.omix.cli;

import io.omix.server.microbiome.MicrobiomeCapability;
import io.omix.server.microbiome.ProfileImporter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/** {@code omix admin import-microbiome}: a sample's taxon, functional or gene profile from a table file. */
@Command(name = "import-microbiome", mixinStandardHelpOptions = true,
        description = {"Import a sample's microbiome profile (replaces its profile of that kind and catalog).",
                "taxon: MetaPhlAn table; func: HUMAnN table of one catalog; gene: table with a header naming gene_id and abundance."})
final class ImportMicrobiomeCommand extends SampleFileImport {
    @Option(names = "--kind", required = true, description = "taxon, func or gene") String kind;
    @Option(names = "--catalog", description = "func: go, ko, eggnog, pfam, kegg-pwy, kegg-mdl, level4ec, metacyc-rxn, metacyc-pwy; gene: IGC_9.9M, UniRef90_HUMAnN2_0.11")
    String catalog;
    @Option(names = "--software", description = "The profiler and version, e.g. 'MetaPhlAn 4.0'.") String software;

    @Override
    public void run() {
        checkFile();
        ProfileImporter.Result r = admin.withPlatform(p -> {
            checkSample(p);
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
