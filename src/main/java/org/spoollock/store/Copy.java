package org.spoollock.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;

import org.spoollock.store.mbox.MboxAppender;
import org.spoollock.store.mbox.MboxIndex;
import org.spoollock.store.mbox.MboxMailbox;
import org.spoollock.store.mbox.MessageFormat;
import org.spoollock.store.mbox.Quoting;
import org.spoollock.store.tenex.TenexBatch;
import org.spoollock.store.tenex.TenexFormat;
import org.spoollock.store.tenex.TenexIndex;
import org.spoollock.store.tenex.TenexMailbox;

/**
 * Copies every message of a mailbox into another, of the same or another format, with its flags,
 * keywords, internal date and, into an mbox, its UID (and the source's UIDVALIDITY): a migration.
 * <ul>
 * <li>The source is read as c-client reads it, under its shared locks, front to back in large reads;
 *     the target is written in batches under its exclusive locks, so servers using either keep
 *     running. Batches are not synced one by one: the whole target is synced once before it is
 *     verified (a killed copy loses nothing and resumes; after a power cut start it again).
 * <li>The target must be new or empty, or hold the beginning of this very copy: {@code resume}
 *     checks that its messages are the source's first ones, byte for byte, and goes on from there,
 *     so an interrupted copy finishes with exactly one copy of each message.
 * <li>At the end every message is compared (content, flags, keywords, date; UIDs into mbox); the
 *     differences, and what the target format cannot hold (tenex/mtx keep only configured keywords,
 *     no UIDs), are reported, never silently dropped.
 * </ul>
 */
public final class Copy {
    private static final int BATCH_MESSAGES = 500;
    private static final long BATCH_BYTES = 16L << 20;

    /** How to copy. {@code progress} is told the number of messages done so far (may be null). */
    public record Options(MailboxFormat targetFormat, boolean resume, LongConsumer progress,
                         MboxMailbox.Options mbox, TenexMailbox.Options tenex) {
    }

    /** What happened. {@code differences} is empty when the target holds the source exactly. */
    public record Result(int total, int alreadyThere, int copied, MailboxFormat from, MailboxFormat to,
                         List<String> differences, List<String> notes) {
    }

    /**
     * One source message as read: its content is {@code head} then {@code body[offset .. offset + length)};
     * {@code body} may be the reader's buffer, valid only while the item is handed over.
     */
    private record Item(byte[] head, byte[] body, int offset, int length, String sender, int flags, List<String> keywords,
                        ZonedDateTime date, long uid) {
        byte[] content() {
            byte[] c = java.util.Arrays.copyOf(head, head.length + length);
            System.arraycopy(body, offset, c, head.length, length);
            return c;
        }
    }

    /** What the verification compares of one message, on either side. */
    private record Summary(Fingerprint content, int flags, List<String> keywords, ZonedDateTime date, long uid) {
    }

    /**
     * A message's content as the verification compares it: its length and two CRCs (CRC-32C and
     * zlib's CRC-32, whose different polynomials together catch what a 64-bit CRC catches), computed
     * with CRs dropped and NULs as 0x80 (as an mbox stores them) and a final newline supplied, so the
     * same message gives the same fingerprint in every format. CRCs, not a cryptographic hash: they
     * guard against accidents (a bug, a bad disk), and run at memory speed where SHA-256 made the
     * verification a third of a migration.
     */
    private record Fingerprint(long length, long crcs) {
        static Fingerprint of(byte[] head, byte[] body, int offset, int length) {
            java.util.zip.CRC32C c = new java.util.zip.CRC32C();
            java.util.zip.CRC32 z = new java.util.zip.CRC32();
            long[] n = {0};
            byte last = normalized(c, z, n, head, 0, head.length, (byte) '\n');
            last = normalized(c, z, n, body, offset, length, last);
            if (last != '\n') {
                c.update('\n');
                z.update('\n');
                n[0]++;
            }
            return new Fingerprint(n[0], c.getValue() << 32 | z.getValue());
        }

        /** Adds {@code b[from .. from + length)} normalized; returns the last byte added ({@code last} if none). */
        private static byte normalized(java.util.zip.CRC32C c, java.util.zip.CRC32 z, long[] n, byte[] b, int from,
                                       int length, byte last) {
            int end = from + length;
            int run = from;
            while (run < end) {
                int i = ByteScan.indexOf(b, run, end, (byte) '\r', (byte) 0);
                int stop = i < 0 ? end : i;
                if (stop > run) {
                    c.update(b, run, stop - run);
                    z.update(b, run, stop - run);
                    n[0] += stop - run;
                    last = b[stop - 1];
                }
                if (i < 0) {
                    break;
                }
                if (b[i] == 0) {
                    c.update(0x80);
                    z.update(0x80);
                    n[0]++;
                    last = (byte) 0x80;
                }
                run = i + 1;
            }
            return last;
        }
    }

