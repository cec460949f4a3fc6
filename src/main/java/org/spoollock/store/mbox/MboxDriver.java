package org.spoollock.store.mbox;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.spoollock.lock.MailboxLock;
import org.spoollock.store.AbstractMailbox;
import org.spoollock.store.Capability;
import org.spoollock.store.Changes;
import org.spoollock.store.FileProbe;
import org.spoollock.store.Importer;
import org.spoollock.store.Mailbox;
import org.spoollock.store.MailboxDriver;
import org.spoollock.store.MailboxRef;
import org.spoollock.store.MessageIndex;
import org.spoollock.store.NewMessage;
import org.spoollock.store.StoreOptions;

/**
 * c-client's "unix" format (mbox) behind the store interface: dot-lock + flock (the lock profile in
 * {@link StoreOptions#lock}), the /tmp session lock with the kiss of death for read-write opens, UIDs
 * and keywords kept in X-IMAPbase / X-UID / X-Keywords, flag changes and expunges by journalled rewrite.
 * {@link Mmdf} is c-client's mmdf format, the same in all but its {@link Framing}.
 */
public class MboxDriver implements MailboxDriver {
    public static final String NAME = "mbox";
    private final Framing framing;

    public MboxDriver() {
        this(Framing.UNIX);
    }

    private MboxDriver(Framing framing) {
        this.framing = framing;
    }

    /**
     * c-client's mmdf driver: messages between ^A^A^A^A lines, locked, flagged, numbered and rewritten as
     * mbox is (c-client's mmdf.c is its unix.c with that one change); found by its first five bytes.
     */
    public static final class Mmdf extends MboxDriver {
        public static final String NAME = "mmdf";

        public Mmdf() {
            super(Framing.MMDF);
        }
    }

    @Override
    public String name() {
        return framing.format();
    }

    @Override
    public Set<Capability> capabilities() {
        Set<Capability> c = EnumSet.of(Capability.PERSISTENT_UIDS, Capability.ANY_KEYWORDS, Capability.ENVELOPE_SENDER,
                Capability.SESSION_HANDOVER);
        if (framing == Framing.UNIX) {
            c.add(Capability.FROM_QUOTING);
        }
        return c;
    }

    /**
     * mbox: MINE when the first line after leading blank lines is a From_ line c-client accepts, not
     * indented. mmdf: MINE when the file starts with the ^A line (c-client's mmdf_isvalid_fd: no blanks
     * skipped).
     */
    @Override
    public Probe probe(MailboxRef ref, FileProbe.Head head) {
        if (head == null) {
            return Probe.NOT_MINE;
        }
        if (head.empty()) {
            return Probe.EMPTY;
        }
        byte[] b = head.bytes();
        if (framing == Framing.MMDF) {
            return Framing.isDelimiter(b, 0, b.length) ? Probe.MINE : Probe.NOT_MINE;
        }
        int s = 0;
        for (int p = 0; p < b.length && (b[p] == '\n' || b[p] == '\r' || b[p] == ' ' || b[p] == '\t'); p++) {
            if (b[p] == '\n') {
                s = p + 1; // blank lines only: the From_ line must start a line
            }
        }
        int nl = s;
        while (nl < b.length && b[nl] != '\n') {
            nl++;
        }
        return nl < b.length && FromLine.isValid(b, s, nl + 1) ? Probe.MINE : Probe.NOT_MINE;
    }

    @Override
    public void create(MailboxRef ref, StoreOptions options) throws IOException {
        FileProbe.createEmpty(ref.path());
    }

    @Override
    public Mailbox open(MailboxRef ref, boolean readWrite, StoreOptions options) throws IOException {
        MboxMailbox m = readWrite ? MboxMailbox.openReadWrite(ref.path(), options(options, framing))
                : MboxMailbox.openReadOnly(ref.path(), options(options, framing));
        return new Open(this, ref, m, options);
    }

    @Override
    public void append(MailboxRef ref, List<NewMessage> messages, boolean create, StoreOptions options) throws IOException {
        MboxAppender.append(ref.path(), encode(messages, options, framing), options.lock().withCreateMissing(create),
                options.timeout(), true, framing);
    }

    @Override
    public Importer importer(MailboxRef ref, Importer.SourceInfo source, boolean fresh, StoreOptions options) {
        return new MboxImporter(ref.path(), source, fresh, options, framing);
    }

    /**
     * As a migration stores it: status headers renamed, and From_-like body lines quoted (mboxo) in mbox,
     * ^A bytes dropped (and a last line ended) in mmdf.
     */
    @Override
    public byte[] asStored(byte[] head, byte[] body, int offset, int length) {
        return MboxEncoding.asStored(Mailbox.joined(head, body, offset, length), Quoting.MBOXO, framing);
    }

