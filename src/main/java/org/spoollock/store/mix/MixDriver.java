package org.spoollock.store.mix;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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
import org.spoollock.store.StorageException;
import org.spoollock.store.StoreOptions;

/**
 * c-client's mix format (mix.c): a directory with {@code .mixmeta}, {@code .mixindex}, {@code .mixstatus}
 * and data files {@code .mix<hex>}. Read with c-client's locks ({@link MixMailbox}); this version does not
 * write it: delivery, flag changes, expunge, create and copies into mix are refused with that reason, and
 * a copy out of mix goes to the default format. See docs/mix.md.
 */
public final class MixDriver implements MailboxDriver {
    @Override
    public String name() {
        return "mix";
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.PERSISTENT_UIDS, Capability.READ_ONLY);
    }

    /** MINE for a directory holding a regular file {@code .mixmeta}, as mix_isvalid. */
    @Override
    public Probe probe(MailboxRef ref, FileProbe.Head head) {
        return head == null && Files.isDirectory(ref.path(), LinkOption.NOFOLLOW_LINKS)
                && Files.isRegularFile(ref.path().resolve(".mixmeta"), LinkOption.NOFOLLOW_LINKS) ? Probe.MINE : Probe.NOT_MINE;
    }

    private static StorageException readOnly(MailboxRef ref, String what) {
        return new StorageException(StorageException.Category.INVALID_INPUT, ref.path() + ": " + what + " a mix mailbox"
                + " is not supported by this version of spoollock, which reads mix but does not write it (copy into mbox,"
                + " mbx, mmdf, tenex, Maildir or an IMAP server instead; c-client's mailutil writes mix)");
    }

    @Override
    public void create(MailboxRef ref, StoreOptions options) throws IOException {
        throw readOnly(ref, "creating");
    }

    @Override
    public Mailbox open(MailboxRef ref, boolean readWrite, StoreOptions options) throws IOException {
        return MixMailbox.open(this, ref, readWrite, options);
    }

    @Override
    public void append(MailboxRef ref, List<NewMessage> messages, boolean create, StoreOptions options) throws IOException {
        throw readOnly(ref, "delivering to");
    }

    @Override
    public Importer importer(MailboxRef ref, Importer.SourceInfo source, boolean fresh, StoreOptions options)
            throws IOException {
        throw readOnly(ref, "copying into");
    }

    /** Nothing to finish: spoollock never writes mix. */
    @Override
    public void recover(MailboxRef ref, StoreOptions options) {
    }

    /** Reads the control files and every message as an open and a copy would; a problem names the file and place. */
    @Override
    public CheckReport check(MailboxRef ref, StoreOptions options) throws IOException {
        List<String> problems = new ArrayList<>();
        int count = 0;
        try (Mailbox m = open(ref, false, options)) {
            count = m.index().count();
            for (int n = 1; n <= count; n++) {
                m.content(n);
            }
        } catch (BadMailboxException e) {
            problems.add(e.getMessage());
        }
        return new CheckReport(count, problems, List.of());
    }
}
