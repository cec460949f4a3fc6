package org.spoollock.session;

/** Told about kiss-of-death requests; called on spoollock's own dispatcher thread, never in a signal handler. */
@FunctionalInterface
public interface SessionListener {
    void onEvent(SessionLock lock, SessionEvent event, String detail);
}
