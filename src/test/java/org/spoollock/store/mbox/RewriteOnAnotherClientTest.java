package org.spoollock.store.mbox;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.spoollock.lock.MailboxLockOptions;
import org.spoollock.posix.Posix;
import org.spoollock.posix.Stat;
import org.spoollock.session.SessionLockOptions;
import org.spoollock.posix.Faults;
import org.spoollock.store.Flags;
import org.spoollock.store.journal.Journal;
import org.spoollock.store.journal.Replay;

/**
 * A rewrite killed on one client of a network filesystem and finished by another that sees the
 * mailbox under other device AND inode numbers (sshfs without -o use_ino numbers inodes per mount).
 * c-client's checkpoint rewrites from the first changed message, and message 1 carries X-IMAPbase,
 * so such rewrites often begin at offset 0, where no unchanged bytes before them can vouch for the
 * file: spooltest/sshfs-check reproduced "the journal is for another file" 2 of 2 times, leaving
 * NULs in the mailbox. The journal's per-block pre-image CRCs now let the other client recognise
 * the file by its content, wherever between old and new the kill left each block.
 */
class RewriteOnAnotherClientTest {
    private static final ZonedDateTime DATE = ZonedDateTime.of(2026, 11, 2, 5, 3, 22, 0, ZoneOffset.UTC);
    private static final String KEYWORD = "grows-the-header-a-lot-more-than-the-padding-allows";
    private static final String BIG_BODY = "line of the big message, long enough to matter\n".repeat(70_000); // 3.3 MB

    @TempDir
    Path dir;
    Path mbox;
    MboxMailbox.Options options;

    @BeforeEach
    void setUp() throws Exception {
        mbox = dir.resolve("inbox");
        options = MboxMailbox.Options.defaults().withTimeout(Duration.ofSeconds(10))
                .withSession(SessionLockOptions.defaults().withDirectory(dir).withAskFor(Duration.ofSeconds(1)));
        List<byte[]> f = new ArrayList<>();
        for (String m : List.of("Subject: one\n\nbody 1\n", "Subject: big\n\n" + BIG_BODY, "Subject: three\n\nbody 3\n")) {
            f.add(MboxEncoding.format(m.getBytes(StandardCharsets.ISO_8859_1), "alice@example.org", DATE, 0, List.of(),
                    Quoting.MBOXO));
        }
        MboxAppender.append(mbox, f, MailboxLockOptions.defaults().withCreateMissing(true), Duration.ofSeconds(10));
    }

    @AfterEach
    void disarm() {
        Faults.arm("");
    }

    /** Flags message 1 with a keyword that grows its header: the rewrite starts at byte 0 and moves the rest. */
    private void rewriteKilledAt(String point) throws Exception {
        Faults.arm(point + ":crash");
        try (MboxMailbox m = MboxMailbox.openReadWrite(mbox, options)) {
            m.setFlags(List.of(1), Flags.FLAGGED, 0, List.of(KEYWORD), List.of());
            m.checkpoint();
        } catch (Faults.InjectedCrash expected) {
            // killed: the journal is committed, the mailbox part-patched
        }
        Faults.arm("");
        Journal j = Journal.read(Journal.pathFor(mbox));
        assertEquals(0, j.firstChange(), "the case this test is about: nothing before the rewrite to vouch");
    }

