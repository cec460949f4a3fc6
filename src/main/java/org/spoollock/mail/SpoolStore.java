package org.spoollock.mail;

import java.nio.file.Path;
import java.util.Locale;

import jakarta.mail.Folder;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.URLName;

import org.spoollock.store.Drivers;
import org.spoollock.store.MailboxDriver;
import org.spoollock.store.StorageException;

/**
 * The Jakarta Mail store for local spools: protocol {@code mbox}, {@code mmdf}, {@code tenex}, {@code mtx} or {@code maildir}.
 * {@code session.getFolder(new URLName("mbox:/var/mail/alice"))} opens that file;
 * {@code session.getStore("mbox").getFolder("/var/mail/alice")} likewise; {@code getDefaultFolder()} is
 * the directory of the store's URL file (or {@code /}), whose {@code list()} shows its files. There is
 * no server: connecting only checks that the store is usable.
 */
public class SpoolStore extends Store {
    static {
        StreamProviderLookup.remember(); // before the application parses its first message into a MimeMessage
    }

    private final String protocol;
    final org.spoollock.store.StoreOptions options;
    /** The largest message appendMessages takes ({@code mail.PROTO.maxsize}). */
    final long maxMessageSize;
    /** Why the session's properties for this protocol are not usable (reported at connect), or null. */
    private final String badProperty;

    public SpoolStore(Session session, URLName url) {
        super(session, url);
        this.protocol = url != null && url.getProtocol() != null ? url.getProtocol().toLowerCase(Locale.ROOT) : "mbox";
        org.spoollock.store.StoreOptions o = org.spoollock.store.StoreOptions.defaults();
        long max = SpoolOptions.DEFAULT_MAX_SIZE;
        String bad = null;
        try {
            o = SpoolOptions.from(session.getProperties(), protocol);
            max = SpoolOptions.maxSize(session.getProperties(), protocol);
        } catch (IllegalArgumentException e) {
            // Jakarta Mail would turn an exception here into NoSuchProviderException("mbox"), losing why
            bad = e.getMessage();
        }
        this.options = o;
        this.maxMessageSize = max;
        this.badProperty = bad;
    }

    /** The Jakarta Mail session this store belongs to (its properties shape how messages are read). */
    Session mailSession() {
        return session;
    }

    /** mbox, mmdf, tenex or mtx: the protocol of this store's URL (names its properties). */
    String protocol() {
        return protocol;
    }

    /** The driver of this store's protocol (mbox, mmdf, tenex, mtx): the format of a new or empty mailbox. */
    MailboxDriver protocolDriver() throws StorageException {
        return Drivers.named(protocol);
    }


    @Override
    protected boolean protocolConnect(String host, int port, String user, String password) throws MessagingException {
        if (badProperty != null) {
            throw new MessagingException("spoollock " + protocol + " provider: " + badProperty);
        }
        return true; // local files: nothing to log in to
    }

    @Override
    public Folder getDefaultFolder() throws MessagingException {
        checkConnectedOrConnect();
        String file = url != null ? url.getFile() : null;
        Path p = file == null || file.isEmpty() ? Path.of("/") : Path.of(file.startsWith("/") ? file : "/" + file);
        return new SpoolFolder(this, p.getParent() != null && !java.nio.file.Files.isDirectory(p) ? p.getParent() : p);
    }

    @Override
    public Folder getFolder(String name) throws MessagingException {
        checkConnectedOrConnect();
        return new SpoolFolder(this, Path.of(name));
    }

    @Override
    public Folder getFolder(URLName name) throws MessagingException {
        checkConnectedOrConnect();
        String file = name.getFile();
        return new SpoolFolder(this, Path.of(file.startsWith("/") || name.getHost() == null ? file : "/" + file));
    }

    private void checkConnectedOrConnect() throws MessagingException {
        if (!isConnected()) {
            connect();
        }
    }
}
