package org.spoollock.store.imap;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.spoollock.store.StorageException;

/**
 * An IMAP mailbox as a user names it: {@code imap://USER@HOST[:PORT]/FOLDER}, or {@code imaps://} for
 * TLS from the first byte (port 993). {@code imap://} is plain text (port 143), meant for a server on
 * the same host or network; spoollock does not negotiate STARTTLS. FOLDER is INBOX when empty; its '/'s
 * are the levels of the server's hierarchy, whatever separator the server uses ({@link #folderName});
 * each level is URL-encoded. A password in the URL is refused: URLs end up in process lists, shell
 * histories and logs.
 */
record ImapLocation(boolean tls, String user, String host, int port, List<String> levels) {

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
        String raw = u.getRawPath() == null ? "" : u.getRawPath();
        List<String> levels = new ArrayList<>();
        for (String level : raw.split("/")) {
            if (!level.isEmpty()) {
                levels.add(java.net.URLDecoder.decode(level.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        if (levels.isEmpty()) {
            levels.add("INBOX");
        }
        return new ImapLocation(tls, info, u.getHost(), u.getPort() > 0 ? u.getPort() : tls ? 993 : 143, List.copyOf(levels));
    }

    /** The location of folder {@code below} under this one (for a folder tree), as a URL. */
    String child(List<String> below) {
        StringBuilder b = new StringBuilder(protocol() + "://" + enc(user) + "@" + host + ":" + port);
        List<String> all = new ArrayList<>(levels);
        all.addAll(below);
        for (String level : all) {
            b.append('/').append(enc(level));
        }
        return b.toString();
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * The folder's name on a server whose hierarchy separator is {@code separator}: the levels joined by it.
     * A level that holds the separator itself cannot be named there, and is refused rather than split.
     */
    String folderName(char separator) throws StorageException {
        for (String level : levels) {
            if (level.indexOf(separator) >= 0) {
                throw new StorageException(StorageException.Category.INVALID_INPUT, this + ": the folder name \"" + level
                        + "\" holds the server's hierarchy separator '" + separator + "'");
            }
        }
        return String.join(String.valueOf(separator), levels);
    }

    String folder() {
        return String.join("/", levels);
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
        return protocol() + "://" + user + "@" + host + ":" + port + "/" + folder();
    }
}
