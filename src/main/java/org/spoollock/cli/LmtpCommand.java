package org.spoollock.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import org.spoollock.lmtp.Listen;
import org.spoollock.lmtp.LmtpConfig;
import org.spoollock.lmtp.LmtpServer;
import org.spoollock.lmtp.Users;
import org.spoollock.posix.Posix;
import org.spoollock.store.Drivers;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code spoollock lmtp}: the LMTP delivery service (RFC 2033), in the foreground. */
@Command(name = "lmtp", mixinStandardHelpOptions = true,
        description = {"Run the LMTP delivery service in the foreground, logging to standard error: MTAs (Postfix's",
                "mailbox_transport = lmtp:unix:PATH) hand it mail, and each recipient's copy is appended as",
                "`spoollock deliver` would, under the format's locks, answered 250 only once fsynced. Deliveries",
                "to one mailbox from concurrent connections share the lock, the write and the fsync.",
                "SIGTERM or SIGINT: stop accepting, finish the deliveries under way, answer 421 to the rest,",
                "exit 0. See docs/lmtp.md."})
final class LmtpCommand implements Callable<Integer> {
    @Mixin
    StoreOptionsMixin store;

    @Option(names = "--listen", paramLabel = "HOST:PORT|unix:PATH",
            description = "Where to listen (repeatable; default unix:/run/spoollock/lmtp as root, else 127.0.0.1:2424).")
    List<String> listen = new ArrayList<>();

    @Option(names = "--allow-remote", description = "Allow a listening address other than loopback (LMTP is not for"
            + " the Internet: put it behind your MTA on a trusted network only).")
    boolean allowRemote;

    @Option(names = "--mailbox", paramLabel = "TEMPLATE", defaultValue = "/var/mail/%u",
            description = "Each recipient's mailbox: %%u local part (lower-cased), %%d domain, %%h the user's home,"
                    + " %%%% a percent sign (default: ${DEFAULT-VALUE}).")
    String template;

    @Option(names = "--users", paramLabel = "passwd|any", defaultValue = "passwd",
            description = "passwd: recipients must be system users (550 5.1.1 otherwise); any: any safe local part"
                    + " (virtual spools). Default: ${DEFAULT-VALUE}.")
    String users;

    @Option(names = "--format", paramLabel = "FORMAT", description = "Force the format of every mailbox (default: what"
            + " the file is; mbox for a new one).")
    String format;

    @Option(names = "--max-size", paramLabel = "BYTES", defaultValue = "268435456",
            description = "Refuse larger messages with 552 (default: ${DEFAULT-VALUE}).")
    long maxSize;

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "256",
            description = "More connections at once are answered 421 (default: ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(names = "--idle-timeout", paramLabel = "SECS", defaultValue = "300",
            description = "Close a connection silent this long, with 421 (default: ${DEFAULT-VALUE}).")
    long idleSeconds;

    @Option(names = "--stats-every", paramLabel = "SECS", defaultValue = "60",
            description = "Log a statistics line this often: connections, deliveries, p50/p99 latency, errors"
                    + " (0: never; default: ${DEFAULT-VALUE}).")
    long statsSeconds;

    @Option(names = "--spill-dir", paramLabel = "DIR", description = "Where messages over 4 MB wait while they are"
            + " received (default: java.io.tmpdir).")
    Path spillDir;

    @Option(names = "--guard", paramLabel = "DIR", description = "Also guard this spool directory (repeatable): finish"
            + " the work of killed spoollock writers there (docs/guard.md). The template's directory, when it has"
            + " no %%, is guarded by default.")
    List<Path> guard = new ArrayList<>();

    @Option(names = "--no-guard", description = "Run no spool guardian (another `spoollock guard` watches the spool).")
    boolean noGuard;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        boolean root = Posix.get().geteuid() == 0;
        List<Listen> where = new ArrayList<>();
        try {
            if (listen.isEmpty()) {
                listen.add(root ? "unix:/run/spoollock/lmtp" : "127.0.0.1:2424");
            }
            for (String l : listen) {
                Listen parsed = Listen.parse(l);
                if (!parsed.local() && !allowRemote) {
                    return fail(ExitCodes.USAGE, "--listen " + l + " is not a loopback address or a unix socket; LMTP"
                            + " is not for the Internet (--allow-remote to listen there anyway)");
                }
                where.add(parsed);
            }
            if (format != null) {
                Drivers.named(format);
            }
        } catch (IllegalArgumentException | org.spoollock.store.StorageException e) {
            return fail(ExitCodes.USAGE, e.getMessage());
        }
        Users u;
        try {
            u = Users.valueOf(users.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return fail(ExitCodes.USAGE, "--users " + users + ": say passwd or any");
        }
        for (Listen l : where) {
            if (l.address() instanceof java.net.UnixDomainSocketAddress a && a.getPath().getParent() != null
                    && a.getPath().toString().startsWith("/run/spoollock/")) {
                Files.createDirectories(a.getPath().getParent()); // the default's directory (systemd's RuntimeDirectory= otherwise)
            }
        }
        Path spill = spillDir != null ? spillDir : Path.of(System.getProperty("java.io.tmpdir"));
        LmtpConfig config;
        try {
            config = new LmtpConfig(where, template, format == null ? null : format.toLowerCase(java.util.Locale.ROOT), u,
                    maxSize, maxConnections, Duration.ofSeconds(idleSeconds), Duration.ofSeconds(statsSeconds), spill,
                    Posix.get().hostname(), store.storeOptions(), guarded());
        } catch (IllegalArgumentException e) {
            return fail(ExitCodes.USAGE, e.getMessage());
        }
        CountDownLatch stop = new CountDownLatch(1);
        for (String sig : new String[] {"TERM", "INT"}) {
            org.spoollock.posix.SignalHandlers.handle(sig, stop::countDown);
        }
        LmtpServer server;
        try {
            server = LmtpServer.start(config, System.err);
        } catch (IllegalArgumentException e) {
            return fail(ExitCodes.USAGE, e.getMessage());
        } catch (IOException e) {
            return fail(ExitCodes.TEMPFAIL, e.getMessage());
        }
        stop.await();
        // deliveries under way may wait for a mailbox lock: give them the lock timeout
        server.stop(config.store().timeout().plusSeconds(5));
        return ExitCodes.OK;
    }

    /** The directories the service's guardian watches: --guard's, and the template's own unless --no-guard. */
    private List<Path> guarded() {
        if (noGuard) {
            return List.of();
        }
        List<Path> dirs = new ArrayList<>(guard);
        Path fixed = LmtpConfig.fixedDirectory(template);
        if (fixed != null && Files.isDirectory(fixed) && !dirs.contains(fixed)) {
            dirs.add(fixed);
        }
        return dirs;
    }

    private int fail(int code, String message) {
        spec.commandLine().getErr().println("spoollock: " + message);
        return code;
    }
}
