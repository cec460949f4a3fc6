package org.spoollock.it;

import java.nio.file.Path;
import java.util.List;

/** A real program that takes mailbox dot-locks, and how to make it hold, try, or run a command. */
enum Peer {
    C_CLIENT("c-client dotlock_lock()") {
        @Override
        List<String> hold(Path mbox) {
            return Peers.asUser(Peers.cclient(), "hold", mbox.toString());
        }

        @Override
        List<String> tryOnce(Path mbox) {
            // c-client has no non-blocking mode: it waits ~5 minutes. Give it 3 s while we hold.
            return Peers.asUser("timeout", "3", Peers.cclient(), "run", mbox.toString(), "true");
        }

        @Override
        List<String> run(Path mbox, String... cmd) {
            return Peers.asUser(concat(List.of(Peers.cclient(), "run", mbox.toString()), cmd));
        }
    },
    PROCMAIL("procmail lockfile") {
        @Override
        List<String> hold(Path mbox) {
            return Peers.asUser("sh", "-c", "lockfile -r 0 \"$0\" || exit 1; echo locked; cat >/dev/null; rm -f \"$0\"",
                    mbox + ".lock");
        }

        @Override
        List<String> tryOnce(Path mbox) {
            return Peers.asUser("sh", "-c", "lockfile -r 0 \"$0\" && rm -f \"$0\"", mbox + ".lock");
        }

        @Override
        List<String> run(Path mbox, String... cmd) {
            return Peers.asUser(concat(List.of("sh", "-c",
                    "l=\"$0\"; lockfile -1 -r 200 \"$l\" || exit 75; \"$@\"; s=$?; rm -f \"$l\"; exit $s",
                    mbox + ".lock"), cmd));
        }
    },
    LIBLOCKFILE("liblockfile dotlockfile") {
        @Override
        List<String> hold(Path mbox) {
            return Peers.asUser("sh", "-c", "dotlockfile -p -r 0 -l \"$0\" || exit 1; echo locked; cat >/dev/null;"
                    + " dotlockfile -u \"$0\"", mbox + ".lock");
        }

        @Override
        List<String> tryOnce(Path mbox) {
            return Peers.asUser("sh", "-c", "dotlockfile -r 0 -l \"$0\" && dotlockfile -u \"$0\"", mbox + ".lock");
        }

        @Override
        List<String> run(Path mbox, String... cmd) {
            return Peers.asUser(concat(List.of("sh", "-c",
                    "l=\"$0\"; dotlockfile -p -i 1 -r 200 -l \"$l\" || exit 75; \"$@\"; s=$?; dotlockfile -u \"$l\"; exit $s",
                    mbox + ".lock"), cmd));
        }
    },
    PYTHON("Python mailbox") {
        @Override
        List<String> hold(Path mbox) {
            return Peers.asUser("python3", Peers.pylock(), "hold", mbox.toString());
        }

        @Override
        List<String> tryOnce(Path mbox) {
            return Peers.asUser("python3", Peers.pylock(), "try", mbox.toString());
        }

        @Override
        List<String> run(Path mbox, String... cmd) {
            return Peers.asUser(concat(List.of("python3", Peers.pylock(), "run", mbox.toString()), cmd));
        }
    };

    final String label;

    Peer(String label) {
        this.label = label;
    }

    /** Takes the lock, prints "locked", holds it until stdin closes. */
    abstract List<String> hold(Path mbox);

    /** Tries once (c-client: for 3 s); exit 0 if it got (and released) the lock. */
    abstract List<String> tryOnce(Path mbox);

    /** Waits for the lock, runs cmd, releases. */
    abstract List<String> run(Path mbox, String... cmd);

    static List<String> concat(List<String> head, String... tail) {
        List<String> l = new java.util.ArrayList<>(head);
        l.addAll(List.of(tail));
        return l;
    }

    @Override
    public String toString() {
        return label;
    }
}
