package org.spoollock.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import org.spoollock.session.KissPolicy;
import org.spoollock.session.SessionEvent;
import org.spoollock.session.SessionLock;
import org.spoollock.session.SessionLockOptions;
import org.spoollock.session.SessionOpen;

/**
 * One side of the session kiss-of-death benchmark, a JVM started once and driven line by line on
 * stdin by {@code spooltest/bench/session.py} (so JVM start-up is never timed). It can be the
 * holder, the requester, or each in turn.
 *
 * <pre>
 *   SessionBench MAILBOX
 *     hold     SessionLock.openReadWrite(MAILBOX, yield policy): prints "held NANO" (fails unless read-write);
 *              later, from the kiss-of-death dispatcher, "requested NANO" and "gave-up NANO" when asked
 *     ask      t0 = System.nanoTime(); openReadWrite(MAILBOX, yield policy, ask for 15 s); t1 = nanoTime():
 *              prints "asked T0 T1 read-write|read-only HOLDERPID" (the session is kept, if read-write)
 *     close    closes the session held (from hold or ask), if any: prints "closed"
 *     quit
 * </pre>
 *
 * NANO is System.nanoTime(), CLOCK_MONOTONIC on Linux, comparable between processes of one machine.
 * Start with {@code _JAVA_SR_SIGNUM=39} as bin/spoollock does.
 */
public final class SessionBench {
    private SessionBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: SessionBench MAILBOX (commands on stdin)");
            System.exit(64);
        }
        // As the CLI (org.spoollock.cli.Main): warnings only, so the INFO lines of each request are not timed.
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        Path mbox = Path.of(args[0]).toAbsolutePath();
        SessionLockOptions opts = SessionLockOptions.defaults().withPolicy(KissPolicy.yieldNow())
                .withAskFor(Duration.ofSeconds(15))
                .withListener((lock, event, detail) -> {
                    long t = System.nanoTime();
                    if (event == SessionEvent.REQUESTED) {
                        say("requested " + t);
                    } else if (event == SessionEvent.GAVE_UP) {
                        say("gave-up " + t);
                    } else {
                        say("event " + event + " " + t);
                    }
                });
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        SessionLock held = null;
        try {
            String line;
            while ((line = in.readLine()) != null) {
                String[] w = line.trim().split(" +");
                switch (w[0]) {
                    case "hold": {
                        close(held);
                        SessionOpen o = SessionLock.openReadWrite(mbox, opts);
                        long t = System.nanoTime();
                        if (!o.readWrite()) {
                            throw new IllegalStateException("hold: not read-write: " + o.reason());
                        }
                        held = o.lock();
                        say("held " + t);
                        break;
                    }
                    case "ask": {
                        close(held);
                        held = null;
                        long t0 = System.nanoTime();
                        SessionOpen o = SessionLock.openReadWrite(mbox, opts);
                        long t1 = System.nanoTime();
                        held = o.lock();
                        say("asked " + t0 + " " + t1 + " " + (o.readWrite() ? "read-write" : "read-only") + " "
                                + o.holderPid() + (o.readWrite() ? "" : " " + o.reason()));
                        break;
                    }
                    case "close":
                        close(held);
                        held = null;
                        say("closed");
                        break;
                    case "quit":
                        return;
                    default:
                        throw new IllegalArgumentException("unknown command: " + line);
                }
            }
        } finally {
            close(held);
        }
    }

    private static void close(SessionLock l) {
        if (l != null) {
            l.close(); // a no-op after it was given up
        }
    }

    private static synchronized void say(String s) {
        System.out.println(s);
        System.out.flush();
    }
}
