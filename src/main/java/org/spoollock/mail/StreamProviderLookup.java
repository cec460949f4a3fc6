package org.spoollock.mail;

import java.util.ServiceLoader;

import jakarta.mail.util.StreamProvider;

/**
 * Jakarta Mail 2.1 looks its {@link StreamProvider} up through {@link ServiceLoader} every time one is
 * needed, and {@code new MimeMessage(session, stream)} needs one for every message it parses: a scan of
 * the class path per message (jakartaee/mail-api#861, open). For a server appending messages one at a
 * time that was a third of the CPU of an APPEND (measured here: 1,560 msg/s through the provider,
 * 2,270 msg/s with the lookup answered from the system property). Jakarta Mail reads the system
 * property {@code jakarta.mail.util.StreamProvider} before it scans; this sets it, once, to the class
 * the scan finds first, so the answer is the same and only the scan is saved. An application that sets
 * the property itself is left alone.
 */
final class StreamProviderLookup {
    static final String PROPERTY = "jakarta.mail.util.StreamProvider";

    private StreamProviderLookup() {
    }

    static void remember() {
        try {
            if (System.getProperty(PROPERTY) != null) {
                return;
            }
            ClassLoader cl = Thread.currentThread().getContextClassLoader();
            ServiceLoader<StreamProvider> found = ServiceLoader.load(StreamProvider.class,
                    cl != null ? cl : StreamProviderLookup.class.getClassLoader());
            found.findFirst().ifPresent(p -> System.setProperty(PROPERTY, p.getClass().getName()));
        } catch (RuntimeException | java.util.ServiceConfigurationError e) {
            // nothing found or not allowed (a security manager): Jakarta Mail keeps looking up as before
        }
    }
}
