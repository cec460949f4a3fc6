package org.spoollock.store.maildir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A killed migration's intent: read back as written, and its UIDs given where they still ascend. */
class MaildirImportIntentTest {
    @TempDir
    Path dir;

    private static Map<String, MaildirScan.Located> files(String... bases) {
        Map<String, MaildirScan.Located> m = new LinkedHashMap<>();
        for (String b : bases) {
            m.put(b, new MaildirScan.Located("cur", MaildirName.parse(b + ":2,S")));
        }
        return m;
    }

    @Test
    void theIntendedUidsAreGivenFirstThenNewOnes() throws Exception {
        MaildirUidList list = new MaildirUidList(7, 4, "", List.of(new MaildirUidList.Record(1, "", "1.M1P1.h"),
                new MaildirUidList.Record(3, "", "2.M1P1.h")));
        Map<String, Long> intended = Map.of("4.M1P9.h", 12L, "3.M1P9.h", 10L);
        MaildirUidList l = MaildirScan.agreed(list, files("1.M1P1.h", "2.M1P1.h", "3.M1P9.h", "4.M1P9.h", "5.M1P2.h"),
                99, intended);
        assertEquals(List.of("1 1.M1P1.h", "3 2.M1P1.h", "10 3.M1P9.h", "12 4.M1P9.h", "13 5.M1P2.h"),
                l.records().stream().map(r -> r.uid() + " " + r.base()).toList());
        assertEquals(14, l.nextUid());
        assertEquals(7, l.uidValidity());
    }

    @Test
    void anIntendedUidNoLongerAboveTheOthersIsNotGiven() throws Exception {
        MaildirUidList list = new MaildirUidList(7, 20, "", List.of(new MaildirUidList.Record(19, "", "1.M1P1.h")));
        MaildirUidList l = MaildirScan.agreed(list, files("1.M1P1.h", "3.M1P9.h"), 99, Map.of("3.M1P9.h", 10L));
        assertEquals(List.of("19 1.M1P1.h", "20 3.M1P9.h"),
                l.records().stream().map(r -> r.uid() + " " + r.base()).toList());
    }

    @Test
    void whatWasWrittenIsReadBackAndALineCutShortIsIgnored() throws Exception {
        try (MaildirImportIntent i = MaildirImportIntent.begin(dir, null)) {
            i.add(5, "a,S=1,W=2");
            i.add(9, "b,S=1,W=2");
            Files.writeString(dir.resolve(MaildirImportIntent.NAME), "11 c,S=", java.nio.file.StandardOpenOption.APPEND);
            assertEquals(Map.of("a,S=1,W=2", 5L, "b,S=1,W=2", 9L), MaildirImportIntent.left(dir));
            // our own process holds it: not a dead migration's
            assertFalse(MaildirImportIntent.heldByDeadMigration(dir,
                    org.spoollock.posix.Posix.get().lstatIfExists(dir.resolve(MaildirImportIntent.NAME).toString())));
        }
        assertFalse(Files.exists(dir.resolve(MaildirImportIntent.NAME)), "closed at the migration's end: gone");
        assertEquals(Map.of(), MaildirImportIntent.left(dir));
    }

    @Test
    void aDeadMigrationsUidlistLockIsTakenOverAtOnceAndALaterOneIsNot() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        long dead = p.pid();
        Files.createDirectories(dir.resolve("tmp"));
        String host = MaildirFiles.host(org.spoollock.posix.Posix.get().hostname());
        Path lock = dir.resolve(MaildirUidList.NAME + ".lock");
        Files.writeString(lock, "");
        Files.setLastModifiedTime(lock, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 5000));
        Files.writeString(dir.resolve(MaildirImportIntent.NAME), "spoollock copy pid " + dead + " host " + host
                + "\n5 a,S=1,W=2\n");
        try (MaildirDotLock l = MaildirDotLock.acquire(dir.resolve(MaildirUidList.NAME), java.time.Duration.ofSeconds(5))) {
            // adopted: a live owner, so our new lock is not taken for the dead one's
            assertEquals("spoollock copy pid " + org.spoollock.posix.Posix.get().getpid() + " host " + host,
                    Files.readAllLines(dir.resolve(MaildirImportIntent.NAME)).get(0));
            assertEquals(Map.of("a,S=1,W=2", 5L), MaildirImportIntent.left(dir), "the UIDs said are kept");
        }
        // a lock newer than the intent is someone else's (Dovecot's, after its two minutes): left alone
        Files.writeString(dir.resolve(MaildirImportIntent.NAME), "spoollock copy pid " + dead + " host " + host + "\n");
        Files.setLastModifiedTime(dir.resolve(MaildirImportIntent.NAME),
                java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 5000));
        Files.writeString(lock, "");
        org.junit.jupiter.api.Assertions.assertNull(MaildirDotLock.tryAcquire(dir.resolve(MaildirUidList.NAME)));
        assertFalse(Files.notExists(lock));
    }
}