    /** What another client does on opening: replays the journal, seeing the mailbox under other numbers. */
    private String replayOnAnotherClient() throws Exception {
        Stat st = Posix.get().lstatIfExists(mbox.toString());
        Stat other = new Stat(st.dev() + 1, st.ino() + 1000, st.nlink(), st.mode(), st.uid(), st.gid(), st.size(),
                st.atimeNanos(), st.mtimeNanos(), st.ctimeNanos());
        try (FileChannel ch = FileChannel.open(mbox, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return Replay.run(mbox, ch, other, Journal.pathFor(mbox));
        }
    }

    private void assertFinished(String said) throws Exception {
        assertFalse(said.contains("another file"), said);
        assertFalse(Files.exists(Journal.pathFor(mbox)), "journal applied and removed: " + said);
        assertTrue(new String(Files.readAllBytes(mbox), StandardCharsets.ISO_8859_1).indexOf('\0') < 0, "no NULs: " + said);
        try (MboxMailbox m = MboxMailbox.openReadOnly(mbox, options)) {
            MboxIndex i = m.index();
            assertEquals(3, i.count());
            assertEquals(List.of(KEYWORD), i.keywords(1));
            assertTrue((i.flags(1) & Flags.FLAGGED) != 0);
            String big = new String(m.message(2, Quoting.MBOXO), StandardCharsets.ISO_8859_1);
            assertTrue(big.endsWith(BIG_BODY), "message 2 intact");
            assertTrue(new String(m.message(3, Quoting.MBOXO), StandardCharsets.ISO_8859_1).endsWith("\nbody 3\n"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"rewrite.grown", "rewrite.applying"})
    void aRewriteFromByteZeroKilledOnOneClientIsFinishedByAnother(String point) throws Exception {
        rewriteKilledAt(point);
        assertFinished(replayOnAnotherClient());
    }

    /**
     * The kernel stops a killed write at a page boundary, wherever that falls inside a patch: the
     * blocks are cut there, so a page-torn patch still vouches.
     */
    @Test
    void aPatchTornAtAPageBoundaryStillVouchesForTheFile() throws Exception {
        rewriteKilledAt("rewrite.grown");
        Journal j = Journal.read(Journal.pathFor(mbox));
        Journal.Patch biggest = j.patches.stream().max(java.util.Comparator.comparingLong(Journal.Patch::length)).orElseThrow();
        long tornAt = (biggest.offset() / 4096 + 5) * 4096; // 5 pages into the patch, mid-message
        assertTrue(tornAt < biggest.offset() + biggest.length());
        try (FileChannel jc = FileChannel.open(Journal.pathFor(mbox), StandardOpenOption.READ);
             FileChannel ch = FileChannel.open(mbox, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate((int) (tornAt - biggest.offset()));
            jc.read(b, biggest.source());
            ch.write(b.flip(), biggest.offset());
        }
        assertFinished(replayOnAnotherClient());
    }

    /** A byte changed where the rewrite writes: not the file the journal is for, so it is never applied. */
    @Test
    void aFileThatDiffersWhereTheRewriteWritesIsLeftAlone() throws Exception {
        rewriteKilledAt("rewrite.grown");
        byte[] changed = Files.readAllBytes(mbox);
        int at = new String(changed, StandardCharsets.ISO_8859_1).indexOf("body 3");
        changed[at] = 'B';
        Files.write(mbox, changed);
        String said = replayOnAnotherClient();
        assertTrue(said.contains("another file"), said);
        assertArrayEquals(changed, Files.readAllBytes(mbox), "left as it was");
        assertFalse(Files.exists(Journal.pathFor(mbox)), "renamed aside");
    }

    /**
     * A journal written by an earlier spoollock (version 1, no block CRCs) is still read: on the same
     * inode it is applied as before; on another inode with nothing before the rewrite it is set aside.
     */
    @Test
    void aVersionOneJournalIsStillReadAndApplied() throws Exception {
        rewriteKilledAt("rewrite.grown");
        Path jp = Journal.pathFor(mbox);
        Files.write(jp, asVersionOne(Files.readAllBytes(jp)));
        Path saved = dir.resolve("journal-v1");
        Files.copy(jp, saved);
        byte[] half = Files.readAllBytes(mbox);
        String said = replayOnAnotherClient();
        assertTrue(said.contains("another file"), said);
        Files.write(mbox, half);
        Files.move(saved, jp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Stat st = Posix.get().lstatIfExists(mbox.toString());
        try (FileChannel ch = FileChannel.open(mbox, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            assertFinished(Replay.run(mbox, ch, st, jp));
        }
    }

    /** The journal as version 1 wrote it: no "blocks" line and bytes, the end checksum recomputed. */
    private static byte[] asVersionOne(byte[] v2) {
        String text = new String(v2, StandardCharsets.ISO_8859_1);
        int blocks = text.indexOf("\nblocks ") + 1;
        int eol = text.indexOf('\n', blocks);
        int n = Integer.parseInt(text.substring(blocks + "blocks ".length(), eol));
        int end = text.lastIndexOf("end ");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] magic = "spoollock-journal 1".getBytes(StandardCharsets.US_ASCII);
        out.write(magic, 0, magic.length);
        out.write(v2, magic.length, blocks - magic.length);
        out.write(v2, eol + 1 + 4 * n, end - (eol + 1 + 4 * n));
        CRC32C c = new CRC32C();
        c.update(out.toByteArray());
        byte[] tail = ("end " + Long.toUnsignedString(c.getValue()) + "\n").getBytes(StandardCharsets.US_ASCII);
        out.write(tail, 0, tail.length);
        return out.toByteArray();
    }
}
