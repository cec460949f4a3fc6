package org.spoollock.store.maildir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import org.spoollock.lock.NoSuchMailboxException;
import org.spoollock.posix.Posix;
import org.spoollock.store.AbstractMailbox;
import org.spoollock.store.BadMailboxException;
import org.spoollock.store.Changes;
import org.spoollock.store.Flags;
import org.spoollock.store.MailboxChangedException;
import org.spoollock.store.MailboxRef;
import org.spoollock.store.MessageIndex;
import org.spoollock.store.NewMessage;

/**
 * An open Maildir, with Dovecot 2.3's rules for sharing one (maildir-sync.c, maildir-uidlist.c):
 * <ul>
 * <li>No lock is held while open. Files are found by listing new/ and cur/; UIDs come from
 *     {@code dovecot-uidlist}. Files it does not list get UIDs under its dot-lock (any open does this,
 *     read-only ones too, as Dovecot's EXAMINE does: UIDs must be the same for every reader).
 * <li>A read-write open moves new/ files to cur/ (adding {@code :2,}); they are \Recent to it alone.
 * <li>Flag changes are renames of one file (atomic; no lock, as Dovecot). A file gone from under us
 *     was renamed by another writer (found again by its base name) or expunged by one: its number stays
 *     (its content gives {@link MailboxChangedException}) until this open's own next expunge reports it
 *     with its own, as IMAP holds back EXPUNGE responses; message numbers thus change only as the
 *     {@link org.spoollock.store.Mailbox} interface says. A read-only open, which cannot expunge, is told
 *     by {@link #sync} to open the Maildir anew.
 * <li>Expunge unlinks the files, then drops their records from the uidlist under its lock.
 * </ul>
 * Everything a commit writes is fsynced (files before their rename, directories after) before it returns.
 */
final class MaildirMailbox extends AbstractMailbox implements MessageIndex {
    /** A new uidlist's UIDVALIDITY: the time, and above any this process gave before. */
    private static final AtomicLong LAST_VALIDITY = new AtomicLong();

    /** One message this open knows: its UID and where its file is (both change only as said above). */
    private static final class Entry {
        final long uid;
        String dir;
        MaildirName name;
        boolean recent;
        /** Expunged by another program; removed from this open's numbering at its own next expunge. */
        boolean gone;
        long mtimeSeconds = Long.MIN_VALUE;

        Entry(long uid, String dir, MaildirName name) {
            this.uid = uid;
            this.dir = dir;
            this.name = name;
        }
    }

    private final Path root;
    private final boolean readWrite;
    private final Duration timeout;
    private MaildirKeywords keywords;
    private long uidValidity;
    private long uidNext;
    private List<Entry> entries = new ArrayList<>();
    private boolean closed;

    private MaildirMailbox(MaildirDriver driver, MailboxRef ref, boolean readWrite, Duration timeout) {
        super(driver, ref);
        this.root = ref.path();
        this.readWrite = readWrite;
        this.timeout = timeout;
    }

    static MaildirMailbox open(MaildirDriver driver, MailboxRef ref, boolean readWrite, Duration timeout)
            throws IOException {
        requireMaildir(ref.path());
        MaildirMailbox m = new MaildirMailbox(driver, ref, readWrite, timeout);
        m.keywords = MaildirKeywords.read(m.root);
        m.refresh(Set.of(), false);
        return m;
    }