    private static final byte[] NONE = new byte[0];

    /** The target is not empty and not the beginning of this copy. */
    public static final class TargetNotEmptyException extends IOException {
        private static final long serialVersionUID = 1L;

        TargetNotEmptyException(String m) {
            super(m);
        }
    }

    private Copy() {
    }

    /** Reads source messages from..to (1-based, inclusive), in order. */
    private interface Source extends AutoCloseable {
        int count();

        /** UIDVALIDITY, last UID and keyword list to carry into an mbox target (tenex/mtx: none stored). */
        default long uidValidity() {
            return 0;
        }

        default long uidLast() {
            return count();
        }

        List<String> keywordNames();

        void read(int from, int to, ItemSink sink) throws IOException;

        @Override
        void close() throws IOException;
    }

    @FunctionalInterface
    private interface ItemSink {
        void item(int msgno, Item item) throws IOException;
    }

    private static Source open(Path path, MailboxFormat f, Options o) throws IOException {
        if (f == MailboxFormat.MBOX) {
            MboxMailbox m = MboxMailbox.openReadOnly(path, o.mbox());
            MboxIndex x = m.index();
            return new Source() {
                public int count() {
                    return x.count();
                }

                public long uidValidity() {
                    return x.uidValidity();
                }

                public long uidLast() {
                    return x.uidLast();
                }

                public List<String> keywordNames() {
                    return x.keywordNames();
                }

                public void read(int from, int to, ItemSink sink) throws IOException {
                    m.visitParts(from, to, (n, sender, header, buf, off, len) -> sink.item(n, new Item(header, buf, off,
                            len, sender, x.flags(n), x.keywords(n), x.internalDate(n), x.uid(n))));
                }

                public void close() throws IOException {
                    m.close();
                }
            };
        }
        TenexMailbox t = TenexMailbox.open(path, f == MailboxFormat.MTX ? TenexFormat.MTX : TenexFormat.TENEX, false,
                o.tenex());
        TenexIndex x = t.index();
        return new Source() {
            public int count() {
                return x.count();
            }

            public List<String> keywordNames() {
                return o.tenex().keywords();
            }

            public void read(int from, int to, ItemSink sink) throws IOException {
                t.visit(from, to, (n, buf, off, len) -> sink.item(n, new Item(NONE, buf, off, len, null, x.flags(n),
                        x.keywords(n), x.internalDate(n), n)));
            }

            public void close() throws IOException {
                t.close();
            }
        };
    }

    public static Result run(MailboxFormat.Ref source, MailboxFormat.Ref target, Options o) throws IOException {
        MailboxFormat from = MailboxFormat.of(source);
        MailboxFormat to = o.targetFormat() != null ? o.targetFormat()
                : target.forced() != null ? target.forced()
                : MailboxFormat.detect(target.path()) != null ? MailboxFormat.detect(target.path()) : from;
        Path dst = target.path();
        List<String> notes = new ArrayList<>();
        List<String> differences = new ArrayList<>();
        try (Source src = open(source.path(), from, o)) {
            int n = src.count();
            long validity = src.uidValidity();
            long uidLast = src.uidLast();
            List<String> names = new ArrayList<>(src.keywordNames());
            if (from != MailboxFormat.MBOX) {
                validity = System.currentTimeMillis() / 1000;
                notes.add(source.path() + " is " + from.name().toLowerCase() + ": it keeps no UIDs; the copy numbers them 1.."
                        + n + (to == MailboxFormat.MBOX ? " under a new UIDVALIDITY " + validity : ""));
            }
            if (to != MailboxFormat.MBOX) {
                notes.add("the target is " + to.name().toLowerCase() + ": it keeps no UIDs (c-client numbers messages"
                        + " at each open) and only the keywords configured in /etc/c-client.cf " + o.tenex().keywords());
            }
            int there = existing(dst, to, o);
            if (there > 0 && !o.resume()) {
                throw new TargetNotEmptyException(dst + " already holds " + there + " message(s): copy into a new or empty"
                        + " mailbox, or --resume an interrupted copy into it");
            }
            if (there > n) {
                throw new TargetNotEmptyException(dst + " holds " + there + " messages, more than the source's " + n
                        + ": it is not an interrupted copy of " + source.path());
            }
            // what the source holds, message by message, gathered as it is read (once): the verification
            // then re-reads only the target
            List<Summary> expected = new ArrayList<>(n);
            boolean asMbox = to == MailboxFormat.MBOX;
            if (there > 0) {
                src.read(1, there, (msgno, item) -> expected.add(summary(item, asMbox)));
                List<String> bad = compare(expected, dst, to, o);
                if (!bad.isEmpty()) {
                    throw new TargetNotEmptyException(dst + " does not hold the beginning of this copy, so it cannot be"
                            + " resumed: " + bad.get(0));
                }
            }
            if (o.progress() != null) {
                o.progress().accept(there);
            }
            Batch batch = to == MailboxFormat.MBOX ? new MboxBatch(dst, names, validity, uidLast, there == 0, o)
                    : new TenexTarget(dst, tenex(to), o, notes);
            int[] done = {there};
            // The source is read in blocks of 500 messages, each under its shared locks taken anew, so
            // that deliveries to a live source wait for one block at most, never for the whole copy;
            // a batch is written after each block (or at 16 MB).
            for (int start = there + 1; start <= n; start += BATCH_MESSAGES) {
                int end = Math.min(n, start + BATCH_MESSAGES - 1);
                src.read(start, end, (msgno, item) -> {
                    expected.add(summary(item, asMbox));
                    batch.add(item);
                    if (batch.bytes() >= BATCH_BYTES) {
                        written(batch, o, done);
                    }
                });
                written(batch, o, done);
            }
            sync(dst);
            differences.addAll(compare(expected, dst, to, o));
            return new Result(n, there, n - there, from, to, differences, notes);
        }
    }

