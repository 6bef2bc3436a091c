package io.omix.cli;

import io.omix.sdk.Api;
import io.omix.sdk.Model;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;

/**
 * {@code omix grants list|revoke CLIENT_ID}: the applications the signed-in person authorized, and
 * taking one back (its tokens and upload credentials stop at once). Needs a token with the grants
 * scope: {@code omix login --scope "grants ..."} with a client the operator allowed it.
 */
final class GrantCommands {
    private GrantCommands() {}

    @Command(name = "grants", mixinStandardHelpOptions = true, description = "The applications you authorized: list them, take one back.",
            subcommands = {GrantList.class, GrantRevoke.class})
    static final class Grants implements Runnable {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getOut());
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the applications you authorized, their scopes and when they last used them.")
    static final class GrantList implements Runnable {
        @Mixin FileCommands.TokenOptions options;
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @Option(names = "--json", description = "The answer as JSON.") boolean json;

        @Override
        public void run() {
            PrintWriter out = spec.commandLine().getOut();
            try (Api api = options.api()) {
                Model answer = api.getGrants();
                if (json) {
                    out.println(answer.dumps());
                } else {
                    for (Model g : answer.getList("grants").models()) {
                        out.printf("%s  %s  scopes: %s  allowed %s  last used %s%n", g.getString("client_id"), g.getString("client_name"),
                                g.getString("scope"), g.getString("granted_at"), g.getString("last_used_at") == null ? "never" : g.getString("last_used_at"));
                    }
                }
            }
            out.flush();
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Take back what you allowed an application: its tokens and upload credentials stop at once, on every server.")
    static final class GrantRevoke implements Runnable {
        @Mixin FileCommands.TokenOptions options;
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @Parameters(paramLabel = "CLIENT_ID", description = "The application (omix grants list shows its id).") String clientId;
        @Option(names = "--yes", description = "Do not ask for confirmation (for scripts).") boolean yes;

        @Override
        public void run() {
            PrintWriter out = spec.commandLine().getOut();
            if (!AdminCommand.confirmed(yes, "Revoke every credential of application " + clientId + "?", out, "nothing revoked")) return;
            try (Api api = options.api()) {
                api.revokeGrant(clientId);
            }
            out.println("revoked: " + clientId);
            out.flush();
        }
    }
}
