package org.spoollock.session;

import java.time.Duration;
import java.util.Locale;

/**
 * What a read-write holder does when another process asks for its mailbox (c-client's "kiss of
 * death", SIGUSR2): give it up now, as imapd does; give it up only when idle for a while, as ipop3d
 * does (5 minutes); or keep it.
 */
public record KissPolicy(Kind kind, Duration idleFor) {

    public enum Kind { YIELD, IDLE, REFUSE }

    public static KissPolicy yieldNow() {
        return new KissPolicy(Kind.YIELD, Duration.ZERO);
    }

    public static KissPolicy whenIdle(Duration idle) {
        if (idle.isNegative()) {
            throw new IllegalArgumentException("idle time must not be negative");
        }
        return new KissPolicy(Kind.IDLE, idle);
    }

    public static KissPolicy refuse() {
        return new KissPolicy(Kind.REFUSE, Duration.ZERO);
    }

    /** Parses "yield", "idle:SECS" or "refuse". */
    public static KissPolicy parse(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        if (t.equals("yield")) {
            return yieldNow();
        }
        if (t.equals("refuse")) {
            return refuse();
        }
        if (t.startsWith("idle:")) {
            try {
                return whenIdle(Duration.ofSeconds(Long.parseLong(t.substring(5))));
            } catch (NumberFormatException e) {
                // fall through to the error
            }
        }
        throw new IllegalArgumentException("unknown kiss-of-death policy '" + s + "' (yield, idle:SECS or refuse)");
    }

    @Override
    public String toString() {
        return kind == Kind.IDLE ? "idle:" + idleFor.toSeconds() : kind.name().toLowerCase(Locale.ROOT);
    }
}
