package io.omix.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.omix.server.Platform;
import io.omix.server.ServerConfig;
import io.omix.server.apps.DatasetKeyStore;
import io.omix.server.datasets.DatasetStore;
import io.omix.server.apps.PrivateApp;
import io.omix.server.apps.PrivateAppStore;
import io.omix.server.common.auth.Scope;
import io.omix.server.oauth.ClientStore;
import io.omix.server.oauth.OAuthClient;
import io.omix.server.samples.Project;
import io.omix.server.samples.SampleStore;
import io.omix.server.streams.StreamStore;
import io.omix.server.users.User;
import io.omix.server.users.UserStore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.Console;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code omix admin}: users, OAuth2 clients, private-platform apps and dataset API keys, written
 * straight to the platform's database (the embedded one may be open by a running server).
 * Secrets are printed once, at creation; the database keeps only hashes or sealed values.
 */
@Command(name = "admin", mixinStandardHelpOptions = true, description = "Administer the platform's users, clients, apps and API keys.",
        subcommands = {AdminCommand.Users.class, AdminCommand.Clients.class, AdminCommand.Apps.class, AdminCommand.ApiKeys.class,
                AdminCommand.Projects.class, AdminCommand.Samples.class, AdminCommand.DataElements.class, ImportVcfCommand.class,
                ImportMicrobiomeCommand.class, ImportArchiveCommand.class, AdminCommand.Migrate.class, BackupCommands.Backup.class, BackupCommands.Restore.class, BackupCommands.Compact.class, AuditCommands.Audit.class, AotTrainCommand.class})
final class AdminCommand implements Runnable {
    @Mixin
    ConfigOptions options = new ConfigOptions();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * Runs {@code work} with the platform's stores, then closes the database. The command, its
     * options (not secrets) and its outcome go to the audit trail as an operator action: "ok", "failed" (it threw),
     * or "refused" (it answered false or nothing: what it names is not there).
     */
    <T> T withPlatform(Function<Platform, T> work) {
        return withPlatform(io.omix.server.common.db.Database.Upgrade.NEW_ONLY, work);
    }

    /**
     * As {@link #withPlatform(Function)}, upgrading the database's schema as {@code upgrade} allows: commands upgrade only
     * a new database, so that a host upgraded before the servers does not migrate the database under them ({@link Migrate}).
     */
    <T> T withPlatform(io.omix.server.common.db.Database.Upgrade upgrade, Function<Platform, T> work) {
        ServerConfig config = options.load(Map.of());
        Platform platform = Platform.open(config, Clock.systemUTC(), upgrade);
        try {
            T result;
            try {
                result = work.apply(platform);
            } catch (RuntimeException e) {
                recordOperatorAction(platform, "failed");
                throw e;
            }
            // The commands answer false, or nothing, for what they did not find or do (a user's name mistyped): recorded so.
            boolean refused = Boolean.FALSE.equals(result) || result instanceof java.util.Optional<?> o && o.isEmpty();
            recordOperatorAction(platform, refused ? "refused" : "ok");
            return result;
        } finally {
            platform.close();
        }
    }

    /**
     * The names of the options and arguments whose values an operator action's audit entry keeps: ids it named and the
     * bounds of what it listed (status, limit, since, until, scope). Others (a person's email, phone, birthday,
     * address, names; settings) are recorded by name only: the trail keeps what was done and to whom, never the data
     * (docs/privacy.md), and an erasure does not reach it.
     */
    private static final java.util.Set<String> KEPT_WITH_VALUE = java.util.Set.of("username", "user", "biosample-id", "biosample_id", "sample",
            "client-id", "client_id", "model-id", "project-id", "project_id", "project", "workspace", "source-id", "scope", "status", "limit",
            "since", "until", "batch_id", "batch_no", "dataset_id", "delivery_id", "job_id", "task_id", "webhook_id", "object_name", "id",
            "dir", "dir_or_zip", "file");

