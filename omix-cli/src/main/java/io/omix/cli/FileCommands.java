package io.omix.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.omix.sdk.Api;
import io.omix.sdk.ClientBuilder;
import io.omix.sdk.Model;
import io.omix.sdk.UploadOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code omix upload} and {@code omix download}: files of the open platform, with progress bars. */
final class FileCommands {
    private FileCommands() {}

    /** Which server and which access token (default: $OMIX_ACCESS_TOKEN, else the one omix login saved). */
    static final class TokenOptions {
        @Option(names = "--endpoint", defaultValue = "${env:OMIX_ENDPOINT:-" + ClientBuilder.DEFAULT_ENDPOINT + "}",
                description = "Server address (default: $OMIX_ENDPOINT, else ${DEFAULT-VALUE}).")
        String endpoint;

        @Option(names = "--token", defaultValue = "${env:OMIX_ACCESS_TOKEN}",
                description = "Access token with the files scope (default: $OMIX_ACCESS_TOKEN, else ~/.omix/token.json).")
        String token;

        Api api() {
            String t = token;
            if (t == null || t.isBlank()) {
                Path saved = Path.of(System.getProperty("user.home"), ".omix", "token.json");
                try {
                    t = new ObjectMapper().readTree(saved.toFile()).path("access_token").asText(null);
                } catch (IOException e) {
                    t = null;
                }
            }
            if (t == null || t.isBlank()) throw new IllegalArgumentException("--token (or OMIX_ACCESS_TOKEN, or omix login first) is required");
            return Api.builder(t).endpoint(endpoint).build();
        }
    }

    @Command(name = "upload", mixinStandardHelpOptions = true,
            description = "Upload files (parallel resumable parts from --multipart-threshold on); prints each object name.")
    static final class Upload implements Runnable {
        @Mixin TokenOptions options;
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @Parameters(paramLabel = "FILE", arity = "1..*", description = "Files, or directories (their files, no recursion).") List<Path> paths;
        @Option(names = "--multipart-threshold-mib", defaultValue = "100") long thresholdMib;
        @Option(names = "--part-size-mib", defaultValue = "50") long partMib;
        @Option(names = "--threads", defaultValue = "4") int threads;
        @Option(names = "--no-resume", description = "Start afresh instead of continuing an interrupted upload of the same file.") boolean noResume;
        @Option(names = "--state-dir", hidden = true, description = "Where interrupted uploads are remembered (default ~/.omix/uploads).")
        Path stateDir;

        Path stateDir() {
            return stateDir != null ? stateDir : Path.of(System.getProperty("user.home"), ".omix", "uploads");
        }

        @Override
        public void run() {
            List<Path> files = new ArrayList<>();
            for (Path p : paths) {
                if (Files.isDirectory(p)) {
                    try (var entries = Files.list(p)) {
                        entries.filter(Files::isRegularFile).sorted().forEach(files::add);
                    } catch (IOException e) {
                        throw new IllegalArgumentException("cannot list " + p + ": " + e.getMessage());
                    }
                } else if (Files.isRegularFile(p)) {
                    files.add(p);
                } else {
                    throw new IllegalArgumentException("no file " + p);
                }
            }
            try (Api api = options.api()) {
                for (Path file : files) {
                    ProgressBar bar = new ProgressBar(spec.commandLine().getErr(), file.getFileName().toString(), size(file));
                    String name;
                    Path state = statePath(stateDir(), file);
                    Model token = noResume ? null : savedCredentials(state);
                    if (token != null) spec.commandLine().getErr().println("resuming the upload of " + file);
                    if (token == null) token = saveCredentials(state, api.getUploadToken());
                    try {
                        name = api.upload(file.getFileName().toString(), file, UploadOptions.builder().credentials(token)
                                .multipartThreshold(thresholdMib * UploadOptions.MIB).partSize(partMib * UploadOptions.MIB).threads(threads)
                                .listener((done, total) -> bar.update(done)).build());
                    } finally {
                        bar.finish();
                    }
                    delete(state);
                    AdminCommand.print(spec.commandLine().getOut(), Map.of("file", file.toString(), "object_name", name));
                }
            }
        }
    }

    /**
     * Interrupted uploads are remembered by file (path, size, modification time): the next run uses the
     * same credentials, so the server's multipart upload continues with only the missing parts. The
     * file holds a secret for at most the credentials' life: owner-only, deleted once the upload ends.
     */
    static Path statePath(Path stateDir, Path file) {
        try {
            String key = file.toAbsolutePath().normalize() + "\n" + Files.size(file) + "\n" + Files.getLastModifiedTime(file).toMillis();
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return stateDir.resolve(java.util.HexFormat.of().formatHex(digest, 0, 16) + ".json");
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
        }
    }

    private static Model savedCredentials(Path state) {
        try {
            if (!Files.exists(state)) return null;
            Model token = Model.parse(Files.readString(state));
            java.time.Instant expires = java.time.Instant.parse(token.getModel("credentials").getString("expiration"));
            if (expires.isBefore(java.time.Instant.now().plusSeconds(600))) {
                delete(state); // too close to its end to finish with: a fresh upload
                return null;
            }
            return token;
        } catch (IOException | RuntimeException unreadable) {
            delete(state);
            return null;
        }
    }

    private static Model saveCredentials(Path state, Model token) {
        try {
            Files.createDirectories(state.getParent());
            Path tmp = Files.createTempFile(state.getParent(), ".upload", ".tmp");
            try {
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // the directory's ACL applies
            }
            Files.writeString(tmp, token.dumps());
            Files.move(tmp, state, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // Resuming is a convenience: the upload itself goes on without it.
        }
        return token;
    }

    private static void delete(Path state) {
        try {
            Files.deleteIfExists(state);
        } catch (IOException ignored) {
            // a leftover expires with its credentials
        }
    }

    @Command(name = "download", mixinStandardHelpOptions = true,
            description = "Download an object; an interrupted download resumes from OUTPUT.part when run again.")
    static final class Download implements Runnable {
        @Mixin TokenOptions options;
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @Parameters(paramLabel = "OBJECT_NAME") String objectName;
        @Option(names = {"-o", "--output"}, description = "Where to write (default: the object's file name here).") Path output;

        @Override
        public void run() {
            Path target = output != null ? output : Path.of(objectName.substring(objectName.lastIndexOf('/') + 1));
            try (Api api = options.api()) {
                ProgressBar[] bar = {null};
                long bytes;
                try {
                    bytes = api.download(objectName, target, (done, total) -> {
                        if (bar[0] == null) bar[0] = new ProgressBar(spec.commandLine().getErr(), target.getFileName().toString(), total);
                        bar[0].update(done);
                    });
                } finally {
                    if (bar[0] != null) bar[0].finish();
                }
                AdminCommand.print(spec.commandLine().getOut(), Map.of("object_name", objectName, "file", target.toString(), "bytes", bytes));
            }
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
        }
    }
}
