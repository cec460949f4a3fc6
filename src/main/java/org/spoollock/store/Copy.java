package org.spoollock.store;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;

import org.spoollock.store.mbox.MboxAppender;
import org.spoollock.store.mbox.MboxIndex;
import org.spoollock.store.mbox.MboxMailbox;
import org.spoollock.store.mbox.MessageFormat;
import org.spoollock.store.mbox.Quoting;
import org.spoollock.store.tenex.TenexFormat;
import org.spoollock.store.tenex.TenexIndex;
import org.spoollock.store.tenex.TenexMailbox;

/**
 * Copies every message of a mailbox into another, of the same or another format, with its flags,
 * keywords, internal date and, into an mbox, its UID (and the source's UIDVALIDITY): a migration.
 * <ul>
 * <li>The source is read as c-client reads it, under its shared locks; the target is written in
 *     batches under its exclusive locks, so servers using either keep running.
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

    /** One source message as read. */
    private record Item(byte[] content, String sender, int flags, List<String> keywords, ZonedDateTime date, long uid) {
    }

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
                    m.visit(from, to, (n, sender, content) -> sink.item(n, new Item(content, sender, x.flags(n),
                            x.keywords(n), x.internalDate(n), x.uid(n))));
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
                for (int n = from; n <= to; n++) {
                    ByteArrayOutputStream b = new ByteArrayOutputStream((int) Math.min(x.storedSize(n), 1 << 24));
                    t.writeMessage(n, b);
                    sink.item(n, new Item(b.toByteArray(), null, x.flags(n), x.keywords(n), x.internalDate(n), n));
                }
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
            if (there > 0) {
                List<String> bad = compare(src, dst, to, 1, there, o, null);
                if (!bad.isEmpty()) {
                    throw new TargetNotEmptyException(dst + " does not hold the beginning of this copy, so it cannot be"
                            + " resumed: " + bad.get(0));
                }
            }
            if (o.progress() != null) {
                o.progress().accept(there);
            }
            final long v = validity;
            final long last = uidLast;
            List<Item> batch = new ArrayList<>();
            long[] bytes = {0};
            int[] done = {there};
            for (int start = there + 1; start <= n; start += BATCH_MESSAGES) {
                int end = Math.min(n, start + BATCH_MESSAGES - 1);
                src.read(start, end, (msgno, item) -> {
                    batch.add(item);
                    bytes[0] += item.content().length;
                    if (bytes[0] >= BATCH_BYTES) {
                        write(batch, dst, to, names, v, last, done[0] == 0, o, notes);
                        done[0] += batch.size();
                        batch.clear();
                        bytes[0] = 0;
                        if (o.progress() != null) {
                            o.progress().accept(done[0]);
                        }
                    }
                });
                if (!batch.isEmpty()) {
                    write(batch, dst, to, names, v, last, done[0] == 0, o, notes);
                    done[0] += batch.size();
                    batch.clear();
                    bytes[0] = 0;
                }
                Faults.point("copy.batch");
                if (o.progress() != null) {
                    o.progress().accept(done[0]);
                }
            }
            int after = existing(dst, to, o);
            if (after != n) {
                differences.add("the target holds " + after + " messages, the source " + n);
            }
            differences.addAll(compare(src, dst, to, 1, Math.min(n, after), o, notes));
            return new Result(n, there, n - there, from, to, differences, notes);
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

    private static void write(List<Item> batch, Path dst, MailboxFormat to, List<String> names, long validity, long uidLast,
                              boolean first, Options o, List<String> notes) throws IOException {
        if (to == MailboxFormat.MBOX) {
            List<byte[]> out = new ArrayList<>(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                Item it = batch.get(i);
                int bits = 0;
                for (String k : it.keywords()) {
                    int x = names.indexOf(k);
                    if (x >= 0) {
                        bits |= 1 << x;
                    }
                }
                out.add(MessageFormat.checkpointed(it.content(), it.sender(), it.date(), it.flags(), bits, names, it.uid(),
                        validity, uidLast, first && i == 0, Quoting.MBOXO));
            }
            MboxAppender.append(dst, out, o.mbox().lock().withCreateMissing(true), o.mbox().timeout());
            return;
        }
        List<TenexMailbox.NewMessage> out = new ArrayList<>(batch.size());
        for (Item it : batch) {
            List<String> kept = new ArrayList<>();
            for (String k : it.keywords()) {
                if (o.tenex().keywords().stream().anyMatch(c -> c.equalsIgnoreCase(k))) {
                    kept.add(k);
                } else if (!notes.contains("keyword " + k + " is not configured for " + to.name().toLowerCase()
                        + ": not copied")) {
                    notes.add("keyword " + k + " is not configured for " + to.name().toLowerCase() + ": not copied");
                }
            }
            out.add(new TenexMailbox.NewMessage(it.content(), it.flags(), kept, it.date()));
        }
        TenexMailbox.append(dst, tenex(to), out, true, o.tenex());
    }

    /**
     * Compares source and target messages from..to: content (line ends aside, and as an mbox stores
     * it), flags, keywords the target can hold, date to the second, UID into an mbox.
     */
    private static List<String> compare(Source src, Path dst, MailboxFormat to, int from, int upto, Options o,
                                        List<String> notes) throws IOException {
        List<String> diffs = new ArrayList<>();
        if (upto < from) {
            return diffs;
        }
        List<byte[]> dstDigests = new ArrayList<>();
        List<Item> dstItems = new ArrayList<>();
        if (to == MailboxFormat.MBOX) {
            try (MboxMailbox m = MboxMailbox.openReadOnly(dst, o.mbox())) {
                MboxIndex x = m.index();
                m.visit(from, upto, (n, sender, content) -> {
                    dstDigests.add(digest(content, false));
                    dstItems.add(new Item(null, sender, x.flags(n), x.keywords(n), x.internalDate(n), x.uid(n)));
                });
            }
        } else {
            try (TenexMailbox t = TenexMailbox.open(dst, tenex(to), false, o.tenex())) {
                TenexIndex x = t.index();
                for (int n = from; n <= upto; n++) {
                    ByteArrayOutputStream b = new ByteArrayOutputStream();
                    t.writeMessage(n, b);
                    dstDigests.add(digest(b.toByteArray(), false));
                    dstItems.add(new Item(null, null, x.flags(n), x.keywords(n), x.internalDate(n), n));
                }
            }
        }
        List<String> configured = o.tenex().keywords();
        src.read(from, upto, (n, item) -> {
            int i = n - from;
            if (!java.util.Arrays.equals(digest(item.content(), to == MailboxFormat.MBOX), dstDigests.get(i))) {
                diffs.add("message " + n + ": contents differ");
            }
            Item d = dstItems.get(i);
            if (item.flags() != d.flags()) {
                diffs.add("message " + n + ": flags " + Flags.letters(item.flags()) + " became " + Flags.letters(d.flags()));
            }
            List<String> expected = to == MailboxFormat.MBOX ? item.keywords() : item.keywords().stream()
                    .filter(k -> configured.stream().anyMatch(c -> c.equalsIgnoreCase(k))).toList();
            if (!new java.util.HashSet<>(expected).equals(new java.util.HashSet<>(d.keywords()))) {
                diffs.add("message " + n + ": keywords " + expected + " became " + d.keywords());
            }
            if (item.date() != null && d.date() != null && item.date().toEpochSecond() != d.date().toEpochSecond()) {
                diffs.add("message " + n + ": internal date " + item.date() + " became " + d.date());
            }
            if (to == MailboxFormat.MBOX && item.uid() != d.uid()) {
                diffs.add("message " + n + ": UID " + item.uid() + " became " + d.uid());
            }
        });
        return diffs;
    }

    /** SHA-256 of a message with CRs dropped (and, for an mbox target, as the mbox stores it), ending in a newline. */
    private static byte[] digest(byte[] content, boolean asMbox) {
        byte[] c = asMbox ? MessageFormat.asStored(content, Quoting.MBOXO) : content;
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte last = '\n';
            byte[] buf = new byte[8192];
            int k = 0;
            for (byte b : c) {
                if (b == '\r') {
                    continue;
                }
                if (b == 0) {
                    b = (byte) 0x80;
                }
                buf[k++] = b;
                last = b;
                if (k == buf.length) {
                    md.update(buf, 0, k);
                    k = 0;
                }
            }
            md.update(buf, 0, k);
            if (last != '\n') {
                md.update((byte) '\n');
            }
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
