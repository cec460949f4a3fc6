package org.spoollock.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.spoollock.lock.MailboxLock;
import org.spoollock.session.KissPolicy;
import org.spoollock.session.SessionEvent;
import org.spoollock.session.SessionLock;
import org.spoollock.session.SessionLockOptions;
import org.spoollock.session.SessionOpen;
import org.spoollock.store.Capability;
import org.spoollock.store.Drivers;
import org.spoollock.store.Mailbox;
import org.spoollock.store.MailboxDriver;
import org.spoollock.store.MailboxRef;
import org.spoollock.store.StoreOptions;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code spoollock open MAILBOX}: hold a mailbox read-write as imapd does, answering kiss-of-death requests. */
@Command(name = "open", mixinStandardHelpOptions = true,
        description = {"Open the mailbox read-write as imapd does (session lock, then the layered lock to parse) and hold it.",
                "Prints read-write or read-only first, then one line per event. Exits 0."})
final class OpenCommand implements Callable<Integer> {
    @Mixin
    LockOptionsMixin lockOptions;

    @Option(names = "--hold", paramLabel = "SECS", description = "Hold this long (default: until stdin closes or a signal).")
    Long holdSeconds;

    @Option(names = "--on-kiss", paramLabel = "POLICY", defaultValue = "yield",
            description = "When another process asks for the mailbox: yield (as imapd), idle:SECS (as ipop3d), refuse.")
    String onKiss;

    @Option(names = "--silent", description = "Write no PID: nobody can ask for the mailbox; c-client opens read-only at once.")
    boolean silent;

    @Option(names = "--ask-for", paramLabel = "SECS", defaultValue = "15",
            description = "How long to keep trying after asking the holder (default: ${DEFAULT-VALUE}, as c-client).")
    long askForSeconds;

    @Parameters(index = "0", paramLabel = "MAILBOX", description = "[mbox:|tenex:|mtx:|maildir:]PATH")
    String target;

    Path mailbox;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        MailboxRef ref = Drivers.parse(target);
        mailbox = ref.path();
        MailboxDriver driver = Drivers.driverFor(ref);
        if (!driver.capabilities().contains(Capability.SESSION_HANDOVER)) {
            // c-client's tenex/mtx session: a shared flock kept while open; nobody asks for the mailbox
            for (String o : List.of("--on-kiss", "--silent", "--ask-for")) {
                if (spec.commandLine().getParseResult().hasMatchedOption(o)) {
                    spec.commandLine().getErr().println("spoollock: warning: " + o + " has no effect: " + driver.name()
                            + " mailboxes have no kiss of death (c-client opens them read-write side by side)");
                }
            }
            StoreOptions o = StoreOptions.defaults().withLock(lockOptions.mailboxLockOptions())
                    .withSession(SessionLockOptions.defaults().withDirectory(lockOptions.sessionDir));
            try (Mailbox m = driver.open(ref, true, o)) {
                PrintWriter out = spec.commandLine().getOut();
                out.println("read-write");
                out.flush();
                hold();
            }
            return ExitCodes.OK;
        }
        KissPolicy policy;
        try {
            policy = KissPolicy.parse(onKiss);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        SessionLockOptions options = SessionLockOptions.defaults().withDirectory(lockOptions.sessionDir).withPolicy(policy)
                .withSilent(silent).withAskFor(Duration.ofSeconds(askForSeconds))
                .withListener((lock, event, detail) -> {
                    synchronized (out) {
                        out.println(event == SessionEvent.REQUESTED ? "request received"
                                : event == SessionEvent.GAVE_UP ? "gave up: now read-only" : "kept: " + detail);
                        out.flush();
                    }
                });
        SessionOpen open = SessionLock.openReadWrite(mailbox, options);
        // Then parse under the layered lock, shared, as c-client does (there is nothing to parse yet).
        try (MailboxLock parse = MailboxLock.acquire(mailbox, MailboxLock.Mode.SHARED, Duration.ofSeconds(60),
                lockOptions.mailboxLockOptions())) {
            parse.check();
        } catch (IOException e) {
            if (open.lock() != null) {
                open.lock().close();
            }
            throw e;
        }
        synchronized (out) {
            out.println(open.readWrite() ? "read-write" : "read-only");
            if (open.asked()) {
                out.println("asked pid " + open.holderPid() + " for the mailbox");
            }
            if (!open.readWrite()) {
                out.println("reason: " + open.reason());
            }
            out.flush();
        }
        SessionLock lock = open.lock();
        Thread cleanup = new Thread(() -> {
            if (lock != null) {
                lock.close();
            }
        }, "spoollock-open-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        hold();
        if (lock != null) {
            lock.close();
        }
        Main.removeShutdownHook(cleanup);
        return ExitCodes.OK;
    }

    /** Until --hold seconds pass, or standard input closes. */
    private void hold() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        Thread stdin = new Thread(() -> {
            try {
                InputStream in = System.in;
                byte[] buf = new byte[256];
                while (in.read(buf) >= 0) {
                    // hold until EOF
                }
            } catch (IOException ignored) {
                // treat as closed
            }
            done.countDown();
        }, "spoollock-open-stdin");
        stdin.setDaemon(true);
        if (holdSeconds == null) {
            stdin.start();
            done.await();
        } else {
            done.await(holdSeconds, TimeUnit.SECONDS);
        }
    }
}
