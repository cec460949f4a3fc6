package org.spoollock.store.imap;

import java.io.IOException;
import java.io.InputStream;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

import jakarta.mail.FetchProfile;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.UIDFolder;

import org.eclipse.angus.mail.imap.AppendUID;
import org.eclipse.angus.mail.imap.IMAPMessage;
import org.spoollock.store.AbstractMailbox;
import org.spoollock.store.Changes;
import org.spoollock.store.MailboxChangedException;
import org.spoollock.store.MailboxDriver;
import org.spoollock.store.MailboxRef;
import org.spoollock.store.MessageIndex;
import org.spoollock.store.NewMessage;

/**
 * An IMAP folder opened through the store interface: EXAMINE for a read-only open, SELECT for read-write.
 * The index (UID, FLAGS, INTERNALDATE, RFC822.SIZE of every message) is fetched in one command at the open
 * and at each {@link #sync}; contents are fetched one message at a time, with BODY.PEEK[] (nothing is
 * marked \Seen), as the server stores them. The server's own rules apply: its UIDs and UIDVALIDITY, the
 * keywords it allows (PERMANENTFLAGS), its sessions; there are no local locks.
 */
final class ImapMailbox extends AbstractMailbox {
    private final ImapConnection c;
    private final boolean readWrite;
    private Message[] messages = new Message[0];
    private Index index;

    ImapMailbox(MailboxDriver driver, MailboxRef ref, ImapConnection c, boolean readWrite) throws IOException {
        super(driver, ref);
        this.c = c;
        this.readWrite = readWrite;
        try {
            c.folder.open(readWrite ? Folder.READ_WRITE : Folder.READ_ONLY);
        } catch (MessagingException e) {
            throw ImapConnection.translate(c.where, readWrite ? "select the folder" : "examine the folder", e);
        }
        load();
    }

    /** The index of an open folder, read from the Message objects after one FETCH of all of them. */
    private static final class Index implements MessageIndex {
        private final long[] uid;
        private final int[] flags;
        private final boolean[] recent;
        private final List<List<String>> keywords;
        private final ZonedDateTime[] date;
        private final long[] size;

        Index(Message[] m) throws MessagingException {
            int n = m.length;
            uid = new long[n];
            flags = new int[n];
            recent = new boolean[n];
            keywords = new ArrayList<>(n);
            date = new ZonedDateTime[n];
            size = new long[n];
            for (int i = 0; i < n; i++) {
                IMAPMessage x = (IMAPMessage) m[i];
                uid[i] = ((UIDFolder) x.getFolder()).getUID(x);
                jakarta.mail.Flags f = x.getFlags();
                flags[i] = JakartaFlags.bits(f);
                recent[i] = f.contains(jakarta.mail.Flags.Flag.RECENT);
                keywords.add(List.copyOf(ImapMessages.keywords(f)));
                java.util.Date d = x.getReceivedDate();
                date[i] = d == null ? null : d.toInstant().atZone(ZoneOffset.UTC);
                size[i] = x.getSizeLong();
            }
        }

        @Override
        public int count() {
            return uid.length;
        }

        @Override
        public long uid(int msgno) {
            return uid[msgno - 1];
        }

        @Override
        public int flags(int msgno) {
            return flags[msgno - 1];
        }

        @Override
        public boolean recent(int msgno) {
            return recent[msgno - 1];
        }

        @Override
        public List<String> keywords(int msgno) {
            return keywords.get(msgno - 1);
        }

        @Override
        public ZonedDateTime internalDate(int msgno) {
            return date[msgno - 1];
        }
    }

    private void load() throws IOException {
        try {
            Message[] m = c.folder.getMessages();
            FetchProfile fp = new FetchProfile();
            fp.add(UIDFolder.FetchProfileItem.UID);
            fp.add(FetchProfile.Item.FLAGS);
            fp.add(FetchProfile.Item.ENVELOPE); // INTERNALDATE and RFC822.SIZE come with it
            fp.add(FetchProfile.Item.SIZE);
            c.folder.fetch(m, fp);
            index = new Index(m);
            messages = m;
        } catch (MessagingException e) {
            throw ImapConnection.translate(c.where, "fetch the folder's index", e);
        }
    }

    @Override
    public boolean readWrite() {
        return readWrite;
    }

    @Override
    public Status status() {
        try {
            jakarta.mail.Flags permanent = c.folder.getPermanentFlags();
            boolean any = permanent != null && permanent.contains(jakarta.mail.Flags.Flag.USER);
            List<String> kw = permanent == null ? List.of() : List.of(permanent.getUserFlags());
            return new Status(index.count(), c.folder.getUIDValidity(), c.folder.getUIDNext(), kw, any);
        } catch (MessagingException e) {
            throw new IllegalStateException(ImapConnection.translate(c.where, "read the folder's status", e).getMessage(), e);
        }
    }

    @Override
    public MessageIndex index() {
        return index;
    }

