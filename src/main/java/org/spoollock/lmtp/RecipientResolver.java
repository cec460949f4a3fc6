package org.spoollock.lmtp;

import java.util.Locale;

import org.spoollock.posix.Posix;
import org.spoollock.store.Drivers;
import org.spoollock.store.MailboxRef;

/**
 * Maps an RCPT TO address to a mailbox by a template: {@code %u} the local part (lower-cased),
 * {@code %d} the domain, {@code %h} the user's home directory, {@code %%} a percent sign, expanded in
 * one pass (a local part is never expanded again). A local part or domain that could lead outside the
 * template's directory is refused before anything is looked up or created.
 */
final class RecipientResolver {
    private static final int MAX_LOCAL_PART = 64;

    private final String template;
    private final String format;
    private final Users users;
    private final boolean asRoot;
    private final Posix posix;

    /**
     * @param template the mailbox template, e.g. {@code /var/mail/%u}
     * @param format   the format forced for every mailbox (null: what the file is, mbox for a new one)
     * @param asRoot   whether mailboxes created for system users must be given to them
     */
    RecipientResolver(String template, String format, Users users, boolean asRoot) {
        if (users == Users.ANY && template.contains("%h")) {
            throw new IllegalArgumentException("--mailbox " + template + " uses %h (a user's home directory), which only"
                    + " --users passwd can give");
        }
        int bad = badPercent(template);
        if (bad >= 0) {
            throw new IllegalArgumentException("--mailbox " + template + ": \"%" + template.charAt(bad + 1)
                    + "\" is not %u, %d, %h or %%");
        }
        this.template = template;
        this.format = format;
        this.users = users;
        this.asRoot = asRoot;
        this.posix = Posix.get();
    }

    private static int badPercent(String t) {
        for (int i = 0; i < t.length(); i++) {
            if (t.charAt(i) == '%') {
                if (i + 1 >= t.length() || "udh%".indexOf(t.charAt(i + 1)) < 0) {
                    return i + 1 >= t.length() ? i - 1 : i;
                }
                i++;
            }
        }
        return -1;
    }

    /** What RCPT TO's address resolves to: a recipient, or the reply that refuses it. */
    sealed interface Result permits Accepted, Refused {
    }

    record Accepted(Recipient recipient) implements Result {
    }

    record Refused(Reply reply) implements Result {
    }

    Result resolve(String address) {
        int at = address.lastIndexOf('@');
        String local = at < 0 ? address : address.substring(0, at);
        String domain = at < 0 ? "" : address.substring(at + 1);
        String why = unsafeLocalPart(local);
        if (why == null) {
            why = unsafeDomain(domain);
        }
        if (why != null) {
            return new Refused(Reply.of(550, "5.1.3", "bad recipient address <" + printable(address) + ">: " + why));
        }
        String user = local.toLowerCase(Locale.ROOT);
        Posix.User owner = null;
        if (users == Users.PASSWD) {
            owner = posix.user(user);
            if (owner == null) {
                return new Refused(Reply.of(550, "5.1.1", "<" + address + ">: no such user here"));
            }
        }
        StringBuilder path = new StringBuilder();
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c != '%') {
                path.append(c);
                continue;
            }
            char k = template.charAt(++i);
            switch (k) {
                case 'u' -> path.append(user);
                case 'd' -> path.append(domain.toLowerCase(Locale.ROOT));
                case 'h' -> path.append(owner.home());
                default -> path.append('%');
            }
        }
        MailboxRef ref = format == null ? MailboxRef.of(java.nio.file.Path.of(path.toString()))
                : Drivers.parse(format + ":" + path);
        return new Accepted(new Recipient(address, ref, asRoot ? owner : null));
    }

    /**
     * Why a local part cannot be put into a path, or null: only RFC 5322 atext and dots, no leading
     * dot and no "..", at most 64 bytes (RFC 5321). Quoted local parts are refused: their spaces and
     * quotes have no safe place in a file name.
     */
    static String unsafeLocalPart(String local) {
        if (local.isEmpty()) {
            return "empty local part";
        }
        if (local.length() > MAX_LOCAL_PART) {
            return "local part longer than " + MAX_LOCAL_PART + " bytes";
        }
        if (local.charAt(0) == '.') {
            return "local part starts with a dot";
        }
        if (local.contains("..")) {
            return "local part contains \"..\"";
        }
        for (int i = 0; i < local.length(); i++) {
            char c = local.charAt(i);
            if (!isAtext(c) && c != '.') {
                return "local part contains " + describe(c);
            }
        }
        return null;
    }

    /** Why a domain cannot be put into a path, or null (letters, digits, '-', '.', a bracketed literal). */
    static String unsafeDomain(String domain) {
        if (domain.isEmpty()) {
            return null;
        }
        if (domain.length() > 255) {
            return "domain longer than 255 bytes";
        }
        if (domain.charAt(0) == '.' || domain.contains("..")) {
            return "domain starts with a dot or contains \"..\"";
        }
        for (int i = 0; i < domain.length(); i++) {
            char c = domain.charAt(i);
            boolean ok = c < 128 && (Character.isLetterOrDigit(c) || c == '-' || c == '.' || c == '[' || c == ']' || c == ':');
            if (!ok) {
                return "domain contains " + describe(c);
            }
        }
        return null;
    }

    private static boolean isAtext(char c) {
        return c < 128 && (Character.isLetterOrDigit(c) || "!#$%&'*+-=?^_`{|}~".indexOf(c) >= 0);
    }

    private static String describe(char c) {
        return c < 0x20 || c == 0x7f ? String.format("a control character (0x%02x)", (int) c)
                : c == '/' ? "a slash" : "\"" + c + "\"";
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 100; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return b.toString();
    }
}