    private void recordOperatorAction(Platform platform, String outcome) {
        if (!platform.audit().enabled()) return;
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        String operation = "omix admin";
        StringBuilder named = new StringBuilder();
        if (parsed != null) {
            while (parsed.hasSubcommand()) parsed = parsed.subcommand();
            operation = "omix " + parsed.commandSpec().qualifiedName(" ").replaceFirst("^omix ", "");
            for (CommandLine.Model.OptionSpec o : parsed.matchedOptions()) {
                String name = o.longestName().replaceFirst("^-+", "");
                if (name.matches("(?i).*(password|secret|key|token).*") || o.typeInfo().isBoolean()) continue;
                if (named.length() > 0) named.append(' ');
                named.append(name);
                if (KEPT_WITH_VALUE.contains(name)) named.append('=').append(String.valueOf((Object) o.getValue()));
            }
            for (CommandLine.Model.PositionalParamSpec p : parsed.matchedPositionals()) {
                String name = p.paramLabel().replaceAll("[<>]", "").toLowerCase(java.util.Locale.ROOT);
                if (named.length() > 0) named.append(' ');
                named.append(name);
                if (KEPT_WITH_VALUE.contains(name)) named.append('=').append(String.valueOf((Object) p.getValue()));
            }
        }
        platform.audit().append(List.of(io.omix.server.audit.AuditLog.Entry.of("operator", "os:" + System.getProperty("user.name"), null, "cli",
                operation, named.length() == 0 ? null : named.toString(), null, "local", null, outcome)));
    }

    static void print(PrintWriter out, Object value) {
        try {
            out.println(JSON.writeValueAsString(value));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        out.flush();
    }

    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    abstract static class Sub {
        @CommandLine.ParentCommand
        Object parent;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        AdminCommand admin() {
            return (AdminCommand) ((Group) parent).admin;
        }

        PrintWriter out() {
            return spec.commandLine().getOut();
        }
    }

    abstract static class Group {
        @CommandLine.ParentCommand
        Object admin;
    }

    @Command(name = "migrate", mixinStandardHelpOptions = true, description = "Upgrade the database's schema to this omix's version"
            + " (servers do as they start; other admin commands upgrade only a new database). Stop servers of the older version first.")
    static final class Migrate implements Runnable {
        @CommandLine.ParentCommand
        AdminCommand admin;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            String version = admin.withPlatform(io.omix.server.common.db.Database.Upgrade.ANY, p -> p.database().jdbc().queryOne(
                    "SELECT version FROM flyway_schema_history WHERE success = TRUE AND version IS NOT NULL ORDER BY installed_rank DESC LIMIT 1",
                    rs -> rs.getString(1)).orElse(null));
            print(spec.commandLine().getOut(), map("schema_version", version));
        }
    }

    @Command(name = "user", mixinStandardHelpOptions = true, description = "Users who sign in.", subcommands = {UserCreate.class, UserList.class, UserDisable.class, UserEnable.class,
            UserDelete.class})
    static final class Users extends Group {}

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a user; the password is read from stdin or asked for.")
    static final class UserCreate extends Sub implements Runnable {
        @Option(names = "--username", required = true) String username;
        @Option(names = "--password-stdin", description = "Read the password from the first line of stdin.") boolean passwordStdin;
        @Option(names = "--nickname") String nickname;
        @Option(names = "--email") String email;
        @Option(names = "--phone") String phone;
        @Option(names = "--sex", description = "1 male, 2 female") Integer sex;
        @Option(names = "--birthday", description = "YYYY-MM-DD") LocalDate birthday;
        @Option(names = "--address") String address;
        @Option(names = "--operator", description = "May use the operator pages.") boolean operator;

        @Override
        public void run() {
            String password = readPassword();
            User u = admin().withPlatform(p -> new UserStore(p).create(username, password,
                    new User.Profile(nickname, email, phone, sex, birthday, null, address, null), operator));
            print(out(), map("user_id", u.userId(), "username", u.username(), "operator", u.operator()));
        }

