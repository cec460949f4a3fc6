package org.spoollock.store.imap;

import java.io.IOException;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.spoollock.store.Capability;
import org.spoollock.store.FileProbe;
import org.spoollock.store.Importer;
import org.spoollock.store.Mailbox;
import org.spoollock.store.MailboxDriver;
import org.spoollock.store.MailboxRef;
import org.spoollock.store.NewMessage;
import org.spoollock.store.StorageException;
import org.spoollock.store.StoreOptions;

/**
 * An IMAP server's folder as a mailbox ({@code imap://USER@HOST[:PORT]/FOLDER}, {@code imaps://} for TLS),
 * through Angus Mail's IMAP provider: a migration target and source for {@code spoollock copy}, and any
 * other use of the store interface. Never found by probing: the URL names it.
 */
public class ImapDriver implements MailboxDriver {
    private final String name;

    public ImapDriver() {
        this("imap");
    }

    private ImapDriver(String name) {
        this.name = name;
    }

    /** {@code imaps://}: TLS from the first byte. */
    public static final class Imaps extends ImapDriver {
        public Imaps() {
            super("imaps");
        }
    }

    @Override
    public String name() {
        return name;
    }

    /**
     * Keywords as the server allows them; UIDs kept by the server (so a copy out of IMAP carries them and
     * the UIDVALIDITY into mbox), but of its own choosing (so a copy into IMAP cannot keep the source's).
     */
    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.PERSISTENT_UIDS, Capability.ANY_KEYWORDS, Capability.REMOTE);
    }

    @Override
    public Probe probe(MailboxRef ref, FileProbe.Head head) {
        return Probe.NOT_MINE;
    }

    private static ImapLocation where(MailboxRef ref) throws StorageException {
        return ImapLocation.parse(ref.location());
    }

    /** A folder below the tree's root folder, in the server's hierarchy (its own separator). */
    @Override
    public MailboxRef child(MailboxRef root, List<String> path) {
        try {
            return new MailboxRef(name, where(root).child(path));
        } catch (StorageException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    @Override
    public void create(MailboxRef ref, StoreOptions options) throws IOException {
        ImapLocation w = where(ref);
        boolean existed;
        try (ImapConnection probe = ImapConnection.connect(w, options, true)) {
            existed = probe.folder.getMessageCount() > 0;
        } catch (jakarta.mail.MessagingException e) {
            throw ImapConnection.translate(w, "create the folder", e);
        }
        if (existed) {
            throw new StorageException(StorageException.Category.EXISTS, w + ": the folder exists and holds messages");
        }
    }

    @Override
    public Mailbox open(MailboxRef ref, boolean readWrite, StoreOptions options) throws IOException {
        ImapConnection c = ImapConnection.connect(where(ref), options, false);
        try {
            return new ImapMailbox(this, ref, c, readWrite);
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    @Override
    public void append(MailboxRef ref, List<NewMessage> messages, boolean create, StoreOptions options) throws IOException {
        try (ImapConnection c = ImapConnection.connect(where(ref), options, create)) {
            ImapMailbox.append(c, messages);
        }
    }

    @Override
    public Importer importer(MailboxRef ref, Importer.SourceInfo source, boolean fresh, StoreOptions options)
            throws IOException {
        return new ImapImporter(ImapConnection.connect(where(ref), options, true));
    }

    /** Nothing to finish: the server keeps its own state. */
    @Override
    public void recover(MailboxRef ref, StoreOptions options) {
    }

    /** The folder can be examined and its index fetched. */
    @Override
    public CheckReport check(MailboxRef ref, StoreOptions options) throws IOException {
        try (Mailbox m = open(ref, false, options)) {
            return new CheckReport(m.index().count(), List.of(), List.of());
        }
    }
}
