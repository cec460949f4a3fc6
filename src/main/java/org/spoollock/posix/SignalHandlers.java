package org.spoollock.posix;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * The one place spoollock installs a handler for a Unix signal (SIGUSR2 for c-client's kiss of death,
 * SIGTERM/SIGINT for the services). The JDK's only way is {@code sun.misc.Signal} (module jdk.unsupported,
 * present in every HotSpot since JDK 1.3); it is reached by reflection so that the build is free of the
 * "internal proprietary API" warnings javac and javadoc give for every mention of it. The handler runs on
 * the JVM's signal dispatch thread: it must only hand work over.
 */
public final class SignalHandlers {
    private SignalHandlers() {
    }

    /**
     * Runs {@code onSignal} whenever signal {@code name} ("USR2", "TERM", "INT") arrives.
     *
     * @throws IllegalArgumentException if this JVM does not let a program handle that signal
     * @throws UnsupportedOperationException if this JVM has no sun.misc.Signal
     */
    public static void handle(String name, Runnable onSignal) {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handler = Class.forName("sun.misc.SignalHandler");
            Object sig = signal.getConstructor(String.class).newInstance(name);
            Object h = Proxy.newProxyInstance(SignalHandlers.class.getClassLoader(), new Class<?>[] {handler},
                    (proxy, method, args) -> {
                        if (method.getName().equals("handle")) {
                            onSignal.run();
                            return null;
                        }
                        return switch (method.getName()) {
                            case "hashCode" -> System.identityHashCode(proxy);
                            case "equals" -> proxy == args[0];
                            default -> "signal handler for SIG" + name;
                        };
                    });
            Method install = signal.getMethod("handle", signal, handler);
            install.invoke(null, sig, h);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof IllegalArgumentException iae) {
                throw iae; // e.g. "Signal already used by VM or OS: SIGUSR2"
            }
            throw new UnsupportedOperationException("cannot handle SIG" + name + ": " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new UnsupportedOperationException("this JVM offers no sun.misc.Signal: " + e, e);
        }
    }
}
