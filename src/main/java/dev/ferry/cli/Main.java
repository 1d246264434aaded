package dev.ferry.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ferry}: the command line. Every expected failure is one clear line and a non-zero exit. */
@Command(name = "ferry", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "A Sentinel-aware front that makes a Redis master/replica group look like one always-writable server.",
        subcommands = {RunCommand.class, ReloadCommand.class, CheckCommand.class, FailoverCommand.class, DemoCommand.class, DrillCommand.class})
public final class Main implements Runnable {
    /** Exit code for a configuration or usage mistake. */
    public static final int EXIT_CONFIG = 2;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("ferry: " + (ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage()));
            return 1;
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("ferry: " + ex.getMessage());
            ex.getCommandLine().getErr().println("Try 'ferry " + (ex.getCommandLine().getCommandName().equals("ferry") ? "" : ex.getCommandLine().getCommandName() + " ") + "--help'.");
            return EXIT_CONFIG;
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
