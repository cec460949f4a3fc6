package org.spoollock.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

import org.spoollock.lock.LockState;
import org.spoollock.lock.MailboxLock;
import org.spoollock.lock.MailboxLockOptions;
import org.spoollock.session.SessionLockOptions;
import org.spoollock.store.Drivers;
import org.spoollock.store.MailboxDriver;
import org.spoollock.store.MailboxRef;
import org.spoollock.store.StoreOptions;
import org.spoollock.store.journal.Recovery;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code spoollock lock MAILBOX -- COMMAND...}: run a command while holding the mailbox's locks. */
@Command(name = "lock", mixinStandardHelpOptions = true,
        description = {"Take the mailbox's locks in c-client's order (dot-lock, flock, POSIX), run COMMAND, release them.",
                "Exclusive unless --shared. Exits with COMMAND's status; 75 (EX_TEMPFAIL) if the locks were not had in time."})
final class LockCommand implements Callable<Integer> {
    @Mixin
    LockOptionsMixin lockOptions;

    @Option(names = "--shared", description = "Take shared (read) locks; the dot-lock is held only while they are taken.")
    boolean shared;

    @Option(names = "--create", description = "Create the mailbox (mode 0600) if it does not exist.")
    boolean create;

    @Option(names = "--timeout", paramLabel = "SECS",
            description = "Give up after SECS seconds (default: the stale period plus 60 s, long enough to break a stale lock).")
    Long timeoutSeconds;

    @Parameters(index = "0", paramLabel = "MAILBOX", description = "The mailbox file, e.g. /var/mail/alice.")
    Path mailbox;

    @Parameters(index = "1..*", paramLabel = "COMMAND", arity = "1..*", description = "The command to run, after --.")
    List<String> command;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /**
     * A spoollock writer killed mid-write leaves its note or journal beside the mailbox, and the lock it
     * left is broken at once as a dead holder's. Whoever takes the lock next must finish that write
     * first, as every store command does: else COMMAND, and every peer after us (c-client, procmail,
     * Python), would find a half-written message or a half-applied rewrite. A store open does it.
     */
    private void finishInterruptedWrite(MailboxLockOptions options, Duration timeout) throws IOException {
        MailboxDriver d = driver();
        if (d != null) {
            d.recover(MailboxRef.of(mailbox), storeOptions(options, timeout));
        }
    }

    /** The mailbox's format, from its content; null where there is no file (yet: --create). */
    private MailboxDriver driver() throws IOException {
        return Files.isRegularFile(mailbox, LinkOption.NOFOLLOW_LINKS) ? Drivers.driverFor(MailboxRef.of(mailbox)) : null;
    }

    private StoreOptions storeOptions(MailboxLockOptions options, Duration timeout) {
        return StoreOptions.defaults().withLock(options).withTimeout(timeout)
                .withSession(SessionLockOptions.defaults().withDirectory(lockOptions.sessionDir));
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (timeoutSeconds != null && timeoutSeconds < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--timeout must not be negative");
        }
        MailboxLockOptions options = lockOptions.mailboxLockOptions().withCreateMissing(create);
        Duration timeout = timeoutSeconds != null ? Duration.ofSeconds(timeoutSeconds)
                : options.dotLock().staleAfter().plusSeconds(60);
        MailboxLock lock = Recovery.lockFinished(mailbox,
                () -> finishInterruptedWrite(options, timeout),
                () -> MailboxLock.acquire(mailbox, shared ? MailboxLock.Mode.SHARED : MailboxLock.Mode.EXCLUSIVE,
                        timeout, options),
                held -> {
                    MailboxDriver d = driver();
                    return d != null && d.recoverHolding(MailboxRef.of(mailbox), held, timeout);
                });
        for (String w : lock.fileSystem().warnings()) {
            spec.commandLine().getErr().println("spoollock: warning: " + w);
        }
        Process child;
        try {
            child = new ProcessBuilder(command).inheritIO().start();
        } catch (IOException e) {
            lock.release();
            throw new IOException("cannot run " + command.get(0) + ": " + Main.oneLine(e), e);
        }
        // A signal to us (Ctrl-C, kill) must not leave the lock behind or the child running unlocked.
        // The child does not inherit our lock descriptors (O_CLOEXEC), so it cannot keep them alive.
        Thread cleanup = new Thread(() -> {
            if (child.isAlive()) {
                child.destroy();
                try {
                    child.waitFor();
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            }
            try {
                lock.release();
            } catch (IOException ignored) {
                // exiting anyway
            }
        }, "spoollock-lock-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        int status = child.waitFor();
        LockState end = lock.release();
        Main.removeShutdownHook(cleanup);
        if (end != LockState.RELEASED) {
            spec.commandLine().getErr().println("spoollock: warning: the lock on " + mailbox + " was "
                    + (end == LockState.LOST ? "removed by someone else (dot-lock), or the mailbox was replaced"
                    : "replaced by another holder")
                    + " while " + command.get(0) + " ran: its work was not protected");
        }
        return status;
    }
}
