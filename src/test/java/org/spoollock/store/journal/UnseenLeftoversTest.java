package org.spoollock.store.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spoollock.posix.Posix;
import org.spoollock.posix.Stat;
import org.spoollock.store.MailboxChangedException;

/**
 * A killed writer's note or journal that this client does not see (NFS and FUSE keep names they
 * looked up as absent; spooltest's torture over NFS): asked of the server, and never replaced.
 */
class UnseenLeftoversTest {
    @TempDir
    Path dir;

    @Test
    void theServerProbeTellsAPresentNameFromAnAbsentOneAndLeavesNothingBehind() throws Exception {
        Path there = dir.resolve(".box.spoollock-append");
        Files.writeString(there, "a note");
        assertTrue(ServerProbe.exists(there));
        assertArrayEquals("a note".getBytes(StandardCharsets.US_ASCII), Files.readAllBytes(there));
        Path absent = dir.resolve(".other.spoollock-append");
        assertFalse(ServerProbe.exists(absent));
        assertFalse(Files.exists(absent));
    }

    /**
     * On a filesystem that may cache absent names a journal is linked into place, which the server
     * refuses if one is there (renamed, it replaced a killed rewriter's, whose half-applied rewrite was
     * then never finished); the one there is left alone, and the mailbox is not touched.
     */
    @Test
    void onNfsARewriteNeverReplacesAJournalItFindsInItsWay() throws Exception {
        Path box = dir.resolve("box");
        String text = "From a@b Mon Nov  2 05:03:22 2026\nSubject: x\n\ny\n";
        Files.writeString(box, text);
        Path journal = Journal.pathFor(box);
        byte[] leftover = "a killed rewriter's committed journal\n".getBytes(StandardCharsets.US_ASCII);
        Files.write(journal, leftover);
        Stat st = Posix.get().stat(box.toString());
        org.spoollock.lock.FileSystemInfo.judgeDeviceAs(st.dev(), "nfs4");
        try (FileChannel ch = FileChannel.open(box, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MailboxChangedException e = assertThrows(MailboxChangedException.class, () -> Journal.rewrite(box, ch, st,
                    Files.size(box), Files.size(box), java.util.List.of(Journal.Patch.literal(0, "F".getBytes(
                            StandardCharsets.US_ASCII)))));
            assertTrue(e.getMessage().contains("waiting to be finished"), e.getMessage());
        } finally {
            org.spoollock.lock.FileSystemInfo.judgeDeviceAs(st.dev(), null);
        }
        assertArrayEquals(leftover, Files.readAllBytes(journal));
        assertFalse(Files.exists(journal.resolveSibling(journal.getFileName() + ".tmp")));
        assertEquals(text, Files.readString(box));
    }

    /**
     * The probe's own file, left empty by a kill or a power cut between its create and its unlink
     * (spooltest/powerloss, deliver, names, after call 5: "truncated journal", and the mailbox could not
     * be opened): removed, nothing else done.
     */
    @Test
    void anEmptyJournalIsAProbesLeftoverAndIsRemoved() throws Exception {
        Path box = dir.resolve("box");
        String text = "From a@b Mon Nov  2 05:03:22 2026\nSubject: x\n\ny\n";
        Files.writeString(box, text);
        Files.createFile(Journal.pathFor(box));
        Files.createFile(Journal.appendIntentFor(box));
        try (FileChannel ch = FileChannel.open(box, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            String done = Recovery.run(box, ch, Posix.get().stat(box.toString()), (buf, from, length) -> -1);
            assertTrue(done.contains("removed an empty journal"), done);
        }
        assertFalse(Files.exists(Journal.pathFor(box)));
        assertFalse(Files.exists(Journal.appendIntentFor(box)));
        assertEquals(text, Files.readString(box));
    }

    /** Replacing it (the note was opened with TRUNCATE_EXISTING) left a killed writer's partial message for good. */
    @Test
    void aDeliveryNeverReplacesANoteItFindsInItsWay() throws Exception {
        Path box = dir.resolve("box");
        Files.writeString(box, "From a@b Mon Nov  2 05:03:22 2026\nSubject: x\n\ny\n");
        Path note = Journal.appendIntentFor(box);
        byte[] leftover = "spoollock append intent of a killed writer\n".getBytes(StandardCharsets.US_ASCII);
        Files.write(note, leftover);
        try (FileChannel ch = FileChannel.open(box, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            Stat st = Posix.get().stat(box.toString());
            MailboxChangedException e = assertThrows(MailboxChangedException.class, () -> AppendIntent.write(box, ch, st,
                    Files.size(box), ByteBuffer.wrap("From c@d Mon Nov  2 05:03:22 2026\n\nz\n".getBytes(StandardCharsets.US_ASCII))));
            assertTrue(e.getMessage().contains("waiting to be finished"), e.getMessage());
        }
        assertArrayEquals(leftover, Files.readAllBytes(note));
    }
}