        private String readPassword() {
            try {
                if (passwordStdin) {
                    String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                    if (line == null) throw new IllegalArgumentException("no password on stdin");
                    return line;
                }
                Console console = System.console();
                if (console == null) throw new IllegalArgumentException("no terminal to ask for the password: use --password-stdin");
                char[] first = console.readPassword("Password for %s: ", username);
                // The rules first: no one should type a password twice to learn it was too short.
                String weakness = first == null ? "is required" : io.omix.server.users.PasswordHasher.weakness(new String(first));
                if (weakness != null) throw new IllegalArgumentException("password " + weakness);
                char[] again = console.readPassword("Again: ");
                if (first == null || !new String(first).equals(new String(again))) throw new IllegalArgumentException("passwords differ");
                return new String(first);
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List users.")
    static final class UserList extends Sub implements Runnable {
        @Override
        public void run() {
            List<Map<String, Object>> rows = admin().withPlatform(p -> {
                List<Map<String, Object>> out = new ArrayList<>();
                for (User u : new UserStore(p).list()) {
                    out.add(map("user_id", u.userId(), "username", u.username(), "nickname", u.nickname(), "operator", u.operator(),
                            "disabled", u.disabled()));
                }
                return out;
            });
            print(out(), rows);
        }
    }

    @Command(name = "client", mixinStandardHelpOptions = true, description = "OAuth2 client applications.",
            subcommands = {ClientCreate.class, ClientList.class, ClientUpdate.class, ClientDisable.class, ClientEnable.class})
    static final class Clients extends Group {}

    @Command(name = "update", mixinStandardHelpOptions = true, description = "Change a client's settings (servers apply them within 10 s).")
    static final class ClientUpdate extends Sub implements Runnable {
        @Parameters(paramLabel = "CLIENT_ID") String clientId;
        @Option(names = "--rate-limit-per-minute", required = true,
                description = "Calls a minute this client may make, over all servers (0: the default, ratelimit.per-client-per-minute).")
        int perMinute;

        @Override
        public void run() {
            if (perMinute < 0) throw new IllegalArgumentException("--rate-limit-per-minute must be >= 0");
            if (!admin().withPlatform(p -> new ClientStore(p).setRateLimit(clientId, perMinute))) {
                throw new IllegalArgumentException("no client " + clientId);
            }
            print(out(), map("client_id", clientId, "rate_limit_per_minute", perMinute == 0 ? "default" : perMinute));
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Register a client; its secret is printed once.")
    static final class ClientCreate extends Sub implements Runnable {
        @Option(names = "--name", required = true) String name;
        @Option(names = "--redirect-uri", description = "Registered redirect URI (repeatable); matched exactly.") List<String> redirectUris = new ArrayList<>();
        @Option(names = "--grant", description = "authorization_code and/or client_credentials (repeatable; default both, or authorization_code for --public)")
        List<String> grants = new ArrayList<>();
        @Option(names = "--scope", description = "Allowed scope (repeatable; default all but admin; allowing admin makes the client first-party: its operators may ask for admin)") List<String> scopes = new ArrayList<>();
        @Option(names = "--public", description = "No secret: a native or browser app, which must use PKCE.") boolean publicClient;

        @Override
        public void run() {
            Set<String> g = new LinkedHashSet<>(grants.isEmpty()
                    ? (publicClient ? List.of(OAuthClient.AUTHORIZATION_CODE) : List.of(OAuthClient.AUTHORIZATION_CODE, OAuthClient.CLIENT_CREDENTIALS))
                    : grants);
            Set<String> s = new LinkedHashSet<>();
            if (scopes.isEmpty()) {
                s.addAll(Scope.defaults());
            } else {
                s.addAll(scopes);
            }
            ClientStore.Created c = admin().withPlatform(p -> new ClientStore(p).create(name, redirectUris, g, s, publicClient, null));
            Map<String, Object> out = map("client_id", c.client().clientId(), "client_secret", c.secret(), "name", name,
                    "redirect_uris", redirectUris, "grant_types", g, "scopes", s, "public", publicClient);
            print(out(), out);
            if (c.secret() != null) spec.commandLine().getErr().println("The client secret is shown only now: store it safely.");
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List clients (never their secrets).")
    static final class ClientList extends Sub implements Runnable {
        @Override
        public void run() {
            print(out(), admin().withPlatform(p -> {
                List<Map<String, Object>> out = new ArrayList<>();
                for (OAuthClient c : new ClientStore(p).list()) {
                    out.add(map("client_id", c.clientId(), "name", c.name(), "public", c.publicClient(), "redirect_uris", c.redirectUris(),
                            "grant_types", c.grantTypes(), "scopes", c.scopes(), "disabled", c.disabled()));
                }
                return out;
            }));
        }
    }

    @Command(name = "app", mixinStandardHelpOptions = true, description = "Private-platform apps (app key and secret).",
            subcommands = {AppCreate.class, AppList.class, AppDisable.class, AppEnable.class, AppRotateSecret.class})
    static final class Apps extends Group {}

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create an app; its secret is printed once.")
    static final class AppCreate extends Sub implements Runnable {
        @Option(names = "--name", required = true) String name;
        @Option(names = "--namespace", description = "Its data namespace (default: from the name, e.g. MY_APP).") String namespace;

        @Override
        public void run() {
            PrivateAppStore.Created a = admin().withPlatform(p -> new PrivateAppStore(p).create(name, namespace));
            print(out(), map("app_key", a.app().appKey(), "app_secret", a.appSecret(), "name", name, "namespace", a.app().namespace()));
            spec.commandLine().getErr().println("The app secret is shown only now: store it safely.");
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List apps (never their secrets).")
    static final class AppList extends Sub implements Runnable {
        @Override
        public void run() {
            print(out(), admin().withPlatform(p -> {
                List<Map<String, Object>> out = new ArrayList<>();
                for (PrivateApp a : new PrivateAppStore(p).list()) {
                    out.add(map("app_key", a.appKey(), "name", a.name(), "namespace", a.namespace(), "disabled", a.disabled()));
                }
                return out;
            }));
        }
    }

    @Command(name = "apikey", mixinStandardHelpOptions = true, description = "Dataset batches API keys (X-API-KEY / X-API-SECRET).",
            subcommands = {KeyCreate.class, KeyList.class, KeyDisable.class, KeyEnable.class, KeyRotateSecret.class})
    static final class ApiKeys extends Group {}

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create an API key; its secret is printed once.")
    static final class KeyCreate extends Sub implements Runnable {
        @Option(names = "--name", required = true) String name;

        @Override
        public void run() {
            // A key comes with a workspace and a project of its own: what its dataset paths name.
            Object[] made = admin().withPlatform(p -> {
                DatasetKeyStore.Created k = new DatasetKeyStore(p).create(name);
                return new Object[] {k, new DatasetStore(p).createWorkspace(k.key().apiKey(), name)};
            });
            DatasetKeyStore.Created k = (DatasetKeyStore.Created) made[0];
            DatasetStore.Workspace w = (DatasetStore.Workspace) made[1];
            print(out(), map("api_key", k.key().apiKey(), "api_secret", k.apiSecret(), "name", name,
                    "workspace_id", w.workspaceId(), "project_id", w.projectId()));
            spec.commandLine().getErr().println("The API secret is shown only now: store it safely.");
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List API keys (never their secrets).")
    static final class KeyList extends Sub implements Runnable {
        @Override
        public void run() {
            print(out(), admin().withPlatform(p -> {
                List<Map<String, Object>> out = new ArrayList<>();
                for (DatasetKeyStore.DatasetKey k : new DatasetKeyStore(p).list()) {
                    List<Map<String, Object>> spaces = new ArrayList<>();
                    for (DatasetStore.Workspace w : new DatasetStore(p).workspaces(k.apiKey())) {
                        spaces.add(map("workspace_id", w.workspaceId(), "project_id", w.projectId()));
                    }
                    out.add(map("api_key", k.apiKey(), "name", k.name(), "disabled", k.disabled(), "workspaces", spaces));
                }
                return out;
            }));
        }
    }

    /** {@code disable ID} / {@code enable ID}: the same for every kind of credential. */
    abstract static class Toggle extends Sub implements Runnable {
        @Parameters(paramLabel = "ID", description = "Username, client id, app key or API key.") String id;

        abstract boolean disabled();

        abstract String what();

        abstract boolean set(Platform platform, String id, boolean disabled);

        @Override
        public void run() {
            if (!admin().withPlatform(p -> set(p, id, disabled()))) throw new IllegalArgumentException("no " + what() + " " + id);
            print(out(), map(what().replace(' ', '_'), id, "disabled", disabled()));
        }
    }

    /** A new secret for an app or API key, printed once; the old one stops working at once. */
    abstract static class RotateSecret extends Sub implements Runnable {
        @Parameters(paramLabel = "ID", description = "The app key or API key.") String id;

        abstract String what();

        abstract java.util.Optional<String> rotate(Platform platform, String id);

        @Override
        public void run() {
            String secret = admin().withPlatform(p -> rotate(p, id)).orElseThrow(() -> new IllegalArgumentException("no " + what() + " " + id));
            boolean app = what().equals("app key");
            print(out(), map(app ? "app_key" : "api_key", id, app ? "app_secret" : "api_secret", secret));
            spec.commandLine().getErr().println("The new secret is shown only now: store it safely. The old one no longer works.");
        }
    }

    @Command(name = "rotate-secret", mixinStandardHelpOptions = true, description = "Give an app a new secret (printed once); the old one stops working at once, and the app's webhook endpoints are turned off until it turns them on again.")
    static final class AppRotateSecret extends RotateSecret {
        String what() { return "app key"; }
        java.util.Optional<String> rotate(Platform p, String id) { return new PrivateAppStore(p).rotateSecret(id); }
    }

    @Command(name = "rotate-secret", mixinStandardHelpOptions = true, description = "Give an API key a new secret (printed once); the old one stops working at once, and the key's webhook endpoints are turned off until it turns them on again.")
    static final class KeyRotateSecret extends RotateSecret {
        String what() { return "API key"; }
        java.util.Optional<String> rotate(Platform p, String id) { return new DatasetKeyStore(p).rotateSecret(id); }
    }

    @Command(name = "disable", mixinStandardHelpOptions = true, description = "Disable a user: sign-ins and their tokens stop working at once.")
    static final class UserDisable extends Toggle {
        boolean disabled() { return true; }
        String what() { return "username"; }
        boolean set(Platform p, String id, boolean d) { return new UserStore(p).setDisabled(id, d); }
    }

    /** Asks on a terminal; refuses without one unless {@code --yes} (scripts). */
    /**
     * Whether a destructive command goes ahead: {@code --yes}, or "y" on the terminal; on a "no",
     * {@code declined} is printed. Without a terminal and without {@code --yes} it refuses (exit 2).
     */
    static boolean confirmed(boolean yes, String question, PrintWriter out, String declined) {
        if (yes) return true;
        Console console = System.console();
        if (console == null) throw new IllegalArgumentException("this cannot be undone: it asks for confirmation on a terminal; pass --yes in scripts");
        String answer = console.readLine("%s [y/N] ", question);
        if (answer != null && answer.trim().equalsIgnoreCase("y")) return true;
        out.println(declined);
        out.flush();
        return false;
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Erase a user and all their data: samples (and everything derived), files, grants, tokens. Cannot be undone.")
    static final class UserDelete extends Sub implements Runnable {
        @Parameters(paramLabel = "USERNAME") String username;
        @Option(names = "--yes", description = "Do not ask for confirmation (for scripts).") boolean yes;

        @Override
        public void run() {
            if (!confirmed(yes, "Erase user " + username + " and all their data?", out(), "nothing erased")) return;
            var erased = admin().withPlatform(p -> {
                User u = new UserStore(p).findByUsername(username).orElseThrow(() -> new IllegalArgumentException("no user " + username));
                return new io.omix.server.privacy.Erasure(p).eraseUser(u.userId()).orElseThrow(() -> new IllegalArgumentException("no user " + username));
            });
            print(out(), map("user_id", erased.userId(), "erased", true, "samples", erased.samples(), "files", erased.files()));
        }
    }

    @Command(name = "enable", mixinStandardHelpOptions = true, description = "Enable a disabled user.")
    static final class UserEnable extends Toggle {
        boolean disabled() { return false; }
        String what() { return "username"; }
        boolean set(Platform p, String id, boolean d) { return new UserStore(p).setDisabled(id, d); }
    }

    @Command(name = "disable", mixinStandardHelpOptions = true, description = "Disable a client: its tokens stop working at once.")
    static final class ClientDisable extends Toggle {
        boolean disabled() { return true; }
        String what() { return "client id"; }
        boolean set(Platform p, String id, boolean d) { return new ClientStore(p).setDisabled(id, d); }
    }

    @Command(name = "enable", mixinStandardHelpOptions = true, description = "Enable a disabled client.")
    static final class ClientEnable extends Toggle {
        boolean disabled() { return false; }
        String what() { return "client id"; }
        boolean set(Platform p, String id, boolean d) { return new ClientStore(p).setDisabled(id, d); }
    }

    @Command(name = "disable", mixinStandardHelpOptions = true, description = "Disable an app: its signed requests are refused at once.")
    static final class AppDisable extends Toggle {
        boolean disabled() { return true; }
        String what() { return "app key"; }
        boolean set(Platform p, String id, boolean d) { return new PrivateAppStore(p).setDisabled(id, d); }
    }

    @Command(name = "enable", mixinStandardHelpOptions = true, description = "Enable a disabled app.")
    static final class AppEnable extends Toggle {
        boolean disabled() { return false; }
        String what() { return "app key"; }
        boolean set(Platform p, String id, boolean d) { return new PrivateAppStore(p).setDisabled(id, d); }
    }

    @Command(name = "disable", mixinStandardHelpOptions = true, description = "Disable an API key.")
    static final class KeyDisable extends Toggle {
        boolean disabled() { return true; }
        String what() { return "api key"; }
        boolean set(Platform p, String id, boolean d) { return new DatasetKeyStore(p).setDisabled(id, d); }
    }

    @Command(name = "enable", mixinStandardHelpOptions = true, description = "Enable a disabled API key.")
    static final class KeyEnable extends Toggle {
        boolean disabled() { return false; }
        String what() { return "api key"; }
        boolean set(Platform p, String id, boolean d) { return new DatasetKeyStore(p).setDisabled(id, d); }
    }

    @Command(name = "project", mixinStandardHelpOptions = true, description = "Projects samples belong to.", subcommands = {ProjectCreate.class, ProjectList.class, ProjectBeacon.class})
    static final class Projects extends Group {}

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a project.")
    static final class ProjectCreate extends Sub implements Runnable {
        @Option(names = "--name", required = true) String name;
        @Option(names = "--omic", defaultValue = "1", description = "1 genomics, 2 metagenomics (default ${DEFAULT-VALUE})") int omic;
        @Option(names = "--consortium") String consortium;
        @Option(names = "--data-provider") String dataProvider;
        @Option(names = "--description") String description;

        @Override
        public void run() {
            Project p = admin().withPlatform(pl -> new SampleStore(pl).createProject(name, omic, consortium, dataProvider, description));
            print(out(), map("project_id", p.projectId(), "name", p.name(), "omic", p.omic()));
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List projects.")
    static final class ProjectList extends Sub implements Runnable {
        @Override
        public void run() {
            print(out(), admin().withPlatform(pl -> new SampleStore(pl).projects()));
        }
    }

    @Command(name = "beacon", mixinStandardHelpOptions = true,
            description = {"What the GA4GH Beacon (/beacon/v2) says about a project's samples to callers who do not see them themselves:",
                    "none (the default), boolean (whether a variant or sample exists), or count (how many; small counts as 'at most')."})
    static final class ProjectBeacon extends Sub implements Runnable {
        @Parameters(paramLabel = "PROJECT_ID") String projectId;
        @Option(names = "--publish", required = true, description = "none, boolean or count") String level;

        @Override
        public void run() {
            if (!admin().withPlatform(p -> io.omix.server.beacon.BeaconPublication.publish(p.database().jdbc(), projectId, level))) {
                throw new IllegalArgumentException("no project " + projectId);
            }
            print(out(), map("project_id", projectId, "beacon_public", level));
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Erase a sample and everything derived from it (calls, profiles, stream records, data items). Cannot be undone.")
    static final class SampleDelete extends Sub implements Runnable {
        @Parameters(paramLabel = "BIOSAMPLE_ID") String biosampleId;
        @Option(names = "--yes", description = "Do not ask for confirmation (for scripts).") boolean yes;

        @Override
        public void run() {
            String id = biosampleId.toUpperCase(java.util.Locale.ROOT);
            if (!confirmed(yes, "Erase sample " + id + " and everything derived from it?", out(), "nothing erased")) return;
            if (!admin().withPlatform(p -> new io.omix.server.privacy.Erasure(p).eraseSample(id))) {
                throw new IllegalArgumentException("no sample " + id);
            }
            print(out(), map("biosample_id", id, "erased", true));
        }
    }

    @Command(name = "sample", mixinStandardHelpOptions = true, description = "Who sees which sample.", subcommands = {SampleRegister.class, SampleBind.class, SampleUnbind.class, SampleAssign.class, SampleUnassign.class,
            SampleDelete.class})
    static final class Samples extends Group {}

    @Command(name = "register", mixinStandardHelpOptions = true,
            description = {"Register a sample in a project, as an operator; prints {biosample_id}.",
                    "No one sees it until it is bound to a user (--username) or assigned to a client (--client-id)."})
    static final class SampleRegister extends Sub implements Runnable {
        @Option(names = "--project-id", required = true, description = "The project (P-...; omix admin project create).") String projectId;
        @Option(names = "--biosample-site", required = true, description = "1 oral, 2 skin, ... 10 feces, 11 blood, ... 15 other.") int site;
        @Option(names = "--external-sample-id", description = "Your own id of the sample (unique in the project and site).") String externalId;
        @Option(names = "--organism", defaultValue = "1", description = "1 human, 2 mouse, 3 rat (default ${DEFAULT-VALUE}).") int organism;
        @Option(names = "--username", description = "Bind it to this user at once.") String username;
        @Option(names = "--client-id", description = "Assign it to this client at once.") String clientId;

        @Override
        public void run() {
            if (site < 1 || site > 15) throw new IllegalArgumentException("--biosample-site must be 1 to 15");
            if (organism < 1 || organism > 3) throw new IllegalArgumentException("--organism must be 1, 2 or 3");
            String id = admin().withPlatform(p -> {
                String userId = username == null ? null
                        : new UserStore(p).findByUsername(username).orElseThrow(() -> new IllegalArgumentException("no user " + username)).userId();
                if (clientId != null && new ClientStore(p).find(clientId).isEmpty()) throw new IllegalArgumentException("no client " + clientId);
                SampleStore samples = new SampleStore(p);
                // Registered by no application and no person: an operator's sample, visible once bound or assigned.
                String registered = samples.register(io.omix.server.common.auth.Caller.OPERATOR_TOOLS, new SampleStore.Registration(externalId, site,
                        projectId.toUpperCase(java.util.Locale.ROOT), false, organism, null, Map.of()));
                if (userId != null) samples.bindUser(registered, userId);
                if (clientId != null) samples.assignClient(registered, clientId);
                return registered;
            });
            Map<String, Object> out = new java.util.LinkedHashMap<>(map("biosample_id", id, "project_id", projectId.toUpperCase(java.util.Locale.ROOT),
                    "biosample_site", site));
            if (username != null) out.put("username", username);
            if (clientId != null) out.put("client_id", clientId);
            print(out(), out);
        }
    }

    @Command(name = "bind", mixinStandardHelpOptions = true, description = "Bind a sample to a user: their tokens see it at once.")
    static final class SampleBind extends Sub implements Runnable {
        @Option(names = "--biosample-id", required = true) String biosampleId;
        @Option(names = "--username", required = true) String username;

        @Override
        public void run() {
            admin().withPlatform(p -> {
                User u = new UserStore(p).findByUsername(username).orElseThrow(() -> new IllegalArgumentException("no user " + username));
                new SampleStore(p).bindUser(biosampleId, u.userId());
                return null;
            });
            print(out(), map("biosample_id", biosampleId, "username", username, "bound", true));
        }
    }

    @Command(name = "unbind", mixinStandardHelpOptions = true, description = "Unbind a sample from a user.")
    static final class SampleUnbind extends Sub implements Runnable {
        @Option(names = "--biosample-id", required = true) String biosampleId;
        @Option(names = "--username", required = true) String username;

        @Override
        public void run() {
            boolean done = admin().withPlatform(p -> {
                User u = new UserStore(p).findByUsername(username).orElseThrow(() -> new IllegalArgumentException("no user " + username));
                return new SampleStore(p).unbindUser(biosampleId, u.userId());
            });
            if (!done) throw new IllegalArgumentException(biosampleId + " is not bound to " + username);
            print(out(), map("biosample_id", biosampleId, "username", username, "bound", false));
        }
    }

    @Command(name = "assign", mixinStandardHelpOptions = true, description = "Assign a sample to a client: its client-credentials tokens see it.")
    static final class SampleAssign extends Sub implements Runnable {
        @Option(names = "--biosample-id", required = true) String biosampleId;
        @Option(names = "--client-id", required = true) String clientId;

        @Override
        public void run() {
            admin().withPlatform(p -> {
                if (new ClientStore(p).find(clientId).isEmpty()) throw new IllegalArgumentException("no client " + clientId);
                new SampleStore(p).assignClient(biosampleId, clientId);
                return null;
            });
            print(out(), map("biosample_id", biosampleId, "client_id", clientId, "assigned", true));
        }
    }

    @Command(name = "unassign", mixinStandardHelpOptions = true,
            description = "Take a sample from a client: its client-credentials tokens, their links and its webhooks stop reaching it.")
    static final class SampleUnassign extends Sub implements Runnable {
        @Option(names = "--biosample-id", required = true) String biosampleId;
        @Option(names = "--client-id", required = true) String clientId;

        @Override
        public void run() {
            if (!admin().withPlatform(p -> new SampleStore(p).unassignClient(biosampleId, clientId))) {
                throw new IllegalArgumentException("client " + clientId + " does not have " + biosampleId);
            }
            print(out(), map("biosample_id", biosampleId, "client_id", clientId, "assigned", false));
        }
    }

    @Command(name = "data-element", mixinStandardHelpOptions = true, description = "The catalog of data elements streams and batches record.",
            subcommands = {ElementCreate.class, ElementList.class})
    static final class DataElements extends Group {}

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Add a data element to the catalog.")
    static final class ElementCreate extends Sub implements Runnable {
        @Option(names = "--name", required = true) String name;
        @Option(names = "--description") String description;
        @Option(names = "--source-domain", description = "e.g. LOINC") String sourceDomain;
        @Option(names = "--source-id", description = "its id there, e.g. 8867-4") String sourceId;

        @Override
        public void run() {
            print(out(), admin().withPlatform(p -> new StreamStore(p).createElement(name, description, sourceDomain, sourceId)));
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the data elements.")
    static final class ElementList extends Sub implements Runnable {
        @Override
        public void run() {
            print(out(), admin().withPlatform(p -> new StreamStore(p).elements()));
        }
    }
}
