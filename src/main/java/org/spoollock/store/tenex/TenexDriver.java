package org.spoollock.store.tenex;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

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
 * c-client's tenex and mtx formats behind the store interface: a shared flock on the file while open,
 * the session lock exclusive for appends and expunges, flags written in place and fsynced. The files
 * keep no UIDs (c-client numbers messages 1..n at each open): an open mailbox gives UIDs of its own,
 * stable while it is open (new mail gets new ones, an expunge takes away only those it removes), under
 * a UIDVALIDITY no other open in this process had.
 */
public abstract class TenexDriver implements MailboxDriver {
    private static final Pattern HEADER = Pattern.compile(
            " ?\\d{1,2}-[A-Za-z]{3}-\\d{2,4} \\d\\d:\\d\\d:\\d\\d [+-]\\d{4},\\d+;\\d{12}");
    /** The last UIDVALIDITY given: each open takes a new one, at least the time in seconds (as c-client's). */
    private static final AtomicLong LAST_VALIDITY = new AtomicLong();

    private static final byte[] NONE = new byte[0];

    private final TenexFormat format;

    TenexDriver(TenexFormat format) {
        this.format = format;
    }

    /** tenex: LF header lines and text. */
    public static final class Tenex extends TenexDriver {
        public Tenex() {
            super(TenexFormat.TENEX);
        }
    }

    /** mtx: CRLF header lines and text. */
    public static final class Mtx extends TenexDriver {
        public Mtx() {
            super(TenexFormat.MTX);
        }
    }

