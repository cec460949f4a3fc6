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
 * and data files {@code .mix<hex>}. Read and written with c-client's locks ({@link MixMailbox},
 * {@link MixControl}); the control files are rewritten through the rewrite journal. See docs/mix.md.
 */
public final class MixDriver implements MailboxDriver {
    @Override
    public String name() {
        return "mix";
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.PERSISTENT_UIDS, Capability.ANY_KEYWORDS, Capability.IN_PLACE_FLAGS);
    }

    /** MINE for a directory holding a regular file {@code .mixmeta}, as mix_isvalid. */
    @Override
    public Probe probe(MailboxRef ref, FileProbe.Head head) {
        return head == null && Files.isDirectory(ref.path(), LinkOption.NOFOLLOW_LINKS)
                && Files.isRegularFile(ref.path().resolve(".mixmeta"), LinkOption.NOFOLLOW_LINKS) ? Probe.MINE : Probe.NOT_MINE;
    }

    @Override
    public void create(MailboxRef ref, StoreOptions options) throws IOException {
        MixFiles.create(ref.path(), System.currentTimeMillis() / 1000);
    }

    @Override
    public Mailbox open(MailboxRef ref, boolean readWrite, StoreOptions options) throws IOException {
        return MixMailbox.open(this, ref, readWrite, options);
    }

    /** Delivery as mix_append: the next UIDs, recent; durable (data, then the control files, each fsynced). */
    @Override
    public void append(MailboxRef ref, List<NewMessage> messages, boolean create, StoreOptions options) throws IOException {
        if (create && !Files.exists(ref.path(), LinkOption.NOFOLLOW_LINKS)) {
            try {
                MixFiles.create(ref.path(), System.currentTimeMillis() / 1000);
            } catch (StorageException e) {
                if (e.category() != StorageException.Category.EXISTS) {
                    throw e;
                }
                // made by another delivery meanwhile: delivered to as it is
            }
        }
        MixMailbox.append(this, ref, MixAppend.encode(messages), options, 0);
    }

    @Override
    public Importer importer(MailboxRef ref, Importer.SourceInfo source, boolean fresh, StoreOptions options)
            throws IOException {
        long validity = source.uidValidity() > 0 ? source.uidValidity() : System.currentTimeMillis() / 1000;
        if (!Files.exists(ref.path(), LinkOption.NOFOLLOW_LINKS)) {
            MixFiles.create(ref.path(), validity);
        }
        return new MixImporter(this, ref, options, fresh ? validity : 0);
    }

    /** Finishes a killed writer's journals on the control files. */
    @Override
    public void recover(MailboxRef ref, StoreOptions options) throws IOException {
        MixMailbox.recover(this, ref, options);
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
