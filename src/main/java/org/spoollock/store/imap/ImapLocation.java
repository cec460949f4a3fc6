package org.spoollock.store.imap;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

import org.spoollock.store.StorageException;

/**
 * An IMAP mailbox as a user names it: {@code imap://USER@HOST[:PORT]/FOLDER}, or {@code imaps://} for
 * TLS from the first byte (port 993). {@code imap://} is plain text (port 143), meant for a server on
 * the same host or network; spoollock does not negotiate STARTTLS. FOLDER is URL-encoded ({@code %2F}
 * for a '/' in a name) and INBOX when empty. A password in the URL is refused: URLs end up in process
 * lists, shell histories and logs.
 */
record ImapLocation(boolean tls, String user, String host, int port, String folder) {

    static ImapLocation parse(String location) throws StorageException {
        URI u;
        try {
            u = new URI(location);
        } catch (URISyntaxException e) {
            throw bad(location, e.getReason());
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("imap") && !scheme.equals("imaps")) {
            throw bad(location, "the scheme must be imap:// or imaps://");
        }
        if (u.getHost() == null) {
            throw bad(location, "no host (imap://USER@HOST[:PORT]/FOLDER)");
        }
        String info = u.getUserInfo();
        if (info == null || info.isEmpty()) {
            throw bad(location, "no user (imap://USER@HOST[:PORT]/FOLDER)");
        }
        if (info.contains(":")) {
            throw bad(location.replace(u.getRawUserInfo(), u.getRawUserInfo().replaceAll(":.*", ":***")),
                    "a password in the URL is refused (it would show in process lists and logs): set"
                            + " SPOOLLOCK_IMAP_PASSWORD or give --password-file");
        }
        boolean tls = scheme.equals("imaps");
        String path = u.getPath() == null ? "" : u.getPath();
        String folder = path.startsWith("/") ? path.substring(1) : path;
        return new ImapLocation(tls, info, u.getHost(), u.getPort() > 0 ? u.getPort() : tls ? 993 : 143,
                folder.isEmpty() ? "INBOX" : folder);
    }

    private static StorageException bad(String location, String why) {
        return new StorageException(StorageException.Category.INVALID_INPUT, "\"" + location + "\" is not an IMAP mailbox"
                + " URL: " + why);
    }

    String protocol() {
        return tls ? "imaps" : "imap";
    }

    @Override
    public String toString() {
        return protocol() + "://" + user + "@" + host + ":" + port + "/" + folder;
    }
}