    @Override
    public String name() {
        return format.driver();
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.IN_PLACE_FLAGS);
    }

    /** MINE when the first line is an internal header line with this format's line end (c-client's tenex_isvalid). */
    @Override
    public Probe probe(MailboxRef ref, FileProbe.Head head) {
        if (head == null) {
            return Probe.NOT_MINE;
        }
        if (head.empty()) {
            return Probe.EMPTY;
        }
        byte[] b = head.bytes();
        int nl = 0;
        while (nl < b.length && b[nl] != '\n') {
            nl++;
        }
        if (nl == b.length) {
            return Probe.NOT_MINE;
        }
        boolean cr = nl > 0 && b[nl - 1] == '\r';
        if (cr != (format == TenexFormat.MTX)) {
            return Probe.NOT_MINE;
        }
        String line = new String(b, 0, cr ? nl - 1 : nl, StandardCharsets.ISO_8859_1);
        return HEADER.matcher(line).matches() ? Probe.MINE : Probe.NOT_MINE;
    }

    @Override
    public void create(MailboxRef ref, StoreOptions options) throws IOException {
        FileProbe.createEmpty(ref.path());
    }

    @Override
    public Mailbox open(MailboxRef ref, boolean readWrite, StoreOptions options) throws IOException {
        return new Open(this, ref, TenexMailbox.open(ref.path(), format, readWrite, options(options)));
    }

    @Override
    public void append(MailboxRef ref, List<NewMessage> messages, boolean create, StoreOptions options) throws IOException {
        TenexMailbox.append(ref.path(), format, converted(messages), create, options(options));
    }

    @Override
    public Importer importer(MailboxRef ref, Importer.SourceInfo source, boolean fresh, StoreOptions options) {
        return new TenexImporter(ref.path(), format, options(options));
    }

    /** A read-write open finishes an interrupted write (a read-only one refuses to, as c-client cannot). */
    @Override
    public void recover(MailboxRef ref, StoreOptions options) throws IOException {
        TenexMailbox.recoverOnly(ref.path(), format, options(options));
    }

    @Override
    public CheckReport check(MailboxRef ref, StoreOptions options) throws IOException {
        try (TenexMailbox m = TenexMailbox.open(ref.path(), format, false, options(options))) {
            return new CheckReport(m.index().count(), List.of(), List.of());
        } catch (TenexIndex.BadTenexMailboxException e) {
            return new CheckReport(0, List.of(e.getMessage()), List.of());
        }
    }

    static TenexMailbox.Options options(StoreOptions o) {
        return TenexMailbox.Options.defaults().withSessionDirectory(o.session().directory()).withTimeout(o.timeout())
                .withKeywords(o.keywords() != null ? o.keywords() : TenexKeywords.configured());
    }

    private static List<TenexMailbox.NewMessage> converted(List<NewMessage> messages) {
        List<TenexMailbox.NewMessage> out = new ArrayList<>(messages.size());
        for (NewMessage m : messages) {
            out.add(new TenexMailbox.NewMessage(m.content(), m.flags(), m.keywords(), m.date()));
        }
        return out;
    }

    private static long nextValidity() {
        long now = System.currentTimeMillis() / 1000;
        return LAST_VALIDITY.updateAndGet(last -> Math.max(now, last + 1));
    }

    /** An open tenex/mtx mailbox with this open's own UIDs. */
    private static final class Open extends AbstractMailbox implements MessageIndex {
        private final TenexMailbox m;
        private long validity = nextValidity();
        private long[] uids = new long[0];
        private long uidNext = 1;

        Open(TenexDriver driver, MailboxRef ref, TenexMailbox m) {
            super(driver, ref);
            this.m = m;
            numberNew();
        }

        /** UIDs for messages the index has beyond those numbered. */
        private void numberNew() {
            int n = m.index().count();
            if (n > uids.length) {
                int from = uids.length;
                uids = Arrays.copyOf(uids, n);
                for (int i = from; i < n; i++) {
                    uids[i] = uidNext++;
                }
            }
        }

        @Override
        public boolean readWrite() {
            return m.readWrite();
        }

        @Override
        public Status status() {
            return new Status(count(), validity, uidNext, m.index().keywordNames(), false);
        }

        @Override
        public MessageIndex index() {
            return this;
        }

        @Override
        public int count() {
            return m.index().count();
        }

        @Override
        public long uid(int msgno) {
            if (msgno < 1 || msgno > uids.length) {
                throw new IndexOutOfBoundsException("message " + msgno + " of " + uids.length);
            }
            return uids[msgno - 1];
        }

        @Override
        public int flags(int msgno) {
            return m.index().flags(msgno);
        }

        @Override
        public boolean recent(int msgno) {
            return m.index().recent(msgno);
        }

        @Override
        public List<String> keywords(int msgno) {
            return m.index().keywords(msgno);
        }

        @Override
        public ZonedDateTime internalDate(int msgno) {
            return m.index().internalDate(msgno);
        }

        @Override
        public long size(int msgno) throws IOException {
            return m.size(msgno);
        }

        @Override
        public int sync() throws IOException {
            int n = m.refresh();
            numberNew();
            return n;
        }

        @Override
        public byte[] content(int msgno) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream((int) Math.min(m.index().storedSize(msgno), 1 << 24));
            m.writeMessage(msgno, b);
            return b.toByteArray();
        }

        @Override
        public void readParts(int from, int to, PartsSink sink) throws IOException {
            m.visit(from, to, (msgno, buffer, offset, length) -> sink.message(msgno, null, NONE, buffer, offset, length));
        }

        @Override
        protected Changes.Committed apply(List<Changes.Change> changes) throws IOException {
            List<Integer> expunged = new ArrayList<>();
            List<Long> given = new ArrayList<>();
            for (int i = 0; i < changes.size(); i++) {
                Changes.Change c = changes.get(i);
                if (c instanceof Changes.SetFlags f) {
                    m.setFlags(f.msgnos(), f.add(), f.remove(), f.addKeywords(), f.removeKeywords()); // fsynced
                } else if (c instanceof Changes.Append) {
                    // consecutive appends go in together (one write, one fsync); their UIDs are found by where
                    // they start: mail another program appended just before or after is parsed by the same sync
                    List<NewMessage> group = appendRun(changes, i);
                    i += group.size() - 1;
                    long at = TenexMailbox.append(m.path(), m.index().format(), converted(group), false, m.options());
                    sync();
                    given.addAll(uidsOfAppended(at, group.size(), m.index().count(), m.index()::start, n -> uids[n - 1]));
                } else if (c instanceof Changes.Expunge) {
                    expunged.addAll(expungeKeepingUids());
                }
            }
            return new Changes.Committed(List.copyOf(expunged), List.copyOf(given));
        }

        /** Expunges; the remaining messages keep their UIDs. Returns the numbers removed. */
        private List<Integer> expungeKeepingUids() throws IOException {
            sync();
            List<Integer> doomed = deleted();
            int gone = m.expunge();
            List<Long> kept = new ArrayList<>(uids.length);
            int d = 0;
            for (int i = 1; i <= uids.length; i++) {
                if (d < doomed.size() && doomed.get(d) == i) {
                    d++;
                } else {
                    kept.add(uids[i - 1]);
                }
            }
            if (gone != doomed.size() || m.index().count() < kept.size()) {
                // someone changed \Deleted or the file between our look and the expunge's own: our numbering
                // no longer holds, so start a new one under a new UIDVALIDITY (what UIDVALIDITY is for)
                validity = nextValidity();
                uids = new long[0];
                uidNext = 1;
                numberNew();
                return doomed;
            }
            uids = kept.stream().mapToLong(Long::longValue).toArray();
            numberNew(); // mail that arrived during the expunge
            return doomed;
        }

        @Override
        public void close() throws IOException {
            m.close();
        }
    }
}
