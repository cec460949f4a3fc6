package org.spoollock.mail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.stream.Stream;

import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.FolderClosedException;
import jakarta.mail.FolderNotFoundException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.MethodNotSupportedException;
import jakarta.mail.ReadOnlyFolderException;
import jakarta.mail.UIDFolder;

import org.spoollock.store.Drivers;
import org.spoollock.store.Mailbox;
import org.spoollock.store.MailboxChangedException;
import org.spoollock.store.MailboxDriver;
import org.spoollock.store.MailboxRef;
import org.spoollock.store.NewMessage;
import org.spoollock.store.RememberedDriver;
import org.spoollock.store.StorageException;

/**
 * A mailbox file (or a directory of them) through Jakarta Mail. Open READ_ONLY it parses under the
 * shared locks and holds nothing; open READ_WRITE it takes c-client's session lock (an mbox answers
 * c-client's kiss of death by the session's {@code mail.mbox.kissofdeath} policy), and every flag
 * change and expunge is written under the exclusive locks before the call returns.
 *
 * <p>New mail and others' expunges reach {@code MessageCountListener}s by themselves while the folder is
 * open: the mailbox file is watched (inotify; on network filesystems a stat a second), and any change
 * by any program (c-client, procmail, Python, another spoollock) is read at once, as
 * {@link #getMessageCount} reads it. A read-only folder whose mailbox another program rewrote (an
 * expunge) reads it anew, as c-client does: messages whose UID is still there keep their objects and
 * UIDs (when UIDVALIDITY did not change), the others are reported removed. A server that wants to block
 * until something happens calls {@link #idle}.
 */
public class SpoolFolder extends Folder implements UIDFolder, UidPlusFolder {
    private final SpoolStore spool;
    private final Path path;
    private Mailbox backend;
    /** The open folder's messages, made when asked for (MessageTable). */
    private final MessageTable messages = new MessageTable(this);
    /** The driver appends without a session go through, remembered between them (no probe per append). */
    private final RememberedDriver appendDriver;
    /** The watch on the mailbox file while open (null where it could not be set up: then only calls read new mail). */
    private MailboxWatcher.Registration watch;
    private final java.util.concurrent.atomic.AtomicBoolean refreshQueued = new java.util.concurrent.atomic.AtomicBoolean();
    /** How many times messages were added or removed since the folder was opened (for {@link #idle}). */
    private long changes;
    /**
     * Set (on the kiss-of-death thread) when this read-write open gave its session to another program:
     * the folder stays open, read-only. Not guarded by the folder's monitor, so that a request for one
     * mailbox never waits for a long operation on another folder.
     */
    private volatile boolean handedOver;

