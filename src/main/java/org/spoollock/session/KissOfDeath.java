package org.spoollock.session;

import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;


/**
 * The JVM's one SIGUSR2 handler. c-client asks a holder to give up a mailbox by sending SIGUSR2 to
 * the PID in the session lock; on JDK 17 that signal crashes a JVM without a handler, so no PID is
 * ever written before this handler is in place.
 *
 * <p>A signal says neither who sent it nor which mailbox is wanted, and the VM sends SIGUSR2 itself
 * unless {@code _JAVA_SR_SIGNUM} moves its suspend signal elsewhere (bin/spoollock sets 39). So a
 * signal is only acted on for a session lock whose file was READ since we last looked: a requester
 * reads the PID before it signals, which moves the file's atime past its mtime (we never read our
 * own lock, and set atime back to mtime after each request). A signal with no such file is ignored.
 * Work happens on a dispatcher thread, never in the signal handler.
 */
final class KissOfDeath {
    private static final System.Logger LOG = System.getLogger(KissOfDeath.class.getName());
    private static final Set<SessionLock> HOLDERS = new CopyOnWriteArraySet<>();
    private static final ExecutorService DISPATCHER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "spoollock-kiss-of-death");
        t.setDaemon(true);
        return t;
    });
    private static boolean installed;
    private static volatile long ignored;

    private KissOfDeath() {
    }

    /** Installs the handler once; false if this JVM does not let us (then never write a PID). */
    static synchronized boolean install() {
        if (installed) {
            return true;
        }
        try {
            org.spoollock.posix.SignalHandlers.handle("USR2", () -> DISPATCHER.execute(KissOfDeath::dispatch));
            installed = true;
            if (System.getenv("_JAVA_SR_SIGNUM") == null) {
                LOG.log(System.Logger.Level.WARNING, "_JAVA_SR_SIGNUM is not set: the VM's own suspend signals are"
                        + " SIGUSR2 too, so JFR's execution sampler stops working while spoollock handles SIGUSR2"
                        + " (start the JVM with _JAVA_SR_SIGNUM=39, as bin/spoollock does)");
            }
            return true;
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot handle SIGUSR2 in this JVM (" + e.getMessage()
                    + "): sessions will be silent, so c-client opens read-only instead of asking");
            return false;
        }
    }

    static void register(SessionLock lock) {
        HOLDERS.add(lock);
    }

    static void unregister(SessionLock lock) {
        HOLDERS.remove(lock);
    }

    /** How many signals were ignored because no session lock had been read (stray or the VM's own). */
    static long ignoredSignals() {
        return ignored;
    }

    private static void dispatch() {
        boolean any = false;
        for (SessionLock lock : HOLDERS) {
            try {
                if (lock.wasRead()) {
                    any = true;
                    lock.onRequest();
                }
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "handling a request for " + lock.mailbox() + " failed", e);
            }
        }
        if (!any) {
            ignored++;
            LOG.log(System.Logger.Level.DEBUG, "SIGUSR2 with no session lock read since last time: ignored");
        }
    }
}
