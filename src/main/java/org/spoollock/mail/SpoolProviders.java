package org.spoollock.mail;

import jakarta.mail.Provider;

/**
 * The providers Jakarta Mail finds through {@code META-INF/services/jakarta.mail.Provider} (the
 * ServiceLoader lookup Angus Mail registers its own with), one per protocol.
 */
public final class SpoolProviders {
    private static final String VENDOR = "spoollock";
    private static final String VERSION = "0.1";

    private SpoolProviders() {
    }

    public static final class Mbox extends Provider {
        public Mbox() {
            super(Type.STORE, "mbox", SpoolStore.class.getName(), VENDOR, VERSION);
        }
    }

    public static final class Mmdf extends Provider {
        public Mmdf() {
            super(Type.STORE, "mmdf", SpoolStore.class.getName(), VENDOR, VERSION);
        }
    }

    public static final class Tenex extends Provider {
        public Tenex() {
            super(Type.STORE, "tenex", SpoolStore.class.getName(), VENDOR, VERSION);
        }
    }

    public static final class Mtx extends Provider {
        public Mtx() {
            super(Type.STORE, "mtx", SpoolStore.class.getName(), VENDOR, VERSION);
        }
    }

    public static final class Mbx extends Provider {
        public Mbx() {
            super(Type.STORE, "mbx", SpoolStore.class.getName(), VENDOR, VERSION);
        }
    }

    public static final class Mix extends Provider {
        public Mix() {
            super(Type.STORE, "mix", SpoolStore.class.getName(), VENDOR, VERSION);
        }
    }

    public static final class Maildir extends Provider {
        public Maildir() {
            super(Type.STORE, "maildir", SpoolStore.class.getName(), VENDOR, VERSION);
        }
    }
}
