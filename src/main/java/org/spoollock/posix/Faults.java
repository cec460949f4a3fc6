package org.spoollock.posix;

/**
 * Named points where the test harness can stop a writer, to prove crash safety: with the system
 * property {@code spoollock.faults=<point>:pause} the process announces the point on stderr
 * ({@code spoollock-fault <point>}) and sleeps there until it is killed; with {@code <point>:crash}
 * an {@link InjectedCrash} is thrown, leaving files as a kill would (locks are then released by
 * the unwinding, as the kernel would release a dead process's flock); with {@code <point>:stop} the
 * process announces the point and stops itself (SIGSTOP) until the harness sends SIGCONT. Unset, a
 * point costs one volatile read.
 */
public final class Faults {
    private static volatile String SPEC = System.getProperty("spoollock.faults", "");

    private Faults() {
    }

    /** Thrown at a point set to {@code crash}. */
    public static final class InjectedCrash extends Error {
        private static final long serialVersionUID = 1L;

        InjectedCrash(String point) {
            super("injected crash at " + point);
        }
    }

    public static void point(String name) {
        String spec = SPEC;
        if (spec.isEmpty()) {
            return;
        }
        for (String p : spec.split(",")) {
            int c = p.lastIndexOf(':');
            if (c > 0 && p.substring(0, c).equals(name)) {
                String action = p.substring(c + 1);
                if (action.equals("crash")) {
                    throw new InjectedCrash(name);
                }
                if (action.equals("hold")) {
                    // in-process tests: wait here, as a stopped process would, until released
                    HOLDS.computeIfAbsent(name, k -> new Hold()).await();
                    return;
                }
                if (action.equals("stop")) {
                    // the harness: stop here (SIGSTOP to ourselves), resumed by its SIGCONT, as a process
                    // stopped by a job-control signal, a debugger or a frozen VM is
                    System.err.println("spoollock-fault " + name);
                    System.err.flush();
                    try {
                        Posix.get().kill(Posix.get().getpid(),
                                Posix.SIGSTOP);
                        // SIGSTOP sent to the process is taken by whichever thread the kernel picks; until
                        // that thread has run and begun the group stop, this one runs on (on a busy machine,
                        // milliseconds: spooltest/torture at 3d72a85 saw deliverers stopped "at" append.noted
                        // pass their last look at the lock and write before they stopped). Wait here until
                        // the stop has certainly taken hold; the harness's SIGCONT ends the wait.
                        Thread.sleep(200);
                    } catch (java.io.IOException e) {
                        throw new InjectedCrash(name + " (could not stop: " + e.getMessage() + ")");
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InjectedCrash(name + " (interrupted while stopping)");
                    }
                    return;
                }
                if (action.equals("pause")) {
                    System.err.println("spoollock-fault " + name);
                    System.err.flush();
                    while (true) {
                        try {
                            Thread.sleep(60_000);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new InjectedCrash(name);
                        }
                    }
                }
            }
        }
    }

    private static final java.util.concurrent.ConcurrentHashMap<String, Hold> HOLDS = new java.util.concurrent.ConcurrentHashMap<>();

    /** A point set to {@code hold}: reached by the writer, released by the test. */
    private static final class Hold {
        final java.util.concurrent.CountDownLatch reached = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.CountDownLatch released = new java.util.concurrent.CountDownLatch(1);

        void await() {
            reached.countDown();
            try {
                if (!released.await(60, java.util.concurrent.TimeUnit.SECONDS)) {
                    throw new InjectedCrash("hold never released");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InjectedCrash("interrupted hold");
            }
        }
    }

    /** Waits until a writer holds at point {@code name} (armed with {@code hold}); false after 30 s. */
    public static boolean awaitHeld(String name) throws InterruptedException {
        return HOLDS.computeIfAbsent(name, k -> new Hold()).reached.await(30, java.util.concurrent.TimeUnit.SECONDS);
    }

    /** Lets the writer held at {@code name} go on. */
    public static void release(String name) {
        HOLDS.computeIfAbsent(name, k -> new Hold()).released.countDown();
    }

    /** Arms points for in-process tests ("" disarms all); same syntax as the system property. */
    public static void arm(String spec) {
        SPEC = spec == null ? "" : spec;
        HOLDS.clear();
    }

    /** Whether a point is armed (for writers that split their work to stop half-way). */
    public static boolean armed(String name) {
        String spec = SPEC;
        return !spec.isEmpty() && ("," + spec).contains("," + name + ":");
    }
}