    /** Writes the batch (if it holds anything), adds its messages to {@code done[0]} and tells the progress bar. */
    private static void written(Batch batch, Options o, int[] done) throws IOException {
        if (batch.messages() == 0) {
            return;
        }
        done[0] += batch.write();
        Faults.point("copy.batch");
        if (o.progress() != null) {
            o.progress().accept(done[0]);
        }
    }

    /** Messages already in the target (0 if it does not exist or is empty). */
    private static int existing(Path dst, MailboxFormat to, Options o) throws IOException {
        if (!Files.exists(dst, LinkOption.NOFOLLOW_LINKS) || Files.size(dst) == 0) {
            return 0;
        }
        MailboxFormat actual = MailboxFormat.detect(dst);
        if (actual != to) {
            throw new TargetNotEmptyException(dst + " is a non-empty " + actual.name().toLowerCase() + " mailbox, not "
                    + to.name().toLowerCase());
        }
        if (to == MailboxFormat.MBOX) {
            try (MboxMailbox m = MboxMailbox.openReadOnly(dst, o.mbox())) {
                return m.index().count();
            }
        }
        try (TenexMailbox t = TenexMailbox.open(dst, tenex(to), false, o.tenex())) {
            return t.index().count();
        }
    }

    private static TenexFormat tenex(MailboxFormat f) {
        return f == MailboxFormat.MTX ? TenexFormat.MTX : TenexFormat.TENEX;
    }

    /** Messages encoded for the target as they are read, written by {@link #write} under the target's locks. */
    private interface Batch {
        void add(Item item) throws IOException;

        long bytes();

        int messages();

        /** Appends what was added (one write, one fsync) and empties the batch; returns the messages written. */
        int write() throws IOException;
    }

    /** Into an mbox: c-client's checkpointed layout, the first message carrying X-IMAPbase. */
    private static final class MboxBatch implements Batch {
        private final Path dst;
        private final List<String> names;
        private final long validity;
        private final long uidLast;
        private boolean first;
        private final Options o;
        private final List<byte[]> out = new ArrayList<>();
        private long bytes;

        MboxBatch(Path dst, List<String> names, long validity, long uidLast, boolean first, Options o) {
            this.dst = dst;
            this.names = names;
            this.validity = validity;
            this.uidLast = uidLast;
            this.first = first;
            this.o = o;
        }

        public void add(Item it) {
            int bits = 0;
            for (String k : it.keywords()) {
                int x = names.indexOf(k);
                if (x >= 0) {
                    bits |= 1 << x;
                }
            }
            byte[] m = MessageFormat.checkpointed(it.content(), it.sender(), it.date(), it.flags(), bits, names, it.uid(),
                    validity, uidLast, first, Quoting.MBOXO);
            first = false;
            out.add(m);
            bytes += m.length;
        }

        public long bytes() {
            return bytes;
        }

        public int messages() {
            return out.size();
        }

        public int write() throws IOException {
            int k = out.size();
            if (k > 0) {
                MboxAppender.append(dst, out, o.mbox().lock().withCreateMissing(true), o.mbox().timeout(), false);
                out.clear();
                bytes = 0;
            }
            return k;
        }
    }

    /** Into tenex or mtx: only configured keywords (the others noted once each). */
    private static final class TenexTarget implements Batch {
        private final Path dst;
        private final TenexFormat format;
        private final Options o;
        private final List<String> notes;
        private final TenexBatch batch;

        TenexTarget(Path dst, TenexFormat format, Options o, List<String> notes) {
            this.dst = dst;
            this.format = format;
            this.o = o;
            this.notes = notes;
            this.batch = new TenexBatch(format, o.tenex().keywords());
        }

