package org.spoollock.mail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

import org.spoollock.store.Flags;
import org.spoollock.store.MailboxFormat;
import org.spoollock.store.MessageIndex;
import org.spoollock.store.mbox.MboxIndex;
import org.spoollock.store.mbox.MboxMailbox;
import org.spoollock.store.mbox.Quoting;
import org.spoollock.store.tenex.TenexFormat;
import org.spoollock.store.tenex.TenexIndex;
import org.spoollock.store.tenex.TenexMailbox;

/** An open mailbox of either store, as the folder needs it; every change is written before the call returns. */
interface Backend extends AutoCloseable {
    int count();

    long uid(int msgno);

    int flags(int msgno);

    boolean recent(int msgno);

    List<String> keywords(int msgno);

    long size(int msgno) throws IOException;

    ZonedDateTime date(int msgno);

    byte[] content(int msgno) throws IOException;

    /** New mail: how many messages arrived. */
    int refresh() throws IOException;

    void setFlags(List<Integer> msgnos, int add, int remove, List<String> addKeywords, List<String> removeKeywords)
            throws IOException;

    /** Removes \Deleted messages; returns their numbers before the expunge, ascending. */
    List<Integer> expunge() throws IOException;

    /** Numbers of the messages flagged \Deleted, ascending. */
    default List<Integer> deleted() {
        List<Integer> out = new ArrayList<>();
        for (int n = 1; n <= count(); n++) {
            if ((flags(n) & Flags.DELETED) != 0) {
                out.add(n);
            }
        }
        return out;
    }

    long uidValidity();

    long uidNext();

    boolean readWrite();

    /** Keywords this mailbox can store (null: any, as mbox creates them). */
    List<String> permanentKeywords();

    @Override
    void close() throws IOException;

    static Backend open(Path path, MailboxFormat format, boolean write, SpoolOptions o) throws IOException {
        if (format == MailboxFormat.MBOX) {
            return new MboxBackend(write ? MboxMailbox.openReadWrite(path, o.mbox()) : MboxMailbox.openReadOnly(path, o.mbox()),
                    write);
        }
        TenexFormat f = format == MailboxFormat.MTX ? TenexFormat.MTX : TenexFormat.TENEX;
        return new TenexBackend(TenexMailbox.open(path, f, write, o.tenex()), write);
    }

    /** The questions every index answers the same way, whichever store it is. */
    abstract class Indexed implements Backend {
        abstract MessageIndex x();

        public int count() {
            return x().count();
        }

        public long uid(int n) {
            return x().uid(n);
        }

        public int flags(int n) {
            return x().flags(n);
        }

        public boolean recent(int n) {
            return x().recent(n);
        }

        public List<String> keywords(int n) {
            return x().keywords(n);
        }

        public ZonedDateTime date(int n) {
            return x().internalDate(n);
        }
    }

    /** mbox through {@link MboxMailbox}: flag changes checkpointed at once (in place where c-client's padding allows). */
    final class MboxBackend extends Indexed {
        private final MboxMailbox m;
        private final boolean write;

        MboxBackend(MboxMailbox m, boolean write) {
            this.m = m;
            this.write = write;
        }

        MboxIndex x() {
            return m.index();
        }

        public long size(int n) {
            return x().size(n);
        }

        public byte[] content(int n) throws IOException {
            return m.message(n, Quoting.MBOXO);
        }

        public int refresh() throws IOException {
            return m.refresh();
        }

        public void setFlags(List<Integer> ns, int add, int remove, List<String> addKw, List<String> rmKw) throws IOException {
            m.setFlags(ns, add, remove, addKw, rmKw);
            m.checkpoint();
        }

        public List<Integer> expunge() throws IOException {
            m.refresh();
            List<Integer> gone = deleted();
            m.expunge();
            return gone;
        }

        public long uidValidity() {
            return x().uidValidity();
        }

        public long uidNext() {
            return x().uidNext();
        }

        public boolean readWrite() {
            return write;
        }

        public List<String> permanentKeywords() {
            return null;
        }

        public void close() throws IOException {
            m.close();
        }
    }

    /** tenex/mtx through {@link TenexMailbox}: flags written in place; UIDs are message numbers, as c-client's. */
    final class TenexBackend extends Indexed {
        private final TenexMailbox m;
        private final boolean write;
        private final long validity = System.currentTimeMillis() / 1000;

        TenexBackend(TenexMailbox m, boolean write) {
            this.m = m;
            this.write = write;
        }

        TenexIndex x() {
            return m.index();
        }

        public long size(int n) throws IOException {
            return m.size(n);
        }

        public byte[] content(int n) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream((int) Math.min(x().storedSize(n), 1 << 24));
            m.writeMessage(n, b);
            return b.toByteArray();
        }

        public int refresh() throws IOException {
            return m.refresh();
        }

        public void setFlags(List<Integer> ns, int add, int remove, List<String> addKw, List<String> rmKw) throws IOException {
            m.setFlags(ns, add, remove, addKw, rmKw);
        }

        public List<Integer> expunge() throws IOException {
            List<Integer> gone = deleted();
            m.expunge();
            return gone;
        }

        public long uidValidity() {
            return validity;
        }

        public long uidNext() {
            return x().count() + 1L;
        }

        public boolean readWrite() {
            return write;
        }

        public List<String> permanentKeywords() {
            return x().keywordNames();
        }

        public void close() throws IOException {
            m.close();
        }
    }
}
