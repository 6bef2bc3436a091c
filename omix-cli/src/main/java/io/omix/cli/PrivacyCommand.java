package io.omix.cli;

import io.omix.sdk.Api;
import io.omix.sdk.Model;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;

/**
 * {@code omix privacy beacon [--opt-out | --opt-in]}: the signed-in person's choices about their data that
 * are not a grant. Needs a token with the grants scope, as {@code omix grants} does.
 */
final class PrivacyCommand {
    private PrivacyCommand() {}

    @Command(name = "privacy", mixinStandardHelpOptions = true, description = "Your choices about your data: the Beacon.",
            subcommands = {Beacon.class})
    static final class Privacy implements Runnable {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getOut());
        }
    }

    static final class Choice {
        @Option(names = "--opt-out", required = true,
                description = "Keep your samples out of the Beacon's answers to others, whatever projects the operator publishes.") boolean optOut;
        @Option(names = "--opt-in", required = true, description = "Let the projects the operator publishes include your samples again.") boolean optIn;
    }

    @Command(name = "beacon", mixinStandardHelpOptions = true,
            description = "Show or change whether your samples take part in the Beacon's answers to others (your own answers always cover them).")
    static final class Beacon implements Runnable {
        @Mixin FileCommands.TokenOptions options;
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @ArgGroup(exclusive = true) Choice choice;

        @Override
        public void run() {
            PrintWriter out = spec.commandLine().getOut();
            try (Api api = options.api()) {
                Model answer = choice == null ? api.getBeaconChoice() : api.setBeaconChoice(choice.optOut);
                out.println(answer.getBoolean("beacon_opt_out")
                        ? "opted out: your samples take no part in the Beacon's answers to others"
                        : "not opted out: projects the operator publishes to the Beacon include your samples");
            }
            out.flush();
        }
    }
}