    @Override
    public long size(int msgno) {
        return index.size[check(msgno) - 1];
    }

    private int check(int msgno) {
        if (msgno < 1 || msgno > index.count()) {
            throw new IllegalArgumentException(ref() + ": no message " + msgno + " (1.." + index.count() + ")");
        }
        return msgno;
    }

    @Override
    public int sync() throws IOException {
        int before = index.count();
        try {
            c.folder.doCommand(p -> {
                p.noop(); // the server reports new mail and expunges in its answer
                return null;
            });
        } catch (MessagingException e) {
            throw ImapConnection.translate(c.where, "check for new mail", e);
        }
        long[] old = index.uid;
        load();
        for (int i = 0; i < Math.min(before, index.count()); i++) {
            if (index.uid[i] != old[i]) {
                throw new MailboxChangedException(c.where + ": messages were expunged by another session; reopen it");
            }
        }
        return index.count() - before;
    }

    @Override
    public byte[] content(int msgno) throws IOException {
        IMAPMessage m = (IMAPMessage) messages[check(msgno) - 1];
        try (InputStream in = m.getMimeStream()) {
            return in.readAllBytes();
        } catch (MessagingException e) {
            throw ImapConnection.translate(c.where, "fetch message " + msgno + " (UID " + index.uid(msgno) + ")", e);
        }
    }

    /** Messages fetched a range at a time (up to 200 or 16 MB by their sizes), in one FETCH each. */
    @Override
    public void readParts(int from, int to, PartsSink sink) throws IOException {
        int n = from;
        while (n <= to) {
            int end = n;
            long bytes = index.size[n - 1];
            while (end < to && end - n < 199 && bytes + index.size[end] <= 16 << 20) {
                bytes += index.size[end];
                end++;
            }
            List<byte[]> got;
            try {
                got = ImapBulk.fetchBodies(c, n, end);
            } catch (MessagingException e) {
                throw ImapConnection.translate(c.where, "fetch messages " + n + ".." + end, e);
            }
            for (int k = n; k <= end; k++) {
                byte[] b = got.get(k - n);
                sink.message(k, null, EMPTY, b, 0, b.length);
            }
            n = end + 1;
        }
    }

    private static final byte[] EMPTY = new byte[0];

    @Override
    protected Changes.Committed apply(List<Changes.Change> changes) throws IOException {
        List<Integer> expunged = new ArrayList<>();
        List<Long> uids = new ArrayList<>();
        try {
            for (int i = 0; i < changes.size(); i++) {
                Changes.Change ch = changes.get(i);
                if (ch instanceof Changes.SetFlags f) {
                    Message[] ms = f.msgnos().stream().map(n -> messages[n - 1]).toArray(Message[]::new);
                    if (f.add() != 0 || !f.addKeywords().isEmpty()) {
                        c.folder.setFlags(ms, JakartaFlags.of(f.add(), f.addKeywords()), true);
                    }
                    if (f.remove() != 0 || !f.removeKeywords().isEmpty()) {
                        c.folder.setFlags(ms, JakartaFlags.of(f.remove(), f.removeKeywords()), false);
                    }
                } else if (ch instanceof Changes.Append) {
                    List<NewMessage> run = appendRun(changes, i);
                    i += run.size() - 1;
                    uids.addAll(append(c, run));
                } else if (ch instanceof Changes.Expunge) {
                    List<Integer> doomed = new ArrayList<>();
                    for (Message m : c.folder.expunge()) {
                        doomed.add(m.getMessageNumber());
                    }
                    expunged.addAll(doomed);
                }
            }
        } catch (MessagingException e) {
            throw ImapConnection.translate(c.where, "write the changes", e);
        }
        load();
        return new Changes.Committed(List.copyOf(expunged), List.copyOf(uids));
    }

    /**
     * APPENDs the messages, in one MULTIAPPEND where the server has it; their UIDs from UIDPLUS's APPENDUID
     * (0 where the server gives none).
     */
    static List<Long> append(ImapConnection c, List<NewMessage> run) throws IOException {
        try {
            if (run.size() > 1 && ImapBulk.canMultiAppend(c)) {
                return ImapBulk.multiAppend(c, run);
            }
            Message[] raw = new Message[run.size()];
            for (int k = 0; k < raw.length; k++) {
                NewMessage m = run.get(k);
                raw[k] = new ImapMessages.Raw(c.session, m.content(), m.flags(), m.keywords(), m.date());
            }
            AppendUID[] got = c.folder.appendUIDMessages(raw);
            List<Long> out = new ArrayList<>(got.length);
            for (AppendUID a : got) {
                out.add(a == null ? 0L : a.uid);
            }
            return out;
        } catch (MessagingException e) {
            throw ImapConnection.translate(c.where, "append " + run.size() + " message(s)", e);
        }
    }

    @Override
    public void close() {
        c.close();
    }
}
