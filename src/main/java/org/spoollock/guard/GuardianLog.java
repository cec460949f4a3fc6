package org.spoollock.guard;

/** Where a {@link SpoolGuardian} reports what it did: an event name, then key/value pairs. */
@FunctionalInterface
public interface GuardianLog {
    void log(String event, Object... keyValues);
}
