package dev.stingray.cli;

import dev.stingray.cli.command.KvCommand;
import dev.stingray.cli.command.ListCommand;
import dev.stingray.cli.command.MicrobenchmarkCommand;
import dev.stingray.cli.command.StartCommand;
import dev.stingray.cli.command.StatusCommand;
import dev.stingray.cli.command.StopCommand;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code stingray} command line; subcommands and flags are named as Ray's {@code ray} CLI. */
@Command(name = "stingray", mixinStandardHelpOptions = true, versionProvider = StingrayCli.Version.class,
        description = "Start, inspect and stop a Stingray (Ray-compatible) cluster.",
        subcommands = {StartCommand.class, StopCommand.class, StatusCommand.class, ListCommand.class, KvCommand.class,
                MicrobenchmarkCommand.class})
public final class StingrayCli {

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = StingrayCli.class.getPackage().getImplementationVersion();
            return new String[] {"stingray " + (v == null ? "dev" : v)};
        }
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs one command; errors print a single clear line (no stack trace) and exit 1. */
    public static int execute(String... args) {
        return configure(new CommandLine(new StingrayCli())).execute(args);
    }

    /** {@link #execute(String...)} writing to the given streams instead of stdout/stderr (tests, embedding). */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        return configure(new CommandLine(new StingrayCli())).setOut(out).setErr(err).execute(args);
    }

    private static CommandLine configure(CommandLine cli) {
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            String message = e instanceof StatusRuntimeException sre
                    ? sre.getStatus().getCode() + ": " + sre.getStatus().getDescription()
                    : e.getMessage();
            commandLine.getErr().println("Error: " + message);
            return 1;
        });
        return cli;
    }
}