    /** NOT_FOUND when nothing is there, INVALID_DATA when it is not a Maildir (naming what is missing). */
    static void requireMaildir(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            throw new NoSuchMailboxException("Maildir " + root + " does not exist (create it first, or --create)", null);
        }
        if (Files.isSymbolicLink(root)) {
            throw new org.spoollock.lock.LockSecurityException("Maildir " + root + " is a symbolic link; refusing to"
                    + " follow it");
        }
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            throw new BadMailboxException(root + " is a file, not a Maildir (a directory with cur/, new/ and tmp/)");
        }
        for (String d : List.of("cur", "new", "tmp")) {
            if (!Files.isDirectory(root.resolve(d), LinkOption.NOFOLLOW_LINKS)) {
                throw new BadMailboxException(root + " is not a Maildir: it has no " + d + "/ directory");
            }
        }
    }

    static long nextValidity() {
        long now = System.currentTimeMillis() / 1000;
        return LAST_VALIDITY.updateAndGet(last -> Math.max(now, last + 1));
    }

    /**
     * Reads the Maildir again: makes the uidlist agree with the files if it does not (under its lock),
     * and rebuilds the index. Messages this open knew must still be there, except those in {@code ours}
     * (base names this open expunged); with {@code force} the uidlist is settled under its lock even if
     * it looks in agreement (after our own appends, whose UIDs we need). Returns how many messages are new.
     */
    private int refresh(Set<String> ours, boolean force) throws IOException {
        Map<String, MaildirScan.Located> files = MaildirScan.scan(root);
        MaildirUidList list = MaildirUidList.read(root);
        if (force || list == null || !agrees(list, files)) {
            MaildirDotLock held;
            try {
                held = MaildirDotLock.acquire(root.resolve(MaildirUidList.NAME), timeout);
            } catch (java.nio.file.AccessDeniedException | org.spoollock.posix.PosixException.ReadOnlyFileSystemException e) {
                if (readWrite) {
                    throw e;
                }
                // a reader who may not write here (another user's Maildir, a read-only mount): new files are
                // numbered for this open only, above every UID given, in the order the next writer numbers them
                // (the same UIDs, unless more mail arrives before it does: docs/maildir.md, limits)
                list = MaildirScan.agreed(list, files, nextValidity(), MaildirImportIntent.left(root));
                held = null;
            }
            if (held != null) {
                try (MaildirDotLock lock = held) {
                    files = MaildirScan.scan(root);
                    list = MaildirScan.agreed(MaildirUidList.read(root), files, nextValidity(),
                            MaildirImportIntent.left(root));
                    lock.replace(list.text());
                    MaildirImportIntent.forget(root);
                }
            }
        }
        if (uidValidity != 0 && list.uidValidity() != uidValidity) {
            throw new MailboxChangedException(root + ": UIDVALIDITY changed from " + uidValidity + " to "
                    + list.uidValidity() + " (the uidlist was made anew); reopen the mailbox");
        }
        Map<Long, MaildirUidList.Record> listed = new HashMap<>();
        for (MaildirUidList.Record r : list.records()) {
            if (files.containsKey(r.base())) { // else a record of a file expunged by someone: dropped at the next settle
                listed.put(r.uid(), r);
            }
        }
        // Messages keep their numbers: those this open knew stay where they were, and one another program
        // expunged stays as a ghost (its content gone, its flags as last seen) until this open's own next
        // expunge, as an IMAP server holds back an EXPUNGE until the client may hear it; new mail follows.
        // A read-only open has no expunge of its own to tell it with: it is told to read the Maildir anew
        // (MailboxChangedException), as for a mailbox file rewritten under a read-only open.
        if (!readWrite) {
            List<String> lost = new ArrayList<>();
            for (Entry e : entries) {
                if (!listed.containsKey(e.uid) && !e.gone) {
                    lost.add(String.valueOf(e.uid));
                }
            }
            if (!lost.isEmpty()) {
                throw new MailboxChangedException(root + ": message(s) with UID " + String.join(", ", lost)
                        + " were expunged by another program; open the mailbox anew");
            }
        }
        List<Entry> now = new ArrayList<>(listed.size() + entries.size());
        Set<Long> known = new HashSet<>();
        for (Entry e : entries) {
            known.add(e.uid);
            MaildirUidList.Record r = listed.get(e.uid);
            if (r != null) {
                MaildirScan.Located at = files.get(r.base());
                e.dir = at.dir();
                e.name = at.name();
                now.add(e);
            } else if (!ours.contains(e.name.base())) {
                e.gone = true;
                now.add(e);
            }
        }
        int arrived = 0;
        for (MaildirUidList.Record r : list.records()) {
            MaildirScan.Located at = files.get(r.base());
            if (at != null && !known.contains(r.uid())) {
                now.add(new Entry(r.uid(), at.dir(), at.name()));
                arrived++;
            }
        }
        uidValidity = list.uidValidity();
        uidNext = list.nextUid();
        entries = now;
        if (readWrite) {
            moveNewToCur();
        }
        return arrived;
    }

    /** Whether every file has a record (records of vanished files are harmless until the next settle). */
    private static boolean agrees(MaildirUidList list, Map<String, MaildirScan.Located> files) {
        if (files.size() > list.records().size()) {
            return false;
        }
        Map<String, MaildirUidList.Record> listed = MaildirScan.byBase(list);
        for (String base : files.keySet()) {
            if (!listed.containsKey(base)) {
                return false;
            }
        }
        return true;
    }

    /** A read-write open takes new mail out of new/, as Dovecot does; it is \Recent to this open. */
    private void moveNewToCur() throws IOException {
        Posix posix = Posix.get();
        boolean moved = false;
        for (Entry e : entries) {
            if (!e.dir.equals("new") || e.gone) {
                continue;
            }
            MaildirName to = e.name.info() == null ? new MaildirName(e.name.base(), "2,") : e.name;
            try {
                posix.rename(root.resolve("new").resolve(e.name.fileName()).toString(),
                        root.resolve("cur").resolve(to.fileName()).toString());
                e.dir = "cur";
                e.name = to;
                e.recent = true;
                moved = true;
            } catch (NoSuchFileException gone) {
                relocate(e); // another session moved it first: not recent to us
            }
        }
        if (moved) {
            MaildirFiles.syncDirectory(root.resolve("cur"));
            MaildirFiles.syncDirectory(root.resolve("new"));
        }
    }

    /** Finds a message renamed by another writer; false if it is gone (expunged by another). */
    private boolean relocate(Entry e) throws IOException {
        MaildirScan.Located at = MaildirScan.find(root, e.name.base());
        if (at == null) {
            return false;
        }
        e.dir = at.dir();
        e.name = at.name();
        return true;
    }

    private Entry entry(int msgno) {
        ensureOpen();
        if (msgno < 1 || msgno > entries.size()) {
            throw new IndexOutOfBoundsException("message " + msgno + " of " + entries.size());
        }
        return entries.get(msgno - 1);
    }

    private Path file(Entry e) {
        return root.resolve(e.dir).resolve(e.name.fileName());
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(root + " is closed");
        }
    }

    // --- reading

    @Override
    public boolean readWrite() {
        return readWrite;
    }

    @Override
    public Status status() {
        return new Status(entries.size(), uidValidity, uidNext, keywords.names(), !keywords.full());
    }

    @Override
    public MessageIndex index() {
        return this;
    }

    @Override
    public int count() {
        return entries.size();
    }

    @Override
    public long uid(int msgno) {
        return entry(msgno).uid;
    }

    @Override
    public int flags(int msgno) {
        return entry(msgno).name.flags();
    }

    @Override
    public boolean recent(int msgno) {
        return entry(msgno).recent;
    }

    @Override
    public List<String> keywords(int msgno) {
        Entry e = entry(msgno);
        int[] idx = e.name.keywordIndexes();
        List<String> names = keywords.namesOf(idx);
        if (names.size() < idx.length) {
            // a letter another writer added since we read dovecot-keywords
            try {
                keywords = MaildirKeywords.read(root);
            } catch (IOException ex) {
                return names;
            }
            names = keywords.namesOf(idx);
        }
        return names;
    }

    /** The file's mtime, as Dovecot takes a Maildir message's internal date. */
    @Override
    public ZonedDateTime internalDate(int msgno) {
        Entry e = entry(msgno);
        if (e.mtimeSeconds == Long.MIN_VALUE) {
            try {
                e.mtimeSeconds = Files.getLastModifiedTime(existing(e), LinkOption.NOFOLLOW_LINKS).toInstant()
                        .getEpochSecond();
            } catch (IOException ex) {
                return null;
            }
        }
        return ZonedDateTime.ofInstant(Instant.ofEpochSecond(e.mtimeSeconds), ZoneId.systemDefault());
    }

    /** The file's path now, found again if another writer renamed it; MailboxChangedException if it was expunged. */
    private Path existing(Entry e) throws IOException {
        Path p = file(e);
        if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return p;
        }
        if (!relocate(e)) {
            throw new MailboxChangedException(p + ": message UID " + e.uid + " was expunged by another program");
        }
        return file(e);
    }

    @Override
    public long size(int msgno) throws IOException {
        Entry e = entry(msgno);
        if (e.name.virtualSize().isPresent()) {
            return e.name.virtualSize().getAsLong();
        }
        return MaildirFiles.virtualSize(content(msgno));
    }

    @Override
    public byte[] content(int msgno) throws IOException {
        Entry e = entry(msgno);
        for (int attempt = 0; ; attempt++) {
            Path p = file(e);
            try {
                return Files.readAllBytes(p);
            } catch (NoSuchFileException gone) {
                if (attempt >= 3 || !relocate(e)) {
                    throw new MailboxChangedException(p + ": message UID " + e.uid + " was expunged by another"
                            + " program");
                }
            } catch (IOException ex) {
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    throw new BadMailboxException(p + ": a directory among the Maildir's messages, where message UID "
                            + e.uid + " should be a file");
                }
                throw org.spoollock.posix.ChannelIo.translate("read", p.toString(), ex);
            }
        }
    }

    @Override
    public int sync() throws IOException {
        ensureOpen();
        keywords = MaildirKeywords.read(root);
        return refresh(Set.of(), false);
    }

    private static final byte[] NONE = new byte[0];

    @Override
    public void readParts(int from, int to, PartsSink sink) throws IOException {
        for (int n = from; n <= to; n++) {
            byte[] c = content(n);
            sink.message(n, null, NONE, c, 0, c.length);
        }
    }

    // --- changes

    @Override
    protected Changes.Committed apply(List<Changes.Change> changes) throws IOException {
        ensureOpen();
        List<Integer> expunged = new ArrayList<>();
        List<Long> given = new ArrayList<>();
        for (int i = 0; i < changes.size(); i++) {
            Changes.Change c = changes.get(i);
            if (c instanceof Changes.SetFlags f) {
                setFlags(f);
            } else if (c instanceof Changes.Append) {
                List<NewMessage> group = appendRun(changes, i);
                i += group.size() - 1;
                given.addAll(append(group));
            } else if (c instanceof Changes.Expunge) {
                expunged.addAll(expunge());
            }
        }
        return new Changes.Committed(List.copyOf(expunged), List.copyOf(given));
    }

    /** Renames each file to its new flags' name (no lock: a rename is atomic), then fsyncs the directories. */
    private void setFlags(Changes.SetFlags f) throws IOException {
        int[] add = new int[f.addKeywords().size()];
        keywords = MaildirKeywords.ensure(root, keywords, f.addKeywords(), add, timeout);
        Set<Integer> remove = new HashSet<>();
        for (String k : f.removeKeywords()) {
            int i = keywords.indexOf(k);
            if (i >= 0) {
                remove.add(i);
            }
        }
        Posix posix = Posix.get();
        Set<String> touched = new LinkedHashSet<>();
        for (int n : f.msgnos()) {
            Entry e = entry(n);
            for (int attempt = 0; ; attempt++) {
                int flags = (e.name.flags() | f.add()) & ~f.remove();
                Set<Integer> kw = new java.util.TreeSet<>();
                for (int k : e.name.keywordIndexes()) {
                    if (!remove.contains(k)) {
                        kw.add(k);
                    }
                }
                for (int k : add) {
                    kw.add(k);
                }
                MaildirName to = e.name.withFlags(flags, kw.stream().mapToInt(Integer::intValue).toArray());
                if (to.equals(e.name) && e.dir.equals("cur")) {
                    break;
                }
                try {
                    posix.rename(file(e).toString(), root.resolve("cur").resolve(to.fileName()).toString());
                    touched.add(e.dir);
                    touched.add("cur");
                    e.dir = "cur";
                    e.name = to;
                    break;
                } catch (NoSuchFileException gone) {
                    // renamed by another writer meanwhile (find it and apply ours to its flags), or expunged
                    if (attempt >= 3 || !relocate(e)) {
                        break;
                    }
                }
            }
        }
        for (String d : touched) {
            MaildirFiles.syncDirectory(root.resolve(d));
        }
    }

    /** Writes the messages into cur/ (each fsynced, then the directory), then gives them UIDs under the uidlist lock. */
    private List<Long> append(List<NewMessage> group) throws IOException {
        List<String> bases = new ArrayList<>(group.size());
        MaildirOwner owner = MaildirOwner.of(root);
        for (NewMessage m : group) {
            int[] kw = new int[m.keywords().size()];
            keywords = MaildirKeywords.ensure(root, keywords, m.keywords(), kw, timeout);
            byte[] text = MaildirFiles.lf(NONE, m.content(), 0, m.content().length);
            bases.add(MaildirFiles.write(root, text, "cur", m.flags(), kw, m.date(), true, owner).name().base());
        }
        MaildirFiles.syncDirectory(root.resolve("cur"));
        refresh(Set.of(), true);
        List<Long> uids = new ArrayList<>(bases.size());
        Map<String, Entry> byBase = new HashMap<>();
        for (Entry e : entries) {
            byBase.put(e.name.base(), e);
        }
        for (String b : bases) {
            Entry e = byBase.get(b);
            if (e == null) {
                throw new MailboxChangedException(root + ": message " + b + " was appended but expunged by another"
                        + " program before it was given a UID");
            }
            e.recent = true;
            uids.add(e.uid);
        }
        return uids;
    }

    /** Unlinks the files flagged \Deleted, fsyncs, then drops their uidlist records. Returns their old numbers. */
    private List<Integer> expunge() throws IOException {
        Posix posix = Posix.get();
        List<Integer> doomed = deleted();
        Set<String> gone = new HashSet<>();
        Set<String> dirs = new LinkedHashSet<>();
        for (int n = 1; n <= entries.size(); n++) {
            if (entries.get(n - 1).gone) {
                gone.add(entries.get(n - 1).name.base()); // another program's expunge, told now
                if (!doomed.contains(n)) {
                    doomed.add(n);
                }
            }
        }
        java.util.Collections.sort(doomed);
        for (int n : doomed) {
            Entry e = entry(n);
            if (e.gone) {
                continue;
            }
            for (int attempt = 0; ; attempt++) {
                try {
                    posix.unlink(file(e).toString());
                    dirs.add(e.dir);
                    gone.add(e.name.base());
                    break;
                } catch (NoSuchFileException x) {
                    if (attempt >= 3 || !relocate(e)) {
                        gone.add(e.name.base()); // expunged by another meanwhile
                        break;
                    }
                    if ((e.name.flags() & Flags.DELETED) == 0) {
                        break; // another writer took \Deleted away meanwhile: not ours to remove
                    }
                }
            }
        }
        for (String d : dirs) {
            MaildirFiles.syncDirectory(root.resolve(d));
        }
        List<Integer> removed = new ArrayList<>();
        for (int n : doomed) {
            if (gone.contains(entry(n).name.base())) {
                removed.add(n);
            }
        }
        if (!gone.isEmpty()) {
            refresh(gone, true);
        }
        return removed;
    }

    @Override
    public void close() {
        closed = true;
    }
}