        public void add(Item it) {
            List<String> kept = new ArrayList<>();
            for (String k : it.keywords()) {
                if (o.tenex().keywords().stream().anyMatch(c -> c.equalsIgnoreCase(k))) {
                    kept.add(k);
                } else {
                    String note = "keyword " + k + " is not configured for " + format.driver() + ": not copied";
                    if (!notes.contains(note)) {
                        notes.add(note);
                    }
                }
            }
            batch.add(it.head(), it.body(), it.offset(), it.length(), it.flags(), kept, it.date());
        }

        public long bytes() {
            return batch.bytes();
        }

        public int messages() {
            return batch.messages();
        }

        public int write() throws IOException {
            int k = batch.messages();
            if (k > 0) {
                TenexMailbox.append(dst, format, batch, true, false, o.tenex());
                batch.clear();
            }
            return k;
        }
    }

    private static Summary summary(Item item, boolean asMbox) {
        Fingerprint f = asMbox ? stored(item)
                : Fingerprint.of(item.head(), item.body(), item.offset(), item.length());
        return new Summary(f, item.flags(), item.keywords(), item.date(), item.uid());
    }

    /** Batches are appended without fsync; one fsync of the whole target makes the copy durable before it is verified. */
    private static void sync(Path dst) throws IOException {
        if (!Files.exists(dst, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        java.nio.channels.FileChannel c;
        try {
            c = java.nio.channels.FileChannel.open(dst, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw org.spoollock.posix.ChannelIo.translate("open", dst.toString(), e);
        }
        try (c) {
            org.spoollock.posix.ChannelIo.force(c, dst.toString());
        }
    }

    /** How many messages both sides have; a difference in number is noted. */
    private static int counted(int target, int source, List<String> diffs) {
        if (target != source) {
            diffs.add("the target holds " + target + " messages, the source " + source);
        }
        return Math.min(target, source);
    }

    /** The fingerprint of a message as an mbox target stores it (quoted, status headers renamed). */
    private static Fingerprint stored(Item item) {
        byte[] b = MessageFormat.asStored(item.content(), Quoting.MBOXO);
        return Fingerprint.of(NONE, b, 0, b.length);
    }

    /**
     * Compares the target's messages with what the source held (one summary per message, in order):
     * their number, content (line ends aside, and as an mbox stores it), flags, keywords the target
     * can hold, date to the second, UID into an mbox. The target is opened and parsed afresh.
     */
    private static List<String> compare(List<Summary> expected, Path dst, MailboxFormat to, Options o) throws IOException {
        List<String> diffs = new ArrayList<>();
        List<String> configured = o.tenex().keywords();
        ItemSink check = (n, d) -> {
            Summary want = expected.get(n - 1);
            if (!want.content().equals(Fingerprint.of(d.head(), d.body(), d.offset(), d.length()))) {
                diffs.add("message " + n + ": contents differ");
            }
            if (want.flags() != d.flags()) {
                diffs.add("message " + n + ": flags " + Flags.letters(want.flags()) + " became " + Flags.letters(d.flags()));
            }
            List<String> keywords = to == MailboxFormat.MBOX ? want.keywords() : want.keywords().stream()
                    .filter(k -> configured.stream().anyMatch(c -> c.equalsIgnoreCase(k))).toList();
            if (!new java.util.HashSet<>(keywords).equals(new java.util.HashSet<>(d.keywords()))) {
                diffs.add("message " + n + ": keywords " + keywords + " became " + d.keywords());
            }
            if (want.date() != null && d.date() != null && want.date().toEpochSecond() != d.date().toEpochSecond()) {
                diffs.add("message " + n + ": internal date " + want.date() + " became " + d.date());
            }
            if (to == MailboxFormat.MBOX && want.uid() != d.uid()) {
                diffs.add("message " + n + ": UID " + want.uid() + " became " + d.uid());
            }
        };
        if (to == MailboxFormat.MBOX) {
            try (MboxMailbox m = MboxMailbox.openReadOnly(dst, o.mbox())) {
                MboxIndex x = m.index();
                m.visitParts(1, counted(x.count(), expected.size(), diffs), (n, sender, header, buf, off, len) ->
                        check.item(n, new Item(header, buf, off, len, sender, x.flags(n), x.keywords(n), x.internalDate(n),
                                x.uid(n))));
            }
        } else {
            try (TenexMailbox t = TenexMailbox.open(dst, tenex(to), false, o.tenex())) {
                TenexIndex x = t.index();
                t.visit(1, counted(x.count(), expected.size(), diffs), (n, buf, off, len) -> check.item(n, new Item(NONE, buf,
                        off, len, null, x.flags(n), x.keywords(n), x.internalDate(n), n)));
            }
        }
        return diffs;
    }
}
