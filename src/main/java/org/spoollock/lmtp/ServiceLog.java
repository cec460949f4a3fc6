package org.spoollock.lmtp;

import java.io.PrintStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The service's log: one line per event on standard error, a UTC timestamp then key=value fields,
 * so that journald keeps it and a script can read it. Values with spaces are quoted.
 */
public final class ServiceLog {
    private final PrintStream out;
    private final String component;

    /** A log of {@code component} ("lmtp", "guard") on {@code out}. */
    public ServiceLog(PrintStream out, String component) {
        this.out = out;
        this.component = component;
    }

    public void log(String event, Object... keyValues) {
        StringBuilder b = new StringBuilder(160);
        b.append(Instant.now().truncatedTo(ChronoUnit.MILLIS)).append(' ').append(component).append(' ').append(event);
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            b.append(' ').append(keyValues[i]).append('=');
            String v = String.valueOf(keyValues[i + 1]).replaceAll("[\\r\\n\\x00-\\x1f]", "?");
            if (v.isEmpty() || v.indexOf(' ') >= 0 || v.indexOf('"') >= 0) {
                b.append('"').append(v.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            } else {
                b.append(v);
            }
        }
        synchronized (out) {
            out.println(b);
        }
    }
}
