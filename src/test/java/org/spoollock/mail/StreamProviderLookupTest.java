package org.spoollock.mail;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class StreamProviderLookupTest {
    /** The property names what Jakarta Mail's own scan finds (Angus Mail's), and an application's own choice stays. */
    @Test
    void rememberedOnceAsTheScanFindsItAndAnApplicationsChoiceIsKept() {
        String before = System.getProperty(StreamProviderLookup.PROPERTY);
        try {
            System.clearProperty(StreamProviderLookup.PROPERTY);
            StreamProviderLookup.remember();
            assertEquals("org.eclipse.angus.mail.util.MailStreamProvider", System.getProperty(StreamProviderLookup.PROPERTY));
            System.setProperty(StreamProviderLookup.PROPERTY, "com.example.Mine");
            StreamProviderLookup.remember();
            assertEquals("com.example.Mine", System.getProperty(StreamProviderLookup.PROPERTY));
        } finally {
            if (before == null) {
                System.clearProperty(StreamProviderLookup.PROPERTY);
            } else {
                System.setProperty(StreamProviderLookup.PROPERTY, before);
            }
        }
    }
}
