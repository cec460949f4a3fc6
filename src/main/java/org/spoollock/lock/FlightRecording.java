package org.spoollock.lock;

/**
 * Whether JFR can record at all, asked before an event object is made. On JDK 22 and later the first
 * use of any {@code jdk.jfr.Event} subclass registers it, which starts JFR's metadata repository (about
 * 40 ms of a one-message {@code count} on JDK 25, whether or not anything records). Until something has
 * started the flight recorder ({@code -XX:StartFlightRecording}, {@code jcmd PID JFR.start}, the JFR API)
 * no event can be recorded, so the events are then not made at all.
 */
public final class FlightRecording {
    private FlightRecording() {
    }

    /** True once the flight recorder has been started in this JVM. */
    public static boolean on() {
        return jdk.jfr.FlightRecorder.isInitialized();
    }
}
