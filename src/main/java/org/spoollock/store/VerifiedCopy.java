package org.spoollock.store;

import org.spoollock.posix.Faults;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;


/**
 * Copies every message of a mailbox into another, of the same or another format, with its flags,
 * keywords, internal date and, into a format that keeps UIDs, its UID (and the source's UIDVALIDITY),
 * then checks the copy against the source: a migration. Formats are reached only through the store
 * interface ({@link Drivers}, {@link Mailbox#readParts}, {@link MailboxDriver#importer}).
 * <ul>
 * <li>The source is read as c-client reads it, under its shared locks, front to back in large reads;
 *     the target is written in batches under its exclusive locks, so servers using either keep
 *     running. Batches are not synced one by one: the whole target is synced once before it is
 *     verified (a killed copy loses nothing and resumes; after a power cut start it again).
 * <li>The target must be new or empty, or hold the beginning of this very copy: {@code resume}
 *     checks that its messages are the source's first ones, byte for byte, and goes on from there,
 *     so an interrupted copy finishes with exactly one copy of each message.
 * <li>At the end every message is compared (content, flags, keywords, date; UIDs into mbox); the
 *     differences, and what the target format cannot hold (e.g. tenex/mtx keep only configured
 *     keywords, no UIDs), are reported, never silently dropped.
 * </ul>
 */
public final class VerifiedCopy {
    private static final int BATCH_MESSAGES = 500;
    private static final long BATCH_BYTES = 16L << 20;

    /**
     * How to copy: {@code targetDriver} names the target's format (null: the target's prefix, else its content,
     * else the source's format); {@code progress} is told the number of messages done so far (may be null).
     */
    public record Options(String targetDriver, boolean resume, LongConsumer progress, StoreOptions store) {
    }

