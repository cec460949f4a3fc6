package org.spoollock.store.imap;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Folder;
import jakarta.mail.FolderClosedException;
import jakarta.mail.FolderNotFoundException;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.StoreClosedException;

import org.eclipse.angus.mail.iap.CommandFailedException;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.spoollock.store.StorageException;
import org.spoollock.store.StoreOptions;

/**
 * A logged-in connection to one IMAP folder through Angus Mail's IMAP provider, and this package's one
 * place that turns Jakarta Mail's exceptions into {@link StorageException}s naming the server, the folder
 * and what it said. The password comes from {@link StoreOptions#passwordFile} (its first line) or else the
 * environment variable {@value #PASSWORD_ENV}.
 */
final class ImapConnection implements AutoCloseable {
    static final String PASSWORD_ENV = "SPOOLLOCK_IMAP_PASSWORD";

    final ImapLocation where;
    final Session session;
    private final Store store;
    final IMAPFolder folder;

    private ImapConnection(ImapLocation where, Session session, Store store, IMAPFolder folder) {
        this.where = where;
        this.session = session;
        this.store = store;
        this.folder = folder;
    }

    /** Logs in and finds the folder (not opened); NOT_FOUND if it does not exist, unless {@code create}. */
    static ImapConnection connect(ImapLocation where, StoreOptions options, boolean create) throws IOException {
        String p = where.protocol();
        Properties props = new Properties();
        long ms = options.timeout().toMillis();
        props.setProperty("mail." + p + ".connectiontimeout", Long.toString(Math.min(ms, 60_000)));
        props.setProperty("mail." + p + ".timeout", Long.toString(ms));
        props.setProperty("mail." + p + ".writetimeout", Long.toString(ms));
        // reading a message must not mark it \Seen: a migration reads, it does not change the source
        props.setProperty("mail." + p + ".peek", "true");
        if (where.tls()) {
            props.setProperty("mail.imaps.ssl.checkserveridentity", "true");
        }
        Session session = Session.getInstance(props);
        Store store;
        try {
            store = session.getStore(p);
            store.connect(where.host(), where.port(), where.user(), password(where, options));
        } catch (MessagingException e) {
            throw translate(where, "log in", e);
        }
        try {
            char separator = store.getDefaultFolder().getSeparator();
            IMAPFolder f = (IMAPFolder) store.getFolder(where.folderName(separator));
            if (!f.exists()) {
                if (!create) {
                    throw new StorageException(StorageException.Category.NOT_FOUND, where + ": the server has no folder \""
                            + where.folder() + "\"");
                }
                if (!f.create(Folder.HOLDS_MESSAGES)) {
                    throw new StorageException(StorageException.Category.PERMISSION, where + ": the server refused to"
                            + " create the folder \"" + where.folder() + "\"");
                }
            }
            return new ImapConnection(where, session, store, f);
        } catch (MessagingException e) {
            closeQuietly(store);
            throw translate(where, "find the folder", e);
        } catch (IOException | RuntimeException e) {
            closeQuietly(store);
            throw e;
        }
    }

    private static String password(ImapLocation where, StoreOptions options) throws StorageException {
        Path file = options.passwordFile();
        if (file != null) {
            try {
                String s = Files.readString(file, StandardCharsets.UTF_8);
                int nl = s.indexOf('\n');
                return (nl >= 0 ? s.substring(0, nl) : s).replace("\r", "");
            } catch (IOException e) {
                throw new StorageException(StorageException.Category.PERMISSION, where + ": cannot read the password file "
                        + file + ": " + e.getMessage(), e);
            }
        }
        String env = System.getenv(PASSWORD_ENV);
        if (env == null) {
            throw new StorageException(StorageException.Category.INVALID_INPUT, where + ": no password: set " + PASSWORD_ENV
                    + " or give --password-file");
        }
        return env;
    }

    /**
     * What went wrong, as a StorageException of the category a caller acts on: a refused login or
     * permission (PERMISSION), a missing folder (NOT_FOUND), a server that is unreachable, timed out or
     * dropped the connection (TEMPORARY: the copy's --resume goes on from where it stopped), a full mailbox
     * (NO_SPACE), and anything else the server refused (INTERNAL, with its words).
     */
    static StorageException translate(ImapLocation where, String doing, MessagingException e) {
        String said = e.getMessage() == null ? e.toString() : e.getMessage();
        StorageException.Category c;
        if (e instanceof AuthenticationFailedException) {
            c = StorageException.Category.PERMISSION;
        } else if (e instanceof FolderNotFoundException) {
            c = StorageException.Category.NOT_FOUND;
        } else if (e instanceof StoreClosedException || e instanceof FolderClosedException
                || e.getCause() instanceof java.net.ConnectException || e.getCause() instanceof java.net.SocketTimeoutException
                || e.getCause() instanceof java.net.UnknownHostException || e.getCause() instanceof IOException
                || e.getNextException() instanceof IOException) {
            c = StorageException.Category.TEMPORARY;
        } else if (said.contains("[OVERQUOTA]") || said.contains("[LIMIT]")) {
            c = StorageException.Category.NO_SPACE;
        } else if (e.getCause() instanceof CommandFailedException || said.contains("[NOPERM]")) {
            c = said.contains("[NOPERM]") ? StorageException.Category.PERMISSION : StorageException.Category.INTERNAL;
        } else {
            c = StorageException.Category.INTERNAL;
        }
        return new StorageException(c, where + ": could not " + doing + ": " + said
                + (c == StorageException.Category.TEMPORARY ? " (the connection failed; try again, a copy with --resume)"
                : ""), e);
    }

    @Override
    public void close() {
        try {
            if (folder.isOpen()) {
                folder.close(false);
            }
        } catch (MessagingException | RuntimeException e) {
            // the server went away: nothing is pending on a closed folder
        }
        closeQuietly(store);
    }

    private static void closeQuietly(Store s) {
        try {
            s.close();
        } catch (MessagingException | RuntimeException e) {
            // as above
        }
    }
}