    /** A read-only open finishes an interrupted write (the readers' lock does: {@link MboxMailbox#readLock}). */
    @Override
    public void recover(MailboxRef ref, StoreOptions options) throws IOException {
        // nothing is parsed: the spool guardian calls this for every dead lock it finds
        MboxRecovery.finish(ref.path(), options.timeout(), options.lock(), framing);
    }

    @Override
    public boolean recoverHolding(MailboxRef ref, MailboxLock held, java.time.Duration timeout) throws IOException {
        return MboxMailbox.finishHolding(ref.path(), held, timeout, framing);
    }

    @Override
    public CheckReport check(MailboxRef ref, StoreOptions options) throws IOException {
        MboxCheck c;
        try (MailboxLock lock = MboxMailbox.readLock(ref.path(), options(options, framing))) {
            c = MboxCheck.run(lock.channel(), ref.path(), framing);
        }
        return new CheckReport(c.messages, List.copyOf(c.problems), List.copyOf(c.notes));
    }

    static MboxMailbox.Options options(StoreOptions o, Framing framing) {
        return MboxMailbox.Options.defaults().withLock(o.lock()).withSession(o.session()).withTimeout(o.timeout())
                .withFraming(framing);
    }

    /** Each message as c-client's append writes it: From_ line, status headers, quoted body (mmdf: framed). */
    static List<byte[]> encode(List<NewMessage> messages, StoreOptions options, Framing framing) {
        List<byte[]> out = new ArrayList<>(messages.size());
        for (NewMessage m : messages) {
            out.add(MboxEncoding.format(m.content(), m.sender(), m.date(), m.flags(), m.keywords(),
                    options.mboxrd() ? Quoting.MBOXRD : Quoting.MBOXO, framing));
        }
        return out;
    }

    /** An open mbox: changes in memory until the commit's checkpoint, UIDs persisted there or at close. */
    private static final class Open extends AbstractMailbox {
        private final MboxMailbox m;
        private final StoreOptions options;

        private final Framing framing;

        Open(MboxDriver driver, MailboxRef ref, MboxMailbox m, StoreOptions options) {
            super(driver, ref);
            this.m = m;
            this.options = options;
            this.framing = driver.framing;
        }

        @Override
        public boolean readWrite() {
            return m.readWrite();
        }

        @Override
        public Status status() {
            MboxIndex x = m.index();
            return new Status(x.count(), x.uidValidity(), x.uidNext(), x.keywordNames(), true);
        }

        @Override
        public MessageIndex index() {
            return m.index();
        }

        @Override
        public long size(int msgno) {
            return m.index().size(msgno);
        }

        @Override
        public int sync() throws IOException {
            return m.refresh();
        }

        @Override
        public byte[] content(int msgno) throws IOException {
            return m.message(msgno, Quoting.MBOXO);
        }

        @Override
        public ContentReader contentReader(int msgno) throws IOException {
            return m.contentReader(msgno);
        }

        @Override
        public void readParts(int from, int to, PartsSink sink) throws IOException {
            m.visitParts(from, to, sink::message);
        }

        @Override
        protected Changes.Committed apply(List<Changes.Change> changes) throws IOException {
            List<Integer> expunged = new ArrayList<>();
            List<Long> uids = new ArrayList<>();
            boolean pending = false;
            for (int i = 0; i < changes.size(); i++) {
                Changes.Change c = changes.get(i);
                if (c instanceof Changes.SetFlags f) {
                    m.setFlags(f.msgnos(), f.add(), f.remove(), f.addKeywords(), f.removeKeywords());
                    pending = true;
                } else if (c instanceof Changes.Append) {
                    // consecutive appends go in together: one lock, one write, one fsync
                    List<NewMessage> group = appendRun(changes, i);
                    i += group.size() - 1;
                    // keywords new to the mailbox join its list first, so that the parse of the appended messages
                    // reads them and the close's checkpoint writes the list (they were dropped: found by MmdfProviderTest)
                    m.defineKeywords(group.stream().flatMap(x -> x.keywords().stream()).distinct().toList());
                    long at = MboxAppender.append(m.path(), encode(group, options, framing), options.lock(),
                            options.timeout(), true, framing);
                    m.refresh();
                    MboxIndex x = m.index();
                    uids.addAll(uidsOfAppended(at, group.size(), x.count(), x::start, x::uid));
                    // the UID given by this session's parse is the next after X-IMAPbase's UIDLAST in file
                    // order, which every parser (c-client's too) gives it until it is written at the next
                    // checkpoint or close: no rewrite per append
                } else if (c instanceof Changes.Expunge) {
                    m.refresh();
                    List<Integer> doomed = m.index().deleted();
                    m.expunge(); // the rewrite also writes the flag changes before it
                    pending = false;
                    expunged.addAll(doomed);
                }
            }
            if (pending) {
                m.checkpoint();
            }
            return new Changes.Committed(List.copyOf(expunged), List.copyOf(uids));
        }

        @Override
        public void close() throws IOException {
            m.close();
        }
    }
}
