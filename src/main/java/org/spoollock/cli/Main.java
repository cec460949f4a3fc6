package org.spoollock.cli;

import java.io.IOException;
import java.io.PrintWriter;

import org.spoollock.posix.NativePosixUnavailableException;
import org.spoollock.posix.PosixFailure;
import org.spoollock.store.StorageErrors;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine;

/** The {@code spoollock} command line. */
@Command(name = "spoollock", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Locks and stores Unix mail spools the way UW IMAP's c-client does.",
        exitCodeOnInvalidInput = ExitCodes.USAGE, exitCodeOnExecutionException = ExitCodes.SOFTWARE)
public final class Main implements Runnable {

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Print stack traces for errors.")
    boolean debug;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** The subcommands, in the order help lists them. */
    private static final java.util.Map<String, java.util.function.Supplier<Object>> COMMANDS = new java.util.LinkedHashMap<>();

    static {
        COMMANDS.put("lock", LockCommand::new);
        COMMANDS.put("locks", LocksCommand::new);
        COMMANDS.put("open", OpenCommand::new);
        COMMANDS.put("count", CountCommand::new);
        COMMANDS.put("list", ListCommand::new);
        COMMANDS.put("deliver", DeliverCommand::new);
        COMMANDS.put("flag", FlagCommand::new);
        COMMANDS.put("expunge", ExpungeCommand::new);
        COMMANDS.put("check", CheckCommand::new);
        COMMANDS.put("copy", CopyCommand::new);
        COMMANDS.put("lmtp", LmtpCommand::new);
        COMMANDS.put("guard", GuardCommand::new);
        COMMANDS.put("demo", DemoCommand::new);
    }

    /** The command names, as the launcher's class-data archive choice must list them too (CommandNamesTest). */
    static java.util.Set<String> commandNames() {
        return java.util.Collections.unmodifiableSet(COMMANDS.keySet());
    }

    /** A fresh instance of the named command's class. */
    static Object command(String name) {
        return COMMANDS.get(name).get();
    }

    /** The command line with every command (help, man pages, completion). */
    static CommandLine fullCommandLine() {
        CommandLine cl = new CommandLine(new Main());
        for (java.util.Map.Entry<String, java.util.function.Supplier<Object>> c : COMMANDS.entrySet()) {
            cl.addSubcommand(c.getKey(), c.getValue().get());
        }
        return cl;
    }

    /** Runs the CLI and returns its exit status (for tests and the demo). */
    public static int run(String... args) {
        System.setProperty("java.util.logging.SimpleFormatter.format", "spoollock: %4$s: %5$s%6$s%n");
        // The CLI prints what happens itself; the library's INFO lines would say it twice.
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        // Only the command asked for is built: picocli reads every command's annotations by reflection,
        // ~0.3 s of a ~0.8 s start for all eleven, paid by every delivery of an MDA. Help, a mistyped or
        // a missing command get them all. The short commands' models come from the build (PrebuiltModel),
        // without reading annotations at all, unless help or the version is asked for.
        String named = null;
        for (String a : args) {
            if (!a.startsWith("-")) {
                named = COMMANDS.containsKey(a) ? a : null;
                break;
            }
        }
        CommandLine cl = null;
        if (named != null && PrebuiltModel.COMMANDS.contains(named) && !asksForHelp(args)) {
            cl = PrebuiltModel.commandLine(new Main(), named, command(named));
        }
        if (cl == null) {
            cl = new CommandLine(new Main());
            for (java.util.Map.Entry<String, java.util.function.Supplier<Object>> c : COMMANDS.entrySet()) {
                if (named == null || named.equals(c.getKey())) {
                    cl.addSubcommand(c.getKey(), c.getValue().get());
                }
            }
        }
        // picocli converts to Path by reflection (Paths.get through Method.invoke), which spins method-handle
        // classes at every start; the same call, made directly
        cl.registerConverter(java.nio.file.Path.class, s -> java.nio.file.Path.of(s));
        cl.setParameterExceptionHandler(Main::usageError);
        cl.setExecutionExceptionHandler(Main::failure);
        CommandLine flag = cl.getSubcommands().get("flag");
        if (flag != null) {
            // "flag MBOX 1 -\\Seen" clears a flag: a leading '-' there is not an option
            flag.setUnmatchedOptionsArePositionalParams(true);
        }
        return cl.execute(args);
    }

    /**
     * Whether an argument could be -h, --help, -V or --version, alone or in a cluster of short options (whose
     * usage text the prebuilt model leaves out). A flag or value that only looks like one costs the annotated
     * model's start-up, nothing else.
     */
    static boolean asksForHelp(String[] args) {
        for (String a : args) {
            if (a.equals("--help") || a.equals("--version")
                    || (a.startsWith("-") && !a.startsWith("--") && (a.indexOf('h') > 0 || a.indexOf('V') > 0))) {
                return true;
            }
        }
        return false;
    }

    private static int usageError(CommandLine.ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("spoollock: " + ex.getMessage());
        err.println("try '" + cmd.getCommandSpec().qualifiedName() + " --help'");
        return ExitCodes.USAGE;
    }

    private static int failure(Exception ex, CommandLine cmd, CommandLine.ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        boolean debug = parsed.hasMatchedOption("--debug")
                || (parsed.subcommand() != null && parsed.subcommand().hasMatchedOption("--debug"));
        err.println("spoollock: " + oneLine(ex));
        if (debug) {
            ex.printStackTrace(err);
        }
        err.flush();
        return exitCodeFor(ex);
    }

    /** Removes a cleanup hook, unless the JVM is already shutting down (then the hook runs anyway). */
    static void removeShutdownHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // a signal arrived meanwhile: the hook releases, idempotently
        }
    }

    static String oneLine(Throwable ex) {
        if (ex instanceof java.nio.file.FileSystemException fs && !(ex instanceof PosixFailure)) {
            // the JDK's own: its message is often the bare path; say what happened to it
            String reason = fs.getReason() != null ? fs.getReason()
                    : ex instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : ex instanceof java.nio.file.NoSuchFileException ? "no such file" : ex.getClass().getSimpleName();
            return fs.getFile() + (fs.getOtherFile() != null ? " -> " + fs.getOtherFile() : "") + ": " + reason;
        }
        String m = ex.getMessage();
        return m == null || m.isBlank() ? ex.getClass().getSimpleName() : m;
    }

    /** Each failure's sysexits code, from its category (StorageErrors); documented in docs/errors.md. */
    static int exitCodeFor(Throwable ex) {
        if (ex instanceof NativePosixUnavailableException) {
            return ExitCodes.SOFTWARE;
        }
        return switch (StorageErrors.categoryOf(ex)) {
            case NO_SPACE, TEMPORARY, IN_USE, CHANGED -> ExitCodes.TEMPFAIL;
            // bad input for this mailbox (e.g. a keyword tenex cannot keep) is bad data, as for deliver (65)
            case INVALID_DATA, INVALID_INPUT -> ExitCodes.DATAERR;
            case PERMISSION -> ExitCodes.NOPERM;
            case NOT_FOUND -> ExitCodes.NOINPUT;
            // EXISTS stays an I/O error, as it was before categories (docs/errors.md)
            case EXISTS, INTERNAL -> ex instanceof IOException ? ExitCodes.IOERR : ExitCodes.SOFTWARE;
        };
    }

    /** The version from the jar manifest, or "dev" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"spoollock " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")"};
        }
    }
}
