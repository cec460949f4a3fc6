package org.spoollock.fuzz;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.util.Arrays;

import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs one {@code @FuzzTest} ({@code Class#method}) on the JUnit Platform without Maven, so that
 * spooltest/fuzz/main starts a plain JVM per target (about a second, instead of a Maven build).
 * Jazzer's settings come as system properties and JAZZER_FUZZ from the environment, as under
 * Surefire. Exit status 0 when the test passed, 1 when it failed (a finding), 2 when it did not run.
 */
public final class FuzzMain {
    private FuzzMain() {
    }

    public static void main(String[] args) throws ClassNotFoundException {
        if (args.length != 1 || !args[0].contains("#")) {
            System.err.println("usage: FuzzMain org.spoollock.fuzz.Class#method");
            System.exit(2);
        }
        String[] cm = args[0].split("#", 2);
        Class<?> c = Class.forName(cm[0]);
        Method m = Arrays.stream(c.getDeclaredMethods()).filter(x -> x.getName().equals(cm[1])).findFirst().orElse(null);
        if (m == null) {
            System.err.println("FuzzMain: no method " + cm[1] + " in " + cm[0]);
            System.exit(2);
        }
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectMethod(c, m)).build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        launcher.execute(request, summary);
        TestExecutionSummary s = summary.getSummary();
        PrintWriter out = new PrintWriter(System.out, true);
        s.printFailuresTo(out, 20);
        out.printf("fuzzmain: %s: %d run, %d failed%n", args[0], s.getTestsStartedCount(), s.getTotalFailureCount());
        System.exit(s.getTestsStartedCount() == 0 ? 2 : s.getTotalFailureCount() > 0 ? 1 : 0);
    }
}