    /** Reads mailboxes that changed on disk, one folder at a time, away from the watcher's thread. */
    private static final java.util.concurrent.ExecutorService NEW_MAIL = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "spoollock-new-mail");
        t.setDaemon(true);
        return t;
    });

    SpoolFolder(SpoolStore store, Path path) {
        super(store);
        this.spool = store;
        this.path = path;
        this.appendDriver = new RememberedDriver(MailboxRef.of(path), this::probedDriver);
    }

    Path path() {
        return path;
    }

    /** The driver for this mailbox: the format its content shows, else the store's protocol (a new or empty mailbox). */
    private MailboxDriver driver() throws MessagingException {
        try {
            return probedDriver();
        } catch (IOException e) {
            throw SpoolMessagingException.of(path + ": cannot read", e);
        }
    }

    private MailboxDriver probedDriver() throws IOException {
        MailboxDriver detected = Drivers.detect(MailboxRef.of(path));
        return detected != null ? detected : spool.protocolDriver();
    }

    private MailboxRef ref() throws MessagingException {
        return MailboxRef.of(driver().name(), path);
    }

    @Override
    public String getName() {
        Path f = path.getFileName();
        return f == null ? "" : f.toString();
    }

    @Override
    public String getFullName() {
        return path.toString();
    }

    @Override
    public Folder getParent() {
        Path p = path.getParent();
        return p == null ? null : new SpoolFolder(spool, p);
    }

    @Override
    public boolean exists() {
        return Files.exists(path, LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public Folder[] list(String pattern) throws MessagingException {
        if (!Files.isDirectory(path)) {
            throw new MessagingException(path + " is a mailbox, not a directory of them");
        }
        String glob = pattern.replace("%", "*");
        boolean maildir = isDirectoryMailbox();
        try (Stream<Path> s = Files.list(path)) {
            java.nio.file.PathMatcher m = path.getFileSystem().getPathMatcher("glob:" + glob);
            // a Maildir's folders are its Maildir++ ones (.Sent, .Lists.work), matched by their name without
            // the dot; its cur/, new/ and tmp/ are not folders
            return s.filter(p -> !maildir || p.getFileName().toString().startsWith(".") && Files.isDirectory(p))
                    .filter(p -> m.matches(maildir ? p.getFileSystem().getPath(p.getFileName().toString().substring(1))
                            : p.getFileName())).sorted()
                    .map(p -> new SpoolFolder(spool, p)).toArray(Folder[]::new);
        } catch (IOException e) {
            throw SpoolMessagingException.of(path + ": cannot list", e);
        }
    }

    @Override
    public char getSeparator() {
        return '/';
    }

    /** A directory holds folders, unless it is a directory mailbox (a Maildir), which holds messages and its Maildir++ folders. */
    @Override
    public int getType() {
        if (!Files.isDirectory(path)) {
            return HOLDS_MESSAGES;
        }
        return isDirectoryMailbox() ? HOLDS_MESSAGES | HOLDS_FOLDERS : HOLDS_FOLDERS;
    }

    /** Whether this directory is itself a mailbox (a Maildir) rather than a directory of mailbox files. */
    private boolean isDirectoryMailbox() {
        try {
            return Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS) && Drivers.detect(MailboxRef.of(path)) != null;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public boolean create(int type) throws MessagingException {
        if (exists()) {
            return false;
        }
        try {
            boolean maildir = spool.protocolDriver().name().equals("maildir"); // holds messages and folders at once
            if ((type & HOLDS_MESSAGES) != 0 && ((type & HOLDS_FOLDERS) == 0 || maildir)) {
                // made by the URL's format: a Maildir's tmp/, new/, cur/ (and maildirfolder for a Maildir++
                // folder), a mix directory, an mbx header, an empty file for mbox
                spool.protocolDriver().create(MailboxRef.of(spool.protocolDriver().name(), path), spool.options);
            } else {
                Files.createDirectories(path);
            }
            return true;
        } catch (IOException e) {
            throw SpoolMessagingException.of(path + ": cannot create", e);
        }
    }

    @Override
    public boolean hasNewMessages() throws MessagingException {
        return isOpen() && refresh() > 0;
    }

    /** Inside a Maildir, a folder is a Maildir++ one: {@code Lists/work} is {@code .Lists.work} in the root, as Dovecot names it. */
    @Override
    public Folder getFolder(String name) {
        if (isDirectoryMailbox() && !name.startsWith(".") && !name.startsWith("/")) {
            Path root = Files.exists(path.resolve("maildirfolder")) && path.getFileName().toString().startsWith(".")
                    ? path.getParent() : path;
            String prefix = root == path ? "." : path.getFileName() + ".";
            return new SpoolFolder(spool, root.resolve(prefix + name.replace('/', '.')));
        }
        return new SpoolFolder(spool, path.resolve(name));
    }

    @Override
    public boolean delete(boolean recurse) throws MessagingException {
        throw new MethodNotSupportedException("deleting mailboxes is left to the administrator (" + path + ")");
    }

    @Override
    public boolean renameTo(Folder f) throws MessagingException {
        throw new MethodNotSupportedException("renaming mailboxes is left to the administrator (" + path + ")");
    }

    @Override
    public synchronized void open(int mode) throws MessagingException {
        if (isOpen()) {
            throw new IllegalStateException(path + " is already open");
        }
        if (!exists()) {
            throw new FolderNotFoundException(this, path + " does not exist");
        }
        handedOver = false;
        try {
            backend = Drivers.open(ref(), mode == READ_WRITE, mode == READ_WRITE ? toldOfHandover(spool.options) : spool.options);
        } catch (IOException e) {
            throw SpoolMessagingException.of("cannot open " + path + (mode == READ_WRITE ? " read-write" : ""), e);
        }
        this.mode = mode;
        messages.clear();
        messages.extendTo(backend.index().count());
        try {
            watch = MailboxWatcher.get().register(path, this::changedOnDisk);
        } catch (IOException | RuntimeException e) {
            // e.g. fs.inotify.max_user_watches reached: new mail then shows at the next call that reads it
            System.getLogger(SpoolFolder.class.getName()).log(System.Logger.Level.WARNING, "{0}: new mail will not be"
                    + " noticed by itself ({1}); getMessageCount() reads it", path, e.getMessage());
        }
        notifyConnectionListeners(jakarta.mail.event.ConnectionEvent.OPENED);
    }

    /**
     * The store's options with a session listener that also tells this folder when its session was given
     * to another program (c-client's kiss of death, or a second read-write open in this JVM), keeping any
     * listener the application set.
     */
    private org.spoollock.store.StoreOptions toldOfHandover(org.spoollock.store.StoreOptions options) {
        org.spoollock.session.SessionListener app = options.session().listener();
        return options.withSession(options.session().withListener((lock, event, detail) -> {
            if (app != null) {
                app.onEvent(lock, event, detail);
            }
            if (event == org.spoollock.session.SessionEvent.GAVE_UP && !handedOver) {
                handedOver = true;
                // IMAP's untagged "OK [READ-ONLY]" (or imapd's BYE) for a server; getMode() says READ_ONLY from now
                notifyConnectionListeners(jakarta.mail.event.ConnectionEvent.DISCONNECTED);
            }
        }));
    }

    /**
     * READ_ONLY once a read-write open gave its session to another program (a {@code ConnectionEvent}
     * of type DISCONNECTED told the listeners): the folder stays open, its writes fail.
     */
    @Override
    public int getMode() {
        int m = super.getMode();
        return handedOver ? READ_ONLY : m;
    }

    /** From the watcher's thread: the mailbox file changed; read it on the new-mail thread. */
    private void changedOnDisk() {
        if (refreshQueued.compareAndSet(false, true)) {
            NEW_MAIL.execute(() -> {
                refreshQueued.set(false);
                synchronized (this) {
                    if (!isOpen()) {
                        return;
                    }
                    try {
                        refresh();
                    } catch (MessagingException e) {
                        System.getLogger(SpoolFolder.class.getName()).log(System.Logger.Level.WARNING,
                                "{0}: reading new mail: {1}", path, e.getMessage());
                    }
                }
            });
        }
    }

    /**
     * Waits until messages are added to or removed from this open folder (by anyone), or {@code timeout}
     * passes, for a server's IMAP IDLE; the listeners have been told by the time it returns. Returns
     * whether anything changed. No CPU is used while waiting.
     */
    public boolean idle(java.time.Duration timeout) throws MessagingException, InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            checkOpen();
            long seen = changes;
            refresh(); // what arrived before the call counts too
            while (changes == seen) {
                long left = end - System.nanoTime();
                if (left <= 0 || !isOpen()) {
                    return false;
                }
                java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return true;
        }
    }

    private void changed() {
        changes++;
        notifyAll();
    }

    @Override
    public synchronized void close(boolean expunge) throws MessagingException {
        checkOpen();
        try {
            if (expunge && backend.readWrite()) {
                expunge();
            }
            backend.close();
        } catch (IOException e) {
            throw SpoolMessagingException.of("closing " + path, e);
        } finally {
            if (watch != null) {
                watch.close();
                watch = null;
            }
            backend = null;
            notifyAll(); // an idle() returns
            messages.clear();
            notifyConnectionListeners(jakarta.mail.event.ConnectionEvent.CLOSED);
        }
    }

    @Override
    public synchronized boolean isOpen() {
        return backend != null;
    }

    @Override
    public Flags getPermanentFlags() {
        Flags f = new Flags();
        f.add(Flags.Flag.SEEN);
        f.add(Flags.Flag.ANSWERED);
        f.add(Flags.Flag.FLAGGED);
        f.add(Flags.Flag.DELETED);
        f.add(Flags.Flag.DRAFT);
        if (backend == null || backend.status().anyKeyword()) {
            f.add(Flags.Flag.USER); // mbox creates keywords (up to 30)
        } else {
            backend.status().keywords().forEach(f::add);
        }
        return f;
    }

    /** Reads new mail (as c-client's ping) and tells the MessageCountListeners. */
    @Override
    public synchronized int getMessageCount() throws MessagingException {
        if (!isOpen()) {
            return -1;
        }
        refresh();
        return messages.size();
    }

    private int refresh() throws MessagingException {
        int added;
        try {
            added = backend.sync();
        } catch (MailboxChangedException e) {
            if (backend.readWrite()) {
                throw SpoolMessagingException.of(path + ": reading new mail", e);
            }
            return reread();
        } catch (IOException e) {
            throw SpoolMessagingException.of(path + ": reading new mail", e);
        }
        showNew();
        return added;
    }

    /**
     * A read-only folder whose mailbox another program rewrote (an expunge, a flag change written by
     * c-client): read it anew, as c-client does. With UIDVALIDITY unchanged, a message keeps its object
     * (renumbered) while its UID is still there; the others are expunged, and what is new is added.
     * Returns how many messages were added.
     */
    private int reread() throws MessagingException {
        Mailbox old = backend;
        long validity = old.status().uidValidity();
        java.util.Map<Long, SpoolMessage> byUid = new java.util.HashMap<>();
        List<SpoolMessage> before = messages.made();
        for (SpoolMessage m : before) {
            byUid.put(old.index().uid(m.getMessageNumber()), m);
        }
        long[] oldUids = new long[old.index().count()];
        for (int n = 1; n <= oldUids.length; n++) {
            oldUids[n - 1] = old.index().uid(n);
        }
        Mailbox fresh;
        try {
            fresh = Drivers.open(ref(), false, spool.options);
        } catch (IOException e) {
            throw SpoolMessagingException.of(path + ": reading the mailbox anew after another program rewrote it", e);
        }
        try {
            old.close();
        } catch (IOException ignored) {
            // a read-only open holds no lock between calls: nothing is left behind
        }
        backend = fresh;
        boolean sameUids = fresh.status().uidValidity() == validity;
        // messages never made need no object now either: with the same UIDVALIDITY, only messages whose
        // UID is new to this open are reported added (made for the listeners), and those no longer there
        // reported removed; the rest stay unmade. With a new UIDVALIDITY every message is new.
        java.util.Set<Long> unmadeOld = new java.util.HashSet<>();
        for (long uid : oldUids) {
            if (!byUid.containsKey(uid)) {
                unmadeOld.add(uid);
            }
        }
        SpoolMessage[] now = new SpoolMessage[fresh.index().count()];
        List<Message> added = new ArrayList<>();
        java.util.Set<SpoolMessage> kept = new java.util.HashSet<>();
        for (int n = 1; n <= now.length; n++) {
            long uid = fresh.index().uid(n);
            SpoolMessage m = sameUids ? byUid.get(uid) : null;
            if (m != null && kept.add(m)) {
                now[n - 1] = m;                       // a message the program holds: same object, renumbered
            } else if (sameUids && unmadeOld.remove(uid)) {
                now[n - 1] = null;                    // the same message as before, never asked for
            } else {
                now[n - 1] = new SpoolMessage(this, n);
                added.add(now[n - 1]);
            }
        }
        List<Message> removed = new ArrayList<>();
        for (SpoolMessage m : before) {
            if (!kept.contains(m)) {
                m.markExpunged();
                removed.add(m);
            }
        }
        for (int n = 1; n <= oldUids.length; n++) {
            if (unmadeOld.contains(oldUids[n - 1])) { // gone (or all, under a new UIDVALIDITY): told too
                SpoolMessage m = new SpoolMessage(this, n);
                m.markExpunged();
                removed.add(m);
            }
        }
        messages.replace(now);
        if (!removed.isEmpty()) {
            notifyMessageRemovedListeners(false, removed.toArray(new Message[0]));
        }
        if (!added.isEmpty()) {
            notifyMessageAddedListeners(added.toArray(new Message[0]));
        }
        if (!removed.isEmpty() || !added.isEmpty()) {
            changed();
        }
        return added.size();
    }

    /**
     * Searches without building a message object per message where the term allows: a term made only of
     * header, date, flag, size and number terms ({@link HeaderView#canAnswer}) is matched against each
     * message's raw header, read in large pieces under one lock; the answer is the same as matching the
     * folder's own messages (the terms' own code runs on a view that answers as MimeMessage does). Other
     * terms (body terms, subclasses) are matched against the messages themselves, large ones streamed.
     */
    @Override
    public synchronized Message[] search(jakarta.mail.search.SearchTerm term) throws MessagingException {
        checkOpen();
        return search(term, 1, messages.size());
    }

    @Override
    public synchronized Message[] search(jakarta.mail.search.SearchTerm term, Message[] msgs) throws MessagingException {
        checkOpen();
        List<Message> out = new ArrayList<>();
        int from = 0;
        int to = -1;
        for (Message m : msgs) {
            boolean ours = m.getFolder() == this && !m.isExpunged();
            if (ours && m.getMessageNumber() == to + 1) {
                to++; // consecutive messages are searched together: one read of the mailbox per run
                continue;
            }
            out.addAll(List.of(search(term, from, to)));
            from = ours ? m.getMessageNumber() : 0;
            to = ours ? from : -1;
            if (!ours && term.match(m)) {
                out.add(m);
            }
        }
        out.addAll(List.of(search(term, from, to)));
        return out.toArray(new Message[0]);
    }

    private Message[] search(jakarta.mail.search.SearchTerm term, int from, int to) throws MessagingException {
        List<Message> out = new ArrayList<>();
        if (to < from) {
            return new Message[0];
        }
        if (!HeaderView.canAnswer(term)) {
            for (int n = from; n <= to; n++) {
                SpoolMessage m = messages.get(n);
                if (term.match(m)) {
                    out.add(m);
                }
            }
            return out.toArray(new Message[0]);
        }
        HeaderView.Settings settings = HeaderView.Settings.of(spool.mailSession());
        try {
            backend.readParts(from, to, (n, sender, head, buffer, offset, length) -> {
                if (term.match(new HeaderView(this, n, head, settings))) {
                    out.add(messages.get(n));
                }
            });
        } catch (IOException e) {
            throw SpoolMessagingException.of(path + ": search", e);
        }
        return out.toArray(new Message[0]);
    }

    @Override
    public synchronized Message getMessage(int msgnum) throws MessagingException {
        checkOpen();
        if (msgnum < 1 || msgnum > messages.size()) {
            throw new IndexOutOfBoundsException("message " + msgnum + " of " + messages.size());
        }
        return messages.get(msgnum);
    }

    /** Appends under one lock and one fsync, as the mailbox's format delivers (mbox: as c-client's append writes). */
    @Override
    public void appendMessages(Message[] msgs) throws MessagingException {
        appendUIDMessages(msgs);
    }

    @Override
    public AppendedUid[] appendUIDMessages(Message[] msgs) throws MessagingException {
        if (!exists()) {
            throw new FolderNotFoundException(this, path + " does not exist");
        }
        List<NewMessage> out = new ArrayList<>(msgs.length);
        try {
            for (Message m : msgs) {
                // a message of a spoollock folder goes as stored: no MIME re-encoding (line ends, headers)
                byte[] content = m instanceof SpoolMessage sm ? ((SpoolFolder) sm.getFolder()).content(sm)
                        : bytes(m, spool.maxMessageSize);
                if (content == null || content.length > spool.maxMessageSize) {
                    throw SpoolMessagingException.of("appending to " + path, new StorageException(
                            StorageException.Category.INVALID_INPUT, "message " + (out.size() + 1) + " of "
                            + msgs.length + " is larger than mail." + spool.protocol() + ".maxsize ("
                            + spool.maxMessageSize + " bytes): nothing was appended"));
                }
                out.add(new NewMessage(content, flagBits(m.getFlags()), Arrays.asList(m.getFlags().getUserFlags()),
                        date(m), null));
            }
        } catch (IllegalArgumentException e) {
            throw new MessagingException(path + ": " + e.getMessage()); // a keyword that is not an IMAP atom
        }
        synchronized (this) {
            if (isOpen() && backend.readWrite()) {
                // through the session: it gives the UIDs (and reads whatever else arrived meanwhile)
                org.spoollock.store.Changes c = backend.changes();
                List<Long> uids;
                try {
                    for (NewMessage m : out) {
                        c.append(m);
                    }
                    uids = c.commit().appendedUids();
                } catch (IOException e) {
                    throw SpoolMessagingException.of("appending " + msgs.length + " message(s) to " + path, e);
                }
                showNew();
                long validity = backend.status().uidValidity();
                AppendedUid[] given = new AppendedUid[msgs.length];
                for (int i = 0; i < given.length && i < uids.size(); i++) {
                    given[i] = new AppendedUid(validity, uids.get(i));
                }
                return given;
            }
        }
        appendWithoutSession(out);
        if (isOpen()) {
            synchronized (this) {
                refresh();
            }
        }
        return new AppendedUid[msgs.length];
    }

    /** Delivers as c-client's mail_append, in the format the file is in (a new or empty one: the store's). */
    private void appendWithoutSession(List<NewMessage> out) throws MessagingException {
        try {
            appendDriver.append(out, false, spool.options);
        } catch (IOException e) {
            throw SpoolMessagingException.of("appending " + out.size() + " message(s) to " + path, e);
        }
    }

    @Override
    public AppendedUid[] copyUIDMessages(Message[] msgs, Folder to) throws MessagingException {
        checkOpen();
        if (!(to instanceof UidPlusFolder target)) {
            super.copyMessages(msgs, to);
            return new AppendedUid[msgs.length];
        }
        return target.appendUIDMessages(msgs);
    }

    /** Between spoollock folders the stored bytes go, with flags, keywords and internal date; else as Jakarta Mail copies. */
    @Override
    public void copyMessages(Message[] msgs, Folder to) throws MessagingException {
        copyUIDMessages(msgs, to);
    }

    /** Messages the backend has parsed beyond those shown: made visible, and the listeners told. */
    private void showNew() {
        int before = messages.size();
        messages.extendTo(backend.index().count());
        if (messages.size() > before) {
            notifyMessageAddedListeners(messages.range(before + 1, messages.size()).toArray(new Message[0]));
            changed();
        }
    }

    /** The message as Jakarta Mail writes it, or null once it passes {@code limit} bytes (not kept whole). */
    private static byte[] bytes(Message m, long limit) throws MessagingException {
        ByteArrayOutputStream b = new ByteArrayOutputStream() {
            @Override
            public synchronized void write(byte[] buf, int off, int len) {
                if (count + (long) len > limit) {
                    throw new TooLarge();
                }
                super.write(buf, off, len);
            }

            @Override
            public synchronized void write(int c) {
                if (count + 1L > limit) {
                    throw new TooLarge();
                }
                super.write(c);
            }
        };
        try {
            m.writeTo(b);
            return b.toByteArray();
        } catch (TooLarge e) {
            return null;
        } catch (IOException e) {
            throw new MessagingException("cannot serialize message", e);
        }
    }

    /** Stops serializing a message past the size limit (unchecked: ByteArrayOutputStream.write throws none). */
    private static final class TooLarge extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TooLarge() {
            super(null, null, false, false);
        }
    }

    private static ZonedDateTime date(Message m) throws MessagingException {
        Date d = m.getReceivedDate();
        return d == null ? ZonedDateTime.now() : ZonedDateTime.ofInstant(d.toInstant(), java.time.ZoneId.systemDefault());
    }

    static int flagBits(Flags f) {
        return org.spoollock.store.imap.JakartaFlags.bits(f);
    }

    /** Sets or clears flags on several messages with one write (mbox: one checkpoint). */
    @Override
    public synchronized void setFlags(Message[] msgs, Flags flag, boolean value) throws MessagingException {
        checkOpen();
        if (!backend.readWrite()) {
            throw new ReadOnlyFolderException(this, path + " is open read-only");
        }
        List<Integer> ns = new ArrayList<>(msgs.length);
        for (Message m : msgs) {
            ns.add(m.getMessageNumber());
        }
        int bits = flagBits(flag);
        List<String> kw = Arrays.asList(flag.getUserFlags());
        try {
            if (value) {
                backend.changes().setFlags(ns, bits, 0, kw, List.of()).commit();
            } else {
                backend.changes().setFlags(ns, 0, bits, List.of(), kw).commit();
            }
        } catch (IOException e) {
            throw SpoolMessagingException.of(path + ": writing flags", e);
        }
        for (Message m : msgs) {
            notifyMessageChangedListeners(jakarta.mail.event.MessageChangedEvent.FLAGS_CHANGED, m);
        }
    }

    @Override
    public synchronized Message[] expunge() throws MessagingException {
        checkOpen();
        if (!backend.readWrite()) {
            throw new ReadOnlyFolderException(this, path + " is open read-only");
        }
        List<Integer> gone;
        try {
            gone = backend.changes().expunge().commit().expunged();
        } catch (IOException e) {
            throw SpoolMessagingException.of(path + ": expunge", e);
        }
        List<SpoolMessage> removed = messages.remove(gone);
        for (SpoolMessage m : removed) {
            m.markExpunged();
        }
        // new mail that arrived meanwhile was parsed by the expunge: make it visible
        messages.extendTo(backend.index().count());
        Message[] out = removed.toArray(new Message[0]);
        if (out.length > 0) {
            notifyMessageRemovedListeners(true, out);
            changed();
        }
        return out;
    }

    private void checkOpen() throws FolderClosedException {
        if (backend == null) {
            throw new FolderClosedException(this, path + " is not open");
        }
    }

    // ---- for SpoolMessage ----

    synchronized byte[] content(SpoolMessage m) throws MessagingException {
        checkOpen();
        try {
            return backend.content(m.getMessageNumber());
        } catch (IOException e) {
            throw SpoolMessagingException.of(path + ": reading message " + m.getMessageNumber(), e);
        }
    }

    /** The message's content as a stream read from the mailbox in pieces (large messages). */
    synchronized java.io.InputStream contentStream(SpoolMessage m) throws MessagingException {
        checkOpen();
        try {
            return new ContentStream(this, backend.contentReader(m.getMessageNumber()));
        } catch (IOException e) {
            throw SpoolMessagingException.of(path + ": reading message " + m.getMessageNumber(), e);
        }
    }

    synchronized long size(SpoolMessage m) throws MessagingException {
        return size(m.getMessageNumber());
    }

    synchronized long size(int msgno) throws MessagingException {
        checkOpen();
        try {
            return backend.size(msgno);
        } catch (IOException e) {
            throw SpoolMessagingException.of(path + ": size of message " + msgno, e);
        }
    }

    synchronized Date receivedDate(SpoolMessage m) throws MessagingException {
        return receivedDate(m.getMessageNumber());
    }

    synchronized Date receivedDate(int msgno) throws MessagingException {
        checkOpen();
        ZonedDateTime d = backend.index().internalDate(msgno);
        return d == null ? null : Date.from(d.toInstant());
    }

    synchronized Flags flags(SpoolMessage m) throws MessagingException {
        return flags(m.getMessageNumber());
    }

    synchronized Flags flags(int n) throws MessagingException {
        checkOpen();
        Flags f = org.spoollock.store.imap.JakartaFlags.of(backend.index().flags(n), backend.index().keywords(n));
        if (backend.index().recent(n)) {
            f.add(Flags.Flag.RECENT);
        }
        return f;
    }

    // ---- UIDFolder ----

    @Override
    public synchronized long getUIDValidity() throws MessagingException {
        checkOpen();
        return backend.status().uidValidity();
    }

    @Override
    public synchronized long getUIDNext() throws MessagingException {
        checkOpen();
        return backend.status().uidNext();
    }

    @Override
    public synchronized long getUID(Message message) throws MessagingException {
        checkOpen();
        if (message.getFolder() != this) {
            throw new java.util.NoSuchElementException("message from another folder");
        }
        return backend.index().uid(message.getMessageNumber());
    }

    @Override
    public synchronized Message getMessageByUID(long uid) throws MessagingException {
        checkOpen();
        for (int n = 1; n <= messages.size(); n++) {
            if (backend.index().uid(n) == uid) {
                return messages.get(n);
            }
        }
        return null;
    }

    @Override
    public synchronized Message[] getMessagesByUID(long start, long end) throws MessagingException {
        checkOpen();
        long last = end == LASTUID ? Long.MAX_VALUE : end;
        List<Message> out = new ArrayList<>();
        for (int n = 1; n <= messages.size(); n++) {
            long u = backend.index().uid(n);
            if (u >= start && u <= last) {
                out.add(messages.get(n));
            }
        }
        return out.toArray(new Message[0]);
    }

    @Override
    public synchronized Message[] getMessagesByUID(long[] uids) throws MessagingException {
        Message[] out = new Message[uids.length];
        for (int i = 0; i < uids.length; i++) {
            out[i] = getMessageByUID(uids[i]);
        }
        return out;
    }
}
