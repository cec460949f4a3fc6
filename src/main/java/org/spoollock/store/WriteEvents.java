package org.spoollock.store;

import org.spoollock.lock.FlightRecording;

/**
 * Times a write as a {@link WriteEvent} when the flight recorder is on, and makes no event otherwise
 * (see {@link FlightRecording}: the first event object alone would start JFR's metadata repository).
 */
public final class WriteEvents {
    private WriteEvents() {
    }

    /** A begun event, or null when nothing can record. */
    public static WriteEvent begin() {
        if (!FlightRecording.on()) {
            return null;
        }
        WriteEvent e = new WriteEvent();
        e.begin();
        return e;
    }

    /** Ends {@code event} (null: nothing) and commits it if recorded; -1 messages where not counted. */
    public static void commit(WriteEvent event, String mailbox, String kind, int messages, long bytes) {
        if (event == null) {
            return;
        }
        event.end();
        if (event.shouldCommit()) {
            event.mailbox = mailbox;
            event.kind = kind;
            event.messages = messages;
            event.bytes = bytes;
            event.commit();
        }
    }
}
