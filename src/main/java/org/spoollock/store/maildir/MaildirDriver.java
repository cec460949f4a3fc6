package org.spoollock.store.maildir;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
 * Maildir as Dovecot 2.3 keeps it: a directory with tmp/, new/ and cur/, one file per message, flags in
 * the file name, keywords through {@code dovecot-keywords}, UIDs and UIDVALIDITY through
 * {@code dovecot-uidlist}; a Maildir++ sub-folder ({@code .Sent}, {@code .Lists.work}) is a sibling
 * Maildir inside the root one, marked by a {@code maildirfolder} file. See {@link MaildirMailbox} for
 * the rules of sharing one with Dovecot.
 *
 * <p>Delivery ({@link #append}, the CLI's deliver and the LMTP service) writes each message into tmp/,
 * fsyncs it, renames it into new/ (cur/ when it has flags or keywords) and fsyncs the directory, with no
 * lock. It then gives the messages UIDs only if the uidlist lock is free at that moment, as Dovecot's
 * own saving does ("assign UIDs only when it's easy": dovecot-lda does not wait for an IMAP session that
 * holds the lock); otherwise the next open, ours or Dovecot's, gives them UIDs in delivery order. A
 * delivery thus never waits for a reader, and UIDs stay unique and increasing because only the holder
 * of the uidlist lock ever gives any.
 */
public final class MaildirDriver implements MailboxDriver {
    /** Dovecot deletes files left in tmp/ after 36 hours (a killed writer's); so does {@link #recover}. */
    static final long TMP_STALE_SECONDS = 36 * 3600;

    @Override
    public String name() {
        return "maildir";
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.PERSISTENT_UIDS, Capability.ANY_KEYWORDS);
    }

    /** MINE for a directory with cur/, new/ and tmp/ (an empty Maildir too: nothing else could take it). */
    @Override
    public Probe probe(MailboxRef ref, FileProbe.Head head) {
        if (head != null) {
            return Probe.NOT_MINE;
        }
        Path p = ref.path();
        if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            return Probe.NOT_MINE;
        }
        for (String d : List.of("cur", "new", "tmp")) {
            if (!Files.isDirectory(p.resolve(d), LinkOption.NOFOLLOW_LINKS)) {
                return Probe.NOT_MINE;
            }
        }
        return Probe.MINE;
    }

    /**
     * Makes the directory and its tmp/, new/, cur/ (mode 0700, as Dovecot's), and an empty uidlist with a new
     * UIDVALIDITY. A name starting with a dot inside a Maildir is a Maildir++ sub-folder: it gets the
     * {@code maildirfolder} file Dovecot marks them with.
     */
    @Override
    public void create(MailboxRef ref, StoreOptions options) throws IOException {
        Path root = ref.path();
        Path parent = root.toAbsolutePath().getParent();
        MaildirOwner owner = parent == null ? null : MaildirOwner.of(parent);
        var mode = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
        try {
            Files.createDirectory(root, mode);
        } catch (FileAlreadyExistsException e) {
            throw new StorageException(StorageException.Category.EXISTS, root + " already exists", e);
        }
        MaildirOwner.give(owner, root);
        for (String d : List.of("tmp", "new", "cur")) {
            MaildirOwner.give(owner, Files.createDirectory(root.resolve(d), mode));
        }
        if (root.getFileName().toString().startsWith(".") && parent != null
                && probe(MailboxRef.of(parent), null) == Probe.MINE) {
            MaildirOwner.give(owner, Files.createFile(root.resolve("maildirfolder"),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))));
        }
        try (MaildirDotLock lock = MaildirDotLock.acquire(root.resolve(MaildirUidList.NAME), options.timeout())) {
            lock.replace(new MaildirUidList(MaildirMailbox.nextValidity(), 1, "", List.of()).text());
        }
        MaildirFiles.syncDirectory(root);
        if (parent != null) {
            MaildirFiles.syncDirectory(parent);
        }
    }

    /**
     * Maildir++: folder {@code [lists, work]} of a tree is the sub-folder {@code .lists.work} of the root
     * Maildir (Dovecot's default layout, '.' between levels), so a level holding a '.' cannot be one.
     */
    @Override
    public MailboxRef child(MailboxRef root, List<String> path) {
        for (String level : path) {
            if (level.contains(".") || level.isEmpty()) {
                throw new IllegalArgumentException(root + ": the folder name \"" + level + "\" cannot be a Maildir++"
                        + " level ('.' separates levels there)");
            }
        }
        return new MailboxRef(name(), root.path().resolve("." + String.join(".", path)).toString());
    }

    /** A Maildir++ tree's root is a Maildir itself (INBOX), whose sub-folders are marked as such. */
    @Override
    public void createTreeRoot(MailboxRef root, StoreOptions options) throws IOException {
        if (!Files.exists(root.path(), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            create(root, options);
        }
    }

    @Override
    public Mailbox open(MailboxRef ref, boolean readWrite, StoreOptions options) throws IOException {
        if (readWrite) {
            MaildirMailbox.requireMaildir(ref.path());
            recover(ref, options);
        }
        return MaildirMailbox.open(this, ref, readWrite, options.timeout());
    }

    @Override
    public void append(MailboxRef ref, List<NewMessage> messages, boolean create, StoreOptions options)
            throws IOException {
        Path root = ref.path();
        if (create && !Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            try {
                create(ref, options);
            } catch (StorageException e) {
                if (e.category() != StorageException.Category.EXISTS) {
                    throw e; // else another delivery made it first
                }
            }
        }
        MaildirMailbox.requireMaildir(root);
        MaildirKeywords keywords = MaildirKeywords.read(root);
        MaildirOwner owner = MaildirOwner.of(root);
        boolean toNew = false;
        boolean toCur = false;
        for (NewMessage m : messages) {
            int[] kw = new int[m.keywords().size()];
            keywords = MaildirKeywords.ensure(root, keywords, m.keywords(), kw, options.timeout());
            String dir = m.flags() == 0 && kw.length == 0 ? "new" : "cur";
            byte[] text = MaildirFiles.lf(new byte[0], m.content(), 0, m.content().length);
            MaildirFiles.write(root, text, dir, m.flags(), kw, m.date(), true, owner);
            toNew |= dir.equals("new");
            toCur |= dir.equals("cur");
        }
        if (toNew) {
            MaildirFiles.syncDirectory(root.resolve("new"));
        }
        if (toCur) {
            MaildirFiles.syncDirectory(root.resolve("cur"));
        }
        try (MaildirDotLock lock = MaildirDotLock.tryAcquire(root.resolve(MaildirUidList.NAME))) {
            if (lock != null) {
                lock.replace(MaildirScan.agreed(MaildirUidList.read(root), MaildirScan.scan(root),
                        MaildirMailbox.nextValidity(), MaildirImportIntent.left(root)).text());
                MaildirImportIntent.forget(root);
            }
        }
    }

    @Override
    public Importer importer(MailboxRef ref, Importer.SourceInfo source, boolean fresh, StoreOptions options)
            throws IOException {
        if (!Files.exists(ref.path(), LinkOption.NOFOLLOW_LINKS)) {
            create(ref, options);
        }
        MaildirMailbox.requireMaildir(ref.path());
        return new MaildirImporter(ref.path(), source, fresh, options.timeout());
    }

    /** Removes what killed writers left in tmp/ more than 36 hours ago, as Dovecot does; a delivery there is never finished. */
    @Override
    public void recover(MailboxRef ref, StoreOptions options) throws IOException {
        MaildirMailbox.requireMaildir(ref.path());
        long now = System.currentTimeMillis() / 1000;
        try (var s = Files.newDirectoryStream(ref.path().resolve("tmp"))) {
            for (Path p : s) {
                var attrs = Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class,
                        LinkOption.NOFOLLOW_LINKS);
                if (attrs.isRegularFile() && now - attrs.lastModifiedTime().toInstant().getEpochSecond() > TMP_STALE_SECONDS) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Override
    public CheckReport check(MailboxRef ref, StoreOptions options) throws IOException {
        return MaildirCheck.run(ref.path());
    }
}
