package org.spoollock.store;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;

/**
 * The registry of mailbox formats: parses {@code [driver:]location}, finds a location's driver by
 * probing (as c-client asks each driver's {@code valid}), and opens, creates and delivers through it.
 * Drivers are loaded once, in the order META-INF/services lists them; the first is the default for a
 * mailbox that does not exist yet or is empty (mbox, as c-client's default driver).
 */
public final class Drivers {
    private static final List<MailboxDriver> ALL = load();

    private Drivers() {
    }

    private static List<MailboxDriver> load() {
        List<MailboxDriver> out = new ArrayList<>();
        for (MailboxDriver d : ServiceLoader.load(MailboxDriver.class, Drivers.class.getClassLoader())) {
            out.add(d);
        }
        if (out.isEmpty()) {
            throw new IllegalStateException("no mailbox drivers found (META-INF/services/" + MailboxDriver.class.getName() + ")");
        }
        return List.copyOf(out);
    }

    public static List<MailboxDriver> all() {
        return ALL;
    }

    /** The names of every driver, for usage messages. */
    public static List<String> names() {
        return ALL.stream().map(MailboxDriver::name).toList();
    }

    /** The driver called {@code name}; {@link StorageException.Category#INVALID_INPUT} if there is none. */
    public static MailboxDriver named(String name) throws StorageException {
        for (MailboxDriver d : ALL) {
            if (d.name().equals(name.toLowerCase(Locale.ROOT))) {
                return d;
            }
        }
        throw new StorageException(StorageException.Category.INVALID_INPUT, "no mailbox format \"" + name + "\" (known: "
                + names() + ")");
    }

    /** The default driver: for a mailbox that does not exist or is empty, without a prefix. */
    public static MailboxDriver fallback() {
        return ALL.get(0);
    }

    /**
     * Parses {@code [driver:]location}. A prefix that names no driver is part of the location (a file
     * may be called {@code a:b}); {@code driver://...} URLs keep their whole text as the location.
     */
    public static MailboxRef parse(String name) {
        int colon = name.indexOf(':');
        if (colon > 0) {
            String prefix = name.substring(0, colon).toLowerCase(Locale.ROOT);
            for (MailboxDriver d : ALL) {
                if (d.name().equals(prefix)) {
                    String rest = name.substring(colon + 1);
                    return new MailboxRef(prefix, rest.startsWith("//") ? name : rest);
                }
            }
        }
        return new MailboxRef(null, name);
    }

    /**
     * The driver for {@code ref}: the forced one, else the one whose probe says MINE, else the default
     * (a missing or empty mailbox; a file no driver recognises goes to the default too, whose parser
     * then refuses it with its own clear error, as c-client's would).
     */
    public static MailboxDriver driverFor(MailboxRef ref) throws IOException {
        MailboxDriver d = detect(ref);
        return d != null ? d : fallback();
    }

    /** Like {@link #driverFor}, but null where no driver recognises it (missing, empty, or unknown content). */
    public static MailboxDriver detect(MailboxRef ref) throws IOException {
        if (ref.driver() != null) {
            return named(ref.driver());
        }
        FileProbe.Head head = FileProbe.head(ref.path());
        for (MailboxDriver d : ALL) {
            if (d.probe(ref, head) == MailboxDriver.Probe.MINE) {
                return d;
            }
        }
        return null;
    }

    public static Mailbox open(MailboxRef ref, boolean readWrite, StoreOptions options) throws IOException {
        return driverFor(ref).open(ref, readWrite, options);
    }

    public static void append(MailboxRef ref, List<NewMessage> messages, boolean create, StoreOptions options)
            throws IOException {
        driverFor(ref).append(ref, messages, create, options);
    }
}
