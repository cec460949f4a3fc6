package org.spoollock.store.mbx;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.spoollock.store.BadMailboxException;
import org.spoollock.store.Capability;
import org.spoollock.store.FileProbe;
import org.spoollock.store.Importer;
import org.spoollock.store.Mailbox;
import org.spoollock.store.MailboxDriver;
import org.spoollock.store.MailboxRef;
import org.spoollock.store.NewMessage;
import org.spoollock.store.StoreOptions;

/**
 * c-client's mbx format (mbx.c), the one UW imapd recommends for busy mailboxes: a 2048-byte header with
 * UIDVALIDITY, the last UID and the keyword names, then each message after a header line holding its
 * date, size, flags and UID in hex. Read and written with c-client's locks (see {@link MbxMailbox}).
 * See docs/mbx.md.
 */
public final class MbxDriver implements MailboxDriver {
    @Override
    public String name() {
        return "mbx";
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.PERSISTENT_UIDS, Capability.ANY_KEYWORDS, Capability.IN_PLACE_FLAGS);
    }

    /** MINE when the file starts as mbx_isvalid wants: {@code *mbx*} CRLF, 16 hex digits, CRLF. */
    @Override
    public Probe probe(MailboxRef ref, FileProbe.Head head) {
        if (head == null) {
            return Probe.NOT_MINE;
        }
        if (head.empty()) {
            return Probe.EMPTY;
        }
        return MbxFileHeader.looksLikeOne(head.bytes(), head.bytes().length) ? Probe.MINE : Probe.NOT_MINE;
    }

    @Override
    public void create(MailboxRef ref, StoreOptions options) throws IOException {
        MbxFiles.create(ref.path());
    }

    @Override
    public Mailbox open(MailboxRef ref, boolean readWrite, StoreOptions options) throws IOException {
        return MbxMailbox.open(this, ref, readWrite, options);
    }

    /** Delivery as imapd's APPEND into mbx: UIDs given (to messages already there without one too), recent; fsynced. */
    @Override
    public void append(MailboxRef ref, List<NewMessage> messages, boolean create, StoreOptions options) throws IOException {
        if (create) {
            MbxFiles.initIfEmpty(ref.path(), System.currentTimeMillis() / 1000);
        }
        MbxMailbox.append(this, ref, MbxFiles.encode(messages), create, true, options, new MbxIndex());
    }

    @Override
    public Importer importer(MailboxRef ref, Importer.SourceInfo source, boolean fresh, StoreOptions options)
            throws IOException {
        long validity = source.uidValidity() > 0 ? source.uidValidity() : System.currentTimeMillis() / 1000;
        if (!java.nio.file.Files.exists(ref.path(), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            MbxFiles.create(ref.path(), validity, List.of());
        } else {
            MbxFiles.initIfEmpty(ref.path(), validity);
        }
        return new MbxImporter(this, ref, options);
    }

    @Override
    public void recover(MailboxRef ref, StoreOptions options) throws IOException {
        MbxMailbox.recover(this, ref, options);
    }

    /** Reads every message as an open does; a problem is what c-client's open would refuse, with its offset. */
    @Override
    public CheckReport check(MailboxRef ref, StoreOptions options) throws IOException {
        List<String> problems = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        int count = 0;
        try (Mailbox m = open(ref, false, options)) {
            count = m.index().count();
            String w = ((MbxIndex) m.index()).warning();
            if (w != null) {
                notes.add(w);
            }
        } catch (BadMailboxException e) {
            problems.add(e.getMessage());
        }
        return new CheckReport(count, problems, notes);
    }
}
