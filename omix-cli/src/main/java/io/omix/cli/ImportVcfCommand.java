package io.omix.cli;

import io.omix.server.variants.VcfImporter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/** {@code omix admin import-vcf}: a sample's variant calls from a VCF or VCF.gz file, with a progress bar. */
@Command(name = "import-vcf", mixinStandardHelpOptions = true,
        description = "Import a sample's variant calls from a VCF or VCF.gz file (replaces the sample's calls when complete).")
final class ImportVcfCommand extends SampleFileImport {
    @Option(names = "--assembly", description = "Reference assembly (default: from the header, else GRCh38).") String assembly;
    @Option(names = "--dbsnp-build", description = "dbSNP build of the rs ids (default: from the header).") Integer dbsnpBuild;
    @Option(names = "--pipeline-version", description = "The pipeline that called the variants.") String pipelineVersion;
    @Option(names = "--sample-name", description = "Which sample column to import (default: the first).") String sampleName;

    @Override
    public void run() {
        checkFile();
        VcfImporter.Result r = admin.withPlatform(p -> {
            checkSample(p);
            ProgressBar bar = new ProgressBar(spec.commandLine().getErr(), "import", size());
            try (InputStream in = bar.track(Files.newInputStream(file))) {
                VcfImporter.Result result = new VcfImporter(p).importVcf(biosampleId, in,
                        new VcfImporter.Options(assembly, dbsnpBuild, pipelineVersion, sampleName));
                bar.finish();
                return result;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        AdminCommand.print(spec.commandLine().getOut(), AdminCommand.map("biosample_id", r.biosampleId(), "imported", r.imported(),
                "skipped_without_rsid", r.skipped(), "milliseconds", r.millis(), "per_second", Math.round(r.perSecond())));
    }

    private long size() {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }
}
