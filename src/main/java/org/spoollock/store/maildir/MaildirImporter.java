package org.spoollock.store.maildir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.spoollock.store.Importer;
import org.spoollock.store.StorageException;

/**
 * Into a Maildir, for a migration: each message is written into tmp/ and renamed into cur/ with its
 * flags, keyword letters and date, without an fsync; {@link #finish} then makes them all durable at once
 * (syncfs of the Maildir's filesystem; file by file where there is none) and fsyncs cur/, writes dovecot-keywords, and writes dovecot-uidlist last (renamed over the old one), so Dovecot
 * sees the messages with the source's UIDs, or, before the end, not as listed messages at all.
 * The uidlist's lock is held (and touched at each batch, so that Dovecot does not take it for stale)
 * from the start: no other reader gives the new files UIDs of its own meanwhile. Each file's UID is
 * written into a {@link MaildirImportIntent} before the file is made, so that a killed copy's files get
 * the source's UIDs at the next open, and {@code copy --resume} goes on from there.
 */
final class MaildirImporter implements Importer {
    private final Path root;
    private final MaildirOwner owner;
    private final MaildirDotLock lock;
    private final List<Path> written = new ArrayList<>();
    private final List<MaildirUidList.Record> records;
    private final List<String> notes = new ArrayList<>();
    private final MaildirUidList start;
    private final long uidValidity;
    private final long sourceNext;
    private final MaildirImportIntent intent;
    private MaildirKeywords keywords;
    private long nextUid;
    private long bytes;
    private int messages;

    MaildirImporter(Path root, Importer.SourceInfo source, boolean fresh, java.time.Duration timeout) throws IOException {
        this.root = root;
        this.owner = MaildirOwner.of(root);
        this.lock = MaildirDotLock.acquire(root.resolve(MaildirUidList.NAME), timeout);
        try {
            MaildirUidList l = MaildirUidList.read(root);
            boolean empty = l == null || l.records().isEmpty();
            // A fresh target takes the source's UIDVALIDITY (its UIDs mean nothing without it), unless Dovecot
            // has indexed it already: its IMAP clients may have it selected under its own UIDVALIDITY, and
            // changing that under them makes Dovecot reset its index ("view is now inconsistent"). The source's
            // UIDs are then kept under the target's UIDVALIDITY, which is as valid: they are all new to it.
            boolean indexed = indexedByDovecot(root);
            long v = fresh && empty && source.uidValidity() > 0 && !indexed ? source.uidValidity()
                    : l != null ? l.uidValidity() : MaildirMailbox.nextValidity();
            if (indexed && l != null && source.uidValidity() > 0 && source.uidValidity() != l.uidValidity()) {
                notes.add(root + " was already indexed by Dovecot: it keeps its UIDVALIDITY " + l.uidValidity()
                        + " (the source's is " + source.uidValidity() + ")");
            }
            this.start = l != null ? new MaildirUidList(v, l.nextUid(), "", l.records()) : new MaildirUidList(v, 1, "",
                    List.of());
            this.uidValidity = v;
            this.records = new ArrayList<>(start.records());
            this.nextUid = start.nextUid();
            this.sourceNext = source.uidLast() + 1;
            this.keywords = MaildirKeywords.read(root);
            if (l == null || l.uidValidity() != v) {
                // the UIDVALIDITY the copy gives now, not at its end: a killed copy's resume finds it
                lock.replaceHolding(start.text());
            }
            this.intent = MaildirImportIntent.begin(root, owner);
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    private static boolean indexedByDovecot(Path root) throws IOException {
        try (var s = java.nio.file.Files.list(root)) {
            return s.anyMatch(p -> p.getFileName().toString().startsWith("dovecot.index"));
        }
    }

    @Override
    public void add(Item it) throws IOException {
        List<String> kept = new ArrayList<>();
        for (String k : it.keywords()) {
            try {
                keywords = keywords.adding(List.of(k));
                kept.add(k);
            } catch (StorageException full) {
                String note = "keyword " + k + ": all 26 Maildir keyword letters are in use: not copied";
                if (!notes.contains(note)) {
                    notes.add(note);
                }
            }
        }
        int[] idx = kept.stream().mapToInt(keywords::indexOf).toArray();
        byte[] text = MaildirFiles.lf(it.head(), it.body(), it.offset(), it.length());
        long uid = it.uid() >= nextUid ? it.uid() : nextUid;
        String unique = MaildirFiles.uniqueBase();
        intent.add(uid, MaildirFiles.baseOf(unique, text)); // before the file: a kill after it leaves the UID said
        MaildirFiles.Written w = MaildirFiles.write(root, unique, text, "cur", it.flags(), idx, it.date(), false, owner);
        nextUid = uid + 1;
        records.add(new MaildirUidList.Record(uid, "", w.name().base()));
        written.add(w.path());
        bytes += text.length;
        messages++;
    }

    @Override
    public long bytes() {
        return bytes;
    }

    @Override
    public int messages() {
        return messages;
    }

    @Override
    public int write() throws IOException {
        lock.touch();
        intent.touch(); // after the lock: a lock no newer than the intent is this migration's (heldByDeadMigration)
        int k = messages;
        messages = 0;
        bytes = 0;
        return k;
    }

    /** Makes every file written and cur/ durable, then writes the keywords and, last, the uidlist (and lets go of its lock). */
    @Override
    public void finish() throws IOException {
        try {
            // one syncfs for every file and cur/ (re-opening each file to fsync it took as long as the copy),
            // where syncfs makes them durable (see FileSystemInfo.syncfsMakesDurable); else file by file
            boolean synced = org.spoollock.lock.FileSystemInfo.of(root, java.util.Set.of()).syncfsMakesDurable()
                    && org.spoollock.posix.FileSystemSync.sync(root);
            if (!synced) {
                for (Path p : written) {
                    MaildirFiles.syncFile(p);
                }
            }
            MaildirFiles.syncDirectory(root.resolve("cur"));
            if (!keywords.names().isEmpty()) {
                keywords.store(root, MaildirDotLock.STALE);
            }
            lock.replace(new MaildirUidList(uidValidity, Math.max(nextUid, sourceNext), "", records).text());
            intent.close();
            MaildirFiles.syncDirectory(root);
        } finally {
            lock.close();
        }
    }

    @Override
    public List<String> notes() {
        return List.copyOf(notes);
    }
}
