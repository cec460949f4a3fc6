package org.spoollock.bench;

import static org.spoollock.bench.BenchSupport.end;
import static org.spoollock.bench.BenchSupport.say;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.spoollock.lock.LockProfile;
import org.spoollock.lock.LockState;
import org.spoollock.lock.MailboxLock;
import org.spoollock.lock.MailboxLockOptions;

/**
 * One side of the layered (MailboxLock) handoff benchmark, driven line by line on stdin by
 * {@code spooltest/bench/mboxlock.py}, which runs two of these as separate JVMs. The same protocol
 * as {@link HandoffBench}, on the whole c-client lock (dot-lock, open, flock) instead of the
 * dot-lock alone.
 *
 * <pre>
 *   MailboxHandoffBench MAILBOX [cclient|dovecot|all]     (the mailbox is created empty if missing)
 *     acquire       take the lock EXCLUSIVE (waiting, up to 30 s): prints "waiting" before, then
 *                   "acquired NANO" once it has it
 *     release MS    sleep MS ms, note the time, release: prints "released NANO"
 *     cycle         acquire, note the time, release at once: prints "waiting", then "acquired NANO"
 *     quit
 * </pre>
 *
 * NANO is System.nanoTime(), CLOCK_MONOTONIC on Linux, comparable between processes of one machine.
 */
public final class MailboxHandoffBench {
    private MailboxHandoffBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: MailboxHandoffBench MAILBOX [cclient|dovecot|all] (commands on stdin)");
            System.exit(64);
        }
        Path mbox = Path.of(args[0]).toAbsolutePath();
        if (!Files.exists(mbox)) {
            try {
                Files.createFile(mbox);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // the other side made it
            }
        }
        MailboxLockOptions opts = MailboxLockOptions.defaults()
                .withProfile(args.length > 1 ? LockProfile.parse(args[1]) : LockProfile.CCLIENT);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        MailboxLock held = null;
        try {
            String line;
            while ((line = in.readLine()) != null) {
                String[] w = line.trim().split(" +");
                switch (w[0]) {
                    case "acquire":
                    case "cycle": {
                        say("waiting");
                        MailboxLock lock = MailboxLock.acquire(mbox, MailboxLock.Mode.EXCLUSIVE, Duration.ofSeconds(30), opts);
                        long t = System.nanoTime();
                        if (w[0].equals("cycle")) {
                            end(lock.release());
                        } else {
                            held = lock;
                        }
                        say("acquired " + t);
                        break;
                    }
                    case "release": {
                        if (held == null) {
                            throw new IllegalStateException("release without acquire");
                        }
                        Thread.sleep(Long.parseLong(w[1]));
                        long t = System.nanoTime();
                        MailboxLock h = held;
                        held = null;
                        end(h.release());
                        say("released " + t);
                        break;
                    }
                    case "quit":
                        return;
                    default:
                        throw new IllegalArgumentException("unknown command: " + line);
                }
            }
        } finally {
            if (held != null) {
                held.release();
            }
        }
    }

}
