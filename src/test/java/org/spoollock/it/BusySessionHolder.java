package org.spoollock.it;

import java.nio.file.Path;

import org.spoollock.session.SessionLock;
import org.spoollock.session.SessionLockOptions;
import org.spoollock.session.SessionOpen;

/** Holds a session (so spoollock's SIGUSR2 handler is installed) and keeps a CPU busy, for JFR to sample. Args: MAILBOX SECONDS */
public final class BusySessionHolder {
    public static void main(String[] args) throws Exception {
        SessionOpen open = SessionLock.openReadWrite(Path.of(args[0]), SessionLockOptions.defaults());
        long end = System.nanoTime() + Long.parseLong(args[1]) * 1_000_000_000L;
        long x = 1;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 1_000_000; i++) { // plain Java work, which the execution sampler can walk
                x = x * 6364136223846793005L + 1442695040888963407L;
            }
        }
        System.out.println(open.readWrite() + " " + x);
        open.lock().close();
    }
}