    /** What happened. {@code differences} is empty when the target holds the source exactly. */
    public record Result(int total, int alreadyThere, int copied, String from, String to,
                         List<String> differences, List<String> notes) {
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

    private VerifiedCopy() {
    }

    /** One message read, handed over with its index data. */
    @FunctionalInterface
    private interface ItemSink {
        void item(int msgno, Importer.Item item) throws IOException;
    }

    /** Reads messages from..to of {@code m} (1-based, inclusive), in order, with their flags, keywords, dates, UIDs. */
    private static void read(Mailbox m, int from, int to, ItemSink sink) throws IOException {
        MessageIndex x = m.index();
        m.readParts(from, to, (n, sender, head, buf, off, len) -> sink.item(n, new Importer.Item(head, buf, off, len,
                sender, x.flags(n), x.keywords(n), x.internalDate(n), x.uid(n))));
    }

    public static Result run(MailboxRef source, MailboxRef target, Options o) throws IOException {
        MailboxDriver from = Drivers.driverFor(source);
        MailboxDriver detected = Drivers.detect(target);
        // a new target takes the source's format, except a server's (a path is no IMAP folder): then the default
        MailboxDriver to = o.targetDriver() != null ? Drivers.named(o.targetDriver()) : detected != null ? detected
                : from.capabilities().contains(Capability.REMOTE) ? Drivers.fallback() : from;
        MailboxRef dst = target.withDriver(to.name());
        StoreOptions so = o.store();
        List<String> notes = new ArrayList<>();
        List<String> differences = new ArrayList<>();
        // a server (REMOTE) keeps UIDs, but its own: the source's cannot be given to it
        boolean toKeepsUids = to.capabilities().contains(Capability.PERSISTENT_UIDS)
                && !to.capabilities().contains(Capability.REMOTE);
        try (Mailbox src = from.open(source.withDriver(from.name()), false, so)) {
            int n = src.index().count();
            Mailbox.Status status = src.status();
            if (!from.capabilities().contains(Capability.PERSISTENT_UIDS)) {
                notes.add(source.location() + " is " + from.name() + ": it keeps no UIDs; the copy numbers them 1.." + n
                        + (toKeepsUids ? " under a new UIDVALIDITY " + status.uidValidity() : ""));
            }
            int there = existing(dst, to, so, o.resume());
            // what the target can keep, known once it exists (an empty one is made by the first batch)
            if (there > 0 && !o.resume()) {
                throw new TargetNotEmptyException(dst.location() + " already holds " + there + " message(s): copy into a"
                        + " new or empty mailbox, or --resume an interrupted copy into it");
            }
            if (there > n) {
                throw new TargetNotEmptyException(dst.location() + " holds " + there + " messages, more than the source's "
                        + n + ": it is not an interrupted copy of " + source.location());
            }
            // what the source holds, message by message, gathered as it is read (once): the verification
            // then re-reads only the target
            List<Summary> expected = new ArrayList<>(n);
            if (there > 0) {
                read(src, 1, there, (msgno, item) -> expected.add(summary(item, to)));
                List<String> bad = compare(expected, dst, to, so, new ArrayList<>());
                if (!bad.isEmpty()) {
                    throw new TargetNotEmptyException(dst.location() + " does not hold the beginning of this copy, so it"
                            + " cannot be resumed: " + bad.get(0));
                }
            }
            if (o.progress() != null) {
                o.progress().accept(there);
            }
            Importer batch = to.importer(dst, new Importer.SourceInfo(status.uidValidity(), status.uidNext() - 1,
                    status.keywords()), there == 0, so);
            int[] done = {there};
            // The source is read in blocks of 500 messages, each under its shared locks taken anew, so
            // that deliveries to a live source wait for one block at most, never for the whole copy;
            // a batch is written after each block (or at 16 MB).
            for (int start = there + 1; start <= n; start += BATCH_MESSAGES) {
                int end = Math.min(n, start + BATCH_MESSAGES - 1);
                read(src, start, end, (msgno, item) -> {
                    expected.add(summary(item, to));
                    batch.add(item);
                    if (batch.bytes() >= BATCH_BYTES) {
                        written(batch, o, done);
                    }
                });
                written(batch, o, done);
            }
            batch.finish();
            if (!to.capabilities().contains(Capability.REMOTE)) {
                if (n == 0 && !Files.exists(dst.path(), LinkOption.NOFOLLOW_LINKS)) {
                    to.create(dst, so); // an empty source: no batch made the target
                }
                sync(dst.path()); // a server acknowledged each APPEND once it held the message
            }
            List<String> kept = new ArrayList<>();
            differences.addAll(compare(expected, dst, to, so, kept));
            if (to.capabilities().contains(Capability.REMOTE)) {
                // the server's UIDs: the importer's notes say which it gave
            } else if (!toKeepsUids || !to.capabilities().contains(Capability.ANY_KEYWORDS)) {
                notes.add("the target is " + to.name() + ":" + (toKeepsUids ? "" : " it keeps no UIDs (c-client numbers"
                        + " messages at each open) and") + " only the keywords " + kept);
            }
            notes.addAll(batch.notes());
            return new Result(n, there, n - there, from.name(), to.name(), differences, notes);
        }
    }

    /** Writes the batch (if it holds anything), adds its messages to {@code done[0]} and tells the progress bar. */
    private static void written(Importer batch, Options o, int[] done) throws IOException {
        if (batch.messages() == 0) {
            return;
        }
        done[0] += batch.write();
        Faults.point("copy.batch");
        if (o.progress() != null) {
            o.progress().accept(done[0]);
        }
    }

    /**
     * Messages already in the target (0 if it does not exist or is empty). A resumed target is opened
     * read-write: that open finishes what the interrupted copy left (an mbx or tenex append note is
     * recovered only by a writer), where a read-only open would refuse.
     */
    private static int existing(MailboxRef dst, MailboxDriver to, StoreOptions o, boolean resume) throws IOException {
        if (to.capabilities().contains(Capability.REMOTE)) {
            try (Mailbox m = to.open(dst, false, o)) {
                return m.index().count();
            } catch (StorageException e) {
                if (e.category() == StorageException.Category.NOT_FOUND) {
                    return 0;
                }
                throw e;
            }
        }
        Path p = dst.path();
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS) || Files.size(p) == 0) {
            return 0;
        }
        MailboxDriver actual = Drivers.driverFor(MailboxRef.of(p));
        if (!actual.name().equals(to.name())) {
            throw new TargetNotEmptyException(p + " is a non-empty " + actual.name() + " mailbox, not " + to.name());
        }
        try (Mailbox m = to.open(dst, resume, o)) {
            return m.index().count();
        }
    }

    private static Summary summary(Importer.Item item, MailboxDriver to) {
        byte[] stored = to.asStored(item.head(), item.body(), item.offset(), item.length());
        Fingerprint f = stored == null ? Fingerprint.of(item.head(), item.body(), item.offset(), item.length())
                : Fingerprint.of(NONE, stored, 0, stored.length);
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

    /**
     * Compares the target's messages with what the source held (one summary per message, in order):
     * their number, content (line ends aside, and as the target stores it), flags, keywords the target
     * can hold, date to the second, UIDs where the target keeps them. The target is opened and parsed afresh;
 * the keywords it can keep are added to {@code keptKeywords}.
     */
    private static List<String> compare(List<Summary> expected, MailboxRef dst, MailboxDriver to, StoreOptions o,
                                        List<String> keptKeywords) throws IOException {
        List<String> diffs = new ArrayList<>();
        boolean uids = to.capabilities().contains(Capability.PERSISTENT_UIDS)
                && !to.capabilities().contains(Capability.REMOTE);
        try (Mailbox m = to.open(dst, false, o)) {
            boolean any = to.capabilities().contains(Capability.ANY_KEYWORDS);
            List<String> kept = m.status().keywords();
            keptKeywords.addAll(kept);
            read(m, 1, counted(m.index().count(), expected.size(), diffs), (n, d) -> {
                Summary want = expected.get(n - 1);
                if (!want.content().equals(Fingerprint.of(d.head(), d.body(), d.offset(), d.length()))) {
                    diffs.add("message " + n + ": contents differ");
                }
                if (want.flags() != d.flags()) {
                    diffs.add("message " + n + ": flags " + Flags.letters(want.flags()) + " became "
                            + Flags.letters(d.flags()));
                }
                List<String> keywords = any ? want.keywords() : want.keywords().stream()
                        .filter(k -> kept.stream().anyMatch(c -> c.equalsIgnoreCase(k))).toList();
                if (!new java.util.HashSet<>(keywords).equals(new java.util.HashSet<>(d.keywords()))) {
                    diffs.add("message " + n + ": keywords " + keywords + " became " + d.keywords());
                }
                if (want.date() != null && d.date() != null && want.date().toEpochSecond() != d.date().toEpochSecond()) {
                    diffs.add("message " + n + ": internal date " + want.date() + " became " + d.date());
                }
                if (uids && want.uid() != d.uid()) {
                    diffs.add("message " + n + ": UID " + want.uid() + " became " + d.uid());
                }
            });
        }
        return diffs;
    }
}
