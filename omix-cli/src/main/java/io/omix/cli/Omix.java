package io.omix.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code omix} executable. */
@Command(name = "omix", mixinStandardHelpOptions = true, versionProvider = Omix.Version.class,
        description = "Omix multi-omics platform: run the server, administer it, call its APIs.",
        subcommands = {ServeCommand.class, AdminCommand.class, LoginCommand.class, TokenCommand.class, AliveCommand.class, BatchCommand.class, DatasetCommand.class, FileCommands.Upload.class, FileCommands.Download.class, ModelCommand.class, GrantCommands.Grants.class, PrivacyCommand.Privacy.class, ExportCommand.class, WebhookCommand.class,
                MethodCommands.ApiGroup.class, MethodCommands.PrivateGroup.class, CommandLine.HelpCommand.class})
public final class Omix implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // Before anything else: a cache recorded from another build would run that build's classes.
        java.util.Optional<String> staleCache = AotCacheCheck.problem();
        if (staleCache.isPresent()) {
            System.err.println("omix: " + staleCache.get());
            System.exit(2);
        }
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine root = new CommandLine(new Omix());
        MethodCommands.install(root);
        return root
                .setExpandAtFiles(false) // "@file" is a JSON file option value (omix private import_batch --data-items @items.json)
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    // A clear line, not a stack trace, for what the user can fix.
                    String message = e instanceof io.omix.sdk.ApiException api && api.code() == 429
                            ? "too many calls: this application may make " + api.dataModel().getInt("limit_per_minute")
                                    + " a minute (the server's rate limit); try again in " + api.dataModel().getInt("retry_after_seconds") + " s"
                            : e instanceof io.omix.sdk.ApiException
                            ? "the server refused: " + e.getMessage()   // code, message, each parameter's reason, request id
                            : e instanceof io.omix.server.common.http.ApiException refused && refused.data() != null
                            ? e.getMessage() + ": " + refused.data()     // an admin command's refusal, naming the parameter
                            : e.getMessage();
                    cmd.getErr().println(cmd.getColorScheme().errorText("omix: " + message));
                    cmd.getErr().flush();
                    return e instanceof IllegalArgumentException ? 2 : 1;
                });
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Omix.class.getPackage().getImplementationVersion();
            return new String[] {"omix " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")"};
        }
    }
}
