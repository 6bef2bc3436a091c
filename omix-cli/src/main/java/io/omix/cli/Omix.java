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
                            : inOurWords(e);
                    cmd.getErr().println(cmd.getColorScheme().errorText("omix: " + message));
                    cmd.getErr().flush();
                    return e instanceof IllegalArgumentException ? 2 : 1;
                });
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Omix.class);

    /**
     * A failure as the operator reads it: the database's failures by what they mean, without the statement or the driver's
     * and pool's wording; a fault of the program's own as an internal error (the details of both logged at DEBUG);
     * anything else as its message says it.
     */
    static String inOurWords(Exception e) {
        java.sql.SQLException sql = null;
        boolean opening = false;
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof com.zaxxer.hikari.pool.HikariPool.PoolInitializationException) opening = true;
            if (t instanceof java.sql.SQLException found && sql == null) sql = found;
        }
        if (sql != null) {
            LOG.debug("database failure", e);
            String state = sql.getSQLState() == null ? "" : sql.getSQLState();
            String details = "; OMIX_LOG_LEVEL=DEBUG logs the details";
            if (opening || state.startsWith("08")) {
                // The driver's reason (a refused connection, a damaged file) is what the operator fixes; not a statement.
                String reason = String.valueOf(sql.getMessage()).replaceAll("\\s*\\[\\d+-\\d+]\\s*$", "");
                return "cannot open the database: " + reason + (state.isEmpty() ? "" : " (SQLSTATE " + state + ")");
            }
            return "the database failed" + (state.isEmpty() ? "" : " (SQLSTATE " + state + ": " + sqlStateClass(state) + ")") + details;
        }
        // A fault of the program's own (its message names code, not anything the operator can fix): said as such. Anything
        // else (a refusal, a file that cannot be read, a port in use, a migration that does not match) as it says itself.
        boolean programmingError = e instanceof NullPointerException || e instanceof ClassCastException || e instanceof IndexOutOfBoundsException
                || e instanceof ArithmeticException || e instanceof ArrayStoreException || e instanceof NegativeArraySizeException
                || e instanceof IllegalMonitorStateException;
        if (!programmingError && e.getMessage() != null && !e.getMessage().isBlank()) return e.getMessage();
        LOG.debug("unexpected failure", e);
        return "failed: an internal error; OMIX_LOG_LEVEL=DEBUG logs the details";
    }

    /** What a SQLSTATE's class says, in words. */
    private static String sqlStateClass(String state) {
        return switch (state.length() < 2 ? "" : state.substring(0, 2)) {
            case "22" -> "a value out of range or malformed";
            case "23" -> "a row conflicts with another";
            case "40" -> "a conflict with another transaction; try again";
            case "42" -> "a statement the schema cannot run: is the database at this omix's version (omix admin migrate)?";
            case "53" -> "the database ran out of a resource";
            case "57" -> "the database was stopped or the operation cancelled";
            case "58" -> "the database's system failed";
            case "HY", "HZ" -> "a timeout or a lock waited too long";
            default -> "an internal failure of the database";
        };
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
