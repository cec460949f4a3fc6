package org.spoollock.lock;

/** Dot-lock contents for tests. */
public final class TestHolders {
    private TestHolders() {
    }

    /** What spoollock writes into its dot-lock, naming a process of this host that has exited: an abandoned lock. */
    public static String deadHolderOnThisHost() throws Exception {
        LockHolder self = LockHolder.self();
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        return gone.pid() + "\nspoollock host=" + self.host() + " start=1 boot=" + self.bootId() + "\n";
    }
}
